"""场地预约 as a service: what the generic modules say about a room reservation (its flow
is handlers/facility_reservation.py, its holds models/holds.py, check-in and release
handlers/checkin.py)."""

from __future__ import annotations

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from handlers import facility_reservation as flow
from handlers.base import Ctx, Message
from handlers.common import equipment_text, fmt_window
from handlers.demo_history import DemoDay, at, decide_all
from handlers.registry import CalendarEntry, DemoHistory, Facts, Form, Service, WebForm
from models.errors import Conflict, RequestError
from models.org import RequestType, User
from models.repairs import complete_request
from models.requests import NewRequest, Request, RequestStatus, create_request, get_request
from models.timers import confirm_checkin
from nlp.types import Intent

TO_APPLICANT_APPROVED = "您的场地预约 #{no} 已批准 ✅\n{room}（{building}），{window}。请按时使用。"


def describe(request: Request, tz: ZoneInfo) -> list[str]:
    d = request.details or {}
    parts = []
    if request.facility is not None:
        parts.append(request.facility.name)
    if d.get("attendees"):
        parts.append(f"{d['attendees']}人")
    return parts


def facts(request: Request, tz: ZoneInfo) -> Facts:
    d = request.details or {}
    rows = []
    if request.facility is not None:
        rows.append(("地点", f"{request.facility.name}（{request.facility.building}）"))
    if d.get("attendees"):
        rows.append(("人数", f"{d['attendees']}人"))
    if d.get("purpose"):
        rows.append(("用途", str(d["purpose"])))
    if d.get("equipment"):
        rows.append(("设备", equipment_text(d["equipment"])))
    return rows


def page_facts(request: Request) -> list[str]:
    """用途 and 设备 on /m/requests/N: what the room's approver decided on."""
    d = request.details or {}
    lines = [f"用途：{d['purpose']}"] if d.get("purpose") else []
    if d.get("equipment"):
        lines.append(f"设备：{equipment_text(d['equipment'])}")
    return lines


def approved_notice(request: Request, tz: ZoneInfo) -> str:
    if request.facility is None:
        return ""
    return TO_APPLICANT_APPROVED.format(
        no=request.no, room=request.facility.name, building=request.facility.building,
        window=fmt_window(request.start, request.end, tz),
    )


TO_MANAGER_CANCELLED = "【场地取消】{name}已取消 {what}，场地已释放。"


async def on_cancelled(request: Request, ctx: Ctx, what: str, approver_told: bool) -> list[str]:
    """The room's manager (set in the admin pages), when it has one, hears that a booking
    of it is off — in the cancel's transaction."""
    room = request.facility
    if room is None or room.manager_id is None:
        return []
    manager = await User.get_or_none(id=room.manager_id, active=True)
    if manager is None or manager.userid == request.applicant.userid:
        return []
    await ctx.notifier.notify(
        manager.userid,
        Message.text(TO_MANAGER_CANCELLED.format(name=request.applicant.name, what=what)),
        key=f"cancelled:{request.no}:{manager.userid}")
    return [f"场地管理{manager.name}"]


def calendar(request: Request) -> CalendarEntry:
    d = request.details or {}
    room = request.facility
    lines = [f"申请人：{request.applicant.name if request.applicant else ''}"]
    if d.get("attendees"):
        lines.append(f"人数：{d['attendees']}")
    if d.get("subject"):
        lines.append(f"会议：{d['subject']}")
    return CalendarEntry(f"{room.name if room else '场地'} #{request.no}",
                         f"{room.building} {room.name}" if room else "", lines)


# ---------------------------------------------------------------------------------------
# The demo's month of reservations


def demo_per_day(rng: random.Random, weekend: bool, future: bool) -> int:
    return 0 if weekend else rng.choice((0, 1, 1, 1) if not future else (0, 1, 1))


async def demo_reservation(d: DemoDay) -> int:
    """One reservation of the day: decided, checked in, done."""
    rng, cast, day, now, tz = d.rng, d.cast, d.day, d.now, d.tz
    room = rng.choice(cast.rooms)
    first = max(9, room.opens.hour + 1)
    last = min(17, room.closes.hour - 3)
    start = at(day, rng.choice([h + m for h in range(first, last + 1) for m in (0, 0.5)]), tz)
    end = start + timedelta(hours=rng.choice((1, 1, 1.5, 2, 3)))
    created = start - timedelta(hours=rng.choice((2, 4, 24, 48, 72)))
    if created >= now - timedelta(hours=1):
        created = now - timedelta(hours=rng.choice((20, 30, 50)))
    who = rng.choice(cast.applicants)
    attendees = max(2, min(room.capacity, rng.choice((4, 6, 8, 10, 15, 25, 60))))
    try:
        request = await create_request(
            NewRequest(type=RequestType.FACILITY_RESERVATION, applicant=who.userid, start=start,
                       end=end, facility_id=room.id, details={"attendees": attendees}),
            created, "wecom")
    except (Conflict, RequestError):
        return 0
    if request.status is RequestStatus.PENDING:
        approved, _ = await decide_all(rng, request.no, created, min(start, now) - timedelta(minutes=5),
                                        reject=0.1)
        if not approved:
            return 1
    if start < now:
        await confirm_checkin(request.no, who.userid, start - timedelta(minutes=10), "wecom")
        if end < now:
            fresh = await get_request(request.no)
            assert fresh is not None
            await complete_request(fresh, "system", end + timedelta(minutes=5), "system")
    return 1


async def demo_late(d: DemoDay) -> int:
    """Overdue now, on purpose: a room whose approver has not answered for five hours."""
    rooms = [r for r in d.cast.rooms if r.needs_approval]
    if not rooms:
        return 0
    start = at(d.now + timedelta(days=2), 15, d.tz)
    try:
        await create_request(
            NewRequest(type=RequestType.FACILITY_RESERVATION, applicant=d.cast.applicants[2].userid,
                       start=start, end=start + timedelta(hours=2), facility_id=rooms[0].id,
                       details={"attendees": min(rooms[0].capacity, 30)}),
            d.now - timedelta(hours=5), "wecom")
    except (Conflict, RequestError):
        return 0
    return 1


SERVICE = Service(
    type=RequestType.FACILITY_RESERVATION,
    intent=Intent.FACILITY_RESERVATION,
    name="场地预约",
    icon="🏢",
    help_line="预约场地：如“下周一上午9点到11点订301会议室，10人”",
    color="#2e9d6a",
    approval_rule=RequestType.FACILITY_RESERVATION.value,
    form=Form(required=flow.REQUIRED, questions=flow.ASK, summary=flow.SUMMARY,
              submit=flow.submit_facility,
              web=WebForm("facility", "场地预约", field_of_slot={
                  "facility": "place", "facility_type": "place", "facility_id": "place",
              })),
    describe=describe,
    facts=facts,
    page_facts=page_facts,
    freed_on_cancel="场地已释放",
    on_cancelled=on_cancelled,
    freed_on_reject="预留的场地已释放。",
    approved_notice=approved_notice,
    calendar=calendar,
    demo=DemoHistory(demo_per_day, demo_reservation, demo_late),
)
