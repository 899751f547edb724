"""Keyword patterns in two scripts: the English half runs only on text with Latin letters.

Python's `re` tries every alternative at every position; keeping the English
alternatives (mostly `\\b…`) out of the Chinese pass halves the cost of the
big keyword lists, and most messages have no Latin letter at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_LATIN = re.compile(r"[a-z]")


@dataclass(frozen=True, slots=True)
class Keywords:
    """A Chinese pattern and an optional English one, searched as one."""

    zh: re.Pattern[str]
    en: re.Pattern[str] | None = None

    def search(self, t: str) -> re.Match[str] | None:
        m = self.zh.search(t)
        if m is None and self.en is not None and _LATIN.search(t):
            m = self.en.search(t)
        return m

    def sub(self, repl: str | Callable[[re.Match[str]], str], t: str) -> str:
        t = self.zh.sub(repl, t)
        if self.en is not None and _LATIN.search(t):
            t = self.en.sub(repl, t)
        return t


def keywords(zh: str, en: str | None = None) -> Keywords:
    """Compile a bilingual keyword list. The English half is compiled ASCII-only, so its
    `\\b` holds between a Latin letter and a Chinese one ("#1440 approve一下", "printer坏了")."""
    return Keywords(re.compile(zh), re.compile(en, re.ASCII) if en else None)
