"""No vehicle, driver or room is held twice, also when requests arrive at the same moment
(issue 4, "Guarantees"): concurrent tasks on SQLite and on PostgreSQL (a pool of real
connections), and on PostgreSQL the exclusion constraint alone as the last word."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable
from datetime import datetime
from typing import Any

import pytest
from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import models.holds as holds
import models.requests as req
from models.audit import AuditLog
from models.db import close_db, init_db, is_sqlite
from models.decisions import cancel, decide
from models.errors import AlreadyDecided, Conflict, InvalidState, NotAllowed
from models.holds import Hold, free_vehicles
from models.org import RequestType, User
from models.requests import (
    ApprovalStep,
    Decision,
    NewRequest,
    Request,
    RequestStatus,
    create_request,
    get_request,
)
from tests.models.test_requests import _postgres_org, _sqlite_org, at, book_room, book_vehicle, vid

CHAT = "chat"
APPLICANTS = ["zhangsan", "wuli", "xiaoliu", "lichu", "chenchu", "sunwei", "zhoujing"]


async def _wide_pool(url: str) -> str:
    """PostgreSQL with a pool wide enough for every task to hold a connection at once."""
    if is_sqlite(url):
        return url
    await close_db()
    wide = f"{url}?maxsize=25"
    await init_db(wide, create_schema=False)
    return wide


@pytest.fixture
async def org(db_url: str) -> AsyncIterator[str]:
    url = await (_sqlite_org(db_url) if is_sqlite(db_url) else _postgres_org(db_url))
    try:
        yield await _wide_pool(url)
    finally:
        await close_db()


@pytest.fixture
async def pg_org(postgres_database: str) -> AsyncIterator[str]:
    url = await _postgres_org(postgres_database)
    try:
        yield await _wide_pool(url)
    finally:
        await close_db()


async def outcomes(calls: list[Awaitable[Any]]) -> tuple[list[Any], list[BaseException]]:
    results = await asyncio.gather(*calls, return_exceptions=True)
    ok = [r for r in results if not isinstance(r, BaseException)]
    errors = [r for r in results if isinstance(r, BaseException)]
    return ok, errors


async def assert_no_double_holds() -> None:
    """The invariant itself: no two active holds of one resource overlap."""
    by_resource: dict[str, list[tuple[datetime, datetime, int]]] = defaultdict(list)
    for resource, start, end, rid in await Hold.filter(active=True).values_list(
        "resource", "start", "end", "request_id"
    ):
        by_resource[str(resource)].append((start, end, rid))
    for resource, spans in by_resource.items():
        spans.sort()
        for (_, end1, r1), (start2, _, r2) in zip(spans, spans[1:], strict=False):
            assert end1 <= start2, f"{resource} held by requests {r1} and {r2} at once"
    live = set(await Request.filter(status__in=list(req.LIVE)).values_list("id", flat=True))
    held_by = set(await Hold.filter(active=True).values_list("request_id", flat=True))
    assert held_by <= live, "an active hold of a request that is not live"


async def assert_consistent(request_id: int) -> None:
    """A refused request left nothing: no row, no hold, no step, no audit."""
    assert not await Request.exists(id=request_id)
    assert not await Hold.exists(request_id=request_id)
    assert not await ApprovalStep.exists(request_id=request_id)
    assert not await AuditLog.exists(request_id=request_id)


# ---------------------------------------------------------------------------------------
# Many requests for one resource at the same moment


async def test_20_for_the_last_free_vehicle(org: str, now: datetime) -> None:
    await book_vehicle("zhangsan", at(28, 9), at(28, 13), plate="沪A67890")
    window = (at(28, 10), at(28, 12))
    # Everyone saw the same last one (read once: a grab that read it after the first
    # commit would find none, and this test is about the 20 creates that race).
    [last] = await free_vehicles(*window, seats=3)

    async def grab(applicant: str) -> Request:
        new = NewRequest(
            RequestType.VEHICLE_BOOKING,
            applicant,
            *window,
            vehicle_id=last.id,
            details={"passengers": 3},
        )
        return await create_request(new, now, CHAT)

    ok, errors = await outcomes([grab(APPLICANTS[i % len(APPLICANTS)]) for i in range(20)])
    assert len(ok) == 1, errors
    assert len(errors) == 19 and all(isinstance(e, Conflict) for e in errors), errors
    assert await free_vehicles(*window) == []
    assert await Request.all().count() == 2
    assert await AuditLog.filter(action="create").count() == 2
    await assert_no_double_holds()


async def test_20_for_one_room_in_overlapping_windows(org: str, now: datetime) -> None:
    # every window overlaps every other (starts 5 minutes apart, two hours long)
    calls = [
        book_room(APPLICANTS[i % len(APPLICANTS)], at(28, 9, 5 * i), at(28, 11, 5 * i))
        for i in range(20)
    ]
    ok, errors = await outcomes(calls)
    assert len(ok) == 1 and all(isinstance(e, Conflict) for e in errors), errors
    assert [h.resource for h in await Hold.filter(active=True)] == ["facility:mr-301"]
    assert await Request.all().count() == 1
    await assert_no_double_holds()


async def test_50_for_one_slot(org: str, now: datetime) -> None:
    v1, v2 = await vid("沪A12345"), await vid("沪A67890")
    calls: list[Awaitable[Any]] = []
    for i in range(50):
        applicant = APPLICANTS[i % len(APPLICANTS)]
        if i % 3 == 0:
            calls.append(book_room(applicant, at(28, 14), at(28, 16)))
        elif i % 3 == 1:
            calls.append(book_vehicle(applicant, at(28, 14), at(28, 16), plate="沪A12345"))
        else:  # the other car with the first car's driver: competes for the driver
            calls.append(
                book_vehicle(
                    applicant, at(28, 14), at(28, 16), plate="沪A67890", driver="zhaoshifu"
                )
            )
    ok, errors = await outcomes(calls)
    assert all(isinstance(e, Conflict) for e in errors), errors
    # one room booking, and one of the two bookings that need zhaoshifu
    assert len(ok) == 2, [r.details for r in ok]
    assert sorted(str(r.type) for r in ok) == ["facility_reservation", "vehicle_booking"]
    held = sorted(await Hold.filter(active=True).values_list("resource", flat=True))
    assert "facility:mr-301" in held and "driver:zhaoshifu" in held
    assert {f"vehicle:{v1}", f"vehicle:{v2}"} & set(held)
    await assert_no_double_holds()


async def test_disjoint_windows_all_succeed_concurrently(org: str, now: datetime) -> None:
    """The lock serialises one resource, not everything: 20 distinct slots all succeed."""
    calls = [
        book_room(APPLICANTS[i % 7], at(28 + i // 10, 8 + i % 10), at(28 + i // 10, 9 + i % 10))
        for i in range(20)
    ]
    ok, errors = await outcomes(calls)
    assert errors == [] and len(ok) == 20
    assert sorted(r.no for r in ok) == list(range(1001, 1021))
    await assert_no_double_holds()


async def test_release_and_book_race(org: str, now: datetime) -> None:
    """Cancels and new bookings of the same car racing: never two live holders."""
    for round_ in range(4):
        day = 28 + round_
        holder = await book_vehicle("zhangsan", at(day, 10), at(day, 12))
        calls: list[Awaitable[Any]] = [cancel(holder.no, "zhangsan", now, CHAT)]
        calls += [book_vehicle(APPLICANTS[1 + i % 4], at(day, 11), at(day, 13)) for i in range(8)]
        ok, errors = await outcomes(calls)
        assert all(isinstance(e, Conflict) for e in errors), errors
        assert len(ok) in (1, 2)  # the cancel, and at most one new booking
        await assert_no_double_holds()


# ---------------------------------------------------------------------------------------
# Decisions racing


async def test_approve_and_cancel_race(org: str, now: datetime) -> None:
    """Whichever wins, the state is one of the two serial outcomes."""
    for round_ in range(6):
        r = await book_vehicle("zhangsan", at(28 + round_, 10), at(28 + round_, 12))
        calls: list[Awaitable[Any]] = [
            decide(r.no, "lichu", Decision.APPROVE, now, CHAT),
            cancel(r.no, "zhangsan", now, CHAT),
        ]
        if round_ % 2:
            calls.reverse()
        results = await asyncio.gather(*calls, return_exceptions=True)
        if round_ % 2:
            results.reverse()
        decided, cancelled = results
        assert not isinstance(cancelled, BaseException), cancelled  # cancel always may
        request = await get_request(r.no)
        assert request is not None and request.status is RequestStatus.CANCELLED
        [s1, s2] = sorted(request.steps, key=lambda s: s.seq)
        if isinstance(decided, BaseException):  # cancel first: the decision changed nothing
            assert isinstance(decided, InvalidState), decided
            assert s1.decision is None
            actions = ["create", "cancel"]
        else:  # approve first, then cancel
            assert s1.decision == "approve"
            actions = ["create", "approve", "cancel"]
        assert s2.decision is None
        audit = (
            await AuditLog.filter(request_id=r.id).order_by("id").values_list("action", flat=True)
        )
        assert list(audit) == actions
        assert not await Hold.exists(request_id=r.id, active=True)


async def test_last_approve_and_cancel_race(org: str, now: datetime) -> None:
    for round_ in range(4):
        r = await book_room("zhangsan", at(28 + round_, 10), at(28 + round_, 12), room="aud-1")
        results = await asyncio.gather(
            decide(r.no, "zhoujing", Decision.APPROVE, now, CHAT),
            cancel(r.no, "zhangsan", now, CHAT),
            return_exceptions=True,
        )
        assert not isinstance(results[1], BaseException), results
        request = await get_request(r.no)
        assert request is not None and request.status is RequestStatus.CANCELLED
        [s] = request.steps
        assert (s.decision is None) == isinstance(results[0], InvalidState), results
        assert not await Hold.exists(request_id=r.id, active=True)


async def test_approve_twice_at_once(org: str, now: datetime) -> None:
    r = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    request = await get_request(r.no)
    assert request is not None
    s1 = min(request.steps, key=lambda s: s.seq)
    for step_id in (s1.id, None):  # through a bound link, then through chat
        if step_id is None:
            r = await book_vehicle("zhangsan", at(29, 10), at(29, 12))
        ok, errors = await outcomes(
            [decide(r.no, "lichu", Decision.APPROVE, now, CHAT, step_id=step_id) for _ in range(10)]
        )
        assert len(ok) == 1 and all(isinstance(e, AlreadyDecided) for e in errors), errors
        assert ok[0].next_step is not None and ok[0].next_step.approver.userid == "wangke"
        assert await AuditLog.filter(request_id=r.id, action="approve").count() == 1
        fetched = await get_request(r.no)
        assert fetched is not None and fetched.status is RequestStatus.PENDING


async def test_approve_and_reject_of_the_last_step_at_once(org: str, now: datetime) -> None:
    r = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    await decide(r.no, "lichu", Decision.APPROVE, now, CHAT)
    ok, errors = await outcomes(
        [
            decide(r.no, "wangke", Decision.APPROVE, now, CHAT),
            decide(r.no, "wangke", Decision.REJECT, now, CHAT),
            decide(r.no, "lichu", Decision.REJECT, now, CHAT),
        ]
    )
    assert len(ok) == 1 and all(isinstance(e, AlreadyDecided) for e in errors), errors
    fetched = await get_request(r.no)
    assert fetched is not None
    held = await Hold.filter(request_id=r.id, active=True).count()
    if ok[0].request.status is RequestStatus.APPROVED:
        assert fetched.status is RequestStatus.APPROVED and held == 2
    else:
        assert fetched.status is RequestStatus.REJECTED and held == 0


async def test_fleet_manager_change_races_a_new_booking(org: str, now: datetime) -> None:
    """The fleet manager moves a request to 沪A67890 while others book it: one wins."""
    other = await vid("沪A67890")
    for round_ in range(3):
        day = 28 + round_
        r = await book_vehicle("zhangsan", at(day, 10), at(day, 12))
        await decide(r.no, "lichu", Decision.APPROVE, now, CHAT)
        calls: list[Awaitable[Any]] = [
            decide(r.no, "wangke", Decision.APPROVE, now, CHAT, vehicle_id=other)
        ]
        calls += [
            book_vehicle("wuli", at(day, 11), at(day, 13), plate="沪A67890") for _ in range(5)
        ]
        ok, errors = await outcomes(calls)
        assert all(isinstance(e, Conflict) for e in errors), errors
        assert len(ok) == 1
        await assert_no_double_holds()


# ---------------------------------------------------------------------------------------
# PostgreSQL: the exclusion constraint is the last word


async def test_exclusion_constraint_refuses_a_direct_overlap(pg_org: str) -> None:
    r = await book_room("zhangsan", at(28, 10), at(28, 12))
    with pytest.raises(IntegrityError, match="hold_no_overlap"):
        await Hold.create(
            request_id=r.id, resource="facility:mr-301", start=at(28, 11), end=at(28, 13)
        )
    # adjacent, another resource, or inactive: allowed
    await Hold.create(request_id=r.id, resource="facility:mr-301", start=at(28, 12), end=at(28, 13))
    await Hold.create(request_id=r.id, resource="facility:gym-1", start=at(28, 11), end=at(28, 13))
    await Hold.create(
        request_id=r.id, resource="facility:mr-301", start=at(28, 11), end=at(28, 13), active=False
    )
    # re-activating an overlapping released hold is refused too
    released = await Hold.filter(active=False).first()
    assert released is not None
    with pytest.raises(IntegrityError):
        await Hold.filter(id=released.id).update(active=True)


async def test_a_deadlock_between_overlapping_holds_is_a_lost_race(
    pg_org: str, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two inserts of overlapping holds can wait for each other; PostgreSQL refuses one
    with 40P01. That booking gets Conflict and writes nothing; other errors pass through."""

    class Deadlock(Exception):
        sqlstate = "40P01"

    async def deadlocked(*args: Any, **kwargs: Any) -> None:
        raise Deadlock("deadlock detected")

    monkeypatch.setattr(holds, "insert_holds", deadlocked)
    with pytest.raises(Conflict) as caught:
        await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    assert isinstance(caught.value.__cause__, Deadlock)
    assert not caught.value.settled  # the other booking is still under way
    assert await Request.all().count() == 0 and await AuditLog.all().count() == 0

    class Other(Exception):
        sqlstate = "57014"  # cancelled: not a lost race

    async def other(*args: Any, **kwargs: Any) -> None:
        raise Other("canceling statement")

    monkeypatch.setattr(holds, "insert_holds", other)
    with pytest.raises(Other):
        await book_vehicle("zhangsan", at(28, 10), at(28, 12))


async def test_a_booking_that_lost_a_deadlock_is_tried_once_more_and_a_settled_refusal_is_not(
    pg_org: str, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`retry_unsettled`: the booking refused by the deadlock detector runs again (the
    transaction it met has ended by then) and goes through; a refusal by a committed hold
    is final at once."""

    class Deadlock(Exception):
        sqlstate = "40P01"

    real, tries = holds.insert_holds, []

    async def first_deadlocks(*args: Any, **kwargs: Any) -> None:
        tries.append(args[0])
        if len(tries) == 1:
            raise Deadlock("deadlock detected")
        await real(*args, **kwargs)

    monkeypatch.setattr(holds, "insert_holds", first_deadlocks)
    made = await holds.retry_unsettled(lambda: book_vehicle("zhangsan", at(28, 10), at(28, 12)))
    assert len(tries) == 2
    assert await Request.all().values_list("id", flat=True) == [made.id]
    assert await Hold.filter(request_id=made.id, active=True).count() == 2  # the vehicle, its driver

    attempts = []

    async def again() -> Request:
        attempts.append(1)
        return await book_vehicle("wuli", at(28, 11), at(28, 13))

    with pytest.raises(Conflict) as caught:
        await holds.retry_unsettled(again)
    assert caught.value.settled and len(attempts) == 1
    assert await Request.all().count() == 1


async def test_exclusion_constraint_alone_under_concurrency(
    pg_org: str, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the lock and the overlap query switched off, the constraint still lets exactly
    one of 20 through; the others get Conflict and leave nothing half-written."""

    async def no_lock(keys: Any) -> None:
        return None

    async def nothing_busy(*args: Any, **kwargs: Any) -> set[str]:
        return set()

    monkeypatch.setattr(holds, "lock_resources", no_lock)
    monkeypatch.setattr(holds, "busy_resources", nothing_busy)
    ok, errors = await outcomes(
        [book_vehicle(APPLICANTS[i % 7], at(28, 10), at(28, 12, i)) for i in range(20)]
    )
    assert len(ok) == 1 and all(isinstance(e, Conflict) for e in errors), errors
    # The exclusion constraint refuses the overlap; two inserts waiting on each other's rows
    # may instead be ended by PostgreSQL's deadlock detector (40P01) — refused all the same.
    assert all(isinstance(e.__cause__, IntegrityError)
               or getattr(e.__cause__, "sqlstate", None) == holds.DEADLOCK_DETECTED for e in errors)
    assert await Request.all().count() == 1
    assert await ApprovalStep.all().count() == 2
    assert await AuditLog.all().count() == 1
    assert await Hold.all().count() == 2
    for request_id in range(1, 40):
        if request_id != ok[0].id:
            await assert_consistent(request_id)
    await assert_no_double_holds()


async def test_constraint_conflict_leaves_the_callers_transaction_usable(
    pg_org: str, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL aborts a transaction on a failed INSERT; the savepoint around the holds
    keeps a handler's outer transaction (its outbox rows) alive after a Conflict."""
    await book_vehicle("zhangsan", at(28, 10), at(28, 12))

    async def nothing_busy(*args: Any, **kwargs: Any) -> set[str]:
        return set()

    monkeypatch.setattr(holds, "busy_resources", nothing_busy)
    async with in_transaction():
        with pytest.raises(Conflict) as e:
            await book_vehicle("wuli", at(28, 11), at(28, 13))
        assert isinstance(e.value.__cause__, IntegrityError)
        # the same transaction goes on: another car
        await book_vehicle("wuli", at(28, 11), at(28, 13), plate="沪A67890")
        await User.filter(userid="wuli").update(name="吴丽")
    assert await Request.all().count() == 2
    with pytest.raises(Conflict):  # and outside any transaction
        await book_vehicle("xiaoliu", at(28, 11), at(28, 13))
    assert await Request.all().count() == 2
    conn = connections.get("default")
    assert (await conn.execute_query_dict("SELECT 1 AS x"))[0]["x"] == 1


async def test_change_vehicle_into_a_conflict_rolls_back_the_decision(
    pg_org: str, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    await book_vehicle("wuli", at(28, 11), at(28, 13), plate="沪A67890")
    await decide(r.no, "lichu", Decision.APPROVE, now, CHAT)

    async def nothing_busy(*args: Any, **kwargs: Any) -> set[str]:
        return set()

    monkeypatch.setattr(holds, "busy_resources", nothing_busy)
    with pytest.raises(Conflict):
        await decide(r.no, "wangke", Decision.APPROVE, now, CHAT, vehicle_id=await vid("沪A67890"))
    fetched = await get_request(r.no)
    assert fetched is not None and fetched.status is RequestStatus.PENDING
    assert fetched.vehicle is not None and fetched.vehicle.plate == "沪A12345"
    assert [s.decision for s in sorted(fetched.steps, key=lambda s: s.seq)] == ["approve", None]
    assert await Hold.filter(request_id=r.id, active=True).count() == 2
    with pytest.raises(NotAllowed):
        await decide(r.no, "zhangsan", Decision.APPROVE, now, CHAT)
