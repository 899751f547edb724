"""Some history for the demo (`python main.py demo`): sixty-odd requests over the last
30 days and the next week — vehicle bookings, room reservations and repairs, each made,
decided, checked in, dispatched and finished through the same model functions the bot
uses, each step at its own past moment — so that the dashboard has something to show.

Idempotent: nothing is added when the database already holds a request. Deterministic
for a given day (a seeded random generator), so two demos started the same day look
alike. A few things are left late on purpose, for the dashboard's "overdue now": a room
waiting for its approver, a repair nobody has taken, a repair not finished in 24 hours.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.decisions import cancel, decide
from models.errors import Conflict, RequestError
from models.org import Facility, RequestType, Role, User, Vehicle, users_with_role
from models.ratings import rate_request
from models.repairs import assign_repair, complete_request, progress_repair
from models.requests import (
    Decision,
    NewRequest,
    Request,
    RequestStatus,
    create_request,
    get_request,
    ordered_steps,
)
from models.timers import confirm_checkin

DAYS_BACK = 30
DAYS_AHEAD = 6
CHANNELS = ("wecom", "wecom", "wecom", "web")  # how approvers answered: mostly in chat

DESTINATIONS = [
    "市政府", "虹桥机场", "浦东机场", "市档案馆", "区政务服务中心", "市财政局", "会展中心",
    "市人大", "火车站", "市委党校", "区机关事务局", "市图书馆",
]
PURPOSES = ["参加会议", "接送来宾", "送取文件", "调研", "检查工作", "培训"]
REPAIRS = [
    ("electrical", "灯管闪烁不亮", "{b}{f}0{r}室"),
    ("hvac", "空调不制冷", "{b}{f}0{r}室"),
    ("plumbing", "卫生间水龙头漏水", "{b}{f}楼卫生间"),
    ("it", "网络断了，电脑上不了网", "{b}{f}0{r}室"),
    ("furniture", "办公椅坏了", "{b}{f}0{r}室"),
    ("electrical", "插座没电", "{b}{f}0{r}室"),
    ("hvac", "暖气不热", "{b}{f}0{r}室"),
    ("other", "门锁打不开", "{b}{f}0{r}室"),
]


@dataclass(frozen=True, slots=True)
class Cast:
    applicants: list[User]
    vehicles: list[Vehicle]
    rooms: list[Facility]
    workers: list[User]
    dispatcher: str


def _at(day: datetime, hour: float, tz: ZoneInfo) -> datetime:
    minutes = int(hour * 60)
    return datetime.combine(day.date(), time(minutes // 60, minutes % 60), tzinfo=tz)


async def seed_history(now: datetime, tz: ZoneInfo, *, seed: int | None = None) -> int:
    """Make the history; returns how many requests were created (0: there were some)."""
    if await Request.exists():
        return 0
    cast = await _cast()
    if cast is None:
        return 0
    now = now.astimezone(tz)
    rng = random.Random(seed if seed is not None else now.date().toordinal())
    made = 0
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for offset in range(-DAYS_BACK, DAYS_AHEAD + 1):
        day = today + timedelta(days=offset)
        weekend = day.weekday() >= 5
        if weekend and rng.random() < 0.7:
            continue
        future = offset > 0
        n_cars = 0 if weekend else rng.choice((0, 1, 1, 1, 2) if not future else (0, 1))
        n_rooms = 0 if weekend else rng.choice((0, 1, 1, 1) if not future else (0, 1, 1))
        n_repairs = 0 if future else rng.choice((0, 0, 1, 1) if not weekend else (0, 1))
        for _ in range(n_cars):
            made += await _vehicle_booking(rng, cast, day, now, tz)
        for _ in range(n_rooms):
            made += await _room(rng, cast, day, now, tz)
        for _ in range(n_repairs):
            made += await _repair(rng, cast, day, now, tz)
    made += await _late_ones(rng, cast, now, tz)
    return made


async def _cast() -> Cast | None:
    staff = await users_with_role(Role.STAFF)
    heads = await users_with_role(Role.DEPT_HEAD)
    vehicles = await Vehicle.filter(in_service=True).order_by("id")
    rooms = await Facility.filter(active=True).order_by("id")
    workers = await users_with_role(Role.REPAIR_WORKER)
    dispatchers = await users_with_role(Role.REPAIR_DISPATCHER)
    if not staff or not vehicles or not rooms or not workers or not dispatchers:
        return None
    applicants = staff * 3 + [h for h in heads if not h.has_role(Role.ADMIN)]
    return Cast(applicants, list(vehicles), list(rooms), workers, dispatchers[0].userid)


async def _decide_all(rng: random.Random, no: int, created: datetime, latest: datetime,
                      *, reject: float = 0.05) -> tuple[bool, datetime]:
    """Every step decided, each 5 minutes to 5 hours after the one before and before
    `latest`; (approved, when the last decision was made)."""
    request = await get_request(no)
    assert request is not None
    at = created
    for step in ordered_steps(request):
        wait = timedelta(minutes=rng.choice((5, 12, 20, 35, 50, 80, 120, 200, 300)))
        at = min(at + wait, latest)
        rejected = rng.random() < reject
        await decide(no, step.approver.userid, Decision.REJECT if rejected else Decision.APPROVE,
                     at, rng.choice(CHANNELS),
                     comment="时间冲突，请改期" if rejected else None)
        if rejected:
            return False, at
    return True, at


async def _vehicle_booking(rng: random.Random, cast: Cast, day: datetime, now: datetime,
                           tz: ZoneInfo) -> int:
    start = _at(day, rng.choice((8, 8.5, 9, 9.5, 10, 13.5, 14, 15)), tz)
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
    approved, _ = await _decide_all(rng, request.no, created, min(start, now) - timedelta(minutes=5))
    if approved and end < now:
        fresh = await get_request(request.no)
        assert fresh is not None
        await complete_request(fresh, "system", end + timedelta(minutes=10), "system")
    return 1


async def _room(rng: random.Random, cast: Cast, day: datetime, now: datetime,
                tz: ZoneInfo) -> int:
    room = rng.choice(cast.rooms)
    first = max(9, room.opens.hour + 1)
    last = min(17, room.closes.hour - 3)
    start = _at(day, rng.choice([h + m for h in range(first, last + 1) for m in (0, 0.5)]), tz)
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
        approved, _ = await _decide_all(rng, request.no, created, min(start, now) - timedelta(minutes=5),
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


async def _repair(rng: random.Random, cast: Cast, day: datetime, now: datetime,
                  tz: ZoneInfo) -> int:
    reported = _at(day, rng.choice((8.5, 9, 9.5, 10.5, 11, 14, 15, 16)), tz)
    if reported >= now - timedelta(hours=30):
        return 0  # the last day's repairs are made by _late_ones
    category, description, where = rng.choice(REPAIRS)
    location = where.format(b=rng.choice(("1号楼", "2号楼", "3号楼")), f=rng.randint(2, 6),
                            r=rng.randint(1, 9))
    who = rng.choice(cast.applicants)
    request = await create_request(
        NewRequest(type=RequestType.REPAIR_REQUEST, applicant=who.userid,
                   details={"location": location, "category": category,
                            "description": description, "photos": []}),
        reported, "wecom")
    worker = rng.choice(cast.workers).userid
    assigned = reported + timedelta(minutes=rng.choice((4, 8, 12, 15, 20, 25, 40, 70)))
    await assign_repair(request.no, cast.dispatcher, worker, assigned, "wecom")
    started = assigned + timedelta(minutes=rng.choice((10, 20, 30, 60)))
    await progress_repair(request.no, worker, RequestStatus.IN_PROGRESS, started, "wecom")
    done = started + timedelta(hours=rng.choice((0.5, 1, 2, 3, 5, 20, 28)))
    await progress_repair(request.no, worker, RequestStatus.COMPLETED, done, "wecom",
                          note="已修好")
    if rng.random() < 0.6:
        await rate_request(request.no, who.userid, rng.choice((4, 5, 5, 5, 3)),
                          done + timedelta(hours=1), "wecom")
    return 1


async def _late_ones(rng: random.Random, cast: Cast, now: datetime, tz: ZoneInfo) -> int:
    """What the dashboard lists as overdue now: a repair assigned 26 hours ago and not
    finished, one reported 50 minutes ago that nobody has taken, a room whose approver
    has not answered for five hours."""
    made = 0
    who = cast.applicants[0]
    late = await create_request(
        NewRequest(type=RequestType.REPAIR_REQUEST, applicant=who.userid,
                   details={"location": "2号楼305室", "category": "hvac",
                            "description": "空调外机异响，不制冷", "photos": []}),
        now - timedelta(hours=26), "wecom")
    worker = cast.workers[0].userid
    await assign_repair(late.no, cast.dispatcher, worker, now - timedelta(hours=25, minutes=40), "wecom")
    await progress_repair(late.no, worker, RequestStatus.IN_PROGRESS, now - timedelta(hours=24), "wecom")
    made += 1
    await create_request(
        NewRequest(type=RequestType.REPAIR_REQUEST, applicant=cast.applicants[1].userid,
                   details={"location": "1号楼4楼卫生间", "category": "plumbing",
                            "description": "水管漏水，地面有积水", "photos": []}),
        now - timedelta(minutes=50), "wecom")
    made += 1
    rooms = [r for r in cast.rooms if r.needs_approval]
    if rooms:
        start = _at(now + timedelta(days=2), 15, tz)
        try:
            await create_request(
                NewRequest(type=RequestType.FACILITY_RESERVATION, applicant=cast.applicants[2].userid,
                           start=start, end=start + timedelta(hours=2), facility_id=rooms[0].id,
                           details={"attendees": min(rooms[0].capacity, 30)}),
                now - timedelta(hours=5), "wecom")
            made += 1
        except (Conflict, RequestError):
            pass
    return made
