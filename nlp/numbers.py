"""Chinese and Arabic numerals → int, one numeral at a time.

Never converts a whole sentence (cn2an's "两点半" → "2点0.5" failure): callers
find a numeral with a regex that uses `CN_NUM` / `NUM` and convert only it.
"""

from __future__ import annotations

CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "俩": 2, "仨": 3,
}
CN_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000, "万": 10000}

CN_NUM = "[零〇一幺二两三四五六七八九十百千万廿卅]+"
"""A run of Chinese numeral characters (regex fragment)."""
NUM = rf"(?:\d+|{CN_NUM})"
"""An Arabic or a Chinese numeral (regex fragment)."""

EN_NUMBERS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1,
}


def _cn_to_int(s: str) -> int | None:
    if "廿" in s or "卅" in s:  # old-style twenty and thirty: 廿人, 廿五
        s = s.replace("廿", "二十").replace("卅", "三十")
    if any(c in CN_UNITS for c in s):
        total = 0  # sum of completed 万 groups
        section = 0  # value below 万
        digit: int | None = None
        for c in s:
            if c in CN_DIGITS:
                digit = CN_DIGITS[c]
            elif c == "万":
                section += digit or 0
                total += (section or 1) * 10000
                section, digit = 0, None
            else:
                unit = CN_UNITS[c]
                section += (1 if digit is None else digit) * unit
                digit = None
        if digit is not None:
            # 一百二 = 120, 三千五 = 3500: a trailing digit right after a unit counts one unit lower
            last_unit = next((CN_UNITS[c] for c in reversed(s) if c in CN_UNITS), 1)
            if s[-2:-1] in CN_UNITS and last_unit >= 100 and s[-1] in CN_DIGITS:
                section += digit * last_unit // 10
            else:
                section += digit
        return total + section
    # digit by digit: 一零二四 = 1024
    value = 0
    for c in s:
        if c not in CN_DIGITS:
            return None
        value = value * 10 + CN_DIGITS[c]
    return value


def to_int(s: str) -> int | None:
    """The value of one numeral (`'12'`, `'十二'`, `'两'`, `'一百零五'`, `'five'`), else None."""
    s = s.strip()
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return int(s) if len(s) <= 12 else None
    if s.lower() in EN_NUMBERS:
        return EN_NUMBERS[s.lower()]
    if len(s) > 12:
        return None
    try:
        return _cn_to_int(s)
    except (KeyError, TypeError):
        return None
