"""The bureau's dashboard (issue 6, item 3; CONTRACT §4): `GET /dashboard` for admins
(WeCom OAuth with the `admin` role, or `Authorization: Bearer $ADMIN_TOKEN`).

    GET /dashboard?from=YYYY-MM-DD&to=YYYY-MM-DD&department=ID     the page
    GET /dashboard/{table}.csv?…same filters…                      one table as CSV

`from` and `to` are local days in BOT_TIMEZONE, both included (default: the last 30
days up to today); `department` counts that department and all below it. A bad value is
a 400 page saying which, never a 500.

One server-rendered page, no JavaScript: it must work in WeCom's built-in browser on a
phone, with no network beyond this service. Charts are inline SVG drawn here (bars,
stacked bars, a weekday × hour heat map); every value drawn is also in a table below
the chart, and every table has its CSV (UTF-8 with BOM, so that Excel reads Chinese).
All text that reaches HTML or SVG passes through `html.escape`; CSV cells that a
spreadsheet would run as a formula are prefixed with an apostrophe (OWASP's advice).
The numbers come from `models.stats`.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.keys import SETTINGS
from bot.web.auth import error_page, require_admin
from models import stats
from models.org import Department
from models.stats import Scope

Clock = Callable[[], datetime]
CLOCK: web.AppKey[Clock] = web.AppKey("clock")  # tests fix the time; default: now
DEFAULT_DAYS = 30

TYPE_NAMES = {
    "vehicle_booking": "用车",
    "facility_reservation": "场地预约",
    "repair_request": "报修",
}
TYPE_COLORS = {
    "vehicle_booking": "#2f6fb3",
    "facility_reservation": "#2e9d6a",
    "repair_request": "#d4892a",
}
STATUS_NAMES = {
    "pending": "待处理",
    "approved": "已批准",
    "rejected": "已驳回",
    "cancelled": "已撤销",
    "assigned": "已派单",
    "in_progress": "维修中",
    "completed": "已完成",
}
ROLE_NAMES = {
    "dept_head": "部门负责人",
    "fleet_manager": "车辆管理员",
    "facility_admin": "场地管理员",
    "repair_dispatcher": "报修调度",
    "admin": "管理员",
}
OVERDUE_NAMES = {
    "approval": "审批超时",
    "repair_unassigned": "报修未派单",
    "repair_unfinished": "维修未完成",
}
FACILITY_TYPE_NAMES = {
    "meeting_room": "会议室",
    "auditorium": "礼堂",
    "reception_room": "接待室",
    "gym": "健身房",
    "canteen_room": "食堂包间",
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
        if not await Department.exists(id=department):
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
    title: str
    show: Callable[[Any], str] = _num
    numeric: bool = True


def text(title: str) -> Column:
    return Column(title, lambda x: "" if x is None else str(x), numeric=False)


@dataclass(slots=True)
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)


def overdue_table(items: list[stats.OverdueItem], tz: Any) -> Table:
    t = Table("overdue", "当前超时", [
        text("单号"), text("业务"), text("超时类别"), text("申请人"), text("部门"),
        text("等待"), text("起算时间"), Column("已等待(分钟)", fmt_minutes),
        Column("时限(分钟)", fmt_minutes),
    ])
    for o in items:
        t.rows.append([
            f"#{o.no}", TYPE_NAMES.get(o.type, o.type), OVERDUE_NAMES.get(o.kind, o.kind),
            o.applicant, o.department, o.waiting_for or "（未派单）",
            f"{o.since.astimezone(tz):%Y-%m-%d %H:%M}", round(o.waited_min, 1), o.limit_min,
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
        Column("中位数(分钟)", fmt_minutes), Column("90分位(分钟)", fmt_minutes),
        Column("最长(分钟)", fmt_minutes), Column("超4小时"),
    ])
    for s in rows:
        t.rows.append([
            TYPE_NAMES.get(s.type, s.type), s.seq, ROLE_NAMES.get(s.role, s.role), s.count,
            round(s.median_min, 1), round(s.p90_min, 1), round(s.max_min, 1), s.over_limit,
        ])
    return t


def _r1(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def repairs_table(report: stats.RepairReport, tz: Any) -> Table:
    t = Table("repairs", "维修时效", [
        text("环节"), Column("时限(分钟)", fmt_minutes), Column("已达成"),
        Column("中位数(分钟)", fmt_minutes), Column("90分位(分钟)", fmt_minutes),
        Column("最长(分钟)", fmt_minutes), Column("时限内"), Column("超时"),
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
        text("单号"), text("报修时间"), text("状态"), text("地点"),
        Column("派单用时(分钟)", fmt_minutes), Column("完成用时(分钟)", fmt_minutes),
    ])
    for i in report.items:
        t.rows.append([
            f"#{i.no}", f"{i.created_at.astimezone(tz):%Y-%m-%d %H:%M}",
            STATUS_NAMES.get(i.status, i.status), i.location, _r1(i.assign_min), _r1(i.finish_min),
        ])
    return t


def rooms_table(report: stats.OccupancyReport, tz: Any) -> Table:
    t = Table("rooms", "各场地占用", [
        text("场地编号"), text("场地"), text("类型"), Column("占用小时"), Column("开放小时"),
        Column("占用率", fmt_pct), Column("预约数"),
    ])
    for r in report.rooms:
        t.rows.append([
            r.facility_id, r.name, FACILITY_TYPE_NAMES.get(r.type, r.type), round(r.hours, 2),
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


async def _overdue(scope: Scope, now: datetime) -> Any:
    return await stats.overdue(now, scope.department_id)


LOADERS: dict[str, Loader] = {
    "overdue": _overdue,
    "vehicle": _vehicle,
    "departments": _departments,
    "services": _services,
    "lead_times": _lead_times,
    "repairs": _repairs,
    "rooms": _rooms,
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
# SVG charts: fixed viewBox sized for a phone, scaled to the width of the page

W = 360  # viewBox width
FONT = 'font-family="sans-serif" font-size="10"'


def nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    base = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if m * base >= value - 1e-9:
            return m * base
    return 10 * base


def _svg(height: float, label: str, body: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {W} {height:.0f}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f"<title>{escape(label)}</title>{body}</svg>"
    )


def _empty(label: str) -> str:
    return _svg(40, label, f'<text x="{W / 2}" y="24" text-anchor="middle" fill="#888">暂无数据</text>')


def _short(label: str, n: int = 9) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def column_chart(label: str, points: Sequence[tuple[str, float, str]], unit: str) -> str:
    """Vertical bars: (x label, value, tooltip) for each point, in order."""
    if not points or all(v <= 0 for _, v, _ in points):
        return _empty(label)
    left, right, top, bottom, height = 32, 6, 10, 22, 170
    plot_w, plot_h = W - left - right, height - top - bottom
    top_value = nice_max(max(v for _, v, _ in points))
    step = plot_w / len(points)
    every = max(1, math.ceil(len(points) / 7))
    parts = []
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        parts.append(
            f'<line x1="{left}" x2="{W - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 3}" y="{y + 3:.1f}" text-anchor="end" fill="#666">'
            f"{escape(_num(top_value * frac))}</text>"
        )
    for i, (x_label, value, tip) in enumerate(points):
        h = plot_h * value / top_value
        x = left + i * step
        parts.append(
            f'<rect class="bar" x="{x + step * 0.1:.2f}" y="{top + plot_h - h:.2f}" '
            f'width="{max(step * 0.8, 0.5):.2f}" height="{h:.2f}" fill="#2f6fb3">'
            f"<title>{escape(tip)}：{escape(_num(value))}{escape(unit)}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - 8}" text-anchor="middle" fill="#666">'
                f"{escape(x_label)}</text>"
            )
    return _svg(height, label, "".join(parts))


def bar_chart(
    label: str,
    rows: Sequence[tuple[str, Sequence[tuple[float, str, str]]]],
    unit: str,
    *,
    limit: float | None = None,
    limit_label: str = "",
    stacked: bool = True,
) -> str:
    """Horizontal bars, one row per (label, segments); a segment is (value, color, name).
    Stacked segments add up; unstacked ones overlay from zero (the first drawn widest).
    `limit` draws a red vertical line (a time limit)."""
    if not rows or all(sum(v for v, _, _ in segs) <= 0 for _, segs in rows):
        return _empty(label)
    left, right, row_h = 100, 40, 20
    top = 6 if limit is None else 18  # room for the limit's label above the bars
    totals = [sum(v for v, _, _ in segs) if stacked else max(v for v, _, _ in segs)
              for _, segs in rows]
    top_value = nice_max(max([*totals, limit or 0]))
    plot_w = W - left - right
    height = top + row_h * len(rows) + 16
    parts = []
    for i, (row_label, segs) in enumerate(rows):
        y = top + i * row_h
        parts.append(
            f'<text x="{left - 4}" y="{y + 13}" text-anchor="end" fill="#333">'
            f"<title>{escape(row_label)}</title>{escape(_short(row_label))}</text>"
        )
        x: float = left
        order = segs if stacked else sorted(segs, key=lambda s: -s[0])
        for value, color, name in order:
            w = plot_w * value / top_value
            start = x if stacked else left
            parts.append(
                f'<rect class="bar" x="{start:.2f}" y="{y + 3}" width="{w:.2f}" height="{row_h - 6}" '
                f'fill="{escape(color)}"><title>{escape(row_label)} {escape(name)}：'
                f"{escape(_num(value))}{escape(unit)}</title></rect>"
            )
            if stacked:
                x += w
        end = left + plot_w * totals[i] / top_value
        parts.append(
            f'<text x="{end + 3:.1f}" y="{y + 13}" fill="#333">{escape(_num(totals[i]))}</text>'
        )
    axis_y = top + row_h * len(rows)
    parts.append(
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{axis_y}" stroke="#999"/>'
        f'<text x="{left}" y="{axis_y + 12}" fill="#666">0</text>'
        f'<text x="{left + plot_w}" y="{axis_y + 12}" text-anchor="end" fill="#666">'
        f"{escape(_num(top_value))}{escape(unit)}</text>"
    )
    if limit is not None:
        lx = left + plot_w * limit / top_value
        parts.append(
            f'<line class="limit" x1="{lx:.1f}" x2="{lx:.1f}" y1="{top}" y2="{axis_y}" '
            f'stroke="#c0392b" stroke-dasharray="4 2"><title>{escape(limit_label)}</title></line>'
            f'<text x="{lx:.1f}" y="12" text-anchor="middle" fill="#c0392b">'
            f"{escape(limit_label)}</text>"
        )
    return _svg(height, label, "".join(parts))


def heatmap(label: str, grid: Sequence[Sequence[float]], rows: Sequence[str]) -> str:
    """Rows × 24 hours, darker for more."""
    peak = max((v for row in grid for v in row), default=0)
    if peak <= 0:
        return _empty(label)
    left, top, cell_h = 30, 14, 16
    cell_w = (W - left - 4) / 24
    parts = []
    for h in range(0, 24, 3):
        parts.append(
            f'<text x="{left + (h + 0.5) * cell_w:.1f}" y="10" text-anchor="middle" fill="#666">{h}</text>'
        )
    for r, row in enumerate(grid):
        y = top + r * cell_h
        parts.append(f'<text x="{left - 4}" y="{y + 12}" text-anchor="end" fill="#333">'
                     f"{escape(rows[r])}</text>")
        for h, v in enumerate(row):
            opacity = 0.06 if v <= 0 else 0.15 + 0.85 * v / peak
            parts.append(
                f'<rect class="cell" x="{left + h * cell_w:.2f}" y="{y}" width="{cell_w - 1:.2f}" '
                f'height="{cell_h - 1}" fill="#2e9d6a" fill-opacity="{opacity:.2f}">'
                f"<title>{escape(rows[r])} {h}:00–{h + 1}:00：{escape(_num(v, 2))}小时</title></rect>"
            )
    return _svg(top + cell_h * len(grid) + 4, label, "".join(parts))


def _legend(items: Sequence[tuple[str, str]]) -> str:
    return '<p class="legend">' + "".join(
        f'<span><i style="background:{escape(c)}"></i>{escape(n)}</span>' for n, c in items
    ) + "</p>"


# ---------------------------------------------------------------------------------------
# The page

CSS = """
body{margin:0;font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;
 color:#222;background:#f4f5f7;font-size:15px;line-height:1.45}
main{max-width:780px;margin:0 auto;padding:12px}
h1{font-size:20px;margin:4px 0}h2{font-size:17px;margin:0 0 8px}h3{font-size:14px;margin:10px 0 4px;color:#555}
section{background:#fff;border-radius:8px;padding:12px;margin:12px 0;box-shadow:0 1px 2px #0001}
.muted{color:#777;font-size:13px}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}
form.filters label{display:flex;flex-direction:column;font-size:13px;color:#555}
form.filters input,form.filters select,form.filters button{font-size:15px;padding:6px;min-height:36px}
form.filters button{background:#2f6fb3;color:#fff;border:0;border-radius:6px;padding:6px 16px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:8px}
.kpi{background:#fff;border-radius:8px;padding:10px;box-shadow:0 1px 2px #0001}
.kpi b{display:block;font-size:22px}.kpi.bad b{color:#c0392b}
svg.chart{width:100%;height:auto;display:block;margin:4px 0}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;white-space:nowrap}
td.n{text-align:right;font-variant-numeric:tabular-nums}
details summary{cursor:pointer;color:#2f6fb3;margin:6px 0}
a.csv{font-size:13px;color:#2f6fb3}
.legend span{margin-right:12px;font-size:12px;color:#555}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
"""


def table_html(table: Table, filters: Filters, *, open_: bool = False) -> str:
    head = "".join(f"<th>{escape(c.title)}</th>" for c in table.columns)
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td class="n">{escape(c.show(v))}</td>' if c.numeric
            else f"<td>{escape(c.show(v))}</td>"
            for c, v in zip(table.columns, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(table.columns)}" class="muted">暂无数据</td></tr>')
    href = f"/dashboard/{table.key}.csv?{filters.query()}"
    return (
        f'<details{" open" if open_ else ""}><summary>{escape(table.title)}（{len(table.rows)}行）'
        f"</summary>"
        f'<div class="scroll"><table id="t-{escape(table.key)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
        f'<a class="csv" href="{escape(href)}" download>导出 CSV</a></details>'
    )


async def load(scope: Scope, now: datetime, names: Sequence[str]) -> dict[str, Any]:
    return {name: await LOADERS[name](scope, now) for name in names}


def render_page(
    filters: Filters,
    data: dict[str, Any],
    departments: list[stats.DepartmentNode],
    now: datetime,
    tz: Any,
) -> str:
    tables = {key: build(data[part], tz) for key, (part, build) in TABLES.items()}
    vehicle: stats.VehicleReport = data["vehicle"]
    services: list[stats.ServiceCount] = data["services"]
    depts: list[stats.DepartmentCount] = data["departments"]
    leads: list[stats.StepLeadTime] = data["lead_times"]
    repairs: stats.RepairReport = data["repairs"]
    rooms: stats.OccupancyReport = data["rooms"]
    late: list[stats.OverdueItem] = data["overdue"]

    dept_name = next((d.name for d in departments if d.id == filters.department), "全部部门")
    options = ['<option value="">全部部门</option>'] + [
        f'<option value="{d.id}"{" selected" if d.id == filters.department else ""}>'
        f"{escape(chr(0x3000) * d.depth + d.name)}</option>"
        for d in departments
    ]
    total_requests = sum(s.total for s in services)
    assign = repairs.assign
    held = sum(r.hours for r in rooms.rooms)
    open_hours = sum(r.open_hours for r in rooms.rooms)
    kpis = [
        ("申请总数", str(total_requests), False),
        ("用车小时", _num(vehicle.total_hours), False),
        ("当前超时", str(len(late)), bool(late)),
        ("派单及时率", fmt_pct(assign.within_limit / assign.count if assign.count else None),
         assign.over_limit > 0),
        ("场地占用率", fmt_pct(held / open_hours if open_hours else None), False),
    ]
    kpi_html = "".join(
        f'<div class="kpi{" bad" if bad else ""}"><span class="muted">{escape(k)}</span>'
        f"<b>{escape(v)}</b></div>"
        for k, v, bad in kpis
    )

    per_day = column_chart(
        "每日用车小时",
        [(f"{d.day.month}/{d.day.day}", d.hours,
          f"{d.day.isoformat()} {WEEKDAYS[d.day.weekday()]}") for d in vehicle.per_day],
        "小时",
    )
    per_vehicle = bar_chart(
        "各车用车小时",
        [(v.plate, [(v.hours, "#2f6fb3", "用车")]) for v in vehicle.per_vehicle],
        "小时",
    )
    per_dept = bar_chart(
        "各部门申请量（本部门）",
        [(d.name,
          [(d.own.get(k, 0), TYPE_COLORS[k], TYPE_NAMES[k]) for k in TYPE_NAMES])
         for d in depts],
        "件",
    )
    per_service = bar_chart(
        "各业务申请量",
        [(TYPE_NAMES.get(s.type, s.type), [(s.total, TYPE_COLORS.get(s.type, "#888"), "合计")])
         for s in services],
        "件",
    )
    lead_rows = [
        (f"{TYPE_NAMES.get(s.type, s.type)[:2]}{s.seq}·{ROLE_NAMES.get(s.role, s.role)}",
         [(s.p90_min / 60, "#9cc3e6", "90分位"), (s.median_min / 60, "#2f6fb3", "中位数")])
        for s in leads
    ]
    lead_chart = bar_chart("审批用时（小时）", lead_rows, "小时", stacked=False,
                           limit=stats.STEP_LIMIT.total_seconds() / 3600, limit_label="时限4小时")
    repair_charts = []
    for m, scale, unit in ((repairs.assign, 1, "分钟"), (repairs.finish, 60, "小时")):
        rows_ = [] if not m.count else [(
            f"报修→{REPAIR_STAGES[m.name]}",
            [((m.p90_min or 0) / scale, "#f2c28f", "90分位"),
             ((m.median_min or 0) / scale, "#d4892a", "中位数")],
        )]
        repair_charts.append(bar_chart(
            f"报修→{REPAIR_STAGES[m.name]}用时（{unit}）", rows_, unit, stacked=False,
            limit=m.limit_min / scale, limit_label=f"时限{fmt_minutes(m.limit_min)}",
        ))
    occupancy = heatmap("场地占用（小时）按星期和时段", rooms.grid, WEEKDAYS)

    def section(sid: str, title: str, *body: str) -> str:
        return f'<section id="{sid}"><h2>{escape(title)}</h2>{"".join(body)}</section>'

    lead_legend = _legend([("中位数", "#2f6fb3"), ("90分位", "#9cc3e6"), ("时限", "#c0392b")])
    body = [
        '<header><h1>机关事务运行监控</h1>'
        f'<p class="muted">{filters.first.isoformat()} 至 {filters.last.isoformat()}（含）· '
        f"{escape(dept_name)}（含下级）· 数据截至 {now.astimezone(tz):%Y-%m-%d %H:%M}</p></header>",
        '<section><form class="filters" method="get" action="/dashboard">'
        f'<label>开始日期<input type="date" name="from" value="{filters.first.isoformat()}"></label>'
        f'<label>结束日期<input type="date" name="to" value="{filters.last.isoformat()}"></label>'
        f'<label>部门<select name="department">{"".join(options)}</select></label>'
        "<button type=\"submit\">查询</button></form></section>",
        f'<div class="kpis">{kpi_html}</div>',
        section("overdue", f"当前超时（{len(late)}）",
                '<p class="muted">审批等待超过4小时、报修超过30分钟未派单、超过24小时未修好；'
                "不受日期范围限制。</p>",
                table_html(tables["overdue"], filters, open_=True)),
        section("vehicles", "用车情况",
                '<p class="muted">已批准和已完成的用车，按预约时段计小时。</p>',
                "<h3>每日用车小时</h3>", per_day, table_html(tables["vehicle_days"], filters),
                "<h3>各车用车小时</h3>", per_vehicle, table_html(tables["vehicles"], filters)),
        section("requests", "申请量",
                '<p class="muted">范围内提交的申请（按申请人提交时所在部门）。</p>',
                "<h3>各部门</h3>",
                _legend([(TYPE_NAMES[k], TYPE_COLORS[k]) for k in TYPE_NAMES]),
                per_dept, table_html(tables["departments"], filters),
                "<h3>各业务</h3>", per_service, table_html(tables["services"], filters)),
        section("approvals", "审批时效",
                '<p class="muted">每一步从申请提交（第1步）或上一步决定起，到本步决定为止；'
                "按决定时间落在范围内统计。</p>",
                lead_legend, lead_chart, table_html(tables["lead_times"], filters)),
        section("repairs", "维修时效",
                '<p class="muted">范围内的报修：报修→派单（时限30分钟）、报修→完成（时限24小时）。</p>',
                _legend([("中位数", "#d4892a"), ("90分位", "#f2c28f"), ("时限", "#c0392b")]),
                *repair_charts, table_html(tables["repairs"], filters, open_=True),
                table_html(tables["repair_list"], filters)),
        section("rooms", "场地占用",
                '<p class="muted">已批准的场地预约占用的小时数，按星期和时段；占用率 = 占用 ÷ 开放时间。</p>',
                occupancy, table_html(tables["occupancy"], filters),
                table_html(tables["rooms"], filters)),
    ]
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>运行监控 · 机关事务管理局</title>"
        f"<style>{CSS}</style></head><body><main>{''.join(body)}</main></body></html>"
    )


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
    html = render_page(filters, data, departments, now, tz)
    return web.Response(text=html, content_type="text/html",
                        headers={"Cache-Control": "no-store"})


async def dashboard_csv(request: web.Request) -> web.StreamResponse:
    """One table of the page as CSV, with the page's filters."""
    await require_admin(request)
    key = request.match_info["table"]
    if key not in TABLES:
        raise web.HTTPNotFound(text=f"no table {key[:40]}; tables: {', '.join(TABLES)}")
    tz = request.app[SETTINGS].tz
    now, today = _today(request)
    try:
        filters = await parse_filters(request.query, today)
    except BadFilter as e:
        return error_page("查询条件有误", str(e), status=400)
    part, build = TABLES[key]
    data = await load(filters.scope(tz), now, [part])
    table = build(data[part], tz)
    name = f"{key}_{filters.first.isoformat()}_{filters.last.isoformat()}"
    if filters.department is not None:
        name += f"_dept{filters.department}"
    return web.Response(
        body=to_csv(table),
        content_type="text/csv",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"',
            "Cache-Control": "no-store",
        },
    )


def setup_dashboard(app: web.Application) -> None:
    app.router.add_get("/dashboard", dashboard)
    app.router.add_get("/dashboard/{table}.csv", dashboard_csv)
