"""How long things take (models/stats): approval steps decided in the range, from the
request's creation or the step before's decision; repairs reported in the range, to the
first assignment and to completion, against their limits. The medians, 90th percentiles,
maxima and counts over the limits come from the rollup's histograms of the waits
(models/stats/waits.py); the list of repairs from the requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from models.org import RequestType
from models.requests import NUMBER_BASE, RequestStatus
from models.sql import in_dialect
from models.stats.rollup import histograms, sums
from models.stats.scope import (
    ASSIGN_LIMIT,
    FINISH_LIMIT,
    Scope,
    as_utc,
    db,
    department_filter,
    fetch_rows,
    in_list,
    is_pg,
    minutes,
    moment,
)
from models.stats.waits import REPAIR_KEY, Histogram

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
    range took, from the request's creation (step 1) or the previous step's decision.
    From the rollup's histograms (models/stats/waits.py: counts, over-limit counts and
    maxima exact, the median and p90 within 2 %)."""
    out = []
    for key, h in (await histograms(scope, "step")).items():
        rtype, seq, role = key.split("|", 2)
        out.append(StepLeadTime(rtype, int(seq), role, h.count,
                                round(h.quantile(0.5) or 0.0, 4), round(h.quantile(0.9) or 0.0, 4),
                                round(h.max or 0.0, 4), h.over))
    return sorted(out, key=lambda s: (s.type, s.seq, s.role))


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
    items: list[RepairItem] = field(default_factory=list)  # all, or the first few
    item_count: int = 0  # the repairs reported in the range, all of them


def _measure(name: str, limit: timedelta, h: Histogram | None, open_ages: list[float]
             ) -> RepairMeasure:
    lim = minutes(limit)

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 4)

    h = h or Histogram(())
    return RepairMeasure(name, lim, h.count, r(h.quantile(0.5)), r(h.quantile(0.9)), r(h.max),
                         h.count - h.over, h.over, sum(a > lim for a in open_ages))


_OPEN = (RequestStatus.PENDING, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS)


def _first(action: str) -> str:
    """A repair's earliest audit moment of `action`, in SQL (index (request_id, action))."""
    return ("(SELECT MIN(a.at) FROM audit_log a "  # noqa: S608
            f"WHERE a.request_id = r.id AND a.action = '{action}')")


async def repair_times(scope: Scope, now: datetime, items: int | None = None) -> RepairReport:
    """Repairs reported in the range: report → first assignment and report → completion
    (AuditLog 'create', 'assign', 'completed'), against ASSIGN_LIMIT and FINISH_LIMIT,
    from the rollup's histograms (models/stats/waits.py); the open ones past a limit at
    `now`. Cancelled repairs count only for the steps they reached. `items`: the list
    of repairs, its first so many (by report), None for all; `item_count` is all."""
    now = as_utc(now)
    dept_sql, dept_params = await department_filter(scope.department_id, "r.department_id_at")
    open_sql, open_params = in_list("r.status", [str(s) for s in _OPEN])
    open_assign, open_finish = [], []
    # The open ones: few, whatever the range (index (status, type, created_at)).
    for r in await fetch_rows(
        f"SELECT r.created_at AS created_at, r.status AS status, {_first('create')} AS c "  # noqa: S608
        f"FROM request r WHERE {open_sql} AND r.type = ? AND r.created_at >= ? "
        f"AND r.created_at < ?{dept_sql}",
        [*open_params, str(RequestType.REPAIR_REQUEST), scope.since, scope.until, *dept_params]):
        began = moment(r["c"] if r["c"] is not None else r["created_at"])
        if r["status"] == RequestStatus.PENDING:
            open_assign.append(minutes(now - began))
        open_finish.append(minutes(now - began))
    counts = await sums(scope, "req", "key")
    total = sum(int(v[0]) for k, v in counts.items()
                if k.partition("|")[0] == RequestType.REPAIR_REQUEST)
    return RepairReport(
        _measure("assign", ASSIGN_LIMIT, (await histograms(scope, "assign")).get(REPAIR_KEY),
                 open_assign),
        _measure("finish", FINISH_LIMIT, (await histograms(scope, "finish")).get(REPAIR_KEY),
                 open_finish),
        await repair_items(scope, items) if items != 0 else [],
        item_count=total,
    )


# A repair of the list as a plain row, in RepairItem's order: (number, reported at, status,
# location, assign minutes, finish minutes, category, worker, rating, comment).
RepairRow = tuple[int, datetime, str, str, float | None, float | None, str, str, int | None, str]


async def repair_items(scope: Scope, limit: int | None = None) -> list[RepairItem]:
    """The repairs reported in the range, in the order reported (`repair_rows`); the
    first `limit` when given."""
    return [RepairItem(*row) for row in await repair_rows(scope, limit)]


async def repair_rows(scope: Scope, limit: int | None = None) -> list[RepairRow]:
    """The repairs reported in the range, in the order reported, as plain rows (no object
    a row: a month of a large bureau is 26,000 repairs, its CSV all of them): one query,
    the details' fields and the audit moments in SQL, read by position; the first
    `limit` when given."""
    conn = db()
    pg = is_pg(conn)
    dept_sql, dept_params = await department_filter(scope.department_id, "r.department_id_at")

    def field(name: str) -> str:  # a text field of the details, in SQL
        return f"(r.details->>'{name}')" if pg else f"json_extract(r.details, '$.{name}')"

    # The first `limit` by the index's order (created_at; the same moment by number), before
    # anything is read for them.
    first, first_params = "", []
    if limit is not None:
        inner_sql, inner_params = await department_filter(scope.department_id, "department_id_at")
        first = (" AND r.id IN (SELECT id FROM request WHERE type = ? AND created_at >= ? "  # noqa: S608
                 f"AND created_at < ?{inner_sql} ORDER BY created_at, id LIMIT {int(limit)})")
        first_params = [str(RequestType.REPAIR_REQUEST), scope.since, scope.until, *inner_params]
    # The three first moments: PostgreSQL reads a repair's audit records once for them
    # (LATERAL: 141 → 76 ms a month of 24,000 repairs, EXPLAIN ANALYZE); SQLite has no
    # LATERAL, and three lookups in the covering index are as quick there as one grouped.
    if pg:
        moments = "m.c, m.a, m.d "
        join = ("LEFT JOIN LATERAL (SELECT MIN(at) FILTER (WHERE action = 'create') AS c, "
                "MIN(at) FILTER (WHERE action = 'assign') AS a, "
                "MIN(at) FILTER (WHERE action = 'completed') AS d "
                "FROM audit_log WHERE request_id = r.id) m ON true ")
    else:
        moments = f"{_first('create')}, {_first('assign')}, {_first('completed')} "
        join = ""
    _, rows = await conn.execute_query(in_dialect(conn,
        f"SELECT r.id, r.created_at, r.status, r.rating, {field('location')}, "  # noqa: S608
        f"{field('category')}, {field('rating_comment')}, u.name, {moments}"
        f'FROM request r LEFT JOIN "user" u ON u.id = r.assignee_id {join}'
        f"WHERE r.type = ? AND r.created_at >= ? AND r.created_at < ?{dept_sql}{first} "
        "ORDER BY r.created_at, r.id"),
        [str(RequestType.REPAIR_REQUEST), scope.since, scope.until, *dept_params, *first_params])
    at = as_utc if pg else _sqlite_moment  # PostgreSQL's are datetimes, SQLite's text
    out: list[RepairRow] = []
    append = out.append
    for rid, created, status, rating, location, category, comment, worker, m_create, m_assign, \
            m_completed in rows:
        began = at(m_create if m_create is not None else created)
        append((rid + NUMBER_BASE, began, status, location or "",
                None if m_assign is None else round((at(m_assign) - began).total_seconds() / 60, 4),
                None if m_completed is None else
                round((at(m_completed) - began).total_seconds() / 60, 4),
                category or "", worker or "", rating, comment or ""))
    return out


def _sqlite_moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
