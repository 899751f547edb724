"""A rating said in chat (统一反馈): a score 1–5 and the rest of the message as the
comment, as said.

    "5分，很及时"        → 5, "很及时"
    "五星"               → 5, ""
    "非常满意"           → 5, ""
    "一般"               → 3, ""
    "不太满意，等了三天"  → 2, "等了三天"

A message is a rating when one clause is a score ("4分", "五星", "满分", a bare digit
said alone or first) or a word of satisfaction ("满意", "一般", "太差"); other clauses are
the comment. Words are matched on the normalised text (traditional characters, typos),
the comment cut from the user's own characters. Whether a rating is expected (a finished
repair or trip waits for one) is the handler's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.keywords import gate_all
from nlp.normalize import normalize
from nlp.numbers import CN_DIGITS

MAX_CHARS = 120  # a longer message is not a rating

# Words of satisfaction, longest first within a score so "非常不满意" is not read as
# "满意": (score, words).
WORDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, ("非常不满意", "特别不满意", "十分不满意", "极不满意", "很不满意", "太不满意", "非常差",
         "特别差", "太差", "很差", "极差", "差劲", "太糟糕", "很糟糕", "糟糕透了", "糟透了", "很失望",
         "非常失望", "一星")),
    (2, ("不太满意", "不大满意", "不怎么满意", "不是很满意", "不满意", "有点失望", "比较差",
         "较差", "差评", "不太好", "不好", "两星", "二星")),
    (3, ("马马虎虎", "说得过去", "还凑合", "凑合", "一般般", "一般", "还行", "还可以", "中规中矩",
         "三星")),
    (4, ("比较满意", "挺满意", "还算满意", "基本满意", "满意", "还不错", "不错", "挺好", "四星")),
    (5, ("非常满意", "特别满意", "十分满意", "很满意", "太满意", "超满意", "相当满意", "满分",
         "非常好", "特别好", "太好了", "很好", "好评", "五星", "完美", "点赞")),
)
_WORDS = sorted(((w, s) for s, ws in WORDS for w in ws), key=lambda x: -len(x[0]))
_WORD_RE = re.compile("|".join(re.escape(w) for w, _ in _WORDS))
_WORD_SCORE = dict(_WORDS)
# Words that rate even inside a longer clause ("修得很快很满意"); the others (好, 差, 一般,
# 还行) only as a clause of their own ("不好用" describes a fault, not the service).
_RATING_ONLY = re.compile(r"满意|[一二两三四五]星|好评|差评|满分|点赞|失望")

_DIGIT = "[0-9零一二两三四五六七八九十]"
_SCORE_RE = re.compile(rf"({_DIGIT}{{1,2}})\s*(?:分(?!钟)|颗星|星)")
_BARE_RE = re.compile(r"^\s*([1-5])(?!\s*(?:分|星|颗))(?=\s*(?:[，,。.！!；;、\s]|$))")
_CLAUSE_RE = re.compile(r"[^，,。.！!；;、~～\n]+")
# What a clause holding only a score says around it ("我给5分吧", "总体很满意").
_FILLER = re.compile(
    r"(?:我|给|打|评|评分|打分|评价|就|感觉|觉得|总体|整体|总的来说|服务|这次|维修|师傅|司机|"
    r"吧|了|啊|呀|哦|嗯|的|是|很|还|都|给你们|给您|给他|给她|对|比较|挺|非常|就是|\s)+"
)


@dataclass(frozen=True, slots=True)
class Rating:
    score: int
    comment: str = ""  # the rest of the message, as said ("" when nothing else)


def _number(raw: str) -> int | None:
    if raw.isdigit():
        return int(raw)
    if raw == "十":
        return 10
    if len(raw) == 1 and raw in CN_DIGITS:
        return CN_DIGITS[raw]
    return None  # "十五分" and the like: not a 1–5 score


def _clause_score(clause: str) -> tuple[int, tuple[int, int] | None] | None:
    """The score a clause gives and, for a number ("3分"), where it stands in the clause
    (the rest is comment); None when the clause gives no score."""
    m = _SCORE_RE.search(clause)
    if m is not None:
        n = _number(m.group(1))
        if n is None or not 1 <= n <= 5:
            return None
        return n, m.span()
    w = _WORD_RE.search(clause)
    if w is not None:
        return _WORD_SCORE[w.group(0)], None
    return None


def _says_more(rest: str) -> bool:
    """Whether what is left of a score's clause says something (not fillers, not more
    words of satisfaction)."""
    return bool(_FILLER.sub("", _WORD_RE.sub("", rest)))


def read_rating(text: str) -> Rating | None:
    """The score and comment of `text`, or None when it gives no score."""
    if not text or len(text) > MAX_CHARS:
        return None
    t = normalize(text)
    norm = t.norm
    raw = text if len(text) == len(norm) else t.orig
    clauses = [m.span() for m in _CLAUSE_RE.finditer(norm)]
    if not clauses:
        return None
    # Which clause gives the score: a number ("3分", or a digit said first) before a word,
    # a clause that is only the score before one that says more ("师傅态度很好，五星").
    found: list[tuple[int, int, int, str]] = []  # (rank, clause, score, comment part)
    bare = _BARE_RE.match(norm)
    for i, (a, b) in enumerate(clauses):
        if i == 0 and bare is not None:
            rest = raw[bare.end():b].strip() if _says_more(norm[bare.end():b]) else ""
            found.append((0, i, int(bare.group(1)), rest))
            continue
        got = _clause_score(norm[a:b])
        if got is None:
            continue
        n, span = got
        if span is not None:  # "3分 太慢了": the words around the number are the comment
            more = _says_more(norm[a:a + span[0]] + norm[a + span[1]:b])
            rest = " ".join((raw[a:a + span[0]] + " " + raw[a + span[1]:b]).split()) if more else ""
            found.append((0, i, n, rest))
        else:  # "修得很快很满意": a clause that says more than the score is kept whole
            more = _says_more(norm[a:b])
            if more and not _RATING_ONLY.search(norm[a:b]):
                continue  # "空调不好用": 不好 inside a sentence is no rating
            found.append((2 if more else 1, i, n, raw[a:b].strip() if more else ""))
    if not found:
        return None
    _, chosen, score, rest = min(found)
    kept = [rest if i == chosen else raw[a:b].strip() for i, (a, b) in enumerate(clauses)]
    comment = "，".join(k for k in kept if k)
    return Rating(score, comment)


HINT = r"[分星满滿般行差好凑湊错錯赞贊望糟美]|可以|^\s*[1-5]\s*(?:[，,。.！!；;、\s]|$)"
"""A regex every rating matches, traditional characters included: a cheap first test
before `read_rating`."""


gate_all(globals())  # every pattern above behind its first-character gate (nlp/keywords.py)
