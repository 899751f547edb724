"""The real application end to end: an encrypted callback in, the reply out through the
fake WeCom API; the organisation decides who is served; health reports the services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.keys import DISPATCHER
from models.seed import seed_org
from nlp import Nlu
from settings import Settings
from tests.bot.wecomsim import WeComSim
from tests.conftest import REDIS_URL
from tests.drain import drained
from tests.fakewecom import FakeWeCom

ORG = Path(__file__).resolve().parent.parent / "models" / "org_good.yaml"
ClientFactory = Callable[..., Awaitable[TestClient]]


@pytest.fixture(params=["memory", "redis"])
async def app_client(
    request: pytest.FixtureRequest, db: str, aiohttp_client: ClientFactory,
    wecom_settings: Settings, redis_prefix: str, shared_nlu: Nlu,
) -> TestClient:
    assert (await seed_org(ORG)).ok
    settings = wecom_settings
    if request.param == "redis":
        settings = replace(settings, redis_url=REDIS_URL, key_prefix=redis_prefix)
    return await aiohttp_client(create_app(settings, manage_db=False, nlu=shared_nlu))


async def post(client: TestClient, sim: WeComSim, xml: str) -> int:
    params, body = sim.post(xml)
    resp = await client.post("/wecom/callback", params=params, data=body)
    assert await resp.text() == ""
    return resp.status


async def settle(client: TestClient) -> None:
    await client.app[DISPATCHER].join(timeout=10)


async def test_help_is_answered_through_message_send(
    app_client: TestClient, sim: WeComSim, fake_wecom: FakeWeCom
) -> None:
    assert await post(app_client, sim, sim.text("zhangsan", "你能帮我做什么")) == 200
    sent = await fake_wecom.wait_sent(1)
    assert sent[0].touser == "zhangsan"
    assert "公务用车" in sent[0].text and "报修" in sent[0].text


async def test_wecom_retries_are_handled_once(
    app_client: TestClient, sim: WeComSim, fake_wecom: FakeWeCom
) -> None:
    xml = sim.text("zhangsan", "帮助")
    for _ in range(3):  # WeCom's three tries of one message
        assert await post(app_client, sim, xml) == 200
    await drained(app_client.app)
    assert len(fake_wecom.sent_to("zhangsan")) == 1


async def test_unknown_user_gets_a_polite_answer_and_nothing_else(
    app_client: TestClient, sim: WeComSim, fake_wecom: FakeWeCom
) -> None:
    assert await post(app_client, sim, sim.text("stranger", "明天用车去机场")) == 200
    sent = await fake_wecom.wait_sent(1)
    assert sent[0].touser == "stranger"
    assert "不在本局" in sent[0].text
    await settle(app_client)
    assert len(fake_wecom.sent) == 1


async def test_not_understood_gets_the_help_hint(
    app_client: TestClient, sim: WeComSim, fake_wecom: FakeWeCom
) -> None:
    await post(app_client, sim, sim.text("zhangsan", "今天股市怎么样"))
    sent = await fake_wecom.wait_sent(1)
    assert "没太明白" in sent[0].text and "帮助" in sent[0].text


async def test_one_users_messages_are_answered_in_order(
    app_client: TestClient, sim: WeComSim, fake_wecom: FakeWeCom
) -> None:
    for text in ("帮助", "今天股市怎么样", "帮助"):
        await post(app_client, sim, sim.text("zhangsan", text))
    sent = await fake_wecom.wait_sent(3)
    assert ["公务用车" in m.text for m in sent] == [True, False, True]


async def test_enter_agent_is_welcomed(
    app_client: TestClient, sim: WeComSim, fake_wecom: FakeWeCom
) -> None:
    await post(app_client, sim, sim.event("zhangsan", "enter_agent"))
    sent = await fake_wecom.wait_sent(1)
    assert "张三" in sent[0].text


async def test_reply_survives_a_wecom_outage(
    app_client: TestClient, sim: WeComSim, fake_wecom: FakeWeCom
) -> None:
    """WeCom failing when the reply is due: it goes to the outbox and arrives later, once."""
    fake_wecom.fail_next(1, "http500")
    await post(app_client, sim, sim.text("zhangsan", "帮助"))
    sent = await fake_wecom.wait_sent(1, timeout=15)
    assert sent[0].touser == "zhangsan"
    await drained(app_client.app)
    assert len(fake_wecom.sent_to("zhangsan")) == 1


async def test_a_reply_does_not_overtake_one_waiting_in_the_outbox(
    app_client: TestClient, sim: WeComSim, fake_wecom: FakeWeCom
) -> None:
    """The first reply fails and waits for its retry; the second, due while it waits,
    goes behind it: the user reads them in the order they were asked."""
    fake_wecom.fail_next(1, "http500")
    await post(app_client, sim, sim.text("zhangsan", "帮助"))
    await post(app_client, sim, sim.text("zhangsan", "我的申请"))
    sent = await fake_wecom.wait_sent(2, timeout=15)
    assert [m.touser for m in sent] == ["zhangsan", "zhangsan"]
    assert "公务用车" in sent[0].text and "公务用车" not in sent[1].text
    await drained(app_client.app)
    assert len(fake_wecom.sent_to("zhangsan")) == 2


async def test_healthz_reports_services(app_client: TestClient) -> None:
    resp = await app_client.get("/healthz")
    assert resp.status == 200
    body = await resp.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["redis"] in ("ok", "not configured")
    assert body["outbox_pending"] == 0 and body["outbox_dead"] == 0
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


async def test_healthz_degraded_when_redis_is_gone(
    db: str, aiohttp_client: ClientFactory, wecom_settings: Settings, redis_prefix: str,
    shared_nlu: Nlu,
) -> None:
    settings = replace(wecom_settings, redis_url=REDIS_URL, key_prefix=redis_prefix)
    client = await aiohttp_client(create_app(settings, manage_db=False, nlu=shared_nlu))
    from bot.keys import REDIS

    real = client.app[REDIS]
    broken = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    client.app[REDIS] = broken  # type: ignore[misc]
    try:
        resp = await client.get("/healthz")
        assert resp.status == 200  # still serving: Redis is optional at run time
        body = await resp.json()
        assert body["status"] == "degraded" and body["redis"].startswith("error")
    finally:
        client.app[REDIS] = real  # type: ignore[misc]
        await broken.aclose()


async def test_dev_chat_is_not_served_outside_demo(app_client: TestClient) -> None:
    assert (await app_client.get("/dev/chat")).status == 404


async def test_start_up_is_frozen_out_of_the_collector_until_shutdown(
    db: str, wecom_settings: Settings, shared_nlu: Nlu,
) -> None:
    """Full collections skip what start-up built while the app runs (bot/app.py gc_ctx),
    and a closed app gives it back, so apps made one after another leave nothing behind."""
    import gc

    from aiohttp.test_utils import TestServer

    gc.unfreeze()  # the test session froze its own start-up (tests/conftest.py)
    try:
        server = TestServer(create_app(wecom_settings, manage_db=False, nlu=shared_nlu))
        await server.start_server()
        try:
            assert gc.get_freeze_count() > 10_000  # the warmed dictionary among it
        finally:
            await server.close()
        assert gc.get_freeze_count() == 0
        gc.freeze()  # a process frozen already: an app leaves it so
        server = TestServer(create_app(wecom_settings, manage_db=False, nlu=shared_nlu))
        await server.start_server()
        await server.close()
        assert gc.get_freeze_count() > 10_000  # not given back (0) by the app's shutdown
    finally:
        gc.freeze()
