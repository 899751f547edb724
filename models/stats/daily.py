"""A day's figures computed from the requests themselves (models/stats/rollup.py keeps them;
the dashboard's reads compute the days it has not caught up with the same way).

Each row is (local day, department, metric, key, n, c, total), one per department the
request was filed from (`department_id_at`) and once more under ALL (0) for the whole
bureau, so that a view of everything reads a few rows a day and a department's view the
rows of its subtree:

    req    key "type|status"      n = requests created that day, as they stand now
    dtype  key "department|type"  n = the same per department, under ALL only (the
                                  whole bureau's table of departments)
    veh    key vehicle id         n = approved/completed bookings starting that day,
                                  c = those started before and still running into it,
                                  total = hours held that day
    vday   key ""                 the same over all vehicles (a year's days in 366 rows)
    room   key facility id        the same for reservations
    rhour  key local hour "0"…"23"  total = hours reservations held in that hour
    wrate  key worker's user id     n = rated repairs created that day, total = Σ scores
    drate  key driver's user id     the same for trips
    fkm    key vehicle id ("" none) completed trips starting that day: n = trips, c = those
                                  with a distance, total = Σ km (models/fleet_stats.py)
    ftoll, fpark, ffuel           the same trips: total = Σ 过路费, 停车费, 油费/充电费
    fdkm, fdtoll, fdpark, fdfuel  the same keyed by department, under ALL only

A range's bookings of a vehicle are the ones starting inside it plus the ones running
into its first day (Σ n over the days + c of the first day); a day's bookings are n + c.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import TypeVar

from models.holds import MAX_WINDOW
from models.org import RequestType
from models.requests import RequestStatus
from models.stats.scope import BOOKED, db, fetch_rows, in_list, is_pg, local_midnight, moment

T = TypeVar("T")

ALL = 0  # the department of the whole bureau's rows
ALL_ONLY = frozenset({"dtype", "fdkm", "fdtoll", "fdpark", "fdfuel"})  # keyed by department
FLEET = (("fkm", "fdkm", "distance"), ("ftoll", "fdtoll", "tolls"),
         ("fpark", "fdpark", "parking"), ("ffuel", "fdfuel", "fuel"))
Row = tuple[date, int, str, str, int, int, float]
_RATED = {str(RequestType.REPAIR_REQUEST): ("wrate", "assignee_id"),
          str(RequestType.VEHICLE_BOOKING): ("drate", "driver_id")}
_BOOKED_TYPES = {str(RequestType.VEHICLE_BOOKING): ("veh", "vehicle_id"),
                 str(RequestType.FACILITY_RESERVATION): ("room", "facility_id")}


def spans(days: Iterable[date]) -> list[tuple[date, date]]:
    """Runs of consecutive days as [first, after last)."""
    out: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if out and out[-1][1] == day:
            out[-1] = (out[-1][0], day + timedelta(days=1))
        else:
            out.append((day, day + timedelta(days=1)))
    return out


async def by_spans(days: Sequence[date], tz: tzinfo,
                   one_span: Callable[[date, date, tzinfo], Awaitable[list[T]]]) -> list[T]:
    """The rows of `days` (any order, repeats allowed), one run of consecutive days at a
    time: each rollup's own `_compute_span` reads a run in one pass over the requests."""
    out: list[T] = []
    for first, after in spans(days):
        out += await one_span(first, after, tz)
    return out


def days_between(lo: datetime, hi: datetime, tz: tzinfo) -> list[date]:
    """The local days from the one holding `lo` to the one holding `hi`, both included."""
    first, last = lo.astimezone(tz).date(), hi.astimezone(tz).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def hour_pieces(start: datetime, end: datetime, tz: tzinfo) -> Iterable[tuple[int, int, float]]:
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


async def compute(days: Sequence[date], tz: tzinfo) -> list[Row]:
    """The rows of `days` (any order, repeats allowed), from the requests."""
    return await by_spans(days, tz, _compute_span)


async def _compute_span(first: date, after: date, tz: tzinfo) -> list[Row]:
    days = [first + timedelta(days=i) for i in range((after - first).days)]
    since, until = local_midnight(first, tz), local_midnight(after, tz)
    edges = [local_midnight(d, tz) for d in days] + [until]  # a moment's day by bisection
    acc: dict[tuple[int, int, str, str], list[float]] = {}

    def add(i: int, dept: int, metric: str, key: str, n: int, c: int, total: float) -> None:
        for d in (dept, ALL) if metric not in ALL_ONLY else (ALL,):
            cell = acc.get((i, d, metric, key))
            if cell is None:
                acc[(i, d, metric, key)] = [n, c, total]
            else:
                cell[0] += n
                cell[1] += c
                cell[2] += total

    for r in await fetch_rows(
        "SELECT created_at, department_id_at AS d, type AS t, status AS s, rating, "
        "assignee_id, driver_id FROM request WHERE created_at >= ? AND created_at < ?",
        [since, until]):
        i = bisect_right(edges, moment(r["created_at"])) - 1
        add(i, int(r["d"]), "req", f"{r['t']}|{r['s']}", 1, 0, 0.0)
        add(i, int(r["d"]), "dtype", f"{r['d']}|{r['t']}", 1, 0, 0.0)
        if r["rating"] is not None:
            rated = _RATED.get(str(r["t"]))
            if rated is not None and r[rated[1]] is not None:
                add(i, int(r["d"]), rated[0], str(r[rated[1]]), 1, 0, float(r["rating"]))
    status_sql, status_params = in_list("status", [str(s) for s in BOOKED])
    type_sql, type_params = in_list("type", list(_BOOKED_TYPES))
    pg = is_pg(db())

    def number(name: str) -> str:  # a trip's reading or cost, in SQL (only completed trips')
        if pg:
            return (f"trunc((details->>'{name}')::numeric)" if name == "distance" else
                    f"(details->>'{name}')::float8")
        return f"CAST(json_extract(details, '$.{name}') AS {'INTEGER' if name == 'distance' else 'REAL'})"

    fleet_sql = ", ".join(
        f"CASE WHEN status = '{RequestStatus.COMPLETED}' THEN {number(f)} END AS {f}"
        for _, _, f in FLEET)
    # Bounded below by the longest window a booking may have (index (type, start)).
    for r in await fetch_rows(
        'SELECT type AS t, status AS s, start, "end", vehicle_id, facility_id, '  # noqa: S608
        f"department_id_at AS d, {fleet_sql} "
        f'FROM request WHERE {type_sql} AND {status_sql} AND start < ? AND "end" > ? '
        "AND start >= ?", [*type_params, *status_params, until, since, since - MAX_WINDOW]):
        if (r["t"] == RequestType.VEHICLE_BOOKING and r["s"] == RequestStatus.COMPLETED
                and since <= moment(r["start"]) < until):
            i = bisect_right(edges, moment(r["start"])) - 1
            vehicle, dept = "" if r["vehicle_id"] is None else str(r["vehicle_id"]), int(r["d"])
            for by_vehicle, by_dept, f in FLEET:
                value, reported = float(r[f] or 0), int(r[f] is not None)
                add(i, dept, by_vehicle, vehicle, 1, reported, value)
                add(i, dept, by_dept, str(dept), 1, reported, value)
        metric, column = _BOOKED_TYPES[str(r["t"])]
        if r[column] is None:
            continue
        key, dept = str(r[column]), int(r["d"])
        began = moment(r["start"])
        start, end = max(began, since), min(moment(r["end"]), until)
        i = max(0, bisect_right(edges, start) - 1)
        while i < len(days) and edges[i] < end:
            lo, hi = max(start, edges[i]), min(end, edges[i + 1])
            if hi > lo:
                starts_here = began >= edges[i]
                add(i, dept, metric, key, int(starts_here), int(not starts_here),
                    (hi - lo).total_seconds() / 3600)
                if metric == "veh":
                    add(i, dept, "vday", "", int(starts_here), int(not starts_here),
                        (hi - lo).total_seconds() / 3600)
                if metric == "room":
                    for _, hour, h in hour_pieces(lo, hi, tz):
                        add(i, dept, "rhour", str(hour), 0, 0, h)
            i += 1
    return [(days[i], d, metric, key, int(v[0]), int(v[1]), float(v[2]))
            for (i, d, metric, key), v in acc.items()]
