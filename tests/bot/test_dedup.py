"""Dedup stores: the first delivery wins, in memory and in the real Redis."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
import redis.asyncio as aioredis

from bot import dedup as dedup_module
from bot.dedup import DedupStore, MemoryDedup, RedisDedup, make_dedup
from settings import Settings


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
