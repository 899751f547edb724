"""How long things take (models/stats): approval steps decided in the range, from the
request's creation or the step before's decision; repairs reported in the range, to the
first assignment and to completion, against their limits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from models.org import RequestType
from models.requests import NUMBER_BASE, RequestStatus
from models.stats.scope import (
    ASSIGN_LIMIT,
    FINISH_LIMIT,
    STEP_LIMIT,
    Scope,
    as_utc,
    db,
    department_filter,
    fetch_rows,
    hours_sql,
    is_pg,
    minutes,
    moment,
    percentile,
)

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
