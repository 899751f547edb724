"""The outbox: transactional enqueue, idempotency keys, leases that never overlap."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction

from models.org import Department
from models.outbox import (
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    claim_due,
    defer,
    enqueue,
    mark_dead,
    mark_retry,
    mark_sent,
    mark_sent_many,
    pending_count,
)

ROOT = Path(__file__).resolve().parents[2]
TEXT = {"content": "您的用车申请 #1024 已通过"}


async def test_enqueue_claim_send(db: str, now: datetime) -> None:
    await enqueue("zhangsan", MessageKind.TEXT, TEXT, now=now)
    assert await pending_count() == 1
    [msg] = await claim_due("w1", now, limit=10, lease_seconds=30)
    assert (msg.user_id, msg.kind, msg.content) == ("zhangsan", MessageKind.TEXT, TEXT)
    assert msg.locked_by == "w1" and msg.locked_until == now + timedelta(seconds=30)
    assert msg.status is OutboxStatus.PENDING and msg.attempts == 0
    assert await claim_due("w2", now, limit=10, lease_seconds=30) == []  # leased
    assert await mark_sent(msg.id, "w1", now + timedelta(seconds=1))
    row = await OutboxMessage.get(id=msg.id)
    assert row.status is OutboxStatus.SENT and row.sent_at == now + timedelta(seconds=1)
    assert row.locked_by is None
    assert await pending_count() == 0
    assert not await mark_sent(msg.id, "w1", now)  # not leased any more
    assert await claim_due("w1", now + timedelta(hours=1), limit=10, lease_seconds=30) == []


async def test_a_pass_is_recorded_in_one_statement(db: str, now: datetime) -> None:
    """The worker records a pass's deliveries together; a row another worker holds now
    (its lease ran out and was taken) is left to that worker."""
    for user in ("a", "b", "c"):
        await enqueue(user, MessageKind.TEXT, TEXT, now=now)
    rows = await claim_due("w1", now, limit=10, lease_seconds=30)
    assert len(rows) == 3
    later = now + timedelta(seconds=31)
    [taken] = [r for r in await claim_due("w2", later, limit=1, lease_seconds=30)]
    assert await mark_sent_many([r.id for r in rows], "w1", later) == 2
    assert await mark_sent_many([], "w1", later) == 0
    stored = {r.id: r for r in await OutboxMessage.all()}
    assert stored[taken.id].status is OutboxStatus.PENDING and stored[taken.id].locked_by == "w2"
    assert [r.status for i, r in stored.items() if i != taken.id] == [OutboxStatus.SENT] * 2
    assert all(r.sent_at == later for i, r in stored.items() if i != taken.id)


async def test_rollback_leaves_no_message(db: str, now: datetime) -> None:
    """The change and its notification commit together, or neither does."""
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await Department.create(id=1, name="局")
            await enqueue("zhangsan", "text", TEXT, now=now)
            raise RuntimeError("the handler failed after enqueueing")
    assert await OutboxMessage.all().count() == 0
    assert not await Department.exists()
    async with in_transaction():
        await Department.create(id=1, name="局")
        await enqueue("zhangsan", "text", TEXT, now=now)
    assert await OutboxMessage.all().count() == 1


async def test_same_key_twice_is_one_message(db: str, now: datetime) -> None:
    await enqueue("zhangsan", "text", TEXT, key="req:1024:approved", now=now)
    # Inside a transaction the conflict must not poison it (PostgreSQL aborts a
    # transaction on a failed INSERT; ON CONFLICT DO NOTHING does not fail).
    async with in_transaction():
        await enqueue("zhangsan", "text", {"content": "again"}, key="req:1024:approved", now=now)
        await Department.create(id=1, name="局")
    await enqueue("lisi", "markdown", {"content": "**x**"}, now=now)
    await enqueue("lisi", "markdown", {"content": "**x**"}, now=now)  # no key: two messages
    rows = await OutboxMessage.all().order_by("id")
    assert [(r.user_id, r.key) for r in rows] == [
        ("zhangsan", "req:1024:approved"),
        ("lisi", None),
        ("lisi", None),
    ]
    assert rows[0].content == TEXT
    assert await Department.exists()


async def test_due_time_compares_across_time_zones(db: str, now: datetime) -> None:
    """`now` is Shanghai time; claimers may pass UTC. SQLite keeps datetimes as text, so
    everything is stored in UTC or the comparisons would be by string."""
    await enqueue("zhangsan", "text", TEXT, now=now)
    utc_now = now.astimezone(UTC)
    assert await claim_due("w", utc_now - timedelta(seconds=1), 10, 30) == []
    [msg] = await claim_due("w", utc_now, 10, 30)
    assert msg.next_attempt_at == now
    assert await mark_retry(msg.id, "w", "boom", now + timedelta(minutes=5))
    assert await claim_due("w", (now + timedelta(minutes=4)).astimezone(UTC), 10, 30) == []
    assert len(await claim_due("w", now + timedelta(minutes=5), 10, 30)) == 1


async def test_naive_datetimes_are_refused(db: str) -> None:
    with pytest.raises(ValueError, match="aware"):
        await enqueue("zhangsan", "text", TEXT, now=datetime(2026, 11, 27, 10, 0))  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        await claim_due("w", datetime(2026, 11, 27, 10, 0), 10, 30)  # noqa: DTZ001


async def test_retry_defer_dead(db: str, now: datetime) -> None:
    for i in range(3):
        await enqueue(f"u{i}", "text", TEXT, now=now)
    a, b, c = await claim_due("w", now, limit=10, lease_seconds=30)
    assert not await mark_retry(a.id, "intruder", "x", now)  # only the lease holder
    assert await mark_retry(a.id, "w", "errcode 45009 " + "x" * 5000, now + timedelta(seconds=60))
    assert await defer(b.id, "w", now + timedelta(seconds=20))
    assert await mark_dead(c.id, "w", "errcode 81013: user not found")
    rows = {r.id: r for r in await OutboxMessage.all()}
    assert rows[a.id].attempts == 1 and rows[a.id].last_error is not None
    assert len(rows[a.id].last_error) == 2000
    assert rows[b.id].attempts == 0  # a deferral is not an attempt
    assert rows[c.id].status is OutboxStatus.DEAD and rows[c.id].attempts == 1
    assert await pending_count() == 2
    # Due order: b (deferred 20 s) then a (retry at 60 s); the dead one never again.
    assert [m.id for m in await claim_due("w", now + timedelta(seconds=20), 10, 30)] == [b.id]
    assert await mark_sent(b.id, "w", now + timedelta(seconds=21))
    assert [m.id for m in await claim_due("w", now + timedelta(seconds=60), 10, 30)] == [a.id]
    assert await mark_dead(a.id, "w", "gave up")
    assert await claim_due("w", now + timedelta(days=1), 10, 30) == []


async def test_expired_lease_makes_a_message_claimable_again(db: str, now: datetime) -> None:
    await enqueue("zhangsan", "text", TEXT, now=now)
    [first] = await claim_due("crashed", now, limit=1, lease_seconds=30)
    assert await claim_due("w2", now + timedelta(seconds=29), 1, 30) == []
    [again] = await claim_due("w2", now + timedelta(seconds=30), 1, 30)
    assert again.id == first.id and again.locked_by == "w2"
    assert not await mark_sent(first.id, "crashed", now)  # the old holder lost it
    assert await mark_sent(again.id, "w2", now + timedelta(seconds=31))


async def test_claim_respects_limit_and_order(db: str, now: datetime) -> None:
    for i in range(5):
        await enqueue(f"u{i}", "text", {"content": str(i)}, now=now + timedelta(seconds=i))
    got = await claim_due("w", now + timedelta(seconds=10), limit=3, lease_seconds=30)
    assert [m.content["content"] for m in got] == ["0", "1", "2"]
    assert await claim_due("w", now, limit=0, lease_seconds=30) == []


async def test_a_recipient_gets_messages_in_the_order_written(db: str, now: datetime) -> None:
    """One row per recipient at a time, the oldest pending: a later one never overtakes
    an earlier one, even when their retry times cross (after an outage)."""
    for i in range(3):
        await enqueue("wuli", "text", {"content": str(i)}, now=now)
    await enqueue("lichu", "text", {"content": "x"}, now=now)
    first, other = await claim_due("w", now, limit=10, lease_seconds=30)
    assert (first.content, other.content) == ({"content": "0"}, {"content": "x"})
    assert await claim_due("w2", now, limit=10, lease_seconds=30) == []  # "1" waits for "0"
    assert await mark_sent(other.id, "w", now)
    # "0" fails and backs off for a minute; "1" is due sooner but stays behind it.
    assert await mark_retry(first.id, "w", "down", now + timedelta(seconds=60))
    assert await claim_due("w", now + timedelta(seconds=30), 10, 30) == []
    [again] = await claim_due("w", now + timedelta(seconds=60), 10, 30)
    assert again.id == first.id
    assert await mark_sent(again.id, "w", now + timedelta(seconds=61))
    [second] = await claim_due("w", now + timedelta(seconds=61), 10, 30)
    assert second.content == {"content": "1"}
    assert await mark_dead(second.id, "w", "errcode 81013")  # a dead row blocks nothing
    [third] = await claim_due("w", now + timedelta(seconds=62), 10, 30)
    assert third.content == {"content": "2"}


async def test_concurrent_claimers_claim_each_message_once(db: str, now: datetime) -> None:
    total = 60
    for i in range(total):
        await enqueue(f"u{i % 7}", "text", {"content": str(i)}, now=now)

    async def worker(owner: str) -> list[int]:
        mine: list[int] = []
        idle = 0
        while idle < 20:  # a recipient's next row is claimable once the last is sent
            batch = await claim_due(owner, now, limit=4, lease_seconds=60)
            idle = 0 if batch else idle + 1
            for m in batch:
                assert await mark_sent(m.id, owner, now)
            mine.extend(m.id for m in batch)
            await asyncio.sleep(0)
        return mine

    results = await asyncio.gather(*(worker(f"w{i}") for i in range(4)))
    claimed = [i for r in results for i in r]
    assert len(claimed) == total and len(set(claimed)) == total
    for ids in results:  # each worker got each recipient's rows in the order written
        by_user: dict[str, list[int]] = {}
        rows = {m.id: m for m in await OutboxMessage.filter(id__in=ids)}
        for i in ids:
            by_user.setdefault(rows[i].user_id, []).append(i)
        assert all(v == sorted(v) for v in by_user.values())


_WORKER = """
import asyncio, json, sys
from datetime import datetime
from models.db import close_db, init_db
from models.outbox import claim_due, mark_sent

async def main(url, owner, now):
    await init_db(url, create_schema=False)
    print("ready", flush=True)
    sys.stdin.readline()  # both start together
    mine = []
    try:
        idle = 0
        while idle < 20:  # a recipient's next row is claimable once the last is sent
            batch = await claim_due(owner, datetime.fromisoformat(now), 3, 60)
            idle = 0 if batch else idle + 1
            for m in batch:
                await mark_sent(m.id, owner, datetime.fromisoformat(now))
            mine += [m.id for m in batch]
            await asyncio.sleep(0.002)
    finally:
        await close_db()
    print(json.dumps(mine), flush=True)

asyncio.run(main(*sys.argv[1:]))
"""


async def test_two_processes_claim_each_message_once(db: str, now: datetime) -> None:
    total = 120
    for i in range(total):
        await enqueue(f"u{i % 30}", "text", {"content": str(i)}, now=now)
    procs = [
        await asyncio.create_subprocess_exec(
            *(sys.executable, "-c", _WORKER, db, f"proc{i}", now.isoformat()),
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for i in range(2)
    ]
    for p in procs:
        assert p.stdout is not None
        assert (await asyncio.wait_for(p.stdout.readline(), 20)).strip() == b"ready"
    outs = await asyncio.gather(*(p.communicate(b"go\n") for p in procs))
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err.decode()
    per_process = [json.loads(out) for out, _ in outs]
    claimed = [i for ids in per_process for i in ids]
    assert len(claimed) == total and len(set(claimed)) == total
    assert all(per_process), "both processes should have claimed some"
