"""Dedup stores: the first delivery wins, in memory and in the real Redis; with Redis, the
flood count rides on the same round trip; RedisBatches, which carries both."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from bot.redisguard import REDIS_ERRORS, RedisBatches, RedisBreaker
from bot.wecom import dedup as dedup_module
from bot.wecom.dedup import DEFAULT_TTL, DedupStore, MemoryDedup, RedisDedup, make_dedup
from settings import Settings
from tests.bot.conftest import drop_keys


async def test_first_time_then_not(dedup: DedupStore) -> None:
    assert await dedup.first_time("msg:1")
    assert not await dedup.first_time("msg:1")
    assert await dedup.first_time("msg:2")


async def test_concurrent_first_times_one_winner(dedup: DedupStore) -> None:
    results = await asyncio.gather(*(dedup.first_time("msg:race") for _ in range(20)))
    assert results.count(True) == 1


async def test_forget(dedup: DedupStore) -> None:
    assert await dedup.first_time("msg:3")
    await dedup.forget("msg:3")
    assert await dedup.first_time("msg:3")


async def test_redis_sets_the_ttl(redis_client: aioredis.Redis, redis_prefix: str) -> None:
    store = RedisDedup(redis_client, redis_prefix)
    assert await store.first_time("msg:ttl", ttl=120)
    ttl = await redis_client.ttl(f"{redis_prefix}dedup:msg:ttl")
    assert 100 < ttl <= 120
    await redis_client.delete(f"{redis_prefix}dedup:msg:ttl")


async def test_redis_shared_between_two_stores(redis_client: aioredis.Redis, redis_prefix: str) -> None:
    a, b = RedisDedup(redis_client, redis_prefix), RedisDedup(redis_client, redis_prefix)
    assert await a.first_time("msg:shared")
    assert not await b.first_time("msg:shared")


async def test_redis_down_falls_back_to_memory() -> None:
    down = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        store = RedisDedup(down, "x:", timeout=0.5)
        assert await store.first_time("msg:1")
        assert not await store.first_time("msg:1")
    finally:
        await down.aclose()


async def test_memory_ttl_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(dedup_module.time, "monotonic", lambda: clock[0])
    store = MemoryDedup()
    assert await store.first_time("k", ttl=10)
    clock[0] += 9
    assert not await store.first_time("k", ttl=10)
    clock[0] += 2
    assert await store.first_time("k", ttl=10)


async def test_memory_is_bounded() -> None:
    store = MemoryDedup(max_keys=3)
    for key in "abcd":
        assert await store.first_time(key)
    assert len(store) == 3
    assert await store.first_time("a")  # the oldest was dropped
    assert not await store.first_time("d")


def test_make_dedup(settings: Settings, redis_client: aioredis.Redis) -> None:
    assert isinstance(make_dedup(settings, None), MemoryDedup)
    with_redis = replace(settings, redis_url="redis://127.0.0.1:6379/15")
    assert isinstance(make_dedup(with_redis, redis_client), RedisDedup)
    with pytest.raises(ValueError, match="REDIS_URL"):
        make_dedup(with_redis, None)


async def test_concurrent_distinct_keys_are_batched_and_all_first(dedup: DedupStore) -> None:
    keys = [f"msg:batch{i}" for i in range(50)]
    assert await asyncio.gather(*(dedup.first_time(k) for k in keys)) == [True] * 50
    assert await asyncio.gather(*(dedup.first_time(k) for k in keys)) == [False] * 50


async def test_redis_down_batch_falls_back() -> None:
    down = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        store = RedisDedup(down, "x:", timeout=0.5)
        first = await asyncio.gather(*(store.first_time(k) for k in ["a", "b", "a"]))
        assert first == [True, True, False]
    finally:
        await down.aclose()


# --- dedup and the flood count in one round trip ------------------------------------------


async def test_counted_only_the_first_time(redis_client: aioredis.Redis, redis_prefix: str) -> None:
    store = RedisDedup(redis_client, redis_prefix)
    counter = f"{redis_prefix}flood:zhangsan:1"
    try:
        # WeCom's three tries of one message: one count; a new message: the next.
        assert [await store.first_time_counted("m1", counter, 61) for _ in range(3)] == [1, None, None]
        assert await store.first_time_counted("m2", counter, 61) == 2
        assert 55 < await redis_client.ttl(counter) <= 61
        assert 86_000 < await redis_client.ttl(f"{redis_prefix}dedup:m1") <= DEFAULT_TTL
        # At once, in one pipeline: still one winner, one count.
        results = await asyncio.gather(*(store.first_time_counted("m3", counter, 61) for _ in range(5)))
        assert sorted(results, key=str) == [3, None, None, None, None]
        assert await store.first_time("m3") is False  # the plain check agrees
    finally:
        await drop_keys(redis_client, redis_prefix)


async def test_counted_falls_back_when_redis_is_down() -> None:
    down = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        store = RedisDedup(down, "x:", timeout=0.5)
        # New: 0 ("not counted here", the caller counts); seen: None, from the fallback.
        assert await store.first_time_counted("m1", "x:flood:u:1", 61) == 0
        assert await store.first_time_counted("m1", "x:flood:u:1", 61) is None
        assert store.breaker.down
    finally:
        await down.aclose()


async def test_just_back_the_fallback_decides_and_nothing_is_counted(
    redis_client: aioredis.Redis, redis_prefix: str
) -> None:
    breaker = RedisBreaker(retry_after=0)
    fallback = MemoryDedup()
    store = RedisDedup(redis_client, redis_prefix, fallback=fallback, breaker=breaker)
    counter = f"{redis_prefix}flood:zhangsan:1"
    try:
        breaker.failed("test", OSError("down"))
        await fallback.first_time("seen-in-outage")
        assert await store.first_time_counted("seen-in-outage", counter, 61) is None
        assert not breaker.down and breaker.recovering()
        assert await store.first_time_counted("new", counter, 61) == 0  # the caller counts
        assert not await redis_client.exists(counter)
    finally:
        await drop_keys(redis_client, redis_prefix)


# --- RedisBatches -------------------------------------------------------------------------


async def test_batches_share_one_pipeline_and_keep_errors_apart(
    redis_client: aioredis.Redis, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches = RedisBatches(redis_client)
    pipelines = []
    real = batches._pipeline

    async def counting(commands: Any) -> list[Any]:
        pipelines.append(len(commands))
        return await real(commands)

    monkeypatch.setattr(batches, "_pipeline", counting)
    text = f"{redis_prefix}text"
    try:
        await redis_client.set(text, "not a number")
        results = await asyncio.gather(
            batches.execute(("SET", f"{redis_prefix}a", 1), ("GET", f"{redis_prefix}a")),
            batches.execute(("INCR", text)),
            batches.execute(("INCR", f"{redis_prefix}n"), ("INCR", f"{redis_prefix}n")),
            return_exceptions=True,
        )
        assert pipelines == [5]
        assert results[0] == [True, b"1"]  # as redis-py gives them
        assert isinstance(results[1], ResponseError)  # that caller's alone
        assert results[2] == [1, 2]
    finally:
        await drop_keys(redis_client, redis_prefix)


async def test_while_pipelines_are_under_way_the_next_one_gathers(
    redis_client: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches = RedisBatches(redis_client, max_in_flight=1)
    release = asyncio.Event()
    sent: list[int] = []
    real = batches._pipeline

    async def slow(commands: Any) -> list[Any]:
        sent.append(len(commands))
        await release.wait()
        return await real(commands)

    monkeypatch.setattr(batches, "_pipeline", slow)
    first = asyncio.create_task(batches.execute(("PING",)))
    await asyncio.sleep(0.01)
    later = [asyncio.create_task(batches.execute(("PING",), ("PING",))) for _ in range(3)]
    await asyncio.sleep(0.01)
    assert sent == [1]  # the three wait for the one under way...
    release.set()
    assert await first == [True] and [await t for t in later] == [[True, True]] * 3  # PONG
    assert sent == [1, 6]  # ...and then go together


@pytest.mark.parametrize("alone", [True, False])
async def test_batches_load_a_script_redis_does_not_know(
    redis_client: aioredis.Redis, alone: bool
) -> None:
    marker = uuid.uuid4().hex  # a script no one has loaded: NOSCRIPT, then loaded and run
    script = redis_client.register_script(f"return '{marker}'")
    batches = RedisBatches(redis_client)
    others: tuple[tuple[str, ...], ...] = () if alone else (("ECHO", "x"),)
    results = await batches.execute(batches.script(script, [], []), *others)
    assert results == ([marker.encode()] if alone else [marker.encode(), b"x"])
    assert await redis_client.script_exists(script.sha) == [True]


async def test_batches_fail_every_caller_when_redis_is_down() -> None:
    down = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        batches = RedisBatches(down, timeout=0.5)
        results = await asyncio.gather(*(batches.execute(("PING",)) for _ in range(3)),
                                       return_exceptions=True)
        assert all(isinstance(r, REDIS_ERRORS) for r in results)
    finally:
        await down.aclose()
