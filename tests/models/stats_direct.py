"""The dashboard's figures as they were computed before the rollup: straight from the
requests, one range query each (models/stats before issue 16's rollup — the counts and
use, then the approval and repair times of every wait in the range — kept verbatim as
the oracle tests/models/test_rollup.py checks the rollup against)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Any

from tortoise import connections

from models.fleet_stats import FleetReport, FleetRow, TripTotals, _month_bounds, months_of
from models.holds import MAX_WINDOW
from models.org import Department, Facility, RequestType, Vehicle
from models.ratings import CrewRating
from models.requests import NUMBER_BASE, Request, RequestStatus
from models.sql import in_dialect
from models.stats import (
    TYPES,
    DayUse,
    DepartmentCount,
    OccupancyReport,
    RepairItem,
    RepairMeasure,
    RepairReport,
    RoomUse,
    ServiceCount,
    StepLeadTime,
    VehicleReport,
    VehicleUse,
)
from models.stats.scope import (
    ASSIGN_LIMIT,
    BOOKED,
    FINISH_LIMIT,
    STEP_LIMIT,
    ZERO,
    Scope,
    as_utc,
    db,
    department_filter,
    department_ids,
    department_tree,
    fetch_rows,
    hours_sql,
    in_list,
    is_pg,
    local_midnight,
    minutes,
    moment,
    percentile,
)
from models.stats.use import _open_hours


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


async def vehicle_use(scope: Scope) -> VehicleReport:
    """Hours of approved or completed vehicle bookings inside the range, per local day and
    per vehicle (a booking over midnight counts on both days). One range query of plain
    rows (index (type, start), bounded below by the longest window a booking may have);
    the split by local day is cheap in Python, a Tortoise object per row was not (and a
    join of the days to the bookings is planned well by SQLite, not by PostgreSQL)."""
    since, until = scope.since, scope.until
    dept_sql, dept_params = await department_filter(scope.department_id, "department_id_at")
    status_sql, status_params = in_list("status", [str(s) for s in BOOKED])
    rows = await fetch_rows(
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
        start, end = max(moment(r["start"]), since), min(moment(r["end"]), until)
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


async def requests_by_department(scope: Scope) -> list[DepartmentCount]:
    """Requests created in the range, per department of the scope's tree (in tree order),
    per request type; `subtree_total` adds the sub-departments."""
    tree = await department_tree(scope.department_id)
    dept_sql, dept_params = await department_filter(scope.department_id, "department_id_at")
    rows = await fetch_rows(
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


async def requests_by_service(scope: Scope) -> list[ServiceCount]:
    """Requests created in the range per request type, with how they stand now."""
    dept_sql, dept_params = await department_filter(scope.department_id, "department_id_at")
    rows = await fetch_rows(
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


async def room_occupancy(scope: Scope) -> OccupancyReport:
    """Hours held by approved (or completed) reservations inside the range, per local
    weekday × hour over all facilities, and per facility against its opening hours."""
    since, until = scope.since, scope.until
    dept_sql, dept_params = await department_filter(scope.department_id, "department_id_at")
    status_sql, status_params = in_list("status", [str(s) for s in BOOKED])
    # Plain rows (index (type, start), bounded below by the longest window): the split by
    # local hour below is cheap; building a Tortoise object per row was not.
    rows = await fetch_rows(
        'SELECT start, "end", facility_id FROM request '  # noqa: S608
        f"WHERE type = ? AND {status_sql} AND start < ? AND \"end\" > ? AND start >= ? "
        f"AND facility_id IS NOT NULL{dept_sql}",
        [str(RequestType.FACILITY_RESERVATION), *status_params, until, since,
         since - MAX_WINDOW, *dept_params])
    grid = [[0.0] * 24 for _ in range(7)]
    held: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for r in rows:
        start, end = max(moment(r["start"]), since), min(moment(r["end"]), until)
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


async def crew_ratings(scope: Scope, request_type: RequestType) -> list[CrewRating]:
    """Per repair worker (repairs) or per driver (trips) of the requests made in the scope's
    range (and department): the average and count of their ratings, best first."""
    person = "assignee" if request_type is RequestType.REPAIR_REQUEST else "driver"
    q = Request.filter(type=request_type, rating__isnull=False, created_at__gte=scope.since,
                       created_at__lt=scope.until, **{f"{person}_id__isnull": False})
    ids = await department_ids(scope.department_id)
    if ids is not None:
        q = q.filter(department_id_at__in=ids)
    rows = await q.values(f"{person}__userid", f"{person}__name", "rating")
    scores: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        scores.setdefault((r[f"{person}__userid"], r[f"{person}__name"]), []).append(int(r["rating"]))
    out = [CrewRating(uid, name, round(sum(v) / len(v), 2), len(v)) for (uid, name), v in scores.items()]
    return sorted(out, key=lambda c: (-c.average, -c.count, c.userid))


async def approval_lead_times(scope: Scope) -> list[StepLeadTime]:
    """For each (request type, step number, role): how long decisions decided in the
    range took, from the request's creation (step 1) or the previous step's decision."""
    conn = db()
    dept_sql, dept_params = await department_filter(scope.department_id, "r.department_id_at")
    began = "(CASE WHEN x.prev IS NOT NULL AND x.prev > x.created_at THEN x.prev ELSE x.created_at END)"
    # One query: each step decided in the range with the moment its wait began — the
    # request's creation or the step before's decision (steps are decided in order, so
    # that is the latest earlier one; index (request_id, seq)) — and none when the step
    # before is undecided (cannot be, from this app; data from elsewhere is skipped).
    rows = await fetch_rows(
        f"SELECT x.t AS t, x.seq AS seq, x.role AS role, "  # noqa: S608
        f"{hours_sql(conn, began, 'x.decided_at')} * 60.0 AS m FROM ("
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
    limit = minutes(STEP_LIMIT)
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


def _measure(
    name: str, limit: timedelta, values: list[float], open_ages: list[float]
) -> RepairMeasure:
    lim = minutes(limit)

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
    conn = db()
    dept_sql, dept_params = await department_filter(scope.department_id, "r.department_id_at")

    def field(name: str) -> str:  # a text field of the details, in SQL
        return f"(r.details->>'{name}')" if is_pg(conn) else f"json_extract(r.details, '$.{name}')"

    def first(action: str) -> str:  # its earliest audit moment (index (request_id, action))
        return ("(SELECT MIN(a.at) FROM audit_log a "  # noqa: S608
                f"WHERE a.request_id = r.id AND a.action = '{action}')")

    # One query of plain rows: the details' fields and the audit moments in SQL, not a
    # Tortoise object per repair and a query per 500 of them (a month of a large bureau
    # is 26,000 repairs).
    rows = await fetch_rows(
        f"SELECT r.id AS id, r.created_at AS created_at, r.status AS status, r.rating AS rating, "  # noqa: S608
        f"{field('location')} AS location, {field('category')} AS category, "
        f"{field('rating_comment')} AS comment, u.name AS worker, {first('create')} AS m_create, "
        f"{first('assign')} AS m_assign, {first('completed')} AS m_completed "
        'FROM request r LEFT JOIN "user" u ON u.id = r.assignee_id '
        f"WHERE r.type = ? AND r.created_at >= ? AND r.created_at < ?{dept_sql} ORDER BY r.id",
        [str(RequestType.REPAIR_REQUEST), scope.since, scope.until, *dept_params])
    moments = {
        r["id"]: {k: moment(r[f"m_{k}"]) for k in ("create", "assign", "completed")
                  if r[f"m_{k}"] is not None}
        for r in rows
    }
    items: list[RepairItem] = []
    assign, finish, open_assign, open_finish = [], [], [], []
    for r in rows:
        seen = moments[r["id"]]
        began = seen.get("create", moment(r["created_at"]))
        status = str(r["status"])
        a = minutes(seen["assign"] - began) if "assign" in seen else None
        f = minutes(seen["completed"] - began) if "completed" in seen else None
        if a is not None:
            assign.append(a)
        elif status == RequestStatus.PENDING:
            open_assign.append(minutes(now - began))
        if f is not None:
            finish.append(f)
        elif status in (RequestStatus.PENDING, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS):
            open_finish.append(minutes(now - began))
        items.append(
            RepairItem(
                r["id"] + NUMBER_BASE,
                began,
                status,
                str(r["location"] or ""),
                None if a is None else round(a, 4),
                None if f is None else round(f, 4),
                category=str(r["category"] or ""),
                worker=str(r["worker"] or ""),
                rating=None if r["rating"] is None else int(r["rating"]),
                comment=str(r["comment"] or ""),
            )
        )
    return RepairReport(
        _measure("assign", ASSIGN_LIMIT, assign, open_assign),
        _measure("finish", FINISH_LIMIT, finish, open_finish),
        items,
    )


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
