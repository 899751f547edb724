"""A thing + trouble detector for repairs (an NLU component of its own).

People rarely say "坏了" or "报修": they say what is wrong with what ("水龙头关不
上", "灯管一闪一闪", "抽屉拉不出来"). A repair is a *thing* of the building (from
a lexicon of parts, each with its trade) together with a *trouble*: either one of
a few shapes that describe any malfunction — the potential complement "V不C"
(关不上, 合不拢, 升不上去, 冲不干净), "没(有)+what it should give" (没反应, 没有
拨号音), "一直/不停+verb" (一直响, 不停地叫), a reduplicated symptom (一闪一闪,
嗡嗡, 滴滴), a sensory symptom (怪味, 烧焦, 冰凉, 浑) — or a fault word proper
(坏, 漏, 堵 …, `intents.FAULT_RE`). The category follows the thing (tap →
plumbing, lamp → electrical, window → other); a water fault on a part of the
building itself (天花板渗水) is plumbing.

Shapes rather than sentences: each pattern covers a family of verbs and
complements, so a new way of saying "it does not close" needs no new rule.
"""

from __future__ import annotations

import re
from typing import Protocol

from nlp.keywords import gate_all

# Building parts and appliances, by trade. Longer names first inside each trade.
THINGS: tuple[tuple[str, str], ...] = (
    ("hvac", r"空调|冷气|暖风机|取暖器|电暖器|电暖气|暖风|暖气片|暖气|新风机|新风|风机盘管|风机|出风口|风口|排风扇|排气扇|换气扇|除湿机|抽湿机|加湿器|地暖|"
             r"排烟机|油烟机|排烟|"
             r"\bac\b|\ba/c\b|air ?con\w*|\bheater\b|\bheating\b|\bradiator\b|ventilation|\bfan\b"),
    ("it", r"打印机|印表机|复印机|影印机|扫描仪|一体机|电脑|笔记本|主机|显示器|萤幕|屏幕|大屏|电视机|电视|显示屏|电子屏|键盘|鼠标|投影仪|投影|幕布|"
           r"网络|网线|内网|外网|wifi|无线|网速|网|交换机|路由器|电话机|电话|座机|传真机|传真|音响|话筒|麦克风|音箱|"
           r"叫号机|排队机|自助机|触摸屏|考勤机|摄像头|监控|系统|软件|u盘|\bprinter\b|\bcopier\b|\bcomputers?\b|\bpc\b|\blaptop\b|\bnetwork\b|"
           r"\binternet\b|\bwi-?fi\b|\bmonitor\b|\bprojector\b|\bscreen\b|\bphone\b|\bkeyboard\b|\bmouse\b"),
    ("plumbing", r"水龙头|龙头|水管|水阀|冲水阀|冲水|下水道|下水|排水|马桶|坐便|蹲坑|蹲厕|蹲便|便池|小便池|洗手池|洗手盆|"
                 r"洗脸盆|洗碗池|洗菜池|水池|水槽|地漏|淋浴喷头|喷头|排水泵|潜水泵|水泵|热水器|饮水机|净水器|开水器|花洒|淋浴|水箱|水表|管道|暖水|"
                 r"\btaps?\b|\bfaucet\b|\btoilets?\b|\bpipes?\b|\bsinks?\b|\bdrain\b|\bshower\b|\bwater heater\b"),
    ("electrical", r"日光灯|灯管|灯泡|吊灯|筒灯|射灯|感应灯|路灯|应急灯|台灯|灯|烘手机|干手器|插座|插头|插排|排插|开关|电线|线路|电路|"
                   r"配电箱|配电柜|配电|电闸|电表|电箱|电源|不间断电源|ups|\blights?\b|\blamps?\b|\bbulbs?\b|\bsockets?\b|"
                   r"\boutlets?\b|\bpower\b|\bswitch(?:es)?\b"),
    ("furniture", r"办公桌|会议桌|桌子|桌腿|桌|抽屉|文件柜|档案柜|保密柜|铁皮柜|更衣柜|储物柜|书柜|展柜|陈列柜|柜子|柜门|衣柜|书架|货架|沙发|茶几|椅子|座椅|转椅|椅|"
                  r"靠背|扶手|床|\bchairs?\b|\bdesks?\b|\btables?\b|\bcabinets?\b|\bdrawers?\b|\bsofa\b|\bshel(?:f|ves)\b"),
    ("other", r"电梯|跑步机|健身器材|动感单车|碎纸机|冰箱|冰柜|微波炉|消毒柜|道闸|闸机|升降杆|栏杆机|自动门|卷帘门|门把手|把手|门锁|锁|门禁(?!卡)|门(?![口前外卫厅岗卡票牌证禁])|窗户|窗帘|百叶窗|窗|玻璃|天花板|吊顶|顶棚|屋顶|墙皮|墙面|墙壁|"
              r"墙角|墙|地板|地砖|瓷砖|地面|楼梯|台阶|扶梯|栏杆|护栏|水泥|\belevator\b|\blifts?\b|\bwindows?\b|"
              r"\bfridge\b|\brefrigerator\b|\bmicrowave\b|\bshredder\b|"
              r"\bdoors?\b|\blocks?\b|\bceiling\b|\bwalls?\b|\bfloor tiles?\b|\bcurtains?\b|\bblinds\b"),
)


def _things_re() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The lexicon as two patterns, Chinese and English. The Chinese one opens with a
    look-ahead on the first characters of its words: `re` then skips most positions at
    once instead of trying every word there (a sixth of the time on typical messages)."""
    zh: list[str] = []
    en: list[str] = []
    firsts: set[str] = set()
    for cat, pat in THINGS:
        words = pat.split("|")
        z = [w for w in words if not w.isascii() and "\\" not in w]
        e = [w for w in words if w not in z]
        firsts.update(w[0] for w in z)
        zh.append(f"(?P<{cat}>{'|'.join(z)})")
        en.append(f"(?P<{cat}>{'|'.join(e)})")
    head = "".join(sorted(firsts))
    return re.compile(f"(?=[{head}])(?:{'|'.join(zh)})"), re.compile("|".join(en), re.ASCII)


_THING_ZH, _THING_EN = _things_re()
_LATIN = re.compile(r"[a-z]")

# How much: 很差, 太低, 特别小.
_DEGREE = r"(?:很|太|特别|非常|比较|有点|有些|好|极|超|越来越|越发)"

# Malfunctions said through their shape (see the module docstring).
TROUBLE_RE = re.compile(
    # V不C: it does not reach the state it should (关不上, 拉不出来, 冲不干净, 下不去)
    r"[\u4e00-\u9fff]不(?:上来|下来|出来|进去|下去|上去|起来|过来|回去|干净|上|下|开|动|了|住|紧|严|拢|出|进|着|亮|掉|停|灵|响|去|来)"
    # V得 + how badly (转得特别响, 吵得厉害, 冷得不行)
    r"|得(?:特别|很|太|好|非常|有点|厉害)?(?:响|吵|慢|烫|厉害|要命|不行|受不了)|(?:特别|很|太|好|非常)(?:响|吵)"
    # a judgement of how well it works (效果很差, 信号太差, 画面不清楚, 声音很小, 水压太低):
    # said of a thing, it is a complaint about that thing
    rf"|{_DEGREE}差(?!不多|点|一|旅|价|额|距|异|别|遣|事)|差劲|"
    rf"(?:效果|质量|画面|画质|音质|声音|信号|网络|制冷|制热|水压|吸力|性能)(?:{_DEGREE})?(?:不好|不行|不太好|一般般?)"
    rf"|(?:声音|音量|水压|水流|水量|出水|风力|风量|出风|风|火力|吸力|亮度|信号)(?:{_DEGREE})?(?:小|弱|低)(?!于)|温度(?:{_DEGREE})?(?:低|高)(?!于)"
    r"|模模糊糊|模糊|不清楚|不清晰|看不清|听不清|听不见|发(?:白|灰|黑|紫|绿|蓝)|发红(?!包)|偏色|色差|颜色不对"
    # it stopped (除湿机停了, 电梯停转了): said of a thing only
    r"|(?<![暂叫])停(?:了|掉了|转了|摆了|机了)"
    # no longer gives what it should
    r"|没(?:有)?(?:反应|反映|用|声音?|动静|信号|画面|图像|图|网|水|电|热水|冷风|热风|风|拨号音|音|光)"
    r"|不(?:管用|好使|顶用|灵|转|动|亮|热|凉|冷|够凉|够热|出水|出风|出热水|工作|运转|显示|制冷|制热|通|"
    r"加热|吹风|出纸|充电|启动|开机|打印|排水|通电|来电|出声|识别|感应|抽风|抽水|上水|进水|出气|升|降)"
    # it no longer does by itself what it should (感应门不会自动开了)
    r"|不会(?:自动)?(?:开|关|亮|转|动|停|响|出|感应)"
    # what comes out of it is not what should (出来的水是凉的, 吹的风是热的), it swallows
    # the paper (吞纸, 夹纸, 不进纸), it stops half-way (停在半路, 卡在中间)
    r"|(?:出来的|出的|吹出来的|吹的|流出来的|放出来的)(?:水|风|气)?(?:是|都是|全是|还是)?(?:凉|冷|冰|热|烫|温)(?:的|水|风)"
    r"|(?:有|出现|印出|全是|都是|打出来(?:的)?(?:都是|全是|是|有)?|印出来(?:的)?(?:都是|全是|是|有)?)(?:黑道|黑线|黑条|白道|白线|条纹|道子|黑点|污点|斑点)|吞纸|夹纸|不进纸|不走纸|(?:停|卡|悬)在(?:半路|半中间|中间|半空|两层)"
    # too loud, too dim, a hum on the line
    r"|(?:声音|噪音|噪声|动静|响声)(?:特别|很|太|好|非常|有点|比较)?大|电流声|杂音|啸叫|"
    r"(?:有点|很|太|特别|变|发)暗|不太亮|不够亮|返臭|反味|返味|冒过?(?:火星|火花|烟)|火星"
    # it keeps doing something it should not
    r"|(?:一直|总是|老是|不停地?|不断地?|经常|动不动就?|时不时)(?:在)?(?:响|叫|闪|亮|滴|跳|漏|流|重启|关机|报警|报错|提示|掉线|断|卡|转|晃|抖|滴水|冒|停|吞|夹|出错|死机)"
    r"|(?:一|就)(?:插|开|按|用|碰|关)[^，,。；;！!？?]{0,3}就(?:跳|断|灭|停|响|冒|漏|死机|关机|重启)"
    r"|一[\u4e00-\u9fff]{1,2}就(?:跳闸|跳|断|灭|停|响|冒|漏|死机|关机|重启|卡)"
    # reduplicated or sensory symptoms
    # a sound said twice (吱呀吱呀响, 咔咔地响), hard to work (关起来很费劲), a crack (有条缝)
    r"|(?P<onom>[\u4e00-\u9fff]{1,2})(?P=onom)(?:地|的)?(?:响|叫)|刺耳|回声|回音|失真|破音"
    r"|(?:关|开|拉|推|锁|拧|转)(?:起来|着)?(?:很|特别|太|非常|有点)?(?:费劲|吃力|费力)"
    r"|有(?:一)?(?:条|道|个|些)?(?:裂缝|裂纹|裂口|缝|口子|窟窿|洞)"
    r"|一闪一闪|忽明忽暗|闪个不停|闪烁|一明一暗|嗡嗡|滋滋|咔咔|哗哗|滴滴|吱吱|轰轰|"
    r"怪味|异味|臭味|焦味|烧焦|糊味|焦糊|冒烟|冒火|冒火花|打火|发烫|烫手|冰凉|冰冷|浑|有杂质|发黄|"
    r"(?:是|发|偏|全是|都是)(?:蓝|黄|红|绿|紫)(?:的|色)|雪花|花屏|重影|残影|鬼影|噪点|重启|自动关机|掉线|断线|断开了|时有时无|时好时坏|时断时续|断断续续|"
    r"翘起|翘了|起翘|鼓包|掉下来|掉了|松脱|脱落|歪了|倒了|塌|裂|断了|弯了|变形|卡住|卡着|卡死|失灵|报警|"
    r"只(?:吹|出|有|冒|放)(?:凉|冷|热|温)(?:风|水|气)|只出凉水|只有凉水|出凉水|水不热|不够凉|漏雨|进水|"
    # gone dark or burnt out (全灭了, 黑着, 烧了), overflowing (溢出来), slow (很慢), blank output
    r"(?:全|都|突然)?(?:灭了|熄了|黑了)|全黑|一片黑|漆黑|黑着|烧(?:了|坏|掉|断|糊)|溢(?:出|水)|漫出|(?:很|太|特别|好|有点|非常|超)慢|"
    r"(?:全是|都是|全部是)(?:白纸|空白|乱码|黑的|花的)|乱码|"
    # no reaction at all (一点反应都没有), cold to the touch (摸着是凉的)
    r"(?:反应|动静|声音|信号)(?:都|也)?没有?|(?:摸着|摸上去|摸起来)(?:是|还是|都是)?(?:凉|冷|冰|烫)|"
    r"(?:老|总)(?:是)?(?:卡|掉线|断|死机|重启|跳闸|报错)"
    # English
    r"|\bwon'?t (?:stop|turn|work|start|open|close|flush|drain|lock|print|connect|boot|power|charge|load|respond|switch)|\bkeeps? (?:\w+ing)\b|"
    r"\bnot (?:cooling|heating|working|flushing|draining|printing|responding|turning on)\b|\bflicker\w*|\bbroken\b|"
    r"\bleak\w*|\bjam(?:med)?\b|\bclogged\b|\bstuck\b|\bdead\b|\bno (?:power|water|signal|sound|internet|picture)\b|"
    r"\bdoesn'?t (?:work|close|open|flush|turn)|\bis (?:noisy|loud|dripping|smoking)\b|"
    # a noise or a smell it makes, or how badly it works
    r"\bmak(?:es?|ing) (?:an? )?(?:\w+ )?(?:noises?|sounds?)\b|\b(?:weird|strange|funny|loud|burning|bad) (?:noises?|sounds?|smells?)\b|"
    r"\bsmells?\b|\bnoisy\b|\bnot (?:cold|cool|hot|warm)(?:ing)?(?: enough)?\b|\bice[- ]cold\b|\bfreezing\b|\b(?:is|are) out\b|\b(?:went|gone|goes) out\b|\bkeeps? dropping\b|\b(?:very|really|too|so) (?:poor|weak|dim|quiet|cold|hot|blurry)\b|\bblurry\b"
)
# A water fault on a part of the building itself (天花板渗水, 墙面滴水) is a plumber's job.
_WATER_FAULT = re.compile(r"漏水|渗水|滴水|积水|返水|冒水|水漫|往下滴|\bleaking water\b")


def thing(n: str) -> tuple[str, int, int] | None:
    """The first building part or appliance named in normalised `n`: (trade, start, end)."""
    m = _THING_ZH.search(n)
    if m is None and _LATIN.search(n):
        m = _THING_EN.search(n)
    if m is None or m.lastgroup is None:
        return None
    return m.lastgroup, m.start(), m.end()


def has_trouble(n: str) -> bool:
    """Whether normalised `n` describes a malfunction by its shape (see TROUBLE_RE)."""
    return TROUBLE_RE.search(n) is not None


# Between two things: the second stands on or in the first (桌上的电脑, 电梯里的灯).
_ON_OR_IN = re.compile(r"(?:上|里|下|旁|旁边|边上|上面|里面|下面|顶上|内|中|前|后|对面)(?:的|面的)?(?=$)")


class _Searcher(Protocol):
    def search(self, t: str) -> re.Match[str] | None: ...


def _head_thing(n: str, fault_words: _Searcher | None) -> tuple[str, int, int] | None:
    """The thing the trouble is said of: of the things named before the first trouble
    (a fault word or a shape), the last one placed *on or in* the one before it ("桌上的
    电脑黑屏" is the computer, "电梯里的灯不亮" the lamp). Otherwise the first names the
    thing and the others its parts, of the first's trade (茶几玻璃, 书柜的玻璃门, 交换机
    指示灯, 电脑按电源键没反应). With no trouble found, the first thing named."""
    first = thing(n)
    if first is None:
        return None
    cut = _trouble_start(n, fault_words)
    if cut is None or cut <= first[2]:
        return first
    best = first
    pos = first[2]
    while pos < cut:
        m = _THING_ZH.search(n, pos)
        if m is None and _LATIN.search(n):
            m = _THING_EN.search(n, pos)
        if m is None or m.lastgroup is None or m.start() >= cut:
            break
        if _ON_OR_IN.match(n, pos, m.start()):
            best = (m.lastgroup, m.start(), m.end())
        pos = m.end()
    return best


def _trouble_start(n: str, fault_words: _Searcher | None) -> int | None:
    """Where the first trouble (a shape, or one of `fault_words`) starts, if any."""
    starts: list[int] = []
    m = TROUBLE_RE.search(n)
    if m is not None:
        # the V of "V不C" may be the thing's own last character (灯不亮): the trouble is 不亮
        starts.append(m.start() + 1 if m.group(0)[1:2] == "不" and m.group(0)[0] != "不" else m.start())
    f = fault_words.search(n) if fault_words is not None else None
    if f is not None:
        starts.append(f.start())
    return min(starts) if starts else None


def category(n: str, fault_words: _Searcher | None = None) -> str | None:
    """The trade of the thing the trouble is said of, water faults on the building going
    to plumbing. `fault_words`: the fault words proper (`intents.FAULT_RE`), which also
    mark where the trouble starts."""
    t = _head_thing(n, fault_words)
    if t is None:
        return "plumbing" if _WATER_FAULT.search(n) else None
    if t[0] == "other" and _WATER_FAULT.search(n):
        return "plumbing"
    return t[0]


gate_all(globals())  # every pattern above behind its first-character gate (nlp/keywords.py)
