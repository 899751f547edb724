"""Distance and cost of the trips (公务用车管理科学化, issue 17 item 2): per vehicle and per
department, per month, from the completed trips' readings and costs (models/trips.py).

A trip counts in the local month its booking starts, for the department the applicant
was in when applying (`department_id_at`, as the dashboard's other counts); the scope's
department filter takes that department and all below it. Readings and costs a driver
did not report are counted as none (`trips` still counts the trip; `reported` the ones
with a distance).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from models.org import Department, Vehicle
from models.stats import Scope, local_midnight
from models.stats.rollup import sums

# a total's field → (its metric per vehicle, per department) in the rollup
_METRICS = {"distance": ("fkm", "fdkm"), "tolls": ("ftoll", "fdtoll"),
            "parking": ("fpark", "fdpark"), "fuel": ("ffuel", "fdfuel")}


@dataclass(slots=True)
class TripTotals:
    trips: int = 0
    reported: int = 0  # trips with a distance
    distance: int = 0  # km
    tolls: float = 0.0
    parking: float = 0.0
    fuel: float = 0.0  # 油费 / 充电费

    @property
    def cost(self) -> float:
        return self.tolls + self.parking + self.fuel

    def merge(self, other: TripTotals) -> None:
        self.trips += other.trips
        self.reported += other.reported
        self.distance += other.distance
        self.tolls = round(self.tolls + other.tolls, 2)
        self.parking = round(self.parking + other.parking, 2)
        self.fuel = round(self.fuel + other.fuel, 2)


@dataclass(frozen=True, slots=True)
class FleetRow:
    month: str  # "2026-11", local
    key: str  # plate, or the department id
    name: str  # "沪A12345 别克GL8", or the department's name
    totals: TripTotals


@dataclass(slots=True)
class FleetReport:
    months: list[str] = field(default_factory=list)  # the scope's months, in order
    per_vehicle: list[FleetRow] = field(default_factory=list)  # by month, then plate
    per_department: list[FleetRow] = field(default_factory=list)  # by month, then id
    total: TripTotals = field(default_factory=TripTotals)


def _month_bounds(scope: Scope) -> list[tuple[str, datetime, datetime]]:
    """("2026-11", from, until) for each local month of the scope, cut to the scope."""
    out: list[tuple[str, datetime, datetime]] = []
    for day in scope.days():
        m = f"{day.year}-{day.month:02d}"
        if not out or out[-1][0] != m:
            out.append((m, local_midnight(day, scope.tz), local_midnight(day, scope.tz)))
        out[-1] = (m, out[-1][1], local_midnight(day + timedelta(days=1), scope.tz))
    return out


def months_of(scope: Scope) -> list[str]:
    seen: list[str] = []
    for day in scope.days():
        m = f"{day.year}-{day.month:02d}"
        if not seen or seen[-1] != m:
            seen.append(m)
    return seen


async def trip_costs(scope: Scope) -> FleetReport:
    """The completed trips starting in the scope, summed per (month, vehicle) and per
    (month, department), from the dashboard's daily rollup (models/stats/daily.py: fkm,
    ftoll, fpark, ffuel per vehicle, and per department under the whole bureau)."""
    by_vehicle: dict[tuple[str, int], TripTotals] = defaultdict(TripTotals)
    by_dept: dict[tuple[str, int], TripTotals] = defaultdict(TripTotals)
    report = FleetReport(months=months_of(scope))
    # (kind, first day of the month, key) → [trips, reported, distance, tolls, parking,
    # fuel], in the order first met (the totals below add up in that order): a year's
    # rows are ~19,000 (4 metrics × 300 vehicles and 61 departments × 13 months), so a
    # list a part, not an object, and each month's name made once.
    parts: dict[tuple[str, date, str], list[Any]] = {}
    whole = scope.department_id is None
    for index, (vehicle_metric, dept_metric) in enumerate(_METRICS.values()):
        found = [("v", m, k, v) for (m, k), v in (await sums(scope, vehicle_metric, "month_key")).items()] \
            if whole else []
        if whole:
            found += [("d", m, k, v) for (m, k), v in (await sums(scope, dept_metric, "month_key")).items()]
        else:
            for (m, d, k), v in (await sums(scope, vehicle_metric, "month_dept_key")).items():
                found += [("v", m, k, v), ("d", m, str(d), v)]
        for part, (n, c, total) in ((f[:3], f[3]) for f in found):
            cell = parts.get(part)
            if cell is None:
                cell = parts[part] = [0, 0, 0, 0.0, 0.0, 0.0]
            if index == 0:  # distance: the trips, those with a distance, the km
                cell[0] += int(n)
                cell[1] += int(c)
                cell[2] += int(round(total))
            else:  # tolls, parking, fuel
                cell[2 + index] += float(total)
    names: dict[date, str] = {}
    for (kind, day, key), (trips, reported, distance, tolls, parking, fuel) in parts.items():
        month = names.get(day)
        if month is None:
            month = names[day] = f"{day.year}-{day.month:02d}"
        totals = TripTotals(trips, reported, distance, round(tolls, 2), round(parking, 2),
                            round(fuel, 2))
        if kind == "d":
            by_dept[(month, int(key))].merge(totals)
            report.total.merge(totals)
        elif key:
            by_vehicle[(month, int(key))].merge(totals)
    vehicles = {v["id"]: v for v in await Vehicle.filter(
        id__in={v for _, v in by_vehicle}).values("id", "plate", "model")}
    depts = dict(await Department.filter(id__in={d for _, d in by_dept}).values_list("id", "name"))
    report.per_vehicle = sorted(
        (FleetRow(m, vehicles[v]["plate"], f"{vehicles[v]['plate']} {vehicles[v]['model']}", t)
         for (m, v), t in by_vehicle.items() if v in vehicles), key=lambda row: (row.month, row.key))
    report.per_department = sorted(
        (FleetRow(m, str(d), str(depts.get(d, d)), t) for (m, d), t in by_dept.items()),
        key=lambda row: (row.month, int(row.key)))
    return report
