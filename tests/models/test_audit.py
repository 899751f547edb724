"""The audit hash chain (issue 7, item 5): every record links to the one before once
sealed; a record changed or removed afterwards is found and named by `verify`; writes and
seals at the same moment never fork the chain — on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from tortoise import connections

from models import audit_chain as chain
from models.audit import AuditHead, AuditLog, audit
from models.db import close_db, is_sqlite
from models.decisions import decide
from models.requests import Decision
from tests.models.test_requests import _postgres_org, _sqlite_org, at, book_room, book_vehicle
from tests.models.test_requests_concurrency import APPLICANTS, _wide_pool


async def _clear_chain() -> None:
    # The org fixtures empty the request tables between tests, not the chain's head.
    await AuditLog.all().delete()
    await AuditHead.all().delete()


@pytest.fixture
async def org(db_url: str) -> AsyncIterator[str]:
    url = await (_sqlite_org(db_url) if is_sqlite(db_url) else _postgres_org(db_url))
    try:
        url = await _wide_pool(url)
        await _clear_chain()
        yield url
    finally:
        await close_db()


async def sql(statement: str) -> None:
    await connections.get("default").execute_script(statement)


async def three_requests(now: datetime) -> list[int]:
    """Five records: three creations, an approval, a system one."""
    a = await book_vehicle("zhangsan", at(28, 9), at(28, 11))
    b = await book_room("wuli", at(28, 9), at(28, 10), room="gym-1")
    await decide(a.no, "lichu", Decision.APPROVE, now, "chat")
    c = await book_room("xiaoliu", at(29, 9), at(29, 10), room="gym-1")
    await audit(None, "system", "seed", "system", now, file="org.yaml", count=7)
    assert await chain.seal() == 5
    return [a.no, b.no, c.no]


async def records() -> list[AuditLog]:
    await chain.seal()
    return await AuditLog.all().order_by("seq")


async def test_a_record_is_written_unlinked_and_sealed_after(org: str, now: datetime) -> None:
    await book_vehicle("zhangsan", at(28, 9), at(28, 11))
    [row] = await AuditLog.all()
    assert (row.seq, row.prev_hash, row.hash) == (None, None, None)
    verdict = await chain.verify()
    assert verdict.ok and verdict.records == 0 and verdict.pending == 1
    assert verdict.line() == "ok: 0 records, 1 waiting to be sealed"
    assert await chain.seal() == 1 and await chain.seal() == 0
    await row.refresh_from_db()
    assert row.seq == 1 and row.prev_hash == "" and len(row.hash or "") == 64
    verdict = await chain.verify()
    assert verdict.ok and (verdict.records, verdict.pending) == (1, 0)


async def test_seal_works_in_batches_and_continues_the_chain(org: str, now: datetime) -> None:
    for i in range(4):
        await audit(None, "system", "tick", "system", now, i=i)
    assert await chain.seal(batch=3) == 4
    for i in range(3):
        await audit(None, "system", "tock", "system", now, i=i)
    assert await chain.seal(batch=2) == 3
    rows = await records()
    assert [r.seq for r in rows] == list(range(1, 8))
    assert [r.action for r in rows] == ["tick"] * 4 + ["tock"] * 3
    assert (await chain.verify()).records == 7


async def test_sealers_in_parallel_make_one_chain(org: str, now: datetime) -> None:
    """Several processes seal at once: each batch holds the head, nothing is sealed twice."""
    await asyncio.gather(*(audit(None, "system", "tick", "system", now, i=i) for i in range(30)))
    counts = await asyncio.gather(*(chain.seal(batch=4) for _ in range(5)))
    assert sum(counts) == 30
    rows = await records()
    assert [r.seq for r in rows] == list(range(1, 31))
    assert (await chain.verify()).ok


async def test_every_record_links_to_the_one_before(org: str, now: datetime) -> None:
    await three_requests(now)
    rows = await records()
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == ""
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash and len(after.hash or "") == 64
    head = await AuditHead.get(id=1)
    assert (head.seq, head.last_hash) == (rows[-1].seq, rows[-1].hash)
    verdict = await chain.verify()
    assert verdict.ok and verdict.records == len(rows), verdict
    assert verdict.line().startswith(f"ok: {len(rows)} records")


async def test_an_empty_chain_verifies(org: str) -> None:
    verdict = await chain.verify()
    assert verdict.ok and verdict.records == 0


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "'wangke'"),
        ("action", "'reject'"),
        ("to_status", "'rejected'"),
        ("channel", "'web'"),
        ("details", "'{\"type\": \"repair_request\"}'"),
        ("request_id", "NULL"),
    ],
)
async def test_a_field_changed_with_sql_is_named(
    org: str, now: datetime, column: str, value: str
) -> None:
    await three_requests(now)
    target = (await records())[2]
    await sql(f"UPDATE audit_log SET {column} = {value} WHERE id = {target.id}")
    verdict = await chain.verify()
    assert not verdict.ok
    assert f"record id={target.id} " in verdict.problem and "changed" in verdict.problem, verdict
    assert verdict.records == 2  # the two before it were fine


async def test_a_changed_time_is_named(org: str, now: datetime) -> None:
    await three_requests(now)
    target = (await records())[1]
    target.at = target.at - timedelta(hours=3)  # backdated
    await target.save(update_fields=["at"])
    verdict = await chain.verify()
    assert not verdict.ok and f"record id={target.id} " in verdict.problem


async def test_a_changed_and_rehashed_record_is_named(org: str, now: datetime) -> None:
    """Whoever edits a record and computes its hash again still breaks the next link."""
    await three_requests(now)
    rows = await records()
    target = rows[1]
    from models.audit import audit_hash

    target.actor = "wangke"
    target.hash = audit_hash(
        seq=target.seq or 0, request_id=target.request_id, actor=target.actor,  # type: ignore[attr-defined]
        action=target.action, from_status=target.from_status, to_status=target.to_status,
        channel=target.channel, at=target.at, details=target.details,
        prev_hash=target.prev_hash or "",
    )
    await target.save(update_fields=["actor", "hash"])
    verdict = await chain.verify()
    assert not verdict.ok
    assert f"record id={target.id} " in verdict.problem and "rewritten" in verdict.problem


async def test_a_deleted_record_is_named_as_a_gap(org: str, now: datetime) -> None:
    await three_requests(now)
    rows = await records()
    await sql(f"DELETE FROM audit_log WHERE id = {rows[2].id}")
    verdict = await chain.verify()
    assert not verdict.ok
    assert f"removed: seq {rows[2].seq}, before record id={rows[3].id} " in verdict.problem, verdict


async def test_deleted_records_at_the_end_are_named(org: str, now: datetime) -> None:
    await three_requests(now)
    rows = await records()
    await sql(f"DELETE FROM audit_log WHERE seq >= {rows[-2].seq}")
    verdict = await chain.verify()
    assert not verdict.ok
    assert f"removed from the end: seq {rows[-2].seq}..{rows[-1].seq}" in verdict.problem


async def test_everything_deleted_is_found(org: str, now: datetime) -> None:
    await three_requests(now)
    await sql("DELETE FROM audit_log")
    assert not (await chain.verify()).ok


async def test_a_record_renumbered_to_hide_a_deletion_is_named(org: str, now: datetime) -> None:
    await three_requests(now)
    rows = await records()
    await sql(f"DELETE FROM audit_log WHERE id = {rows[-1].id}")
    await sql(f"UPDATE audit_head SET seq = {rows[-2].seq}")
    verdict = await chain.verify()
    assert not verdict.ok and f"record id={rows[-2].id} " in verdict.problem


async def test_the_chain_continues_after_a_refused_booking(org: str, now: datetime) -> None:
    """A transaction that fails rolls its record and the head back together: no gap."""
    await book_room("wuli", at(28, 9), at(28, 10))
    with pytest.raises(Exception, match="held"):
        await book_room("xiaoliu", at(28, 9), at(28, 10))
    await book_room("xiaoliu", at(28, 10), at(28, 11))
    assert [r.seq for r in await records()] == [1, 2]
    assert (await chain.verify()).ok


async def test_concurrent_appends_do_not_fork_the_chain(org: str, now: datetime) -> None:
    """20 bookings and decisions at once (some refused for overlap), sealed while they are
    written: one chain, no gap."""
    first = await book_vehicle("zhangsan", at(28, 9), at(28, 11))
    second = await book_vehicle("wuli", at(28, 12), at(28, 14), plate="沪A67890")
    calls = [
        book_room(APPLICANTS[i % len(APPLICANTS)], at(28 + i // 6, 8 + i % 6), at(28 + i // 6, 9 + i % 6),
                  room="mr-301" if i % 2 else "gym-1")
        for i in range(14)
    ]
    calls += [book_room(APPLICANTS[i], at(30, 14), at(30, 15)) for i in range(4)]  # 3 refused
    calls += [
        decide(first.no, "lichu", Decision.APPROVE, now, "chat"),
        decide(second.no, "juzhang", Decision.REJECT, now, "web", comment="不批"),
    ]
    calls += [chain.seal(batch=2) for _ in range(3)]  # sealers running meanwhile
    results = await asyncio.gather(*calls, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 3, errors
    rows = await records()
    assert len(rows) == 2 + 15 + 2
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert len({r.prev_hash for r in rows}) == len(rows)  # no two records follow one
    verdict = await chain.verify()
    assert verdict.ok and verdict.records == len(rows), verdict


async def test_verify_reads_in_batches(org: str, now: datetime) -> None:
    for i in range(7):
        await audit(None, "system", "tick", "system", now + timedelta(seconds=i), i=i)
    await chain.seal()
    assert (await chain.verify(batch=3)).records == 7
    rows = await records()
    await sql(f"UPDATE audit_log SET details = '{{\"i\": 99}}' WHERE id = {rows[5].id}")
    verdict = await chain.verify(batch=3)
    assert not verdict.ok and f"record id={rows[5].id} " in verdict.problem


async def test_audit_outside_a_transaction_is_chained_too(org: str, now: datetime) -> None:
    await asyncio.gather(*(audit(None, "system", "tick", "system", now, i=i) for i in range(10)))
    await chain.seal()
    assert (await chain.verify()).records == 10


async def test_history_of_a_request(org: str, now: datetime) -> None:
    a = await book_vehicle("zhangsan", at(28, 9), at(28, 11))
    await decide(a.no, "lichu", Decision.APPROVE, now, "card")
    found = await chain.history(a.no)
    assert found is not None and found.applicant == "zhangsan"
    assert [(e.actor, e.action, e.channel) for e in found.entries] == [
        ("zhangsan", "create", "chat"), ("lichu", "approve", "card")
    ]
    assert found.entries[1].actor_name == "李处"
    assert await chain.history(a.no + 100) is None
