"""Use of vehicles and rooms (models/stats): hours held by approved or completed bookings
inside the range, per local day and per vehicle; per weekday × hour and per room."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from models.holds import MAX_WINDOW
from models.org import Facility, RequestType, Vehicle
from models.stats.scope import (
    BOOKED,
    ZERO,
    Scope,
    department_filter,
    fetch_rows,
    in_list,
    local_midnight,
    moment,
)

# ---------------------------------------------------------------------------------------
# Vehicle use


@dataclass(frozen=True, slots=True)
class DayUse:
    day: date
    hours: float
    bookings: int  # bookings with some time on this day


@dataclass(frozen=True, slots=True)
class VehicleUse:
    vehicle_id: int
    plate: str
    model: str
    hours: float
    bookings: int


@dataclass(frozen=True, slots=True)
class VehicleReport:
    per_day: list[DayUse]
    per_vehicle: list[VehicleUse]  # every vehicle in service, plus any used; most used first

    @property
    def total_hours(self) -> float:
        return sum(d.hours for d in self.per_day)


def _split_by_day(start: datetime, end: datetime, tz: tzinfo) -> Iterable[tuple[date, float]]:
    """(local day, hours) pieces of [start, end)."""
    day = start.astimezone(tz).date()
    while True:
        day_start = local_midnight(day, tz)
        day_end = local_midnight(day + timedelta(days=1), tz)
        lo, hi = max(start, day_start), min(end, day_end)
        if hi > lo:
            yield day, (hi - lo).total_seconds() / 3600
        if day_end >= end:
            return
        day += timedelta(days=1)


async def vehicle_use(scope: Scope) -> VehicleReport:
    """Hours of approved or completed vehicle bookings inside the range, per local day and
    per vehicle (a booking over midnight counts on both days). One range query of plain
    rows (index (type, start), bounded below by the longest window a booking may have);
    the split by local day is cheap in Python, a Tortoise object per row was not (and a
    join of the days to the bookings is planned well by SQLite, not by PostgreSQL)."""
    since, until = scope.since, scope.until
    dept_sql, dept_params = await department_filter(scope.department_id, "department_id_at")
    status_sql, status_params = in_list("status", [str(s) for s in BOOKED])
    rows = await fetch_rows(
        'SELECT start, "end", vehicle_id FROM request '  # noqa: S608
        f"WHERE type = ? AND {status_sql} AND start < ? AND \"end\" > ? AND start >= ? "
        f"AND vehicle_id IS NOT NULL{dept_sql}",
        [str(RequestType.VEHICLE_BOOKING), *status_params, until, since, since - MAX_WINDOW,
         *dept_params])
    days = scope.days()
    # The local midnights of the range, as UTC moments: a booking's day by bisection.
    edges = [local_midnight(d, scope.tz) for d in days] + [until]
    hours: dict[int, float] = defaultdict(float)
    count: dict[int, int] = defaultdict(int)
    v_hours: dict[int, float] = defaultdict(float)
    v_count: dict[int, int] = defaultdict(int)
    for r in rows:
        start, end = max(moment(r["start"]), since), min(moment(r["end"]), until)
        if end <= start:
            continue
        i = bisect_right(edges, start) - 1
        while i < len(days) and edges[i] < end:
            piece = min(end, edges[i + 1]) - max(start, edges[i])
            if piece > ZERO:
                hours[i] += piece.total_seconds() / 3600
                count[i] += 1
            i += 1
        vid = int(r["vehicle_id"])
        v_hours[vid] += (end - start).total_seconds() / 3600
        v_count[vid] += 1
    per_day = [DayUse(d, round(hours.get(i, 0.0), 4), count.get(i, 0)) for i, d in enumerate(days)]
    vehicles = await Vehicle.all().order_by("plate").values("id", "plate", "model", "in_service")
    per_vehicle = [
        VehicleUse(v["id"], v["plate"], v["model"], round(v_hours.get(v["id"], 0.0), 4),
                   v_count.get(v["id"], 0))
        for v in vehicles
        if v["in_service"] or v["id"] in v_hours
    ]
    per_vehicle.sort(key=lambda v: (-v.hours, v.plate))
    return VehicleReport(per_day, per_vehicle)


# ---------------------------------------------------------------------------------------
# Room occupancy


@dataclass(frozen=True, slots=True)
class RoomUse:
    facility_id: str
    name: str
    type: str
    hours: float  # held by approved/completed reservations inside the range
    open_hours: float  # opening hours over the range's days
    reservations: int

    @property
    def rate(self) -> float:
        return self.hours / self.open_hours if self.open_hours else 0.0


@dataclass(frozen=True, slots=True)
class OccupancyReport:
    grid: list[list[float]]  # [weekday 0=Monday][local hour 0-23] → hours held
    rooms: list[RoomUse]  # every active facility, plus any held; busiest first


def _split_by_hour(start: datetime, end: datetime, tz: tzinfo) -> Iterable[tuple[int, int, float]]:
    """(weekday, local hour, hours) pieces of [start, end)."""
    t = start
    while t < end:
        local = t.astimezone(tz)
        step = timedelta(
            minutes=60 - local.minute, seconds=-local.second, microseconds=-local.microsecond
        )
        nxt = min(end, t + step)
        yield local.weekday(), local.hour, (nxt - t).total_seconds() / 3600
        t = nxt


def _open_hours(open_from: str, open_to: str) -> float:
    try:
        a, b = time.fromisoformat(open_from), time.fromisoformat(open_to)
    except ValueError:
        return 0.0
    return max(0.0, (b.hour * 60 + b.minute - a.hour * 60 - a.minute) / 60)


async def room_occupancy(scope: Scope) -> OccupancyReport:
    """Hours held by approved (or completed) reservations inside the range, per local
    weekday × hour over all facilities, and per facility against its opening hours."""
    since, until = scope.since, scope.until
    dept_sql, dept_params = await department_filter(scope.department_id, "department_id_at")
    status_sql, status_params = in_list("status", [str(s) for s in BOOKED])
    # Plain rows (index (type, start), bounded below by the longest window): the split by
    # local hour below is cheap; building a Tortoise object per row was not.
    rows = await fetch_rows(
        'SELECT start, "end", facility_id FROM request '  # noqa: S608
        f"WHERE type = ? AND {status_sql} AND start < ? AND \"end\" > ? AND start >= ? "
        f"AND facility_id IS NOT NULL{dept_sql}",
        [str(RequestType.FACILITY_RESERVATION), *status_params, until, since,
         since - MAX_WINDOW, *dept_params])
    grid = [[0.0] * 24 for _ in range(7)]
    held: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for r in rows:
        start, end = max(moment(r["start"]), since), min(moment(r["end"]), until)
        if end <= start:
            continue
        for weekday, hour, h in _split_by_hour(start, end, scope.tz):
            grid[weekday][hour] += h
        held[r["facility_id"]] += (end - start).total_seconds() / 3600
        count[r["facility_id"]] += 1
    days = len(scope.days())
    facilities = await Facility.all().order_by("id").values(
        "id", "name", "type", "open_from", "open_to", "active"
    )
    rooms = [
        RoomUse(
            f["id"],
            f["name"],
            str(f["type"]),
            round(held[f["id"]], 4),
            round(_open_hours(f["open_from"], f["open_to"]) * days, 4),
            count[f["id"]],
        )
        for f in facilities
        if f["active"] or f["id"] in held
    ]
    rooms.sort(key=lambda r: (-r.hours, r.facility_id))
    return OccupancyReport([[round(h, 4) for h in row] for row in grid], rooms)
