"""What is late now (models/stats): approval steps, unassigned and unfinished repairs
past their limits; the range does not apply."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from models.org import Department, RequestType, User
from models.requests import NUMBER_BASE, ApprovalStep, Request, RequestStatus
from models.stats.scope import (
    ASSIGN_LIMIT,
    FINISH_LIMIT,
    STEP_LIMIT,
    as_utc,
    chunks,
    department_ids,
    minutes,
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
    for chunk in chunks(pending):
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
            round(minutes(now - since), 4),
            minutes(limit),
            str((r["details"] or {}).get("purpose") or ""),
        )
        for r, kind, who, since, limit in found
    ]
    out.sort(key=lambda o: (-o.waited_min, o.no))
    return out
