"""Homophone slips in domain words (会义室, 下吴两点, 打印几), repaired by pinyin.

A pinyin keyboard offers every character of a syllable, so the common slip is a
word with one character of the same sound: 会义室 for 会议室, 打印几 for 打印机,
接带室 for 接待室. `repair_homophones(n)` compares the pinyin (toneless, every
reading of a heteronym) of the text against a short list of domain words and
rewrites a window that sounds like one of them, only where the exact word is
absent from the text, only when one character differs, and character for
character (spans found afterwards are the same in the user's text).

The readings come from `pypinyin`'s character dictionary, reduced at first use to
the syllables of the domain words; the check itself is a few dict look-ups per
character (no segmentation, no pinyin of the whole sentence).
"""

from __future__ import annotations

import re
import threading
import unicodedata

# (word, the text that must follow it): parts of the day only before a numeral
# (下五三点 is 下午三点, 上五楼 is not), 马桶 never before 志/学 (马同志 is a person).
DOMAIN_WORDS: tuple[tuple[str, str | None], ...] = (
    ("会议室", None), ("接待室", None), ("会客室", None), ("报告厅", None), ("健身房", None),
    ("多功能厅", None), ("洽谈室", None), ("打印机", None), ("复印机", None), ("投影仪", None),
    ("显示器", None), ("水龙头", None), ("卫生间", None), ("空调", None), ("马桶", r"(?![志学事])"),
    ("插座", None), ("电脑", None), ("派车", None), ("用车", None), ("约车", None), ("驳回", None),
    ("办公室", None), ("档案室", None), ("饮水机", None), ("热水器", None),
    ("同意", r"(?=\s*(?:#|\d|$|[，,。！!]))"), ("通过", r"(?=\s*(?:#|\d|$|[，,。！!]))"), ("暖气", None), ("不制冷", None), ("不制热", None), ("取消", r"(?![防毒费化])"),
    ("下午", r"(?=\s*[\d一二两三四五六七八九十])"), ("上午", r"(?=\s*[\d一二两三四五六七八九十])"),
)

_lock = threading.Lock()
_index: tuple[dict[str, frozenset[str]], dict[str, list[tuple[str, int]]],
              dict[str, tuple[str, ...]]] | None = None
_AFTER = {w: re.compile(a) for w, a in DOMAIN_WORDS if a}


def _toneless(p: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", p) if not unicodedata.combining(c)).replace("ü", "v")


def _build() -> tuple[dict[str, frozenset[str]], dict[str, list[tuple[str, int]]], dict[str, tuple[str, ...]]]:
    from pypinyin.pinyin_dict import pinyin_dict  # about 0.2 s: loaded once, at warm-up

    def readings(ch: str) -> frozenset[str]:
        raw = pinyin_dict.get(ord(ch), "")
        return frozenset(_toneless(p) for p in raw.split(",") if p)

    word_syl: dict[str, tuple[str, ...]] = {}
    needed: set[str] = set()
    for w, _ in DOMAIN_WORDS:
        # the reading used in the word: the first one shared with… every reading counts
        syl = tuple("|".join(sorted(readings(c))) for c in w)
        word_syl[w] = syl
        for s in syl:
            needed.update(s.split("|"))
    sounds: dict[str, frozenset[str]] = {}
    for code, raw in pinyin_dict.items():
        rs = frozenset(_toneless(p) for p in raw.split(",") if p) & needed
        if rs:
            sounds[chr(code)] = rs
    anchors: dict[str, list[tuple[str, int]]] = {}
    for w, _ in DOMAIN_WORDS:
        for k, c in enumerate(w):
            anchors.setdefault(c, []).append((w, k))
    return sounds, anchors, word_syl


def warm() -> None:
    """Build the pinyin index now (start-up), not on the first message."""
    global _index
    with _lock:
        if _index is None:
            _index = _build()


def repair_homophones(n: str) -> str:
    """`n` with homophone slips of domain words rewritten (same length)."""
    if _index is None:
        warm()
    assert _index is not None
    sounds, anchors, word_syl = _index
    out: list[str] | None = None
    for i, c in enumerate(n):
        for w, k in anchors.get(c, ()):
            s = i - k
            L = len(w)
            if s < 0 or s + L > len(n) or w in n:
                continue
            window = n[s:s + L]
            diff = [j for j in range(L) if window[j] != w[j]]
            if len(diff) != 1:
                continue
            j = diff[0]
            if not (sounds.get(window[j], frozenset()) & frozenset(word_syl[w][j].split("|"))):
                continue
            after = _AFTER.get(w)
            if after is not None and not after.match(n, s + L):
                continue
            if out is None:
                out = list(n)
            out[s:s + L] = list(w)
    return "".join(out) if out is not None else n
