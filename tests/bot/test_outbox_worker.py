"""Notifications are never lost nor doubled: WeCom failing then recovering, a worker that
dies mid-way, two workers at once, the per-member send budget (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from tortoise.transactions import in_transaction

from bot.chat.ratelimit import MemoryLimiter
from bot.wecom.client import WeComClient
from bot.wecom.notifier import OutboxNotifier, OutboxWorker
from bot.wecom.transport import WeComTransport
from handlers.base import Message
from models import outbox
from models.outbox import OutboxMessage, OutboxStatus
from settings import Settings
from tests.clock import FakeClock
from tests.fakewecom import FakeWeCom

UNLIMITED = MemoryLimiter(per_minute=10**6, per_hour=10**6)


@pytest.fixture
async def transport(wecom_settings: Settings) -> AsyncIterator[WeComTransport]:
    async with aiohttp.ClientSession() as session:
        yield WeComTransport(WeComClient(session, wecom_settings))


def worker(
    transport: WeComTransport, limiter: MemoryLimiter = UNLIMITED, batch: int = 50,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> OutboxWorker:
    return OutboxWorker(transport, limiter, batch=batch, retry_delay=lambda n: 0.05,
                        poll_seconds=0.02, clock=clock)


async def queue(n: int, user: str = "lichu") -> None:
    """n notifications to `user` in one transaction."""
    notifier = OutboxNotifier()
    async with in_transaction():
        for i in range(n):
            await notifier.notify(user, Message.text(f"第{i}条通知"), key=f"k{i}")


async def run_until_sent(*workers: OutboxWorker) -> None:
    """Run the workers until nothing is pending (fails after 10 s)."""
    tasks = [asyncio.create_task(w.run()) for w in workers]
    try:
        async with asyncio.timeout(10):
            while await OutboxMessage.filter(status=OutboxStatus.PENDING).count():  # noqa: ASYNC110 - polls the database
                await asyncio.sleep(0.02)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def texts(fake: FakeWeCom) -> list[str]:
    return sorted(m.text for m in fake.sent)


async def test_a_rolled_back_change_sends_nothing(db: str) -> None:
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await OutboxNotifier().notify("lichu", Message.text("不该发出"))
            raise RuntimeError("the change failed")
    assert await OutboxMessage.all().count() == 0


async def test_outage_delays_and_recovers_each_once(
    db: str, transport: WeComTransport, fake_wecom: FakeWeCom
) -> None:
    await queue(5)
    fake_wecom.fail_next(4, "http500")
    await run_until_sent(worker(transport))
    assert texts(fake_wecom) == sorted(f"第{i}条通知" for i in range(5))
    rows = await OutboxMessage.all()
    assert all(r.status is OutboxStatus.SENT for r in rows)
    assert sum(r.attempts for r in rows) >= 1  # the failures were retried, not dropped


async def test_wecom_down_for_a_while(
    db: str, transport: WeComTransport, fake_wecom: FakeWeCom
) -> None:
    await queue(3)
    clock = FakeClock()
    w = worker(transport, clock=clock)
    fake_wecom.down_for(3600)
    for _ in range(3):  # tries while WeCom is unreachable: each failure waits for its retry
        await w.run_once()
        clock.advance(0.05)
    assert not fake_wecom.sent
    assert await OutboxMessage.filter(status=OutboxStatus.PENDING).count() == 3
    fake_wecom.up()
    await run_until_sent(w)
    assert len(fake_wecom.sent) == 3


async def test_restart_mid_way_sends_each_once(
    db: str, transport: WeComTransport, fake_wecom: FakeWeCom
) -> None:
    """A worker leases rows and dies before sending; after its lease a new one sends them.
    A recipient whose message it held gets nothing else meanwhile (order per recipient)."""
    notifier = OutboxNotifier()
    async with in_transaction():
        for i, user in enumerate(("lichu", "wangke", "zhoujing", "sunwei", "lichu")):
            await notifier.notify(user, Message.text(f"第{i}条通知"), key=f"k{i}")
    clock = FakeClock()
    dead = await outbox.claim_due("dead-worker", clock(), 2, lease_seconds=1)
    assert [m.user_id for m in dead] == ["lichu", "wangke"]
    fresh = worker(transport, clock=clock)
    await fresh.run_once()  # sends the two the dead worker does not hold
    assert sorted(m.touser for m in fake_wecom.sent) == ["sunwei", "zhoujing"]
    clock.advance(0.9)
    await fresh.run_once()  # lichu's second waits behind the first, still leased
    assert len(fake_wecom.sent) == 2
    clock.advance(0.2)  # the dead worker's lease runs out
    await run_until_sent(fresh)
    assert texts(fake_wecom) == sorted(f"第{i}条通知" for i in range(5))
    assert [m.text for m in fake_wecom.sent if m.touser == "lichu"] == ["第0条通知", "第4条通知"]


async def test_crash_after_send_is_not_seen_twice(
    db: str, transport: WeComTransport, fake_wecom: FakeWeCom
) -> None:
    """Sent, then the process died before marking it: the re-send carries WeCom's
    duplicate check, so the member still gets it once."""
    await queue(1)
    clock = FakeClock()
    row = (await outbox.claim_due("crashing", clock(), 1, lease_seconds=1))[0]
    await transport.deliver(row.user_id, row.kind, row.content, once=True)
    clock.advance(1.1)  # its lease runs out
    await run_until_sent(worker(transport, clock=clock))
    assert len(fake_wecom.sent) == 1
    assert len(fake_wecom.dropped_duplicates) == 1


@pytest.fixture
async def impatient(wecom_settings: Settings) -> AsyncIterator[WeComTransport]:
    """A client that gives up on an answer after 0.3 s."""
    async with aiohttp.ClientSession() as session:
        timeout = aiohttp.ClientTimeout(total=0.3)
        yield WeComTransport(WeComClient(session, wecom_settings, timeout=timeout))


@pytest.mark.parametrize("keyed", [False, True])
async def test_a_send_answered_after_the_timeout_reaches_the_user_once(
    db: str, impatient: WeComTransport, fake_wecom: FakeWeCom, keyed: bool
) -> None:
    """WeCom takes the message but answers after the client's timeout: the worker cannot
    tell it arrived and sends again — with WeCom's duplicate check, over the time since
    the row was written, so the user reads it once (a reply as much as a notification)."""
    notifier = OutboxNotifier()
    async with in_transaction():
        await notifier.notify("lichu", Message.text("您的用车申请 #1001 已提交"),
                              key="k-late" if keyed else None)
    fake_wecom.late_answers, fake_wecom.late_by = 1, 1.0
    await run_until_sent(worker(impatient))
    assert [m.text for m in fake_wecom.sent] == ["您的用车申请 #1001 已提交"]
    assert len(fake_wecom.dropped_duplicates) == 1
    retry = fake_wecom.dropped_duplicates[0].body
    assert retry["enable_duplicate_check"] == 1
    assert retry["duplicate_check_interval"] == 1800 if keyed else 5 <= retry["duplicate_check_interval"] <= 10
    row = await OutboxMessage.get()
    assert row.status == OutboxStatus.SENT and row.attempts == 1


async def test_a_reply_repeated_by_the_user_is_not_taken_for_a_duplicate(
    db: str, transport: WeComTransport, fake_wecom: FakeWeCom
) -> None:
    """"帮助" asked twice a minute apart is answered twice: a reply is checked only over
    the seconds since it was written."""
    notifier = OutboxNotifier()
    for _ in range(2):
        async with in_transaction():
            await notifier.notify("lichu", Message.text("我可以帮您：用车、报修、订场地"))
        await run_until_sent(worker(transport))
        fake_wecom.time_passes(60)
    assert len(fake_wecom.sent) == 2 and not fake_wecom.dropped_duplicates
    assert all(m.body["duplicate_check_interval"] <= 10 for m in fake_wecom.sent)


async def test_two_workers_send_each_once(
    db: str, transport: WeComTransport, fake_wecom: FakeWeCom
) -> None:
    for user in ("lichu", "wangke", "zhoujing", "sunwei"):
        await _queue_for(user)
    await run_until_sent(worker(transport, batch=5), worker(transport, batch=5))
    keys = [(m.touser, m.text) for m in fake_wecom.sent]
    assert len(keys) == len(set(keys)) == 40


async def _queue_for(user: str) -> None:
    async with in_transaction():
        for i in range(10):
            await OutboxNotifier().notify(user, Message.text(f"{user}第{i}条"), key=f"{user}{i}")


async def test_same_key_is_queued_once(db: str) -> None:
    await queue(2)
    await queue(2)
    assert await OutboxMessage.all().count() == 2


async def test_budget_per_member_is_respected(
    db: str, transport: WeComTransport, fake_wecom: FakeWeCom
) -> None:
    """WeCom drops what exceeds 30 a minute to one member: the worker holds the rest back."""
    clock = [1000.0]
    limiter = MemoryLimiter(clock=lambda: clock[0])
    await queue(30)
    w = worker(transport, limiter=limiter)
    for _ in range(40):  # one row per recipient and pass: the oldest it has pending
        await w.run_once()
    assert len(fake_wecom.sent) == 25
    assert not fake_wecom.dropped_rate_limited
    waiting = await OutboxMessage.filter(status=OutboxStatus.PENDING).order_by("id")
    assert len(waiting) == 5
    # The 26th waits for the budget; the four after it wait behind it.
    assert waiting[0].next_attempt_at > datetime.now(UTC) + timedelta(seconds=30)
