"""Ratings said in chat (nlp/rating.py): a score 1–5 and the comment as said. The
sentences here are written for the test and are not the rules' own examples."""

from __future__ import annotations

import re

import pytest

from nlp.rating import HINT, Rating, read_rating


@pytest.mark.parametrize(("text", "score", "comment"), [
    ("5分，很及时", 5, "很及时"),
    ("5", 5, ""),
    ("非常满意", 5, ""),
    ("一般", 3, ""),
    ("不太满意，等了三天", 2, "等了三天"),
    ("打4分吧，来得有点晚", 4, "来得有点晚"),
    ("三分", 3, ""),
    ("2 分，空调还是有异响", 2, "空调还是有异响"),
    ("师傅态度很好，五星", 5, "师傅态度很好"),
    ("还可以，就是慢了点", 3, "就是慢了点"),
    ("太差了，根本没修好", 1, "根本没修好"),
    ("滿意，謝謝師傅", 4, "謝謝師傅"),  # traditional characters, the comment as written
    ("1，完全没解决问题！", 1, "完全没解决问题"),
    ("满分！", 5, ""),
    ("4 分", 4, ""),
    ("修得又快又好，很满意", 5, "修得又快又好"),
    ("这次维修我很满意", 5, ""),
])
def test_scores_and_comments(text: str, score: int, comment: str) -> None:
    assert read_rating(text) == Rating(score, comment)
    assert re.search(HINT, text)


@pytest.mark.parametrize("text", [
    "明天下午3点用车", "3号楼502室灯不亮", "等了10分钟", "6分", "0分", "好的", "1024", "谢谢",
    "12", "十五分", "", "3号楼502室空调不好用", "打印机很差劲总卡纸", "网速一般般慢得很",
])
def test_not_a_rating(text: str) -> None:
    assert read_rating(text) is None
