"""The timers' half of models/requests.py: working time, and the compare-and-set claims
that make each reminder, escalation, question and release happen once however many
sweepers run (SQLite, then PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from models.audit import AuditLog
from models.decisions import cancel, decide
from models.errors import InvalidState
from models.holds import Hold
from models.org import RequestType, User
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
from models.timers import (
    checkins_to_ask,
    claim_checkin_ask,
    claim_dispatch_reminder,
    claim_step_escalation,
    claim_step_reminder,
    claim_urge,
    confirm_checkin,
    release_unconfirmed,
    unassigned_repairs,
    unconfirmed_rooms,
    waiting_steps,
)
from models.worktime import (
    CalendarFileError,
    Overrides,
    add_working_time,
    is_workday,
    read_overrides,
    use_overrides,
    working_time,
)
from tests.conftest import TZ

GOOD = Path(__file__).with_name("org_good.yaml")
FRI = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)  # a Friday
TWO_PM = datetime(2026, 11, 27, 14, 0, tzinfo=TZ)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


# -- working time (no database) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (at(27, 10), at(27, 15), 3.5),  # 10–12, 13:30–15
        (at(27, 12), at(27, 13, 30), 0),  # lunch
        (at(27, 17, 30), at(30, 9), 0),  # Friday evening to Monday morning
        (at(27, 8), at(27, 20), 7),  # a whole working day
        (at(28, 9), at(29, 18), 0),  # the weekend
        (at(27, 16), at(30, 10), 2.5),
    ],
)
def test_working_time(start: datetime, end: datetime, hours: float) -> None:
    assert working_time(start, end, TZ) == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(27, 10), 4, at(27, 15, 30)),
        (at(27, 10), 8, at(30, 11)),
        (at(27, 18), 4, at(30, 14, 30)),  # Friday evening: Monday after lunch
        (at(28, 10), 0.5, at(30, 9, 30)),  # Saturday
        (at(27, 12, 15), 0.5, at(27, 14)),  # lunch does not count
        (at(27, 11), 0, at(27, 11)),
    ],
)
def test_add_working_time(start: datetime, hours: float, due: datetime) -> None:
    got = add_working_time(start, timedelta(hours=hours), TZ)
    assert got == due
    if hours:
        assert working_time(start, got, TZ) == timedelta(hours=hours)
        assert working_time(start, got - timedelta(minutes=1), TZ) < timedelta(hours=hours)


def test_national_day_is_not_working_time_and_its_saturday_is() -> None:
    """2026's notice: 10月1–7日 off (with the weekend), Saturday 10月10日 worked."""
    eve = datetime(2026, 9, 30, 17, 0, tzinfo=TZ)
    assert add_working_time(eve, timedelta(hours=1), TZ) == datetime(2026, 10, 8, 9, 30, tzinfo=TZ)
    saturday = datetime(2026, 10, 10, 9, 0, tzinfo=TZ)
    assert working_time(saturday, saturday + timedelta(hours=12), TZ) == timedelta(hours=7)
    assert not is_workday(date(2026, 10, 5)) and is_workday(date(2026, 10, 10))


def test_the_bureaus_file_decides_a_year_the_library_does_not_know(tmp_path: Path) -> None:
    path = tmp_path / "workdays.yaml"
    path.write_text("holidays: [2028-01-03]\nworkdays: [2028-01-08]\n", encoding="utf-8")
    try:
        use_overrides(read_overrides(path))
        assert not is_workday(date(2028, 1, 3))  # a Monday the bureau gave off
        assert is_workday(date(2028, 1, 8))  # a Saturday worked
        assert is_workday(date(2028, 1, 4))  # no data, no override: Monday–Friday
        assert not is_workday(date(2028, 1, 9))
        assert not is_workday(date(2026, 10, 1))  # the library still speaks for 2026
    finally:
        use_overrides(Overrides())
    assert is_workday(date(2028, 1, 3))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("holidays: 2027-01-01\n", "holidays must be a list of dates"),
        ("holidays: [tomorrow]\n", "holidays must be a list of dates"),
        ("weekends: [2027-01-02]\n", "only the keys"),
        ("holidays: [2027-01-01]\nworkdays: [2027-01-01]\n", "both a holiday and a workday"),
        ("holidays: [2027-01-01\n", "not YAML"),
    ],
)
def test_a_bad_calendar_file_is_refused_with_its_fault(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "workdays.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarFileError, match=says):
        read_overrides(path)


def test_no_calendar_file_is_no_overrides(tmp_path: Path) -> None:
    assert read_overrides(tmp_path / "workdays.yaml") == Overrides()


# -- claims (SQLite, then PostgreSQL) ----------------------------------------------------


@pytest.fixture
async def bureau(db: str) -> str:
    result = await seed_org(GOOD)
    assert result.ok, result.problems
    return db


async def vehicle_request(applicant: str = "zhangsan", now: datetime = FRI) -> Request:
    return await create_request(
        NewRequest(RequestType.VEHICLE_BOOKING, applicant, start=now + timedelta(days=3),
                   end=now + timedelta(days=3, hours=2), details={"destination": "虹桥机场"}),
        now, "chat",
    )


async def room(applicant: str = "zhangsan", start: datetime = TWO_PM,
               created: datetime = FRI) -> Request:
    return await create_request(
        NewRequest(RequestType.FACILITY_RESERVATION, applicant, start=start,
                   end=start + timedelta(hours=2), facility_id="mr-301"),
        created, "chat",
    )


async def test_a_step_is_reminded_and_escalated_once_by_concurrent_claimers(bureau: str) -> None:
    request = await vehicle_request()
    [waiting] = await waiting_steps(FRI)
    assert waiting.step.approver.userid == "lichu" and waiting.since == FRI
    claims = [claim_step_reminder(waiting.request, waiting.step, at(27, 16)) for _ in range(4)]
    won = await asyncio.gather(*claims)
    assert sorted(won) == [False, False, False, True]
    assert not await claim_step_reminder(waiting.request, waiting.step, at(27, 17))
    won = await asyncio.gather(
        claim_step_escalation(waiting.request, waiting.step, at(30, 11), "juzhang"),
        claim_step_escalation(waiting.request, waiting.step, at(30, 11), "juzhang"),
    )
    assert sorted(won) == [False, True]
    actions = await AuditLog.filter(request_id=request.id).order_by("id").values_list("action", "actor")
    assert actions == [("create", "zhangsan"), ("remind", "system"), ("escalate", "system")]
    assert await waiting_steps(at(30, 12)) == []  # both done: no longer a candidate


async def test_the_next_step_waits_from_the_previous_decision(bureau: str) -> None:
    request = await vehicle_request()
    await decide(request.no, "lichu", Decision.APPROVE, at(27, 11), "chat")
    [waiting] = await waiting_steps(at(27, 11))
    assert waiting.step.approver.userid == "wangke" and waiting.since == at(27, 11)
    assert await waiting_steps(at(27, 10, 59)) == []  # step 2 was not current yet


async def test_a_decided_or_cancelled_step_is_not_claimed(bureau: str) -> None:
    decided = await vehicle_request()
    [waiting] = await waiting_steps(FRI)
    await decide(decided.no, "lichu", Decision.REJECT, at(27, 11), "chat", comment="不去了")
    assert not await claim_step_reminder(waiting.request, waiting.step, at(27, 16))
    cancelled = await vehicle_request()
    [waiting] = await waiting_steps(FRI)
    await cancel(cancelled.no, "zhangsan", at(27, 11), "chat")
    assert not await claim_step_reminder(waiting.request, waiting.step, at(27, 16))
    assert not await claim_step_escalation(waiting.request, waiting.step, at(30, 11), None)
    assert await waiting_steps(at(30, 12)) == []


async def test_a_repair_is_reminded_once(bureau: str) -> None:
    repair = await create_request(
        NewRequest(RequestType.REPAIR_REQUEST, "zhangsan",
                   details={"location": "3号楼502室", "description": "空调不制冷"}),
        FRI, "chat",
    )
    assert await unassigned_repairs(at(27, 9, 59)) == []
    [found] = await unassigned_repairs(at(27, 10, 30))
    won = await asyncio.gather(claim_dispatch_reminder(found, at(27, 10, 30)),
                               claim_dispatch_reminder(repair, at(27, 10, 30)))
    assert sorted(won) == [False, True]
    assert await unassigned_repairs(at(27, 12)) == []


async def test_an_unconfirmed_room_is_released_and_free_again(bureau: str) -> None:
    booked = await room()
    assert booked.status is RequestStatus.APPROVED
    assert await checkins_to_ask(at(27, 13, 44), timedelta(minutes=15)) == []
    [ask] = await checkins_to_ask(at(27, 13, 45), timedelta(minutes=15))
    won = await asyncio.gather(claim_checkin_ask(ask, at(27, 13, 45)),
                               claim_checkin_ask(ask, at(27, 13, 45)))
    assert sorted(won) == [False, True]
    assert await checkins_to_ask(at(27, 13, 50), timedelta(minutes=15)) == []
    assert await unconfirmed_rooms(at(27, 14, 9), timedelta(minutes=10)) == []
    [due] = await unconfirmed_rooms(at(27, 14, 10), timedelta(minutes=10))
    won = await asyncio.gather(release_unconfirmed(due, at(27, 14, 10)),
                               release_unconfirmed(due, at(27, 14, 10)))
    assert sorted(won) == [False, True]
    fresh = await Request.get(id=booked.id)
    assert fresh.status is RequestStatus.CANCELLED
    assert not await Hold.filter(request_id=booked.id, active=True).exists()
    audit = await AuditLog.get(request_id=booked.id, action="release")
    assert (audit.actor, audit.from_status, audit.to_status) == ("system", "approved", "cancelled")
    other = await room("wuli", start=at(27, 14, 30), created=at(27, 14, 11))
    assert other.status is RequestStatus.APPROVED
    with pytest.raises(InvalidState):
        await confirm_checkin(booked.no, "zhangsan", at(27, 14, 12), "chat")


async def test_a_confirmed_room_is_kept(bureau: str) -> None:
    booked = await room()
    [ask] = await checkins_to_ask(at(27, 13, 45), timedelta(minutes=15))
    assert await claim_checkin_ask(ask, at(27, 13, 45))
    assert await confirm_checkin(booked.no, "zhangsan", at(27, 13, 50), "chat")
    assert not await confirm_checkin(booked.no, "zhangsan", at(27, 13, 51), "chat")
    assert await unconfirmed_rooms(at(27, 14, 30), timedelta(minutes=10)) == []
    assert not await release_unconfirmed(ask, at(27, 14, 30))
    assert (await Request.get(id=booked.id)).status is RequestStatus.APPROVED


async def test_a_room_booked_inside_the_window_is_not_asked(bureau: str) -> None:
    await room(start=at(27, 14), created=at(27, 13, 50))
    assert await checkins_to_ask(at(27, 13, 55), timedelta(minutes=15)) == []
    assert await unconfirmed_rooms(at(27, 14, 30), timedelta(minutes=10)) == []


async def test_a_late_question_still_gets_its_grace(bureau: str) -> None:
    """A sweeper that was down asks late; the release waits the grace after the question."""
    await room()
    [ask] = await checkins_to_ask(at(27, 14, 8), timedelta(minutes=15))
    assert await claim_checkin_ask(ask, at(27, 14, 8))
    assert await unconfirmed_rooms(at(27, 14, 12), timedelta(minutes=10)) == []
    assert len(await unconfirmed_rooms(at(27, 14, 18), timedelta(minutes=10))) == 1


async def test_urge_at_most_once_an_hour(bureau: str) -> None:
    request = await vehicle_request()
    hour = timedelta(hours=1)
    won = await asyncio.gather(claim_urge(request, "zhangsan", at(27, 11), hour, "chat"),
                               claim_urge(request, "zhangsan", at(27, 11), hour, "chat"))
    assert sorted(won) == [False, True]
    assert not await claim_urge(request, "zhangsan", at(27, 11, 59), hour, "chat")
    assert await claim_urge(request, "zhangsan", at(27, 12), hour, "chat")
    await cancel(request.no, "zhangsan", at(27, 12, 5), "chat")
    assert not await claim_urge(request, "zhangsan", at(27, 14), hour, "chat")
    assert await AuditLog.filter(request_id=request.id, action="urge").count() == 2


async def test_waiting_steps_fetch_what_messages_need(bureau: str) -> None:
    await vehicle_request()
    [waiting] = await waiting_steps(FRI)
    request = await get_request(waiting.request.no)
    assert request is not None and current_step(request) is not None
    assert waiting.request.applicant.name == "张三"
    assert isinstance(waiting.step.approver, User)
