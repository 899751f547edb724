"""The bureau's dashboard (issue 6, item 3; CONTRACT §4): `GET /dashboard` for admins
(WeCom OAuth with the `admin` role, or `Authorization: Bearer $ADMIN_TOKEN`).

    GET /dashboard?from=YYYY-MM-DD&to=YYYY-MM-DD&department=ID     the page
    GET /dashboard/{table}.csv?…same filters…                      one table as CSV

`from` and `to` are local days in BOT_TIMEZONE, both included (default: the last 30
days up to today); `department` counts that department and all below it. A bad value is
a 400 page saying which, never a 500.

The page is the Jinja2 template `dashboard/page.html`: figures, then for each subject a
chart and the table of the same numbers. The charts are Apache ECharts, vendored in
`bot/web/static/` (the phone in WeCom's built-in browser has no network beyond this
service): this module turns the numbers into chart data (`charts()`, plain JSON in a
`<script type="application/json">`), and `static/dashboard.js` builds the ECharts
options from it. Without JavaScript the tables remain — they are also the accessible
form of every chart — and every table has its CSV (UTF-8 with BOM, so that Excel reads
Chinese). Text reaches HTML only through the template's autoescape, and JSON only through
`tojson` (which escapes `<`, `>`, `&`, `'`); CSV cells that a spreadsheet would run as a
formula are prefixed with an apostrophe (OWASP's advice). The numbers come from
`models.stats`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from bot.keys import SETTINGS
from bot.web import fleet_dashboard as fleet
from bot.web.auth import error_page, require_admin
from bot.web.links import calendar_url
from bot.web.templating import render
from handlers import fleet_report, inbox, outbox, stats
from handlers.labels import (
    STATUS_NAMES,
    TYPE_NAMES,
    RequestType,
    facility_type_name,
    role_name,
    status_label,
    type_color,
)
from handlers.queries import active_facilities
from handlers.repair import CATEGORY_NAMES
from handlers.stats import Scope

Clock = Callable[[], datetime]
CLOCK: web.AppKey[Clock] = web.AppKey("clock")  # tests fix the time; default: now
DEFAULT_DAYS = 30
INBOX_LATE_SECONDS = 30  # a message waiting longer is marked on the dashboard
PAGE_ROWS = 200  # rows of one table on the page; its CSV has every row
# A table of one row per request (a large bureau files 3,000 a day) is exported a month at
# a time, as the bureau files its monthly reports; the other tables are one row per day,
# vehicle, room, department or step, whatever the range.
ROW_TABLES = frozenset({"repair_list"})
ROW_TABLE_DAYS = 31

OVERDUE_NAMES = {
    "approval": "审批超时",
    "repair_unassigned": "报修未派单",
    "repair_unfinished": "维修未完成",
}
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
REPAIR_STAGES = {"assign": "派单", "finish": "完成"}


def clock_now(app: web.Application) -> datetime:
    """The current moment (aware); `app[CLOCK]` replaces it in tests."""
    return app[CLOCK]() if CLOCK in app else datetime.now(UTC)


# ---------------------------------------------------------------------------------------
# Filters


class BadFilter(ValueError):
    """A query parameter the page cannot use; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Filters:
    first: date  # included
    last: date  # included
    department: int | None

    def scope(self, tz: Any) -> Scope:
        return Scope(self.first, self.last + timedelta(days=1), tz, self.department)

    def query(self) -> str:
        params = {"from": self.first.isoformat(), "to": self.last.isoformat()}
        if self.department is not None:
            params["department"] = str(self.department)
        return urlencode(params)


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(name: str, raw: str) -> date:
    if not _DAY.fullmatch(raw):
        raise BadFilter(f"参数 {name} 应为日期 YYYY-MM-DD（收到 {raw[:40]!r}）")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadFilter(f"参数 {name} 不是有效日期：{raw}") from None
    if not 2000 <= day.year <= 2100:
        raise BadFilter(f"参数 {name} 超出 2000–2100 年：{raw}")
    return day


async def parse_filters(query: Any, today: date) -> Filters:
    """`from`, `to` (both included) and `department` from the query string."""
    raw_from, raw_to = query.get("from", "").strip(), query.get("to", "").strip()
    last = _day("to", raw_to) if raw_to else today
    first = _day("from", raw_from) if raw_from else last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise BadFilter(f"开始日期 {first} 晚于结束日期 {last}")
    if (last - first).days + 1 > stats.MAX_DAYS:
        raise BadFilter(f"日期范围最长 {stats.MAX_DAYS} 天")
    raw_dept = query.get("department", "").strip()
    department = None
    if raw_dept:
        if not (raw_dept.isascii() and raw_dept.isdigit() and len(raw_dept) <= 9):
            raise BadFilter(f"参数 department 应为部门编号（收到 {raw_dept[:40]!r}）")
        department = int(raw_dept)
        if not await stats.department_exists(department):
            raise BadFilter(f"没有编号为 {department} 的部门")
    return Filters(first, last, department)


# ---------------------------------------------------------------------------------------
# Tables: raw values (for CSV) and how the page shows them


def _num(x: Any, digits: int = 1) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def fmt_minutes(m: Any) -> str:
    if m is None:
        return "—"
    if m < 60:
        return f"{m:.0f}分钟"
    if m < 48 * 60:
        return f"{m / 60:.1f}小时"
    return f"{m / 1440:.1f}天"


def fmt_pct(x: Any) -> str:
    if x is None:
        return "—"
    return f"{x * 100:.1f}%" if 0 < x < 0.1 else f"{x * 100:.0f}%"


@dataclass(frozen=True, slots=True)
class Column:
    title: str  # the CSV's header, over raw values
    show: Callable[[Any], str] = _num  # a value as the page shows it
    numeric: bool = True
    heading: str = ""  # the page's header when `show` adds its own unit; else `title`

    @property
    def label(self) -> str:
        return self.heading or self.title


def text(title: str) -> Column:
    return Column(title, lambda x: "" if x is None else str(x), numeric=False)


def duration(title: str) -> Column:
    """Minutes: raw numbers under "title(分钟)" in the CSV; on the page each cell carries
    its unit ("20分钟", "6.0小时", "1.5天"), so the header does not name one."""
    return Column(f"{title}(分钟)", fmt_minutes, heading=title)


@dataclass(slots=True)
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)

    def shown_rows(self) -> list[list[tuple[str, bool]]]:
        """Each row's cells as the page shows them: (text, numeric); at most PAGE_ROWS
        (a month of a large bureau has tens of thousands of repairs: the page shows the
        first, the CSV has them all)."""
        return [
            [(c.show(v), c.numeric) for c, v in zip(self.columns, row, strict=True)]
            for row in self.rows[:PAGE_ROWS]
        ]

    @property
    def cut(self) -> bool:
        return len(self.rows) > PAGE_ROWS

    @property
    def shown_count(self) -> int:
        return min(len(self.rows), PAGE_ROWS)


def overdue_table(items: list[stats.OverdueItem], tz: Any) -> Table:
    t = Table("overdue", "当前超时", [
        text("单号"), text("业务"), text("超时类别"), text("申请人"), text("部门"),
        text("等待"), text("起算时间"), duration("已等待"), duration("时限"), text("事由"),
    ])
    for o in items:
        t.rows.append([
            f"#{o.no}", TYPE_NAMES.get(o.type, o.type), OVERDUE_NAMES.get(o.kind, o.kind),
            o.applicant, o.department, o.waiting_for or "（未派单）",
            f"{o.since.astimezone(tz):%Y-%m-%d %H:%M}", round(o.waited_min, 1), o.limit_min,
            o.purpose or "—",
        ])
    return t


def vehicle_days_table(report: stats.VehicleReport, tz: Any) -> Table:
    t = Table("vehicle_days", "每日用车", [
        text("日期"), text("星期"), Column("用车小时"), Column("趟次"),
    ])
    for d in report.per_day:
        t.rows.append([d.day.isoformat(), WEEKDAYS[d.day.weekday()], round(d.hours, 2), d.bookings])
    return t


def vehicles_table(report: stats.VehicleReport, tz: Any) -> Table:
    t = Table("vehicles", "各车用车", [text("车牌"), text("车型"), Column("用车小时"), Column("趟次")])
    for v in report.per_vehicle:
        t.rows.append([v.plate, v.model, round(v.hours, 2), v.bookings])
    return t


def departments_table(rows: list[stats.DepartmentCount], tz: Any) -> Table:
    t = Table("departments", "各部门申请量", [
        text("部门编号"), text("部门"), Column("层级"),
        *[Column(TYPE_NAMES[k]) for k in TYPE_NAMES],
        Column("本部门合计"), Column("含下级合计"),
    ])
    for d in rows:
        t.rows.append([
            str(d.id), d.name, d.depth, *[d.own.get(k, 0) for k in TYPE_NAMES],
            d.own_total, d.subtree_total,
        ])
    return t


def services_table(rows: list[stats.ServiceCount], tz: Any) -> Table:
    t = Table("services", "各业务申请量", [
        text("业务"), Column("合计"), *[Column(v) for v in STATUS_NAMES.values()],
    ])
    for s in rows:
        t.rows.append([
            TYPE_NAMES.get(s.type, s.type), s.total, *[s.by_status.get(k, 0) for k in STATUS_NAMES]
        ])
    return t


def lead_times_table(rows: list[stats.StepLeadTime], tz: Any) -> Table:
    t = Table("lead_times", "审批时效", [
        text("业务"), Column("步骤"), text("审批角色"), Column("审批数"),
        duration("中位数"), duration("90分位"), duration("最长"), Column("超4小时"),
    ])
    for s in rows:
        t.rows.append([
            TYPE_NAMES.get(s.type, s.type), s.seq, role_name(s.role), s.count,
            round(s.median_min, 1), round(s.p90_min, 1), round(s.max_min, 1), s.over_limit,
        ])
    return t


def _r1(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def repairs_table(report: stats.RepairReport, tz: Any) -> Table:
    t = Table("repairs", "维修时效", [
        text("环节"), duration("时限"), Column("已达成"),
        duration("中位数"), duration("90分位"), duration("最长"), Column("时限内"), Column("超时"),
        Column("未达成且已超时"), Column("及时率", fmt_pct),
    ])
    for m in (report.assign, report.finish):
        rate = m.within_limit / m.count if m.count else None
        t.rows.append([
            f"报修→{REPAIR_STAGES[m.name]}", m.limit_min, m.count, _r1(m.median_min),
            _r1(m.p90_min), _r1(m.max_min), m.within_limit, m.over_limit, m.open_over_limit,
            None if rate is None else round(rate, 4),
        ])
    return t


def repair_list_table(report: stats.RepairReport, tz: Any) -> Table:
    t = Table("repair_list", "报修明细", [
        text("单号"), text("报修时间"), text("状态"), text("地点"), text("类别"), text("维修人员"),
        duration("派单用时"), duration("完成用时"), Column("评分", _score), text("评价意见"),
    ])
    for i in report.items:
        t.rows.append([
            f"#{i.no}", f"{i.created_at.astimezone(tz):%Y-%m-%d %H:%M}",
            status_label(RequestType.REPAIR_REQUEST, i.status), i.location,
            CATEGORY_NAMES.get(i.category, "其他") if i.category else "", i.worker,
            _r1(i.assign_min), _r1(i.finish_min), i.rating, i.comment,
        ])
    return t


def _score(x: Any) -> str:
    return "" if x is None else f"{x}分"


def _crew_ratings_table(key: str, title: str, who: str) -> Callable[[Any, Any], Table]:
    def build(rows: dict[str, list[stats.CrewRating]], tz: Any) -> Table:
        t = Table(key, title, [text(who), Column("评价数"), Column("平均分", lambda x: _num(x, 2))])
        for c in rows[key]:
            t.rows.append([c.name, c.count, c.average])
        return t

    return build


worker_ratings_table = _crew_ratings_table("worker_ratings", "维修人员评分", "维修人员")
driver_ratings_table = _crew_ratings_table("driver_ratings", "司机评分", "司机")


def rooms_table(report: stats.OccupancyReport, tz: Any) -> Table:
    t = Table("rooms", "各场地占用", [
        text("场地编号"), text("场地"), text("类型"), Column("占用小时"), Column("开放小时"),
        Column("占用率", fmt_pct), Column("预约数"),
    ])
    for r in report.rooms:
        t.rows.append([
            r.facility_id, r.name, facility_type_name(r.type), round(r.hours, 2),
            round(r.open_hours, 2), round(r.rate, 4), r.reservations,
        ])
    return t


def occupancy_table(report: stats.OccupancyReport, tz: Any) -> Table:
    t = Table("occupancy", "场地占用（小时，按星期×时段）", [
        text("星期"), *[Column(f"{h}时") for h in range(24)],
    ])
    for wd, row in enumerate(report.grid):
        t.rows.append([WEEKDAYS[wd], *[round(h, 2) for h in row]])
    return t


def asset_stock_table(report: stats.AssetReport, tz: Any) -> Table:
    t = Table("asset_stock", "资产在库（按类别）", [
        text("类别"), Column("在库可领", lambda x: str(x)), Column("已预留", lambda x: str(x)),
        Column("在用", lambda x: str(x)), Column("在库原值(元)", lambda x: f"{x:,.2f}"),
    ])
    for x in report.categories:
        t.rows.append([x.category, x.in_stock, x.reserved, x.issued, float(x.value_in_stock)])
    return t


def asset_departments_table(report: stats.AssetReport, tz: Any) -> Table:
    t = Table("asset_departments", "资产在用（按部门）", [
        text("部门编号"), text("部门"), Column("在用件数", lambda x: str(x)),
        Column("原值合计(元)", lambda x: f"{x:,.2f}"), Column("期内领用件数", lambda x: str(x)),
    ])
    for d in report.departments:
        t.rows.append([str(d.id), d.name, d.in_use, float(d.value), d.issued_in_range])
    return t


def fleet_table(key: str, title: str, spec: list[tuple[str, bool]],
                rows: Callable[[fleet_report.FleetReport], list[list[Any]]]) -> Callable[[Any, Any], Table]:
    """A table of the fleet section (bot/web/fleet_dashboard.py)."""
    def build(report: fleet_report.FleetReport, tz: Any) -> Table:
        columns = [Column(h) if numeric else text(h) for h, numeric in spec]
        return Table(key, title, columns, rows(report))
    return build


Loader = Callable[[Scope, datetime], Awaitable[Any]]


async def _vehicle(scope: Scope, now: datetime) -> Any:
    return await stats.vehicle_use(scope)


async def _departments(scope: Scope, now: datetime) -> Any:
    return await stats.requests_by_department(scope)


async def _services(scope: Scope, now: datetime) -> Any:
    return await stats.requests_by_service(scope)


async def _lead_times(scope: Scope, now: datetime) -> Any:
    return await stats.approval_lead_times(scope)


async def _repairs(scope: Scope, now: datetime) -> Any:
    return await stats.repair_times(scope, now)


async def _rooms(scope: Scope, now: datetime) -> Any:
    return await stats.room_occupancy(scope)


async def _ratings(scope: Scope, now: datetime) -> dict[str, list[stats.CrewRating]]:
    return {"worker_ratings": await stats.crew_ratings(scope, stats.RequestType.REPAIR_REQUEST),
            "driver_ratings": await stats.crew_ratings(scope, stats.RequestType.VEHICLE_BOOKING)}


async def _overdue(scope: Scope, now: datetime) -> Any:
    return await stats.overdue(now, scope.department_id)


async def _assets(scope: Scope, now: datetime) -> Any:
    return await stats.asset_report(scope)


async def _fleet(scope: Scope, now: datetime) -> Any:
    return await fleet_report.trip_costs(scope)


async def _delivery(scope: Scope, now: datetime) -> tuple[int, int, int, float]:
    """Messages waiting to be sent and given up, messages received and not yet handled
    and the seconds the oldest of them has waited, now (not filtered: the channel's
    state)."""
    waiting, oldest = await inbox.depth()
    age = 0.0 if oldest is None else max(0.0, now.timestamp() - oldest)
    return await outbox.pending_count(), await outbox.dead_count(), waiting, age


LOADERS: dict[str, Loader] = {
    "overdue": _overdue,
    "vehicle": _vehicle,
    "departments": _departments,
    "services": _services,
    "lead_times": _lead_times,
    "repairs": _repairs,
    "rooms": _rooms,
    "assets": _assets,
    "fleet": _fleet,
    "delivery": _delivery,
    "ratings": _ratings,
}
# CSV name → (the loader whose result it shows, the table builder)
TABLES: dict[str, tuple[str, Callable[[Any, Any], Table]]] = {
    "overdue": ("overdue", overdue_table),
    "vehicle_days": ("vehicle", vehicle_days_table),
    "vehicles": ("vehicle", vehicles_table),
    "departments": ("departments", departments_table),
    "services": ("services", services_table),
    "lead_times": ("lead_times", lead_times_table),
    "repairs": ("repairs", repairs_table),
    "repair_list": ("repairs", repair_list_table),
    "rooms": ("rooms", rooms_table),
    "occupancy": ("rooms", occupancy_table),
    "asset_stock": ("assets", asset_stock_table),
    "asset_departments": ("assets", asset_departments_table),
    "fleet_vehicles": ("fleet", fleet_table("fleet_vehicles", "各车里程和费用（按月）",
                                            fleet.VEHICLE_COLUMNS, fleet.vehicle_rows)),
    "fleet_departments": ("fleet", fleet_table("fleet_departments", "各部门里程和费用（按月）",
                                               fleet.DEPARTMENT_COLUMNS, fleet.department_rows)),
    "worker_ratings": ("ratings", worker_ratings_table),
    "driver_ratings": ("ratings", driver_ratings_table),
}


# ---------------------------------------------------------------------------------------
# CSV

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value  # a spreadsheet would run it as a formula
    return value


def to_csv(table: Table) -> bytes:
    """The table as CSV, UTF-8 with a BOM (Excel), CRLF rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.title for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ---------------------------------------------------------------------------------------
# Chart data: what each chart shows, as JSON for static/dashboard.js (which makes the
# ECharts options); the same numbers are in the chart's table.

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


# ---------------------------------------------------------------------------------------
# The page


async def load(scope: Scope, now: datetime, names: Sequence[str]) -> dict[str, Any]:
    return {name: await LOADERS[name](scope, now) for name in names}


def page_context(
    filters: Filters,
    data: dict[str, Any],
    departments: list[stats.DepartmentNode],
    now: datetime,
    tz: Any,
) -> dict[str, Any]:
    """What `dashboard/page.html` shows: filters, figures, tables and chart data."""
    services: list[stats.ServiceCount] = data["services"]
    repairs: stats.RepairReport = data["repairs"]
    rooms: stats.OccupancyReport = data["rooms"]
    late: list[stats.OverdueItem] = data["overdue"]
    assign = repairs.assign
    held = sum(r.hours for r in rooms.rooms)
    open_hours = sum(r.open_hours for r in rooms.rooms)
    return {
        "filters": filters,
        "query": filters.query(),
        "department_name": next(
            (d.name for d in departments if d.id == filters.department), "全部部门"),
        "departments": [(d.id, chr(0x3000) * d.depth + d.name) for d in departments],
        "as_of": f"{now.astimezone(tz):%Y-%m-%d %H:%M}",
        "late": len(late),
        "kpis": [
            ("申请总数", str(sum(s.total for s in services)), False),
            ("用车小时", _num(data["vehicle"].total_hours), False),
            ("当前超时", str(len(late)), bool(late)),
            ("派单及时率",
             fmt_pct(assign.within_limit / assign.count if assign.count else None),
             assign.over_limit > 0),
            ("场地占用率", fmt_pct(held / open_hours if open_hours else None), False),
            ("资产在库", str(data["assets"].in_stock), False),
            ("资产在用", str(data["assets"].in_use), False),
            ("行驶里程(公里)", f"{data['fleet'].total.distance:,}", False),
            ("车辆费用(元)", _num(data["fleet"].total.cost), False),
            ("待发送消息", str(data["delivery"][0]), False),
            ("未送达消息", str(data["delivery"][1]), data["delivery"][1] > 0),
            ("待处理消息", str(data["delivery"][2]), data["delivery"][3] > INBOX_LATE_SECONDS),
            ("最久等待", f"{data['delivery'][3]:.0f}秒", data["delivery"][3] > INBOX_LATE_SECONDS),
        ],
        "tables": {key: build(data[part], tz) for key, (part, build) in TABLES.items()},
        "charts": charts(data),
    }


def _today(request: web.Request) -> tuple[datetime, date]:
    now = clock_now(request.app)
    return now, now.astimezone(request.app[SETTINGS].tz).date()


async def dashboard(request: web.Request) -> web.StreamResponse:
    """The page: filters, figures, charts and their tables."""
    await require_admin(request)
    tz = request.app[SETTINGS].tz
    now, today = _today(request)
    try:
        filters = await parse_filters(request.query, today)
    except BadFilter as e:
        return error_page("查询条件有误", str(e), status=400)
    data = await load(filters.scope(tz), now, list(LOADERS))
    departments = await stats.department_tree()
    context = page_context(filters, data, departments, now, tz)
    settings = request.app[SETTINGS]
    context["feeds"] = [(f.name, calendar_url(settings, "room", f.id))
                        for f in await active_facilities()]
    return render("dashboard/page.html", request, context)


async def dashboard_csv(request: web.Request) -> web.StreamResponse:
    """One table of the page as CSV, with the page's filters."""
    await require_admin(request)
    key = request.match_info["table"]
    if key not in TABLES:
        return error_page("没有这张表", f"没有名为「{key[:40]}」的表；可导出的表：{'、'.join(TABLES)}",
                          status=404)
    tz = request.app[SETTINGS].tz
    now, today = _today(request)
    try:
        filters = await parse_filters(request.query, today)
    except BadFilter as e:
        return error_page("查询条件有误", str(e), status=400)
    if key in ROW_TABLES and (filters.last - filters.first).days + 1 > ROW_TABLE_DAYS:
        return error_page("明细请按月导出", f"每张明细表一次最多导出 {ROW_TABLE_DAYS} 天；"
                          "请把起止日期改在一个月之内再导出。", status=400)
    part, build = TABLES[key]
    data = await load(filters.scope(tz), now, [part])
    table = build(data[part], tz)
    span = f"{filters.first.isoformat()}_{filters.last.isoformat()}"
    name, chinese = f"{key}_{span}", f"{table.title}_{span}"
    if filters.department is not None:
        name += f"_dept{filters.department}"
        chinese += f"_部门{filters.department}"
    if key in fleet.CSV_NAMES:
        chinese = chinese.replace(table.title, fleet.CSV_NAMES[key], 1)
    # The Chinese name for browsers (RFC 6266 filename*), the ASCII one for any other.
    disposition = f"attachment; filename=\"{name}.csv\"; filename*=UTF-8''{quote(chinese + '.csv')}"
    return web.Response(
        body=to_csv(table),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


def setup_dashboard(app: web.Application) -> None:
    app.router.add_get("/dashboard", dashboard)
    app.router.add_get("/dashboard/{table}.csv", dashboard_csv)
