"""The NLU on a second development set of our own, by the nine families of issue 14.

`dev_families2.jsonl` was written in batches by one helper, from the families of the
issue and not from any test file, labelled by CONTRACT §6 with `--now` 2026-11-27T10:00
(a Friday): faults said without a fault word, bookings without the booking word, status
questions naming a resource, corrections, span boundaries (floors below ground, areas,
English rooms), numerals and old-style words, typos and traditional text, help against
off-domain questions, reject comments, and everyday requests. Each batch was read once
before any rule changed for it (that first reading is the honest figure, kept in
nlp/README.md); its misses were then fixed by family — a lexicon entry, a shape, a
detector — never by a rule for one sentence. It is *seen* now: a new unseen set is the
only judge of how well the rules generalise.
"""

from __future__ import annotations

from pathlib import Path

from nlp import Nlu
from tests.nlp.conftest import NOW
from tests.nlp.scoring import check_new_set, score_at_least

DEV2 = Path(__file__).resolve().parent / "dev_families2.jsonl"
OTHERS = ("fresh.jsonl", "fresh_tail.jsonl", "heldout.jsonl", "assets_heldout.jsonl")
FAMILIES = {f"f{i}" for i in range(1, 10)} | {"ev"}


def test_dev_families2_is_well_formed_and_new() -> None:
    gold = check_new_set(DEV2, at_least=370, others=OTHERS)
    assert {g["family"] for g in gold} == FAMILIES  # every family has sentences


def test_dev_families2_scores(nlu: Nlu) -> None:
    # first readings, before any rule changed for them (nlp/README.md): batch 1 (92)
    # 0.859 / 0.876 / 3.1 %, batch 2 (84) 0.845 / 0.887 / 2.9 %, batch 3 (70) 0.843 / 0.915 /
    # 0.0 %, batch 4 (50) 0.800 / 0.811 / 2.6 %, batch 5 (40) 0.850 / 0.848 / 3.0 %, batch 6
    # (40) 0.800 / 0.885 / 5.6 %;
    # after: 1.000 / 1.000 / 0.0 %
    score_at_least(DEV2.name, DEV2, lambda text: nlu.parse(text, NOW).to_dict(),
                   intent=0.98, slots=0.98, spurious=0.01)
