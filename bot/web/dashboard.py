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
`models.stats`; the tables and the CSV are `dashboard_tables.py`, the chart data
`dashboard_charts.py`; this module is the filters, the loaders and the two views.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from bot.keys import SETTINGS
from bot.web import fleet_dashboard as fleet
from bot.web.auth import error_page, require_admin
from bot.web.dashboard_charts import charts
from bot.web.dashboard_tables import (
    PAGE_ROWS,
    REPAIR_LIST_TITLE,
    TABLES,
    fmt_pct,
    num,
    repair_list_csv,
    to_csv,
)
from bot.web.links import calendar_url
from bot.web.templating import render
from handlers import fleet_report, inbox, outbox, stats
from handlers.queries import active_facilities
from handlers.stats import Scope

Clock = Callable[[], datetime]
CLOCK: web.AppKey[Clock] = web.AppKey("clock")  # tests fix the time; default: now
DEFAULT_DAYS = 30
INBOX_LATE_SECONDS = 30  # a message waiting longer is marked on the dashboard
# A table of one row per request (a large bureau files 3,000 a day) is exported a month at
# a time, as the bureau files its monthly reports; the other tables are one row per day,
# vehicle, room, department or step, whatever the range.
ROW_TABLES = frozenset({"repair_list"})
ROW_TABLE_DAYS = 31


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
    """The measures and the first rows of the list (the page shows no more; the CSV of
    the list has them all, `dashboard_csv` from `stats.repair_rows`)."""
    return await stats.repair_times(scope, now, items=PAGE_ROWS)


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

# ---------------------------------------------------------------------------------------
# The page


async def load(scope: Scope, now: datetime, names: Sequence[str]) -> dict[str, Any]:
    """The loaders' figures, the rollup's marks taken once for them all."""
    async def read() -> dict[str, Any]:
        return {name: await LOADERS[name](scope, now) for name in names}

    return await stats.consistent(scope.tz, read)


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
            ("用车小时", num(data["vehicle"].total_hours), False),
            ("当前超时", str(len(late)), bool(late)),
            ("派单及时率",
             fmt_pct(assign.within_limit / assign.count if assign.count else None),
             assign.over_limit > 0),
            ("场地占用率", fmt_pct(held / open_hours if open_hours else None), False),
            ("资产在库", str(data["assets"].in_stock), False),
            ("资产在用", str(data["assets"].in_use), False),
            ("行驶里程(公里)", f"{data['fleet'].total.distance:,}", False),
            ("车辆费用(元)", num(data["fleet"].total.cost), False),
            ("待发送消息", str(data["delivery"][0]), False),
            ("未送达消息", str(data["delivery"][1]), data["delivery"][1] > 0),
            ("待处理消息", str(data["delivery"][2]), data["delivery"][3] > INBOX_LATE_SECONDS),
            ("最久等待", f"{data['delivery'][3]:.0f}秒", data["delivery"][3] > INBOX_LATE_SECONDS),
        ],
        "tables": {key: _page_table(key, data[part], build, tz)
                   for key, (part, build) in TABLES.items()},
        "charts": charts(data),
    }


# Tables of one row an item of their list (the page shows the first PAGE_ROWS; the list
# of what is late now is thousands at a large bureau): built from the shown items only,
# counting them all.
_ITEM_TABLES = frozenset({"overdue"})


def _page_table(key: str, value: Any, build: Callable[[Any, Any], Any], tz: Any) -> Any:
    if key in _ITEM_TABLES and len(value) > PAGE_ROWS:
        table = build(value[:PAGE_ROWS], tz)
        table.count = len(value)
        return table
    return build(value, tz)


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
    scope = filters.scope(tz)
    if key == "repair_list":  # straight from the rows to the CSV (26,000 a month)
        title, body = REPAIR_LIST_TITLE, repair_list_csv(await stats.repair_rows(scope), tz)
    else:
        table = build(await stats.consistent(tz, lambda: LOADERS[part](scope, now)), tz)
        title, body = table.title, to_csv(table)
    span = f"{filters.first.isoformat()}_{filters.last.isoformat()}"
    name, chinese = f"{key}_{span}", f"{title}_{span}"
    if filters.department is not None:
        name += f"_dept{filters.department}"
        chinese += f"_部门{filters.department}"
    if key in fleet.CSV_NAMES:
        chinese = chinese.replace(title, fleet.CSV_NAMES[key], 1)
    # The Chinese name for browsers (RFC 6266 filename*), the ASCII one for any other.
    disposition = f"attachment; filename=\"{name}.csv\"; filename*=UTF-8''{quote(chinese + '.csv')}"
    return web.Response(
        body=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


def setup_dashboard(app: web.Application) -> None:
    app.router.add_get("/dashboard", dashboard)
    app.router.add_get("/dashboard/{table}.csv", dashboard_csv)
