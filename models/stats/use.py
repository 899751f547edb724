"""Use of vehicles and rooms (models/stats): hours held by approved or completed bookings
inside the range, per local day and per vehicle; per weekday × hour and per room; from
the daily rollup (models/stats/rollup.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from models.org import Facility, Vehicle
from models.stats.rollup import sums
from models.stats.scope import Scope

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


async def vehicle_use(scope: Scope) -> VehicleReport:
    """Hours of approved or completed vehicle bookings inside the range, per local day and
    per vehicle (a booking over midnight counts on both days, and once for its vehicle),
    from the daily rollup (models/stats/rollup.py, metric `veh`)."""
    by_day = await sums(scope, "vday", "day")
    by_vehicle = await sums(scope, "veh", "key")
    running_in = await sums(scope, "veh", "key", first_day_only=True)
    zero = [0, 0, 0.0]
    per_day = [DayUse(d, round(by_day.get(d, zero)[2], 4),
                      int(by_day.get(d, zero)[0] + by_day.get(d, zero)[1]))
               for d in scope.days()]
    v_hours = {int(k): v[2] for k, v in by_vehicle.items()}
    v_count = {int(k): int(v[0] + running_in.get(k, zero)[1]) for k, v in by_vehicle.items()}
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


def _open_hours(open_from: str, open_to: str) -> float:
    try:
        a, b = time.fromisoformat(open_from), time.fromisoformat(open_to)
    except ValueError:
        return 0.0
    return max(0.0, (b.hour * 60 + b.minute - a.hour * 60 - a.minute) / 60)


async def room_occupancy(scope: Scope) -> OccupancyReport:
    """Hours held by approved (or completed) reservations inside the range, per local
    weekday × hour over all facilities, and per facility against its opening hours, from
    the daily rollup (metrics `rhour` and `room`)."""
    grid = [[0.0] * 24 for _ in range(7)]
    for (weekday, hour), (_, _, h) in (await sums(scope, "rhour", "weekday_key")).items():
        grid[weekday][int(hour)] += h
    by_room = await sums(scope, "room", "key")
    running_in = await sums(scope, "room", "key", first_day_only=True)
    held = {k: v[2] for k, v in by_room.items()}
    count = {k: int(v[0] + running_in.get(k, [0, 0, 0.0])[1]) for k, v in by_room.items()}
    days = len(scope.days())
    facilities = await Facility.all().order_by("id").values(
        "id", "name", "type", "open_from", "open_to", "active"
    )
    rooms = [
        RoomUse(
            f["id"],
            f["name"],
            str(f["type"]),
            round(held.get(f["id"], 0.0), 4),
            round(_open_hours(f["open_from"], f["open_to"]) * days, 4),
            count.get(f["id"], 0),
        )
        for f in facilities
        if f["active"] or f["id"] in held
    ]
    rooms.sort(key=lambda r: (-r.hours, r.facility_id))
    return OccupancyReport([[round(h, 4) for h in row] for row in grid], rooms)
