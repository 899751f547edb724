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
# Each character of a domain word → (the word, where the character stands in it, the
# syllables every character of the word may be read as); built at warm-up (`_build`).
_Anchor = tuple[str, int, tuple[frozenset[str], ...]]
# And each character that sounds like a character of a domain word without being it →
# (the word, where it would stand): the slips a text can hold, found in one pass.
_Slip = tuple[str, int]
_Index = tuple[dict[str, frozenset[str]], dict[str, tuple[_Anchor, ...]], dict[str, tuple[_Slip, ...]]]
_index: _Index | None = None
_AFTER = {w: re.compile(a) for w, a in DOMAIN_WORDS if a}


def _toneless(p: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", p) if not unicodedata.combining(c)).replace("ü", "v")


def _build() -> _Index:
    from pypinyin.pinyin_dict import pinyin_dict  # about 0.2 s: loaded once, at warm-up

    def readings(ch: str) -> frozenset[str]:
        raw = pinyin_dict.get(ord(ch), "")
        return frozenset(_toneless(p) for p in raw.split(",") if p)

    word_syl: dict[str, tuple[frozenset[str], ...]] = {}
    needed: set[str] = set()
    for w, _ in DOMAIN_WORDS:
        syl = tuple(readings(c) for c in w)  # every reading of each character counts
        word_syl[w] = syl
        for rs in syl:
            needed.update(rs)
    sounds: dict[str, frozenset[str]] = {}
    for code, raw in pinyin_dict.items():
        rs = frozenset(_toneless(p) for p in raw.split(",") if p) & needed
        if rs:
            sounds[chr(code)] = rs
    anchors: dict[str, list[_Anchor]] = {}
    by_syllable: dict[str, list[_Slip]] = {}
    for w, _ in DOMAIN_WORDS:
        for k, c in enumerate(w):
            anchors.setdefault(c, []).append((w, k, word_syl[w]))
            for r in word_syl[w][k]:
                by_syllable.setdefault(r, []).append((w, k))
    slips: dict[str, tuple[_Slip, ...]] = {}
    alike: dict[frozenset[str], list[_Slip]] = {}  # many characters share one set of readings
    for ch, rs in sounds.items():
        heard = alike.get(rs)
        if heard is None:
            heard = alike[rs] = sorted({slip for r in rs for slip in by_syllable.get(r, ())})
        found = tuple(slip for slip in heard if slip[0][slip[1]] != ch)
        if found:
            slips[ch] = found
    return sounds, {c: tuple(a) for c, a in anchors.items()}, slips


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
    slips = _index[2]
    # One pass over the characters that may be a slip; nearly every text has none or one
    # (then it is the answer). Two or more that may overlap: rewritten in the reading
    # order of `_repair_in_order`, whose later window wins.
    found: list[tuple[int, str]] = []
    size = len(n)
    for p, c in enumerate(n):
        hits = slips.get(c)
        if hits is None:
            continue
        for w, j in hits:
            s = p - j
            L = len(w)
            if s < 0 or s + L > size or not n.startswith(w[:j], s) or not n.startswith(w[j + 1:], p + 1) \
                    or w in n:
                continue
            after = _AFTER.get(w)
            if after is not None and not after.match(n, s + L):
                continue
            found.append((s, w))
    if not found:
        return n
    if len(found) == 1:
        s, w = found[0]
        return n[:s] + w + n[s + len(w):]
    return _repair_in_order(n)


def _repair_in_order(n: str) -> str:
    """Each window that sounds like a domain word and differs from it in one character,
    rewritten in the order its characters are read."""
    assert _index is not None
    sounds, anchors, _ = _index
    out: list[str] | None = None
    size = len(n)
    for i, c in enumerate(n):
        hits = anchors.get(c)
        if hits is None:
            continue
        for w, k, syl in hits:
            s = i - k
            L = len(w)
            if s < 0 or s + L > size or w in n:
                continue
            # the one character that differs (the anchor itself is the same)
            j = -1
            for x in range(L):
                if n[s + x] != w[x]:
                    if j >= 0:
                        j = -2
                        break
                    j = x
            if j < 0:
                continue
            heard = sounds.get(n[s + j])
            if heard is None or not heard & syl[j]:
                continue
            after = _AFTER.get(w)
            if after is not None and not after.match(n, s + L):
                continue
            if out is None:
                out = list(n)
            out[s:s + L] = list(w)
    return "".join(out) if out is not None else n
