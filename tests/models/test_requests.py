"""Requests (models/requests.py) on the seeded test bureau, on SQLite and PostgreSQL:
numbering, approval chains, holds and overlaps, free resources, decisions, cancel,
repairs, the audit trail and the admin API's view. Concurrency lives in
test_requests_concurrency.py."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from models.audit import AuditLog
from models.db import close_db, init_db, is_sqlite
from models.decisions import cancel, decide
from models.errors import (
    AlreadyDecided,
    Conflict,
    InvalidState,
    NotAllowed,
    NotFound,
    RequestError,
)
from models.holds import (
    Hold,
    busy_resources,
    driver_key,
    facility_key,
    free_facilities,
    free_vehicles,
    next_free_start,
    vehicle_key,
)
from models.org import Facility, RequestType, User, Vehicle
from models.ratings import AlreadyRated, rate_request
from models.repairs import assign_repair, complete_request, progress_repair
from models.requests import (
    ApprovalStep,
    Decision,
    NewRequest,
    Request,
    RequestStatus,
    create_request,
    current_step,
    get_request,
    open_requests_of,
    pending_for,
    plan_steps,
    to_api,
)
from models.seed import seed_org
from models.sql import utc
from tests.conftest import TZ, _reset_postgres

GOOD = Path(__file__).with_name("org_good.yaml")
CHAT = "chat"


# The seeded bureau, fast: every test gets a fresh copy of a seeded SQLite file, and on
# PostgreSQL only the request tables are emptied (the organisation is seeded again only
# when another test left something else there). Tests that change the organisation put
# it back.
_SQLITE_TEMPLATE: Path | None = None
_ORG_FINGERPRINT: list[Any] | None = None
REQUEST_TABLES = ("audit_head", "audit_log", "approval_step", "hold", "resource_lock", "request")


async def _fingerprint() -> list[Any]:
    conn = connections.get("default")
    out: list[Any] = []
    for sql in (
        'SELECT userid, active, department_id FROM "user" ORDER BY userid',
        "SELECT plate, in_service, driver_id, seats FROM vehicle ORDER BY plate",
        "SELECT id, active, capacity, needs_approval FROM facility ORDER BY id",
        "SELECT user_id, role FROM user_role ORDER BY user_id, role",
        "SELECT request_type, roles FROM approval_rule ORDER BY request_type",
    ):
        out.append([tuple(r.values()) for r in await conn.execute_query_dict(sql)])
    return out


async def _seed() -> None:
    result = await seed_org(GOOD)
    assert result.ok, result.problems


async def _sqlite_org(url: str) -> str:
    global _SQLITE_TEMPLATE
    if _SQLITE_TEMPLATE is None:
        template = Path(tempfile.mkdtemp(prefix="org_good_")) / "org.sqlite3"
        await init_db(f"sqlite://{template}", create_schema=True)
        await _seed()
        await close_db()
        _SQLITE_TEMPLATE = template
    shutil.copyfile(_SQLITE_TEMPLATE, url.removeprefix("sqlite://"))
    await init_db(url, create_schema=False)
    return url


async def _postgres_org(url: str) -> str:
    global _ORG_FINGERPRINT
    await init_db(url, create_schema=False)
    conn = connections.get("default")
    ready = await conn.execute_query_dict("SELECT to_regclass('public.hold') AS t")
    if ready[0]["t"] is not None and _ORG_FINGERPRINT is not None:
        for table in REQUEST_TABLES:
            await conn.execute_script(f'DELETE FROM "{table}"')
        await conn.execute_script("ALTER SEQUENCE request_id_seq RESTART")
        if await _fingerprint() == _ORG_FINGERPRINT:
            return url
    await _reset_postgres()
    await _seed()
    _ORG_FINGERPRINT = await _fingerprint()
    return url


@pytest.fixture
async def org(db_url: str) -> AsyncIterator[str]:
    """The test bureau (org_good.yaml) with no requests, on each backend in turn."""
    url = await (_sqlite_org(db_url) if is_sqlite(db_url) else _postgres_org(db_url))
    try:
        yield url
    finally:
        await close_db()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Shanghai, November/December 2026 (day > 30 runs into December)."""
    return datetime(2026, 11, 27, tzinfo=TZ) + timedelta(days=day - 27, hours=hour, minutes=minute)


async def vid(plate: str) -> int:
    return (await Vehicle.get(plate=plate)).id


async def book_vehicle(
    applicant: str, start: datetime, end: datetime, plate: str = "沪A12345", **kw: Any
) -> Request:
    new = NewRequest(
        RequestType.VEHICLE_BOOKING, applicant, start, end, vehicle_id=await vid(plate), **kw
    )
    return await create_request(new, start - timedelta(days=1), CHAT)


async def book_room(
    applicant: str, start: datetime, end: datetime, room: str = "mr-301", **kw: Any
) -> Request:
    new = NewRequest(
        RequestType.FACILITY_RESERVATION, applicant, start, end, facility_id=room, **kw
    )
    return await create_request(new, start - timedelta(days=1), CHAT)


async def report_repair(applicant: str, now: datetime) -> Request:
    new = NewRequest(
        RequestType.REPAIR_REQUEST,
        applicant,
        details={"location": "3号楼502室", "category": "hvac"},
    )
    return await create_request(new, now, CHAT)


async def active_holds(request: Request) -> list[str]:
    rows = await Hold.filter(request_id=request.id, active=True).values_list("resource", flat=True)
    return sorted(str(r) for r in rows)


async def steps_of(no: int) -> list[tuple[str, str, str | None]]:
    request = await get_request(no)
    assert request is not None
    return [
        (s.role, s.approver.userid, s.decision) for s in sorted(request.steps, key=lambda s: s.seq)
    ]


async def status_of(no: int) -> RequestStatus:
    request = await get_request(no)
    assert request is not None
    return request.status


# ---------------------------------------------------------------------------------------
# Numbering and creating


async def test_numbers_start_at_1001_and_map_to_ids(org: str, now: datetime) -> None:
    first = await report_repair("zhangsan", now)
    second = await book_room("zhangsan", at(28, 9), at(28, 10))
    assert (first.no, second.no) == (1001, 1002)
    assert (first.id, second.id) == (1, 2)
    fetched = await get_request(1002)
    assert fetched is not None and fetched.id == second.id
    assert await get_request(1003) is None
    for nonsense in (0, 1000, 5, -1, 10**12):
        assert await get_request(nonsense) is None


async def test_vehicle_booking_holds_vehicle_and_its_driver(org: str) -> None:
    r = await book_vehicle("zhangsan", at(28, 14), at(28, 16), details={"destination": "虹桥机场"})
    v = await vid("沪A12345")
    assert await active_holds(r) == sorted([vehicle_key(v), driver_key("zhaoshifu")])
    fetched = await get_request(r.no)
    assert fetched is not None
    assert fetched.status is RequestStatus.PENDING
    assert fetched.driver is not None and fetched.driver.userid == "zhaoshifu"
    assert fetched.vehicle is not None and fetched.vehicle.plate == "沪A12345"
    assert fetched.details == {"destination": "虹桥机场"}
    assert fetched.start == at(28, 14) and fetched.end == at(28, 16)
    assert await steps_of(r.no) == [
        ("dept_head", "lichu", None),
        ("fleet_manager", "wangke", None),
    ]


async def test_vehicle_booking_with_another_driver(org: str) -> None:
    r = await book_vehicle("zhangsan", at(28, 14), at(28, 16), driver="liushifu")
    assert await active_holds(r) == sorted([vehicle_key(await vid("沪A12345")), "driver:liushifu"])


async def test_room_without_approval_is_approved_at_once(org: str) -> None:
    r = await book_room("zhangsan", at(28, 9), at(28, 10))
    assert r.status is RequestStatus.APPROVED
    assert await steps_of(r.no) == []
    assert await active_holds(r) == [facility_key("mr-301")]


async def test_room_with_approval_waits_for_the_facility_admin(org: str) -> None:
    r = await book_room("zhangsan", at(28, 9), at(28, 10), room="aud-1")
    assert r.status is RequestStatus.PENDING
    assert await steps_of(r.no) == [("facility_admin", "zhoujing", None)]
    # the facility admin's own booking goes to someone else (the admin)
    mine = await book_room("zhoujing", at(28, 11), at(28, 12), room="aud-1")
    assert await steps_of(mine.no) == [("facility_admin", "juzhang", None)]


async def test_repair_has_no_steps_and_waits_for_dispatch(org: str, now: datetime) -> None:
    r = await report_repair("xiaoliu", now)
    assert r.status is RequestStatus.PENDING
    assert await steps_of(r.no) == []
    assert await active_holds(r) == []


@pytest.mark.parametrize(
    ("applicant", "chain"),
    [
        ("zhangsan", ["lichu", "wangke"]),  # own department's head
        ("lichu", ["juzhang", "wangke"]),  # a head applying: next level up
        ("xiaoliu", ["chenchu", "wangke"]),  # department without a head: nearest parent
        ("wuli", ["juzhang", "wangke"]),  # a parent two levels up
        ("wangke", ["juzhang"]),  # fleet manager applying: admin, once for both steps
    ],
)
async def test_plan_steps(org: str, applicant: str, chain: list[str]) -> None:
    user = await User.get(userid=applicant)
    steps = await plan_steps(RequestType.VEHICLE_BOOKING, user)
    assert [u.userid for _, u in steps] == chain
    assert await plan_steps(RequestType.REPAIR_REQUEST, user) == []
    assert await plan_steps(RequestType.FACILITY_RESERVATION, user, needs_approval=False) == []
    assert [u.userid for _, u in await plan_steps(RequestType.FACILITY_RESERVATION, user)] == [
        "zhoujing"
    ]


async def test_bad_input_writes_nothing(org: str, now: datetime) -> None:
    v = await vid("沪A12345")
    out_of_service = await vid("沪B11223")
    cases = [
        NewRequest(RequestType.VEHICLE_BOOKING, "zhangsan", at(28, 16), at(28, 14), vehicle_id=v),
        NewRequest(RequestType.VEHICLE_BOOKING, "zhangsan", at(28, 14), at(28, 14), vehicle_id=v),
        NewRequest(RequestType.VEHICLE_BOOKING, "zhangsan", at(28, 9), at(36, 9), vehicle_id=v),
        NewRequest(RequestType.VEHICLE_BOOKING, "zhangsan", at(28, 9), None, vehicle_id=v),
        NewRequest(RequestType.VEHICLE_BOOKING, "zhangsan", None, None, vehicle_id=v),
        NewRequest(RequestType.VEHICLE_BOOKING, "zhangsan", at(28, 9), at(28, 10), vehicle_id=999),
        NewRequest(
            RequestType.VEHICLE_BOOKING,
            "zhangsan",
            at(28, 9),
            at(28, 10),
            vehicle_id=out_of_service,
        ),
        NewRequest(
            RequestType.VEHICLE_BOOKING,
            "zhangsan",
            at(28, 9),
            at(28, 10),
            vehicle_id=v,
            driver="nobody",
        ),
        NewRequest(
            RequestType.FACILITY_RESERVATION, "zhangsan", at(28, 9), at(28, 10), facility_id="x"
        ),
    ]
    for new in cases:
        with pytest.raises(RequestError):
            await create_request(new, now, CHAT)
    with pytest.raises(NotAllowed):
        await create_request(NewRequest(RequestType.REPAIR_REQUEST, "nobody"), now, CHAT)
    with pytest.raises(ValueError, match="aware"):
        await create_request(
            NewRequest(
                RequestType.FACILITY_RESERVATION,
                "zhangsan",
                datetime(2026, 11, 28, 9),
                datetime(2026, 11, 28, 10),
                facility_id="mr-301",
            ),
            now,
            CHAT,
        )
    assert await Request.all().count() == 0
    assert await Hold.all().count() == 0
    assert await AuditLog.all().count() == 0


# ---------------------------------------------------------------------------------------
# Overlaps


async def test_vehicle_overlap_is_refused_and_adjacent_is_allowed(org: str) -> None:
    await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    for start, end in [
        (at(28, 11), at(28, 13)),
        (at(28, 9), at(28, 11)),
        (at(28, 10), at(28, 12)),
        (at(28, 10, 30), at(28, 11)),
        (at(28, 8), at(28, 14)),
    ]:
        with pytest.raises(Conflict) as e:
            await book_vehicle("wuli", start, end)
        assert set(e.value.resources) == {vehicle_key(await vid("沪A12345")), "driver:zhaoshifu"}
    await book_vehicle("wuli", at(28, 8), at(28, 10))
    await book_vehicle("wuli", at(28, 12), at(28, 14))
    assert await Hold.filter(active=True).count() == 6
    # refused requests left nothing behind: three requests, three create audits
    assert await Request.all().count() == 3
    assert await AuditLog.filter(action="create").count() == 3


async def test_driver_overlap_alone_is_refused(org: str) -> None:
    await book_vehicle("zhangsan", at(28, 10), at(28, 12))  # 沪A12345 with zhaoshifu
    with pytest.raises(Conflict) as e:
        await book_vehicle("wuli", at(28, 11), at(28, 13), plate="沪A67890", driver="zhaoshifu")
    assert e.value.resources == ["driver:zhaoshifu"]
    ok = await book_vehicle("wuli", at(28, 11), at(28, 13), plate="沪A67890")  # its own driver
    assert "driver:liushifu" in await active_holds(ok)


async def test_vehicle_overlap_alone_is_refused(org: str) -> None:
    await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    with pytest.raises(Conflict) as e:
        await book_vehicle("wuli", at(28, 11), at(28, 13), driver="liushifu")
    assert e.value.resources == [vehicle_key(await vid("沪A12345"))]


async def test_facility_overlap_is_refused_and_adjacent_is_allowed(org: str) -> None:
    await book_room("zhangsan", at(28, 10), at(28, 12))
    with pytest.raises(Conflict) as e:
        await book_room("wuli", at(28, 11, 59), at(28, 13))
    assert e.value.resources == [facility_key("mr-301")]
    await book_room("wuli", at(28, 12), at(28, 14))
    await book_room("wuli", at(28, 8), at(28, 10))
    await book_room("wuli", at(28, 11), at(28, 12), room="gym-1")  # another room: independent
    # a vehicle at the same time is independent of rooms
    await book_vehicle("wuli", at(28, 10), at(28, 12))


async def test_shanghai_and_utc_times_overlap_correctly(org: str) -> None:
    shanghai = await book_room("zhangsan", at(28, 10), at(28, 12))  # 02:00-04:00 UTC
    utc_day = datetime(2026, 11, 28, tzinfo=UTC)
    with pytest.raises(Conflict):
        await book_room("wuli", utc_day + timedelta(hours=3), utc_day + timedelta(hours=5))
    with pytest.raises(Conflict):
        await book_room(
            "wuli", utc_day + timedelta(hours=1), utc_day + timedelta(hours=2, minutes=1)
        )
    ok = await book_room("wuli", utc_day + timedelta(hours=4), utc_day + timedelta(hours=6))
    ok2 = await book_room("wuli", utc_day + timedelta(hours=1), utc_day + timedelta(hours=2))
    assert await busy_resources(["facility:mr-301"], at(28, 9), at(28, 10)) == {"facility:mr-301"}
    assert await busy_resources(["facility:mr-301"], at(28, 14), at(28, 15)) == set()
    # stored in UTC, read back as the same instants
    for r, start in [(shanghai, at(28, 10)), (ok, utc_day + timedelta(hours=4))]:
        fetched = await get_request(r.no)
        assert fetched is not None and fetched.start == start
        assert fetched.start.utcoffset() == timedelta(0)
    hold = await Hold.get(request_id=ok2.id)
    assert hold.start == utc_day + timedelta(hours=1) and hold.start.utcoffset() == timedelta(0)
    conn = connections.get("default")
    if conn.capabilities.dialect == "sqlite":  # text on SQLite: every offset must be +00:00
        rows = await conn.execute_query_dict('SELECT start, "end" FROM hold')
        assert all(str(r["start"]).endswith("+00:00") for r in rows), rows
    assert utc(at(28, 10)) == datetime(2026, 11, 28, 2, tzinfo=UTC)
    with pytest.raises(ValueError):
        utc(datetime(2026, 11, 28, 2))


async def test_released_holds_free_the_resource_at_once(org: str, now: datetime) -> None:
    r1 = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    await decide(r1.no, "lichu", Decision.REJECT, now, CHAT, comment="时间冲突")
    assert await active_holds(r1) == []
    r2 = await book_vehicle("wuli", at(28, 10), at(28, 12))
    await cancel(r2.no, "wuli", now, CHAT)
    assert await active_holds(r2) == []
    r3 = await book_vehicle("xiaoliu", at(28, 10), at(28, 12))
    assert len(await active_holds(r3)) == 2
    room = await book_room("zhangsan", at(28, 10), at(28, 12))
    await cancel(room.no, "zhangsan", now, CHAT)
    await book_room("wuli", at(28, 10), at(28, 12))


async def test_completing_a_booking_releases_it(org: str, now: datetime) -> None:
    r = await book_room("zhangsan", at(28, 10), at(28, 12))
    assert await complete_request(r, "system", at(28, 12), "system")
    assert not await complete_request(r, "system", at(28, 12), "system")  # once
    assert await status_of(r.no) is RequestStatus.COMPLETED
    assert await active_holds(r) == []
    [row] = await AuditLog.filter(request_id=r.id, action="complete")
    assert (row.actor, row.from_status, row.to_status) == ("system", "approved", "completed")


# ---------------------------------------------------------------------------------------
# Finding free resources


async def test_free_vehicles(org: str) -> None:
    window = (at(28, 10), at(28, 12))
    assert [v.plate for v in await free_vehicles(*window)] == ["沪A67890", "沪A12345"]
    assert [v.plate for v in await free_vehicles(*window, seats=6)] == ["沪A12345"]
    assert await free_vehicles(*window, seats=8) == []  # the 20-seater is out of service
    free = await free_vehicles(*window)
    assert free[0].driver is not None and free[0].driver.userid == "liushifu"
    # 沪A67890 is free itself, but its driver drives another car then
    r = await book_vehicle("zhangsan", at(28, 11), at(28, 13), driver="liushifu")
    assert [v.plate for v in await free_vehicles(*window)] == []
    assert [v.plate for v in await free_vehicles(at(28, 13), at(28, 15))] == [
        "沪A67890",
        "沪A12345",
    ]
    assert [v.plate for v in await free_vehicles(*window, ignore_request=r.id)] == [
        "沪A67890",
        "沪A12345",
    ]


async def test_free_facilities(org: str) -> None:
    window = (at(28, 10), at(28, 12))
    assert [f.id for f in await free_facilities(*window)] == [
        "rr-101",
        "mr-301",
        "cr-2",
        "gym-1",
        "aud-1",
    ]
    assert [f.id for f in await free_facilities(*window, type="meeting_room")] == ["mr-301"]
    assert [f.id for f in await free_facilities(*window, capacity=20)] == ["gym-1", "aud-1"]
    assert [f.id for f in await free_facilities(*window, ids=["mr-301", "aud-1"])] == [
        "mr-301",
        "aud-1",
    ]
    await book_room("zhangsan", at(28, 11), at(28, 12))
    assert [f.id for f in await free_facilities(*window, type="meeting_room")] == []
    assert [f.id for f in await free_facilities(at(28, 12), at(28, 13), type="meeting_room")] == [
        "mr-301"
    ]
    await Facility.filter(id="gym-1").update(active=False)
    try:
        assert "gym-1" not in [f.id for f in await free_facilities(*window)]
    finally:
        await Facility.filter(id="gym-1").update(active=True)


async def test_next_free_start(org: str) -> None:
    key = [facility_key("mr-301")]
    two = timedelta(hours=2)
    assert await next_free_start(key, at(28, 10), two, at(28, 20)) == at(28, 10)
    await book_room("zhangsan", at(28, 10), at(28, 12))
    await book_room("zhangsan", at(28, 12), at(28, 14))
    await book_room("zhangsan", at(28, 15), at(28, 16))
    assert await next_free_start(key, at(28, 10), two, at(28, 20)) == at(28, 16)
    assert await next_free_start(key, at(28, 10), timedelta(hours=1), at(28, 20)) == at(28, 14)
    assert await next_free_start(key, at(28, 9), timedelta(hours=1), at(28, 20)) == at(28, 9)
    assert await next_free_start(key, at(28, 11), two, at(28, 15)) is None
    # several resources: free when all of them are
    v = await book_vehicle("zhangsan", at(28, 16), at(28, 18))
    both = [*key, *await active_holds(v)]
    assert await next_free_start(both, at(28, 10), two, at(28, 23)) == at(28, 18)


# ---------------------------------------------------------------------------------------
# Decisions


async def test_approval_chain_to_the_end(org: str, now: datetime) -> None:
    r = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    with pytest.raises(NotAllowed):
        await decide(r.no, "wangke", Decision.APPROVE, now, CHAT)  # not yet his step
    with pytest.raises(NotAllowed):
        await decide(r.no, "zhangsan", Decision.APPROVE, now, CHAT)  # never the applicant
    first = await decide(r.no, "lichu", Decision.APPROVE, now, "link")
    assert not first.final and first.next_step is not None
    assert first.next_step.approver.userid == "wangke"
    assert first.request.status is RequestStatus.PENDING
    with pytest.raises(AlreadyDecided):
        await decide(r.no, "lichu", Decision.APPROVE, now, CHAT)  # second time
    last = await decide(r.no, "wangke", Decision.APPROVE, now + timedelta(minutes=5), CHAT)
    assert last.final and last.next_step is None
    assert last.request.status is RequestStatus.APPROVED
    assert await status_of(r.no) is RequestStatus.APPROVED
    assert await steps_of(r.no) == [
        ("dept_head", "lichu", "approve"),
        ("fleet_manager", "wangke", "approve"),
    ]
    with pytest.raises(AlreadyDecided):
        await decide(r.no, "wangke", Decision.REJECT, now, CHAT)
    with pytest.raises(InvalidState):
        await decide(r.no, "juzhang", Decision.REJECT, now, CHAT)
    assert len(await active_holds(r)) == 2  # approved keeps its holds
    with pytest.raises(NotFound):
        await decide(1999, "lichu", Decision.APPROVE, now, CHAT)


async def test_reject_ends_the_chain_and_releases(org: str, now: datetime) -> None:
    r = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    await decide(r.no, "lichu", Decision.APPROVE, now, CHAT)
    result = await decide(r.no, "wangke", Decision.REJECT, now, CHAT, comment="没有车")
    assert result.final and result.request.status is RequestStatus.REJECTED
    assert await status_of(r.no) is RequestStatus.REJECTED
    assert await active_holds(r) == []
    request = await get_request(r.no)
    assert request is not None and current_step(request) is None
    assert to_api(request)["steps"][1]["comment"] == "没有车"


async def test_step_id_binds_the_decision(org: str, now: datetime) -> None:
    r = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    request = await get_request(r.no)
    assert request is not None
    s1, s2 = sorted(request.steps, key=lambda s: s.seq)
    with pytest.raises(InvalidState):
        await decide(r.no, "wangke", Decision.APPROVE, now, CHAT, step_id=s2.id)  # not current
    with pytest.raises(NotFound):
        await decide(r.no, "lichu", Decision.APPROVE, now, CHAT, step_id=s2.id + 100)
    with pytest.raises(NotAllowed):
        await decide(r.no, "wangke", Decision.APPROVE, now, CHAT, step_id=s1.id)
    await decide(r.no, "lichu", Decision.APPROVE, now, "link", step_id=s1.id)
    with pytest.raises(AlreadyDecided):
        await decide(r.no, "lichu", Decision.REJECT, now, "link", step_id=s1.id)  # old link
    await decide(r.no, "wangke", Decision.APPROVE, now, "link", step_id=s2.id)
    with pytest.raises(AlreadyDecided):
        await decide(r.no, "wangke", Decision.APPROVE, now, "link", step_id=s2.id)
    assert await status_of(r.no) is RequestStatus.APPROVED


async def test_decision_on_a_cancelled_request_changes_nothing(org: str, now: datetime) -> None:
    r = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    request = await get_request(r.no)
    assert request is not None
    s1 = min(request.steps, key=lambda s: s.seq)
    await cancel(r.no, "zhangsan", now, CHAT)
    audits = await AuditLog.all().count()
    updated = (await Request.get(id=r.id)).updated_at
    for kw in ({}, {"step_id": s1.id}):
        for d in Decision:
            with pytest.raises(InvalidState):
                await decide(r.no, "lichu", d, now + timedelta(hours=1), CHAT, **kw)
    assert await steps_of(r.no) == [
        ("dept_head", "lichu", None),
        ("fleet_manager", "wangke", None),
    ]
    assert await status_of(r.no) is RequestStatus.CANCELLED
    assert await AuditLog.all().count() == audits
    assert (await Request.get(id=r.id)).updated_at == updated
    assert await pending_for("lichu") == []


async def test_fleet_manager_changes_vehicle_and_driver(org: str, now: datetime) -> None:
    r = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    other = await vid("沪A67890")
    with pytest.raises(NotAllowed):  # only at the fleet manager's step
        await decide(r.no, "lichu", Decision.APPROVE, now, CHAT, vehicle_id=other)
    await decide(r.no, "lichu", Decision.APPROVE, now, CHAT)
    # 沪A67890 and its driver are busy: the change is refused and nothing changes
    busy = await book_vehicle("wuli", at(28, 11), at(28, 13), plate="沪A67890")
    with pytest.raises(Conflict) as e:
        await decide(r.no, "wangke", Decision.APPROVE, now, CHAT, vehicle_id=other)
    assert e.value.resources == sorted(["driver:liushifu", vehicle_key(other)])
    assert await steps_of(r.no) == [
        ("dept_head", "lichu", "approve"),
        ("fleet_manager", "wangke", None),
    ]
    assert await active_holds(r) == sorted([vehicle_key(await vid("沪A12345")), "driver:zhaoshifu"])
    with pytest.raises(NotAllowed):
        await decide(r.no, "wangke", Decision.APPROVE, now, CHAT, driver="zhangsan")  # no driver
    with pytest.raises(NotAllowed):
        await decide(r.no, "wangke", Decision.APPROVE, now, CHAT, vehicle_id=await vid("沪B11223"))
    await cancel(busy.no, "wuli", now, CHAT)
    result = await decide(r.no, "wangke", Decision.APPROVE, now, CHAT, vehicle_id=other)
    assert result.final and result.request.status is RequestStatus.APPROVED
    fetched = await get_request(r.no)
    assert fetched is not None and fetched.vehicle is not None and fetched.driver is not None
    assert (fetched.vehicle.plate, fetched.driver.userid) == ("沪A67890", "liushifu")
    assert await active_holds(r) == sorted([vehicle_key(other), "driver:liushifu"])
    # the first vehicle is free again
    await book_vehicle("wuli", at(28, 10), at(28, 12))
    [change] = await AuditLog.filter(request_id=r.id, action="change_vehicle")
    assert change.actor == "wangke" and change.details == {
        "vehicle": "沪A67890",
        "driver": "liushifu",
    }


async def test_fleet_manager_changes_only_the_driver(org: str, now: datetime) -> None:
    r = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    await decide(r.no, "lichu", Decision.APPROVE, now, CHAT)
    await decide(r.no, "wangke", Decision.APPROVE, now, CHAT, driver="liushifu")
    assert await active_holds(r) == sorted([vehicle_key(await vid("沪A12345")), "driver:liushifu"])
    await book_vehicle("wuli", at(28, 10), at(28, 12), plate="沪A67890", driver="zhaoshifu")


async def test_pending_for_and_open_requests(org: str, now: datetime) -> None:
    r1 = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    r2 = await book_room("xiaoliu", at(28, 10), at(28, 12), room="aud-1")
    r3 = await book_vehicle("xiaoliu", at(29, 10), at(29, 12))
    assert [r.no for r in await pending_for("lichu")] == [r1.no]
    assert [r.no for r in await pending_for("zhoujing")] == [r2.no]
    assert [r.no for r in await pending_for("chenchu")] == [r3.no]
    assert await pending_for("wangke") == []  # not his turn yet
    await decide(r1.no, "lichu", Decision.APPROVE, now, CHAT)
    assert [r.no for r in await pending_for("wangke")] == [r1.no]
    assert await pending_for("lichu") == []
    assert [r.no for r in await open_requests_of("xiaoliu")] == [r3.no, r2.no]
    await cancel(r3.no, "xiaoliu", now, CHAT)
    assert [r.no for r in await open_requests_of("xiaoliu")] == [r2.no]


# ---------------------------------------------------------------------------------------
# Cancel


async def test_cancel_rules(org: str, now: datetime) -> None:
    r = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    with pytest.raises(NotAllowed):
        await cancel(r.no, "lichu", now, CHAT)  # only the applicant
    with pytest.raises(InvalidState):
        await cancel(r.no, "zhangsan", at(28, 10), CHAT)  # started
    with pytest.raises(InvalidState):
        await cancel(r.no, "zhangsan", at(28, 11), CHAT)
    assert await status_of(r.no) is RequestStatus.PENDING
    done = await cancel(r.no, "zhangsan", at(28, 9, 59), CHAT)
    assert done.status is RequestStatus.CANCELLED
    with pytest.raises(InvalidState):
        await cancel(r.no, "zhangsan", now, CHAT)  # twice
    with pytest.raises(NotFound):
        await cancel(1999, "zhangsan", now, CHAT)
    # an approved request may be cancelled; a rejected one may not
    a = await book_room("zhangsan", at(28, 10), at(28, 12))
    await cancel(a.no, "zhangsan", now, CHAT)
    b = await book_room("zhangsan", at(28, 10), at(28, 12), room="aud-1")
    await decide(b.no, "zhoujing", Decision.REJECT, now, CHAT)
    with pytest.raises(InvalidState):
        await cancel(b.no, "zhangsan", now, CHAT)
    assert await AuditLog.filter(action="cancel").count() == 2


# ---------------------------------------------------------------------------------------
# Repairs


async def test_repair_assign_progress_complete_rate(org: str, now: datetime) -> None:
    r = await report_repair("xiaoliu", now)
    with pytest.raises(NotAllowed):
        await progress_repair(r.no, "qianli", RequestStatus.IN_PROGRESS, now, CHAT)  # unassigned
    with pytest.raises(NotAllowed):
        await assign_repair(r.no, "sunwei", "zhangsan", now, CHAT)  # not a repair worker
    assigned = await assign_repair(r.no, "sunwei", "qianli", now, CHAT)
    assert assigned.status is RequestStatus.ASSIGNED
    assert assigned.assignee is not None and assigned.assignee.userid == "qianli"
    with pytest.raises(NotAllowed):
        await progress_repair(r.no, "zhaoshifu", RequestStatus.IN_PROGRESS, now, CHAT)
    with pytest.raises(RequestError):
        await progress_repair(r.no, "qianli", RequestStatus.APPROVED, now, CHAT)
    with pytest.raises(InvalidState):
        await rate_request(r.no, "xiaoliu", 5, now, CHAT)  # not done yet
    await progress_repair(r.no, "qianli", RequestStatus.IN_PROGRESS, now, CHAT)
    with pytest.raises(InvalidState):
        await progress_repair(r.no, "qianli", RequestStatus.IN_PROGRESS, now, CHAT)
    with pytest.raises(InvalidState):
        await cancel(r.no, "xiaoliu", now, CHAT)  # in progress
    with pytest.raises(InvalidState):
        await assign_repair(r.no, "sunwei", "qianli", now, CHAT)
    done = await progress_repair(r.no, "qianli", RequestStatus.COMPLETED, now, CHAT, note="已修好")
    assert done.status is RequestStatus.COMPLETED
    with pytest.raises(RequestError):
        await rate_request(r.no, "xiaoliu", 6, now, CHAT)
    with pytest.raises(NotAllowed):
        await rate_request(r.no, "qianli", 5, now, CHAT)
    rated = await rate_request(r.no, "xiaoliu", 4, now, CHAT, "  很及时  ")
    assert rated.rating == 4 and (await Request.get(id=r.id)).rating == 4
    assert (await Request.get(id=r.id)).details["rating_comment"] == "很及时"
    with pytest.raises(AlreadyRated):  # once only
        await rate_request(r.no, "xiaoliu", 1, now, CHAT)
    assert (await Request.get(id=r.id)).rating == 4
    vehicle = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    for call in (
        assign_repair(vehicle.no, "sunwei", "qianli", now, CHAT),
        progress_repair(vehicle.no, "qianli", RequestStatus.COMPLETED, now, CHAT),
    ):
        with pytest.raises(NotFound):
            await call
    with pytest.raises(InvalidState):  # a trip is rated once it is completed
        await rate_request(vehicle.no, "zhangsan", 5, now, CHAT)


async def test_repair_reassign_and_cancel(org: str, now: datetime) -> None:
    r = await report_repair("xiaoliu", now)
    await assign_repair(r.no, "sunwei", "qianli", now, CHAT)
    await assign_repair(r.no, "sunwei", "qianli", now, CHAT)  # assigned again: still assigned
    assert await status_of(r.no) is RequestStatus.ASSIGNED
    await cancel(r.no, "xiaoliu", now, CHAT)
    assert await status_of(r.no) is RequestStatus.CANCELLED


# ---------------------------------------------------------------------------------------
# Audit and the API view


async def test_every_change_is_audited(org: str, now: datetime) -> None:
    t = [now + timedelta(minutes=i) for i in range(10)]
    v = await create_request(
        NewRequest(
            RequestType.VEHICLE_BOOKING,
            "zhangsan",
            at(28, 10),
            at(28, 12),
            vehicle_id=await vid("沪A12345"),
        ),
        t[0],
        "chat",
    )
    await decide(v.no, "lichu", Decision.APPROVE, t[1], "link")
    await decide(v.no, "wangke", Decision.APPROVE, t[2], "card", driver="liushifu")
    await cancel(v.no, "zhangsan", t[3], "chat")
    rep = await report_repair("xiaoliu", t[4])
    await assign_repair(rep.no, "sunwei", "qianli", t[5], "chat")
    await progress_repair(rep.no, "qianli", RequestStatus.IN_PROGRESS, t[6], "chat")
    await progress_repair(rep.no, "qianli", RequestStatus.COMPLETED, t[7], "chat")
    await rate_request(rep.no, "xiaoliu", 5, t[8], "chat")
    rows = await AuditLog.all().order_by("id")
    got = [
        (r.request_id, r.actor, r.action, r.from_status, r.to_status, r.channel, r.at) for r in rows
    ]  # type: ignore[attr-defined]
    assert got == [
        (v.id, "zhangsan", "create", None, "pending", "chat", t[0]),
        (v.id, "lichu", "approve", "pending", "pending", "link", t[1]),
        (v.id, "wangke", "change_vehicle", None, None, "card", t[2]),
        (v.id, "wangke", "approve", "pending", "approved", "card", t[2]),
        (v.id, "zhangsan", "cancel", "approved", "cancelled", "chat", t[3]),
        (rep.id, "xiaoliu", "create", None, "pending", "chat", t[4]),
        (rep.id, "sunwei", "assign", "pending", "assigned", "chat", t[5]),
        (rep.id, "qianli", "in_progress", "assigned", "in_progress", "chat", t[6]),
        (rep.id, "qianli", "completed", "in_progress", "completed", "chat", t[7]),
        (rep.id, "xiaoliu", "rate", None, None, "chat", t[8]),
    ]
    assert all(r.at.utcoffset() == timedelta(0) for r in rows)
    assert rows[1].details["step"] == 1 and rows[9].details == {"score": 5}


async def test_to_api_shape(org: str, now: datetime) -> None:
    r = await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    await decide(r.no, "lichu", Decision.APPROVE, now, CHAT)
    request = await get_request(r.no)
    assert request is not None
    api = to_api(request)
    assert api["no"] == r.no and api["type"] == "vehicle_booking"
    assert api["status"] == "pending" and api["applicant"] == "zhangsan"
    assert api["steps"] == [
        {
            "approver": "lichu",
            "role": "dept_head",
            "decision": "approve",
            "decided_at": utc(now).isoformat(),
            "comment": None,
        },
        {
            "approver": "wangke",
            "role": "fleet_manager",
            "decision": None,
            "decided_at": None,
            "comment": None,
        },
    ]
    assert api["vehicle"] == "沪A12345" and api["driver"] == "zhaoshifu"
    assert datetime.fromisoformat(api["start"]) == at(28, 10)
    rep = await report_repair("xiaoliu", now)
    fetched = await get_request(rep.no)
    assert fetched is not None
    api = to_api(fetched)
    assert (api["type"], api["status"], api["steps"], api["start"]) == (
        "repair_request",
        "pending",
        [],
        None,
    )
    import json

    json.dumps(api)  # plain JSON


async def test_a_handler_transaction_survives_a_conflict(org: str, now: datetime) -> None:
    """A handler's outer transaction (with its outbox rows) may catch Conflict and go on:
    the failed attempt is rolled back to its savepoint on both databases."""
    await book_vehicle("zhangsan", at(28, 10), at(28, 12))
    async with in_transaction():
        with pytest.raises(Conflict):
            await book_vehicle("wuli", at(28, 11), at(28, 13))
        second = await book_vehicle("wuli", at(28, 11), at(28, 13), plate="沪A67890")
    assert await Request.all().count() == 2
    assert (await get_request(second.no)) is not None
    assert await ApprovalStep.filter(request_id=second.id).count() == 2
