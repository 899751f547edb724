"""Text normalisation for matching (first NLU component).

`normalize(text)` returns two strings of the same length:

* ``orig`` — the user's text after per-character NFKC (full-width digits and
  punctuation become ASCII); slot text is cut from it, so slots keep the
  user's own characters (traditional, English case).
* ``norm`` — ``orig`` lower-cased, traditional characters mapped to simplified
  ones (OpenCC t2s), a few common typing slips and old-style words rewritten, and
  homophone slips in domain words repaired (`nlp.homophones`); every rule matches on it.

Both mappings are one character to one character, so a span found in ``norm``
is the same span in ``orig``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

from nlp.homophones import repair_homophones

# Traditional → simplified by OpenCC's t2s tables (every character, not a hand-picked few),
# kept one character to one character (see `_t2s`). The converter is built once, lazily.
_OPENCC: opencc.OpenCC | None = None


def _converter() -> opencc.OpenCC:
    global _OPENCC
    if _OPENCC is None:
        _OPENCC = opencc.OpenCC("t2s")
    return _OPENCC


def _t2s(s: str) -> str:
    """`s` in simplified characters, of the same length (phrase rules that change the
    length, rare in t2s, fall back to converting that text character by character)."""
    if s.isascii():
        return s
    out = _converter().convert(s)
    if len(out) == len(s):
        return out
    conv = _converter().convert
    return "".join(c2 if len(c2 := conv(c)) == 1 else c for c in s)


# Same-length rewrites so that one rule serves both wordings: slips of the pinyin keyboard
# seen in this domain, old-style words (后日 = 后天, 赴 = 去), a typo of a decision word.
_TYPOS: tuple[tuple[str, str], ...] = (
    ("越个车", "约个车"),
    ("越辆车", "约辆车"),
    ("保修", "报修"),
    ("报休", "报修"),
    ("派扯", "派车"),
    ("拨回", "驳回"),
    ("驳会", "驳回"),
    ("后日", "后天"),
    ("赴", "去"),
)

MAX_CHARS = 500
"""Only the first MAX_CHARS characters are analysed: keeps every parse bounded."""


@dataclass(frozen=True, slots=True)
class Text:
    """The user's text for slot cutting and its normalised twin for matching."""

    orig: str
    norm: str


_KEPT_PUNCTUATION = frozenset("，。：；！？（）、【】《》“”‘’～")
_CONTROL_TABLE = {c: " " for c in (*range(0x20), 0x7F)}


def _nfkc_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


def normalize(text: str) -> Text:
    """Normalise `text` (capped to MAX_CHARS) into an `orig`/`norm` pair of equal length."""
    return _normalize(text[:MAX_CHARS])


# A message is normalised several times in its turn (the several-services test, the
# reading, a rating's, the dialogue words'): the last ones kept. Pure: the tables and the
# homophone index are fixed once built.
@lru_cache(maxsize=256)
def _normalize(text: str) -> Text:
    raw = text.translate(_CONTROL_TABLE)  # control characters separate words
    orig = unicodedata.normalize("NFKC", raw)
    if len(orig) != len(raw):  # a character expanded (㎡, ﬁ): fold one by one, keep lengths
        orig = "".join(_nfkc_char(c) for c in raw)
    norm = _t2s(orig)
    if len(orig) == len(raw) and orig != raw:
        # Slots keep the user's own punctuation ("时间冲突，改天吧"): NFKC folds "，" to ","
        # for matching only.
        orig = "".join(r if r in _KEPT_PUNCTUATION else o for r, o in zip(raw, orig, strict=True))
    low = norm.lower()
    norm = low if len(low) == len(norm) else "".join(c if len(c.lower()) != 1 else c.lower() for c in norm)
    for wrong, right in _TYPOS:
        if wrong in norm:
            norm = norm.replace(wrong, right)
    norm = repair_homophones(norm)
    return Text(orig=orig, norm=norm)
