"""The NLU scored on the fresh set and its never-tuned tail (issue 14, second evaluation).

`fresh.jsonl` (319) and `fresh_tail.jsonl` (60) were written together, before the rules
were read closely and without looking at their keyword lists: the nine error families of
issue 14 (field `family`: f1 … f9) and everyday requests (`ev`) and asset requests (`as`)
in terse, polite, long, English, mixed, traditional, mistyped and voice-transcript styles,
labelled by CONTRACT §6 with `--now` 2026-11-27T10:00 (a Friday). The 60 tail sentences
were drawn at random from the same pool, committed with the set and scored only once,
after the rules were done: they are the honest "unseen" figure. Never tune a rule to a
sentence of either file; a miss here is fixed by a family (a lexicon entry, a shape, a
detector), and the tail's figure is read again only by a new, unseen set.

Asset requests (`asset_request`, CONTRACT §6) are scored on their own (skipped should the
NLU lose the intent); the other thresholds are for the other intents.
`pytest -s` prints the scores and the misses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlp import Nlu
from nlp.types import Intent
from tests.nlp.conftest import NOW
from tests.nlp.scoring import read_gold, score_at_least

HERE = Path(__file__).resolve().parent
FRESH = HERE / "fresh.jsonl"
TAIL = HERE / "fresh_tail.jsonl"
ASSET = "asset_request"

# First reading, before any rule was changed for it (without the asset rows):
# intent 0.918, slots 0.925, spurious 0.7 %. After: 1.000 / 1.000 / 0.0 %.
FRESH_INTENT, FRESH_SLOTS, FRESH_SPURIOUS = 0.98, 0.98, 0.01
# The tail, read once at the end (it drew no asset row): intent 0.967 (58/60), slots 0.934
# (113/121), spurious 0.9 % (1/108); its four misses (nlp/README.md) were then fixed by
# their families: 1.000 / 1.000 / 0.0 %. It is seen now; the thresholds stay as they were.
TAIL_INTENT, TAIL_SLOTS, TAIL_SPURIOUS = 0.95, 0.92, 0.02
# Asset rows (CONTRACT's asset_request, merged from the asset service while this set
# was scored): first reading intent 0.643 (9/14), slots 0.375 (12/32); after the supplies
# lexicon and a count said after the thing, 0.929 (13/14) and 0.844 (27/32).
ASSET_INTENT, ASSET_SLOTS = 0.9, 0.8


def _predict(nlu: Nlu):
    return lambda text: nlu.parse(text, NOW).to_dict()


def _split(gold: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return [g for g in gold if g["intent"] != ASSET], [g for g in gold if g["intent"] == ASSET]


@pytest.mark.parametrize("path", [FRESH, TAIL], ids=["fresh", "tail"])
def test_fresh_sets_are_well_formed(path: Path) -> None:
    gold = read_gold(path)
    assert len(gold) >= (300 if path == FRESH else 60)
    assert len({g["id"] for g in gold}) == len(gold)
    for g in gold:
        assert g["family"] in {f"f{i}" for i in range(1, 10)} | {"ev", "as"}, g["id"]
        assert g["intent"] in {i.value for i in Intent} | {ASSET}, g["id"]
        if "start" in g["slots"]:
            assert g["slots"]["date"] == g["slots"]["start"][:10], g["id"]
    texts = {g["text"] for g in read_gold(FRESH)} | {g["text"] for g in read_gold(TAIL)}
    assert len(texts) == len(read_gold(FRESH)) + len(read_gold(TAIL)), "a sentence is in both files"


@pytest.mark.parametrize(("path", "goals"), [
    (FRESH, (FRESH_INTENT, FRESH_SLOTS, FRESH_SPURIOUS)),
    (TAIL, (TAIL_INTENT, TAIL_SLOTS, TAIL_SPURIOUS)),
], ids=["fresh", "tail"])
def test_fresh_scores(nlu: Nlu, path: Path, goals: tuple[float, float, float]) -> None:
    rows, _ = _split(read_gold(path))
    intent, slots, spurious = goals
    score_at_least(f"{path.name} (without asset requests)", rows, _predict(nlu),
                   intent=intent, slots=slots, spurious=spurious)


@pytest.mark.skipif(ASSET not in {i.value for i in Intent}, reason="the NLU has no asset_request yet")
def test_fresh_asset_requests(nlu: Nlu) -> None:
    _, rows = _split(read_gold(FRESH) + read_gold(TAIL))
    score_at_least("asset requests of both files", rows, _predict(nlu),
                   intent=ASSET_INTENT, slots=ASSET_SLOTS)
