"""Dates and clock times in a message (CONTRACT §6 time conventions).

`parse_time(text, now)` finds the day, the start and the end the user means,
always relative to the `now` it is given (never the clock). Expressions are
found first, one by one, and only their numerals are converted: 今天/明天/后天/
大后天/明早/今晚, 周X/本周X/下周X, X号, M月X日, parts of the day, 两点半/一刻/
三刻, 14:00, 9:30am, ranges (the start's part of day and day carry to the end)
and durations (end = start + duration). Every regex is linear; the caller caps
the text length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from nlp.dates import _H, _LATIN, _PARTS, _find_date
from nlp.keywords import gated
from nlp.numbers import EN_NUMBERS, to_int

_MIN = r"(?:\d{1,2}|[零一二三四五六七八九十]{1,3})"

# The parts of the day as said (their meanings: `nlp.dates._PARTS`).
PART_RE = gated(
    r"凌晨|清晨|早晨|早上|一早|上午|早间|明早|今早|明晨|中午|午间|下午|傍晚|晚上|晚间|夜里|夜间"
    r"|今晚|明晚|今夜|\bmorning\b|\bafternoon\b|\bevening\b|\btonight\b"
)
_SHORT_PART = {"早": "am", "晚": "pm"}

# Clock times.
_CN_CLOCK_RE = gated(
    rf"(?:(?<![上下中])(?P<short>[早晚]))?(?P<h>{_H})\s*(?:点钟|点|時|时(?![间候段]))"
    rf"(?:\s*(?P<half>半)|\s*(?P<q>一刻|三刻|1刻|3刻)|\s*整|\s*(?P<m>{_MIN})(?:\s*分|(?![\d个号楼人位名座辆台]))(?!钟))?"
)
_COLON_RE = gated(
    r"(?<![\d:.])(?P<h>\d{1,2})\s*[:：]\s*(?P<m>\d{2})(?![\d:])(?:\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z]))?"
)
_AMPM_RE = gated(
    r"(?<![\d:.])(?P<h>\d{1,2})(?:\.(?P<m>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z])"
    r"|\bat\s+(?P<h2>\d{1,2})(?![\d:.])(?!\s*(?:a\.?m|p\.?m|人|people|ppl|pax|hours?|hrs?|mins?|minutes?|days?|of))"
    r"|\b(?P<noon>noon|midday)\b"
)
_RANGE_SEP_RE = gated(r"\s*(?:到|至|~|～|-|—|–|－|\bto\b|\buntil\b|\btill\b)\s*")
# "2到4点", "9-11am": the start written without its 点.
_BARE_RANGE_RE = gated(
    rf"(?<![\d:.])(?P<h>{_H})\s*(?:到|至|-|~|～|—|–|\s(?:to|till|until)\s)\s*(?P<h2>{_H})\s*(?P<u>点|时|am|pm)(?P<half>半)?"
)
_NOT_ONE_O_CLOCK = set("快早晚慢多少大小好有差近远高低些稍再")

_DURATION_RE = gated(
    r"(?P<n>\d+(?:\.\d+)?|[一二两三四五六七八九十]{1,3}|俩|仨|半)\s*个?\s*(?P<half>半)?\s*(?:小时|钟头|个钟)"
    r"|(?P<mins>\d+|[一二两三四五六七八九十]{1,3})\s*分钟"
    r"|\b(?P<en>\d+(?:\.\d+)?|an?|one|two|three|four|five|six)\s*(?P<enu>hours?|hrs?|h\b|minutes?|mins?)"
    r"|\bhalf an hour\b"
)




@dataclass(frozen=True, slots=True)
class TimeSlots:
    """The day and times a message names, and the character spans they took."""

    date: date | None = None
    start: datetime | None = None
    end: datetime | None = None
    spans: tuple[tuple[int, int], ...] = ()
    day_said: bool = False  # a day was named (明天, 周三, 12月5日), not inferred from a clock time
    duration: timedelta | None = None  # a length said (用两个小时), with or without a start


@dataclass(frozen=True, slots=True)
class _Clock:
    hour: int
    minute: int
    start: int
    end: int
    explicit: str | None  # part of day written next to it ("am"/"pm"/"noon") or None
    is_24h: bool  # 14:00, 18点: hour ≥ 13 or written with a leading zero




def _ap(s: str | None) -> str | None:
    if not s:
        return None
    return "pm" if s.startswith("p") else "am"


def _clocks(t: str) -> list[_Clock]:
    out: list[_Clock] = []
    for m in _COLON_RE.finditer(t) if (":" in t or "：" in t) else ():
        h, mi = int(m["h"]), int(m["m"])
        if h <= 24 and mi < 60:
            out.append(_Clock(h, mi, m.start(), m.end(), _ap(m["ap"]),
                              h >= 13 or m["h"].startswith("0")))
    for m in _AMPM_RE.finditer(t) if _LATIN.search(t) else ():
        if m["noon"]:
            out.append(_Clock(12, 0, m.start(), m.end(), "noon", True))
            continue
        hs = m["h"] or m["h2"]
        h = int(hs)
        mi = int(m["m"]) if m["m"] else 0
        if 1 <= h <= 24 and mi < 60:
            out.append(_Clock(h, mi, m.start(), m.end(), _ap(m["ap"]), h >= 13))
    for m in _CN_CLOCK_RE.finditer(t) if ("点" in t or "时" in t or "時" in t) else ():
        hs = m["h"]
        if hs == "一" and m.start("h") > 0 and t[m.start("h") - 1] in _NOT_ONE_O_CLOCK:
            continue
        hour = to_int(hs)
        if hour is None or hour > 24:
            continue
        h = hour
        mi = 0
        if m["half"]:
            mi = 30
        elif m["q"]:
            mi = 15 if m["q"][0] in "一1" else 45
        elif m["m"]:
            v = to_int(m["m"])
            if v is None or v >= 60:
                continue
            mi = v
        short = _SHORT_PART.get(m["short"] or "")
        s = m.start("h") if short is None else m.start()
        out.append(_Clock(h, mi, s, m.end(), short, h >= 13 or hs.startswith("0")))
    out.sort(key=lambda c: (c.start, -(c.end - c.start)))
    # drop clocks overlapping an earlier one
    kept: list[_Clock] = []
    for c in out:
        if kept and c.start < kept[-1].end:
            continue
        kept.append(c)
    return kept


def _apply_part(h: int, part: str | None, bare_pm: bool = True) -> int:
    if part == "pm":
        return h + 12 if h < 12 else h
    if part == "noon":
        return h + 12 if 1 <= h <= 5 else h
    if part == "am":
        return 0 if h == 12 and bare_pm is False else h
    if bare_pm and 1 <= h <= 6:
        return h + 12
    return h


def _part_before(t: str, pos: int, parts: list[tuple[int, int, str]]) -> str | None:
    best: str | None = None
    for _s, e, p in parts:
        if e <= pos:
            best = p
        else:
            break
    return best


# Not the length of the booking: 提前两个小时, 两个小时以后, 每半小时.
_NOT_DURATION_BEFORE = gated(r"(?:提前|早|晚|迟|每|隔|过|近|前|后|内)\s*$")
_NOT_DURATION_AFTER = gated(r"\s*(?:前|后|之前|之后|以前|以后|以内|之内|内|一次|一趟|\s*ago\b|\s*later\b|\s*before\b)")


def _duration(t: str, after: int) -> tuple[timedelta, int, int] | None:
    for m in _DURATION_RE.finditer(t, after):
        if _NOT_DURATION_BEFORE.search(t, max(0, m.start() - 3), m.start()) or _NOT_DURATION_AFTER.match(t, m.end()):
            continue
        if m["mins"]:
            v = to_int(m["mins"])
            if v:
                return timedelta(minutes=v), m.start(), m.end()
            continue
        if m["en"]:
            n = m["en"]
            val = EN_NUMBERS.get(n, None)
            f = float(n) if val is None else float(val)
            unit = m["enu"]
            if unit.startswith(("m",)):
                return timedelta(minutes=f), m.start(), m.end()
            return timedelta(hours=f), m.start(), m.end()
        if m.group(0) == "half an hour":
            return timedelta(minutes=30), m.start(), m.end()
        n = m["n"]
        if n == "半":
            hours = 0.5
        else:
            try:
                hours = float(n) if n[0].isdigit() else float(to_int(n) or 0)
            except ValueError:
                continue
            if m["half"]:
                hours += 0.5
        if 0 < hours <= 24:
            return timedelta(hours=hours), m.start(), m.end()
    return None


_DURATION_HINT = gated(r"小时|钟头|个钟|分钟|hour|hr|min|\dh\b")
# An end said apart from its start: "9点订接待室，4个人，到11点", "11点结束".
_END_BEFORE = gated(r"(?:到|至|直到|一直到|截止到?|\buntil|\btill|\bto)\s*(?:[上下中]午|晚上|傍晚)?\s*$")
_END_AFTER = gated(r"\s*(?:左右)?(?:结束|散会|为止|截止|止|前结束|回来|返回|返程|回程|\bend)")


def _separate_end(t: str, start_c: _Clock, clocks: list[_Clock]) -> _Clock | None:
    """The first later clock marked as an end (到11点, 11点结束), else None."""
    for c in clocks:
        if c.start < start_c.end:
            continue
        if _END_BEFORE.search(t, max(start_c.end, c.start - 8), c.start) or _END_AFTER.match(t, c.end):
            return c
    return None


def parse_time(text: str, now: datetime) -> TimeSlots:
    """Day, start and end named in normalised `text`, relative to the aware datetime `now`."""
    t = text
    today = now.date()
    spans: list[tuple[int, int]] = []
    found = _find_date(t, today)
    day: date | None = None
    if found:
        day = found[0]
        spans.extend(found[4])  # every day named, so "周一到周五" is never a destination
    parts = [(m.start(), m.end(), _PARTS[m.group(0)]) for m in PART_RE.finditer(t)]
    for s, e, _ in parts:
        spans.append((s, e))
    clocks = _clocks(t)
    # "2到4点": a range whose start has no 点
    bare = _BARE_RANGE_RE.search(t)
    start_c: _Clock | None = None
    end_c: _Clock | None = None
    if bare and (not clocks or bare.start() <= clocks[0].start):
        h1, h2 = to_int(bare["h"]), to_int(bare["h2"])
        if h1 is not None and h2 is not None and h1 <= 24 and h2 <= 24:
            u = bare["u"]
            ex = u if u in ("am", "pm") else None
            start_c = _Clock(h1, 0, bare.start(), bare.start("h2"), None, h1 >= 13)
            end_c = _Clock(h2, 30 if bare["half"] else 0, bare.start("h2"), bare.end(), ex, h2 >= 13)
    elif clocks:
        start_c = clocks[0]
        if len(clocks) > 1:
            sep = _RANGE_SEP_RE.match(t, start_c.end)
            if sep:
                # the end may carry its own part of day: 上午10点到下午2点
                nxt = clocks[1]
                gap = t[sep.end():nxt.start]
                if nxt.start >= sep.end() and (not gap.strip() or PART_RE.fullmatch(gap.strip())):
                    end_c = nxt
    apart = False
    if start_c is not None and end_c is None:
        end_c = _separate_end(t, start_c, clocks)
        apart = end_c is not None
    if start_c is None:
        dur = _duration(t, 0) if _DURATION_HINT.search(t) else None
        if dur:
            spans.append((dur[1], dur[2]))
        return TimeSlots(date=day, spans=tuple(spans), day_said=bool(found),
                         duration=dur[0] if dur else None)

    part = start_c.explicit or _part_before(t, start_c.start, parts)
    if part is None and found and found[3]:
        part = found[3]
    if start_c.explicit is None and end_c is not None and end_c.explicit in ("am", "pm") and part is None:
        part = end_c.explicit  # 9-11am, 2 to 4pm
    sh = start_c.hour if start_c.is_24h else _apply_part(start_c.hour, part)
    if start_c.explicit == "am" and start_c.hour == 12:
        sh = 0
    if sh >= 24:
        sh = 0 if sh == 24 else sh % 24
    start_min = sh * 60 + start_c.minute
    spans.append((start_c.start, start_c.end))

    end_min: int | None = None
    if end_c is not None:
        if apart:  # only the end itself: the words between keep their meaning
            sep = _END_BEFORE.search(t, max(start_c.end, end_c.start - 8), end_c.start)
            spans.append((sep.start() if sep else end_c.start, end_c.end))
        else:
            spans.append((start_c.start, end_c.end))
        gap_part = _part_before(t, end_c.start, [p for p in parts if p[0] >= start_c.end])
        epart = end_c.explicit or gap_part
        if end_c.is_24h:
            eh = end_c.hour
        elif epart is not None:
            eh = _apply_part(end_c.hour, epart)
            if end_c.explicit == "am" and end_c.hour == 12:
                eh = 0
        else:
            # carry the start's half of the day: 两点到四点, 4点到5点半
            eh = end_c.hour
            if sh >= 12 and eh < 12:
                eh += 12
        end_min = eh * 60 + end_c.minute
        if end_min <= start_min and end_c.hour <= 12 and not end_c.is_24h and epart is None:
            end_min += 12 * 60  # 10点到2点 is 10:00–14:00; 晚上10点到12点 ends at midnight
    duration: timedelta | None = None
    if end_c is None and _DURATION_HINT.search(t):
        # said after the start ("三点开始，用两个小时") or before it ("用两个小时，下午三点")
        dur = _duration(t, start_c.end) or _duration(t, 0)
        if dur:
            duration = dur[0]
            end_min = start_min + int(dur[0].total_seconds() // 60)
            spans.append((dur[1], dur[2]))

    if day is None:
        candidate = datetime.combine(today, datetime.min.time(), tzinfo=now.tzinfo)
        candidate = candidate + timedelta(minutes=start_min)
        now_floor = now.replace(second=0, microsecond=0)
        day = today if candidate >= now_floor else today + timedelta(days=1)
    base = datetime(day.year, day.month, day.day, tzinfo=now.tzinfo)
    start = base + timedelta(minutes=start_min)
    end: datetime | None = None
    if end_min is not None:
        if end_min <= start_min:
            end_min += 24 * 60
        end = base + timedelta(minutes=end_min)
    return TimeSlots(date=day, start=start, end=end, spans=tuple(spans), day_said=bool(found),
                     duration=duration)
