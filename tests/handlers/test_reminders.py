"""Reminders, escalation, 催办 and room check-in with a clock the test sets: the sweeper
(bot/timers.py) runs at chosen moments, and what reaches each phone goes through the
outbox (talk.deliver(), talk.inbox()). SQLite, then PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import bot.chat.dispatcher
from bot.timers import SweepCounts, run_sealer, run_timers, sweep
from handlers import reminders
from models.audit import AuditLog
from models.db import close_db, init_db
from models.decisions import decide
from models.org import RequestType, Role, User, UserRole
from models.repairs import assign_repair
from models.requests import Decision, NewRequest, Request, RequestStatus, create_request
from settings import SettingsError, load_settings
from tests.conftest import TZ
from tests.handlers.conftest import Talk


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of the week of Friday 2026-11-27 (28, 29: the weekend; 30: Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


@pytest.fixture(autouse=True)
def routed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The reminders router in the dispatcher's list (after cancel), whether or not
    handlers/__init__.py lists it yet."""
    routers = bot.chat.dispatcher.ROUTERS
    if reminders.router not in routers:
        monkeypatch.setattr(bot.chat.dispatcher, "ROUTERS", [routers[0], reminders.router, *routers[1:]])
    yield


async def swept(talk: Talk, moment: datetime, **kw: object) -> SweepCounts:
    """Run the sweeper at `moment` (the talk's clock follows) and deliver the outbox."""
    talk.now = moment
    counts = await sweep(moment, tz=TZ, **kw)  # type: ignore[arg-type]
    await talk.deliver()
    return counts


def said(talk: Talk, user: str, words: str) -> list[str]:
    return [m for m in talk.inbox(user) if words in m]


async def vehicle(applicant: str, now: datetime) -> Request:
    return await create_request(
        NewRequest(RequestType.VEHICLE_BOOKING, applicant, start=now + timedelta(days=4),
                   end=now + timedelta(days=4, hours=2), details={"destination": "虹桥机场"}),
        now, "wecom",
    )


async def room(applicant: str, start: datetime, created: datetime) -> Request:
    return await create_request(
        NewRequest(RequestType.FACILITY_RESERVATION, applicant, start=start,
                   end=start + timedelta(hours=2), facility_id="mr-301"),
        created, "wecom",
    )


# -- approvals ---------------------------------------------------------------------------


async def test_the_approver_is_reminded_once_after_four_working_hours(talk: Talk) -> None:
    request = await vehicle("zhangsan", at(27, 10))
    assert (await swept(talk, at(27, 15, 29))).reminded == 0  # 3h59 of working time
    assert said(talk, "lichu", "审批提醒") == []
    assert (await swept(talk, at(27, 15, 30))).reminded == 1
    [text] = said(talk, "lichu", "审批提醒")
    assert f"#{request.no}" in text and "张三" in text and "4个工作小时" in text
    assert f"同意{request.no}" in text
    assert (await swept(talk, at(27, 15, 31))).reminded == 0  # once
    assert len(said(talk, "lichu", "审批提醒")) == 1
    audit = await AuditLog.get(request_id=request.id, action="remind")
    assert audit.actor == "system" and audit.details["approver"] == "lichu"


async def test_a_friday_evening_request_is_reminded_on_monday(talk: Talk) -> None:
    await vehicle("zhangsan", at(27, 18))
    for moment in (at(27, 23), at(28, 12), at(29, 20), at(30, 12, 59)):
        assert (await swept(talk, moment)).reminded == 0
    assert said(talk, "lichu", "审批提醒") == []
    assert (await swept(talk, at(30, 14, 30))).reminded == 1  # Mon 9–12 + 13:30–14:30
    assert len(said(talk, "lichu", "审批提醒")) == 1


async def test_twice_the_limit_tells_the_next_level_up(talk: Talk) -> None:
    request = await vehicle("zhangsan", at(27, 10))
    counts = await swept(talk, at(27, 17, 30))  # six working hours
    assert (counts.reminded, counts.escalated) == (1, 0)
    assert said(talk, "juzhang", "审批超时") == []
    counts = await swept(talk, at(30, 11))  # eight
    assert (counts.reminded, counts.escalated) == (0, 1)
    # lichu heads 办公室 (11); the level above is the bureau (1), headed by 王局长.
    [text] = said(talk, "juzhang", "审批超时")
    assert f"#{request.no}" in text and "李处" in text and "8个工作小时" in text
    assert said(talk, "lichu", "审批超时") == [] and said(talk, "zhangsan", "审批超时") == []
    assert (await swept(talk, at(30, 17))).escalated == 0
    assert len(said(talk, "juzhang", "审批超时")) == 1


async def test_the_next_step_is_timed_from_the_previous_decision(talk: Talk) -> None:
    request = await vehicle("zhangsan", at(27, 10))
    await decide(request.no, "lichu", Decision.APPROVE, at(27, 15), "wecom")
    assert (await swept(talk, at(27, 17, 30))).reminded == 0  # wangke: 2.5 h so far
    assert (await swept(talk, at(30, 10, 30))).reminded == 1  # 2.5 + 1.5
    [text] = said(talk, "wangke", "审批提醒")
    assert f"#{request.no}" in text
    assert said(talk, "lichu", "审批提醒") == []


async def test_at_the_top_an_admin_is_told(talk: Talk) -> None:
    # 吴丽's department (财务处) has no head: her step goes up to 王局长, who has no level
    # above him; an `admin` other than him hears of it.
    xiaoliu = await User.get(userid="xiaoliu")
    await UserRole.create(user=xiaoliu, role=Role.ADMIN)
    request = await vehicle("wuli", at(27, 10))
    assert (await swept(talk, at(30, 11))).escalated == 1
    [text] = said(talk, "xiaoliu", "审批超时")
    assert f"#{request.no}" in text and "王局长" in text


async def test_nobody_above_is_recorded_not_retried(talk: Talk) -> None:
    request = await vehicle("wuli", at(27, 10))  # 王局长 approves; no other admin
    assert (await swept(talk, at(30, 11))).escalated == 1
    audit = await AuditLog.get(request_id=request.id, action="escalate")
    assert audit.details["to"] is None
    assert (await swept(talk, at(30, 12))).escalated == 0


async def test_two_sweepers_at_once_send_each_reminder_once(talk: Talk) -> None:
    await vehicle("zhangsan", at(27, 10))
    await vehicle("xiaoliu", at(27, 10))
    await create_request(
        NewRequest(RequestType.REPAIR_REQUEST, "zhangsan",
                   details={"location": "3号楼502室", "description": "空调不制冷"}),
        at(30, 9), "wecom",
    )
    await room("wuli", at(30, 14), at(27, 10))
    talk.now = at(30, 13, 45)
    results = await asyncio.gather(*(sweep(at(30, 13, 45), tz=TZ) for _ in range(3)))
    await talk.deliver()
    assert sum(r.reminded for r in results) == 2
    assert sum(r.escalated for r in results) == 2
    assert sum(r.dispatch_reminded for r in results) == 1
    assert sum(r.asked for r in results) == 1
    assert len(said(talk, "lichu", "审批提醒")) == 1  # zhangsan's
    assert len(said(talk, "chenchu", "审批提醒")) == 1  # xiaoliu's (物业管理科 → 房产管理处)
    assert len(said(talk, "sunwei", "派工提醒")) == 1
    assert len(said(talk, "wuli", "场地确认")) == 1


async def test_a_configured_limit(talk: Talk) -> None:
    await vehicle("zhangsan", at(27, 10))
    assert (await swept(talk, at(27, 11), approval_limit=timedelta(hours=1))).reminded == 1
    assert "1个工作小时" in said(talk, "lichu", "审批提醒")[0]


def test_the_limit_is_configurable() -> None:
    settings = load_settings({"APPROVAL_REMINDER_HOURS": "2.5"}, env_file=None)
    assert settings.approval_reminder_hours == 2.5
    assert load_settings({}, env_file=None).approval_reminder_hours == 4
    for bad in ("abc", "0", "-1", "nan"):
        with pytest.raises(SettingsError, match="APPROVAL_REMINDER_HOURS"):
            load_settings({"APPROVAL_REMINDER_HOURS": bad}, env_file=None)


# -- 催办 ----------------------------------------------------------------------------------


async def test_urge_tells_the_current_approver_at_most_once_an_hour(talk: Talk) -> None:
    request = await vehicle("zhangsan", at(27, 10))
    no = request.no
    talk.now = at(27, 11)
    reply = await talk.say("zhangsan", f"催办 #{no}")
    assert f"已催办 #{no}" in reply and "李处" in reply
    await talk.deliver()
    [text] = said(talk, "lichu", "【催办】")
    assert "张三" in text and "1小时" in text and f"同意{no}" in text
    talk.advance(minutes=30)
    reply = await talk.say("zhangsan", f"催办{no}")
    assert "每小时最多催办一次" in reply and "12:00" in reply
    talk.advance(minutes=31)
    assert f"已催办 #{no}" in await talk.say("zhangsan", f"#{no} 催办")
    await talk.deliver()
    assert len(said(talk, "lichu", "【催办】")) == 2
    assert await AuditLog.filter(request_id=request.id, action="urge").count() == 2


async def test_only_the_applicant_urges_a_pending_request(talk: Talk) -> None:
    request = await vehicle("zhangsan", at(27, 10))
    talk.now = at(27, 11)
    assert "只有申请人本人可以催办" in await talk.say("wuli", f"催办 #{request.no}")
    assert "没有找到 #9999" in await talk.say("zhangsan", "催办 #9999")
    booked = await room("zhangsan", at(30, 14), at(27, 11))
    assert "无需催办" in await talk.say("zhangsan", f"催办 #{booked.no}")
    assert "没有等待审批或派工的申请" in await talk.say("wuli", "催办")
    await talk.deliver()
    assert said(talk, "lichu", "【催办】") == []


async def test_a_bare_urge_picks_the_one_waiting_request(talk: Talk) -> None:
    request = await vehicle("zhangsan", at(27, 10))
    talk.now = at(27, 11)
    assert f"已催办 #{request.no}" in await talk.say("zhangsan", "催办")
    second = await vehicle("zhangsan", at(27, 11))
    reply = await talk.say("zhangsan", "催一下")
    assert "要催办哪一条" in reply and f"#{second.no}" in reply


async def test_urging_a_repair_tells_the_dispatchers(talk: Talk) -> None:
    repair = await create_request(
        NewRequest(RequestType.REPAIR_REQUEST, "zhangsan",
                   details={"location": "3号楼502室", "description": "空调不制冷"}),
        at(27, 10), "wecom",
    )
    talk.now = at(27, 10, 20)
    assert "孙伟" in await talk.say("zhangsan", f"催办#{repair.no}")
    await talk.deliver()
    [text] = said(talk, "sunwei", "【催办】")
    assert f"#{repair.no} 派给" in text and "20分钟" in text


# -- repairs -------------------------------------------------------------------------------


async def test_a_repair_not_dispatched_in_thirty_minutes_reminds_the_dispatcher(talk: Talk) -> None:
    waiting = await create_request(
        NewRequest(RequestType.REPAIR_REQUEST, "zhangsan",
                   details={"location": "3号楼502室", "description": "空调不制冷"}),
        at(27, 10), "wecom",
    )
    dispatched = await create_request(
        NewRequest(RequestType.REPAIR_REQUEST, "wuli",
                   details={"location": "1号楼201室", "description": "灯不亮"}),
        at(27, 10), "wecom",
    )
    await assign_repair(dispatched.no, "sunwei", "qianli", at(27, 10, 10), "wecom")
    assert (await swept(talk, at(27, 10, 29))).dispatch_reminded == 0
    assert (await swept(talk, at(27, 10, 30))).dispatch_reminded == 1
    [text] = said(talk, "sunwei", "派工提醒")
    assert f"#{waiting.no}" in text and "3号楼502室" in text and f"#{waiting.no} 派给钱力" in text
    assert (await swept(talk, at(27, 11, 30))).dispatch_reminded == 0
    assert len(said(talk, "sunwei", "派工提醒")) == 1


async def test_a_repair_reported_at_night_waits_for_the_working_morning(talk: Talk) -> None:
    await create_request(
        NewRequest(RequestType.REPAIR_REQUEST, "zhangsan",
                   details={"location": "3号楼502室", "description": "水管漏水"}),
        at(27, 22), "wecom",
    )
    assert (await swept(talk, at(28, 10))).dispatch_reminded == 0
    assert (await swept(talk, at(30, 9, 30))).dispatch_reminded == 1


# -- rooms ---------------------------------------------------------------------------------


async def test_the_booker_is_asked_fifteen_minutes_before_and_a_confirmed_room_is_kept(
    talk: Talk,
) -> None:
    booked = await room("zhangsan", at(27, 14), at(27, 10))
    no = booked.no
    assert (await swept(talk, at(27, 13, 44))).asked == 0
    assert (await swept(talk, at(27, 13, 45))).asked == 1
    [text] = said(talk, "zhangsan", "场地确认")
    assert f"#{no} 301会议室 14:00 开始" in text and f"确认使用{no}" in text and "10分钟" in text
    assert (await swept(talk, at(27, 13, 50))).asked == 0
    talk.now = at(27, 13, 52)
    reply = await talk.say("zhangsan", "确认使用")  # the room just asked about
    assert f"#{no} 301会议室" in reply and "已为您保留" in reply
    assert "确认过了" in await talk.say("zhangsan", f"#{no} 确认")
    assert "确认过了" in await talk.say("zhangsan", f"确认使用{no}")
    assert (await swept(talk, at(27, 14, 30))).released == 0
    assert (await Request.get(id=booked.id)).status is RequestStatus.APPROVED
    assert said(talk, "zhangsan", "已自动释放") == []


async def test_an_unconfirmed_room_is_released_at_ten_past_and_free_for_others(
    talk: Talk,
) -> None:
    booked = await room("zhangsan", at(27, 14), at(27, 10))
    no = booked.no
    await swept(talk, at(27, 13, 45))
    assert (await swept(talk, at(27, 14, 9))).released == 0
    assert (await swept(talk, at(27, 14, 10))).released == 1
    [text] = said(talk, "zhangsan", "场地已释放")
    assert f"#{no} 301会议室" in text and "已自动释放" in text
    fresh = await Request.get(id=booked.id)
    assert fresh.status is RequestStatus.CANCELLED
    audit = await AuditLog.get(request_id=booked.id, action="release")
    assert audit.actor == "system"
    # The slot is free again: another booking of it succeeds.
    other = await room("wuli", at(27, 14, 15), at(27, 14, 11))
    assert other.status is RequestStatus.APPROVED
    talk.now = at(27, 14, 12)
    assert "已自动释放" in await talk.say("zhangsan", f"确认使用{no}")
    assert (await swept(talk, at(27, 14, 20))).released == 0
    assert len(said(talk, "zhangsan", "场地已释放")) == 1


async def test_nothing_to_confirm_declines(talk: Talk) -> None:
    """With nothing asked, "确认使用" is not this module's: routing goes on."""
    talk.now = at(27, 13, 50)
    reply = await talk.say("wuli", "确认使用")
    assert "已为您保留" not in reply
    other = await vehicle("wuli", at(27, 10))
    reply = await talk.say("wuli", f"#{other.no} 确认")
    assert "已为您保留" not in reply


# -- the loop ------------------------------------------------------------------------------


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[None]:
    await init_db(f"sqlite://{tmp_path}/loop.sqlite3", create_schema=True)
    yield
    await close_db()


async def test_the_loop_survives_a_failing_pass(sqlite_db: None) -> None:
    calls: list[int] = []

    def clock() -> datetime:
        calls.append(1)
        if len(calls) == 1:
            return datetime(2026, 11, 27, 10, 0)  # naive: this pass fails, and is logged
        return at(27, 10)

    task = asyncio.create_task(run_timers(clock, tz=TZ, interval=0.01))
    for _ in range(200):
        await asyncio.sleep(0.01)
        if len(calls) >= 3:
            break
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert len(calls) >= 3


async def test_the_sealer_links_new_audit_records(sqlite_db: None) -> None:
    from models import audit_chain as chain
    from models.audit import audit

    task = asyncio.create_task(run_sealer(interval=0.01))
    try:
        await audit(None, "system", "tick", "system", at(27, 10), i=1)
        for _ in range(200):
            await asyncio.sleep(0.01)
            if not await AuditLog.filter(seq__isnull=True).exists():
                break
        verdict = await chain.verify()
        assert verdict.ok and (verdict.records, verdict.pending) == (1, 0)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
