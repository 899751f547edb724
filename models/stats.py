"""What the bureau watches (issue 6, item 3): read-only measures for the dashboard.

Every function takes a `Scope`: the days [start, end) in the business time zone and an
optional department, which counts the requests filed from it and from all its
sub-departments (`Request.department_id_at`, the applicant's department when applying).
Results are plain dataclasses; nothing here writes.

    vehicle_use           hours booked per local day and per vehicle (approved/completed)
    requests_by_department / requests_by_service   requests created in the range
    approval_lead_times   per step: from request creation (step 1) or the previous
                          step's decision to this step's decision; median and p90
    repair_times          create → first assign, create → completed, against the limits
    room_occupancy        hours held by approved reservations per weekday × hour, per room
    overdue               what is late *now* (the range does not apply)

Durations are measured on the stored UTC moments; only bucketing (day, weekday, hour)
uses the business time zone. Percentiles interpolate linearly between closest ranks
(numpy's default), so the median of an even count is the mean of the middle two.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from tortoise import connections

from models.audit import AuditLog
from models.holds import MAX_WINDOW
from models.org import Department, Facility, RequestType, User, Vehicle
from models.requests import NUMBER_BASE, ApprovalStep, Request, RequestStatus
from models.sql import in_dialect

ASSIGN_LIMIT = timedelta(minutes=30)  # a repair gets a worker within this
FINISH_LIMIT = timedelta(hours=24)  # a repair is done within this of being reported
STEP_LIMIT = timedelta(hours=4)  # an approval step waits no longer than this
MAX_DAYS = 366  # the longest range a query may cover

ZERO = timedelta(0)
BOOKED = (RequestStatus.APPROVED, RequestStatus.COMPLETED)  # what counts as use
_CHUNK = 500  # ids per IN (...) query: far below SQLite's and asyncpg's parameter limits


class UnknownDepartment(LookupError):
    def __init__(self, department_id: int) -> None:
        super().__init__(f"no department {department_id}")
        self.department_id = department_id


@dataclass(frozen=True, slots=True)
class Scope:
    """Local days [start, end) in `tz`, optionally one department and its subtree."""

    start: date
    end: date
    tz: tzinfo
    department_id: int | None = None

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("the range must end after it starts")
        if (self.end - self.start).days > MAX_DAYS:
            raise ValueError(f"the range may cover at most {MAX_DAYS} days")

    @property
    def since(self) -> datetime:
        return local_midnight(self.start, self.tz)

    @property
    def until(self) -> datetime:
        return local_midnight(self.end, self.tz)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """The UTC moment a local day begins."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def as_utc(moment: datetime) -> datetime:
    """Stored moments are UTC; a naive one read back is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile (0 ≤ q ≤ 1) with linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield list(ids[i : i + _CHUNK])


# ---------------------------------------------------------------------------------------
# SQL of both dialects: the aggregates run in the database (a year of a large bureau is a
# million requests); only fixed fragments are formatted in, every value is a parameter.


def _conn() -> Any:
    return connections.get("default")


def _pg(conn: Any) -> bool:
    return bool(conn.capabilities.dialect == "postgres")


def _hours(conn: Any, a: str, b: str) -> str:
    """Hours from timestamp expression `a` to `b`."""
    if _pg(conn):
        return f"(EXTRACT(EPOCH FROM ({b} - {a})) / 3600.0)"
    return f"((julianday({b}) - julianday({a})) * 24.0)"


def _in(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    return f"{column} IN ({', '.join('?' * len(values))})", list(values)


async def _department_filter(scope_department: int | None, column: str) -> tuple[str, list[Any]]:
    """(" AND column IN (...)", params) for the department's subtree; ("", []) for none."""
    ids = await department_ids(scope_department)
    if ids is None:
        return "", []
    sql, params = _in(column, ids)
    return f" AND {sql}", params


async def _rows(sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    conn = _conn()
    return list(await conn.execute_query_dict(in_dialect(conn, sql), list(params)))


def _moment(value: Any) -> datetime:
    """A timestamp as the raw query returns it (SQLite: text) as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value)


# ---------------------------------------------------------------------------------------
# Departments


@dataclass(frozen=True, slots=True)
class DepartmentNode:
    id: int
    name: str
    parent_id: int | None
    depth: int  # 0 for the scope's root(s)


async def department_tree(root: int | None = None) -> list[DepartmentNode]:
    """Departments in tree order (parents before children, siblings by id); only the
    subtree of `root` when given. Raises UnknownDepartment for an unknown root."""
    rows = await Department.all().order_by("id").values("id", "name", "parent_id")
    by_id = {r["id"]: r for r in rows}
    children: dict[int | None, list[int]] = defaultdict(list)
    for r in rows:
        parent = r["parent_id"] if r["parent_id"] in by_id else None
        children[parent].append(r["id"])
    if root is not None and root not in by_id:
        raise UnknownDepartment(root)
    out: list[DepartmentNode] = []
    seen: set[int] = set()
    stack = [(i, 0) for i in reversed([root] if root is not None else children[None])]
    while stack:
        did, depth = stack.pop()
        if did in seen:  # a cycle cannot come from the seed, but never loop on one
            continue
        seen.add(did)
        r = by_id[did]
        out.append(DepartmentNode(did, r["name"], r["parent_id"], depth))
        stack.extend((c, depth + 1) for c in reversed(children[did]))
    return out


async def department_ids(department_id: int | None) -> list[int] | None:
    """The department and all below it; None (no filter) for None."""
    if department_id is None:
        return None
    return [n.id for n in await department_tree(department_id)]


async def _requests(scope: Scope, **filters: Any) -> Any:
    """A Request queryset with the scope's department filter applied."""
    query = Request.filter(**filters)
    ids = await department_ids(scope.department_id)
    if ids is not None:
        query = query.filter(department_id_at__in=ids)
    return query


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


def _split_by_day(start: datetime, end: datetime, tz: tzinfo) -> Iterable[tuple[date, float]]:
    """(local day, hours) pieces of [start, end)."""
    day = start.astimezone(tz).date()
    while True:
        day_start = local_midnight(day, tz)
        day_end = local_midnight(day + timedelta(days=1), tz)
        lo, hi = max(start, day_start), min(end, day_end)
        if hi > lo:
            yield day, (hi - lo).total_seconds() / 3600
        if day_end >= end:
            return
        day += timedelta(days=1)


async def vehicle_use(scope: Scope) -> VehicleReport:
    """Hours of approved or completed vehicle bookings inside the range, per local day and
    per vehicle (a booking over midnight counts on both days). One range query of plain
    rows (index (type, start), bounded below by the longest window a booking may have);
    the split by local day is cheap in Python, a Tortoise object per row was not (and a
    join of the days to the bookings is planned well by SQLite, not by PostgreSQL)."""
    since, until = scope.since, scope.until
    dept_sql, dept_params = await _department_filter(scope.department_id, "department_id_at")
    status_sql, status_params = _in("status", [str(s) for s in BOOKED])
    rows = await _rows(
        'SELECT start, "end", vehicle_id FROM request '  # noqa: S608
        f"WHERE type = ? AND {status_sql} AND start < ? AND \"end\" > ? AND start >= ? "
        f"AND vehicle_id IS NOT NULL{dept_sql}",
        [str(RequestType.VEHICLE_BOOKING), *status_params, until, since, since - MAX_WINDOW,
         *dept_params])
    days = scope.days()
    # The local midnights of the range, as UTC moments: a booking's day by bisection.
    edges = [local_midnight(d, scope.tz) for d in days] + [until]
    hours: dict[int, float] = defaultdict(float)
    count: dict[int, int] = defaultdict(int)
    v_hours: dict[int, float] = defaultdict(float)
    v_count: dict[int, int] = defaultdict(int)
    for r in rows:
        start, end = max(_moment(r["start"]), since), min(_moment(r["end"]), until)
        if end <= start:
            continue
        i = bisect_right(edges, start) - 1
        while i < len(days) and edges[i] < end:
            piece = min(end, edges[i + 1]) - max(start, edges[i])
            if piece > ZERO:
                hours[i] += piece.total_seconds() / 3600
                count[i] += 1
            i += 1
        vid = int(r["vehicle_id"])
        v_hours[vid] += (end - start).total_seconds() / 3600
        v_count[vid] += 1
    per_day = [DayUse(d, round(hours.get(i, 0.0), 4), count.get(i, 0)) for i, d in enumerate(days)]
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
# Requests per department and per service

TYPES = tuple(RequestType)  # every type counts, zero when it has no requests


@dataclass(frozen=True, slots=True)
class DepartmentCount:
    id: int
    name: str
    depth: int
    own: dict[str, int]  # request type → requests filed from this department itself
    subtree_total: int  # all requests from it and its sub-departments

    @property
    def own_total(self) -> int:
        return sum(self.own.values())


async def requests_by_department(scope: Scope) -> list[DepartmentCount]:
    """Requests created in the range, per department of the scope's tree (in tree order),
    per request type; `subtree_total` adds the sub-departments."""
    tree = await department_tree(scope.department_id)
    dept_sql, dept_params = await _department_filter(scope.department_id, "department_id_at")
    rows = await _rows(
        "SELECT department_id_at AS d, type AS t, COUNT(*) AS n FROM request "  # noqa: S608
        f"WHERE created_at >= ? AND created_at < ?{dept_sql} GROUP BY department_id_at, type",
        [scope.since, scope.until, *dept_params])
    own: dict[int, dict[str, int]] = {n.id: dict.fromkeys(map(str, TYPES), 0) for n in tree}
    for r in rows:
        counts = own.get(int(r["d"]))
        if counts is not None:
            counts[str(r["t"])] = counts.get(str(r["t"]), 0) + int(r["n"])
    totals = {n.id: sum(own[n.id].values()) for n in tree}
    for node in reversed(tree):  # children come after their parent: add upwards
        if node.parent_id in totals and node.depth > 0:
            totals[node.parent_id] += totals[node.id]
    return [DepartmentCount(n.id, n.name, n.depth, own[n.id], totals[n.id]) for n in tree]


@dataclass(frozen=True, slots=True)
class ServiceCount:
    type: str
    total: int
    by_status: dict[str, int]  # every RequestStatus, 0 when none


async def requests_by_service(scope: Scope) -> list[ServiceCount]:
    """Requests created in the range per request type, with how they stand now."""
    dept_sql, dept_params = await _department_filter(scope.department_id, "department_id_at")
    rows = await _rows(
        "SELECT type AS t, status AS s, COUNT(*) AS n FROM request "  # noqa: S608
        f"WHERE created_at >= ? AND created_at < ?{dept_sql} GROUP BY type, status",
        [scope.since, scope.until, *dept_params])
    counts: dict[str, dict[str, int]] = {
        str(t): dict.fromkeys(map(str, RequestStatus), 0) for t in TYPES
    }
    for r in rows:
        counts.setdefault(str(r["t"]), dict.fromkeys(map(str, RequestStatus), 0))
        counts[str(r["t"])][str(r["s"])] += int(r["n"])
    return [ServiceCount(t, sum(c.values()), c) for t, c in counts.items()]


# ---------------------------------------------------------------------------------------
# Approval lead times


@dataclass(frozen=True, slots=True)
class StepLeadTime:
    type: str  # request type
    seq: int
    role: str
    count: int
    median_min: float
    p90_min: float
    max_min: float
    over_limit: int  # decisions that took longer than STEP_LIMIT


async def approval_lead_times(scope: Scope) -> list[StepLeadTime]:
    """For each (request type, step number, role): how long decisions decided in the
    range took, from the request's creation (step 1) or the previous step's decision."""
    conn = _conn()
    dept_sql, dept_params = await _department_filter(scope.department_id, "r.department_id_at")
    began = "(CASE WHEN x.prev IS NOT NULL AND x.prev > x.created_at THEN x.prev ELSE x.created_at END)"
    # One query: each step decided in the range with the moment its wait began — the
    # request's creation or the step before's decision (steps are decided in order, so
    # that is the latest earlier one; index (request_id, seq)) — and none when the step
    # before is undecided (cannot be, from this app; data from elsewhere is skipped).
    rows = await _rows(
        f"SELECT x.t AS t, x.seq AS seq, x.role AS role, "  # noqa: S608
        f"{_hours(conn, began, 'x.decided_at')} * 60.0 AS m FROM ("
        "SELECT r.type AS t, s.seq AS seq, s.role AS role, s.decided_at AS decided_at, "
        "r.created_at AS created_at, p.decided_at AS prev "
        "FROM approval_step s JOIN request r ON r.id = s.request_id "
        "LEFT JOIN approval_step p ON p.request_id = s.request_id AND p.seq = s.seq - 1 "
        f"WHERE s.decided_at >= ? AND s.decided_at < ?{dept_sql} "
        "AND (s.seq = 1 OR p.decided_at IS NOT NULL)) x",
        [scope.since, scope.until, *dept_params])
    waits: dict[tuple[str, int, str], list[float]] = defaultdict(list)
    for r in rows:
        waits[(str(r["t"]), int(r["seq"]), str(r["role"]))].append(float(r["m"]))
    limit = _minutes(STEP_LIMIT)
    out = []
    for (rtype, seq, role), values in sorted(waits.items()):
        out.append(
            StepLeadTime(
                rtype,
                seq,
                role,
                len(values),
                round(percentile(values, 0.5) or 0.0, 4),
                round(percentile(values, 0.9) or 0.0, 4),
                round(max(values), 4),
                sum(v > limit for v in values),
            )
        )
    return out


# ---------------------------------------------------------------------------------------
# Repairs


@dataclass(frozen=True, slots=True)
class RepairItem:
    no: int
    created_at: datetime
    status: str
    location: str
    assign_min: float | None  # None while unassigned
    finish_min: float | None  # None while not completed
    category: str = ""  # the repair_category code ("hvac")
    worker: str = ""  # the assigned worker's name
    rating: int | None = None
    comment: str = ""  # the rating's comment


@dataclass(frozen=True, slots=True)
class RepairMeasure:
    name: str  # "assign" or "finish"
    limit_min: float
    count: int  # repairs that reached the step
    median_min: float | None
    p90_min: float | None
    max_min: float | None
    within_limit: int
    over_limit: int
    open_over_limit: int  # not there yet and already past the limit at `now`


@dataclass(frozen=True, slots=True)
class RepairReport:
    assign: RepairMeasure
    finish: RepairMeasure
    items: list[RepairItem] = field(default_factory=list)


def _measure(
    name: str, limit: timedelta, values: list[float], open_ages: list[float]
) -> RepairMeasure:
    lim = _minutes(limit)

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 4)

    return RepairMeasure(
        name,
        lim,
        len(values),
        r(percentile(values, 0.5)),
        r(percentile(values, 0.9)),
        r(max(values) if values else None),
        sum(v <= lim for v in values),
        sum(v > lim for v in values),
        sum(a > lim for a in open_ages),
    )


async def repair_times(scope: Scope, now: datetime) -> RepairReport:
    """Repairs reported in the range: report → first assignment and report → completion
    (AuditLog 'create', 'assign', 'completed'), against ASSIGN_LIMIT and FINISH_LIMIT.
    Cancelled repairs count only for the steps they reached."""
    now = as_utc(now)
    query = await _requests(
        scope,
        type=RequestType.REPAIR_REQUEST,
        created_at__gte=scope.since,
        created_at__lt=scope.until,
    )
    rows = await query.order_by("id").values("id", "created_at", "status", "details", "rating",
                                             "assignee__name")
    moments: dict[int, dict[str, datetime]] = defaultdict(dict)
    for chunk in _chunks([r["id"] for r in rows]):
        logs = await (
            AuditLog.filter(request_id__in=chunk, action__in=["create", "assign", "completed"])
            .order_by("at", "id")
            .values("request_id", "action", "at")
        )
        for log in logs:
            moments[log["request_id"]].setdefault(log["action"], as_utc(log["at"]))
    items: list[RepairItem] = []
    assign, finish, open_assign, open_finish = [], [], [], []
    for r in rows:
        seen = moments[r["id"]]
        began = seen.get("create", _moment(r["created_at"]))
        status = str(r["status"])
        a = _minutes(seen["assign"] - began) if "assign" in seen else None
        f = _minutes(seen["completed"] - began) if "completed" in seen else None
        if a is not None:
            assign.append(a)
        elif status == RequestStatus.PENDING:
            open_assign.append(_minutes(now - began))
        if f is not None:
            finish.append(f)
        elif status in (RequestStatus.PENDING, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS):
            open_finish.append(_minutes(now - began))
        details = r["details"] if isinstance(r["details"], dict) else {}
        items.append(
            RepairItem(
                r["id"] + NUMBER_BASE,
                began,
                status,
                str(details.get("location") or ""),
                None if a is None else round(a, 4),
                None if f is None else round(f, 4),
                category=str(details.get("category") or ""),
                worker=str(r["assignee__name"] or ""),
                rating=r["rating"],
                comment=str(details.get("rating_comment") or ""),
            )
        )
    return RepairReport(
        _measure("assign", ASSIGN_LIMIT, assign, open_assign),
        _measure("finish", FINISH_LIMIT, finish, open_finish),
        items,
    )


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


def _split_by_hour(start: datetime, end: datetime, tz: tzinfo) -> Iterable[tuple[int, int, float]]:
    """(weekday, local hour, hours) pieces of [start, end)."""
    t = start
    while t < end:
        local = t.astimezone(tz)
        step = timedelta(
            minutes=60 - local.minute, seconds=-local.second, microseconds=-local.microsecond
        )
        nxt = min(end, t + step)
        yield local.weekday(), local.hour, (nxt - t).total_seconds() / 3600
        t = nxt


def _open_hours(open_from: str, open_to: str) -> float:
    try:
        a, b = time.fromisoformat(open_from), time.fromisoformat(open_to)
    except ValueError:
        return 0.0
    return max(0.0, (b.hour * 60 + b.minute - a.hour * 60 - a.minute) / 60)


async def room_occupancy(scope: Scope) -> OccupancyReport:
    """Hours held by approved (or completed) reservations inside the range, per local
    weekday × hour over all facilities, and per facility against its opening hours."""
    since, until = scope.since, scope.until
    dept_sql, dept_params = await _department_filter(scope.department_id, "department_id_at")
    status_sql, status_params = _in("status", [str(s) for s in BOOKED])
    # Plain rows (index (type, start), bounded below by the longest window): the split by
    # local hour below is cheap; building a Tortoise object per row was not.
    rows = await _rows(
        'SELECT start, "end", facility_id FROM request '  # noqa: S608
        f"WHERE type = ? AND {status_sql} AND start < ? AND \"end\" > ? AND start >= ? "
        f"AND facility_id IS NOT NULL{dept_sql}",
        [str(RequestType.FACILITY_RESERVATION), *status_params, until, since,
         since - MAX_WINDOW, *dept_params])
    grid = [[0.0] * 24 for _ in range(7)]
    held: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for r in rows:
        start, end = max(_moment(r["start"]), since), min(_moment(r["end"]), until)
        if end <= start:
            continue
        for weekday, hour, h in _split_by_hour(start, end, scope.tz):
            grid[weekday][hour] += h
        held[r["facility_id"]] += (end - start).total_seconds() / 3600
        count[r["facility_id"]] += 1
    days = len(scope.days())
    facilities = await Facility.all().order_by("id").values(
        "id", "name", "type", "open_from", "open_to", "active"
    )
    rooms = [
        RoomUse(
            f["id"],
            f["name"],
            str(f["type"]),
            round(held[f["id"]], 4),
            round(_open_hours(f["open_from"], f["open_to"]) * days, 4),
            count[f["id"]],
        )
        for f in facilities
        if f["active"] or f["id"] in held
    ]
    rooms.sort(key=lambda r: (-r.hours, r.facility_id))
    return OccupancyReport([[round(h, 4) for h in row] for row in grid], rooms)


# ---------------------------------------------------------------------------------------
# Overdue now


@dataclass(frozen=True, slots=True)
class OverdueItem:
    no: int
    type: str
    kind: str  # "approval", "repair_unassigned", "repair_unfinished"
    applicant: str  # name
    department: str
    waiting_for: str  # approver's or worker's name, "" for an unassigned repair
    since: datetime
    waited_min: float
    limit_min: float
    purpose: str = ""  # 事由 / 用途 as said (vehicle and facility requests)


async def overdue(now: datetime, department_id: int | None = None) -> list[OverdueItem]:
    """What is late at `now`: approval steps waiting longer than STEP_LIMIT, repairs
    without a worker after ASSIGN_LIMIT, repairs not finished after FINISH_LIMIT; longest
    wait first."""
    now = as_utc(now)
    ids = await department_ids(department_id)
    base = Request.filter(status__in=[RequestStatus.PENDING, RequestStatus.ASSIGNED,
                                      RequestStatus.IN_PROGRESS])
    if ids is not None:
        base = base.filter(department_id_at__in=ids)
    rows = await base.order_by("id").values(
        "id", "type", "status", "created_at", "applicant_id", "assignee_id", "department_id_at",
        "details",
    )
    pending = [r["id"] for r in rows if r["type"] != RequestType.REPAIR_REQUEST
               and r["status"] == RequestStatus.PENDING]
    steps: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for chunk in _chunks(pending):
        for s in await ApprovalStep.filter(request_id__in=chunk).order_by("seq").values(
            "request_id", "seq", "approver_id", "decided_at"
        ):
            steps[s["request_id"]].append(s)
    found: list[tuple[dict[str, Any], str, int | None, datetime, timedelta]] = []
    for r in rows:
        created = as_utc(r["created_at"])
        if r["type"] == RequestType.REPAIR_REQUEST:
            if r["status"] == RequestStatus.PENDING and now - created > ASSIGN_LIMIT:
                found.append((r, "repair_unassigned", None, created, ASSIGN_LIMIT))
            elif now - created > FINISH_LIMIT:
                found.append((r, "repair_unfinished", r["assignee_id"], created, FINISH_LIMIT))
            continue
        if r["status"] != RequestStatus.PENDING:
            continue
        began = created
        for s in steps[r["id"]]:
            if s["decided_at"] is None:
                if now - began > STEP_LIMIT:
                    found.append((r, "approval", s["approver_id"], began, STEP_LIMIT))
                break
            began = max(began, as_utc(s["decided_at"]))
    user_ids = {f[0]["applicant_id"] for f in found} | {f[2] for f in found if f[2]}
    names = dict(await User.filter(id__in=list(user_ids)).values_list("id", "name")) if user_ids else {}
    depts = dict(await Department.all().values_list("id", "name"))
    out = [
        OverdueItem(
            r["id"] + NUMBER_BASE,
            str(r["type"]),
            kind,
            str(names.get(r["applicant_id"], "")),
            str(depts.get(r["department_id_at"], "")),
            str(names.get(who, "")) if who else "",
            since,
            round(_minutes(now - since), 4),
            _minutes(limit),
            str((r["details"] or {}).get("purpose") or ""),
        )
        for r, kind, who, since, limit in found
    ]
    out.sort(key=lambda o: (-o.waited_min, o.no))
    return out
