"""Which day a message names (CONTRACT §6 time conventions), for `nlp.timeparse`.

今天/明天/后天/大后天/明早/今晚, 周X/本周X/下周X, X号, M月X日, 下个月5号, 明年12月31日,
2026-12-05, 12/5 and the English ones, always relative to the `today` it is given.
Also the pieces both readers share: the hour numeral, the parts of the day, and the
cheap membership tests. Every regex is linear.
"""

from __future__ import annotations

from datetime import date, timedelta

from nlp.keywords import gated
from nlp.numbers import to_int

# An hour as a well-formed numeral (九, 十一, 二十三): "周四九点" is 九点 on Thursday, never
# an hour "四九" that no clock has.
_H = r"(?:\d{1,2}|二十[一二三四]?|十[一二三四五六七八九]?|[零一二两三四五六七八九])"

# Parts of the day. Value: "am" keeps the hour, "noon" 12/1–5 → 12/13–17, "pm" adds 12.
_PARTS: dict[str, str] = {
    "凌晨": "am", "清晨": "am", "早晨": "am", "早上": "am", "一早": "am", "上午": "am",
    "早间": "am", "明早": "am", "今早": "am", "明晨": "am", "中午": "noon", "午间": "noon",
    "下午": "pm", "傍晚": "pm", "晚上": "pm", "晚间": "pm", "夜里": "pm", "夜间": "pm",
    "今晚": "pm", "明晚": "pm", "今夜": "pm", "明天晚上": "pm",
    "morning": "am", "afternoon": "pm", "evening": "pm", "tonight": "pm", "noon": "noon",
}

_REL_DAYS: dict[str, int] = {
    "大后天": 3, "后天": 2, "明天": 1, "明日": 1, "明儿": 1, "明早": 1, "明晚": 1, "明晨": 1,
    "今天": 0, "今日": 0, "今儿": 0, "今早": 0, "今晚": 0, "今夜": 0, "当天": 0,
    "day after tomorrow": 2, "tomorrow": 1, "today": 0, "tonight": 0,
    "tmr": 1, "tmrw": 1, "tmw": 1, "2mr": 1, "2day": 0,  # chat shorthand
}
_REL_RE = gated(
    r"大后天|后天|明天|明日|明儿|明早|明晚|明晨|今天|今日|今儿|今早|今晚|今夜"
    r"|day after tomorrow|\btomorrow\b|\btoday\b|\btonight\b|\btmrw?\b|\btmw\b|\b2mr\b|\b2day\b"
)

_WEEKDAY_CN = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
               "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
# 下 after 一 is the verb's "一下" (约一下周五, 看一下周五: this Friday, today when said on a
# Friday), never "next week"; 上 after 早/晚/马 is 早上/晚上/马上, never "last week".
_WEEK_RE = gated(
    r"(?P<pre>(?<!一)下下个?|(?<!一)下个?|本|这个?|(?<![早晚马])上个?)?(?:周|星期|礼拜)(?:的)?(?:周|星期|礼拜)?"
    r"(?P<d>[一二三四五六日天七1-7])(?![0-9一二三四五六七八九十]*(?:次|个|号楼|楼))"
)
_EN_WEEKDAYS = {"monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2,
                "wed": 2, "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4,
                "saturday": 5, "sat": 5, "sunday": 6, "sun": 6}
_EN_WEEK_RE = gated(
    r"\b(?:(?P<pre>next|this|coming)\s+)?(?P<d>monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\b\.?"
)
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
           "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
_EN_MON = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_EN_MD_RE = gated(
    rf"\b{_EN_MON}\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\b"
)
_YMD_RE = gated(
    r"(?<!\d)(?P<y>20\d\d)\s*(?:年|-|/|\.)\s*(?P<m>\d{1,2})\s*(?:月|-|/|\.)\s*(?P<d>\d{1,2})\s*(?:日|号)?(?!\d)"
)
_MD_RE = gated(
    rf"(?<![\d.])(?P<m>{_H})\s*月\s*(?P<d>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*(?:日|号)?(?![\d份])"
)
_MD_SLASH_RE = gated(r"(?<![\d/.])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/:])")
# A year said before a month and day: 明年12月31日.
_YEAR_WORD_RE = gated(r"(?P<y>今年|明年|后年|去年|next year|this year)\s*的?\s*$")
_YEAR_OFFSET = {"今年": 0, "this year": 0, "明年": 1, "next year": 1, "后年": 2, "去年": -1}
# A day of a month named relative to this one: 下个月5号, 本月30日.
_REL_MONTH_DAY_RE = gated(
    r"(?P<pre>下下个?月|下个?月|次月|本月|这个?月|当月)\s*的?\s*(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:号|日)"
)
_DAY_RE = gated(
    r"(?<![\d#月第.])(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:号|日)"
    r"(?![楼栋幢座室厅房间门线位车机口窗柜桌台院馆会接报包健礼申单口])"
)


_LATIN = gated(r"[a-z]")
_DIGIT = gated(r"\d")


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    idx = y * 12 + (m - 1) + k
    return idx // 12, idx % 12 + 1


def _make_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _find_date(t: str, today: date) -> tuple[date, int, int, str | None, list[tuple[int, int]]] | None:
    """The first day named in `t`: (day, span start, span end, part of day it implies, all day spans)."""
    found: list[tuple[int, int, date, str | None]] = []
    # cheap membership tests first: most messages name one kind of day at most
    latin = _LATIN.search(t) is not None
    digits = _DIGIT.search(t) is not None
    for m in _REL_RE.finditer(t):
        word = m.group(0)
        found.append((m.start(), m.end(), today + timedelta(days=_REL_DAYS[word]), _PARTS.get(word)))
    for m in _YMD_RE.finditer(t) if digits else ():
        dd = _make_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if dd:
            found.append((m.start(), m.end(), dd, None))
    for m in _MD_RE.finditer(t) if "月" in t else ():
        mo, dy = to_int(m["m"]), to_int(m["d"])
        if mo and dy and 1 <= mo <= 12:
            year = _YEAR_WORD_RE.search(t, max(0, m.start() - 12), m.start())
            if year:  # the year said wins: 明年3月5日, 今年12月30日
                dd = _make_date(today.year + _YEAR_OFFSET[year["y"]], mo, dy)
                if dd:
                    found.append((year.start(), m.end(), dd, None))
                continue
            dd = _month_day(today, mo, dy)
            if dd:
                found.append((m.start(), m.end(), dd, None))
    for m in _REL_MONTH_DAY_RE.finditer(t) if "月" in t else ():
        dy = to_int(m["d"])
        pre = m["pre"]
        k = 2 if pre.startswith("下下") else 1 if pre.startswith(("下", "次")) else 0
        y, mo = _add_months(today.year, today.month, k)
        dd = _make_date(y, mo, dy) if dy else None
        if dd:
            found.append((m.start(), m.end(), dd, None))
    for m in _MD_SLASH_RE.finditer(t) if "/" in t else ():
        mo, dy = int(m["m"]), int(m["d"])
        if 1 <= mo <= 12:
            dd = _month_day(today, mo, dy)
            if dd:
                found.append((m.start(), m.end(), dd, None))
    for m in _EN_MD_RE.finditer(t) if latin else ():
        mon = m["mon"] or m["mon2"]
        dy = int(m["d"] or m["d2"])
        dd = _month_day(today, _MONTHS[mon[:3] if mon[:4] != "sept" else "sep"], dy)
        if dd:
            found.append((m.start(), m.end(), dd, None))
    for m in _WEEK_RE.finditer(t) if ("周" in t or "星期" in t or "礼拜" in t) else ():
        found.append((m.start(), m.end(), _weekday(today, _WEEKDAY_CN[m["d"]], m["pre"] or ""), None))
    for m in _EN_WEEK_RE.finditer(t) if latin else ():
        pre = {"next": "下", "this": "本"}.get(m["pre"] or "", "")
        found.append((m.start(), m.end(), _weekday(today, _EN_WEEKDAYS[m["d"]], pre), None))
    for m in _DAY_RE.finditer(t) if ("号" in t or "日" in t) else ():
        dy = to_int(m["d"])
        if dy and 1 <= dy <= 31:
            dd = _day_of_month(today, dy)
            if dd:
                found.append((m.start(), m.end(), dd, None))
    if not found:
        return None
    # earliest first; at one position the longest (1月8号 over 8号)
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    s, e, dd, part = found[0]
    return dd, s, e, part, [(f[0], f[1]) for f in found]


def _month_day(today: date, mo: int, dy: int) -> date | None:
    dd = _make_date(today.year, mo, dy)
    if dd is None:
        return _make_date(today.year + 1, mo, dy)
    if dd < today:
        return _make_date(today.year + 1, mo, dy)
    return dd


def _day_of_month(today: date, dy: int) -> date | None:
    if dy >= today.day:
        dd = _make_date(today.year, today.month, dy)
        if dd:
            return dd
    for k in (1, 2):
        y, m = _add_months(today.year, today.month, k)
        dd = _make_date(y, m, dy)
        if dd:
            return dd
    return None


def _weekday(today: date, wd: int, pre: str) -> date:
    monday = today - timedelta(days=today.weekday())
    if pre.startswith("下下"):
        return monday + timedelta(days=14 + wd)
    if pre.startswith("下"):
        return monday + timedelta(days=7 + wd)
    if pre.startswith(("本", "这")):
        return monday + timedelta(days=wd)
    if pre.startswith("上"):
        return monday + timedelta(days=wd - 7)
    ahead = (wd - today.weekday()) % 7
    return today + timedelta(days=ahead)
