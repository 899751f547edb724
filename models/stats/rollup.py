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
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.sql import in_dialect, transaction
from models.stats.daily import ALL, compute, days_between, spans
from models.stats.scope import (
    Scope,
    db,
    department_ids,
    fetch_rows,
    in_list,
    is_pg,
    local_midnight,
    moment,
)
from models.stats.waits import Histogram, compute_waits, merge

BATCH_DAYS = 7  # days one refresh recomputes in one transaction (SQLite: writers wait)
_LOCK = 0x6A677377_5354  # PostgreSQL advisory lock: one refresh at a time
# The state row's name: a new one when what the rollup holds changes (2: the waits), so an
# existing rollup is built again.
STATE = "rollup-2"
_CACHED = 16  # snapshots of dirty days' rows kept (per scope and set of marks)
_COLUMNS = {"day": ("day",), "key": ("key",), "day_key": ("day", "key"),
            "dept_key": ("department_id", "key")}


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


# What changes a figure: a request's type, status, department, creation, window, vehicle
# or room, rating, worker or driver. Each trigger marks the request's creation moment
# and its window, old and new.
_MARKED = ('type, status, department_id_at, created_at, start, "end", vehicle_id, facility_id, '
           "rating, assignee_id, driver_id")


def _sqlite_marks(row: str) -> str:
    return (f"INSERT INTO stats_dirty (lo, hi) VALUES ({row}.created_at, {row}.created_at); "  # noqa: S608
            f'INSERT INTO stats_dirty (lo, hi) SELECT {row}.start, {row}."end" '
            f'WHERE {row}.start IS NOT NULL AND {row}."end" IS NOT NULL;')


# The waits (models/stats/waits.py) change with a step's decision (its day, and the next
# step's wait, which begins there), with a repair's 'create', 'assign' and 'completed'
# records (the day the repair was reported), and with the request's type, department or
# creation (every decided step's day).
_STEP_MARKS = ("INSERT INTO stats_dirty (lo, hi) SELECT {row}.decided_at, {row}.decided_at "
               "WHERE {row}.decided_at IS NOT NULL; "
               "INSERT INTO stats_dirty (lo, hi) SELECT decided_at, decided_at FROM approval_step "
               "WHERE request_id = {row}.request_id AND seq = {row}.seq + 1 "
               "AND decided_at IS NOT NULL;")
_AUDIT_MARKS = ("INSERT INTO stats_dirty (lo, hi) SELECT created_at, created_at FROM request "
                "WHERE id = {row}.request_id AND type = 'repair_request' "
                "AND {row}.action IN ('create', 'assign', 'completed');")
_REQUEST_STEPS = ("INSERT INTO stats_dirty (lo, hi) SELECT decided_at, decided_at FROM approval_step "
                  "WHERE request_id = {row}.id AND decided_at IS NOT NULL;")

# Made again at every start (SQLite's schema comes from the models, not migrations), so a
# changed definition reaches an existing database.
SQLITE_TRIGGERS = f"""
DROP TRIGGER IF EXISTS stats_dirty_insert;
DROP TRIGGER IF EXISTS stats_dirty_update;
DROP TRIGGER IF EXISTS stats_dirty_delete;
DROP TRIGGER IF EXISTS stats_dirty_request_steps;
DROP TRIGGER IF EXISTS stats_dirty_step_insert;
DROP TRIGGER IF EXISTS stats_dirty_step_update;
DROP TRIGGER IF EXISTS stats_dirty_step_delete;
DROP TRIGGER IF EXISTS stats_dirty_audit_insert;
DROP TRIGGER IF EXISTS stats_dirty_audit_delete;
CREATE TRIGGER stats_dirty_insert AFTER INSERT ON request
BEGIN {_sqlite_marks("NEW")} END;
CREATE TRIGGER stats_dirty_update AFTER UPDATE OF {_MARKED} ON request
BEGIN {_sqlite_marks("OLD")} {_sqlite_marks("NEW")} END;
CREATE TRIGGER stats_dirty_delete AFTER DELETE ON request
BEGIN {_sqlite_marks("OLD")} END;
CREATE TRIGGER stats_dirty_request_steps AFTER UPDATE OF type, department_id_at, created_at ON request
BEGIN {_REQUEST_STEPS.format(row="NEW")} END;
CREATE TRIGGER stats_dirty_step_insert AFTER INSERT ON approval_step
BEGIN {_STEP_MARKS.format(row="NEW")} END;
CREATE TRIGGER stats_dirty_step_update AFTER UPDATE OF decided_at, seq, role, request_id ON approval_step
BEGIN {_STEP_MARKS.format(row="OLD")} {_STEP_MARKS.format(row="NEW")} END;
CREATE TRIGGER stats_dirty_step_delete AFTER DELETE ON approval_step
BEGIN {_STEP_MARKS.format(row="OLD")} END;
CREATE TRIGGER stats_dirty_audit_insert AFTER INSERT ON audit_log
BEGIN {_AUDIT_MARKS.format(row="NEW")} END;
CREATE TRIGGER stats_dirty_audit_delete AFTER DELETE ON audit_log
BEGIN {_AUDIT_MARKS.format(row="OLD")} END;
"""  # noqa: S608

_PG_REQUEST = f"""
CREATE OR REPLACE FUNCTION stats_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO stats_dirty (lo, hi) VALUES (OLD.created_at, OLD.created_at);
        IF OLD.start IS NOT NULL AND OLD."end" IS NOT NULL THEN
            INSERT INTO stats_dirty (lo, hi) VALUES (OLD.start, OLD."end");
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO stats_dirty (lo, hi) VALUES (NEW.created_at, NEW.created_at);
        IF NEW.start IS NOT NULL AND NEW."end" IS NOT NULL THEN
            INSERT INTO stats_dirty (lo, hi) VALUES (NEW.start, NEW."end");
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.type IS DISTINCT FROM NEW.type
            OR OLD.department_id_at IS DISTINCT FROM NEW.department_id_at
            OR OLD.created_at IS DISTINCT FROM NEW.created_at) THEN
        {_REQUEST_STEPS.format(row="NEW")}
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS stats_dirty_request ON request;
CREATE TRIGGER stats_dirty_request AFTER INSERT OR DELETE OR UPDATE OF {_MARKED}
    ON request FOR EACH ROW EXECUTE FUNCTION stats_mark_dirty();
"""  # noqa: S608

# The waits' triggers (migration 14); POSTGRES_TRIGGERS has all, for test databases made
# from the models.
POSTGRES_WAIT_TRIGGERS = f"""{_PG_REQUEST}
CREATE OR REPLACE FUNCTION stats_mark_step() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        {_STEP_MARKS.format(row="OLD")}
    END IF;
    IF TG_OP <> 'DELETE' THEN
        {_STEP_MARKS.format(row="NEW")}
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS stats_dirty_step ON approval_step;
CREATE TRIGGER stats_dirty_step AFTER INSERT OR DELETE OR UPDATE OF decided_at, seq, role, request_id
    ON approval_step FOR EACH ROW EXECUTE FUNCTION stats_mark_step();
CREATE OR REPLACE FUNCTION stats_mark_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        {_AUDIT_MARKS.format(row="OLD")}
    END IF;
    IF TG_OP <> 'DELETE' THEN
        {_AUDIT_MARKS.format(row="NEW")}
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS stats_dirty_audit ON audit_log;
CREATE TRIGGER stats_dirty_audit AFTER INSERT OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION stats_mark_audit();
"""  # noqa: S608
POSTGRES_TRIGGERS = POSTGRES_WAIT_TRIGGERS


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
    many. Built for another time zone, or never: starts again (`rebuild`)."""
    if not await _built_for(tz):
        await rebuild(tz)
    async with transaction():
        if is_pg(db()):
            await db().execute_query("SELECT pg_advisory_xact_lock($1)", [_LOCK])
        marks = await _marks()
        if not marks:
            return 0
        dirty = sorted({d for _, lo, hi in marks for d in days_between(lo, hi, tz)})
        now, later = dirty[:max_days], dirty[max_days:]
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
        ids = [i for i, _, _ in marks]
        for i in range(0, len(ids), 500):
            sql, params = in_list("id", ids[i:i + 500])
            await conn.execute_query(in_dialect(conn, f"DELETE FROM stats_dirty WHERE {sql}"), params)  # noqa: S608
        # What was left for later stays marked: its days as spans of local midnights.
        for first, after in spans(later):
            await StatsDirty.create(lo=local_midnight(first, tz),
                                    hi=local_midnight(after, tz) - timedelta(microseconds=1))
    return len(now)


async def refresh_all(tz: tzinfo) -> int:
    """Refresh until nothing is dirty; returns the days recomputed."""
    done = 0
    while (n := await refresh(tz)) > 0:
        done += n
    return done


# ---------------------------------------------------------------------------------------
# Reading it

_snapshots: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()


def forget_snapshots() -> None:
    """Another database (tests): the dirty days' rows kept for the last one are not its."""
    _snapshots.clear()


Direct = Callable[[Sequence[date], tzinfo], Awaitable[list[Any]]]
Stored = Callable[[list[date]], Awaitable[dict[Any, Any]]]


async def _consistent(scope: Scope, first: date, after: date, compute_days: Direct,
                      stored: Stored) -> tuple[list[Any], dict[Any, Any]]:
    """(rows computed from the requests for the dirty days of [first, after), what
    `stored(dirty days)` read of the rollup for the others), read again while the marks
    moved meanwhile (ids only grow, a refresh removes the ones it did)."""
    for _ in range(5):
        before = await _marks()
        built = await _built_for(scope.tz)
        dirty = (set() if not built else
                 {d for _, lo, hi in before for d in days_between(lo, hi, scope.tz)
                  if first <= d < after})
        if not built:
            dirty = {first + timedelta(days=i) for i in range((after - first).days)}
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
    grouped `by` "day", "key", "day_key" ((day, key)) or "dept_key" ((department,
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
        dept_sql, dept_params = in_list("department_id", wanted)
        skip_sql, skip_params = ("", []) if not dirty else in_list("day", dirty)
        rows = await fetch_rows(
            'SELECT "key", bucket, SUM(n) AS n, SUM(late) AS late, MIN(low) AS low, '  # noqa: S608
            f"MAX(top) AS top FROM stats_wait WHERE {dept_sql} AND metric = ? AND day >= ? "
            f"AND day < ?{' AND NOT ' + skip_sql if skip_sql else ''} GROUP BY \"key\", bucket",
            [*dept_params, metric, first, after, *skip_params])
        return {"cells": [(str(r["key"]), int(r["bucket"]), int(r["n"]), int(r["late"]),
                           float(r["low"]), float(r["top"])) for r in rows]}

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


async def _rollup_sums(depts: Sequence[int], metric: str, by: str, first: date, after: date,
                       dirty: Sequence[date]) -> dict[Any, list[float]]:
    cols = _COLUMNS[by]
    names = ", ".join(f'"{c}"' for c in cols)
    dept_sql, dept_params = in_list("department_id", list(depts))
    skip_sql, skip_params = ("", []) if not dirty else in_list("day", list(dirty))
    rows = await fetch_rows(
        f"SELECT {names}, SUM(n) AS n, SUM(c) AS c, SUM(total) AS total FROM stats_day "  # noqa: S608
        f"WHERE {dept_sql} AND metric = ? AND day >= ? AND day < ?"
        f"{' AND NOT ' + skip_sql if skip_sql else ''} GROUP BY {names}",
        [*dept_params, metric, first, after, *skip_params])
    out: dict[Any, list[float]] = {}
    for r in rows:
        day = r.get("day")
        if isinstance(day, str):
            day = date.fromisoformat(day[:10])
        k = _group(by, day, r.get("department_id"), str(r.get("key")))
        out[k] = [int(r["n"] or 0), int(r["c"] or 0), float(r["total"] or 0.0)]
    return out


def _group(by: str, day: Any, dept: Any, key: str) -> Any:
    if by == "day":
        return day
    if by == "key":
        return key
    return (day, key) if by == "day_key" else (int(dept), key)
