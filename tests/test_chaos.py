"""Chaos (issue 12): two `python main.py serve` processes on PostgreSQL and Redis with the
WeCom stand-in; 24 users with a repair draft open send 确认 at once to one process, which
is SIGKILLed 30–150 ms into the burst, and Redis loses every key of the service right
after. Playing WeCom, the test delivers again (to the other process, then to the killed
one restarted) every callback that got no 200, and nothing else.

Nothing acknowledged is lost (every applicant has exactly one request and is told its
number once), nothing is doubled, and the repair dispatcher is told of each request once.
The scenario is tests/chaos.py's; bench/bench_chaos.py runs it in rounds.
"""

from __future__ import annotations

from pathlib import Path

from tests.chaos import USERS, Chaos
from tests.conftest import REDIS_URL


async def test_a_process_killed_in_a_burst_loses_and_doubles_nothing(tmp_path: Path) -> None:
    async with Chaos(tmp_path, REDIS_URL, flush_redis=True) as chaos:
        result = await chaos.run()
    assert result.messages == len(USERS)
    assert result.lost == [], result
    assert result.doubled == [], result
    assert len(result.dispatcher_asked) == len(USERS), result
    assert set(result.dispatcher_asked.values()) == {1}, result
    assert result.notes == [], result
