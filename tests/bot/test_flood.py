"""Dedup and the flood limit through the callback, as the service runs them: with Redis
one round trip does both (bot/wecom/dedup.py `first_time_counted`), only new deliveries count,
and with Redis down both fall back (this process's memory here, the database in the
service) and still handle each delivery once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.redisguard import RedisBatches, RedisBreaker, ScriptCall
from bot.wecom import dedup as dedup_module
from bot.wecom.dedup import RedisDedup
from bot.wecom.flood import FLOOD, TOO_FAST, RedisFloodGuard
from settings import Settings
from tests.bot.conftest import ClientFactory, Replier, callback_app, drop_keys, polite_answers
from tests.bot.wecomsim import WeComSim
from tests.clock import FakeClock

LIMIT = 2


@dataclass
class Service:
    client: TestClient
    replier: Replier
    guard: RedisFloodGuard
    batches: RedisBatches


async def _service(aiohttp_client: ClientFactory, settings: Settings, redis: aioredis.Redis,
                   prefix: str, breaker: RedisBreaker) -> Service:
    """The callback with dedup and flood guard on one Redis client, as app.py builds them."""
    batches = RedisBatches(redis, timeout=0.5)
    dedup = RedisDedup(redis, prefix, breaker=breaker, batches=batches)
    guard = RedisFloodGuard(redis, prefix, limit=LIMIT, breaker=breaker, batches=batches)
    replier = Replier()
    app = callback_app(settings, dedup, replier)  # type: ignore[arg-type]
    app[FLOOD] = guard
    return Service(await aiohttp_client(app), replier, guard, batches)


@pytest.fixture
async def service(aiohttp_client: ClientFactory, settings: Settings, redis_client: aioredis.Redis,
                  redis_prefix: str) -> AsyncIterator[Service]:
    yield await _service(aiohttp_client, settings, redis_client, redis_prefix, RedisBreaker())
    await drop_keys(redis_client, redis_prefix)


async def deliver(service: Service, sim: WeComSim, msg_id: str, user: str = "zhangsan") -> None:
    params, body = sim.post(sim.text(user, f"消息{msg_id}", msg_id=msg_id))
    started = time.monotonic()
    resp = await service.client.post("/wecom/callback", params=params, data=body)
    assert resp.status == 200 and await resp.read() == b""
    assert time.monotonic() - started < 1.5  # well within WeCom's 5 s, Redis or not


def handled(service: Service) -> list[str]:
    return [m.msg_id for m in service.replier.inbound]


async def test_one_round_trip_handles_a_message_once_and_counts_it_once(
    service: Service, sim: WeComSim, redis_client: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    await redis_client.script_load(dedup_module._SET_AND_COUNT)  # no NOSCRIPT round trip
    sent: list[list[Any]] = []
    pipeline = service.batches._pipeline

    async def recording(commands: list[Any]) -> list[Any]:
        sent.append(["script" if isinstance(c, ScriptCall) else c[0] for c in commands])
        return await pipeline(commands)

    monkeypatch.setattr(service.batches, "_pipeline", recording)
    for _ in range(3):  # WeCom's three tries
        await deliver(service, sim, "501")
    assert handled(service) == ["501"]
    # Dedup and count: one command, one pipeline each (before it redis-py asks SCRIPT EXISTS).
    assert sent == [["script"]] * 3
    counter, _ = service.guard.counter("zhangsan")
    assert await redis_client.get(counter) == b"1"
    # Many tries at once: still once, still one count.
    await asyncio.gather(*(deliver(service, sim, "502") for _ in range(5)))
    assert handled(service) == ["501", "502"]
    assert await redis_client.get(counter) == b"2"


async def test_the_flood_limit_counts_new_messages_only(service: Service, sim: WeComSim) -> None:
    for msg_id in ("601", "601", "602", "602", "601"):  # retries are not a flood
        await deliver(service, sim, msg_id)
    assert handled(service) == ["601", "602"]
    assert service.replier.replies == []
    await deliver(service, sim, "603")  # the third new one: over the limit of 2
    await deliver(service, sim, "603")  # its retry: neither counted nor answered again
    await deliver(service, sim, "604")
    await deliver(service, sim, "701", user="wuli")  # another user is not affected
    assert await polite_answers(service.replier) == [("zhangsan", TOO_FAST)]
    assert handled(service) == ["601", "602", "701"]


async def test_redis_down_still_once_and_still_limited(
    aiohttp_client: ClientFactory, settings: Settings, sim: WeComSim
) -> None:
    down = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        clock = FakeClock()
        breaker = RedisBreaker(retry_after=0.05, clock=clock.monotonic)
        service = await _service(aiohttp_client, settings, down, "x:", breaker)
        for msg_id in ("801", "801", "801", "802"):
            await deliver(service, sim, msg_id)
            clock.advance(0.03)  # some of them past retry_after: Redis is tried again
        assert breaker.down and breaker.failures == 2  # the first try and one retry
        assert handled(service) == ["801", "802"]
        await deliver(service, sim, "803")  # counted in this process: over the limit
        await deliver(service, sim, "803")
        assert await polite_answers(service.replier) == [("zhangsan", TOO_FAST)]
        assert handled(service) == ["801", "802"]
    finally:
        await down.aclose()
