"""The WeCom API client against the fake WeCom API: token caching and single flight,
refetch on a revoked token, error classes, and no secret in any log line."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import aiohttp
import pytest
import redis.asyncio as aioredis

from bot.wecom.client import (
    WeComBadCode,
    WeComClient,
    WeComConfigError,
    WeComError,
    WeComInvalidRecipient,
    WeComUnavailable,
    redact,
)
from settings import Settings
from tests.bot.conftest import drop_keys, log_text
from tests.conftest import REDIS_URL
from tests.fakewecom import FakeWeCom

MakeClient = Callable[..., WeComClient]


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
async def shared_settings(
    wecom_settings: Settings, redis_client: aioredis.Redis, redis_prefix: str
) -> AsyncIterator[Settings]:
    """Settings of a process that shares the token through the real Redis."""
    yield replace(wecom_settings, redis_url=REDIS_URL, key_prefix=redis_prefix)
    await drop_keys(redis_client, redis_prefix)


@pytest.fixture
def make_client(session: aiohttp.ClientSession, wecom_settings: Settings) -> MakeClient:
    def make(redis: aioredis.Redis | None = None, settings: Settings | None = None, **kw: object) -> WeComClient:
        return WeComClient(session, settings or wecom_settings, redis, **kw)  # type: ignore[arg-type]

    return make


async def test_send_text(make_client: MakeClient, fake_wecom: FakeWeCom, settings: Settings) -> None:
    result = await make_client().send_message("zhangsan", "text", {"content": "您好"})
    assert result["errcode"] == 0
    [sent] = fake_wecom.sent
    assert (sent.touser, sent.msgtype, sent.content) == ("zhangsan", "text", {"content": "您好"})
    assert sent.body["agentid"] == settings.agent_id
    assert "enable_duplicate_check" not in sent.body


async def test_send_with_duplicate_check(make_client: MakeClient, fake_wecom: FakeWeCom) -> None:
    client = make_client()
    for kind, content in [
        ("markdown", {"content": "**已预约**"}),
        ("textcard", {"title": "t", "description": "d", "url": "http://x"}),
        ("template_card", {"card_type": "text_notice", "main_title": {"title": "t"}}),
    ]:
        await client.send_message("zhangsan", kind, content, duplicate_check_interval=600)
    assert [m.msgtype for m in fake_wecom.sent] == ["markdown", "textcard", "template_card"]
    assert all(m.body["enable_duplicate_check"] == 1 and m.body["duplicate_check_interval"] == 600 for m in fake_wecom.sent)


async def test_token_is_fetched_once_for_many_calls(make_client: MakeClient, fake_wecom: FakeWeCom) -> None:
    client = make_client()
    for i in range(5):
        await client.send_message(f"u{i}", "text", {"content": "x"})
    assert fake_wecom.token_calls == 1
    assert len(fake_wecom.sent) == 5


@pytest.mark.parametrize("with_redis", [False, True])
async def test_concurrent_first_calls_fetch_one_token(
    make_client: MakeClient,
    fake_wecom: FakeWeCom,
    redis_client: aioredis.Redis,
    shared_settings: Settings,
    with_redis: bool,
) -> None:
    fake_wecom.delay = 0.05  # the refresh is in flight while the others arrive
    client = make_client(redis_client, shared_settings) if with_redis else make_client()
    await asyncio.gather(*(client.send_message(f"u{i}", "text", {"content": "x"}) for i in range(20)))
    assert fake_wecom.token_calls == 1
    assert len(fake_wecom.sent) == 20


async def test_two_processes_share_the_token_through_redis(
    session: aiohttp.ClientSession,
    fake_wecom: FakeWeCom,
    shared_settings: Settings,
) -> None:
    fake_wecom.delay = 0.05
    # Two processes: separate sessions, separate Redis connections, one Redis.
    async with aiohttp.ClientSession() as other_session:
        r1 = aioredis.from_url("redis://127.0.0.1:6379/15")
        r2 = aioredis.from_url("redis://127.0.0.1:6379/15")
        try:
            a = WeComClient(session, shared_settings, r1)
            b = WeComClient(other_session, shared_settings, r2)
            await asyncio.gather(
                *(c.send_message("zhangsan", "text", {"content": str(i)}) for i in range(10) for c in (a, b))
            )
            assert fake_wecom.token_calls == 1
            # A third process later finds it in Redis, with WeCom's lifetime less the margin.
            c = WeComClient(session, shared_settings, r1)
            await c.send_message("lisi", "text", {"content": "x"})
            assert fake_wecom.token_calls == 1
            key = f"{shared_settings.key_prefix}wecom:token:{shared_settings.corp_id}:{shared_settings.agent_id}"
            assert 6800 < await r1.ttl(key) <= 6900
        finally:
            await r1.aclose()
            await r2.aclose()


@pytest.mark.parametrize("errcode", [42001, 40014, 42009])
async def test_revoked_token_is_refetched_once(make_client: MakeClient, fake_wecom: FakeWeCom, errcode: int) -> None:
    client = make_client()
    await client.send_message("zhangsan", "text", {"content": "1"})
    fake_wecom.revoke_token(errcode)
    await client.send_message("zhangsan", "text", {"content": "2"})
    assert fake_wecom.token_calls == 2
    assert [m.content["content"] for m in fake_wecom.sent] == ["1", "2"]


async def test_revoked_token_many_callers_one_refetch_across_processes(
    session: aiohttp.ClientSession,
    fake_wecom: FakeWeCom,
    redis_client: aioredis.Redis,
    shared_settings: Settings,
) -> None:
    a = WeComClient(session, shared_settings, redis_client)
    b = WeComClient(session, shared_settings, redis_client)
    await a.send_message("u", "text", {"content": "warm"})
    await b.send_message("u", "text", {"content": "warm"})
    fake_wecom.revoke_token(42001)
    fake_wecom.delay = 0.02
    await asyncio.gather(*(c.send_message(f"u{i}", "text", {"content": "x"}) for i in range(10) for c in (a, b)))
    assert fake_wecom.token_calls == 2
    assert len(fake_wecom.sent) == 22


async def test_a_token_expired_twice_loses_nothing(
    session: aiohttp.ClientSession,
    fake_wecom: FakeWeCom,
    redis_client: aioredis.Redis,
    shared_settings: Settings,
) -> None:
    """Two processes share the token. It expires; b refetches; that one expires too. a,
    still holding the first, is refused, tries b's (as cached in Redis), is refused
    again — and fetches a fresh one instead of giving the message up."""
    a = WeComClient(session, shared_settings, redis_client)
    b = WeComClient(session, shared_settings, redis_client)
    await a.send_message("u", "text", {"content": "warm"})
    fake_wecom.revoke_token(42001)
    await b.send_message("u", "text", {"content": "b"})
    fake_wecom.revoke_token(42001)
    await a.send_message("u", "text", {"content": "a"})
    assert [m.content["content"] for m in fake_wecom.sent] == ["warm", "b", "a"]
    assert fake_wecom.token_calls == 3


async def test_a_token_refused_on_every_try_is_retryable(make_client: MakeClient, fake_wecom: FakeWeCom) -> None:
    """WeCom refusing even fresh tokens (for a while) is no reason to drop the message."""
    client = make_client()
    fake_wecom.refuse_new_tokens = 42001
    with pytest.raises(WeComError) as e:
        await client.send_message("zhangsan", "text", {"content": "1"})
    assert e.value.errcode == 42001 and e.value.retryable
    assert fake_wecom.token_calls == 3 and not fake_wecom.sent


async def test_force_refresh(make_client: MakeClient, fake_wecom: FakeWeCom) -> None:
    client = make_client()
    first = await client.get_token()
    assert await client.get_token() == first
    second = await client.get_token(force=True)
    assert second != first and fake_wecom.token_calls == 2


async def test_invalid_recipient_is_permanent(make_client: MakeClient, fake_wecom: FakeWeCom) -> None:
    fake_wecom.invalid_users.add("gone")
    with pytest.raises(WeComInvalidRecipient) as info:
        await make_client().send_message("gone", "text", {"content": "x"})
    assert info.value.errcode == 81013
    assert isinstance(info.value, WeComError) and not info.value.retryable


@pytest.mark.parametrize(("mode", "errcode"), [("busy", -1), ("ratelimit", 45009)])
async def test_busy_and_rate_limited_are_retryable(
    make_client: MakeClient, fake_wecom: FakeWeCom, mode: str, errcode: int
) -> None:
    client = make_client()
    await client.get_token()
    fake_wecom.fail_next(1, mode)  # type: ignore[arg-type]
    with pytest.raises(WeComError) as info:
        await client.send_message("u", "text", {"content": "x"})
    assert (info.value.errcode, info.value.retryable) == (errcode, True)
    await client.send_message("u", "text", {"content": "x"})  # then it passes
    assert len(fake_wecom.sent) == 1


@pytest.mark.parametrize("mode", ["http500", "drop"])
async def test_server_errors_are_unavailable(make_client: MakeClient, fake_wecom: FakeWeCom, mode: str) -> None:
    client = make_client()
    await client.get_token()  # aiohttp itself retries an idempotent GET on a dropped connection
    fake_wecom.fail_next(1, mode)  # type: ignore[arg-type]
    with pytest.raises(WeComUnavailable) as info:
        await client.send_message("u", "text", {"content": "x"})
    assert info.value.retryable
    await client.send_message("u", "text", {"content": "x"})
    assert len(fake_wecom.sent) == 1


async def test_down_then_up(make_client: MakeClient, fake_wecom: FakeWeCom) -> None:
    client = make_client()
    fake_wecom.down_for(3600)
    with pytest.raises(WeComUnavailable):
        await client.send_message("u", "text", {"content": "x"})
    fake_wecom.up()  # WeCom is back
    await client.send_message("u", "text", {"content": "x"})
    assert len(fake_wecom.sent) == 1


async def test_unreachable_api(session: aiohttp.ClientSession, settings: Settings) -> None:
    client = WeComClient(session, settings)  # api_base points at port 1: nothing listens
    with pytest.raises(WeComUnavailable):
        await client.send_message("u", "text", {"content": "x"})


async def test_timeout_is_unavailable(make_client: MakeClient, fake_wecom: FakeWeCom) -> None:
    client = make_client(timeout=aiohttp.ClientTimeout(total=0.1))
    fake_wecom.delay = 0.3
    with pytest.raises(WeComUnavailable, match="Timeout"):
        await client.get_token()


async def test_bad_secret_is_a_config_error(make_client: MakeClient, wecom_settings: Settings) -> None:
    client = make_client(settings=replace(wecom_settings, secret="wrong-secret"))
    with pytest.raises(WeComConfigError) as info:
        await client.send_message("u", "text", {"content": "x"})
    assert (info.value.errcode, info.value.retryable) == (40001, False)


async def test_get_user_info(make_client: MakeClient, fake_wecom: FakeWeCom) -> None:
    client = make_client()
    fake_wecom.add_code("code-1", "lichu")
    assert await client.get_user_info("code-1") == "lichu"
    with pytest.raises(WeComBadCode) as info:
        await client.get_user_info("code-1")  # a code works once
    assert info.value.errcode == 40029 and not info.value.retryable


async def test_update_template_card(make_client: MakeClient, fake_wecom: FakeWeCom, settings: Settings) -> None:
    card = {"card_type": "button_interaction", "main_title": {"title": "已同意"}, "task_id": "t1"}
    await make_client().update_template_card(["lichu"], "rc-1", card)
    [body] = fake_wecom.cards
    assert body == {"userids": ["lichu"], "agentid": settings.agent_id, "response_code": "rc-1", "template_card": card}


async def test_list_departments_and_users(make_client: MakeClient, fake_wecom: FakeWeCom) -> None:
    fake_wecom.departments = [{"id": 1, "name": "市机关事务管理局", "parentid": 0}, {"id": 11, "name": "办公室", "parentid": 1}]
    fake_wecom.users = {11: [{"userid": "zhangsan", "name": "张三", "department": [11]}]}
    client = make_client()
    assert [d["id"] for d in await client.list_departments()] == [1, 11]
    assert [u["userid"] for u in await client.list_users(11)] == ["zhangsan"]
    with pytest.raises(WeComError) as info:
        await client.list_users(99)
    assert info.value.errcode == 60003


async def test_no_secret_or_token_in_logs_or_errors(
    make_client: MakeClient, fake_wecom: FakeWeCom, wecom_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client()
    errors: list[str] = []
    token = await client.get_token()
    fake_wecom.revoke_token(42001)
    await client.send_message("u", "text", {"content": "x"})
    new_token = await client.get_token()
    for mode in ("http500", "drop", "busy"):
        fake_wecom.fail_next(1, mode)  # type: ignore[arg-type]
        try:
            await client.send_message("u", "text", {"content": "x"})
        except (WeComError, WeComUnavailable) as exc:
            errors.append(repr(exc) + str(exc))
    bad = make_client(settings=replace(wecom_settings, secret="another-secret-value"))
    with pytest.raises(WeComConfigError) as info:
        await bad.get_token()
    errors.append(str(info.value))
    text = log_text(caplog.records) + "\n".join(errors)
    assert "wecom" in text
    for forbidden in (token, new_token, wecom_settings.secret, "another-secret-value"):
        assert forbidden not in text


def test_redact() -> None:
    url = "http://x/cgi-bin/gettoken?corpid=ww1&corpsecret=S3CR3T&x=1 and ?access_token=T0K3N"
    assert redact(url) == "http://x/cgi-bin/gettoken?corpid=ww1&corpsecret=***&x=1 and ?access_token=***"


async def test_redis_down_still_gets_a_token(
    session: aiohttp.ClientSession, fake_wecom: FakeWeCom, shared_settings: Settings
) -> None:
    down = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        client = WeComClient(session, shared_settings, down)
        await client.send_message("u", "text", {"content": "x"})
        assert len(fake_wecom.sent) == 1
    finally:
        await down.aclose()
