"""The dashboard's daily rollup (issue 16, item 4): a year of a large bureau is a million
requests, and a month's page read them all; now it reads a few rows a day.

    stats_day    the rows of models/stats/daily.py per (local day, department, metric, key)
    stats_wait   the waits of models/stats/waits.py (approval steps, repairs) per (local
                 day, department, metric, key) in buckets: the percentiles of a range
    stats_dirty  moments whose local days changed: written by triggers on `request`,
                 `approval_step` and `audit_log`, in the same transaction as the change,
                 whoever makes it (a use case, the admin pages, a script)
    stats_state  the time zone the days are local to; none yet = nothing built

`refresh()` (the timers run it every few seconds, any process; one at a time) takes the
dirty moments, recomputes their days from the requests (both tables) and writes them in one
transaction with the removal of the marks it read. A read (`sums`) takes the rollup for
the range's clean days and computes its dirty days from the requests the same way, so a
figure is always what a query over the requests gives: it checks the marks before and
after and reads again if they moved (ids only grow, a refresh removes the ones it did).
A page of ~35 reads takes the marks once for them all (`consistent`): one snapshot of the
marks before, one look after the last read, all the reads again if they moved.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, TypeVar

from tortoise import fields
from tortoise.models import Model

from models.sql import in_dialect, transaction
from models.stats.daily import ALL, compute, days_between, spans
from models.stats.months import (
    MONTH,
    built_months,
    first_of,
    months_of,
    plan,
)
from models.stats.months import build as build_months
from models.stats.months import forget as forget_months
from models.stats.scope import (
    MAX_DAYS,
    Scope,
    db,
    department_ids,
    fetch_rows,
    in_list,
    is_pg,
    local_midnight,
    moment,
)
from models.stats.triggers import POSTGRES_TRIGGERS, POSTGRES_WAIT_TRIGGERS, SQLITE_TRIGGERS
from models.stats.waits import Histogram, compute_waits, merge

BATCH_DAYS = 7  # days one refresh recomputes in one transaction (SQLite: writers wait)
_LOCK = 0x6A677377_5354  # PostgreSQL advisory lock: one refresh at a time
# The state row's name: a new one when what the rollup holds changes, so that an existing
# rollup is built again (2: the waits, 3: the months, 4: the trips, 5: vehicle use a day).
STATE = "rollup-5"
_CACHED = 16  # snapshots of dirty days' rows kept (per scope and set of marks)
_ATTEMPTS = 3  # reads of a whole page again while the marks move, before each read checks
__all__ = ["POSTGRES_TRIGGERS", "POSTGRES_WAIT_TRIGGERS", "SQLITE_TRIGGERS", "STATE", "StatsDay",
           "StatsDirty", "StatsState", "consistent", "forget_snapshots", "histograms", "rebuild",
           "refresh", "refresh_all", "sums"]
T = TypeVar("T")
_COLUMNS = {"day": ("day",), "key": ("key",), "day_key": ("day", "key"),
            "weekday_key": ("day", "key"),
            "dept_key": ("department_id", "key"), "month_key": ("day", "key"),
            "month_dept_key": ("day", "department_id", "key")}
_MONTHS_TOO = frozenset({"key", "dept_key", "month_key", "month_dept_key"})


class StatsDay(Model):
    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    department_id = fields.IntField()  # 0: the whole bureau
    metric = fields.CharField(max_length=8)
    key = fields.CharField(max_length=64)
    n = fields.IntField(default=0)
    c = fields.IntField(default=0)
    total = fields.FloatField(default=0.0)

    class Meta:
        table = "stats_day"
        unique_together = (("department_id", "metric", "day", "key"),)
        # The reads' own columns after the unique key's: a page's sums from the index alone
        # (a year's fleet reads ~50,000 rows; the table's rows of one metric and day are
        # spread over the pages of all the metrics written with them).
        indexes = (("department_id", "metric", "day", "key", "n", "c", "total"),)


class StatsDirty(Model):
    id = fields.BigIntField(primary_key=True)
    lo = fields.DatetimeField()
    hi = fields.DatetimeField()

    class Meta:
        table = "stats_dirty"


class StatsState(Model):
    name = fields.CharField(max_length=16, primary_key=True)
    tz = fields.CharField(max_length=64)

    class Meta:
        table = "stats_state"


def _tz_name(tz: tzinfo) -> str:
    return str(getattr(tz, "key", None) or tz)


async def _marks() -> list[tuple[int, datetime, datetime]]:
    rows = await fetch_rows("SELECT id, lo, hi FROM stats_dirty ORDER BY id", [])
    return [(int(r["id"]), moment(r["lo"]), moment(r["hi"])) for r in rows]


async def _built_for(tz: tzinfo) -> bool:
    state = await StatsState.get_or_none(name=STATE)
    return state is not None and state.tz == _tz_name(tz)


# ---------------------------------------------------------------------------------------
# Keeping it


async def rebuild(tz: tzinfo) -> None:
    """Forget the rollup and mark every day that has requests dirty, for `tz`; the
    refreshes then build it a batch of days at a time (reads stay right meanwhile)."""
    async with transaction():
        if is_pg(db()):
            await db().execute_query("SELECT pg_advisory_xact_lock($1)", [_LOCK])
        # Statement by statement: SQLite's executescript would commit first.
        for table in ("stats_day", "stats_wait", "stats_dirty"):
            await db().execute_query(f"DELETE FROM {table}")  # noqa: S608
        span = await fetch_rows(
            'SELECT MIN(created_at) AS a, MAX(created_at) AS b, MIN(start) AS c, MAX("end") AS d, '
            "(SELECT MIN(decided_at) FROM approval_step) AS e, "
            "(SELECT MAX(decided_at) FROM approval_step) AS f FROM request", [])
        moments = [moment(v) for v in span[0].values() if v is not None] if span else []
        if moments:
            await StatsDirty.create(lo=min(moments), hi=max(moments))
        await db().execute_query(in_dialect(db(), "DELETE FROM stats_state WHERE name <> ?"), [STATE])
        await StatsState.update_or_create(defaults={"tz": _tz_name(tz)}, name=STATE)


async def refresh(tz: tzinfo, max_days: int = BATCH_DAYS) -> int:
    """Recompute up to `max_days` dirty days (earliest first) and write them; returns how
    many (−1: none was dirty, and a past month was summed; 0: nothing to do). Built for
    another time zone, or never: starts again (`rebuild`)."""
    if not await _built_for(tz):
        await rebuild(tz)
    async with transaction():
        if is_pg(db()):
            await db().execute_query("SELECT pg_advisory_xact_lock($1)", [_LOCK])
        marks = await _marks()
        dirty = sorted({d for _, lo, hi in marks for d in days_between(lo, hi, tz)})
        now, later = dirty[:max_days], dirty[max_days:]
        if not marks:  # nothing to do: sum one past month that is not (a write of seconds)
            return -1 if await _build_a_month(tz) else 0
        rows, waits = await compute(now, tz), await compute_waits(now, tz)
        conn = db()
        for first, after in spans(now):
            for table in ("stats_day", "stats_wait"):
                await conn.execute_query(in_dialect(
                    conn, f"DELETE FROM {table} WHERE day >= ? AND day < ?"), [first, after])  # noqa: S608
        for i in range(0, len(rows), 5000):
            await conn.execute_many(in_dialect(
                conn, 'INSERT INTO stats_day (day, department_id, metric, "key", n, c, total) '
                "VALUES (?, ?, ?, ?, ?, ?, ?)"), [list(r) for r in rows[i:i + 5000]])
        for i in range(0, len(waits), 5000):
            await conn.execute_many(in_dialect(
                conn, 'INSERT INTO stats_wait (day, department_id, metric, "key", bucket, n, late, '
                "low, top) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"), [list(r) for r in waits[i:i + 5000]])
        # A month whose days change is read by day from now on, until an idle refresh sums it
        # again (a month's sums take seconds: not in a busy refresh's transaction).
        await forget_months(conn, months_of(now))
        ids = [i for i, _, _ in marks]
        for i in range(0, len(ids), 500):
            sql, params = in_list("id", ids[i:i + 500])
            await conn.execute_query(in_dialect(conn, f"DELETE FROM stats_dirty WHERE {sql}"), params)  # noqa: S608
        # What was left for later stays marked: its days as spans of local midnights.
        for first, after in spans(later):
            await StatsDirty.create(lo=local_midnight(first, tz),
                                    hi=local_midnight(after, tz) - timedelta(microseconds=1))
    return len(now)


async def _build_a_month(tz: tzinfo) -> bool:
    """Sum the latest past month (of the longest range) that is not summed; whether one was."""
    this_month = first_of(datetime.now(tz).date())
    earliest = first_of(this_month - timedelta(days=MAX_DAYS + 31))
    built = await built_months(earliest, this_month)
    month = first_of(this_month - timedelta(days=1))
    while month >= earliest:
        if month not in built:
            await build_months(db(), [month])
            return True
        month = first_of(month - timedelta(days=1))
    return False


async def refresh_all(tz: tzinfo) -> int:
    """Refresh until nothing is dirty and every past month is summed; returns the days
    recomputed."""
    done = 0
    while (n := await refresh(tz)) != 0:
        done += max(n, 0)
    return done


# ---------------------------------------------------------------------------------------
# Reading it

_snapshots: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()


def forget_snapshots() -> None:
    """Another database (tests): the dirty days' rows kept for the last one are not its."""
    _snapshots.clear()


Direct = Callable[[Sequence[date], tzinfo], Awaitable[list[Any]]]
Stored = Callable[[list[date]], Awaitable[dict[Any, Any]]]


@dataclass(slots=True)
class _Marks:
    """The marks and the state as one `consistent` call took them, for all its reads."""

    tz: str
    marks: list[tuple[int, datetime, datetime]]
    built: bool
    months: dict[tuple[date, date], set[date]] = field(default_factory=dict)  # built_months


_taken: ContextVar[_Marks | None] = ContextVar("rollup_marks", default=None)


async def consistent(tz: tzinfo, read: Callable[[], Awaitable[T]]) -> T:
    """`read()` (any number of `sums` and `histograms` of `tz`, a page's) with the marks
    taken once before it and looked at once after: what it read is what a query over the
    requests gives, if the marks did not move meanwhile (a change marks its days in its
    own transaction; a refresh removes the marks it did in the transaction that writes
    their rows); if they moved, `read()` runs again, and at last with each read checking
    its own marks. Inside another `consistent` of the same zone: that one's marks."""
    outer = _taken.get()
    if outer is not None and outer.tz == _tz_name(tz):
        return await read()
    for _ in range(_ATTEMPTS):
        taken = _Marks(_tz_name(tz), await _marks(), await _built_for(tz))
        token = _taken.set(taken)
        try:
            result = await read()
        finally:
            _taken.reset(token)
        if await _marks() == taken.marks:
            return result
    token = _taken.set(None)
    try:
        return await read()
    finally:
        _taken.reset(token)


async def _built_months(first: date, after: date) -> set[date]:
    """The summed months in [first, after), once per `consistent` call (a month is summed
    only while nothing is dirty, and its sums are its days': never a different figure)."""
    taken = _taken.get()
    if taken is None:
        return await built_months(first, after)
    found = taken.months.get((first, after))
    if found is None:
        found = taken.months[(first, after)] = await built_months(first, after)
    return found


def _dirty_days(marks: Sequence[tuple[int, datetime, datetime]], built: bool, tz: tzinfo,
                first: date, after: date) -> set[date]:
    if not built:
        return {first + timedelta(days=i) for i in range((after - first).days)}
    return {d for _, lo, hi in marks for d in days_between(lo, hi, tz) if first <= d < after}


async def _consistent(scope: Scope, first: date, after: date, compute_days: Direct,
                      stored: Stored) -> tuple[list[Any], dict[Any, Any]]:
    """(rows computed from the requests for the dirty days of [first, after), what
    `stored(dirty days)` read of the rollup for the others), read again while the marks
    moved meanwhile (ids only grow, a refresh removes the ones it did); inside
    `consistent`, with its marks (it looks after its last read)."""
    taken = _taken.get()
    if taken is not None and taken.tz == _tz_name(scope.tz):
        dirty = _dirty_days(taken.marks, taken.built, scope.tz, first, after)
        direct = await _direct(compute_days, scope, sorted(dirty),
                               tuple(i for i, _, _ in taken.marks), taken.built)
        return direct, (await stored(sorted(dirty)) if taken.built else {})
    for _ in range(5):
        before = await _marks()
        built = await _built_for(scope.tz)
        dirty = _dirty_days(before, built, scope.tz, first, after)
        direct = await _direct(compute_days, scope, sorted(dirty),
                               tuple(i for i, _, _ in before), built)
        out = await stored(sorted(dirty)) if built else {}
        if await _marks() == before:
            return direct, out
    # the marks kept moving: read the requests alone
    return await compute_days([first + timedelta(days=i) for i in range((after - first).days)],
                              scope.tz), {}


async def sums(scope: Scope, metric: str, by: str, *, first_day_only: bool = False
               ) -> dict[Any, list[float]]:
    """[Σ n, Σ c, Σ total] of `metric` over the scope's days and department subtree,
    grouped `by` "day", "key", "day_key" ((day, key)), "weekday_key" ((weekday, Monday 0,
    key): a year's days summed in SQL), "dept_key" ((department, key)),
    "month_key" ((first day of the month, key)) or "month_dept_key" ((month, department,
    key)); `first_day_only`: the scope's first day alone (what runs into the range)."""
    depts = await department_ids(scope.department_id)
    wanted = [ALL] if depts is None else depts
    first, after = scope.start, scope.start + timedelta(days=1) if first_day_only else scope.end

    async def stored(dirty: list[date]) -> dict[Any, Any]:
        return await _rollup_sums(wanted, metric, by, first, after, dirty)

    direct, out = await _consistent(scope, first, after, compute, stored)
    want = set(wanted)
    for day, dept, m, key, n, c, total in direct:
        if m != metric or dept not in want or not first <= day < after:
            continue
        k = _group(by, day, dept, key)
        cell = out.setdefault(k, [0, 0, 0.0])
        cell[0] += n
        cell[1] += c
        cell[2] += total
    return out


async def histograms(scope: Scope, metric: str) -> dict[str, Histogram]:
    """The waits of `metric` (models/stats/waits.py) over the scope's days and department
    subtree, one histogram per key."""
    depts = await department_ids(scope.department_id)
    wanted = [ALL] if depts is None else depts
    first, after = scope.start, scope.end

    async def stored(dirty: list[date]) -> dict[Any, Any]:
        rows = await _from_table(
            '"key", bucket, SUM(n) AS n, SUM(late) AS late, MIN(low) AS low, MAX(top) AS top',
            "stats_wait", wanted, metric, '"key", bucket', first, after, dirty, months_too=True)
        return {"cells": [(str(r[0]), int(r[1]), int(r[2]), int(r[3]), float(r[4]), float(r[5]))
                          for r in rows]}

    direct, out = await _consistent(scope, first, after, compute_waits, stored)
    want = set(wanted)
    cells = list(out.get("cells", []))
    cells += [(key, b, n, over, low, top) for day, dept, m, key, b, n, over, low, top in direct
              if m == metric and dept in want and first <= day < after]
    return merge(cells)


async def _direct(compute_days: Direct, scope: Scope, days: Sequence[date],
                  marks: tuple[int, ...], built: bool) -> list[Any]:
    """The rows of the dirty days, computed once for the same marks and days."""
    if not days:
        return []
    key = (compute_days.__name__, _tz_name(scope.tz), tuple(days), marks, built)
    if key in _snapshots:
        _snapshots.move_to_end(key)
        return _snapshots[key]
    rows = await compute_days(days, scope.tz)
    _snapshots[key] = rows
    while len(_snapshots) > _CACHED:
        _snapshots.popitem(last=False)
    return rows


async def _pieces(first: date, after: date, dirty: Sequence[date], months_too: bool
                  ) -> tuple[list[date], list[date]]:
    """What to read of a table for [first, after) but its dirty days: (the months to read
    as month rows, the days to read as day rows). The days are named one by one, not as
    spans: SQLite searches the index (department_id, metric, day, …) for `day IN (…)`
    whatever statistics it has, where it split `(day >= ? AND day < ?) OR …` into index
    ranges only with statistics of the index, and without them read every day of the
    metric (the year's fleet: 19 → 4 ms a metric)."""
    months, spans = ([], [(first, after)]) if not months_too else \
        plan(first, after, dirty, await _built_months(first, after))
    skip = set(dirty)
    days = [a + timedelta(days=i) for a, b in spans for i in range((b - a).days)]
    return months, [d for d in days if d not in skip]


async def _from_table(select: str, table: str, depts: Sequence[int], metric: str, group: str,
                      first: date, after: date, dirty: Sequence[date], months_too: bool
                      ) -> list[Sequence[Any]]:
    """`select` … GROUP BY `group` over the rows of the days (and whole months, when
    `months_too`) of [first, after) that are not dirty; rows read by position (a year's
    page reads thousands: no dict a row)."""
    dept_sql, dept_params = in_list("department_id", list(depts))
    months, days = await _pieces(first, after, dirty, months_too)
    conn = db()
    rows: list[Sequence[Any]] = []
    if days:
        days_sql, days_params = in_list("day", days)
        rows += (await conn.execute_query(in_dialect(conn,
            f"SELECT {select} FROM {table} WHERE {dept_sql} AND metric = ? AND {days_sql} "  # noqa: S608
            f"GROUP BY {group}"), [*dept_params, metric, *days_params]))[1]
    if months:
        month_sql, month_params = in_list("day", months)
        rows += (await conn.execute_query(in_dialect(conn,
            f"SELECT {select} FROM {table} WHERE {dept_sql} AND metric = ? AND {month_sql} "  # noqa: S608
            f"GROUP BY {group}"), [*dept_params, MONTH + metric, *month_params]))[1]
    return rows


async def _rollup_sums(depts: Sequence[int], metric: str, by: str, first: date, after: date,
                       dirty: Sequence[date]) -> dict[Any, list[float]]:
    names = ", ".join(f'"{c}"' for c in _COLUMNS[by])
    select = names
    if by.startswith("month_"):  # summed by month in SQL: "YYYY-MM" as the day
        month = "to_char(day, 'YYYY-MM')" if is_pg(db()) else "substr(day, 1, 7)"
        names = names.replace('"day"', month)
        select = names.replace(month, f'{month} AS "day"')
    if by == "weekday_key":  # 0 Sunday … 6 Saturday in both
        dow = "CAST(EXTRACT(DOW FROM day) AS INTEGER)" if is_pg(db()) else \
            "CAST(strftime('%w', day) AS INTEGER)"
        names = names.replace('"day"', dow)
        select = names.replace(dow, f'{dow} AS "day"')
    rows = await _from_table(f"{select}, SUM(n) AS n, SUM(c) AS c, SUM(total) AS total",
                             "stats_day", depts, metric, names, first, after, dirty,
                             months_too=by in _MONTHS_TOO)
    out: dict[Any, list[float]] = {}
    days: dict[Any, date] = {}  # each day's text read once (SQLite's are text)

    def day_of(value: Any) -> date:
        found = days.get(value)
        if found is None:
            found = days[value] = _day(value)
        return found

    width = len(_COLUMNS[by])
    for r in rows:
        if by == "key":
            k: Any = str(r[0])
        elif by == "day":
            k = day_of(r[0])
        elif by == "day_key":
            k = (day_of(r[0]), str(r[1]))
        elif by == "weekday_key":
            k = ((int(r[0]) + 6) % 7, str(r[1]))
        elif by == "dept_key":
            k = (int(r[0]), str(r[1]))
        elif by == "month_key":
            k = (day_of(r[0]), str(r[1]))
        else:  # month_dept_key
            k = (day_of(r[0]), int(r[1]), str(r[2]))
        n, c, total = r[width], r[width + 1], r[width + 2]
        cell = out.get(k)
        if cell is None:
            out[k] = [int(n or 0), int(c or 0), float(total or 0.0)]
        else:
            cell[0] += int(n or 0)
            cell[1] += int(c or 0)
            cell[2] += float(total or 0.0)
    return out


def _day(value: Any) -> date:
    """A day as the database returns it: a date (PostgreSQL), "YYYY-MM-DD…" or a month's
    "YYYY-MM" (its first day)."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10] if len(value) > 7 else f"{value}-01")
    if isinstance(value, datetime):
        return value.date()
    return value  # type: ignore[no-any-return]


def _group(by: str, day: Any, dept: Any, key: str) -> Any:
    if by == "day":
        return day
    if by == "key":
        return key
    if by == "month_key":
        return first_of(day), key
    if by == "weekday_key":
        return day.weekday(), key
    if by == "month_dept_key":
        return first_of(day), int(dept), key
    return (day, key) if by == "day_key" else (int(dept), key)
