"""The dashboard's chart data (bot/web/dashboard.py): what each chart shows, as JSON for
static/dashboard.js, which makes the ECharts options; the same numbers are in the
chart's table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.web import fleet_dashboard as fleet
from bot.web.dashboard_tables import REPAIR_STAGES, WEEKDAYS
from handlers import fleet_report, stats
from handlers.labels import TYPE_NAMES, role_name, type_color

Chart = dict[str, Any]


def _series(name: str, values: Sequence[float], color: str = "",
            colors: Sequence[str] = ()) -> dict[str, Any]:
    """One series; `colors` colours each bar on its own (one per category)."""
    out: dict[str, Any] = {"name": name, "values": [round(v, 2) for v in values]}
    if color:
        out["color"] = color
    if colors:
        out["colors"] = list(colors)
    return out


def _has_data(series: Sequence[dict[str, Any]]) -> bool:
    return any(v > 0 for s in series for v in s["values"])


def column_chart(title: str, categories: Sequence[str], labels: Sequence[str],
                 series: dict[str, Any], unit: str) -> Chart:
    """Vertical bars, one per category, in order (days); `labels` are the axis's short
    names of the categories (the tooltip shows the category)."""
    return {"kind": "columns", "title": title, "unit": unit, "categories": list(categories),
            "labels": list(labels), "series": [series], "empty": not _has_data([series])}


def bar_chart(title: str, categories: Sequence[str], series: Sequence[dict[str, Any]],
              unit: str, *, stacked: bool = True, limit: float | None = None,
              limit_label: str = "") -> Chart:
    """Horizontal bars, one row per category. Stacked series add up; unstacked ones
    overlay from zero (the first, widest, behind). `limit` is a dashed red line."""
    return {
        "kind": "bars", "title": title, "unit": unit, "categories": list(categories),
        "series": list(series), "stacked": stacked,
        "limit": None if limit is None else {"value": round(limit, 2), "label": limit_label},
        "empty": not categories or not _has_data(series),
    }


def heatmap(title: str, rows: Sequence[str], grid: Sequence[Sequence[float]],
            unit: str) -> Chart:
    """Rows × 24 hours, darker for more."""
    values = [[round(v, 2) for v in row] for row in grid]
    peak = max((v for row in values for v in row), default=0)
    return {"kind": "heatmap", "title": title, "unit": unit, "rows": list(rows),
            "columns": [f"{h}时" for h in range(24)], "values": values, "peak": peak,
            "empty": peak <= 0}


def charts(data: dict[str, Any]) -> dict[str, Chart]:
    """Every chart of the page, by the name the template places it under."""
    vehicle: stats.VehicleReport = data["vehicle"]
    services: list[stats.ServiceCount] = data["services"]
    depts: list[stats.DepartmentCount] = data["departments"]
    leads: list[stats.StepLeadTime] = data["lead_times"]
    repairs: stats.RepairReport = data["repairs"]
    rooms: stats.OccupancyReport = data["rooms"]
    out: dict[str, Chart] = {
        "per_day": column_chart(
            "每日用车小时",
            [f"{d.day.isoformat()} {WEEKDAYS[d.day.weekday()]}" for d in vehicle.per_day],
            [f"{d.day.month}/{d.day.day}" for d in vehicle.per_day],
            _series("用车", [d.hours for d in vehicle.per_day], "#2f6fb3"), "小时"),
        "per_vehicle": bar_chart(
            "各车用车小时", [v.plate for v in vehicle.per_vehicle],
            [_series("用车", [v.hours for v in vehicle.per_vehicle], "#2f6fb3")], "小时"),
        "per_department": bar_chart(
            "各部门申请量（本部门）", [d.name for d in depts],
            [_series(TYPE_NAMES[k], [d.own.get(k, 0) for d in depts], type_color(k))
             for k in TYPE_NAMES], "件"),
        "per_service": bar_chart(
            "各业务申请量", [TYPE_NAMES.get(s.type, s.type) for s in services],
            [_series("合计", [s.total for s in services],
                     colors=[type_color(s.type) for s in services])], "件"),
        "lead_times": bar_chart(
            "审批用时（小时）",
            [f"{TYPE_NAMES.get(s.type, s.type)[:2]}{s.seq}·{role_name(s.role)}"
             for s in leads],
            [_series("90分位", [s.p90_min / 60 for s in leads], "#9cc3e6"),
             _series("中位数", [s.median_min / 60 for s in leads], "#2f6fb3")],
            "小时", stacked=False, limit=stats.STEP_LIMIT.total_seconds() / 3600,
            limit_label="时限4小时"),
    }
    for m, scale, unit in ((repairs.assign, 1, "分钟"), (repairs.finish, 60, "小时")):
        name = f"报修→{REPAIR_STAGES[m.name]}"
        out[f"repair_{m.name}"] = bar_chart(
            f"{name}用时（{unit}）", [name] if m.count else [],
            [_series("90分位", [(m.p90_min or 0) / scale] if m.count else [], "#f2c28f"),
             _series("中位数", [(m.median_min or 0) / scale] if m.count else [], "#d4892a")],
            unit, stacked=False, limit=m.limit_min / scale,
            limit_label=f"时限{m.limit_min / scale:g}{unit}")
    out["occupancy"] = heatmap("场地占用（小时）按星期和时段", WEEKDAYS, rooms.grid, "小时")
    assets: stats.AssetReport = data["assets"]
    out["asset_stock"] = bar_chart(
        "资产在库与在用（件）", [x.category for x in assets.categories],
        [_series("在库可领", [x.in_stock for x in assets.categories], "#7a5cc2"),
         _series("已预留", [x.reserved for x in assets.categories], "#c3b3e6"),
         _series("在用", [x.issued for x in assets.categories], "#9a9a9a")], "件")
    out["asset_departments"] = bar_chart(
        "各部门在用资产（件）", [d.name for d in assets.departments],
        [_series("在用", [d.in_use for d in assets.departments], "#7a5cc2")], "件")
    report: fleet_report.FleetReport = data["fleet"]
    for key, title, rows, value, unit in (
            ("fleet_distance", "各车每月里程", report.per_vehicle, "distance", "公里"),
            ("fleet_cost", "各部门每月费用", report.per_department, "cost", "元")):
        names, series = fleet.month_series(rows, report.months, value, by_key=key == "fleet_distance")
        out[key] = bar_chart(title, names, [_series(n, v, c) for n, v, c in series], unit)
    return out
