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
    # Plain rows (index on status), the purpose read in SQL; the waiting steps of every
    # pending request in one more query.
    rows = await fetch_rows(
        "SELECT r.id AS id, r.type AS type, r.status AS status, r.created_at AS created_at, "  # noqa: S608
        "r.applicant_id AS applicant_id, r.assignee_id AS assignee_id, "
        f"r.department_id_at AS department_id_at, {purpose} AS purpose FROM request r "
        f"WHERE {open_sql}{dept_sql}", [*open_params, *dept_params])
    rows.sort(key=lambda r: int(r["id"]))  # in Python: ORDER BY id made SQLite scan the table
    steps: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in await fetch_rows(
        "SELECT s.request_id AS request_id, s.seq AS seq, s.approver_id AS approver_id, "  # noqa: S608
        "s.decided_at AS decided_at FROM approval_step s WHERE s.request_id IN "
        f"(SELECT r.id FROM request r WHERE r.status = ? AND r.type <> ?{dept_sql})",
        [str(RequestStatus.PENDING), str(RequestType.REPAIR_REQUEST), *dept_params]):
        steps[int(s["request_id"])].append(s)
    for waiting in steps.values():
        waiting.sort(key=lambda s: int(s["seq"]))
    found: list[tuple[dict[str, Any], str, int | None, datetime, timedelta]] = []
    for r in rows:
        created = moment(r["created_at"])
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
            began = max(began, moment(s["decided_at"]))
    user_ids = {f[0]["applicant_id"] for f in found} | {f[2] for f in found if f[2]}
    names: dict[Any, Any] = {}
    ids = sorted(user_ids)
    for i in range(0, len(ids), 500):  # plain rows: the query builder took 40 ms for 2,000 ids
        sql, params = in_list("id", ids[i:i + 500])
        names.update((r["id"], r["name"]) for r in await fetch_rows(
            f'SELECT id, name FROM "user" WHERE {sql}', params))  # noqa: S608
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
            round(minutes(now - since), 4),
            minutes(limit),
            str(r["purpose"] or ""),
        )
        for r, kind, who, since, limit in found
    ]
    out.sort(key=lambda o: (-o.waited_min, o.no))
    return out
