"""The NLU held to issue 14's goals on the outside annotator's sets (tests/nlp/UNSEEN*.md).

`unseen3.jsonl` is the unseen set: written from CONTRACT alone by a helper who never read
`nlp/` nor ran the parser, first read after the fourth NLU round (intent 0.985, slots
0.973, spurious 0.7 %). Its misses are never printed here, nor read by anyone tuning
rules: a failure says only that the figure fell below the goal. `unseen.jsonl` and
`unseen2.jsonl` were tuned on (by family) and are held where they are now.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp import Nlu
from tests.nlp.conftest import NOW
from tests.nlp.scoring import check_new_set, score_at_least

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize(("name", "size"), [
    ("unseen.jsonl", 320), ("unseen2.jsonl", 200), ("unseen3.jsonl", 200)])
def test_the_unseen_sets_are_well_formed(name: str, size: int) -> None:
    """Well formed, none of the team's dev set in it (annotators writing apart do share
    a few short everyday messages — "帮助", a bare number — with each other's sets)."""
    check_new_set(HERE / name, at_least=size, others=())


def test_the_unseen_set_meets_the_goals(nlu: Nlu) -> None:
    """Issue 14: intent ≥ 0.98, slots ≥ 0.97, spurious < 2 % on sentences nobody here saw."""
    score_at_least("unseen3.jsonl", HERE / "unseen3.jsonl",
                   lambda text: nlu.parse(text, NOW).to_dict(),
                   intent=0.98, slots=0.97, spurious=0.02, show_errors=False)


@pytest.mark.parametrize(("name", "intent", "slots"), [
    ("unseen.jsonl", 0.99, 0.99), ("unseen2.jsonl", 0.99, 0.98)])
def test_the_tuned_unseen_sets_stay(nlu: Nlu, name: str, intent: float, slots: float) -> None:
    score_at_least(name, HERE / name, lambda text: nlu.parse(text, NOW).to_dict(),
                   intent=intent, slots=slots, spurious=0.01)
