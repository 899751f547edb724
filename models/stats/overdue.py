"""What is late now (models/stats): approval steps, unassigned and unfinished repairs
past their limits; the range does not apply."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from models.org import Department, RequestType
from models.requests import NUMBER_BASE, RequestStatus
from models.stats.scope import (
    ASSIGN_LIMIT,
    FINISH_LIMIT,
    STEP_LIMIT,
    as_utc,
    db,
    department_filter,
    fetch_rows,
    in_list,
    is_pg,
    minutes,
    moment,
)

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
    conn = db()
    dept_sql, dept_params = await department_filter(department_id, "r.department_id_at")
    purpose = "(r.details->>'purpose')" if is_pg(conn) else "json_extract(r.details, '$.purpose')"
    open_sql, open_params = in_list("r.status", [str(RequestStatus.PENDING), str(RequestStatus.ASSIGNED),
                                                 str(RequestStatus.IN_PROGRESS)])
    # Plain rows (index on status), the purpose and the people's names read in SQL; the
    # waiting steps of every pending request, with their approvers' names, in one more query.
    rows = await fetch_rows(
        "SELECT r.id AS id, r.type AS type, r.status AS status, r.created_at AS created_at, "  # noqa: S608
        "ua.name AS applicant, uw.name AS assignee, "
        f"r.department_id_at AS department_id_at, {purpose} AS purpose FROM request r "
        'LEFT JOIN "user" ua ON ua.id = r.applicant_id LEFT JOIN "user" uw ON uw.id = r.assignee_id '
        f"WHERE {open_sql}{dept_sql}", [*open_params, *dept_params])
    rows.sort(key=lambda r: int(r["id"]))  # in Python: ORDER BY id made SQLite scan the table
    steps: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in await fetch_rows(
        "SELECT s.request_id AS request_id, s.seq AS seq, u.name AS approver, "  # noqa: S608
        's.decided_at AS decided_at FROM approval_step s LEFT JOIN "user" u ON u.id = s.approver_id '
        "WHERE s.request_id IN "
        f"(SELECT r.id FROM request r WHERE r.status = ? AND r.type <> ?{dept_sql})",
        [str(RequestStatus.PENDING), str(RequestType.REPAIR_REQUEST), *dept_params]):
        steps[int(s["request_id"])].append(s)
    for waiting in steps.values():
        waiting.sort(key=lambda s: int(s["seq"]))
    found: list[tuple[dict[str, Any], str, str | None, datetime, timedelta]] = []
    for r in rows:
        created = moment(r["created_at"])
        if r["type"] == RequestType.REPAIR_REQUEST:
            if r["status"] == RequestStatus.PENDING and now - created > ASSIGN_LIMIT:
                found.append((r, "repair_unassigned", None, created, ASSIGN_LIMIT))
            elif now - created > FINISH_LIMIT:
                found.append((r, "repair_unfinished", r["assignee"], created, FINISH_LIMIT))
            continue
        if r["status"] != RequestStatus.PENDING:
            continue
        began = created
        for s in steps[r["id"]]:
            if s["decided_at"] is None:
                if now - began > STEP_LIMIT:
                    found.append((r, "approval", s["approver"], began, STEP_LIMIT))
                break
            began = max(began, moment(s["decided_at"]))
    depts = dict(await Department.all().values_list("id", "name"))
    out = [
        OverdueItem(
            r["id"] + NUMBER_BASE,
            str(r["type"]),
            kind,
            str(r["applicant"] or ""),
            str(depts.get(r["department_id_at"], "")),
            str(who or ""),
            since,
            round(minutes(now - since), 4),
            minutes(limit),
            str(r["purpose"] or ""),
        )
        for r, kind, who, since, limit in found
    ]
    out.sort(key=lambda o: (-o.waited_min, o.no))
    return out
