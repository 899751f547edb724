"""The dashboard's additive figures as they were computed before the rollup: straight
from the requests, one range query each (models/stats before issue 16's rollup, kept
verbatim as the oracle tests/models/test_rollup.py checks the rollup against)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo

from models.holds import MAX_WINDOW
from models.org import Facility, RequestType, Vehicle
from models.ratings import CrewRating
from models.requests import Request, RequestStatus
from models.stats import (
    TYPES,
    DayUse,
    DepartmentCount,
    OccupancyReport,
    RoomUse,
    ServiceCount,
    VehicleReport,
    VehicleUse,
)
from models.stats.scope import (
    BOOKED,
    ZERO,
    Scope,
    department_filter,
    department_ids,
    department_tree,
    fetch_rows,
    in_list,
    local_midnight,
    moment,
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
