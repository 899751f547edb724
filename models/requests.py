"""Requests and the rules that keep them true: numbering, approval steps, the holds
that keep a vehicle, driver or room for one live request at a time, and the audit trail.

Every function that changes state runs inside `transaction()` (models/sql.py) and writes its audit
record there; callers that owe notifications open the outer transaction and write them
(the outbox) in it too, so a change, its audit and its notifications commit together.

    vehicle / facility (needs approval):  pending ─approve…─► approved ─► completed
                                              ├─reject─► rejected
                                              └─cancel─► cancelled
    facility (no approval):               approved (at once)
    repair:  pending ─assign─► assigned ─start─► in_progress ─finish─► completed

Split by concern: holds and availability in models/holds.py, decisions and cancel in
models/decisions.py, repairs in models/repairs.py, the audit trail in models/audit.py,
timers in models/timers.py, working hours in models/worktime.py, errors in
models/errors.py. No overlap, on both databases (models/holds.py). All datetimes are stored in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any

from tortoise import connections, fields
from tortoise.models import Model
from tortoise.query_utils import Prefetch
from tortoise.queryset import QuerySet

from models.audit import audit
from models.errors import Conflict, NoApprover, NotAllowed, NotFound, RequestError
from models.holds import MAX_WINDOW, driver_key, facility_key, hold_resources, vehicle_key
from models.org import (
    Facility,
    RequestType,
    Role,
    User,
    Vehicle,
    active_facility,
    approval_rule,
    dept_head_user,
    split_rule_role,
    users_with_role,
)
from models.sql import as_models, columns, in_dialect, insert_models, joined, transaction, utc
from models.vehicle_state import downtime_params, downtime_sql, last_day, paper_lapse

NUMBER_BASE = 1000  # request #1001 is row 1: numbers stay short and never look like a count


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


LIVE = (
    RequestStatus.PENDING,
    RequestStatus.APPROVED,
    RequestStatus.ASSIGNED,
    RequestStatus.IN_PROGRESS,
)


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class Request(Model):
    id = fields.IntField(primary_key=True)
    type = fields.CharEnumField(RequestType, max_length=32)
    status = fields.CharEnumField(
        RequestStatus, max_length=16, default=RequestStatus.PENDING, db_index=True
    )
    applicant: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="requests", on_delete=fields.RESTRICT
    )
    department_id_at = fields.IntField()  # the applicant's department when applying
    start = fields.DatetimeField(null=True)
    end = fields.DatetimeField(null=True)
    vehicle: fields.ForeignKeyNullableRelation[Vehicle] = fields.ForeignKeyField(
        "models.Vehicle", related_name="requests", null=True, on_delete=fields.RESTRICT
    )
    driver: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="driven", null=True, on_delete=fields.RESTRICT
    )
    facility: fields.ForeignKeyNullableRelation[Facility] = fields.ForeignKeyField(
        "models.Facility", related_name="requests", null=True, on_delete=fields.RESTRICT
    )
    assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="assigned", null=True, on_delete=fields.RESTRICT
    )
    details: dict[str, Any] = fields.JSONField(default=dict)  # type: ignore[assignment]
    series = fields.CharField(max_length=32, null=True, db_index=True)  # weekly repeats
    # One application of several services (models/bundles.py, issue 17): its parts.
    bundle: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Bundle", related_name="parts", null=True, on_delete=fields.RESTRICT
    )
    rating = fields.SmallIntField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    # Timers (see "Reminders and releases"): each is set once, by a compare-and-set, so
    # that several processes running the sweeper act on it once.
    dispatch_reminded_at = fields.DatetimeField(null=True)  # a repair waiting for dispatch
    checkin_asked_at = fields.DatetimeField(null=True)  # a room: the booker was asked
    checked_in_at = fields.DatetimeField(null=True)  # a room: the booker confirmed
    last_urged_at = fields.DatetimeField(null=True)  # the applicant's last 催办

    steps: fields.ReverseRelation[ApprovalStep]

    class Meta:
        table = "request"
        # (created_at, …): the dashboard's counts of a range from the index alone;
        # (type, start): bookings in use over a range (issue 16, item 4);
        # (status, type, created_at): the open repairs of a range, from the index alone
        indexes = (("applicant_id", "status"), ("created_at", "department_id_at", "type", "status"),
                   ("type", "start"), ("status", "type", "created_at"))

    @property
    def no(self) -> int:
        return self.id + NUMBER_BASE


class ApprovalStep(Model):
    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[Request] = fields.ForeignKeyField(
        "models.Request", related_name="steps", on_delete=fields.CASCADE
    )
    seq = fields.SmallIntField()
    role = fields.CharField(max_length=32)
    approver: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="approval_steps", on_delete=fields.RESTRICT
    )
    decision = fields.CharField(max_length=8, null=True)
    comment: str | None = fields.TextField(null=True)  # type: ignore[assignment]
    decided_at = fields.DatetimeField(null=True)
    channel = fields.CharField(max_length=16, null=True)
    reminded_at = fields.DatetimeField(null=True)
    escalated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "approval_step"
        unique_together = (("request", "seq"),)
        indexes = (("approver_id", "decision"), ("decided_at",))  # decided_at: lead times


def request_id(no: int) -> int:
    return no - NUMBER_BASE


# ---------------------------------------------------------------------------------------
# Creating


@dataclass(frozen=True, slots=True)
class NewRequest:
    type: RequestType
    applicant: str
    start: datetime | None = None
    end: datetime | None = None
    vehicle_id: int | None = None
    driver: str | None = None
    facility_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    series: str | None = None
    kind: str | None = None  # a kind with an approval rule of its own (`asset_request.disposal`)
    bundle_id: int | None = None  # a part of this bundle (models/bundles.py)


async def plan_steps(
    request_type: RequestType, applicant: User, *, needs_approval: bool = True,
    kind: str | None = None,
) -> list[tuple[str, User]]:
    """(role, approver) for each approval step; a step whose only candidate is the
    applicant passes to the next level up (dept_head) or to another holder of the role.
    A rule entry `dept_head@13` is the head of department 13 (not the applicant's)."""
    if request_type is RequestType.FACILITY_RESERVATION and not needs_approval:
        return []
    steps: list[tuple[str, User]] = []
    for entry in await approval_rule(request_type, kind):
        name, in_dept = split_rule_role(entry)
        role = Role(name)
        approver: User | None
        if role is Role.DEPT_HEAD:
            approver = await dept_head_user(
                in_dept if in_dept is not None else applicant.department_id,  # type: ignore[attr-defined]
                exclude_userid=applicant.userid,
            )
        else:  # the first holder by userid who is not the applicant, else an admin
            approver = next((u for u in await users_with_role(role)
                             if u.userid != applicant.userid), None)
            if approver is None:
                approver = next((u for u in await users_with_role(Role.ADMIN)
                                 if u.userid != applicant.userid), None)
        if approver is None:
            raise NoApprover(str(role))
        if steps and steps[-1][1].id == approver.id:
            continue  # the same person twice in a row approves once
        steps.append((str(role), approver))
    return steps


async def create_request(
    new: NewRequest, now: datetime, channel: str, *, vehicle: Vehicle | None = None,
    savepoint: bool = True,
) -> Request:
    """Create the request with its steps and holds (all or nothing) and audit it.

    A vehicle given without a driver holds the vehicle's own driver too. Raises
    RequestError when a named vehicle, driver or facility does not exist (or is out of
    service), when a held resource has no window, Conflict when one is taken.
    `vehicle`: `new.vehicle_id` as the caller has just read it (driver fetched), which
    saves reading it again. `savepoint=False`: the caller runs this in its own open
    `transaction()` and lets every error (Conflict included) leave it, so all of it rolls
    back together; no savepoint of this function's own (two statements fewer).

    The request comes back as `get_request` would read it: applicant, vehicle, driver
    and facility set, and its steps (with approvers) in `request.steps`."""
    conn = connections.get("default")
    # Prepared, as a model: every request reads its applicant (Tortoise's query building
    # cost more than the read). A booking of a vehicle for a window asks in the same
    # statement whether a downtime covers part of it (`why_unusable`'s first question),
    # at the moment it was asked before (in the caller's transaction, when there is one).
    window = new.vehicle_id is not None and new.start is not None and new.end is not None
    if window:
        assert new.vehicle_id is not None and new.start is not None and new.end is not None
        rows = await conn.execute_query_dict(in_dialect(conn, _applicant_sql(True)), [
            *downtime_params(new.vehicle_id, new.start, new.end), new.applicant, True])
    else:
        rows = await conn.execute_query_dict(in_dialect(conn, _applicant_sql(False)), [new.applicant, True])
    down = bool(rows[0].pop("down")) if rows and window else False
    found = as_models(User, rows)
    applicant = found[0] if found else None
    if applicant is None:
        raise NotAllowed(f"unknown user {new.applicant}")
    if (new.start is None) != (new.end is None):
        raise RequestError("start and end go together")
    if new.start is not None and new.end is not None:
        if utc(new.end) <= utc(new.start):
            raise RequestError("end must be after start")
        if new.end - new.start > MAX_WINDOW:
            raise RequestError("window too long")
    facility = None
    if new.facility_id is not None:
        facility = await active_facility(new.facility_id)
        if facility is None:
            raise RequestError(f"no facility {new.facility_id}")
    driver = None
    if new.vehicle_id is None:
        vehicle = None
    else:
        if vehicle is None or vehicle.id != new.vehicle_id or not vehicle.in_service:
            vehicle = (
                await Vehicle.filter(id=new.vehicle_id, in_service=True)
                .select_related("driver")
                .first()
            )
        if vehicle is None:
            raise RequestError(f"no vehicle {new.vehicle_id} in service")
        if new.start is not None and new.end is not None \
                and (down or paper_lapse(vehicle, last_day(new.start, new.end)) is not None):
            # 送修 / 停用 / papers lapsed meanwhile: as taken, the booking picks another
            raise Conflict([vehicle_key(vehicle.id)])
        own = vehicle.driver
        if own is not None and own.active and new.driver in (None, "", own.userid):
            driver = own  # the vehicle's own driver (the seed checks they are a driver)
    if new.driver and not (driver is not None and driver.userid == new.driver):
        driver = await User.get_or_none(userid=new.driver, active=True)
        if driver is None or not await driver.role_links.filter(role=Role.DRIVER).exists():
            raise RequestError(f"no driver {new.driver}")
    if (vehicle or driver or facility) and new.start is None:
        raise RequestError("a vehicle, driver or facility is held for a window: give one")
    # The organisation is read outside the transaction: it only changes by seeding.
    steps = await plan_steps(
        new.type, applicant, needs_approval=bool(facility and facility.needs_approval),
        kind=new.kind,
    )
    status = RequestStatus.PENDING
    if new.type is RequestType.FACILITY_RESERVATION and not steps:
        status = RequestStatus.APPROVED
    async with transaction() if savepoint else joined() as tx:
        request = Request(
            type=new.type,
            status=status,
            applicant=applicant,
            department_id_at=applicant.department_id,
            start=utc(new.start) if new.start else None,
            end=utc(new.end) if new.end else None,
            vehicle=vehicle,
            driver=driver,
            facility=facility,
            assignee=None,
            details=new.details,
            series=new.series,
            bundle_id=new.bundle_id,
            created_at=utc(now),
            updated_at=utc(now),
        )
        # Prepared INSERTs of the model rows (Tortoise's `create` cost ~800 Python calls
        # and a second statement for the id on SQLite): the request, then its steps in
        # one statement, their ids (in the approvers' cards) matched back by `seq`.
        request.id = (await insert_models(tx, [request], returning="id"))[0]["id"]
        keys = resource_keys(request, driver.userid if driver else None)
        if keys and new.start is not None and new.end is not None:
            await hold_resources(request, keys, new.start, new.end)
        made = [ApprovalStep(request=request, seq=seq, role=role, approver=approver)
                for seq, (role, approver) in enumerate(steps, start=1)]
        if made:
            ids = {int(r["seq"]): r["id"] for r in await insert_models(tx, made, returning="id, seq")}
            for step in made:
                step.id = ids[step.seq]
        # As if prefetched (Tortoise's own hook for that): `request.steps` needs no query.
        request.steps._set_result_for_query(made)
        extra: dict[str, Any] = {"bundle": new.bundle_id} if new.bundle_id is not None else {}
        await audit(
            request, applicant.userid, "create", channel, now, to_status=status, type=str(new.type),
            **extra,
        )
    return request


def resource_keys(request: Request, driver_userid: str | None) -> list[str]:
    keys = []
    if request.vehicle_id is not None:  # type: ignore[attr-defined]
        keys.append(vehicle_key(request.vehicle_id))  # type: ignore[attr-defined]
    if driver_userid:
        keys.append(driver_key(driver_userid))
    if request.facility_id is not None:  # type: ignore[attr-defined]
        keys.append(facility_key(request.facility_id))  # type: ignore[attr-defined]
    return keys


# ---------------------------------------------------------------------------------------
# Reading


async def get_request(no: int) -> Request | None:
    if not 0 < no - NUMBER_BASE < 2**31:
        return None
    # Two queries: the request joined with its people, vehicle and facility (LEFT JOINs:
    # most are null for some type), then its steps joined with their approvers.
    return await (
        Request.filter(id=request_id(no))
        .select_related("applicant", "vehicle", "driver", "facility", "assignee")
        .prefetch_related(Prefetch("steps", ApprovalStep.all().select_related("approver")))
        .first()
    )


def ordered_steps(request: Request) -> list[ApprovalStep]:
    return sorted(request.steps, key=lambda s: s.seq)


def current_step(request: Request) -> ApprovalStep | None:
    """The step waiting for a decision, if the request waits for one."""
    if request.status is not RequestStatus.PENDING:
        return None
    return next((s for s in ordered_steps(request) if s.decision is None), None)


def _whole(query: QuerySet[Request]) -> QuerySet[Request]:
    """Requests with their applicant (joined), their vehicle, driver, room and assignee
    and their steps with approvers (one query each, only for those present): for a
    handful of rows building the joins in Python costs more than the few reads."""
    return (query.select_related("applicant")
            .prefetch_related("vehicle", "driver", "facility", "assignee",
                              Prefetch("steps", ApprovalStep.all().select_related("approver"))))


async def open_requests_of(userid: str, limit: int = 10) -> list[Request]:
    """The user's live requests, newest first, with what `_whole` reads."""
    return await _whole(Request.filter(applicant__userid=userid, status__in=list(LIVE))
                        .order_by("-id").limit(limit))


async def latest_request_of(userid: str, request_type: RequestType | str) -> Request | None:
    """The user's newest request of a type, with what `_whole` reads."""
    return await _whole(Request.filter(applicant__userid=userid, type=RequestType(request_type))
                        .order_by("-id")).first()


async def pending_for(userid: str, limit: int = 20) -> list[Request]:
    """Requests whose current step waits for this approver, oldest first."""
    conn = connections.get("default")
    # Prepared: every status question asks it, and mostly of someone nothing waits for.
    steps = await conn.execute_query_dict(in_dialect(conn, _PENDING_STEPS), [
        userid, str(RequestStatus.PENDING), limit * 3])
    out: list[Request] = []
    for step in steps:
        request = await get_request(int(step["request_id"]) + NUMBER_BASE)
        if request is not None and (cur := current_step(request)) is not None \
                and cur.id == step["id"]:
            out.append(request)
        if len(out) >= limit:
            break
    return out


@cache
def _applicant_sql(downtime: bool) -> str:
    # Built once Tortoise is set up: a foreign key's column joins the model's then.
    down = f", {downtime_sql()} AS down" if downtime else ""
    return 'SELECT {cols}{down} FROM "user" WHERE userid = ? AND active = ? LIMIT 1'.format(  # noqa: S608, UP032
        cols=columns(User), down=down)



_PENDING_STEPS = (
    'SELECT s.id, s.request_id FROM approval_step s JOIN "user" u ON u.id = s.approver_id '
    "JOIN request r ON r.id = s.request_id "
    "WHERE u.userid = ? AND s.decision IS NULL AND r.status = ? ORDER BY s.request_id LIMIT ?")


def to_api(request: Request) -> dict[str, Any]:
    """The admin API's view (CONTRACT §4)."""
    return {
        "no": request.no,
        "type": str(request.type),
        "status": str(request.status),
        "applicant": request.applicant.userid,
        "start": request.start.isoformat() if request.start else None,
        "end": request.end.isoformat() if request.end else None,
        "vehicle": request.vehicle.plate if request.vehicle else None,
        "driver": request.driver.userid if request.driver else None,
        "facility": request.facility.id if request.facility else None,
        "assignee": request.assignee.userid if request.assignee else None,
        "details": request.details,
        "bundle": request.bundle_id,  # type: ignore[attr-defined]  # parts of one application (issue 17)
        "steps": [
            {
                "approver": s.approver.userid,
                "role": s.role,
                "decision": s.decision,
                "decided_at": s.decided_at.isoformat() if s.decided_at else None,
                "comment": s.comment,
            }
            for s in ordered_steps(request)
        ],
        "created_at": request.created_at.isoformat(),
    }


# ---------------------------------------------------------------------------------------
# Changing


async def settled_request(no: int) -> Request | None:
    """Inside a transaction: the request as no change is under way — PostgreSQL waits
    for a change holding its row (FOR SHARE), SQLite's one connection runs the
    transaction alone — so that the request and its steps (two queries) are read from
    one state, never a decision half seen. Writes nothing."""
    if not 0 < no - NUMBER_BASE < 2**31:
        return None
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT id FROM request WHERE id = $1 FOR SHARE", [request_id(no)])
    return await get_request(no)


async def locked_request(no: int, now: datetime) -> Request:
    """Inside a transaction: lock the request's row (a no-op UPDATE of `updated_at`: a
    row lock on PostgreSQL, the write lock on SQLite) and then read it, so that changes
    of one request (decisions, cancel, repair steps) run one after the other and each
    sees the state the previous one left (READ COMMITTED reads after the lock)."""
    if not 0 < no - NUMBER_BASE < 2**31:
        raise NotFound(no)
    await Request.filter(id=request_id(no)).update(updated_at=utc(now))
    request = await get_request(no)
    if request is None:
        raise NotFound(no)
    return request


async def set_status(
    request: Request, to: RequestStatus, frm: Iterable[RequestStatus], now: datetime
) -> bool:
    """Compare-and-set the status: False when another change got there first."""
    n = await Request.filter(id=request.id, status__in=list(frm)).update(
        status=to, updated_at=utc(now)
    )
    if n:
        request.status = to
    return bool(n)
