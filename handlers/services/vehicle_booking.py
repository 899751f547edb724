"""公务用车 as a service: what the generic modules say about a vehicle booking (its flow is
handlers/vehicle_booking.py, its holds models/holds.py, its trips models/trips.py)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers import vehicle_booking as flow
from handlers.approval import route_of
from handlers.base import Ctx, Message
from handlers.common import NOT_GIVEN, fmt_window
from handlers.demo_history import DemoDay, at, decide_all
from handlers.registry import CalendarEntry, DemoHistory, Facts, Form, Service, WebForm
from models.decisions import cancel
from models.errors import Conflict
from models.org import Department, RequestType, Role, User, Vehicle, users_with_role
from models.repairs import complete_request
from models.requests import NewRequest, Request, create_request, get_request, ordered_steps
from models.trips import finish_trip, start_trip
from nlp.types import Intent

TO_DRIVER_CANCELLED = "【出车取消】{name}已取消 {what}，这趟车不用出了。"
TO_FLEET_CANCELLED = "【用车取消】{name}已取消已批准的 {what}，车辆和司机已释放。"
TO_APPLICANT_APPROVED = (
    "您的用车申请 #{no} 已批准 ✅\n{window}，{route}\n车辆：{plate}（{model}），司机：{driver}。请按时候车。"
)
TO_DRIVER = (
    "【出车任务】#{no}\n时间：{window}\n路线：{route}\n人数：{passengers}\n"
    "用车人：{applicant}{dept}\n车辆：{plate}\n"
    "收到请回复“收到 #{no}”；出发时“出发 #{no} 里程 12345”，回来后“到达 #{no} 里程 12410 过路费 20”。"
)


def describe(request: Request, tz: ZoneInfo) -> list[str]:
    d = request.details or {}
    parts = [f"{d.get('origin', flow.ORIGIN_DEFAULT)}→{d.get('destination', '')}"]
    if d.get("passengers"):
        parts.append(f"{d['passengers']}人")
    if request.vehicle is not None:
        parts.append(request.vehicle.plate)
    return parts


def facts(request: Request, tz: ZoneInfo) -> Facts:
    d = request.details or {}
    rows = [("行程", f"{d.get('origin') or flow.ORIGIN_DEFAULT}→{d.get('destination') or '（未填）'}")]
    if d.get("passengers"):
        rows.append(("人数", f"{d['passengers']}人"))
    if request.vehicle is not None:
        driver = f"（{request.driver.name}）" if request.driver is not None else ""
        rows.append(("车辆", f"{request.vehicle.plate}{driver}"))
    rows.append(("事由", str(d.get("purpose") or NOT_GIVEN)))  # what the approver decides on
    return rows


def page_facts(request: Request) -> list[str]:
    d = request.details or {}
    return [f"事由：{d['purpose']}"] if d.get("purpose") else []


def detail_lines(request: Request) -> list[str]:
    return [f"司机：{request.driver.name}"] if request.driver is not None else []


def started_contact(request: Request) -> str:
    return f"司机{request.driver.name}" if request.driver is not None else "管理员"


async def on_cancelled(request: Request, ctx: Ctx, what: str, approver_told: bool) -> list[str]:
    """All steps approved: the fleet manager who approved it (else every fleet manager) and
    the driver, who was told the trip, hear that it is off — in the cancel's transaction."""
    if approver_told:
        return []
    name = request.applicant.name
    told = []
    managers = {s.approver.userid: s.approver for s in ordered_steps(request)
                if s.role == Role.FLEET_MANAGER} or {
        u.userid: u for u in await users_with_role(Role.FLEET_MANAGER)}
    for manager in managers.values():
        await ctx.notifier.notify(
            manager.userid, Message.text(TO_FLEET_CANCELLED.format(name=name, what=what)),
            key=f"cancelled:{request.no}:{manager.userid}")
        told.append(f"车辆管理{manager.name}")
    if request.driver is not None:
        await ctx.notifier.notify(
            request.driver.userid, Message.text(TO_DRIVER_CANCELLED.format(name=name, what=what)),
            key=f"cancelled:{request.no}:{request.driver.userid}",
        )
        told.append(f"司机{request.driver.name}")
    return told


def approved_notice(request: Request, tz: ZoneInfo) -> str:
    if request.vehicle is None:
        return ""
    return TO_APPLICANT_APPROVED.format(
        no=request.no, window=fmt_window(request.start, request.end, tz), route=route_of(request),
        plate=request.vehicle.plate, model=request.vehicle.model,
        driver=request.driver.name if request.driver is not None else "待定",
    )


async def on_approved(request: Request, ctx: Ctx) -> list[str]:
    """The approved trip, for its driver."""
    if request.driver is None or request.vehicle is None:
        return []
    d = request.details or {}
    applicant: User = request.applicant
    dept = await Department.get_or_none(id=applicant.department_id)
    text = TO_DRIVER.format(
        no=request.no, window=fmt_window(request.start, request.end, ctx.tz),
        route=route_of(request),
        passengers=f"{d['passengers']}人" if d.get("passengers") else "未填",
        applicant=applicant.name, dept=f"（{dept.name}）" if dept is not None else "",
        plate=request.vehicle.plate,
    )
    await ctx.notifier.notify(request.driver.userid, Message.text(text),
                              key=f"trip:{request.no}:{request.driver.userid}")
    # a fleet manager approving a trip he drives himself gets the trip, not "已通知" himself
    return [] if request.driver.userid == ctx.user.user_id else [f"司机{request.driver.name}"]


def calendar(request: Request) -> CalendarEntry:
    d = request.details or {}
    origin = str(d.get("origin") or flow.ORIGIN_DEFAULT)
    lines = [f"申请人：{request.applicant.name if request.applicant else ''}"]
    if request.vehicle is not None:
        lines.append(f"车辆：{request.vehicle.plate} {request.vehicle.model}")
    if request.driver is not None:
        lines.append(f"驾驶员：{request.driver.name}")
    if d.get("passengers"):
        lines.append(f"乘车人数：{d['passengers']}")
    if d.get("purpose"):
        lines.append(f"事由：{d['purpose']}")
    summary = f"用车 #{request.no} {origin}→{d.get('destination') or ''}".rstrip()
    return CalendarEntry(summary, origin, lines)


# ---------------------------------------------------------------------------------------
# The demo's month of bookings

DESTINATIONS = [
    "市政府", "虹桥机场", "浦东机场", "市档案馆", "区政务服务中心", "市财政局", "会展中心",
    "市人大", "火车站", "市委党校", "区机关事务局", "市图书馆",
]
PURPOSES = ["参加会议", "接送来宾", "送取文件", "调研", "检查工作", "培训"]


def demo_per_day(rng: random.Random, weekend: bool, future: bool) -> int:
    return 0 if weekend else rng.choice((0, 1, 1, 1, 2) if not future else (0, 1))


async def demo_booking(d: DemoDay) -> int:
    """One booking of the day: made, then cancelled, or decided and done."""
    rng, cast, day, now, tz = d.rng, d.cast, d.day, d.now, d.tz
    start = at(day, rng.choice((8, 8.5, 9, 9.5, 10, 13.5, 14, 15)), tz)
    end = start + timedelta(hours=rng.choice((1, 1.5, 2, 3, 4)))
    created = start - timedelta(hours=rng.choice((3, 5, 18, 20, 26, 44)))
    if created >= now - timedelta(hours=1):
        created = now - timedelta(hours=rng.choice((20, 26, 30)))
    who = rng.choice(cast.applicants)
    passengers = rng.choice((1, 2, 2, 3, 4, 6))
    details = {"origin": "局机关", "destination": rng.choice(DESTINATIONS),
               "passengers": passengers, "purpose": rng.choice(PURPOSES)}
    vehicles = [v for v in cast.vehicles if v.seats >= passengers + 1]
    rng.shuffle(vehicles)
    for vehicle in vehicles:
        try:
            request = await create_request(
                NewRequest(type=RequestType.VEHICLE_BOOKING, applicant=who.userid, start=start,
                           end=end, vehicle_id=vehicle.id, details=details),
                created, "wecom")
            break
        except Conflict:
            continue
    else:
        return 0
    if rng.random() < 0.06:
        await cancel(request.no, who.userid, created + timedelta(hours=1), "wecom")
        return 1
    approved, _ = await decide_all(rng, request.no, created, min(start, now) - timedelta(minutes=5))
    if approved and end < now:
        await demo_drive(request.no, start, end)
    return 1


async def demo_drive(no: int, start: datetime, end: datetime) -> None:
    """The driver's 出发 and 到达 with readings and costs (the fleet dashboard's figures),
    drawn from a generator of the trip's own so that the history's other draws stay."""
    fresh = await get_request(no)
    assert fresh is not None
    if fresh.driver is None or fresh.vehicle is None:
        await complete_request(fresh, "system", end + timedelta(minutes=10), "system")
        return
    own = random.Random(no)  # noqa: S311 - made-up history, not security
    vehicle = await Vehicle.get(id=fresh.vehicle.id)
    out = vehicle.odometer or 20000 + 3000 * vehicle.id
    driver = fresh.driver.userid
    await start_trip(no, driver, out, start, "wecom")
    await finish_trip(no, driver, end + timedelta(minutes=10), "wecom",
                      odometer=out + own.randint(12, 95), tolls=own.choice((None, None, 10, 15, 25)),
                      parking=own.choice((None, 5, 10, 20)), fuel=own.choice((None, None, None, 200, 300)))


SERVICE = Service(
    type=RequestType.VEHICLE_BOOKING,
    intent=Intent.VEHICLE_BOOKING,
    name="用车",
    icon="🚗",
    help_line="公务用车：如“明天下午两点用车去虹桥机场接人，3人”",
    color="#2f6fb3",
    approval_rule=RequestType.VEHICLE_BOOKING.value,
    form=Form(required=flow.REQUIRED, questions=flow.ASK, summary=flow.SUMMARY,
              submit=flow.submit_vehicle, web=WebForm("vehicle", "用车申请")),
    describe=describe,
    facts=facts,
    page_facts=page_facts,
    detail_lines=detail_lines,
    freed_on_cancel="车辆和司机已释放",
    started_contact=started_contact,
    on_cancelled=on_cancelled,
    freed_on_reject="预留的车辆和司机已释放。",
    approved_notice=approved_notice,
    on_approved=on_approved,
    calendar=calendar,
    demo=DemoHistory(demo_per_day, demo_booking),
)
