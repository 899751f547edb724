"""The durable inbox (issue 12) in the real app, on SQLite and PostgreSQL with the real
Redis: duplicates handled once whatever Redis remembers, a message not stored refused
with 503, what a dead process left taken over (handled again only when nothing was
done, told from the audit trail when it was, its reply resent once when only that is
missing), the overload left in the inbox and its users told once to wait, and the
inbox's depth on /healthz."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

import handlers.inbox
from bot.app import create_app
from bot.chat.inbox import KEEP_DONE, Inbox
from bot.keys import DISPATCHER, INBOX
from bot.wecom.flood import FLOOD, TOO_FAST
from handlers.base import Inbound, InboundKind
from handlers.inbox import CURRENT_INBOX, WAITING, InboxTurn
from models.inbox import InboxMessage, InboxState
from models.outbox import OutboxMessage
from models.requests import Request
from models.seed import seed_org
from nlp import Nlu
from settings import Settings
from tests.bot.conftest import drop_keys
from tests.bot.wecomsim import WeComSim
from tests.conftest import REDIS_URL, TZ
from tests.fakewecom import FakeWeCom

ORG = Path(__file__).resolve().parent.parent / "models" / "org_good.yaml"
ClientFactory = Callable[..., Awaitable[TestClient]]
SENTENCE = "明天上午9点到11点用车去市政府，2人，事由：送文件"


@pytest.fixture
async def make_app(
    db: str, aiohttp_client: ClientFactory, wecom_settings: Settings, redis_prefix: str,
    shared_nlu: Nlu, redis_client: aioredis.Redis,
) -> AsyncIterator[Callable[[], Awaitable[TestClient]]]:
    """A `serve` process on the test database and Redis (call it again: another process,
    or the same one restarted)."""
    assert (await seed_org(ORG)).ok
    settings = replace(wecom_settings, redis_url=REDIS_URL, key_prefix=redis_prefix)

    async def make() -> TestClient:
        return await aiohttp_client(create_app(settings, manage_db=False, nlu=shared_nlu))

    yield make
    await drop_keys(redis_client, redis_prefix)


async def post(client: TestClient, sim: WeComSim, xml: str) -> int:
    params, body = sim.post(xml)
    resp = await client.post("/wecom/callback", params=params, data=body)
    assert await resp.text() == ""
    return resp.status


async def settle(client: TestClient) -> None:
    await client.app[DISPATCHER].join(timeout=10)


def texts_to(fake: FakeWeCom, user: str) -> list[str]:
    return [m.text for m in fake.sent if m.touser == user and m.msgtype in ("text", "markdown")]


async def taken_over(client: TestClient, row_id: int) -> InboxMessage:
    """Recover (or let the process's own recovery loop do it) until row `row_id` is this
    process's and done."""
    inbox = client.app[INBOX]
    await inbox.recover(client.app[DISPATCHER])
    for _ in range(250):
        await settle(client)
        row = await InboxMessage.get(id=row_id)
        if row.state is InboxState.DONE and row.owner == inbox.owner:
            return row
        await asyncio.sleep(0.02)
    pytest.fail(f"row {row_id} not taken over")


def inbound(user: str, text: str, msg_id: str) -> Inbound:
    return Inbound(user, msg_id, InboundKind.TEXT, datetime.now(TZ), text=text)


async def test_a_duplicate_is_handled_once_after_redis_is_emptied_and_after_a_restart(
    make_app: Callable[[], Awaitable[TestClient]], sim: WeComSim, fake_wecom: FakeWeCom,
    redis_client: aioredis.Redis, redis_prefix: str,
) -> None:
    first = await make_app()
    xml = sim.text("zhangsan", "帮助", msg_id="880001")
    assert await post(first, sim, xml) == 200
    await settle(first)
    assert len(texts_to(fake_wecom, "zhangsan")) == 1
    await drop_keys(redis_client, redis_prefix)  # Redis restarted empty
    assert await post(first, sim, xml) == 200
    again = await make_app()  # another process, or this one restarted
    assert await post(again, sim, xml) == 200  # a captured callback replayed
    for client in (first, again):
        await settle(client)
    assert len(texts_to(fake_wecom, "zhangsan")) == 1
    assert await InboxMessage.filter(key="msg:880001").count() == 1


async def test_a_message_the_database_cannot_store_is_503_and_not_handled(
    make_app: Callable[[], Awaitable[TestClient]], sim: WeComSim, fake_wecom: FakeWeCom,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = await make_app()

    async def down(rows: object) -> list[int | None]:
        raise ConnectionError("database down")

    xml = sim.text("zhangsan", "帮助", msg_id="880002")
    with monkeypatch.context() as patch:
        patch.setattr(handlers.inbox, "insert_new", down)
        assert await post(client, sim, xml) == 503
    await settle(client)
    assert client.app[DISPATCHER].handled == 0 and fake_wecom.sent == []
    assert await post(client, sim, xml) == 200  # WeCom's retry (Redis saw the key: no matter)
    await settle(client)
    assert len(texts_to(fake_wecom, "zhangsan")) == 1


async def _dies_after_the_commit(ghost: Inbox, client: TestClient, message: Inbound) -> int:
    """A process takes `message`, commits what it asks for and dies before its turn ends:
    the dialogue state is not written, the row not marked done, no reply sent. Alive (its
    heartbeat fresh) until it dies, so that no recovery takes the row from it meanwhile."""
    await handlers.inbox.beat(ghost.owner, time.time())
    stored = await ghost.store(f"msg:{message.msg_id}", message, owned=True)
    assert stored is not None
    row_id = stored.id
    dispatcher = client.app[DISPATCHER]
    token = CURRENT_INBOX.set(InboxTurn(row_id))
    try:
        async with dispatcher._sessions.open(message.user_id) as session:
            await dispatcher.handle(message, session)
            session.new_state = None  # died before closing the turn
    finally:
        CURRENT_INBOX.reset(token)
    await handlers.inbox.beat(ghost.owner, time.time() - 3600)  # dead: silent for an hour
    return row_id


async def test_a_message_whose_change_committed_is_told_from_the_audit_trail_not_redone(
    make_app: Callable[[], Awaitable[TestClient]], sim: WeComSim, fake_wecom: FakeWeCom,
) -> None:
    client = await make_app()
    assert await post(client, sim, sim.text("zhangsan", SENTENCE)) == 200
    await settle(client)
    assert "请确认用车申请" in texts_to(fake_wecom, "zhangsan")[0]
    row_id = await _dies_after_the_commit(Inbox(), client, inbound("zhangsan", "确认", "880003"))
    assert (await InboxMessage.get(id=row_id)).state is InboxState.EFFECTED
    [request] = await Request.all()
    assert len(texts_to(fake_wecom, "zhangsan")) == 1  # the dead process said nothing

    row = await taken_over(client, row_id)
    told = texts_to(fake_wecom, "zhangsan")[1]
    assert told == f"您刚才的消息已处理：#{request.no} 用车申请已提交，当前状态：待审批。"
    assert row.reply is not None and row.reply["text"] == told
    # The draft was closed: the same 确认 again books nothing more.
    assert await post(client, sim, sim.text("zhangsan", "确认")) == 200
    await settle(client)
    assert await Request.all().count() == 1
    assert await OutboxMessage.filter(user_id="lichu").count() == 1  # the approver asked once
    assert await client.app[INBOX].recover(client.app[DISPATCHER]) == 0


async def test_a_pending_message_of_a_dead_process_is_handled_once(
    make_app: Callable[[], Awaitable[TestClient]], fake_wecom: FakeWeCom,
) -> None:
    client = await make_app()
    ghost = Inbox()
    stored = await ghost.store("msg:880004", inbound("zhangsan", "帮助", "880004"), owned=True)
    assert stored is not None
    row_id = stored.id
    inbox = client.app[INBOX]
    await taken_over(client, row_id)  # its owner never beat: dead
    assert await inbox.recover(client.app[DISPATCHER]) == 0
    await inbox.flush()
    replies = texts_to(fake_wecom, "zhangsan")
    assert len(replies) == 1 and "公务用车" in replies[0]
    assert (await InboxMessage.get(id=row_id)).reply_sent


async def test_a_live_owner_keeps_its_rows_a_silent_one_loses_them(
    make_app: Callable[[], Awaitable[TestClient]], fake_wecom: FakeWeCom,
) -> None:
    client = await make_app()
    clock = [time.time()]
    other = Inbox(clock=lambda: clock[0])
    await other._beat()
    stored = await other.store("msg:880005", inbound("zhangsan", "帮助", "880005"), owned=True)
    assert stored is not None
    row_id = stored.id
    inbox = client.app[INBOX]
    assert await inbox.recover(client.app[DISPATCHER]) == 0  # alive: its own
    clock[0] -= inbox.stale_after + 1  # its last heartbeat, longer ago than the lease
    await other._beat()
    await taken_over(client, row_id)
    assert len(texts_to(fake_wecom, "zhangsan")) == 1


async def test_a_reply_finished_but_not_marked_sent_reaches_the_user_once(
    make_app: Callable[[], Awaitable[TestClient]], sim: WeComSim, fake_wecom: FakeWeCom,
) -> None:
    client = await make_app()
    assert await post(client, sim, sim.text("zhangsan", SENTENCE)) == 200
    await settle(client)
    ghost, inbox, dispatcher = Inbox(), client.app[INBOX], client.app[DISPATCHER]
    message = inbound("zhangsan", "确认", "880006")
    stored = await ghost.store("msg:880006", message, owned=True)
    assert stored is not None
    row_id = stored.id
    await dispatcher.process(message, row_id)
    await inbox.flush()
    text = texts_to(fake_wecom, "zhangsan")[-1]
    assert text.startswith("已提交")
    # As if its process had died after sending, before marking it sent.
    await InboxMessage.filter(id=row_id).update(reply_sent=False, owner=ghost.owner)
    await taken_over(client, row_id)
    for _ in range(100):
        if fake_wecom.dropped_duplicates:
            break
        await asyncio.sleep(0.02)
    assert texts_to(fake_wecom, "zhangsan").count(text) == 1
    assert len(fake_wecom.dropped_duplicates) == 1  # the resend, dropped by WeCom's check
    # WeCom has it before the resend's answer is back: marked sent once that comes.
    for _ in range(100):
        await client.app[INBOX].flush()
        if (await InboxMessage.get(id=row_id)).reply_sent:
            break
        await asyncio.sleep(0.02)
    assert (await InboxMessage.get(id=row_id)).reply_sent
    assert texts_to(fake_wecom, "zhangsan").count(text) == 1


async def test_overload_stores_for_later_tells_waiting_users_once_and_catches_up(
    make_app: Callable[[], Awaitable[TestClient]], sim: WeComSim, fake_wecom: FakeWeCom,
) -> None:
    client = await make_app()
    dispatcher, inbox = client.app[DISPATCHER], client.app[INBOX]
    dispatcher.max_held = 0  # no room in memory
    for i, text in enumerate(["帮助", "我的申请"]):
        assert await post(client, sim, sim.text("zhangsan", text, msg_id=f"88001{i}")) == 200
    assert dispatcher.handled == 0
    body = await (await client.get("/healthz")).json()
    assert body["inbox_depth"] == 2 and body["inbox_oldest_age_s"] >= 0
    assert await InboxMessage.filter(owner=None, state=InboxState.PENDING).count() == 2

    inbox.wait_tell_after = 0  # "more than a few seconds" already
    await inbox.tell_waiting(dispatcher)
    await inbox.tell_waiting(dispatcher)  # the same waiting episode: not again
    waits = await OutboxMessage.filter(user_id="zhangsan", content={"content": WAITING}).count()
    assert waits == 1

    dispatcher.max_held = 100  # room again
    await inbox.recover(dispatcher)
    await settle(client)
    replies = texts_to(fake_wecom, "zhangsan")
    for _ in range(100):  # the outbox worker delivers the wait first, the replies behind it
        if len(replies) >= 3:
            break
        await settle(client)
        await asyncio.sleep(0.05)
        replies = texts_to(fake_wecom, "zhangsan")
    assert replies[0] == WAITING and len(replies) == 3, replies
    assert "公务用车" in replies[1]
    await inbox.flush()  # (the process's loop does it within 0.2 s)
    body = await (await client.get("/healthz")).json()
    assert body["inbox_depth"] == 0 and body["inbox_oldest_age_s"] == 0


async def test_done_rows_are_kept_through_the_callbacks_window_then_pruned(
    make_app: Callable[[], Awaitable[TestClient]],
) -> None:
    await make_app()
    old, recent = Inbox(clock=lambda: time.time() - KEEP_DONE - 60), Inbox()
    for inbox, key in ((old, "msg:880020"), (recent, "msg:880021")):
        stored = await inbox.store(key, inbound("zhangsan", "帮助", key[4:]), owned=True)
        assert stored is not None
        row_id = stored.id
        await inbox.done(row_id, None)
        inbox.sent(row_id)
        await inbox.flush()
    await handlers.inbox.prune(time.time() - KEEP_DONE)  # (the process's loop may have first)
    assert await InboxMessage.all().values_list("key", flat=True) == ["msg:880021"]


async def until_waiting(looked: asyncio.Event) -> None:
    """Until the process has looked at a user's waiting message a few times (`looked`),
    10 s at most (a message that did not wait: the caller's assertion says so)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(looked.wait(), 10)


def count_looks(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Set once the waiting rows were found held three times (each ELDER_POLL)."""
    looks: list[object] = []
    looked = asyncio.Event()
    held_behind = handlers.inbox.held_behind

    async def counted(*args: Any) -> Any:
        looks.append(result := await held_behind(*args))
        if sum(1 for held in looks if held) >= 3:
            looked.set()
        return result

    monkeypatch.setattr(handlers.inbox, "held_behind", counted)
    return looked


@pytest.mark.parametrize("silent", [0.0, 0.5], ids=["crashed-just-now", "silent-half-the-lease"])
async def test_a_message_left_by_a_dying_process_is_answered_before_the_users_newer_one(
    make_app: Callable[[], Awaitable[TestClient]], sim: WeComSim, fake_wecom: FakeWeCom,
    monkeypatch: pytest.MonkeyPatch, silent: float,
) -> None:
    """Per-user order after a crash: the dead process's row comes first, even though the
    user's next message reaches a live process before the lease of the dead one ran out
    — also when it died right after its last heartbeat (`silent` × the lease ago), which
    still looks alive for a whole lease."""
    client = await make_app()
    looked = count_looks(monkeypatch)
    stale_after = client.app[INBOX].stale_after
    clock = [time.time() - silent * stale_after]
    dying = Inbox(clock=lambda: clock[0])
    await dying._beat()  # its last heartbeat: not yet taken for dead (STALE_AFTER)
    stored = await dying.store("msg:880030", inbound("zhangsan", "帮助", "880030"), owned=True)
    assert stored is not None and not stored.behind
    assert await post(client, sim, sim.text("zhangsan", "我的申请", msg_id="880031")) == 200
    [newer] = await InboxMessage.filter(key="msg:880031")
    dispatcher = client.app[DISPATCHER]
    # The newer one waits, looking again every ELDER_POLL: the older is in other hands.
    await until_waiting(looked)
    # (the older one has waited past WAIT_TELL_AFTER: its user may be told to wait)
    assert dispatcher.handled == 0 and set(texts_to(fake_wecom, "zhangsan")) <= {WAITING}

    clock[0] = time.time() - stale_after - 1  # older than the lease: dead
    await dying._beat()
    await settle(client)
    replies = [text for text in texts_to(fake_wecom, "zhangsan") if text != WAITING]
    assert len(replies) == 2 and "公务用车" in replies[0], replies  # 帮助 first
    assert dispatcher.handled == 2
    for row_id in (stored.id, newer.id):
        row = await InboxMessage.get(id=row_id)
        assert row.owner == client.app[INBOX].owner and row.attempts == (row_id == stored.id)


async def test_a_message_stored_for_later_comes_before_the_users_next_one(
    make_app: Callable[[], Awaitable[TestClient]], sim: WeComSim, fake_wecom: FakeWeCom,
) -> None:
    """Per-user order after the overload: a message left in the inbox (no room in memory)
    is handled before the same user's next, which found room."""
    client = await make_app()
    dispatcher = client.app[DISPATCHER]
    dispatcher.max_held = 0
    assert await post(client, sim, sim.text("zhangsan", "帮助", msg_id="880040")) == 200
    dispatcher.max_held = 100
    assert await post(client, sim, sim.text("zhangsan", "我的申请", msg_id="880041")) == 200
    await settle(client)
    replies = texts_to(fake_wecom, "zhangsan")
    assert len(replies) == 2 and "公务用车" in replies[0], replies
    assert await InboxMessage.filter(state=InboxState.PENDING).count() == 0


async def test_a_users_message_waits_for_an_older_one_a_live_process_has(
    make_app: Callable[[], Awaitable[TestClient]], sim: WeComSim, fake_wecom: FakeWeCom,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two live processes: a user's newer message waits until the other has finished
    their older one (the user's Redis lock alone would let whichever came first go)."""
    client = await make_app()
    looked = count_looks(monkeypatch)
    other = Inbox()
    await other._beat()
    stored = await other.store("msg:880050", inbound("zhangsan", "帮助", "880050"), owned=True)
    assert stored is not None
    assert await post(client, sim, sim.text("zhangsan", "我的申请", msg_id="880051")) == 200
    await until_waiting(looked)
    dispatcher = client.app[DISPATCHER]
    assert dispatcher.handled == 0
    await handlers.inbox.finish([], finished=[stored.id], now=time.time())  # the other's turn ends
    await settle(client)
    assert dispatcher.handled == 1 and len(texts_to(fake_wecom, "zhangsan")) == 1


async def test_an_older_message_a_live_process_never_finishes_holds_the_newer_one_a_lease_at_most(
    make_app: Callable[[], Awaitable[TestClient]], sim: WeComSim, fake_wecom: FakeWeCom,
) -> None:
    """A live process that keeps a user's older row unfinished (its turn lost to an
    error) holds their newer message for `hold_lease` at most: handled then, not never."""
    client = await make_app()
    client.app[INBOX].hold_lease = 0.3
    other = Inbox()
    await other._beat()
    stored = await other.store("msg:880060", inbound("zhangsan", "帮助", "880060"), owned=True)
    assert stored is not None
    started = time.monotonic()
    assert await post(client, sim, sim.text("zhangsan", "我的申请", msg_id="880061")) == 200
    await settle(client)
    assert time.monotonic() - started >= 0.3
    assert client.app[DISPATCHER].handled == 1 and len(texts_to(fake_wecom, "zhangsan")) == 1
    assert (await InboxMessage.get(id=stored.id)).owner == other.owner  # still the other's


async def test_a_message_over_the_flood_limit_is_stored_done_and_never_handled(
    make_app: Callable[[], Awaitable[TestClient]], sim: WeComSim, fake_wecom: FakeWeCom,
) -> None:
    """Redis's flood count runs beside the INSERT (bot/wecom/callback.py); the refusal is
    written before the 200: neither WeCom's retry nor a recovery handles the message."""
    client = await make_app()
    client.app[FLOOD].limit = 2  # type: ignore[attr-defined]
    xmls = [sim.text("zhangsan", "帮助", msg_id=f"88090{i}") for i in range(3)]
    for xml in xmls:
        assert await post(client, sim, xml) == 200
    await settle(client)
    row = await InboxMessage.get(key="msg:880902")
    assert row.state is InboxState.DONE and row.reply_sent and row.done_at is not None
    assert await post(client, sim, xmls[2]) == 200  # WeCom's retry
    await client.app[INBOX].recover(client.app[DISPATCHER])
    await settle(client)
    assert client.app[DISPATCHER].handled == 2
    texts = texts_to(fake_wecom, "zhangsan")
    assert len(texts) == 3 and texts.count(TOO_FAST) == 1
