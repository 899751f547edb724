"""Keyword patterns: the English half runs only on text with Latin letters, and every big
alternation is compiled behind a first-character gate.

Python's `re` tries every alternative at every position; keeping the English
alternatives (mostly `\\b…`) out of the Chinese pass halves the cost of the
big keyword lists, and most messages have no Latin letter at all.

`gated(pattern)` compiles a pattern with a lookahead of the characters a match can start
with (`(?=[会议报…])(?:…)`): `re` skips a position that holds none of them with one class
test, instead of entering each of a hundred alternatives that begin with a group, a
lookbehind or an optional word (`re` finds such a set itself only when every alternative
starts with a plain character). The set is read from the pattern's own parse tree, so the
gated pattern matches exactly what the pattern does (a lookahead is zero-width and every
match starts with one of its characters); a pattern whose start is not such a set (`.`,
`[^…]`, a back-reference, or one that may match the empty string) is compiled as it is.
Measured on the bench's messages: the status, fault, help and correction lists search
4–8 times faster. `gate_all(globals())` at the end of a module gates its patterns in place.
"""

from __future__ import annotations

import re
import re._constants as _c  # the parse tree `re` compiles from (a stable part of CPython)
import re._parser as _parser
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

_LATIN = re.compile(r"[a-z]")
_latin_memo: tuple[str, bool] = ("", False)


def has_latin(t: str) -> bool:
    """Whether `t` has a lower-case Latin letter; the one text asked about last is
    remembered (the keyword lists of one parse ask about the same text many times)."""
    global _latin_memo
    memo = _latin_memo
    if memo[0] is t:
        return memo[1]
    found = _LATIN.search(t) is not None
    _latin_memo = (t, found)
    return found


_CATEGORY = {_c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_WORD: r"\w", _c.CATEGORY_SPACE: r"\s"}


class _Open(Exception):
    """The start of the pattern is no finite set of characters."""


def _first(items: list[tuple[Any, Any]]) -> tuple[set[str], bool]:
    """The characters (or class escapes) a match of `items` can start with, and whether
    `items` can match the empty string."""
    out: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            out.add(re.escape(chr(av)))
            return out, False
        if op is _c.IN:
            for o, a in av:
                if o is _c.LITERAL:
                    out.add(re.escape(chr(a)))
                elif o is _c.RANGE:
                    out.add(f"{re.escape(chr(a[0]))}-{re.escape(chr(a[1]))}")
                elif o is _c.CATEGORY and a in _CATEGORY:
                    out.add(_CATEGORY[a])
                else:  # a negated class, \D, \W, \S
                    raise _Open
            return out, False
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):  # zero-width: the next item starts it
            continue
        if op is _c.CATEGORY and av in _CATEGORY:
            out.add(_CATEGORY[av])
            return out, False
        if op in (_c.SUBPATTERN, _c.ATOMIC_GROUP):
            sub = av[-1] if op is _c.SUBPATTERN else av
            chars, empty = _first(list(sub.data))
            out |= chars
        elif op is _c.BRANCH:
            empty = False
            for alt in av[1]:
                chars, alt_empty = _first(list(alt.data))
                out |= chars
                empty = empty or alt_empty
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            low, _high, sub = av
            chars, empty = _first(list(sub.data))
            out |= chars
            empty = empty or low == 0
        else:  # ., a back-reference, a conditional
            raise _Open
        if not empty:
            return out, False
    return out, True


def _has_own_prefix(items: list[tuple[Any, Any]]) -> bool:
    """Whether `re` finds a start set itself — a literal, a class, or alternatives that all
    begin with a literal (re._compiler's `_get_literal_prefix` / `_get_charset_prefix`) —
    or the pattern opens with a gate already."""
    while items and items[0][0] is _c.SUBPATTERN and not items[0][1][1] and not items[0][1][2]:
        items = list(items[0][1][-1].data)
    if not items:
        return False
    op, av = items[0]
    if op in (_c.LITERAL, _c.IN):
        return True
    if op is _c.ASSERT and av[0] == 1 and len(av[1].data) == 1 and av[1].data[0][0] is _c.IN:
        return True  # gated already, here or by hand (`(?=[…])…`)
    return op is _c.BRANCH and all(alt.data and alt.data[0][0] is _c.LITERAL for alt in av[1])


def _classes(pattern: str, flags: int) -> tuple[str | None, bool]:
    """(the class every match starts with or None, whether `re` finds a start itself)."""
    try:
        items = list(_parser.parse(pattern, flags).data)
        own = _has_own_prefix(items)
        chars, empty = _first(items)
    except (_Open, re.error):
        return None, False
    if empty or not chars:
        return None, False
    return "[" + "".join(sorted(chars)) + "]", own


def start_class(pattern: str, flags: int = 0) -> str | None:
    """The character class a match of `pattern` must start with, or None when there is
    no such class."""
    return _classes(pattern, flags)[0]


def first_class(pattern: str, flags: int = 0) -> str | None:
    """The class of `start_class`, or None when `re` already skips ahead by itself."""
    cls, own = _classes(pattern, flags)
    return None if own else cls


def _gated(text: str, flags: int, cls: str | None, own: bool) -> re.Pattern[str] | None:
    if cls is None or own:
        return None
    end = "\n" if flags & re.VERBOSE else ""  # a verbose pattern may end in a comment
    try:
        return re.compile(f"(?={cls})(?:{text}{end})", flags)
    except re.error:  # inline global flags ("(?i)…") must stay first
        return None


def gated(pattern: str | re.Pattern[str], flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, behind its first-character gate when it has one (a
    compiled pattern without a gate comes back as it is)."""
    if isinstance(pattern, re.Pattern):
        text, flags = pattern.pattern, pattern.flags
    else:
        text = pattern
    out = _gated(text, flags, *_classes(text, flags))
    if out is not None:
        return out
    return pattern if isinstance(pattern, re.Pattern) else re.compile(text, flags)


def gate_all(namespace: MutableMapping[str, Any]) -> None:
    """Gate every compiled pattern bound at a module's top level (`gate_all(globals())`
    as its last line); `Keywords` are gated when built."""
    for name, value in list(namespace.items()):
        if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
            namespace[name] = gated(value)


def _may_start_ascii(cls: str | None, flags: int) -> bool:
    """Whether a match starting with class `cls` (None: anything) may start with an
    ASCII character: a Chinese list that cannot is never run on an English message."""
    if cls is None:
        return True
    test = re.compile(cls, flags)
    return any(test.match(chr(c)) for c in range(128))


@dataclass(frozen=True, slots=True)
class Keywords:
    """A Chinese pattern and an optional English one, searched as one. `zh_ascii`: the
    Chinese half may match on text of ASCII characters alone."""

    zh: re.Pattern[str]
    en: re.Pattern[str] | None = None
    zh_ascii: bool = True
    # The text searched last and what was found: the rules of one parse ask the same list
    # about the same text several times (request_words, then classify). One tuple, so a
    # reader in another thread sees a text with its own answer.
    _last: list[tuple[str | None, re.Match[str] | None]] = field(
        default_factory=lambda: [(None, None)], compare=False, repr=False)

    def search(self, t: str) -> re.Match[str] | None:
        last = self._last[0]
        if last[0] is t:
            return last[1]
        m = self.zh.search(t) if self.zh_ascii or not t.isascii() else None
        if m is None and self.en is not None and has_latin(t):
            m = self.en.search(t)
        self._last[0] = (t, m)
        return m

    def sub(self, repl: str | Callable[[re.Match[str]], str], t: str) -> str:
        if self.zh_ascii or not t.isascii():
            t = self.zh.sub(repl, t)
        if self.en is not None and has_latin(t):
            t = self.en.sub(repl, t)
        return t


def keywords(zh: str, en: str | None = None) -> Keywords:
    """Compile a bilingual keyword list, both halves gated. The English half is compiled
    ASCII-only, so its `\\b` holds between a Latin letter and a Chinese one ("#1440
    approve一下", "printer坏了")."""
    cls, own = _classes(zh, 0)
    return Keywords(_gated(zh, 0, cls, own) or re.compile(zh), gated(en, re.ASCII) if en else None,
                    _may_start_ascii(cls, 0))
