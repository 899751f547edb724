"""Sessions on the real Redis: one user's turns one at a time across processes, the
dialogue state carried between turns, the reply's send budget taken at close — each
opening and each closing one round trip, shared by the turns of that moment.
(Redis going away: test_redis_down.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.chat.ratelimit import RedisLimiter
from bot.chat.sessions import RedisSessions
from bot.redisguard import RedisBatches
from nlp.state import state_key
from tests.bot.conftest import drop_keys


def process(redis: aioredis.Redis, prefix: str) -> RedisSessions:
    """One process's sessions: its own batches, locks and breaker."""
    return RedisSessions(redis, prefix, RedisLimiter(redis, prefix), batches=RedisBatches(redis))


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
    # Ten openings (lock + state) in one pipeline, ten closings' budgets in another (the
    # locks' releases are redis-py's `Lock.release`, each its own round trip).
    assert pipelines == [20, 10]
