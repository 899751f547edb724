"""The dashboard's tables (bot/web/dashboard.py): each subject's raw values, for its CSV,
and how the page shows them; the CSV itself (UTF-8 with BOM, so that Excel reads
Chinese; a cell a spreadsheet would run as a formula prefixed with an apostrophe, as
OWASP advises)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.web import fleet_dashboard as fleet
from handlers import fleet_report, stats
from handlers.labels import (
    STATUS_NAMES,
    TYPE_NAMES,
    RequestType,
    facility_type_name,
    role_name,
    status_label,
)
from handlers.repair import CATEGORY_NAMES

PAGE_ROWS = 200  # rows of one table on the page; its CSV has every row
OVERDUE_NAMES = {
    "approval": "审批超时",
    "repair_unassigned": "报修未派单",
    "repair_unfinished": "维修未完成",
}
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
REPAIR_STAGES = {"assign": "派单", "finish": "完成"}


# ---------------------------------------------------------------------------------------
# Tables: raw values (for CSV) and how the page shows them


def num(x: Any, digits: int = 1) -> str:
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
    show: Callable[[Any], str] = num  # a value as the page shows it
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
    count: int | None = None  # the rows of the whole table when `rows` has only the first

    @property
    def total(self) -> int:
        return len(self.rows) if self.count is None else max(self.count, len(self.rows))

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
        return self.total > PAGE_ROWS

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


REPAIR_LIST_TITLE = "报修明细"


def _repair_list_columns() -> list[Column]:
    return [
        text("单号"), text("报修时间"), text("状态"), text("地点"), text("类别"), text("维修人员"),
        duration("派单用时"), duration("完成用时"), Column("评分", _score), text("评价意见"),
    ]


def repair_list_table(report: stats.RepairReport, tz: Any) -> Table:
    t = Table("repair_list", REPAIR_LIST_TITLE, _repair_list_columns())
    t.count = report.item_count
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
        t = Table(key, title, [text(who), Column("评价数"), Column("平均分", lambda x: num(x, 2))])
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


def repair_list_csv(rows: list[stats.RepairRow], tz: Any) -> bytes:
    """The repair list's CSV straight from the rows (a month of a large bureau is 26,000):
    what `to_csv(repair_list_table(...))` gives, byte for byte, without a table of cells
    or an object a row in between; the free text (location, worker, comment) guarded as
    every CSV cell is."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.title for c in _repair_list_columns()])
    labels = {s: status_label(RequestType.REPAIR_REQUEST, s) for s in {r[2] for r in rows}}
    cell = _csv_cell
    writer.writerows((f"#{no}",
                      began.astimezone(tz).isoformat(" ", "minutes")[:16],  # "%Y-%m-%d %H:%M"
                      labels[status],
                      cell(location),
                      CATEGORY_NAMES.get(category, "其他") if category else "",
                      cell(worker),
                      None if assign is None else round(assign, 1),
                      None if finish is None else round(finish, 1),
                      rating,
                      cell(comment))
                     for no, began, status, location, assign, finish, category, worker, rating,
                     comment in rows)
    return out.getvalue().encode("utf-8")


def to_csv(table: Table) -> bytes:
    """The table as CSV, UTF-8 with a BOM (Excel), CRLF rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.title for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
