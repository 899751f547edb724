"""The NLU scored on two gold sets: the team's dev set and our own held-out set.

`heldout.jsonl` (in this folder) was written before the rules it measures: the nine
error families of issue 14 and everyday requests in several styles (terse, polite,
long, English, mixed, traditional characters, typos), labelled by CONTRACT §6 with
`--now` 2026-11-27T10:00 (a Friday). Rules are never tuned to one of its sentences.
The dev set lives outside the repository (../shared/nlu/dev.jsonl, `make nlu-score`)
and is scored when present. `pytest -s` prints both scores and the first misses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp import Nlu
from tests.nlp.conftest import NOW
from tests.nlp.scoring import read_gold, score_at_least

HERE = Path(__file__).resolve().parent
HELDOUT = HERE / "heldout.jsonl"
DEV = HERE.parents[2] / "shared" / "nlu" / "dev.jsonl"

# Issue 14's goals on the held-out set.
# Before any change for issue 14: intent 0.799, slots 0.769, spurious 2.9 %.
HELDOUT_INTENT, HELDOUT_SLOTS, HELDOUT_SPURIOUS = 0.98, 0.97, 0.02
DEV_INTENT, DEV_SLOTS = 0.99, 0.99


def _predict(nlu: Nlu):
    return lambda text: nlu.parse(text, NOW).to_dict()


def test_heldout_set_is_well_formed() -> None:
    gold = read_gold(HELDOUT)
    assert len(gold) >= 400
    assert len({g["id"] for g in gold}) == len(gold)
    assert len({g["text"] for g in gold}) == len(gold)
    for g in gold:
        if "start" in g["slots"]:
            assert g["slots"]["date"] == g["slots"]["start"][:10], g["id"]


def test_heldout_scores(nlu: Nlu) -> None:
    score_at_least("held-out set", HELDOUT, _predict(nlu), intent=HELDOUT_INTENT,
                   slots=HELDOUT_SLOTS, spurious=HELDOUT_SPURIOUS)


@pytest.mark.skipif(not DEV.is_file(), reason="../shared/nlu/dev.jsonl not present")
def test_dev_scores(nlu: Nlu) -> None:
    score_at_least("dev set", DEV, _predict(nlu), intent=DEV_INTENT, slots=DEV_SLOTS)
