"""Redis down (issue 7, item 4): the callback still answers, dedups through the durable
inbox's unique key (so that several processes still agree) and the dispatcher still handles messages on
local sessions; when Redis comes back it is used again, without a restart.

The real Redis is never stopped (other sessions share it): the service reaches it
through a TCP proxy (tests/tcpproxy.py) that the test stops and starts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.chat.ratelimit import RedisLimiter
from bot.chat.sessions import RedisSessions
from bot.keys import DISPATCHER
from bot.redisguard import BREAKER, RedisBreaker
from models.seed import seed_org
from nlp import Nlu
from nlp.state import state_key
from settings import Settings
from tests.bot.conftest import drop_keys
from tests.bot.wecomsim import WeComSim
from tests.clock import FakeClock
from tests.conftest import REDIS_URL
from tests.fakewecom import FakeWeCom
from tests.tcpproxy import TcpProxy

ORG = Path(__file__).resolve().parent.parent / "models" / "org_good.yaml"
ClientFactory = Callable[..., Awaitable[TestClient]]
REDIS_PORT = int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])
REDIS_DB = REDIS_URL.rsplit("/", 1)[1]


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    p = TcpProxy(REDIS_PORT)
    await p.start()
    try:
        yield p
    finally:
        await p.close()


def via(proxy: TcpProxy) -> str:
    return f"redis://{proxy.url_netloc}/{REDIS_DB}"


@pytest.fixture
async def proxied(proxy: TcpProxy) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(via(proxy))
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def cleanup(redis_client: aioredis.Redis, redis_prefix: str) -> AsyncIterator[None]:
    yield
    await drop_keys(redis_client, redis_prefix)


async def timed(call: Awaitable[bool]) -> bool:
    started = time.monotonic()
    result = await call
    assert time.monotonic() - started < 1.5  # well within WeCom's 5 s
    return result


async def test_sessions_run_locally_while_redis_is_down(
    proxy: TcpProxy, proxied: aioredis.Redis, redis_client: aioredis.Redis,
    redis_prefix: str, cleanup: None, caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    breaker = RedisBreaker(0.05, clock=clock.monotonic)
    sessions = RedisSessions(proxied, redis_prefix, RedisLimiter(proxied, redis_prefix),
                             breaker=breaker)
    await proxy.stop()
    with caplog.at_level(logging.WARNING):
        async with sessions.open("zhangsan") as s:
            assert s.state == {}
            s.new_state = {"flow": "vehicle_booking", "slots": {"destination": "虹桥机场"}}
            s.reply_due = True
    assert s.wait == 0.0
    assert "session without redis" in caplog.text
    # One user's turns are still one at a time in this process.
    order: list[str] = []

    async def turn(name: str) -> None:
        async with sessions.open("zhangsan"):
            order.append(f"{name}+")
            await asyncio.sleep(0.01)
            order.append(f"{name}-")

    await asyncio.gather(turn("a"), turn("b"))
    assert order == ["a+", "a-", "b+", "b-"]
    assert await sessions.take_budget("zhangsan") == 0.0

    await proxy.start()
    clock.advance(0.06)  # past retry_after: the next turn tries Redis
    async with sessions.open("zhangsan") as s:
        assert s.state["slots"] == {"destination": "虹桥机场"}  # carried over from the outage
    assert not breaker.down
    assert await redis_client.get(state_key(redis_prefix, "zhangsan"))  # now in Redis


async def test_sessions_survive_redis_going_away_mid_turn(
    proxy: TcpProxy, proxied: aioredis.Redis, redis_prefix: str, cleanup: None
) -> None:
    """The turn's lock could not be released: the next turn frees it (no wait for its lease)."""
    clock = FakeClock()
    sessions = RedisSessions(proxied, redis_prefix, RedisLimiter(proxied, redis_prefix),
                             breaker=RedisBreaker(0.05, clock=clock.monotonic))
    async with sessions.open("wuli") as s:
        await proxy.stop()
        s.new_state = {"flow": "repair_request"}
        s.reply_due = True
    await proxy.start()
    clock.advance(0.06)  # past retry_after
    started = time.monotonic()
    async with sessions.open("wuli") as s:
        assert s.state == {"flow": "repair_request"}
    assert time.monotonic() - started < 1


# --- the whole service ------------------------------------------------------------------


async def post(client: TestClient, sim: WeComSim, xml: str) -> int:
    params, body = sim.post(xml)
    started = time.monotonic()
    resp = await client.post("/wecom/callback", params=params, data=body)
    assert await resp.text() == ""
    assert time.monotonic() - started < 1.5
    return resp.status


async def test_two_processes_answer_and_dedup_while_redis_is_down(
    db: str, aiohttp_client: ClientFactory, wecom_settings: Settings, shared_nlu: Nlu,
    fake_wecom: FakeWeCom, sim: WeComSim, proxy: TcpProxy, redis_client: aioredis.Redis,
    redis_prefix: str, cleanup: None,
) -> None:
    assert (await seed_org(ORG)).ok
    settings = replace(wecom_settings, redis_url=via(proxy), key_prefix=redis_prefix)
    one = await aiohttp_client(create_app(settings, manage_db=False, nlu=shared_nlu))
    two = await aiohttp_client(create_app(settings, manage_db=False, nlu=shared_nlu))
    for app in (one.app, two.app):
        app[BREAKER].retry_after = 0.05

    await proxy.stop()
    xml = sim.text("zhangsan", "帮助", msg_id="7001")
    # WeCom's three tries of one message, to whichever process the balancer picks.
    assert [await post(c, sim, xml) for c in (one, two, one)] == [200, 200, 200]
    # A dialogue that needs its state between turns, all on one process.
    assert await post(one, sim, sim.text("wuli", "报修", msg_id="7002")) == 200
    await one.app[DISPATCHER].join(timeout=10)
    assert await post(one, sim, sim.text("wuli", "3号楼502室空调不制冷", msg_id="7003")) == 200
    for c in (one, two):
        await c.app[DISPATCHER].join(timeout=10)
    assert len(fake_wecom.sent_to("zhangsan")) == 1
    await fake_wecom.wait_sent(3)
    # (the two users' turns run side by side: whose reply goes out first is not fixed)
    assert "公务用车" in fake_wecom.sent_to("zhangsan")[0].text
    wuli = [m.text for m in fake_wecom.sent_to("wuli")]
    assert len(wuli) == 2 and "请确认报修" in wuli[1], wuli  # the flow's state was kept
    health = await one.get("/healthz")
    assert (await health.json())["redis"].startswith("error")

    await proxy.start()
    await asyncio.sleep(0.06)
    assert await post(two, sim, sim.text("zhangsan", "帮助", msg_id="7004")) == 200
    await two.app[DISPATCHER].join(timeout=10)
    assert len(fake_wecom.sent_to("zhangsan")) == 2
    assert not two.app[BREAKER].down
    assert await redis_client.exists(f"{redis_prefix}dedup:msg:7004")
    assert await post(one, sim, xml) == 200  # the outage's message, again: still once
    await one.app[DISPATCHER].join(timeout=10)
    assert len(fake_wecom.sent_to("zhangsan")) == 2


async def test_the_service_starts_while_redis_is_down(
    db: str, aiohttp_client: ClientFactory, wecom_settings: Settings, shared_nlu: Nlu,
    fake_wecom: FakeWeCom, sim: WeComSim, proxy: TcpProxy, redis_prefix: str, cleanup: None,
) -> None:
    assert (await seed_org(ORG)).ok
    await proxy.stop()
    settings = replace(wecom_settings, redis_url=via(proxy), key_prefix=redis_prefix)
    client = await aiohttp_client(create_app(settings, manage_db=False, nlu=shared_nlu))
    assert await post(client, sim, sim.text("zhangsan", "帮助")) == 200
    assert (await fake_wecom.wait_sent(1))[0].touser == "zhangsan"
