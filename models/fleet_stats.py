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
from datetime import datetime, timedelta
from typing import Any

from tortoise import connections

from models.org import Department, RequestType, Vehicle
from models.requests import RequestStatus
from models.sql import in_dialect
from models.stats import Scope, department_ids, local_midnight


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
    (month, department): in SQL, one query a local month (a month of a large bureau is
    28,000 trips; a Tortoise object and a JSON parse per trip took a second)."""
    conn: Any = connections.get("default")
    pg = conn.capabilities.dialect == "postgres"

    def number(name: str) -> str:
        if pg:
            return f"trunc((details->>'{name}')::numeric)" if name == "distance" else \
                f"(details->>'{name}')::float8"
        cast = "INTEGER" if name == "distance" else "REAL"
        return f"CAST(json_extract(details, '$.{name}') AS {cast})"

    ids = await department_ids(scope.department_id)
    dept_sql = "" if ids is None else f" AND department_id_at IN ({', '.join('?' * len(ids))})"
    sql = in_dialect(conn, (
        "SELECT vehicle_id, department_id_at AS d, COUNT(*) AS trips, "  # noqa: S608
        f"COUNT({number('distance')}) AS reported, SUM({number('distance')}) AS distance, "
        f"SUM({number('tolls')}) AS tolls, SUM({number('parking')}) AS parking, "
        f"SUM({number('fuel')}) AS fuel FROM request WHERE type = ? AND status = ? "
        f"AND start >= ? AND start < ?{dept_sql} GROUP BY vehicle_id, department_id_at"))
    report = FleetReport(months=months_of(scope))
    by_vehicle: dict[tuple[str, int], TripTotals] = defaultdict(TripTotals)
    by_dept: dict[tuple[str, int], TripTotals] = defaultdict(TripTotals)
    for month, lo, hi in _month_bounds(scope):
        for r in await conn.execute_query_dict(sql, [
                str(RequestType.VEHICLE_BOOKING), str(RequestStatus.COMPLETED), lo, hi, *(ids or [])]):
            part = TripTotals(int(r["trips"]), int(r["reported"] or 0), int(r["distance"] or 0),
                              float(r["tolls"] or 0), float(r["parking"] or 0), float(r["fuel"] or 0))
            if r["vehicle_id"] is not None:
                by_vehicle[(month, int(r["vehicle_id"]))].merge(part)
            by_dept[(month, int(r["d"]))].merge(part)
            report.total.merge(part)
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
