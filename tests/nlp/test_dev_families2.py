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
from nlp.types import Intent
from tests.nlp.conftest import NOW
from tests.nlp.scoring import read_gold, score

DEV2 = Path(__file__).resolve().parent / "dev_families2.jsonl"
OTHERS = ("fresh.jsonl", "fresh_tail.jsonl", "heldout.jsonl", "assets_heldout.jsonl")
TEAM_DEV = Path(__file__).resolve().parents[3] / "shared" / "nlu" / "dev.jsonl"
FAMILIES = {f"f{i}" for i in range(1, 10)} | {"ev"}


def test_dev_families2_is_well_formed_and_new() -> None:
    gold = read_gold(DEV2)
    assert len(gold) >= 370
    assert len({g["id"] for g in gold}) == len(gold)
    assert {g["family"] for g in gold} == FAMILIES  # every family has sentences
    for g in gold:
        assert g["intent"] in {i.value for i in Intent}, g["id"]
        if "start" in g["slots"]:
            assert g["slots"]["date"] == g["slots"]["start"][:10], g["id"]
    seen = {g["text"] for name in OTHERS for g in read_gold(DEV2.with_name(name))}
    if TEAM_DEV.is_file():
        seen |= {g["text"] for g in read_gold(TEAM_DEV)}
    assert not seen & {g["text"] for g in gold}, "a sentence of another set was copied"


def test_dev_families2_scores(nlu: Nlu) -> None:
    gold = read_gold(DEV2)
    sc = score(gold, lambda text: nlu.parse(text, NOW).to_dict())
    print(f"\n{DEV2.name}: {sc.line()}")
    for e in sc.errors[:30]:
        print("  " + e)
    # first readings, before any rule changed for them (nlp/README.md): batch 1 (92)
    # 0.859 / 0.876 / 3.1 %, batch 2 (84) 0.845 / 0.887 / 2.9 %, batch 3 (70) 0.843 / 0.915 /
    # 0.0 %, batch 4 (50) 0.800 / 0.811 / 2.6 %, batch 5 (40) 0.850 / 0.848 / 3.0 %, batch 6
    # (40) 0.800 / 0.885 / 5.6 %;
    # after: 1.000 / 1.000 / 0.0 %
    assert sc.intent_acc >= 0.98, sc.line()
    assert sc.slot_acc >= 0.98, sc.line()
    assert sc.spurious_rate < 0.01, sc.line()
