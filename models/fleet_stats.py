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
from typing import Any

from models.org import Department, RequestType, Vehicle
from models.requests import Request, RequestStatus
from models.stats import Scope, as_utc, department_ids


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

    def add(self, details: dict[str, Any]) -> None:
        self.trips += 1
        if details.get("distance") is not None:
            self.reported += 1
            self.distance += int(details["distance"])
        self.tolls += float(details.get("tolls") or 0)
        self.parking += float(details.get("parking") or 0)
        self.fuel += float(details.get("fuel") or 0)


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


def months_of(scope: Scope) -> list[str]:
    seen: list[str] = []
    for day in scope.days():
        m = f"{day.year}-{day.month:02d}"
        if not seen or seen[-1] != m:
            seen.append(m)
    return seen


async def trip_costs(scope: Scope) -> FleetReport:
    """The completed trips starting in the scope, summed per (month, vehicle) and per
    (month, department)."""
    query = Request.filter(type=RequestType.VEHICLE_BOOKING, status=RequestStatus.COMPLETED,
                           start__gte=scope.since, start__lt=scope.until)
    ids = await department_ids(scope.department_id)
    if ids is not None:
        query = query.filter(department_id_at__in=ids)
    rows = await query.values("start", "vehicle_id", "department_id_at", "details")
    report = FleetReport(months=months_of(scope))
    by_vehicle: dict[tuple[str, int], TripTotals] = defaultdict(TripTotals)
    by_dept: dict[tuple[str, int], TripTotals] = defaultdict(TripTotals)
    for r in rows:
        local = as_utc(r["start"]).astimezone(scope.tz)
        month = f"{local.year}-{local.month:02d}"
        details = r["details"] or {}
        if r["vehicle_id"] is not None:
            by_vehicle[(month, r["vehicle_id"])].add(details)
        by_dept[(month, r["department_id_at"])].add(details)
        report.total.add(details)
    vehicles = {v["id"]: v for v in await Vehicle.filter(
        id__in={v for _, v in by_vehicle}).values("id", "plate", "model")}
    depts = dict(await Department.filter(id__in={d for _, d in by_dept}).values_list("id", "name"))
    report.per_vehicle = sorted(
        (FleetRow(m, vehicles[v]["plate"], f"{vehicles[v]['plate']} {vehicles[v]['model']}", t)
         for (m, v), t in by_vehicle.items()), key=lambda row: (row.month, row.key))
    report.per_department = sorted(
        (FleetRow(m, str(d), str(depts.get(d, d)), t) for (m, d), t in by_dept.items()),
        key=lambda row: (row.month, int(row.key)))
    return report
