"""The dashboard's fleet section (issue 17 item 2): distance and cost (过路费、停车费、
油费/充电费) per vehicle and per department, per month — two tables with their CSV
(Chinese headers and file names) and two stacked bar charts, one series per month.
bot/web/dashboard.py lays them out beside the others; the sums are handlers.fleet_report's."""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import Any

from handlers.fleet_report import FleetReport, FleetRow

MONTH_COLORS = ("#2f6fb3", "#2e9d6a", "#d4892a", "#8e5cb5", "#c94f4f", "#4fa3c9",
                "#9c9c2e", "#b36b2f", "#5c6fb5", "#2e8f9d", "#b52f8e", "#6b8e23")
# (header, numeric) of each table; the CSV's headers are these
VEHICLE_COLUMNS: list[tuple[str, bool]] = [
    ("月份", False), ("车牌", False), ("车型", False), ("趟次", True), ("里程(公里)", True),
    ("过路费(元)", True), ("停车费(元)", True), ("油费/充电费(元)", True), ("费用合计(元)", True),
]
DEPARTMENT_COLUMNS: list[tuple[str, bool]] = [
    ("月份", False), ("部门编号", False), ("部门", False), ("趟次", True), ("里程(公里)", True),
    ("过路费(元)", True), ("停车费(元)", True), ("油费/充电费(元)", True), ("费用合计(元)", True),
]
CSV_NAMES = {"fleet_vehicles": "各车里程费用", "fleet_departments": "各部门里程费用"}


def _money(x: float) -> float:
    return round(x, 2)


def _figures(row: FleetRow) -> list[Any]:
    t = row.totals
    return [t.trips, t.distance, _money(t.tolls), _money(t.parking), _money(t.fuel), _money(t.cost)]


def vehicle_rows(report: FleetReport) -> list[list[Any]]:
    # `_figures` written out: a year is ~3,900 rows
    return [[r.month, r.key, r.name.removeprefix(r.key).strip(), t.trips, t.distance,
             round(t.tolls, 2), round(t.parking, 2), round(t.fuel, 2), round(t.cost, 2)]
            for r in report.per_vehicle for t in (r.totals,)]


def department_rows(report: FleetReport) -> list[list[Any]]:
    return [[r.month, r.key, r.name, *_figures(r)] for r in report.per_department]


def month_series(rows: Sequence[FleetRow], months: Sequence[str], value: str, *, by_key: bool = False
                 ) -> tuple[list[str], list[tuple[str, list[float], str]]]:
    """Categories (vehicles or departments, first seen order; `by_key`: the plate rather
    than plate and model, short enough for a phone's axis) and one (name, values, colour)
    per month that has any, of `value` ("distance" or "cost")."""
    label = attrgetter("key" if by_key else "name")
    figure = attrgetter(value)
    names = list(dict.fromkeys(map(label, rows)))  # first seen order, one each
    cells = {(r.month, label(r)): float(figure(r.totals)) for r in rows}
    series = []
    for i, m in enumerate(months):
        values = [cells.get((m, n), 0.0) for n in names]
        if any(values):
            series.append((f"{int(m[:4])}年{int(m[5:])}月", values, MONTH_COLORS[i % len(MONTH_COLORS)]))
    return names, series
