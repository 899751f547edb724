"""Outages with the real services (issue 7, item 4): the real app on PostgreSQL and Redis,
WeCom's side simulated (tests/bot/wecomsim.py, tests/fakewecom.py).

- PostgreSQL restarting (its connections cut, the port refusing, then back — a TCP proxy
  in front of the real server, which other sessions share and which must not stop): the
  callback answers 503 at once (it cannot store the message durably: WeCom retries), the
  message is not handled and changes nothing, /healthz says 503 "degraded"; once the
  database is back the pool reconnects, health is 200 and WeCom's retry of "确认" books.
- The WeCom API down for a long while (time compressed: seconds, with a short backoff):
  replies and notifications wait in the outbox and arrive afterwards, none lost, none
  twice.

Redis down is tests/bot's (another helper's) concern.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

import bot.app
from bot.app import create_app
from bot.keys import DISPATCHER
from bot.wecom.notifier import OutboxWorker
from models.db import close_db, init_db
from models.seed import seed_org
from nlp import Nlu
from settings import Settings
from tests.bot.wecomsim import WeComSim
from tests.conftest import BASE_POSTGRES_URL, REDIS_URL
from tests.fakewecom import FakeWeCom
from tests.tcpproxy import TcpProxy

ORG = Path(__file__).resolve().parent / "models" / "org_good.yaml"
ClientFactory = Callable[..., Awaitable[TestClient]]
SENTENCE = "明天上午9点到11点用车去市政府，2人，事由：送文件"
SORRY = "抱歉，系统刚才出了点问题"


@pytest.fixture
async def database() -> AsyncIterator[tuple[str, str]]:
    """A fresh PostgreSQL database, migrated and seeded with org_good.yaml: (name, url)."""
    name = f"test_outage_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(BASE_POSTGRES_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = f"{BASE_POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    await init_db(url, create_schema=True)
    try:
        assert (await seed_org(ORG)).ok
    finally:
        await close_db()
    try:
        yield name, url
    finally:
        admin = await asyncpg.connect(BASE_POSTGRES_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def pg_proxy() -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy(int(BASE_POSTGRES_URL.rsplit(":", 1)[1].split("/")[0]))
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.close()


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    prefix = f"test:outage:{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = aioredis.from_url(REDIS_URL)
    try:
        keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
async def fake_wecom(settings: Settings) -> AsyncIterator[FakeWeCom]:
    fake = FakeWeCom(corp_id=settings.corp_id, secret=settings.secret, agent_id=settings.agent_id)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def wecom_settings(settings: Settings, fake_wecom: FakeWeCom) -> Settings:
    return replace(settings, api_base=fake_wecom.base_url)


@pytest.fixture
def sim(settings: Settings) -> WeComSim:
    return WeComSim(settings.token, settings.aes_key, settings.corp_id, settings.agent_id)


async def post(client: TestClient, sim: WeComSim, user: str, text: str) -> int:
    query, body = sim.post(sim.text(user, text))
    resp = await client.post("/wecom/callback", params=query, data=body)
    assert await resp.text() == ""
    return resp.status


async def post_xml(client: TestClient, sim: WeComSim, xml: str) -> int:
    """One delivery of `xml` (WeCom's retries carry the same inner message)."""
    query, body = sim.post(xml)
    resp = await client.post("/wecom/callback", params=query, data=body)
    assert await resp.text() == ""
    return resp.status


def texts_to(fake: FakeWeCom, user: str) -> list[str]:
    return [m.text for m in fake.sent if m.touser == user and m.msgtype in ("text", "markdown")]


async def wait_until(predicate: Callable[[], Any], what: str, seconds: float = 20.0) -> None:
    """Poll `predicate` (sync or async) until true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def wait_reply(fake: FakeWeCom, user: str, before: int, what: str) -> str:
    await wait_until(lambda: len(texts_to(fake, user)) > before, what)
    return texts_to(fake, user)[before]


async def health(client: TestClient) -> tuple[int, dict[str, Any]]:
    resp = await client.get("/healthz")
    return resp.status, await resp.json()


async def test_postgres_restarting_fails_cleanly_and_recovers(
    aiohttp_client: ClientFactory, wecom_settings: Settings, fake_wecom: FakeWeCom,
    sim: WeComSim, database: tuple[str, str], pg_proxy: TcpProxy, redis_prefix: str,
    shared_nlu: Nlu,
) -> None:
    name, direct_url = database
    settings = replace(
        wecom_settings, database_url=f"postgres://postgres@127.0.0.1:{pg_proxy.port}/{name}",
        redis_url=REDIS_URL, key_prefix=redis_prefix,
    )
    client = await aiohttp_client(create_app(settings, nlu=shared_nlu))
    assert (await health(client))[0] == 200

    assert await post(client, sim, "zhangsan", SENTENCE) == 200
    assert "请确认用车申请" in await wait_reply(fake_wecom, "zhangsan", 0, "the summary")

    # PostgreSQL goes away: every connection cut, the port refusing new ones.
    await pg_proxy.stop()
    status, body = await health(client)
    assert status == 503
    assert body["status"] == "degraded" and body["database"].startswith("error")
    assert body["redis"] == "ok"
    # The callback cannot store the message (the durable inbox is the database): a 503
    # at once, so that WeCom sends it again; nothing is handled, nothing half-written.
    confirm = sim.text("zhangsan", "确认")
    started = time.monotonic()
    assert await post_xml(client, sim, confirm) == 503
    assert time.monotonic() - started < 3.0  # far inside WeCom's 5 s
    assert (await health(client))[0] == 503  # still down, and the app still answers

    # PostgreSQL is back: the pool reconnects by itself.
    await pg_proxy.start()
    await wait_until(lambda: _healthy(client), "healthz 200 after PostgreSQL returned")
    # WeCom's retry of the same "确认" books (the dialogue survived in Redis), once.
    assert await post_xml(client, sim, confirm) == 200
    assert (await wait_reply(fake_wecom, "zhangsan", 1, "the booking")).startswith("已提交")
    assert await post_xml(client, sim, confirm) == 200  # its last retry: a duplicate
    await wait_until(lambda: fake_wecom.sent_to("lichu"), "the approver's notification")

    conn = await asyncpg.connect(direct_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM request") == 1
        assert await conn.fetchval("SELECT count(*) FROM hold WHERE active") == 2
    finally:
        await conn.close()
    await client.app[DISPATCHER].join(timeout=10)
    assert len(texts_to(fake_wecom, "zhangsan")) == 2
    assert len(fake_wecom.sent_to("lichu")) == 1


async def _healthy(client: TestClient) -> bool:
    return (await health(client))[0] == 200


async def test_wecom_down_for_long_loses_and_doubles_nothing(
    aiohttp_client: ClientFactory, wecom_settings: Settings, fake_wecom: FakeWeCom,
    sim: WeComSim, database: tuple[str, str], redis_prefix: str, shared_nlu: Nlu,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "Minutes" compressed to seconds: the worker's backoff (1, 2, 4 … 600 s) scaled down.
    # (Each attempt takes one send from the recipient's budget, 25 a minute: a backoff
    # much faster than this would defer on the budget instead.)
    fast = functools.partial(
        OutboxWorker, poll_seconds=0.1, retry_delay=lambda n: min(0.4 * 2 ** (n - 1), 1.5)
    )
    monkeypatch.setattr(bot.app, "OutboxWorker", fast)
    _, url = database
    settings = replace(wecom_settings, database_url=url, redis_url=REDIS_URL,
                       key_prefix=redis_prefix)
    client = await aiohttp_client(create_app(settings, nlu=shared_nlu))

    # Two dialogues reach their summary while WeCom is up.
    bookings = {"zhangsan": SENTENCE, "xiaoliu": "明天下午2点到4点用车去虹桥机场，3人，事由：接人"}
    for user, sentence in bookings.items():
        assert await post(client, sim, user, sentence) == 200
        assert "请确认用车申请" in await wait_reply(fake_wecom, user, 0, f"{user}'s summary")
    sent_before = len(fake_wecom.sent)

    # WeCom unreachable for a long while (every connection dropped).
    down = 6.0
    fake_wecom.down_for(down)
    back_at = time.monotonic() + down
    for user in bookings:
        assert await post(client, sim, user, "确认") == 200
    assert await post(client, sim, "wuli", "帮助") == 200
    assert await post(client, sim, "wuli", "我的申请") == 200

    conn = await asyncpg.connect(url)
    try:
        # The bookings are made while WeCom is down; what they owe waits in the outbox.
        await wait_until(_counts(conn, "SELECT count(*) FROM request", 2), "two bookings")
        await wait_until(
            _counts(conn, "SELECT count(*) FROM outbox_message", 6),
            "2 replies, 2 approver cards, 2 answers to wuli queued",
        )
        assert len(fake_wecom.sent) == sent_before
        assert time.monotonic() < back_at  # all of that happened during the outage

        # WeCom returns: everything arrives, in order per person, once.
        await wait_until(
            _counts(conn, "SELECT count(*) FROM outbox_message WHERE status <> 'sent'", 0),
            "the outbox drained", seconds=30,
        )
        rows = await conn.fetch("SELECT user_id, kind, content, attempts FROM outbox_message")
        retried = await conn.fetchval("SELECT count(*) FROM outbox_message WHERE attempts > 0")
    finally:
        await conn.close()

    assert retried > 0  # delivery really failed and was retried
    for user in bookings:
        replies = texts_to(fake_wecom, user)
        assert len(replies) == 2 and replies[1].startswith("已提交"), replies
    wuli = texts_to(fake_wecom, "wuli")
    assert len(wuli) == 2 and "公务用车" in wuli[0], wuli  # the help first, then the status
    # The approvers: lichu (办公室's head) for zhangsan, chenchu (房产管理处, the nearest
    # head above 物业管理科) for xiaoliu — one card each.
    assert [m.msgtype for m in fake_wecom.sent_to("lichu")] == ["template_card"]
    assert [m.msgtype for m in fake_wecom.sent_to("chenchu")] == ["template_card"]
    for row in rows:
        content = json.loads(row["content"])
        matches = [m for m in fake_wecom.sent
                   if m.touser == row["user_id"] and m.msgtype == row["kind"] and m.content == content]
        assert len(matches) == 1, row
    assert fake_wecom.dropped_duplicates == [] and fake_wecom.dropped_rate_limited == []


def _counts(conn: asyncpg.Connection, sql: str, n: int) -> Callable[[], Awaitable[bool]]:
    """A predicate for wait_until: `sql` (a count) gives `n`."""

    async def check() -> bool:
        return int(await conn.fetchval(sql)) == n

    return check
