"""Chinese, full-width and English numerals, one numeral at a time."""

from __future__ import annotations

import pytest

from nlp.numbers import to_int


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0), ("7", 7), ("12", 12), ("1024", 1024),
        ("一", 1), ("两", 2), ("二", 2), ("十", 10), ("十一", 11), ("十二", 12),
        ("二十", 20), ("二十五", 25), ("三十一", 31), ("九十九", 99),
        ("一百", 100), ("一百零五", 105), ("一百二十", 120), ("一百二", 120),
        ("两百", 200), ("三千五", 3500), ("一千零二十四", 1024), ("一万二千", 12000),
        ("一零二四", 1024), ("零", 0), ("〇", 0),
        ("five", 5), ("Twelve", 12),
    ],
)
def test_to_int(text: str, value: int) -> None:
    assert to_int(text) == value


@pytest.mark.parametrize("text", ["", "点", "abc", "半", "9" * 40])
def test_not_a_number(text: str) -> None:
    assert to_int(text) is None
