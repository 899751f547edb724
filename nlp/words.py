"""What else a message says, for the dialogues that read it as an answer: not CONTRACT §6
slots (they never reach `Parse.to_dict`), read once here with the rest of the message so
that no handler reads the raw text again.

- `yes`: a confirmation ("确认", "好的", "ok") — the read-back's answer.
- `purpose`: the purpose when said ("事由：送材料"), or the activity after the place
  ("去市政府开会" → "开会"); wider than §6 `purpose`, which needs 事由/用途/为了….
- `answer`: the message as an answer to "事由？" ("接待来访"), None when it is no purpose
  ("无", "不知道", "确认", "asdfghjkl"); an equipment clause ("，需要投影仪") is not part of it.
- `equipment`: what a room must have ("需要投影仪和话筒" → 投影仪, 话筒), only when a need
  is said (要/需要/准备…).
- `weekly`, `weekday`, `until`: a weekly repeat ("每周一"), its day (0 = Monday; None:
  "每周" alone) and its last day ("到一月底", "到12月31日", "至明年1月", "到20号").
- `seats`: a car of so many seats ("一辆7座车").
- `end_hint`: a time said as an end ("到五点", "开到十一点", "五点结束").
- `part_of_day`: a part of day said (上午, 下午, 晚上…).
- `duration`: a length said (also in days: "两天", "大概三天"), whether or not a start
  was said.
- `category`: the trade an answer to "是什么问题？" names ("空调", "水管", "其他").
- `room_numbers`: the room numbers said ("订301", "那就1205吧"), never a time, a count
  or a request number; the dialogue keeps those of the bureau's rooms.
- `undo`, `reason`: the answer to "驳回理由？": taken back ("算了", "点错了"), or the
  reason as said (None for "无", "不便说明").
- `kinds`, `day`, `norm`: what a sentence says of the request it means, for cancel and
  status without a number ("把明天去虹桥机场的车取消了"): the kinds of request named (车,
  会议室, 报修; as service intents' values), the day named, and the normalised text the
  places are compared with (handlers/matching.py).

Like WeCom's own 审批 forms, where 事由 is a required field, a trip's purpose is asked for
when not said, and "无" or "不知道" is not an answer; a short free text is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from nlp.keywords import gated
from nlp.normalize import MAX_CHARS, normalize
from nlp.numbers import to_int
from nlp.timeparse import PART_RE, parse_time

MAX_PURPOSE = 100  # the form's limit too (bot/web/pages.py TEXT_LIMITS)

YES_RE = gated(
    r"^\s*(确认|确定|确认提交|提交|是|是的|对|对的|好|好的|行|可以|没问题|嗯|嗯嗯|ok|okay|yes|y|confirm)"
    r"\s*(提交|预订|预约|申请)?\s*[。.!！~～]*\s*$",
    re.I,
)

PURPOSE_RE = gated(r"(?:事由|用途|目的(?!地)|原因)\s*(?:是|为|:|：)?\s*(?P<p>[^，,。；;！!？?\s]{1,30})")
ACTIVITY_RE = gated(
    r"(?:去|到|赴)[^，,。；;\s]{1,15}?(?P<p>开会|参会|办事|调研|检查|培训|汇报|座谈|考察|接人|送人|接待|"
    r"送[^，,。；;\s]{1,8}|接[^，,。；;\s]{1,8}|参加[^，,。；;\s]{1,12})"
)
# An errand said right after a named place ("去市档案馆查资料", "到区法院开庭"): the place
# ends with its suffix, the errand starts with one of these verbs (nlp/slots.py cuts the
# destination there), and is no place itself ("市政府办公厅").
ERRAND_RE = gated(
    r"(?:去|到|赴)[^，,。；;\s]{1,15}?(?:馆|局|委|院|府|校|中心|机场|站|大厦|宾馆|酒店|会堂)"
    r"(?P<p>(?:还|借|查|取|拿|办|交|领|买|签|报|递|缴|盖|提|调|咨|登|验|复|补|开|参)"
    r"[^，,。；;！!？?\s]{1,6})"
)
NOT_AN_ERRAND = gated(r"(?:厅|室|处|科|楼|院|馆|局|部|中心|大厦)$")
ANSWER_PREFIX = gated(r"^\s*(?:事由|用途|目的|原因)?\s*(?:是|为|:|：)?\s*")
NOT_A_PURPOSE = gated(
    r"^(?:无|没有|没|不用|不需要|不知道|不清楚|随便|都行|略|无事由|没事由|不填|不写|私事|"
    r"hello|hi|你好|您好|嗯|哦|啊|好|好的|\?|？|\.|。)+$", re.I)
JUNK = gated(r"^[A-Za-z]{6,}$")  # "asdfghjkl"

EQUIPMENT = ("投影仪", "投影", "幕布", "话筒", "麦克风", "音响", "白板", "电子白板", "大屏", "LED屏",
             "电视", "电脑", "笔记本电脑", "视频会议", "会议系统", "录音笔", "激光笔", "翻页笔", "桌牌",
             "横幅", "茶水", "矿泉水", "签到台", "摄像", "同声传译", "网络")
NEED_RE = gated(r"需要|要|配|带|准备|借用|用到|安排|提供|加")
EQUIPMENT_RE = gated("|".join(sorted(map(re.escape, EQUIPMENT), key=len, reverse=True)), re.I)

CATEGORY_WORDS = (
    ("electrical", ("电路", "照明", "电", "灯")),
    ("plumbing", ("水管", "水", "下水")),
    ("hvac", ("空调", "暖通", "暖气")),
    ("it", ("网络", "电脑", "网", "打印")),
    ("furniture", ("家具", "门窗", "门", "窗", "桌", "椅")),
    ("other", ("其他", "其它", "别的")),
)
ROOM_NO_RE = gated(r"(?<![\d:：.#/])(\d{3,4})(?![\d:：./号点时人个位年月日分])")
UNDO_RE = gated(r"^\s*(算了|不驳回了?|不驳了|点错了|按错了|误点|取消|撤销|不用了)\s*[。.!！]*\s*$")
NO_REASON_RE = gated(r"^\s*(无|没有|没|不用|不用说|不说了|不便说明|无理由|没有理由|/|-|—)\s*[。.!！]*\s*$")
REASON_PREFIX = gated(r"^\s*(?:驳回\s*)?(?:理由|原因)?\s*[:：是为]?\s*")

# The kinds of request a sentence can name ("明天的车取消了"), by service intent.
KIND_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("repair_request", gated(r"报修|维修|修")),
    ("vehicle_booking", gated(r"用车|派车|叫车|车|接机|送机")),
    ("facility_reservation", gated(r"会议室|场地|礼堂|接待室|健身房|包间|订房|会场|房间")),
    ("asset_request", gated(r"资产|领用|调剂|报废|处置")),
)

SEATS_RE = gated(r"(?P<n>\d{1,2}|[两三四五六七八九十]{1,3})\s*座")

# The end of a window said alone: "到五点", "开到十一点", "五点结束", "11点散会".
END_HINT_RE = gated(
    r"^\s*(?:改成|改到|改为)?\s*(?:到|至|用到|开到|截止|结束时间|结束于|结束在)"
    r"|(?:结束|散会|散场|回来|返回|为止)\s*[。.!！]?\s*$"
)
_CN = "[一二两三四五六七八九十]{1,3}"
# Numbers bounded and never started inside a run of digits: linear on "1" * 500.
DURATION_RE = gated(
    rf"(?P<h>(?<![\d.])\d{{1,3}}(?:\.\d{{1,2}})?|{_CN}|半)\s*个?\s*(?P<half>半)?\s*(?:小时|钟头|个钟)"
    rf"|(?P<m>(?<!\d)\d{{1,4}}|{_CN})\s*分钟"
    rf"|(?P<d>(?<!\d)\d{{1,3}}|{_CN})\s*天(?![后前内以])"
)

WEEKLY_RE = gated(r"每(?:个)?(?:周|星期|礼拜)(?P<d>[一二三四五六日天1-7])?")
_N = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
UNTIL_RE = gated(
    r"(?:到|至|截[至止]到?|直到)\s*"
    r"(?:"
    rf"(?:(?P<next>明年)|(?P<y>20\d\d)\s*年)?\s*(?P<m>{_N})\s*月\s*(?:(?P<d>{_N})\s*[日号]|(?P<mend>底|末|份)?)"
    r"|(?P<this>本月|这个月|月)\s*[底末]"
    r"|(?P<year>今年|年)\s*[底末]"
    rf"|(?P<dd>{_N})\s*[日号]"
    r")"
)


@dataclass(frozen=True, slots=True)
class Words:
    """The dialogue words of one message (see the module docstring)."""

    yes: bool = False
    purpose: str | None = None
    answer: str | None = None
    equipment: tuple[str, ...] = ()
    weekly: bool = False
    weekday: int | None = None
    until: date | None = None
    seats: int | None = None
    end_hint: bool = False
    part_of_day: bool = False
    duration: timedelta | None = None
    category: str | None = None
    room_numbers: tuple[str, ...] = ()
    undo: bool = False
    reason: str | None = None
    kinds: tuple[str, ...] = ()
    day: date | None = None
    norm: str = ""


def read_words(text: str, now: datetime, *, norm: str | None = None, day: date | None = None) -> Words:
    """The dialogue words of `text` (its first MAX_CHARS, as the rest of the NLU: bounded
    work on any input) at the aware `now`; the NLU gives the normalised text and the day
    it read in it (`norm`, `day`), which are read here otherwise."""
    text = text[:MAX_CHARS]
    today = now.date()
    if norm is None:
        norm = normalize(text).norm
        ts = parse_time(norm, now)
        day = ts.date if ts.day_said else None
    repeat = weekly_repeat(text, today)
    equipment = equipment_in(text)
    m = SEATS_RE.search(text)
    return Words(
        yes=is_yes(text),
        purpose=purpose_in(text),
        answer=purpose_answer(text[:need_at(text)] if equipment else text),
        equipment=tuple(equipment),
        weekly=repeat is not None,
        weekday=repeat.weekday if repeat is not None else None,
        until=until_date(text, today),
        seats=to_int(m["n"]) or None if m is not None else None,
        end_hint=bool(END_HINT_RE.search(text)),
        part_of_day=bool(PART_RE.search(text)),
        duration=duration_in(text),
        category=category_in(text),
        room_numbers=tuple(m[1] for m in ROOM_NO_RE.finditer(text)),
        undo=bool(UNDO_RE.match(text.strip())),
        reason=reason_in(text),
        kinds=tuple(kind for kind, pattern in KIND_WORDS if pattern.search(norm)),
        day=day,
        norm=norm,
    )


def is_yes(text: str) -> bool:
    return bool(YES_RE.match(text))


def category_in(text: str) -> str | None:
    """The trade a word of the text names, in CATEGORY_WORDS' order."""
    for category, words in CATEGORY_WORDS:  # plain loops: no generator per message
        for w in words:
            if w in text:
                return category
    return None


def reason_in(text: str) -> str | None:
    """The text as a 驳回 reason ("理由：时间冲突" → "时间冲突"), None when it gives none."""
    text = text.strip()
    said = REASON_PREFIX.sub("", text, count=1).strip() or text
    return None if not said or NO_REASON_RE.match(said) else said


def purpose_in(text: str) -> str | None:
    """The purpose when said: "事由：送材料", or the activity after the place
    ("去市政府开会" → "开会", "去市档案馆查资料" → "查资料")."""
    m = PURPOSE_RE.search(text) or ACTIVITY_RE.search(text)
    if m:
        return m["p"]
    m = ERRAND_RE.search(text)
    return m["p"] if m and not NOT_AN_ERRAND.search(m["p"]) else None


def purpose_answer(text: str) -> str | None:
    """The answer to "用车事由？" as a purpose ("接待来访", "事由是送文件"), or None when it
    is no purpose ("无", "不知道", "确认", "asdfghjkl")."""
    said = ANSWER_PREFIX.sub("", text.strip(), count=1).strip(" ，,。.!！")
    if not said or is_yes(said) or NOT_A_PURPOSE.match(said) or JUNK.match(said):
        return None
    return said[:MAX_PURPOSE]


def equipment_in(text: str) -> list[str]:
    """The equipment a message asks for ("需要投影仪和话筒" → ["投影仪", "话筒"]), in the
    order said; nothing unless a need is said (要/需要/准备…)."""
    if not NEED_RE.search(text):
        return []
    found: list[str] = []
    for m in EQUIPMENT_RE.finditer(text):
        if m[0] not in found:
            found.append(m[0])
    return found


def need_at(text: str) -> int:
    """Where the equipment clause begins ("部门例会，需要投影仪" → at "需要")."""
    m = NEED_RE.search(text)
    return m.start() if m else len(text)


def duration_in(text: str) -> timedelta | None:
    """A length of time said in the text: "两个小时", "1个半小时", "30分钟", "两天"."""
    if "小时" not in text and "钟" not in text and "天" not in text:
        return None  # every length ends in one of them: no search
    m = DURATION_RE.search(text)
    if m is None:
        return None
    if m["m"]:
        minutes = to_int(m["m"])
        return timedelta(minutes=minutes) if minutes else None
    if m["d"]:
        days = to_int(m["d"])
        return timedelta(days=days) if days else None
    raw = m["h"]
    hours = 0.5 if raw == "半" else (float(raw) if raw[0].isdigit() else float(to_int(raw) or 0))
    if m["half"]:
        hours += 0.5
    return timedelta(hours=hours) if hours > 0 else None


@dataclass(frozen=True, slots=True)
class Repeat:
    weekday: int | None  # 0 = Monday; None: "每周" with no day, the first date's weekday
    until: date | None


def weekly_repeat(text: str, today: date) -> Repeat | None:
    """"每周一…到一月底" → Repeat(0, 2027-01-31); None when the text asks for no repeat."""
    m = WEEKLY_RE.search(text)
    if m is None:
        return None
    day = m["d"]
    weekday = None if day is None else ("一二三四五六日".find(day) if not day.isdigit() else int(day) - 1)
    if day in ("天",):
        weekday = 6
    return Repeat(weekday, until_date(text, today))


def until_date(text: str, today: date) -> date | None:
    """The last day of a repeat: "到一月底", "到12月31日", "至明年1月", "到月底", "到20号"."""
    m = UNTIL_RE.search(text)
    if m is None:
        return None
    try:
        if m["m"]:
            month = to_int(m["m"])
            if month is None or not 1 <= month <= 12:
                return None
            if m["y"]:
                year = int(m["y"])
            elif m["next"]:
                year = today.year + 1
            else:
                year = today.year if month >= today.month else today.year + 1
            if m["d"]:
                day = to_int(m["d"])
                return date(year, month, day) if day else None
            return month_end(year, month)
        if m["this"]:
            return month_end(today.year, today.month)
        if m["year"]:
            return date(today.year, 12, 31)
        day = to_int(m["dd"])
        if not day:
            return None
        if day >= today.day:
            return date(today.year, today.month, day)
        nxt = month_end(today.year, today.month) + timedelta(days=1)
        return date(nxt.year, nxt.month, day)
    except ValueError:  # 2月30日
        return None


def month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)
