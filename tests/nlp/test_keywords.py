"""The first-character gate (nlp/keywords.py): the set read from a pattern, and every gated
pattern of nlp/ matching exactly what it matched without its gate."""

from __future__ import annotations

import importlib
import json
import pkgutil
import random
import re
from pathlib import Path

import pytest

import nlp
from nlp.keywords import Keywords, first_class, gated, has_latin, keywords, start_class

ROOT = Path(__file__).resolve().parents[2]
_GATE = re.compile(r"^\(\?=\[(?:\\.|[^\]\\])*\]\)\(\?:")


@pytest.mark.parametrize(("pattern", "chars"), [
    (r"(?<!一)下下个?|(?<!一)下个?|本", "下本"),  # a lookbehind is zero-width
    (r"(?:好的?)?(?:收到|接单)", "好收接"),  # an optional start adds the next item's
    (r"(?:很|太)?卡顿|\d+座", r"\d卡太很"),  # \d kept as a class escape
    (r"\bnot working\b|\bjam", "jn"),
    (r"[一-三]号", "一-三"),
])
def test_start_set(pattern: str, chars: str) -> None:
    assert start_class(pattern) == "[" + "".join(sorted(re.findall(r"\\.|.-.|.", chars))) + "]"


@pytest.mark.parametrize("pattern", [
    r"a?", r"(?:x|)", r".好", r"[^好]坏", r"(a)?\1b", r"\D", r"\W+x", r"(a)?(?(1)b|c)",
])
def test_no_start_set(pattern: str) -> None:
    """Anything may start a match (or none need start one): no gate."""
    assert start_class(pattern) is None
    assert gated(pattern).pattern == pattern


def test_gate_only_where_re_has_none() -> None:
    """`re` finds a literal or a class at the start itself: no lookahead added."""
    for own in (r"理由|原因", r"[会开]议", r"(?:撤销|撤回)申请"):
        assert first_class(own) is None
    assert first_class(r"(?:批|签)了吗|怎么被") == "[怎批签]"
    p = gated(r"(?:批|签)了吗|怎么被")
    assert p.pattern.startswith("(?=[怎批签])(?:") and p.search("这个签了吗").span() == (2, 5)


def test_keywords_skip_chinese_on_ascii() -> None:
    kw = keywords(r"(?:很|太)?卡|死机", r"\bstuck\b")
    assert not kw.zh_ascii and kw.search("printer stuck").group(0) == "stuck"
    assert kw.search("电脑很卡").group(0) == "很卡"
    mixed = keywords(r"\d+座|轿车")
    assert mixed.zh_ascii and mixed.search("7座").group(0) == "7座"
    t = "printer坏了"
    assert has_latin(t) and has_latin(t) and not has_latin("坏了")


def _inner(p: re.Pattern[str]) -> re.Pattern[str] | None:
    m = _GATE.match(p.pattern)
    if m is None:
        return None
    return re.compile(p.pattern[m.end():].removesuffix(")").removesuffix("\n"), p.flags)


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    out: list[tuple[str, re.Pattern[str]]] = []
    for info in pkgutil.iter_modules(nlp.__path__):
        mod = importlib.import_module(f"nlp.{info.name}")
        for name, value in vars(mod).items():
            if isinstance(value, re.Pattern):
                out.append((f"{info.name}.{name}", value))
            elif isinstance(value, Keywords):
                out += [(f"{info.name}.{name}.{h}", p) for h, p in (("zh", value.zh), ("en", value.en)) if p]
    return out


def _texts() -> list[str]:
    texts: list[str] = []
    # the team's dev set when ../shared is there (a clean clone elsewhere has only the repo's)
    for path in (ROOT.parent / "shared" / "nlu" / "dev.jsonl", ROOT / "tests" / "nlp" / "heldout.jsonl",
                 ROOT / "tests" / "nlp" / "fresh.jsonl"):
        if not path.is_file():
            continue
        texts += [json.loads(line)["text"].lower() for line in path.read_text(encoding="utf-8").splitlines() if line]
    rnd = random.Random(14)
    alphabet = "会议室车去到点半一二三四五六七八九十号楼的了吗没坏修不要订约取消同意驳回 ,，#12345ampto"
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 24))) for _ in range(300)]
    return texts


def test_every_gated_pattern_matches_as_before() -> None:
    texts = _texts()
    gated_count = 0
    for name, p in _patterns():
        inner = _inner(p)
        if inner is None:
            continue
        gated_count += 1
        assert _inner(inner) is None, name  # gated once, even when imported and gated again
        for t in texts:
            got = [(m.span(), m.groups()) for m in p.finditer(t)]
            assert got == [(m.span(), m.groups()) for m in inner.finditer(t)], (name, t)
            a, b = p.match(t), inner.match(t)
            assert (a and a.span()) == (b and b.span()), (name, t)
    assert gated_count > 100  # the big lists of intents, faults, slots, times
