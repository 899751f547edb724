"""Asset requests (领用 / 调剂 / 处置 of state assets and supplies): the words that make a
message one, and its slots (CONTRACT §6: `asset` as said, `quantity`, `location`), plus
what is not a §6 slot (the kind, the department it goes to, a tag number) for
`Parse.extra`.

    "领两台笔记本电脑"               requisition  asset 笔记本电脑, quantity 2
    "要一把办公椅到3号楼502"          requisition  asset 办公椅, quantity 1, location 3号楼502
    "把3号楼502的投影仪调给财务处"     transfer     asset 投影仪, location 3号楼502, to 财务处
    "报废一台旧打印机 资产编号 A-2019-0032"  disposal  asset 打印机, quantity 1, tag A-2019-0032

A fault is a repair (打印机卡纸, 椅子坏了两把), a question about where to get something is
no request (墨盒在哪领): those rules run first, in nlp/intents.py.
"""

from __future__ import annotations

import re
from typing import Any

from nlp.keywords import gate_all, keywords
from nlp.numbers import CN_NUM, to_int

# The things a bureau's asset office hands out, moves and writes off; the register's own
# categories join them at start-up (`nlp.Nlu.add_words`, kind "asset").
ASSET_NOUNS = (
    "笔记本电脑", "笔记本", "台式电脑", "台式机", "电脑", "显示器", "打印机", "复印机", "一体机",
    "扫描仪", "投影仪", "投影机", "碎纸机", "传真机", "电话机", "照相机", "相机", "摄像机",
    "平板电脑", "平板", "路由器", "交换机", "移动硬盘", "键盘", "鼠标", "办公椅", "椅子",
    "会议椅", "办公桌椅", "桌椅", "办公桌", "桌子", "会议桌", "文件柜", "书柜", "柜子", "保险柜", "沙发", "茶几",
    "白板", "饮水机", "电风扇", "台灯", "办公家具", "家具", "办公设备", "设备", "资产",
    # supplies handed out by the same office
    "A4纸", "a4纸", "打印纸", "复印纸", "签字笔", "中性笔", "圆珠笔", "硒鼓", "墨盒", "碳粉", "U盘", "u盘",
    "文件夹", "订书机", "计算器", "电池", "笔记本子",
)
_CLASSIFIER = "台|把|张|个|套|部|件|只|组|支|块|副|包|盒|箱|卷|本|瓶|袋"
_N = rf"(?:\d{{1,3}}|{CN_NUM}|几)"

# 领 but not 领导/带领/引领; 要 + a count; asking to be given, fitted out, replaced.
_NOUNS_AHEAD = "(?=" + "|".join(sorted(ASSET_NOUNS, key=len, reverse=True)) + ")"
_REQUISITION = keywords(
    rf"领用|申领|(?<![带引率本])领(?:取|用)?(?:一下|个)?(?:{_N}\s*(?:{_CLASSIFIER}))?\s*(?:新的?)?\s*{_NOUNS_AHEAD}|"
    rf"(?:要|需要|想要|申请|配|配发|配备|添置|添加|补充|增加|发)(?:{_N})?\s*(?:{_CLASSIFIER})|"
    rf"领(?:用|取)?\s*{_N}\s*(?:{_CLASSIFIER})(?=[\u4e00-\u9fff])|"
    # the thing, then how many to bring: 办公椅 来俩, 签字笔再来两盒
    rf"(?:来|再来|要|领|给我)\s*(?:{_N}|俩|仨)\s*(?:{_CLASSIFIER})?\s*[吧啊呀哈]?\s*$|"
    r"(?:申请|需要|要|配|配发|配备|添置|换)\s*[:：]?\s*(?:一下|个)?(?:新的?)?(?=笔记本|电脑|台式|显示器|打印机|办公椅|椅子|办公桌|桌子|文件柜|投影)",
    r"\b(?:requisition|(?:needs?|needing|request(?:s|ing|ed)?|order(?:s|ing)?|wants?) (?:a|an|one|two|three|four|five|\d+) (?:new )?(?:\w+ )?"
    r"(?:laptop|notebook|chair|desk|monitor|printer|projector|cabinet)s?)\b",
)
_TRANSFER = keywords(r"调(?:给|到|拨|剂|配给|往)|划拨|划转|移交|转给|调入|调出", r"\btransfer\b")
# Where a moved thing goes, said as a place rather than a department: 调剂到2号楼301,
# 调到501会议室, 调剂打印机一台到财务处 (the §6 `location`: where it goes).
_TARGET = re.compile(r"(?:调给|调到|调拨给|调拨到|调剂给|调剂到|调往|调入|移交给?|转给|划拨给|(?<![送搬放])到)\s*"
                     r"([^\s，,。；;！!？?的]{2,20}?)(?:去|来|使用|用|吧|了|[，,。；;！!？?\s]|$)")
_DISPOSAL = keywords(r"报废|处置|淘汰|报损|核销|销账", r"\b(?:dispose|write off|scrap)\b")
_NOUN_RE = re.compile("|".join(sorted(ASSET_NOUNS, key=len, reverse=True)))
# What stands right before a thing's name and is part of it (钢制, 笔记型, 人体工学): the
# characters after the last verb of taking, count, 的 or punctuation (never 新/旧).
_NOT_MODIFIER = re.compile(rf"[置废汰损新旧好几多的了把将要领用请需想配调剂拨给送放搬那这一二两三四五六七八九十]|{_CLASSIFIER}")


def _modifier_start(scan: str, start: int) -> int:
    """Where a thing's name begins once the words fused before it are counted in."""
    k = start
    while k > 0 and start - k < 4 and "\u4e00" <= scan[k - 1] <= "\u9fff" and not _NOT_MODIFIER.match(scan[k - 1]):
        k -= 1
    return k


_GENERAL = frozenset({"资产", "设备", "办公设备", "家具", "办公家具"})
# 领/领用/申领 + a count + a classifier + the thing, whatever it is called.
_COUNTED = re.compile(rf"领(?:用|取)?\s*{_N}\s*(?:{_CLASSIFIER})\s*(?=[\u4e00-\u9fff])")
_THING_AT = re.compile(r"[\u4e00-\u9fff]{2,8}?(?=[，,。；;！!？?\s]|用于|$)")
_EN_NOUN = re.compile(r"\b(?:(?:office|desk|swivel|standing|laser|wireless|external|spare|conference) )?(laptop|notebook|desk|chair|monitor|printer|projector|cabinet)s?\b", re.ASCII)
_TAG = re.compile(r"(?:资产编号|资产号|编号|标签号|tag)\s*[:：是为]?\s*([A-Za-z]{1,4}-?\d{2,4}-\d{2,6}(?:-\d{1,4})?)"
                  r"|\b([A-Za-z]{1,4}-\d{4}-\d{2,6}(?:-\d{1,4})?)\b", re.I)
_QUANTITY = re.compile(rf"({_N}|\d+)\s*(?:{_CLASSIFIER})")
_EN_QUANTITY = re.compile(r"\b(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:new\s+)?$")
_DEPT = re.compile(r"(?:调给|调到|调拨给|调拨到|调剂给|调剂到|划拨给|划转给|移交给?|转给|调往|给)\s*"
                   r"([\u4e00-\u9fff]{1,10}?(?:处|科|室|中心|办公室|局|队|所|站|部|组))")
_TO_PLACE = re.compile(r"(?:送到|放到|搬到|到|至|送去|放在|放)\s*([^\s，,。；;！!？?的]{2,20})")
_EN_TO_ROOM = re.compile(r"\b(?:to|for|in|into)\s+((?:room|rm|office)\s*#?\s*[a-z]?\d{1,4}[a-z]?)\b")
_PLACE_SHAPE = re.compile(r"\d+号?楼|\d{3,4}|楼|室|办公室|处|科|会议室|大厅|库房|中心|馆|队|站|所")
_A_FEW = re.compile(r"(俩|仨)")
_DROP_DEPT_TAIL = re.compile(r"(?:的|了|吧|呢)$")


def _target(t: str) -> re.Match[str] | None:
    """Where a moved thing goes (调剂到2号楼301, 调到501会议室), when said like a place."""
    m = _TARGET.search(t)
    return m if m and _PLACE_SHAPE.search(m.group(1)) else None


def mask_tags(t: str) -> str:
    """`t` with its tag numbers blanked: A-2019-0032 is no request #2019."""
    if "-" not in t:
        return t
    return _TAG.sub(lambda x: "\x00" * len(x.group(0)), t)


def noun(t: str, extra: re.Pattern[str] | None = None) -> re.Match[str] | None:
    """The first asset noun of normalised text `t` (the register's categories first); a
    general word (资产领用：笔记本电脑2台) gives way to a thing named after it, and a thing
    outside the lexicon counted after a word of taking (想领一把人体工学椅) is itself."""
    m = extra.search(t) if extra is not None else None
    m = m or _NOUN_RE.search(t)
    if m is not None and m.group(0) in _GENERAL:
        later = _NOUN_RE.search(t, m.end())
        m = later or m
    if m is None and (m := _EN_NOUN.search(t)) is None and (c := _COUNTED.search(t)):
        m = _THING_AT.match(t, c.end())
    return m


def kind(t: str, extra: re.Pattern[str] | None = None) -> str | None:
    """The asset request `t` is ("requisition", "transfer", "disposal"), or None: an asset
    noun (or a tag number) with a word of taking, moving or writing off."""
    has_thing = noun(t, extra) is not None or _TAG.search(t) is not None
    if not has_thing:
        return None
    if _DISPOSAL.search(t):
        return "disposal"
    if _TRANSFER.search(t) and (_DEPT.search(t) or _target(t)):
        return "transfer"
    if _REQUISITION.search(t):
        return "requisition"
    return None


def slots(m: str, orig: str, extra: re.Pattern[str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(§6 slots, extra) of an asset request: masked text `m` (times blanked) and the
    user's own characters `orig`, index for index."""
    out: dict[str, Any] = {}
    more: dict[str, Any] = {}
    k = kind(m, extra)
    if k:
        more["asset_kind"] = k
    tag = _TAG.search(orig)
    if tag:
        more["tag"] = (tag.group(1) or tag.group(2)).upper()
    scan = _TAG.sub(lambda x: "\x00" * len(x.group(0)), m)
    found = noun(scan, extra)
    end = found.end() if found else 0
    if found:
        # a compound of two nouns is one thing: 打印机硒鼓, 电脑显示器
        more_noun = _NOUN_RE.match(scan, end)
        end = more_noun.end() if more_noun else end
        start = found.start()
        start = _modifier_start(scan, start)  # 钢制文件柜, 筆記型電腦: the thing as said
        out["asset"] = orig[start:end]
    q = _QUANTITY.search(scan[: found.start()] if found else scan)
    if q is None and found:
        q = _QUANTITY.search(scan, end)  # the count after the thing: 办公椅3把, 投影仪一台
    if q and q.group(1) != "几":
        n = to_int(q.group(1))
        if n:
            out["quantity"] = n
    elif found and (eq := _EN_QUANTITY.search(scan[: found.start()])):
        out["quantity"] = to_int(eq.group(1))  # request 2 monitors
    elif found and (few := _A_FEW.search(scan, end)):
        out["quantity"] = 2 if few.group(1) == "俩" else 3  # 办公椅 来俩
    if k == "transfer":
        d = _DEPT.search(scan)
        if d:
            more["to_department"] = _DROP_DEPT_TAIL.sub("", orig[d.start(1):d.end(1)])
        head = scan[: found.start()] if found else ""
        place = re.search(r"(?:把|将)?\s*([^\s，,。的把将]{2,20}?)\s*的\s*$", head)
        target = _target(scan)
        if place and _PLACE_SHAPE.search(place.group(1)) and (d or not target):
            out["location"] = orig[place.start(1):place.end(1)]  # 调给财务处: where it stands
        elif target:
            out["location"] = orig[target.start(1):target.end(1)]  # 调到501会议室: where it goes
        elif d:
            out["location"] = orig[d.start(1):d.end(1)]  # 调给信息中心, said with no place it stands in
    else:
        p = _TO_PLACE.search(scan[found.end():] if found else scan)
        if p and _PLACE_SHAPE.search(p.group(1)):
            base = found.end() if found else 0
            out["location"] = orig[base + p.start(1): base + p.end(1)]
        elif found and (en := _EN_TO_ROOM.search(scan, found.end())):
            out["location"] = orig[en.start(1):en.end(1)]  # delivered to Room 308
        elif found:
            head = scan[: found.start()]
            place = re.search(r"([^\s，,。的把将]{2,20}?)\s*(?:的|那台|那把|那个)\s*(?:旧的?)?\s*"
                              rf"(?:{_N}\s*(?:{_CLASSIFIER}))?\s*(?:旧的?)?\s*$", head)
            if place and _PLACE_SHAPE.search(place.group(1)):
                out["location"] = orig[place.start(1):place.end(1)]
    return out, more


def quantity_said(text: str) -> bool:
    """A count of things said in `text` ("两台", "3把")."""
    m = _QUANTITY.search(mask_tags(text))
    return m is not None and m.group(1) != "几"


def quantity_of(text: str) -> int | None:
    """A count said alone in answer to "要几台？" ("两台", "3", "三个")."""
    m = re.fullmatch(rf"\s*(?:要|领)?\s*({_N}|\d+)\s*(?:{_CLASSIFIER})?\s*(?:就行|吧|就够了?)?\s*[。.!！]?\s*", text)
    if not m or m.group(1) == "几":
        return None
    return to_int(m.group(1))


_QUEUE = re.compile(r"^\s*(?:查看?|看看)?\s*(?:待发放|待办结|待交接|待移交)(?:的)?(?:资产|物品|申请|清单|列表)?(?:有哪些|有什么)?\s*[?？。]?\s*$")
_HANDOVER = re.compile(
    r"^\s*(?:发放|已发放|办结|已办结|交接|已交接|处置完成|已处置|调拨完成|已调拨)\s*#?\s*(\d{4,9})\s*号?\s*[。.!！]?\s*$|"
    r"^\s*#?\s*(\d{4,9})\s*号?\s*(?:发放|已发放|发放了|办结|已办结|交接完成|已交接|已处置|处置完成|已调拨|调拨完成)\s*[。.!！]?\s*$")


def command(n: str, extra: re.Pattern[str] | None = None) -> tuple[str, dict[str, Any]] | None:
    """The asset office's command that normalised text `n` is — ("asset_queue", {}),
    ("asset_handover", {"request_no": N}), ("asset_stock", {"asset": …}) — or None."""
    if _QUEUE.search(n):
        return "asset_queue", {}
    m = _HANDOVER.search(n)
    if m:
        return "asset_handover", {"request_no": int(m.group(1) or m.group(2))}
    thing = stock_question(n, extra)
    if thing is not None:
        return "asset_stock", {"asset": thing} if thing else {}
    return None


STOCK_QUESTION = re.compile(
    r"(?:还有|还剩|剩|有|库存|在库)(?:多少|几)(?:台|把|张|个|套|件)?|库存(?:多少|情况|还有)?|在库(?:查询|情况)?|"
    r"(?:有没有|还有没有)(?:库存|货)")


def stock_question(t: str, extra: re.Pattern[str] | None = None) -> str | None:
    """"笔记本还有几台", "办公椅库存多少", "在库查询": the category asked about ("" for the whole
    stock), or None."""
    if not STOCK_QUESTION.search(t):
        return None
    found = noun(t, extra)
    if found:
        return t[found.start():found.end()]
    return "" if re.search(r"在库|库存", t) else None


gate_all(globals())  # every pattern above behind its first-character gate (nlp/keywords.py)
