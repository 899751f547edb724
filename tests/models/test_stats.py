"""The dashboard's numbers (models/stats.py) on the seeded test bureau, on SQLite and
PostgreSQL. Requests are made through the real model functions with explicit moments,
so every duration below can be checked by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from models import stats
from models.decisions import cancel, decide
from models.org import RequestType, Vehicle
from models.repairs import assign_repair, complete_request, progress_repair
from models.requests import (
    Decision,
    NewRequest,
    Request,
    RequestStatus,
    create_request,
    current_step,
    get_request,
)
from models.seed import seed_org
from models.stats import Scope
from tests.conftest import TZ

ORG = Path(__file__).with_name("org_good.yaml")
NOVEMBER = Scope(date(2026, 11, 1), date(2026, 12, 1), TZ)
CHAT = "chat"


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
async def org(db: str) -> str:
    result = await seed_org(ORG)
    assert result.ok, result.problems
    return db


async def vehicle_booking(applicant: str, start: datetime, end: datetime, created: datetime,
                          plate: str | None = None, **details: Any) -> Request:
    vehicle_id = (await Vehicle.get(plate=plate)).id if plate else None
    new = NewRequest(RequestType.VEHICLE_BOOKING, applicant, start, end, vehicle_id=vehicle_id,
                     details=details)
    return await create_request(new, created, CHAT)


async def approve_all(request: Request, first: datetime, gap: timedelta = timedelta(0)) -> None:
    """Every step approved by its approver, the first at `first`, then each `gap` later."""
    moment = first
    while True:
        fresh = await get_request(request.no)
        assert fresh is not None
        step = current_step(fresh)
        if step is None:
            return
        await decide(request.no, step.approver.userid, Decision.APPROVE, moment, CHAT)
        moment += gap


async def room(applicant: str, facility: str, start: datetime, end: datetime,
               created: datetime | None = None) -> Request:
    new = NewRequest(RequestType.FACILITY_RESERVATION, applicant, start, end, facility_id=facility)
    return await create_request(new, created or start - timedelta(days=1), CHAT)


async def repair(applicant: str, created: datetime, location: str = "3号楼502室") -> Request:
    new = NewRequest(RequestType.REPAIR_REQUEST, applicant, details={"location": location})
    return await create_request(new, created, CHAT)


# ---------------------------------------------------------------------------------------
# Pure parts


def test_percentile_interpolates_between_closest_ranks() -> None:
    assert stats.percentile([], 0.5) is None
    assert stats.percentile([7.0], 0.9) == 7.0
    assert stats.percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert stats.percentile([1.0, 2.0, 3.0, 4.0], 0.9) == pytest.approx(3.7)
    assert stats.percentile([60.0, 120.0, 300.0], 0.9) == pytest.approx(264.0)


def test_scope_is_local_days() -> None:
    scope = Scope(date(2026, 11, 1), date(2026, 11, 3), TZ)
    assert scope.since == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert scope.until == datetime(2026, 11, 2, 16, 0, tzinfo=UTC)
    assert scope.days() == [date(2026, 11, 1), date(2026, 11, 2)]
    with pytest.raises(ValueError):
        Scope(date(2026, 11, 3), date(2026, 11, 3), TZ)
    with pytest.raises(ValueError):
        Scope(date(2025, 1, 1), date(2026, 11, 3), TZ)


# ---------------------------------------------------------------------------------------
# Requests per department and per service


async def test_requests_per_department_include_sub_departments(org: str) -> None:
    await repair("zhangsan", at(11, 2, 9))
    await repair("zhangsan", at(11, 3, 9))
    await repair("lichu", at(11, 4, 9))  # 11 办公室
    booking = await vehicle_booking("zhangsan", at(11, 29, 9), at(11, 29, 10), at(11, 5, 9))
    await cancel(booking.no, "zhangsan", at(11, 6, 9), CHAT)  # cancelled still counts
    await repair("xiaoliu", at(11, 7, 9))  # 131 物业管理科, under 13
    await room("xiaoliu", "aud-1", at(11, 30, 9), at(11, 30, 11), at(11, 8, 9))  # pending
    await repair("chenchu", at(11, 9, 9))  # 13 房产管理处
    await vehicle_booking("wuli", at(11, 30, 14), at(11, 30, 15), at(11, 30, 23, 59))  # 14
    await repair("juzhang", at(10, 15, 9))  # before the range
    await repair("juzhang", at(12, 1, 0))  # 2026-12-01 00:00 local: the range has ended

    rows = {d.id: d for d in await stats.requests_by_department(NOVEMBER)}
    assert [d.id for d in await stats.requests_by_department(NOVEMBER)] == [1, 11, 12, 13, 131, 14]
    assert rows[11].own == {"vehicle_booking": 1, "facility_reservation": 0, "repair_request": 3,
                            "asset_request": 0}
    assert rows[131].own == {"vehicle_booking": 0, "facility_reservation": 1, "repair_request": 1,
                             "asset_request": 0}
    assert {i: d.own_total for i, d in rows.items()} == {1: 0, 11: 4, 12: 0, 13: 1, 131: 2, 14: 1}
    assert {i: d.subtree_total for i, d in rows.items()} == {1: 8, 11: 4, 12: 0, 13: 3, 131: 2,
                                                            14: 1}
    assert rows[131].depth == 2 and rows[1].depth == 0

    services = {s.type: s for s in await stats.requests_by_service(NOVEMBER)}
    assert {t: s.total for t, s in services.items()} == {
        "vehicle_booking": 2, "facility_reservation": 1, "repair_request": 5, "asset_request": 0}
    assert services["vehicle_booking"].by_status["cancelled"] == 1
    assert services["vehicle_booking"].by_status["pending"] == 1
    assert services["repair_request"].by_status["pending"] == 5

    sub = Scope(NOVEMBER.start, NOVEMBER.end, TZ, department_id=13)
    rows13 = await stats.requests_by_department(sub)
    assert [(d.id, d.depth, d.own_total, d.subtree_total) for d in rows13] == [
        (13, 0, 1, 3), (131, 1, 2, 2)]
    services13 = {s.type: s.total for s in await stats.requests_by_service(sub)}
    assert services13 == {"vehicle_booking": 0, "facility_reservation": 1, "repair_request": 2,
                          "asset_request": 0}

    with pytest.raises(stats.UnknownDepartment):
        await stats.requests_by_department(Scope(NOVEMBER.start, NOVEMBER.end, TZ, 999))


# ---------------------------------------------------------------------------------------
# Vehicle use


async def test_vehicle_hours_per_day_and_per_vehicle(org: str) -> None:
    # Over local midnight: 2 h on the 25th, 2 h on the 26th.
    night = await vehicle_booking("zhangsan", at(11, 25, 22), at(11, 26, 2), at(11, 20, 9),
                                  plate="沪A12345", destination="浦东机场")
    await approve_all(night, at(11, 20, 10))
    # 3 h on the 26th, approved and then completed (still use).
    day = await vehicle_booking("xiaoliu", at(11, 26, 9), at(11, 26, 12), at(11, 20, 9),
                                plate="沪A67890")
    await approve_all(day, at(11, 20, 11))
    assert await complete_request(day, "system", at(11, 26, 12, 5), "system")
    # Across the start of the range: only 1 h (after 2026-11-01 00:00) counts.
    edge = await vehicle_booking("zhangsan", at(10, 31, 23), at(11, 1, 1), at(10, 30, 9),
                                 plate="沪A12345")
    await approve_all(edge, at(10, 30, 10))
    # Not use: pending, cancelled, rejected.
    await vehicle_booking("wuli", at(11, 27, 14), at(11, 27, 15), at(11, 26, 9), plate="沪A12345")
    gone = await vehicle_booking("zhangsan", at(11, 28, 9), at(11, 28, 11), at(11, 26, 9),
                                 plate="沪A67890")
    await cancel(gone.no, "zhangsan", at(11, 26, 10), CHAT)
    no = await vehicle_booking("zhangsan", at(11, 29, 9), at(11, 29, 11), at(11, 26, 9),
                               plate="沪A67890")
    await decide(no.no, "lichu", Decision.REJECT, at(11, 26, 11), CHAT)

    report = await stats.vehicle_use(NOVEMBER)
    by_day = {d.day: (d.hours, d.bookings) for d in report.per_day}
    assert len(report.per_day) == 30
    assert by_day[date(2026, 11, 1)] == (1.0, 1)
    assert by_day[date(2026, 11, 25)] == (2.0, 1)
    assert by_day[date(2026, 11, 26)] == (5.0, 2)
    assert by_day[date(2026, 11, 27)] == (0.0, 0)
    assert report.total_hours == 8.0
    assert [(v.plate, v.hours, v.bookings) for v in report.per_vehicle] == [
        ("沪A12345", 5.0, 2), ("沪A67890", 3.0, 1)]  # 沪B11223 is out of service and unused

    only13 = await stats.vehicle_use(Scope(NOVEMBER.start, NOVEMBER.end, TZ, 13))
    assert only13.total_hours == 3.0
    assert [(v.plate, v.hours) for v in only13.per_vehicle] == [("沪A67890", 3.0),
                                                                ("沪A12345", 0.0)]


# ---------------------------------------------------------------------------------------
# Approval lead times


async def test_lead_times_median_and_p90_per_step(org: str) -> None:
    # Vehicle bookings: step 1 (李处) after 60, 120, 300 min; step 2 (王科) 30, 30, 90 min
    # after step 1's decision.
    for day, first, second in ((20, 60, 30), (21, 120, 30), (22, 300, 90)):
        created = at(11, day, 9)
        r = await vehicle_booking("zhangsan", at(11, 29, 9), at(11, 29, 10), created)
        d1 = created + timedelta(minutes=first)
        await decide(r.no, "lichu", Decision.APPROVE, d1, CHAT)
        await decide(r.no, "wangke", Decision.APPROVE, d1 + timedelta(minutes=second), CHAT)
    # A room that needs approval, rejected after 45 min (a rejection is a decision too).
    hall = await room("xiaoliu", "aud-1", at(11, 30, 9), at(11, 30, 11), at(11, 23, 10))
    await decide(hall.no, "zhoujing", Decision.REJECT, at(11, 23, 10, 45), CHAT)
    # Decided in October: outside the range.
    old = await vehicle_booking("zhangsan", at(10, 9, 9), at(10, 9, 10), at(10, 1, 9))
    await decide(old.no, "lichu", Decision.APPROVE, at(10, 1, 9, 5), CHAT)
    # Only step 1 decided so far: step 2 has nothing yet.
    waiting = await vehicle_booking("zhangsan", at(11, 29, 14), at(11, 29, 15), at(11, 24, 9))
    await decide(waiting.no, "lichu", Decision.APPROVE, at(11, 24, 9, 30), CHAT)

    rows = {(s.type, s.seq): s for s in await stats.approval_lead_times(NOVEMBER)}
    assert set(rows) == {("vehicle_booking", 1), ("vehicle_booking", 2),
                         ("facility_reservation", 1)}
    first = rows[("vehicle_booking", 1)]
    assert (first.role, first.count) == ("dept_head", 4)  # 30, 60, 120, 300
    assert first.median_min == pytest.approx(90.0)
    assert first.p90_min == pytest.approx(120 + 0.7 * 180)  # rank 2.7 of 0..3
    assert (first.max_min, first.over_limit) == (300.0, 1)
    second = rows[("vehicle_booking", 2)]
    assert (second.role, second.count) == ("fleet_manager", 3)
    assert second.median_min == pytest.approx(30.0)
    assert second.p90_min == pytest.approx(78.0)
    assert second.over_limit == 0
    hall_step = rows[("facility_reservation", 1)]
    assert (hall_step.role, hall_step.count, hall_step.median_min) == ("facility_admin", 1, 45.0)

    only13 = await stats.approval_lead_times(Scope(NOVEMBER.start, NOVEMBER.end, TZ, 13))
    assert [(s.type, s.seq, s.count) for s in only13] == [("facility_reservation", 1, 1)]


# ---------------------------------------------------------------------------------------
# Repairs


async def test_repair_times_against_their_limits(org: str, now: datetime) -> None:
    async def repaired(applicant: str, created: datetime, assign_after: int,
                       finish_after: int | None) -> None:
        r = await repair(applicant, created)
        await assign_repair(r.no, "sunwei", "qianli", created + timedelta(minutes=assign_after),
                            CHAT)
        if finish_after is not None:
            await progress_repair(r.no, "qianli", RequestStatus.IN_PROGRESS,
                                  created + timedelta(minutes=assign_after + 5), CHAT)
            await progress_repair(r.no, "qianli", RequestStatus.COMPLETED,
                                  created + timedelta(minutes=finish_after), CHAT)

    await repaired("xiaoliu", at(11, 20, 9), 20, 300)
    await repaired("zhangsan", at(11, 21, 9), 45, 1800)
    await repaired("wuli", at(11, 22, 9), 10, None)  # assigned, open for days
    await repair("wuli", now - timedelta(hours=2))  # nobody assigned for 2 h
    await repair("wuli", at(10, 15, 9))  # outside the range

    report = await stats.repair_times(NOVEMBER, now)
    a, f = report.assign, report.finish
    assert (a.limit_min, a.count, a.within_limit, a.over_limit, a.open_over_limit) == (
        30.0, 3, 2, 1, 1)
    assert a.median_min == 20.0 and a.p90_min == pytest.approx(40.0) and a.max_min == 45.0
    assert (f.limit_min, f.count, f.within_limit, f.over_limit, f.open_over_limit) == (
        1440.0, 2, 1, 1, 1)
    assert f.median_min == 1050.0 and f.p90_min == pytest.approx(1650.0)
    assert [(i.no, i.status, i.assign_min, i.finish_min) for i in report.items] == [
        (1001, "completed", 20.0, 300.0),
        (1002, "completed", 45.0, 1800.0),
        (1003, "assigned", 10.0, None),
        (1004, "pending", None, None),
    ]
    assert report.items[0].location == "3号楼502室"

    only11 = await stats.repair_times(Scope(NOVEMBER.start, NOVEMBER.end, TZ, 11), now)
    assert only11.assign.count == 1 and only11.assign.median_min == 45.0


# ---------------------------------------------------------------------------------------
# Rooms


async def test_room_occupancy_by_weekday_and_hour(org: str) -> None:
    await room("wuli", "mr-301", at(11, 27, 14), at(11, 27, 16, 30))  # Friday
    await room("zhangsan", "mr-301", at(11, 23, 9, 30), at(11, 23, 10, 30))  # Monday
    await room("xiaoliu", "aud-1", at(11, 24, 9), at(11, 24, 12))  # pending: not held yet
    gym = await room("zhangsan", "gym-1", at(11, 28, 18), at(11, 28, 19), at(11, 20, 9))
    await cancel(gym.no, "zhangsan", at(11, 21, 9), CHAT)

    report = await stats.room_occupancy(NOVEMBER)
    grid = report.grid
    assert (grid[4][14], grid[4][15], grid[4][16]) == (1.0, 1.0, 0.5)
    assert (grid[0][9], grid[0][10]) == (0.5, 0.5)
    assert sum(map(sum, grid)) == 3.5
    rooms = {r.facility_id: r for r in report.rooms}
    assert report.rooms[0].facility_id == "mr-301"
    assert (rooms["mr-301"].hours, rooms["mr-301"].reservations) == (3.5, 2)
    assert rooms["mr-301"].open_hours == 12 * 30  # 08:00-20:00 for 30 days
    assert rooms["mr-301"].rate == pytest.approx(3.5 / 360)
    assert rooms["aud-1"].hours == 0 and rooms["gym-1"].hours == 0

    only11 = await stats.room_occupancy(Scope(NOVEMBER.start, NOVEMBER.end, TZ, 11))
    assert sum(map(sum, only11.grid)) == 1.0 and only11.grid[0][9] == 0.5


# ---------------------------------------------------------------------------------------
# Overdue now


async def test_overdue_now(org: str, now: datetime) -> None:
    # Step 1 waiting 5 h: late. Step 2 waiting 1 h since step 1: not late.
    late = await vehicle_booking("zhangsan", at(11, 29, 9), at(11, 29, 10), now - timedelta(hours=5))
    fresh = await vehicle_booking("zhangsan", at(11, 29, 11), at(11, 29, 12),
                                  now - timedelta(hours=7))
    await decide(fresh.no, "lichu", Decision.APPROVE, now - timedelta(hours=1), CHAT)
    # Step 2 waiting 25 h since step 1 (from 131, under 13).
    stuck = await vehicle_booking("xiaoliu", at(11, 29, 13), at(11, 29, 14),
                                  now - timedelta(hours=26))
    await decide(stuck.no, "chenchu", Decision.APPROVE, now - timedelta(hours=25), CHAT)
    unassigned = await repair("wuli", now - timedelta(minutes=40))
    await repair("wuli", now - timedelta(minutes=10))  # not yet late
    unfinished = await repair("zhangsan", now - timedelta(hours=26))
    await assign_repair(unfinished.no, "sunwei", "qianli", now - timedelta(hours=25, minutes=50),
                        CHAT)
    done = await repair("zhangsan", now - timedelta(hours=30))  # finished: not late
    await assign_repair(done.no, "sunwei", "qianli", now - timedelta(hours=29), CHAT)
    await progress_repair(done.no, "qianli", RequestStatus.COMPLETED, now - timedelta(hours=20),
                          CHAT)

    items = await stats.overdue(now)
    assert [(o.no, o.kind, o.waiting_for, round(o.waited_min)) for o in items] == [
        (unfinished.no, "repair_unfinished", "钱力", 26 * 60),
        (stuck.no, "approval", "王科", 25 * 60),
        (late.no, "approval", "李处", 5 * 60),
        (unassigned.no, "repair_unassigned", "", 40),
    ]
    assert items[1].applicant == "小刘" and items[1].department == "物业管理科"
    assert items[2].limit_min == 240 and items[3].limit_min == 30
    assert [o.no for o in await stats.overdue(now, department_id=13)] == [stuck.no]
    assert await stats.overdue(now, department_id=12) == []
