"""Traditional text through OpenCC and homophone slips through pinyin keep the user's spans."""

from __future__ import annotations

import pytest

from nlp.homophones import repair_homophones
from nlp.normalize import normalize


@pytest.mark.parametrize(("text", "norm"), [
    ("空調不製冷", "空调不制冷"),      # 製 was outside the old hand table
    ("牆壁發黴", "墙壁发霉"),
    ("螺絲鬆了", "螺丝松了"),
    ("後日上午十時赴市政府", "后天上午十时去市政府"),
])
def test_traditional_and_old_words(text: str, norm: str) -> None:
    t = normalize(text)
    assert t.norm == norm
    assert t.orig == text and len(t.orig) == len(t.norm)


@pytest.mark.parametrize(("text", "fixed"), [
    ("明天订个会义室", "明天订个会议室"),
    ("下吴两点", "下午两点"),
    ("打印几卡纸了", "打印机卡纸了"),
    ("上五楼找我", "上五楼找我"),          # not before a numeral: not a part of the day
    ("马同志明天用车", "马同志明天用车"),  # a person, not a toilet
    ("会议室和会义室", "会议室和会义室"),  # the exact word is present: nothing rewritten
])
def test_homophones(text: str, fixed: str) -> None:
    assert repair_homophones(text) == fixed
