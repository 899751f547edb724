"""Slot extraction (third NLU component): everything but the time slots.

Works on the normalised text with the time expressions blanked out (so "到5点"
is never a destination and "3号" never a passenger count), and cuts text slots
from the user's own characters (CONTRACT §6: the shortest span without 去/到/在).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from nlp.keywords import gate_all
from nlp.people import N
from nlp.people import people as people  # re-exported: the head count is a slot

MASK = "\x00"
"""Stands in for a blanked time expression: a separator no rule matches."""

_SEP = r"，,。；;：:！!？?、\s\x00()（）\[\]【】\"'“”‘’/|~～\-—–>→"

# ---- request numbers ------------------------------------------------------------------
_REQ_HASH = re.compile(r"#\s*(\d{1,9})")
_ROOM_WORDS_AFTER = r"会议室|会议厅|接待室|会客室|报告厅|包间|包厢|办公室|教室|机房|房间|号房|号室|房|室|号楼|楼|栋|幢|层"
_REQ_BARE = re.compile(
    r"(?<![\d.:/a-z])(\d{3,9})(?![\d.]|:\d|\s*(?:"
    + _ROOM_WORDS_AFTER
    + r"|人(?!数|员)|个|位|名|点|年|元|块|月|日|分|米|平|%|am|pm))"
)
# A number right after a building, floor or room word is a room: 行政楼1203, 3号楼502, 会议室301.
_ROOM_BEFORE = re.compile(
    r"(?:楼|栋|幢|座|层|室|房间|会议厅|接待室|会客室|包间|包厢|办公室|\broom|\brm|\boffice|\bsuite)\s*#?\s*$"
)
# A number right after a booking verb is what is booked (订301), after a choice or a
# place word what is chosen or where (那就301吧, 换成302, 在1203).
_BOOK_VERB = r"(?:(?<![确一决规固指])定|(?<![大])约|订|预约|预订|预定|借|借用|\bbook|\breserve)"
_BOOK_BEFORE = re.compile(rf"{_BOOK_VERB}(?:一下|下|个|用)?\s*$")
# ...also before a building or floor: 预约5楼502
_BOOK_NEAR = re.compile(rf"{_BOOK_VERB}(?:一下|下|个|用)?[^，,。；;！!？?\s\x00]{{0,6}}$")
# The booking itself taken back (取消预约2630, 撤销申请1216): the verb names the request.
_TAKEN_BOOKING = re.compile(rf"(?:取消|撤销|撤回|作废|删除|删掉|退掉)(?:我的|这个|那个)?{_BOOK_VERB}(?:一下|下|个|用)?\s*$")
_PICK_BEFORE = re.compile(r"(?:就|选|选择|挑|换|换成|换到|改成|改到|改为|用|要|在|去|到|来)(?:一下|下|个)?\s*$")

# ---- people (nlp.people) and the count as written, for the location patterns below -----
_N = N


# ---- facilities -----------------------------------------------------------------------
_FACILITY_TYPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"会议室|会议厅|洽谈室|培训室|meeting room|conference room|board ?room"), "meeting_room"),
    (re.compile(r"报告厅|礼堂|多功能厅|auditorium|lecture hall|\bhall\b"), "auditorium"),
    (re.compile(r"接待室|会客室|reception room|\breception\b"), "reception_room"),
    (re.compile(r"健身房|健身室|\bgym\b|fitness"), "gym"),
    (re.compile(r"包间|包厢|雅间|canteen|dining room|private room"), "canteen_room"),
)
_ROOM_WORDS = r"会议室|会议厅|接待室|会客室|报告厅|礼堂|包间|包厢|健身房|多功能厅|洽谈室|培训室"
_FACILITY_NAME = re.compile(
    rf"(?:第[一二三四五六七八九十\d]{{1,3}}|(?<![\da-z])[a-z]?\d{{1,4}}[a-z]?号?|(?<![\d号楼层])[一二三四五六七八九十]{{1,3}}号)"
    rf"\s*(?:{_ROOM_WORDS})"
    rf"|\b(?:room|meeting room|conference room)\s*#?\s*[a-z]?\d{{1,4}}\b|(?:贵宾|vip)\s*(?:{_ROOM_WORDS})"
    # 会议室301, 接待室2号: the room word first
    rf"|(?:{_ROOM_WORDS})\s*[a-z]?\d{{1,4}}(?![\d.:])[a-z]?(?:号|室)?(?!\s*(?:人|个|位|名|点|号|楼|层|:|：|分|年|月|日))"
)

# ---- repair ---------------------------------------------------------------------------
_CATEGORY_OBJECTS: tuple[tuple[str, str], ...] = (
    ("furniture", r"茶几|文件柜|书柜|柜子|柜门|抽屉|椅子|座椅|椅|桌子|桌|沙发|床|衣柜|书架|\bchairs?\b|\bdesks?\b|\btables?\b|\bcabinet"),
    ("hvac", r"空调|暖气|新风|风机|风口|地暖|通风|排风扇|\bac\b|air ?con|heating|\bheater\b|ventilation"),
    ("it", r"打印机|印表机|复印机|扫描仪|电脑|笔记本|主机|显示器|屏幕|键盘|鼠标|投影|网络|网线|内网|外网|wifi|无线|网|交换机|路由器|"
           r"电话|传真|音响|话筒|麦克风|系统|软件|\bprinter\b|\bcomputers?\b|\bpc\b|\blaptop\b|\bnetwork\b|\binternet\b|\bmonitor\b|\bprojector\b"),
    ("plumbing", r"饮水机|净水器|热水|水龙头|水管|排水|下水|马桶|便池|小便池|蹲坑|洗手池|水池|水槽|地漏|管道|热水器|冲水|滴水|漏水|渗水|没水|堵|"
                 r"\btaps?\b|\bfaucet\b|\btoilet\b|\bpipes?\b|\bsink\b|\bleak"),
    ("electrical", r"灯|插座|开关|电线|线路|电路|配电|电闸|跳闸|停电|没电|断电|漏电|焦糊|糊味|烧焦|焦味|冒烟|火花|\blights?\b|\blamp\b|"
                   r"\bsocket\b|\boutlet\b|\bpower\b|\bswitch\b"),
    ("other", r"电梯|墙皮|墙面|墙|顶棚|天花板|吊顶|窗户|窗|玻璃|门锁|门|地板|瓷砖|屋顶|楼梯|水泥|\belevator\b|\blift\b|\bwindows?\b|\bdoor\b"),
)
_CATEGORY_RE = re.compile("|".join(f"(?P<{cat}>{pat})" for cat, pat in _CATEGORY_OBJECTS))
# hvac words that name a fault without an object ("不制冷")
_HVAC_FAULT = re.compile(r"不制冷|不制热|不出风|吹冷风|吹热风")

_LOC_NOUNS = (
    "地下车库 地下室 半地下室 车库 停车场 地下停车场 办公室 大办公室 小办公室 会议室 接待室 会客室 报告厅 礼堂 大礼堂 健身房 更衣室 淋浴间 "
    "食堂 餐厅 包间 厨房 后厨 洗碗间 茶水间 开水间 卫生间 洗手间 厕所 男厕所 女厕所 男厕 女厕 男卫生间 女卫生间 男卫 女卫 "
    "走廊 过道 楼道 楼梯间 楼梯口 大厅 门厅 大堂 前台 门卫室 门岗 传达室 值班室 机房 弱电间 配电间 配电房 配电室 "
    "档案库 书库 机要室 消防水泵房 消防控制室 水泵房 泵房 设备间 设备房 设备层 弱电井 强电井 管道井 锅炉房 仓库 库房 档案室 资料室 阅览室 活动室 多功能厅 培训室 洽谈室 打印室 文印室 财务室 局长室 "
    "会场 电梯厅 电梯间 院子 大院 天台 楼顶 宿舍 值班室 监控室 消控室 储藏室 杂物间 办公区 大门 门口 花园 "
    "车棚 信访室 收发室 医务室 荣誉室 展厅 科室"
).split()
_LOC_NOUN_RE = "|".join(sorted(set(_LOC_NOUNS), key=len, reverse=True))
_LOC_PART = (
    rf"(?:{_N}\s*号?\s*(?:楼|栋|幢|座|号楼)(?![道梯])"  # 3号楼, 三楼
    # floors below ground (地下二层, 负1楼, -1层, B1, b2层) and areas (B区, 3区, 东区)
    rf"|{_N}\s*层|地下(?!室)(?:{_N}\s*[层楼]?|[层楼])?|负\s*{_N}\s*[层楼]|(?<![\d a-z])-\s*\d\s*[层楼]|[bB]\d(?:\s*[层楼])?"
    rf"|(?<![a-z])[a-z]\d?\s*区|\d{{1,2}}\s*区(?=\s*{_N}?\s*[层楼号栋座幢])"
    rf"|(?:行政|综合|办公|机关|科技|后勤|档案|服务|业务|主|副|新|老|东|西|南|北|前|后|[a-z])\s*(?:楼|座|栋)(?![道梯上下])"
    rf"|(?:东|西|南|北|中|东南|东北|西南|西北)(?:侧|边|面|头|区)|(?:左|右)(?:侧|边)"
    rf"|[a-z]?\d{{3,4}}\s*(?:室|房间|房|号房|办公室)?(?![\d人个位名点号年元块月日分楼层])"
    rf"|\d{{1,2}}\s*(?:室|号房)"
    rf"|(?:第[一二三四五六七八九十\d]{{1,3}}|\d{{1,3}}号)?(?:大|小|男|女|整个)?(?:{_LOC_NOUN_RE}|%EXTRA%)"
    rf"|(?<![我你他她咱])(?!我们|咱们|你们|他们)[\u4e00-\u9fff]{{1,4}}?(?:科|处(?!理)|办(?![公理事法])|中心|大队|支队)(?=$|[{_SEP}的都也全里])"
    rf"|(?<![我你他她咱本])[\u4e00-\u9fff]{{2}}(?<!会议|接待|会客|洽谈|培训|办公)室(?=$|[{_SEP}的都也里])"  # 保密室, 机要室: any room said with 室
    rf"|^(?![我你他她咱本])[\u4e00-\u9fff]{{1,3}}?(?:科|处)(?![理长室])"  # 财务处保险柜…: an office opening the message
    rf")"
)
_EN_LOC = re.compile(
    r"\b(?:(?:building|bldg|block|tower)\s*[a-z0-9]{1,3}\s*,?\s*)?(?:(?:floor|fl)\s*\d{1,2}\s*,?\s*)?(?:(?:meeting|conference|reception|training|server) )?(?:room|rm|office)\s*#?\s*\d{1,4}\b"
    r"(?:\s*(?:,|of|in)\s*(?:building|bldg|block|tower)\s*[a-z0-9]{1,3}\b)?"  # room 1503 of Building 9
    r"|\b(?:on|at) ((?:the )?\d{1,2}(?:st|nd|rd|th) floor)\b"  # on 4th floor
    r"|\b((?:building|bldg|block|tower)\s*[a-z0-9]{1,3}(?:\s+(?!the\b)[a-z0-9']+){0,3}?\s+(?:parking lot|car park|garage|"
    r"lobby|kitchen|pantry|hall|corridor|hallway|basement|restroom|washroom|stairwell))\b"  # Building 1 B2 garage
    r"|\b(?:in|at|on) the ([a-z0-9' ]{3,30}?)(?= is\b| are\b| has\b| keeps?\b| won'?t\b| doesn'?t\b| not\b| isn'?t\b|,|\.|$)"
)

# ---- places (vehicle) -----------------------------------------------------------------
_DEST_MARK = re.compile(
    r"目的地\s*[:：是为]?\s*|终点\s*[:：是为]?\s*|(?:往返|来回|前往|开往|赶往|去往|送往|送到|送至|到达|抵达|去|到|至|往(?![返来])|回(?![来去复头家])|→|->|=>)\s*"
)
# 由 marks an origin ("由局机关前往…"), not inside 事由, 理由, 缘由, 自由 ("事由：报送材料").
_ORIGIN_MARK = re.compile(r"(?:从|(?<![事理缘自])由|起点\s*[:：是为]?|出发地\s*[:：是为]?)\s*")
_PLACE_STOP = re.compile(
    r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])|开会|参会|参加|出席|出差|公干|报到|签约|洽谈|面试|体检|办事|办理|办点|接人|接(?!待|驳)|送(?!到|至)|拿|取(?!消)|汇报|考察|调研|检查|看望|慰问|学习|培训|"
    r"参观|开车|赶|的|一趟|一下|用车|派车|约车|要车|叫车|出发|吃饭|谈|见面|拜访|然后|再|并且|大概|大约|左右|方向|那边|"
    r"附近|上车|下车|集合|等|返回|回来|要|需要|坐|乘|共计|合计|总计|共(?=\s*[\d一二两三四五六七八九十])|人数|俩|仨|"
    r"\d+\s*个?\s*(?:人(?!民)|位)|\d+\s*(?:ppl|pax|people|persons|passengers)\b|[一二两三四五六七八九十]+个?(?:人(?!民)|位)|"
    r"\bat\b|\bto\b|\bon\b|\bby\b|\bfor\b|\bwith\b|\band\b|\bplease\b|\bpls\b|\btomorrow\b|\btoday\b|\btonight\b|\bfrom\b|\bthen\b|\bnext\b"
)
_PLACE_SUFFIX = re.compile(
    r"(?:政府|局|委|办|院|馆|中心|站|机场|码头|港|大道|路|街|号|广场|大厦|大楼|公园|医院|学校|大学|中学|小学|酒店|宾馆|"
    r"饭店|会堂|党校|法院|公司|集团|园区|园|新区|区|县|镇|村|联|所|厅|部|处|办公室|基地|小区|枢纽|大学城|新城|t\d|airport|station|hotel|hospital|cent(?:er|re)|plaza|building|tower)$"
)
# A whole segment that is one place although a stop word is inside it (青浦培训基地).
_PLACE_WHOLE = re.compile(r"[\u4e00-\u9fff]{2,14}(?:基地|中心|学院|大学|医院|宾馆|酒店|大厦|政府|党校)")
# A place (ending with a place suffix) followed by a short verb phrase and nothing else.
_GLUED_PURPOSE = re.compile(
    r"([\u4e00-\u9fff]{1,12}?(?:图书馆|档案馆|博物馆|美术馆|体育馆|纪念馆|展览馆|馆|政府|局|委|法院|检察院|医院|"
    r"党校|学校|大学|中心|机场|火车站|车站|站|码头|大厦|宾馆|酒店|会堂|公园|广场))"
    r"(?:还|借|查|取|拿|送|办|交|领|买|修|看|听|参|布|签|开|报|考|接|立|递|缴|盖|提|调|咨|登|验|复|补)[\u4e00-\u9fff]{1,4}\s*$"
)
_VEHICLE_WORDS = re.compile(
    r"送站|接站|送机|接机|用车|派车|约车|叫车|要车|订车|派个车|约个车|叫个车|派辆车|约辆车|要辆车|申请|帮我|麻烦|请|安排|需要|一辆|车|"
    r"帮忙|一下|我想|我要|想|要"
)
_PICKUP = re.compile(r"(?:到|在|去)\s*([^{_SEP}]{2,12}?)\s*接(?:我|我们|人|一下|他|她|领导|客人|专家)?\s*(?:去|到|前往|回)".replace("{_SEP}", _SEP))
_HOME = re.compile(r"局里|单位|局机关|机关|办公室|局办公室|家里|家|公司|大院|本局")
_BAD_PLACE = re.compile(r"^(?:哪|哪里|哪儿|那里|这里|我|你|他|了|过|掉|一下|就|再|才|给|时候?|后)")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Names loaded from the organisation: rooms, buildings, plates, places."""

    facilities: frozenset[str] = frozenset()
    buildings: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    plates: frozenset[str] = frozenset()
    facility_re: re.Pattern[str] | None = None
    location_re: re.Pattern[str] = field(default_factory=lambda: _build_location_re(()))


def _build_location_re(extra: Iterable[str]) -> re.Pattern[str]:
    words = sorted({re.escape(w) for w in extra if w}, key=len, reverse=True)
    part = _LOC_PART.replace("%EXTRA%", "|".join(words) if words else "(?!x)x")
    return re.compile(rf"(?:{part}\s*)+")


def build_lexicon(facilities: Iterable[str], buildings: Iterable[str], places: Iterable[str],
                  plates: Iterable[str]) -> Lexicon:
    """A lexicon whose regexes know the organisation's names (normalised, lower case)."""
    fac = frozenset(facilities)
    bld = frozenset(buildings)
    fac_re = None
    if fac:
        alts = "|".join(re.escape(w) for w in sorted(fac, key=len, reverse=True))
        fac_re = re.compile(alts)
    return Lexicon(facilities=fac, buildings=bld, places=frozenset(places), plates=frozenset(plates),
                   facility_re=fac_re, location_re=_build_location_re([*fac, *bld]))


# ---- extraction -----------------------------------------------------------------------

def numbers(m: str, asking: bool = False, deciding: bool = False) -> tuple[int | None, bool]:
    """(request number, whether a bare number was read as a room being booked) in masked text.

    A request number is written `#1024`, `1024` or `1110号`. A bare number is not one when
    it is tied to a building, floor or room (行政楼1203, 3号楼502, 301会议室), nor, unless
    the message `asking` about a request, when it follows a booking verb (订301), nor,
    unless it is also `deciding` on one (就1024吧，同意), after a choice or place word
    (那就301吧, 换成302, 在1203).
    """
    h = _REQ_HASH.search(m)
    if h:
        return int(h.group(1)), False
    booked = False
    for b in _REQ_BARE.finditer(m):
        before = m[max(0, b.start() - 10):b.start()]
        if _ROOM_BEFORE.search(before):
            booked = booked or (not asking and _BOOK_NEAR.search(before) is not None)
            continue
        if not asking and not _TAKEN_BOOKING.search(before):
            if _BOOK_BEFORE.search(before):
                booked = True
                continue
            if _PICK_BEFORE.search(before) and not deciding:
                continue
        return int(b.group(1)), False
    return None, booked


def request_no(m: str, asking: bool = False) -> int | None:
    """The request number in masked text: `#1024`, `1024`, `1110号` (see `numbers`)."""
    return numbers(m, asking)[0]


def facility_type(n: str) -> str | None:
    """The facility type named first in the text."""
    best: tuple[int, str] | None = None
    for rx, kind in _FACILITY_TYPES:
        m = rx.search(n)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), kind)
    return best[1] if best else None


def facility_name(n: str, orig: str, lex: Lexicon) -> str | None:
    """A numbered or named room as said (301会议室, 第一会议室), else None."""
    if lex.facility_re is not None:
        m = lex.facility_re.search(n)
        if m:
            return orig[m.start():m.end()]
    m = _FACILITY_NAME.search(n)
    if m:
        return orig[m.start():m.end()].strip()
    return None


_ADDRESSED = re.compile(r"的?(?:同志|同事|师傅|老师|领导)(?:们)?(?:[，,：:！!\s]|$)")
_OFFICE = re.compile(r"(?:处|科|班|组|中心|公司|部|局|物业)$")  # who is addressed
_ADDRESS_IS = re.compile(r"(?:地址|地点|位置|位于|就在)(?:是|在|为)\s*$")


def location(n: str, orig: str, lex: Lexicon) -> tuple[str, int, int] | None:
    """Where a fault is: the room or place the message names, as said."""
    m = _EN_LOC.search(n)
    if m:
        k = m.lastindex or 0  # the place inside "on the 4th floor", "in the lobby"
        return orig[m.start(k):m.end(k)].strip(), m.start(k), m.end(k)
    best: tuple[int, int] | None = None
    after_at: tuple[int, int] | None = None
    ends: dict[int, int] = {}  # start → end of every fragment, to join "2号楼3层" + "的男厕所"
    for g in lex.location_re.finditer(n):
        s, e = g.start(), g.end()
        while e > s and n[e - 1].isspace():
            e -= 1
        while s < e and n[s] in "在到去于的整个":
            s += 1
        frag = n[s:e]
        greeted = frag.startswith(("你好", "您好")) \
            or n[max(0, s - 3):s].rstrip("，, ").endswith(("你好", "您好"))
        if e - s < 2 and not frag.isdigit() or _ADDRESSED.match(n, e) \
                or greeted and _OFFICE.search(frag):
            continue  # 您好，物业处的同志 / 你好，后勤处: the office addressed is no place of
            # the fault; a room or a building part after a greeting is ("你好，3号楼502室…")
        ends[s] = e
        pre = n[max(0, s - 2):s]
        if after_at is None and (pre.endswith("在") or pre in ("位于", "地点", "位置", "地址")
                                 or pre.endswith(("：", ":")) or _ADDRESS_IS.search(n, 0, s)):
            after_at = (s, e)
        if best is None:
            best = (s, e)
    pick = after_at or best
    if pick is None:
        return None
    s, e = pick
    while n[e:e + 1] == "的" and e + 1 in ends:  # a floor and the room on it: 2号楼3层的男厕所
        e = ends[e + 1]
    return orig[s:e], s, e


def repair_category(n: str) -> str | None:
    """The repair category of the fault described (first object named wins)."""
    m = _CATEGORY_RE.search(n)
    if m:
        return m.lastgroup
    if _HVAC_FAULT.search(n):
        return "hvac"
    return None


def _place_at(n: str, orig: str, start: int) -> tuple[str, int, int] | None:
    """The place name starting at `start`: up to a separator or a word that is not part of it."""
    end = start
    limit = min(len(n), start + 40)
    while end < limit and n[end] not in "，,。；;！!？?、\x00()（）【】\n\t~" and n[end] not in "→>":
        end += 1
    lead = re.match(r"(?:一趟|一下|趟|下|个|一个|那个|那边的?)\s*", n[start:end])
    if lead:
        start += lead.end()
    seg = n[start:end]
    stop = _PLACE_STOP.search(seg, 1)
    if stop and stop.start() > 0 and not _PLACE_WHOLE.fullmatch(seg.strip()):
        end = start + stop.start()
    else:
        # a purpose glued on ("市图书馆还书", "区档案馆查资料"): the place ends with its suffix
        glued = _GLUED_PURPOSE.match(n, start, end)
        if glued and not _PLACE_SUFFIX.search(seg.strip()):  # 市委办公厅 is one place
            end = start + len(glued.group(1))
    # trim spaces and trailing particles
    while end > start and (n[end - 1].isspace() or n[end - 1] in "了吧啊呀的吗呢哈"):
        end -= 1
    while start < end and n[start].isspace():
        start += 1
    if end - start < 2:
        return None
    seg = n[start:end]
    if _BAD_PLACE.match(seg) or _PLACE_STOP.match(seg):
        return None
    if seg.startswith("the "):
        start += 4
    return orig[start:end], start, end


def names_trip(n: str, lex: Lexicon) -> bool:
    """Whether the text sends someone to a place: 去陆家嘴, 到市民政局, 前往机场."""
    for m in _DEST_MARK.finditer(n):
        seg = n[m.end():m.end() + 16]
        cut = re.search(rf"[{_SEP}]", seg)
        if cut:
            seg = seg[: cut.start()]
        stop = _PLACE_STOP.search(seg, 1)
        if stop:
            seg = seg[: stop.start()]
        if len(seg) >= 2 and (_PLACE_SUFFIX.search(seg) or any(p in seg for p in lex.places)):
            return True
    return False


# 车 in a segment is a car (用车, 商务车), not a place, except in 火车站, 汽车站, 车站.
_CAR_IN = re.compile(r"(?<![火汽])车(?!站)")
_STATION = re.compile(r"[火汽]?车站")
# A clause that only says where to go: "去虹桥", "到区政府".
_GO_CLAUSE = re.compile(r"(?:去|到|前往|赶往)[\u4e00-\u9fff]{2,10}")


def names_place(n: str, lex: Lexicon) -> bool:
    """Whether a clause of the text is a place name alone, said without 去/到 ("周二上午
    九点 区档案馆 三人", "下周一早上七点半 虹桥火车站 两个人") or only where to go ("去虹桥")."""
    for seg in re.split(rf"[{_SEP}]+", n):
        if 2 <= len(seg) <= 14 and not _BAD_PLACE.search(seg) and (
                seg in lex.places or _PLACE_SUFFIX.search(seg) or _GO_CLAUSE.fullmatch(seg)):
            return True
    return False


_EN_INFINITIVE = re.compile(r"(?:go|be|get|pick|book|take|have|use|make|drive|bring|send|carry|ride|meet|fetch|help|do|arrange|reserve|order|call|give|see|visit|attend)\b")
_EN_TO_VERB = re.compile(r"\b(?:free|able|want|wants|need|needs|like|have|has|going|available|willing|how|ready)\s*$")


# A clause that is a route without 从: "局门口到东方绿舟", "市政府到虹桥站" (the first part
# ends like a place, so "送客人到机场" or "大家到门口" name no origin).
_PLACE_TO_PLACE = re.compile(r"(?:^|[，,；;\s])([\u4e00-\u9fff]{1,10}(?:门口|大门|楼下|楼|局|大院|大厦|中心|政府|宾馆|酒店|饭店|"
                             r"机场|车站|站|小区|单位|院|馆|校|委|办))\s*到\s*(?=[\u4e00-\u9fff]{2})")


def places(n: str, orig: str, lex: Lexicon) -> tuple[str | None, str | None]:
    """(origin, destination) of a trip, as said."""
    origin: tuple[str, int, int] | None = None
    dest: tuple[str, int, int] | None = None
    # English first: "from X to Y", "pick me up at X", "to Y"
    en_from = re.search(r"\b(?:from|pick (?:me|us|him|her|them) up (?:at|from)|pick up (?:[\w ]{1,24}? )?(?:at|from))\s+", n)
    if en_from:
        origin = _place_at(n, orig, en_from.end())
    for m in re.finditer(r"\bto\s+(?!be\b|go\b|get\b|the airport\b(?=x))", n):
        cand = _place_at(n, orig, m.end())
        # the infinitive's "to" ("free to drive us …", "want to book") names no place
        if cand and not _EN_INFINITIVE.match(n[m.end():]) and not _EN_TO_VERB.search(n, 0, m.start()):
            dest = cand
            break
    om = _ORIGIN_MARK.search(n)
    if om and origin is None:
        # origin ends at the next destination mark or 出发
        seg_end = om.end()
        while seg_end < len(n) and n[seg_end] not in "，,。；;\x00":
            seg_end += 1
        inner = n[om.end():seg_end]
        cut = re.search(r"出发|上车|(?:前往|开往|赶往|去往|去|到|至|往|回|→|->)|接|送", inner)
        if cut and cut.start() >= 2:
            s, e = om.end(), om.end() + cut.start()
            while e > s and n[e - 1].isspace():
                e -= 1
            origin = (orig[s:e], s, e)
    if origin is None and (pick := _PICKUP.search(n)):
        origin = (orig[pick.start(1):pick.end(1)], pick.start(1), pick.end(1))  # 到X接我去Y: X is where it starts
    if origin is None:
        arrow = re.search(r"([^，,。；;\x00\s:：]{2,20})\s*(?:→|->|=>|—>)", n) or _PLACE_TO_PLACE.search(n)
        if arrow:
            origin = (orig[arrow.start(1):arrow.end(1)], arrow.start(1), arrow.end(1))
        else:
            dep = re.search(r"([^，,。；;\x00\s:：从由]{2,12}?)出发", n)
            if dep and not re.search(r"几点|\d|点$|(?:再|就|才|然后|马上|准时|按时|一起|了)$", dep.group(1)):
                origin = (orig[dep.start(1):dep.end(1)], dep.start(1), dep.end(1))
    if dest is None:
        for m in _DEST_MARK.finditer(n):
            if origin and origin[1] <= m.start() < origin[2]:
                continue
            cand = _place_at(n, orig, m.end())
            if cand is None:
                continue
            if origin and cand[1] < origin[2] and cand[2] > origin[1]:
                continue
            dest = cand
            break
    if dest is not None and origin is None and dest[1] > 0:
        # "局办公室到市人大": a place right before the destination mark is the origin
        mark_end = dest[1]
        while mark_end > 0 and not re.match(r"到|去|至|→|>|往", n[mark_end - 1]):
            mark_end -= 1
        before = n[:max(0, mark_end - 1)]
        seg = re.search(rf"([^{_SEP}]{{2,12}})$", before)
        if seg and (_PLACE_SUFFIX.search(seg.group(1)) or _HOME.fullmatch(seg.group(1))
                    or any(p in seg.group(1) for p in lex.places)) \
                and not _VEHICLE_WORDS.search(_STATION.sub("站", seg.group(1))) and seg.group(1)[0] not in "送接":
            origin = (orig[seg.start(1):seg.end(1)], seg.start(1), seg.end(1))
    if dest is None:
        # a bare place in a list: "用车，后天，长宁区政府"
        for seg in re.finditer(rf"[^{_SEP}]+", n):
            s, e = seg.start(), seg.end()
            text = n[s:e]
            vm = _VEHICLE_WORDS.match(text)
            while vm and vm.end() > 0:
                s += vm.end()
                text = n[s:e]
                vm = _VEHICLE_WORDS.match(text)
            if len(text) < 2 or len(text) > 16 or (origin and s < origin[2] and e > origin[1]) \
                    or _DEST_MARK.search(text) or _CAR_IN.search(text):
                continue
            known = len(text) <= 12 and any(p in text for p in lex.places)
            if known or _PLACE_SUFFIX.search(text):
                if not re.search(r"\d+人|[个位名]人?$|^\d+$", text):
                    dest = (orig[s:e], s, e)
                    break
    return (origin[0].strip() if origin else None), (dest[0].strip() if dest else None)


gate_all(globals())  # every pattern above behind its first-character gate (nlp/keywords.py)
