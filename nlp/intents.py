"""Intent classification (second NLU component): weighted keywords and patterns.

Decisions about existing requests (status questions, help, reject, cancel,
approve) are tried first, in that order, because their words also appear in
service requests (会议室…我不用了, 报修…撤回). Then the three services score
their keywords over the jieba tokens and the text; a fault beats a room name
(会议室的空调坏了 is a repair). Nothing matching is `unknown`, never forced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nlp import assets, faults
from nlp.freetext import DECIDED_LAST as _DECIDED_LAST
from nlp.keywords import gate_all, keywords
from nlp.types import Intent

# -- decisions on existing requests -------------------------------------------------

# A question about a request that already exists ("#1234为什么被驳回", "批了没").
_STATUS_STRONG = keywords(
    r"怎么被|为什么被|为啥被|咋被|为什么(?:不|没)(?:批|通过|同意)|"
    r"(?:批|签|签字|盖章|审核|审|审批|同意|通过|派|派车|派单|接单|安排|处理|受理|派工|修)了(?:没有?|吗|么|没呢)|"
    r"(?:批|审|审批|审核|签字|通过|同意)(?:没有|了没|吗)|批没批|审没审|什么时候.{0,4}派车|"
    r"到哪(?:了|一步|儿了|里了)|什么情况|什么状态|状态如何|啥情况|怎么样了|进度|进展|卡在|审批(?:到|意见|结果|状态|情况)|"
    r"是不是已经|是不是被|有没有被|被(?:驳回|退回|打回|拒绝|否决|拒)(?:回来|回去|来)?了?(?:吗|么|没有?|[?？])|"
    r"有没有(?:批|通过|派车|安排|处理)|修好了?(?:吗|没)|还没人?(?:批|修|来|处理|派|审)|(?:上次|之前|昨天|前天|上周|刚才|前几天|早上)(?:报修|申请|预约|预订|订)的|"
    r"什么时候(?:能|会|可以)?(?:来人|批|审批|处理|派人|到位|有结果)|派工|师傅是谁|谁来修|"
    r"(?:师傅|司机|维修工|修理工|工人|^车|我的车)(?:什么时候|啥时候|几点|多久)(?:能|会|才)?(?:来|到)|"
    r"(?:约|订|叫|派|要|申请|预约|预订)的车(?:呢|到了|来了|在哪|到哪|怎么还|还没|什么时候|几点)|"
    r"车(?:到了|来了)(?:吗|没)|(?:车|师傅|司机)[^，,。\s]{0,3}?怎么还没(?:来|到|出发)|"
    r"司机是(?:谁|哪位|哪个|哪一位)|哪(?:个|位)司机|谁(?:来)?开(?:车)?(?:[?？吗呢]|$)|车牌号?(?:是|是多少|多少)|还在(?:审|批|处理|排队|走流程)|"
    r"(?:待|等|要|需要|轮到|该)我(?:去)?(?:审批|审核|审|批|签|处理|同意)|我(?:要|需要|得|该)(?:审批|审核|批|签)的|"
    r"(?:未|没|待|还没)(?:处理|审批|审核|批)的|"
    r"我[^，,。？?\s]{0,4}?(?:订|约|预约|预订|预定|申请|报修|报|借|提交)了(?:什么|哪些|哪几|几个|几次|多少|啥)|"
    r"我[^，,。？?\s]{0,4}?(?:订|约|预约|预订|预定|申请|报修|报|借|提交)过(?:什么|哪些|哪几|几个|几次|多少|啥)|"
    # what one has on the books: 我明天有订车吗, 我下周有哪些预约
    r"我[^，,。？?\s]{0,6}?有没?有?(?:订|约|预约|预订|预定|申请|报修|借)[^，,。]{0,8}?(?:吗|么|没有?|[?？])|"
    r"我[^，,。？?\s]{0,6}?有(?:哪些|什么|几个|多少|啥)(?:预约|预订|申请|订单|安排|报修|用车|会议室?)",
    r"^(?:is|has|was|did|have|are)\b.{0,40}\b(?:approved|rejected|accepted|declined|denied|done|fixed|confirmed|sent|assigned)\b|"
    r"\bstatus\b|\byet\b|\bwhen will (?:my|our)\b|\bprogress\b|\bany (?:update|news)|\bheard back\b|\bwhere(?: is|'s) (?:my|our|request|booking|order|ticket|the request)\b|"
    r"\b(?:go|gone|went|get|got|been put) through\b|\bwhat happened\b|\bpending\b|"
    r"\bwhat (?:did|have) i (?:book|reserve|request|order)|\bwaiting for (?:me|my)\b|\bfor me to (?:approve|sign|review)\b|"
    r"\bawaiting (?:my )?(?:approval|review)|"
    r"^(?:did|has|have) (?:anyone|someone|somebody|they|you|the \w+)\b.{0,30}\b(?:approve|confirm|reject|review|sign|look at)",
)
# The question detector: asking whether something already asked for is done ("定下来没有",
# "修好了没", "批下来了没", "成功了吗", "被退回了吗", "啥时候来换"). It wins over the request
# words of the same message (会议室, 派车, 报修): the request exists, its state is asked.
# A decision word inside such a question (退回了吗, 驳回了吗) never decides anything.
_DONE_VERB = r"(?:定|订|约|批|签|审|安排|处理|(?<!报)修|派|受理|通过|成功|确认|落实|搞|弄|办|换|装|接单|批准|同意|答复|回复|解决|修复|搞定)"
_STATUS_QUESTION = keywords(
    rf"{_DONE_VERB}(?:下来|好|完|妥|上|掉|成)?了?(?:没有?|吗|么|没呢|没啊|不)(?:啊|呀|呢|哈|哇)?(?:[?？!！。，,\s]|$)|"
    # A-not-A (来不来, 修不修, 批不批) and who has it now (谁在审, 卡在谁那)
    r"(来|修|批|派|审|到|办|管)不\1|被(?:人|别人|其他人|别的部门)?(?:占|占用|订走|抢)了?(?:吗|么|没有?)|(?:预约|预订|申请|订单|单子|报修)(?:还)?(?:在|有效|算数)(?:吗|么|不|没)|(?:看|审阅|过目|回复|回|签)了(?:没有?|吗|么)|"
    r"有(?:结果|消息|回复|回音|进展|下文|答复|反馈)了?(?:吗|么|没有?)|谁在(?:审|批|处理|办|跟)|卡在谁|"
    # no news of it (怎么没下文了, 一直没消息)
    r"(?:怎么|还|一直|到现在|至今)(?:都)?(?:没|没有)(?:下文|消息|动静|回音|回复|结果|反馈|音讯|人理)|"
    rf"{_DONE_VERB}没{_DONE_VERB}|"
    r"(?:被)?(?:驳回|退回|打回|拒绝|否决|拒)(?:回来|回去|来)?了?(?:吗|么|没有?)|"
    r"有人(?:管|理|处理|来|修|接|看)(?:吗|么|没)|有人(?:来|过来)?(?:看|修|处理|检查|联系|管|理|弄)过(?:了)?(?:没有?|吗|么)|(?:什么时候|啥时候|几时|何时|多久)(?:才|能|会)?有人|有没有人(?:管|理|处理|来|修|接|看)|(?:什么时候|啥时候|几时|何时|多久)(?:能|会|才|可以)?(?:来|派人|过来)?(?:修|换|弄|处理|装|到)|"
    r"什么状态|啥状态|什么进度|到谁(?:那|手)|怎么还没(?:动静|消息|回复|批|人)|还没(?:动静|消息|回音)",
    r"\b(?:is|has|was|were|have) (?:my|it|the|this)\b.{0,40}\b(?:approved|confirmed|booked|done|fixed|rejected)\b|"
    r"\bbeen (?:approved|confirmed|rejected|fixed)\b",
)
# "订好了" said bare, without a question word: a question only when nothing else is asked
# (我的报修单撤销吧，已经修好了 is a cancel with its reason).
_STATUS_BARE = re.compile(rf"{_DONE_VERB}(?:下来|好|完|妥|成)了(?!\S)")
# Which one did I get (我预订的接待室是哪一间, 我订的车是哪个司机): a question about a request.
_WHICH = re.compile(r"(?:是)?哪(?:一|个|辆|间|位|天)|是谁|几号(?:房|室|车|楼)?(?:[?？吗呢]|$)")
# Where or when is what I booked (我订的礼堂在哪栋楼, 我约的车几点到): about that request.
_BOOKED_REF = re.compile(r"(?:订|约|预约|预订|预定|申请|报修|借|提交)的")
_WHERE_WHEN = re.compile(r"在哪|哪栋|哪层|几楼|几点|什么时候|啥时候|电话|手机|车牌|谁开|司机是谁")
# Something said as done by the speaker before: the question is then about that request.
_PAST_REF = re.compile(
    r"我(?:的|订的|约的|预约的|申请的|提交的|报的|报修的|要的|借的|那个|那张|那份|这个)|(?:上次|之前|昨天|前天|上周|刚才|早上|上午|下午)[^，,。]{0,4}(?:报|订|约|申请|提交)|"
    r"(?:申请|预约|报修|报|订|约|提交|借)的|单子|申请单|派车单|报修单|\bmy\b"
)

# Listing or looking up one's own requests.
_STATUS_WEAK = keywords(
    r"查询|查一下|查下|查查|查看|帮我查|看看我|看下我|看一下我|列出|列一下|"
    r"我的[^，,。\s]{0,6}(?:申请|预约|订单|报修|单子|记录|派车单|预订)|(?:订|约|申请|预约|预订)过|"
    r"待审批|还有效|申请记录|预约记录|单号|编号|申请号|(?:的|现在的?|目前的?)(?:状态|进度|情况)(?:[?？呢吗啊]|$)",
    r"\bmy (?:requests?|bookings?|reservations?)|\blist\b",
)
_HELP = keywords(
    r"帮助|指南|说明书|使用说明|使用方法|操作说明|(?:操作|使用|用户)手册|(?:新手|使用|操作)?(?:指引|引导|入门)|教程|怎么用|如何用|怎么使用|如何使用|怎么操作|如何操作|"
    r"(?:怎么|怎样|如何|咋)(?:样)?(?:申请|预约|预定|预订|订|约|报修|派车|用车|弄|办(?![呢啊呀吧?？]|$)|提交|查|审批|取消|同意|批准|驳回|撤销|撤回|退订|修改|改)|(?:要|需要|得|应该)(?:填|写|填写|提供|准备|带)(?:些)?(?:什么|哪些|啥)|"
    r"流程|步骤|不太懂|不懂|不会用|第一次用|能做什么|能干什么|会做什么|可以做什么|有什么功能|有哪些功能|功能介绍|"
    r"干嘛的|干什么的|干(?:什么|啥|嘛)用的|做什么的|干啥的|是什么东西|怎么玩|菜单|^(?:功能|帮助|指令|命令)(?:列表|清单|一览|大全)?$|^[?？]+$|你是谁|"
    r"你(?:能|会|可以)(?:帮我)?(?:做|干)(?:什么|啥|些什么)|你(?:都|还)?(?:会|能)(?:些|干)?(?:什么|啥|嘛|哪些)|"
    r"(?:能|可以)?(?:办|做|处理)(?:哪些|什么)(?:业务|事|事情)|(?:能|可以|会)(?:办|做|干|处理)(?:哪些|什么|啥)(?:呢|啊|呀)?[?？]*$|有(?:哪些|什么)(?:服务|业务|功能)|"
    r"(?:支持|提供)(?:什么|哪些)|介绍(?:一下)?(?:你|功能|自己)|怎么报(?!销)|教教我|教我|"
    # asking what the bot is or takes: 你是机器人吗, 可以帮我做些什么, 有哪些命令, 怎么跟你说
    r"你是(?:机器人|什么|人工|真人)|(?:机器人|助手|小助手|这个|你们)(?:都|还)?(?:能|会|可以)(?:干|做|办)?(?:些)?(?:什么|啥|嘛|哪些)|有(?:哪些|什么)(?:命令|指令|操作)|(?:怎么|如何|咋)(?:跟|和|与|对)你(?:说|讲|聊|对话|沟通)|"
    r"^(?:你|您)?(?:都|还)?(?:能|可以|会)(?:帮我|为我|给我)?(?:做|干|办)(?:些|点)?(?:什么|啥|哪些)(?:事|事情|业务)?[?？呢吗啊]*$",
    r"\bhelp\b(?!\s+me)|\bhow (?:do|can|to|does)\b|\bwhat can (?:you|this|the|it)\b|\bwhat (?:do|does) (?:you|this|the|it)\b.{0,12}\bdo\b|"
    r"\bwho are you\b|\bcommands\b|\bwhat are you\b|\bguide\b|\binstructions?\b|\bmanual\b|\bmenu\b|\bwhat do you do\b|"
    r"\bwhat (?:services|features|functions|commands)\b|\bwhat can i (?:do|ask)\b",
)
REJECT_RE = keywords(
    r"不同意|不批准?|不予(?:批准|通过|同意|受理)?|不通过|未通过|不能批|不可以批|不准|驳回|打回|拒绝|否决",
    r"^#?\s*\d{3,9}\s*[:,-]?\s*no\b\s*[，,:;.-]|^no,? (?:to|for) #?\d|\bdecline[ds]?\b|\breject(?:ed)?\b|\bden(?:y|ied)\b|\brefuse[ds]?\b|\bnot approved?\b|\bdisapprove",
)
REJECT_WEAK_RE = keywords(r"退回|不行|不可以|不合适|不妥|拒(?!绝)", r"\bno\b")
_CANCEL = keywords(
    r"取消|撤销|撤回|撤掉|撤单|(?<!被)撤(?:了|下)|作废|不用[^，,。\s]{0,3}了|不要了|"
    r"不(?:要|订|约|借)[^，,。\s]{1,6}了(?=$|[，,。！!\s])|不需要了|用不着了|不去了|退掉|退了|退订|算了",
    r"\bcancel|\bwithdraw|\bcall off",
)
_APPROVE = keywords(
    r"同意|批准|准予|予以批准|签批|核准|准了|(?<!不)通过(?!率)|可以批|能批|批了吧|过了吧|(?<![不没])过吧|放行|"
    r"没问题|准$|^批$|批吧|批一下|给(?:他|她|它|这个)?批了",
    r"\bapprove[ds]?\b|\bgo ahead\b|\blooks? (?:fine|good|ok)\b|\blgtm\b",
)
_APPROVE_WEAK = keywords(r"可以|行|好的|好$|没意见", r"\byes\b|\bok(?:ay)?\b")

# -- services -----------------------------------------------------------------------

FAULT_RE = keywords(
    r"坏|不亮|不热|不冷|不制冷|不制热|不出风|不出水|不出热水|漏水|漏电|滴水|渗水|漏|堵|没电|停电|跳闸|断电|"
    r"不通|断了|断网|蓝屏|黑屏|卡纸|死机|失灵|松了|松动|碎了|破了|裂|掉了|在掉|脱落|异响|噪音|响声|焦糊|糊味|"
    r"冒烟|火花|关不上|关不掉|关不了|关不严|开不了|打不开|开不开|刷不开|打不着|上不了|连不上|登不上|没水|冲不下去|"
    r"没有?热水|没有水|下水(?:很|特别|太|有点)?慢|漏风|不见了|丢了|中毒|病毒|没有?声音?|无声|不出声|没画面|没图像|不显示|花屏|"
    r"爆了|爆管|困人|困在|不工作|故障|不能用|用不了|没反应|没信号|卡住|不转|闪|晃|臭味|返水|积水|"
    r"关不紧|拧不紧|关不住|锁不上|锁不住|合不上|拉不开|推不开|按不动|转不动|打不开|点不着|充不上|开不起来|"
    r"没网|网速?(?:很|太|特别|好|有点|非常)?慢|(?:很|太|特别|好|有点|非常)卡|卡顿|卡死|没墨|缺墨|没粉|缺粉|"
    r"不灵|不好使|不正常|出(?:了)?(?:故障|毛病)|有毛病|异味|漏气|爆胎|没气|亮不了|启动不了|着不了|熄火|抛锚|"
    r"掉漆|起皮|发霉|开裂|变形|歪了|塌了|倒了|不通风|(?:很|太|特别|好|有点|非常|比较)吵|嗡嗡响|不能打|打不出|打不了|上不去|进不去",
    r"\bnot working\b|\bjam(?:med|s)?\b|\bstuck\b|\bclogged\b|\bblocked\b|\bflicker|\bdripping\b|"
    r"\bwon'?t (?:turn|work|start|open|close)|\bcan'?t (?:turn|connect|print|open|close)|\bno (?:power|water|signal|internet)\b|\bbroken\b|\bleak|\bdoesn'?t work|\bout of order\b|\bfaulty\b|\bstopped working\b",
)
_REPAIR_VERB = keywords(
    r"报(?:个|一下|下|一个)?修(?!改)|(?:派|叫|找|请)(?:个|一个|一位|名|位)?(?:电工|水电工|水工|管道工|木工|维修工|修理工|网管)|维修|修理|修一下|修下|来修|修修|师傅过来|派人修|检修一下|(?:帮我|找人|叫人|来人)修",
    r"\brepair|\bfix\b"
)
_FACILITY_NOUN = keywords(
    r"会议室|会议厅|报告厅|礼堂|接待室|会客室|健身房|包间|包厢|雅间|多功能厅|洽谈室|培训室",
    r"meeting room|conference room|reception room|auditorium|\bgym\b|canteen|dining room|private room|"
    r"\b(?:book|reserve)\b.{0,20}\broom\b"
)
# Somebody driven somewhere, said in English without a word for a car: "drive us to …",
# "take the guests to …", "give me a lift".
_EN_CARRY = (r"\bdrive (?:me|us|him|her|them|\w+ of us|our \w+|the \w+)\b|"
             r"\btake (?:me|us|him|her|them|\w+ of us|our \w+|the (?:guests?|visitors?|delegation|team)) (?:to|over|out|back)\b|"
             r"\bgive (?:me|us|him|her|them) a (?:lift|ride)\b|\b(?:a )?lift to\b|"
             r"\b(?:get|bring|send|drop) (?:me|us|him|her|them|\w+ of us|the (?:guests?|visitors?)) (?:to|off at)\b")
_VEHICLE = keywords(
    r"用车|派车|约车|叫车|要车|订车|租车|调车|派个车|约个车|叫个车|要个车|订个车|派辆车|约辆车|要辆车|叫辆车|"
    r"目的地|乘车|出发地|有空?车|空车|安排(?:一辆|个|辆)?车|需要车|用一下车|一辆车|台车|接送|送机|接机|接站|送站|"
    r"商务车|轿车|大巴|中巴|面包车|考斯特|七座|五座|[五七九]座车|\d+座|安排(?:个|一个|一位)?司机|派(?:个|一个)?司机|(?:需要|要|找)(?:个|一个|一位|名)司机",
    r"\bcar\b|\bcab\b|\btaxi\b|\bvehicle\b|\btransport(?:ation)?\b|\bride\b|\bvan\b|\bminibus\b|\bsedan\b|\bmpv\b|\bsuv\b|\bcoach\b|\bairport (?:run|transfer|pick-?up|drop-?off)\b|\bpick (?:me|us|him|her|them) up\b|\bdriver\b|\bshuttle\b|"
    rf"{_EN_CARRY}|"
    r"\bpick up\b.{0,30}\b(?:at|from)\b"
)
# Asking for a car, as opposed to naming one (车坏了 is a fault, not a booking).
_CAR_REQUEST = keywords(
    r"用车|派车|约车|叫车|要车|订车|租车|调车|派个车|约个车|叫个车|要个车|订个车|派辆车|约辆车|要辆车|叫辆车|"
    r"安排(?:一辆|个|辆)?车|需要(?:一辆|个|辆)?车|用一下车|换(?:一辆|个|辆)车|再(?:派|来|安排)|接送|送机|接机|接站|送站|目的地|乘车|出发地",
    r"\b(?:need|get|want|book|arrange|send) (?:a|an|one|two) (?:car|cab|taxi|driver|vehicle|van|minibus|sedan|coach|bus)\b|"
    r"\b(?:need|want|book|arrange|request)(?:ing)? (?:some )?transport(?:ation)?\b|\bpick (?:me|us|him|her|them) up\b|"
    rf"{_EN_CARRY}",
)
_ESCORT = re.compile(r"(?:送|接)[^，,。\s]{1,8}(?:去|到|至|回|前往)|(?:送|接)(?:领导|专家|客人|外宾|来宾|嘉宾|同志|老同志|人|我|我们|他|她|一下)")
# A trip with a time and a destination but no word for a car: "明早7点去浦东机场".
_TRIP = re.compile(
    r"从[^，,。\s]{1,12}(?:出发|去|到|前往|回)|(?:前往|赶往|去|到|至|回)(?:[^，,。\s]{0,10})"
    r"(?:机场|火车站|车站|站|枢纽|码头|政府|医院|法院|检察院|党校|局|委|院|中心|大厦|宾馆|酒店|会堂|馆|广场|公园|大学|学校)"
    r"|(?:去|到|前往)\s*[a-z][a-z' ]{1,30}(?:center|centre|airport|station|hotel|hospital|building|tower|plaza|park|hall)\b"
    r"|[^，,。\s]{2,12}\s*(?:→|->|=>)\s*[^，,。\s]{2,12}"  # a route written with an arrow: 市委→局里
)
# A head count (3人, 两个人, 2位, 俩人): with a time and a place, somebody is going there.
_HEADCOUNT = re.compile(r"(?:\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?:个人|人(?!民)|位(?!置))|俩|仨|"
                        r"(?:我们|咱们|一共|总共|一行)\s*(?:\d{1,3}|[一二两三四五六七八九十]{1,3})\s*个")
_QUESTION = re.compile(r"吗|么|[?？]|是不是|有没有|几点|多少|什么")
_WHO_WHERE = re.compile(r"谁|哪|怎样|怎么样|如何")  # 2601现在在谁那里: about that request
# A question that asks for the service itself ("能不能…", "can someone drive us …?"): its
# question mark is politeness, so the trip rule still reads a trip in it.
_ASK_FOR_SERVICE = keywords(
    r"能不能|能否|可不可以|可否|麻烦|劳驾|(?:能|可以)(?:帮|给|替)(?:我|我们|忙)",
    r"^(?:pls |please )?(?:can|could|would|will) (?:you|someone|somebody|anyone|we|i)\b|"
    r"\b(?:anyone|someone|somebody|anybody) (?:free|available|able)\b|\bis (?:there )?(?:anyone|someone) (?:who )?(?:can|could)\b",
)
# A question about a thing that asks for no service (礼堂能放电影吗, 报告厅能坐多少人,
# 接待室的钥匙在谁那, is the canteen open on Saturday?): unknown, not a booking.
_INFO_QUESTION = keywords(
    r"(?:能|可以|可不可以|让不让|允许)(?!订|约|借|用|预约|预订|预定|申请|派|安排)[^，,。]{0,12}(?:吗|么|[?？])|"
    r"(?:最多|能|可以|可)(?:坐|容纳|装|站|放)(?:下)?(?:几|多少)|"
    r"(?:有没有|有)(?!空)[^，,。]{1,6}(?:吗|么|[?？])|多少|多大|多宽|多长|多高|在几楼|找谁|在谁|是谁|在哪|(?:放|搁|收|丢|落|扔)(?:到|在)?哪(?:里|儿)?了?|几点(?:开|关|下班|上班)|开门|关门|开放|"
    r"是[^，,。]{1,6}的(?:吗|么|[?？])",  # 座位是固定的吗: a property of the thing
    r"^(?:is|are|does|do|can)\b(?!.{0,30}\b(?:book|reserve|need|get|have a)\b)|"
    r"\bopening hours\b|\bwhat time does\b|\bwhen does\b.{0,24}\b(?:open|close)\b",
)
_BOOK_NOW = keywords(
    r"订|约|借|预约|预订|预定|申请|安排|要|想|帮我|需要|用车|派车|用一下|开会|\d+\s*(?:人|位|个人)",
    r"\bbook|\breserve|\bneed\b|\bget\b|\bwant\b",
)
# Fault words that say nothing alone (工牌掉了): a building part or place must go with them.
_WEAK_FAULT = re.compile(r"掉了|在掉|丢了|不见了|闪|晃|卡住|响声")
_NOT_VEHICLE = keywords(r"机票|火车票|高铁票|车票|飞机票|车库|车位|停车|洗车|车牌|班车时间")


# Approvals this bot does not handle, and the words that bring a message back to ours.
_OFF_DOMAIN = re.compile(r"天气|下雨|下雪|气温|外卖|快递|停车位|车位|饭卡|餐卡|月卡|停车卡|停车证|通行证|工牌|门卡|门禁卡|胸卡|补办|工作证|报销|请假|年假|休假|调休|公文|文件(?![柜夹架])|合同|经费|工资|发票|出差|考勤|打卡")
_IN_DOMAIN = re.compile(r"(?<!停)车(?!位)|会议室|报告厅|礼堂|接待室|会客室|健身房|包间|包厢|报修|维修|坏|修")


# A whole message of greeting, thanks or acknowledgement: nothing is asked.
_SMALL_TALK = keywords(
    r"^(?:[您你]好|早上好|上午好|中午好|下午好|晚上好|早安|晚安|早|嗨|哈喽|在吗|在不在|谢谢|多谢|感谢|辛苦了?|收到|好的|嗯|哦|ok)"
    r"(?:[您你]|啊|呀|哈|了|啦|呢|哦|老师|同志|各位)*[\s!！。.,，~～?？]*$",
    r"^(?:good (?:morning|afternoon|evening|night)|hi|hello|hey|thanks?(?: you)?|thx|ty|ok(?:ay)?|got it|cheers)\b[\s!.,?]*"
    r"(?:there|all|everyone|everybody|folks|guys|team)?[\s!.,?]*$",
)
# Whether some other work is done (开会材料打印好了吗, 讲话稿写完了没): none of our requests
# (ours are caught before, by the verbs of `_STATUS_QUESTION`).
_OTHER_WORK_DONE = re.compile(r"[\u4e00-\u9fff](?:好|完)了(?:吗|么|没有?)")

# Telling people something (下午开会别迟到, 记得带材料): a reminder, not a request to us.
_REMINDER = re.compile(r"别(?:迟到|忘|晚了|来晚)|不要(?:迟到|忘)|记得带|提醒(?:大家|一下大家|各位)|通知(?:大家|各位)")


def has_fault(t: str) -> bool:
    """A fault word proper, or a building part together with a trouble (`nlp.faults`)."""
    strong = FAULT_RE.search(_WEAK_FAULT.sub("\x00", t)) if _WEAK_FAULT.search(t) else FAULT_RE.search(t)
    if strong:
        return True
    if faults.thing(t) is None:
        return False
    return bool(faults.has_trouble(t) or _WEAK_FAULT.search(t))


@dataclass(frozen=True, slots=True)
class Verdict:
    """The intent chosen and how sure the rules are (0–1)."""

    intent: Intent
    confidence: float


_REASON_MARK = re.compile(r"理由|原因|因为|\breason\b|\bbecause\b")


def _head(t: str) -> str:
    """The text before a stated reason: a rejection's comment never decides the intent."""
    m = _REASON_MARK.search(t)
    return t[: m.start()] if m else t


def request_words(t: str) -> tuple[bool, bool]:
    """Whether normalised text `t` (asks about, decides on) an existing request: a number
    it gives is then more likely a request number than a room."""
    head = _head(t)
    asking = bool(_STATUS_STRONG.search(head) or _STATUS_WEAK.search(head))
    deciding = asking or bool(REJECT_RE.search(head) or _CANCEL.search(head) or _APPROVE.search(head))
    return asking, deciding


def classify(t: str, tokens: Callable[[], Sequence[str]], has_no: bool, timed: bool = False,
             trip: Callable[[], bool] = lambda: False, booked_room: bool = False,
             place: Callable[[], bool] = lambda: False) -> Verdict:
    """Choose the intent of normalised text `t`.

    `tokens()` gives its jieba segmentation, asked for only when a word's
    boundaries decide (车 alone is a car; 车库, 车位, 停车 are not).
    `timed`: the text names a day or a clock time; `trip`: it sends someone to a place;
    `booked_room`: a bare number follows a booking verb (订301: a room); `place()`: a
    clause of the text is a place name alone ("周二上午九点 区档案馆 三人").
    """
    if not any(c.isalnum() for c in t):
        return Verdict(Intent.UNKNOWN, 0.9)
    head = _head(assets.mask_tags(t))  # "资产编号 A-2019-0032" asks about no request
    fault = has_fault(t)

    if _OFF_DOMAIN.search(head) and not has_no and not (_IN_DOMAIN.search(t) or fault or assets.kind(t)):
        return Verdict(Intent.UNKNOWN, 0.6)  # 报销批了没, 请假怎么请: another office's business
    if _STATUS_STRONG.search(head) and not (fault and not has_no and _REPAIR_VERB.search(t)):
        return Verdict(Intent.APPROVAL_STATUS, 0.85)
    asked = _STATUS_QUESTION.search(head) or (_STATUS_BARE.search(head) and not _CANCEL.search(head))
    if asked and (has_no or _PAST_REF.search(head) or len(head) <= 12 or not _BOOK_NOW.search(head)):
        return Verdict(Intent.APPROVAL_STATUS, 0.8)
    if not fault and (_WHICH.search(head) and _PAST_REF.search(head)
                      or _WHERE_WHEN.search(head) and _BOOKED_REF.search(head)):
        return Verdict(Intent.APPROVAL_STATUS, 0.7)
    if _HELP.search(head) and not has_no:
        return Verdict(Intent.HELP, 0.85)
    if REJECT_RE.search(head) or has_no and _DECIDED_LAST.search(t):
        return Verdict(Intent.REJECT, 0.9)
    if _CANCEL.search(head) and not has_no and assets.kind(t) == "transfer":
        return Verdict(Intent.ASSET_REQUEST, 0.8)  # 那台投影仪我们不用了，想调给办公室: moved, not cancelled
    if _CANCEL.search(head):
        return Verdict(Intent.CANCEL, 0.9)
    if REJECT_WEAK_RE.search(head) and has_no and len(head) <= 20:
        return Verdict(Intent.REJECT, 0.6)
    if _APPROVE.search(head):
        return Verdict(Intent.APPROVE, 0.9)
    if _APPROVE_WEAK.search(head) and has_no and len(head) <= 14 and not _FACILITY_NOUN.search(t):
        return Verdict(Intent.APPROVE, 0.6)
    if _STATUS_WEAK.search(head) and not fault:
        return Verdict(Intent.APPROVAL_STATUS, 0.7)
    if not fault and not has_no and _INFO_QUESTION.search(head) and not _BOOK_NOW.search(head) \
            and not _VEHICLE.search(t):
        return Verdict(Intent.UNKNOWN, 0.6)

    # 领两台笔记本电脑, 把投影仪调给财务处, 报废旧打印机: a fault is a repair unless written off
    asset = assets.kind(t)
    if asset == "requisition" and (timed and _FACILITY_NOUN.search(t) or _CAR_REQUEST.search(t)):
        asset = None  # 明天下午订301会议室，要投影仪: the room's equipment, not a 领用
    if asset in ("disposal", "transfer") or (asset and not fault and not _REPAIR_VERB.search(t)):
        return Verdict(Intent.ASSET_REQUEST, 0.85)

    repair = (2.0 if fault else 0.0) + (2.0 if _REPAIR_VERB.search(t) else 0.0)
    facility = 2.0 if _FACILITY_NOUN.search(t) else 0.0
    vehicle = 0.0
    if _VEHICLE.search(t):
        vehicle += 3.0
    elif "车" in t and any(w in ("车", "车辆", "车子") for w in tokens()):
        vehicle += 2.5
    if _ESCORT.search(t):
        vehicle += 2.0
    if vehicle < 2.0 and timed and not (_QUESTION.search(t) and not _ASK_FOR_SERVICE.search(t)) and (
            _TRIP.search(t) or trip() or (facility == 0.0 and _HEADCOUNT.search(t) and place())):
        vehicle += 2.0
    if _NOT_VEHICLE.search(t):
        vehicle -= 3.0
    if fault and vehicle > 0 and not _CAR_REQUEST.search(t) and not _ESCORT.search(t):
        vehicle = 0.0  # 车坏了, 公务车刹车有异响: a fault of the car, not a booking
    if repair >= 2.0 and repair >= vehicle:
        return Verdict(Intent.REPAIR_REQUEST, min(0.95, 0.5 + repair / 8))
    best = max(vehicle, facility)
    if best >= 2.0:
        if vehicle >= facility:
            return Verdict(Intent.VEHICLE_BOOKING, min(0.95, 0.5 + vehicle / 8))
        return Verdict(Intent.FACILITY_RESERVATION, min(0.95, 0.5 + facility / 8))
    if booked_room:
        return Verdict(Intent.FACILITY_RESERVATION, 0.6)  # 下周一订301
    if has_no and (len(re.sub(r"#?\s*\d+|\s", "", head)) <= 4 or _QUESTION.search(head) or _WHO_WHERE.search(head)):
        # a bare request number, or a question about one: where is it
        return Verdict(Intent.APPROVAL_STATUS, 0.5)
    if _SMALL_TALK.search(head) or _OTHER_WORK_DONE.search(head) or _REMINDER.search(head) \
            or _QUESTION.search(head) and not _ASK_FOR_SERVICE.search(head):
        # sure it is none of ours (a greeting, a reminder, a question asking for nothing the
        # rules know): no second opinion from `nlp.intent_model`
        return Verdict(Intent.UNKNOWN, 0.6)
    return Verdict(Intent.UNKNOWN, 0.4)  # nothing matched: `nlp.intent_model` is asked


CANCEL_RE = _CANCEL
"""The cancel words: the correction rule blanks them in the part a message takes back."""


# -- crew commands (drivers, repair workers, dispatchers) ---------------------------
# Short commands of the people who do the work. They are tried before everything else
# but match only the whole message, once its request number, odometer reading, costs and
# note are blanked out (`nlp.crewreport.crew_parts`): "收到，谢谢" or "后天出发" stay what they were.

_CREW_TASKS = re.compile(
    r"^(?:请问)?(?:查看?|看看|看一下|查一下)?我?(?:今天|明天|后天|今日|明日|这周|本周|近期|最近)?的?"
    r"(?:有(?:什么|哪些|啥|几个))?(?:出车|派车|维修|派工)?(?:任务|工单)(?:列表|清单|安排)?"
    r"(?:有哪些|有什么|有啥|呢|吗)?$|"
    r"^(?:查看?|看看)?(?:待派工|待派单|未派工|没派工)的?(?:报修|工单|单子)?(?:有哪些|有什么|列表)?$"
)
_CREW_ACK = re.compile(r"^(?:好的?)?(?:收到|已收到|收到了|接单|已接单|我接单|确认接单|接了|我接了)(?:了|啦)?$")
_CREW_START = re.compile(
    r"^(?:已|我)?(?:出发|开始出车|出车|发车|开始行程|开始|开工|开始干活|上路)(?:了|啦)?$"
)
_CREW_FINISH = re.compile(
    r"^(?:已|我)?(?:到达|到了|结束|行程结束|出车结束|收车|还车|已还车|回来了|返回|回到局里|送到了?|"
    r"完成|任务完成|完工|已经?修好了?|修好了|维修完成|搞定了?|处理好了)(?:了|啦)?$"
)
_CREW_PARTS = re.compile(r"待料|缺料|等料|等配件|缺配件|等零件|缺零件|等备件|缺备件")
_CREW_DISPATCH = re.compile(r"^(?:把)?(?:这个|这单|这一单|它)?(?:派给|派工给|指派给|分派给|交给)\x01(?:去修|维修|处理|吧)?$")
_CREW_QUESTION = re.compile(r"吗|么|[?？]|没有?$|了没|是不是|有没有")


def crew_intent(rest: str, whole: str) -> Intent | None:
    """The crew command that `rest` is, or None. `rest` is the normalised message `whole`
    with its request number, readings, costs, note and worker name taken out and its
    spaces and punctuation dropped (`nlp.crewreport.crew_parts`); a question is none."""
    if _CREW_TASKS.search(rest):
        return Intent.CREW_TASKS
    if _CREW_QUESTION.search(whole):
        return None
    if _CREW_PARTS.search(rest) and len(rest) <= 12:
        return Intent.CREW_PARTS
    if _CREW_DISPATCH.search(rest):
        return Intent.CREW_DISPATCH
    for pattern, intent in ((_CREW_ACK, Intent.CREW_ACK), (_CREW_START, Intent.CREW_START),
                            (_CREW_FINISH, Intent.CREW_FINISH)):
        if pattern.search(rest):
            return intent
    return None


gate_all(globals())  # every pattern above behind its first-character gate (nlp/keywords.py)
