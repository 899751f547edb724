"""`serve` tunes the interpreter for a loop that shares the GIL with database threads."""

from __future__ import annotations

import sys

from bot.serving import GIL_SWITCH, tune_interpreter


def test_serving_lets_the_database_threads_have_the_gil_within_half_a_millisecond() -> None:
    before = sys.getswitchinterval()
    try:
        tune_interpreter()
        assert sys.getswitchinterval() == GIL_SWITCH < 0.005 / 4
    finally:
        sys.setswitchinterval(before)
