"""RedisBatches on redis-py against the real Redis: many callers' commands in one
pipeline, each caller its own replies and errors, a pipeline cut short (timeout, a killed
connection) never shifting the next one's replies, and a dead Redis tripping the breaker.
(Batching under way and scripts Redis does not know: test_dedup.py.)"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.asyncio as aioredis
import uvloop
from redis.exceptions import DataError, ResponseError

from bot.chat.ratelimit import RedisLimiter
from bot.chat.sessions import RedisSessions
from bot.redisguard import REDIS_ERRORS, RedisBatches, RedisBreaker, connect
from bot.wecom.dedup import RedisDedup
from bot.wecom.flood import RedisFloodGuard, Verdict
from tests.bot.conftest import drop_keys
from tests.conftest import REDIS_URL


def count_pipelines(batches: RedisBatches, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sizes: list[int] = []
    real = batches._pipeline

    async def counting(commands: Any) -> list[Any]:
        sizes.append(len(commands))
        return await real(commands)

    monkeypatch.setattr(batches, "_pipeline", counting)
    return sizes


async def test_many_callers_one_round_trip_each_its_own_replies(
    redis_client: aioredis.Redis, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches = RedisBatches(redis_client)
    sizes = count_pipelines(batches, monkeypatch)
    key, text = f"{redis_prefix}n", f"{redis_prefix}text"
    try:
        await redis_client.set(text, "not a hash")
        results = await asyncio.gather(
            *(batches.execute(("INCR", key), ("GET", key)) for _ in range(50)),
            batches.execute(("HGET", text, "f")),  # wrong type: this caller's error alone
            batches.execute(("ECHO", "last")),
            return_exceptions=True,
        )
        assert sizes == [102]  # fifty-two callers, one pipeline
        assert [r[0] for r in results[:50]] == list(range(1, 51))  # in the callers' order
        assert [r[1] for r in results[:50]] == [str(n).encode() for n in range(1, 51)]
        assert isinstance(results[50], ResponseError)
        assert results[51] == [b"last"]
    finally:
        await drop_keys(redis_client, redis_prefix)


async def test_a_pipeline_cut_short_does_not_shift_the_next_ones_replies(
    redis_client: aioredis.Redis, redis_prefix: str
) -> None:
    # Timeouts wide enough for a loaded machine: a reply that takes 0.25 s is late.
    batches = RedisBatches(redis_client, timeout=0.25, max_in_flight=1)
    (conn_id,) = await batches.execute(("CLIENT", "ID"))  # the pool's one connection
    # BLPOP holds its reply for 0.8 s; the pipeline gives up after 0.25 s.
    with pytest.raises(TimeoutError):
        await batches.execute(("BLPOP", f"{redis_prefix}none", "0.8"))
    assert await batches.execute(("ECHO", "after")) == [b"after"]
    # The connection that would get the late reply is gone (Redis no longer lists it):
    # that reply can never arrive, on it or on another.
    async with asyncio.timeout(5):
        while await redis_client.execute_command("CLIENT", "LIST", "ID", conn_id):  # noqa: ASYNC110 - polls Redis
            await asyncio.sleep(0.01)
    assert await batches.execute(("ECHO", "later")) == [b"later"]


async def test_a_killed_connection_fails_its_callers_and_the_next_one_reconnects(
    redis_prefix: str, redis_client: aioredis.Redis
) -> None:
    client = connect(REDIS_URL)  # as the service connects: no retries
    batches = RedisBatches(client, max_in_flight=1)
    key = f"{redis_prefix}where"
    try:
        await batches.execute(("SET", key, "here"))
        assert await redis_client.get(key) == b"here"  # the URL's database
        (conn_id,) = await batches.execute(("CLIENT", "ID"))
        under_way = asyncio.create_task(batches.execute(("BLPOP", f"{redis_prefix}none", "0.5")))
        await asyncio.sleep(0.05)
        await redis_client.execute_command("CLIENT", "KILL", "ID", conn_id)
        with pytest.raises(REDIS_ERRORS):
            await under_way
        assert await batches.execute(("GET", key)) == [b"here"]
        (new_id,) = await batches.execute(("CLIENT", "ID"))
        assert new_id != conn_id
    finally:
        await client.aclose()
        await drop_keys(redis_client, redis_prefix)


def test_on_uvloop_as_serve_runs() -> None:
    async def scenario() -> list[Any]:
        client = connect(REDIS_URL)
        try:
            return await RedisBatches(client).execute(("ECHO", "uv"), ("EXISTS", "nothing:here"))
        finally:
            await client.aclose()

    assert uvloop.run(scenario()) == [b"uv", 0]


async def test_a_dead_redis_trips_the_breaker_and_everything_falls_back() -> None:
    down = connect("redis://127.0.0.1:1/0")  # nothing listens there
    breaker = RedisBreaker(retry_after=60)
    batches = RedisBatches(down, timeout=0.5)
    try:
        results = await asyncio.gather(*(batches.execute(("PING",)) for _ in range(3)),
                                       return_exceptions=True)
        assert all(isinstance(r, REDIS_ERRORS) for r in results)  # every caller hears of it

        dedup = RedisDedup(down, "x:", breaker=breaker, batches=batches)
        assert await dedup.first_time("m1") and not await dedup.first_time("m1")  # memory
        assert breaker.down and breaker.failures == 1  # then Redis is left alone
        guard = RedisFloodGuard(down, "x:", limit=1, breaker=breaker, batches=batches)
        assert [await guard.check("u"), await guard.check("u")] == [Verdict.OK, Verdict.FIRST_OVER]
        sessions = RedisSessions(down, "x:", RedisLimiter(down, "x:"), breaker=breaker,
                                 batches=batches)
        async with sessions.open("u") as s:
            s.new_state = {"flow": "repair_request"}
        assert await sessions.local.get("u") == {"flow": "repair_request"}
        assert breaker.failures == 1  # none of them tried Redis again
    finally:
        await down.aclose()


async def test_the_pipeline_packs_and_answers_as_redis_py_does(
    redis_client: aioredis.Redis, redis_prefix: str
) -> None:
    """RedisBatches sends its pipeline itself (redis-py's packer and the client's reply
    parsing, not redis-py's Pipeline): the same replies as that Pipeline."""
    client = connect(REDIS_URL)
    batches = RedisBatches(client)
    key, lst = f"{redis_prefix}k", f"{redis_prefix}list"
    script = client.register_script("return {KEYS[1], ARGV[1], ARGV[2]}")
    commands: list[Any] = [("SET", key, "会议室 ①", "EX", 60), ("GET", key), ("SET", key, "x", "NX"),
                           ("RPUSH", lst, 1.5, 10**20, b"\x00raw", 0.1), ("LRANGE", lst, 0, -1),
                           ("INCR", key), ("DEL", key, lst)]
    try:
        mine = await batches._pipeline([*commands[:5], RedisBatches.script(script, [key], ["a", 2])])
        pipe = client.pipeline(transaction=False)
        for c in commands[:5]:
            pipe.execute_command(*c)
        theirs = await pipe.execute(raise_on_error=False)
        await client.delete(key, lst)
        assert mine[:5] == [True, "会议室 ①".encode(), None, 4, [b"1.5", b"100000000000000000000", b"\x00raw", b"0.1"]]
        assert theirs == [True, "会议室 ①".encode(), None, 8, mine[4] * 2]
        assert mine[5] == [key.encode(), b"a", b"2"]  # a script by its digest (loaded on NOSCRIPT)
        # An error reply is its command's result, the others still answered.
        replies = await batches._pipeline([("SET", key, "v"), ("INCR", key), ("GET", key)])
        assert replies[0] is True and isinstance(replies[1], ResponseError) and replies[2] == b"v"
        # What redis-py refuses to send, refused too (and nothing sent).
        with pytest.raises(DataError):
            await batches.execute(("SET", key, True))
        assert await batches.execute(("GET", key)) == [b"v"]
    finally:
        await client.aclose()
        await drop_keys(redis_client, redis_prefix)
