"""Some history for the demo (`python main.py demo`): sixty-odd requests over the last
30 days and the next week — vehicle bookings, room reservations and repairs, each made,
decided, checked in, dispatched and finished through the same model functions the bot
uses, each step at its own past moment — so that the dashboard has something to show.

Idempotent: nothing is added when the database already holds a request. Deterministic
for a given day (a seeded random generator), so two demos started the same day look
alike. A few things are left late on purpose, for the dashboard's "overdue now": a room
waiting for its approver, a repair nobody has taken, a repair not finished in 24 hours.

The loop is here; each service makes its own requests (`demo` in its declaration,
handlers/services/), with `at` and `decide_all` from here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.registry import services
from models.decisions import decide
from models.org import Facility, Role, User, Vehicle, users_with_role
from models.requests import Decision, Request, get_request, ordered_steps

DAYS_BACK = 30
DAYS_AHEAD = 6
CHANNELS = ("wecom", "wecom", "wecom", "web")  # how approvers answered: mostly in chat



@dataclass(frozen=True, slots=True)
class Cast:
    applicants: list[User]
    vehicles: list[Vehicle]
    rooms: list[Facility]
    workers: list[User]
    dispatcher: str


@dataclass(frozen=True, slots=True)
class DemoDay:
    """What a service's demo maker gets (its `demo` in handlers/services/): the seeded
    generator, who and what there is, the day (midnight, local) and the present."""

    rng: random.Random
    cast: Cast
    day: datetime
    now: datetime
    tz: ZoneInfo


def at(day: datetime, hour: float, tz: ZoneInfo) -> datetime:
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
        # each service says how many of its requests the day has, then makes them
        counts = [(s.demo, s.demo.per_day(rng, weekend, future)) for s in services() if s.demo]
        for demo, n in counts:
            for _ in range(n):
                made += await demo.make(DemoDay(rng, cast, day, now, tz))
    for s in services():
        if s.demo is not None and s.demo.late is not None:
            made += await s.demo.late(DemoDay(rng, cast, today, now, tz))
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


async def decide_all(rng: random.Random, no: int, created: datetime, latest: datetime,
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
