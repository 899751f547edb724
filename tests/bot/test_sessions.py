"""Sessions on the real Redis: one user's turns one at a time across processes, the
dialogue state carried between turns, the reply's send budget taken at close — each
opening and each closing one round trip, shared by the turns of that moment.
(Redis going away: test_redis_down.py.)"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.chat.ratelimit import RedisLimiter
from bot.chat.sessions import RedisSessions, SessionBusy
from bot.redisguard import RedisBatches
from nlp.state import state_key
from tests.bot.conftest import drop_keys


def process(redis: aioredis.Redis, prefix: str, **kw: Any) -> RedisSessions:
    """One process's sessions: its own batches, locks and breaker."""
    return RedisSessions(redis, prefix, RedisLimiter(redis, prefix), batches=RedisBatches(redis),
                         **kw)


# Short leases, as LOCK_LEASE / LOCK_RENEW_EVERY scaled down thirtyfold.
SHORT = {"lease": 0.3, "renew_every": 0.1, "timeout": 0.05}


@pytest.fixture
async def cleanup(redis_client: aioredis.Redis, redis_prefix: str) -> AsyncIterator[None]:
    yield
    await drop_keys(redis_client, redis_prefix)


async def test_one_users_turns_are_one_at_a_time_across_processes(
    redis_client: aioredis.Redis, redis_prefix: str, cleanup: None
) -> None:
    a, b = process(redis_client, redis_prefix), process(redis_client, redis_prefix)
    order: list[str] = []

    async def turn(sessions: RedisSessions, name: str) -> None:
        async with sessions.open("zhangsan"):
            order.append(f"{name}+")
            await asyncio.sleep(0.03)
            order.append(f"{name}-")

    await asyncio.gather(turn(a, "a"), turn(b, "b"))
    assert order in (["a+", "a-", "b+", "b-"], ["b+", "b-", "a+", "a-"])
    assert not await redis_client.exists(f"{redis_prefix}lock:user:zhangsan")  # released


async def test_state_and_budget_go_with_the_turn(
    redis_client: aioredis.Redis, redis_prefix: str, cleanup: None
) -> None:
    a, b = process(redis_client, redis_prefix), process(redis_client, redis_prefix)
    async with a.open("wuli") as s:
        assert s.state == {}
        s.new_state = {"flow": "repair_request", "slots": {"place": "3号楼502室"}}
        s.reply_due = True
    assert s.wait == 0.0
    assert await redis_client.zcard(f"{redis_prefix}rl:m:wuli") == 1  # one send taken
    assert 0 < await redis_client.ttl(state_key(redis_prefix, "wuli")) <= 15 * 60
    async with b.open("wuli") as s:  # the other process sees it
        assert s.state["slots"] == {"place": "3号楼502室"}
    async with b.open("wuli") as s:  # kept when the turn says nothing
        assert s.state["flow"] == "repair_request"
        s.new_state = {}
    assert not await redis_client.exists(state_key(redis_prefix, "wuli"))  # {} ends the flow


async def test_turns_of_that_moment_share_a_round_trip(
    redis_client: aioredis.Redis, redis_prefix: str, cleanup: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batches = RedisBatches(redis_client)
    sessions = RedisSessions(redis_client, redis_prefix, RedisLimiter(redis_client, redis_prefix),
                             batches=batches)
    pipelines: list[int] = []
    real = batches._pipeline

    async def counting(commands: list[Any]) -> list[Any]:
        pipelines.append(len(commands))
        return await real(commands)

    monkeypatch.setattr(batches, "_pipeline", counting)

    async def turn(user: str) -> float:
        async with sessions.open(user) as s:
            s.reply_due = True
        return s.wait

    assert await asyncio.gather(*(turn(f"u{i}") for i in range(10))) == [0.0] * 10
    # Ten openings (lock + state) in one pipeline, ten closings (budget + the lock's
    # release, redis-py's own script) in another.
    assert pipelines == [20, 20]


# --- the lock's lease ----------------------------------------------------------------------


async def test_a_turn_longer_than_the_lease_keeps_the_lock(
    redis_client: aioredis.Redis, redis_prefix: str, cleanup: None
) -> None:
    a, b = process(redis_client, redis_prefix, **SHORT), process(redis_client, redis_prefix, **SHORT)
    order: list[str] = []

    async def slow() -> None:
        async with a.open("zhangsan") as s:
            order.append("a+")
            await asyncio.sleep(0.7)  # more than two leases: renewed meanwhile
            s.new_state = {"flow": "vehicle_booking"}
            order.append("a-")

    async def next_message() -> None:
        await asyncio.sleep(0.05)
        async with b.open("zhangsan") as s:
            order.append("b+")
            assert s.state == {"flow": "vehicle_booking"}  # what the slow turn wrote

    await asyncio.gather(slow(), next_message())
    assert order == ["a+", "a-", "b+"]


async def test_a_dead_processs_lock_frees_itself_within_the_lease(
    redis_client: aioredis.Redis, redis_prefix: str, cleanup: None
) -> None:
    # A holder that died mid-turn: its lock, no one renewing it.
    await redis_client.set(f"{redis_prefix}lock:user:wuli", "dead", px=300)
    started = time.monotonic()
    async with process(redis_client, redis_prefix, **SHORT).open("wuli"):
        waited = time.monotonic() - started
    assert 0.2 < waited < 0.6


async def test_a_lost_lease_writes_no_state_and_frees_no_one_elses_lock(
    redis_client: aioredis.Redis, redis_prefix: str, cleanup: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sessions = process(redis_client, redis_prefix, **SHORT)
    lock_key = f"{redis_prefix}lock:user:lisi"
    async with sessions.open("lisi") as s:
        # Its lease ran out (a long pause) and another process took the lock.
        await redis_client.set(lock_key, "other", px=5000)
        await asyncio.sleep(0.15)  # the next renewal finds out
        s.new_state = {"flow": "repair_request"}
        s.reply_due = True
    assert "session lock lost" in caplog.text
    assert not await redis_client.exists(state_key(redis_prefix, "lisi"))
    assert await redis_client.get(lock_key) == b"other"  # still the other's
    assert s.wait == 0.0  # the reply still goes (its work is done), from the budget
    assert not sessions.breaker.down  # a lost lease is not Redis failing


async def test_a_turn_that_cannot_get_the_lock_in_time_is_not_run(
    redis_client: aioredis.Redis, redis_prefix: str, cleanup: None
) -> None:
    a = process(redis_client, redis_prefix, **SHORT)
    b = process(redis_client, redis_prefix, **SHORT, wait=0.2)
    entered, done = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with a.open("zhaoliu"):
            entered.set()
            await done.wait()  # the turn lasts until the other has given up

    task = asyncio.create_task(holder())
    await entered.wait()
    try:
        with pytest.raises(SessionBusy):
            async with b.open("zhaoliu"):
                pytest.fail("ran beside the other process's turn")
    finally:
        done.set()
        await task
