"""Requests and the rules that keep them true: numbering, approval steps, the holds
that keep a vehicle, driver or room for one live request at a time, and the audit trail.

Every function that changes state runs inside `in_transaction()` and writes its audit
record there; callers that owe notifications open the outer transaction and write them
(the outbox) in it too, so a change, its audit and its notifications commit together.

    vehicle / facility (needs approval):  pending ─approve…─► approved ─► completed
                                              ├─reject─► rejected
                                              └─cancel─► cancelled
    facility (no approval):               approved (at once)
    repair:  pending ─assign─► assigned ─start─► in_progress ─finish─► completed

No overlap, on both databases. On PostgreSQL an exclusion constraint over each
resource's time ranges (see `POSTGRES_CONSTRAINTS`) decides: a booking checks for
overlap, then inserts its holds; a concurrent insert of an overlapping hold waits for the
first transaction and is refused if it commits, while bookings of other windows of the
same vehicle or room never wait for each other. On SQLite a hold is taken only after
updating each resource's row in `resource_lock` (which takes the write lock that
serialises writers) and checking for overlap inside the same transaction. All datetimes
are stored in UTC (see models/outbox.py for why).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from tortoise import connections, fields
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.models import Model
from tortoise.query_utils import Prefetch
from tortoise.transactions import in_transaction

from models.db import in_dialect
from models.org import (
    Facility,
    RequestType,
    Role,
    User,
    Vehicle,
    approval_chain,
    dept_head_userid,
)

NUMBER_BASE = 1000  # request #1001 is row 1: numbers stay short and never look like a count
MAX_WINDOW = timedelta(days=7)  # no hold longer than this; also bounds the overlap index scan


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
        indexes = (("applicant_id", "status"),)

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
    comment = fields.TextField(null=True)
    decided_at = fields.DatetimeField(null=True)
    channel = fields.CharField(max_length=16, null=True)
    reminded_at = fields.DatetimeField(null=True)
    escalated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "approval_step"
        unique_together = (("request", "seq"),)
        indexes = (("approver_id", "decision"),)


class Hold(Model):
    """A resource kept for [start, end) by a live request: `vehicle:12`, `driver:zhaoshifu`,
    `facility:mr-301`."""

    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[Request] = fields.ForeignKeyField(
        "models.Request", related_name="holds", on_delete=fields.CASCADE
    )
    resource = fields.CharField(max_length=80)
    start = fields.DatetimeField()
    end = fields.DatetimeField()
    active = fields.BooleanField(default=True)

    class Meta:
        table = "hold"
        # (resource, active, start): one resource's holds near a window (the overlap
        # check of a booking). (active, start, end, resource): every active hold near a
        # window from the index alone (finding free vehicles and rooms).
        indexes = (("resource", "active", "start"), ("active", "start", "end", "resource"))


class ResourceLock(Model):
    """One row per resource; on SQLite, updating it first serialises bookings (PostgreSQL
    relies on its exclusion constraint instead)."""

    key = fields.CharField(max_length=80, primary_key=True)
    version = fields.IntField(default=0)

    class Meta:
        table = "resource_lock"


class AuditLog(Model):
    """Who did what, when, from which channel, from which status to which — one link of a
    hash chain (倒查追责): `hash` is sha256 over the row's canonical JSON, which includes
    `seq` (1, 2, 3, … without gaps) and `prev_hash`, the hash of record `seq - 1`. A row
    changed afterwards no longer matches its hash; a row removed leaves a gap in `seq`;
    `python main.py audit verify` (models/audit.py) finds the first of either.

    A record is written with its change and no `seq`; `models.audit.seal` links it into
    the chain once committed (within a second in the server)."""

    id = fields.BigIntField(primary_key=True)
    request: fields.ForeignKeyNullableRelation[Request] = fields.ForeignKeyField(
        "models.Request", related_name="audit", null=True, on_delete=fields.RESTRICT
    )
    actor = fields.CharField(max_length=64)
    action = fields.CharField(max_length=32)
    from_status = fields.CharField(max_length=16, null=True)
    to_status = fields.CharField(max_length=16, null=True)
    channel = fields.CharField(max_length=16)
    at = fields.DatetimeField()
    details: dict[str, Any] = fields.JSONField(default=dict)  # type: ignore[assignment]
    # Null until the record is sealed into the chain (models/audit.py `seal`).
    seq = fields.BigIntField(null=True, unique=True)
    prev_hash = fields.CharField(max_length=64, null=True)
    hash = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "audit_log"


class AuditHead(Model):
    """The chain's one head row (id 1): the last `seq` given out and that record's hash.
    Every seal updates it first, so seals are serialised (a row lock on PostgreSQL, the
    write lock on SQLite) and the chain never forks; it also shows records removed from
    the end."""

    id = fields.SmallIntField(primary_key=True, generated=False)
    seq = fields.BigIntField(default=0)
    last_hash = fields.CharField(max_length=64, default="")

    class Meta:
        table = "audit_head"


# PostgreSQL's last word on overlaps (applied by the migration; btree_gist is a trusted
# extension since PostgreSQL 13).
POSTGRES_CONSTRAINTS = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE hold DROP CONSTRAINT IF EXISTS hold_no_overlap;
ALTER TABLE hold ADD CONSTRAINT hold_no_overlap EXCLUDE USING gist
    (resource WITH =, tstzrange(start, "end", '[)') WITH &&) WHERE (active);
"""


# ---------------------------------------------------------------------------------------
# Errors: each carries what a handler needs to tell the user what to do.


class RequestError(Exception):
    """A rule refused the change; nothing was written."""


class NotFound(RequestError):
    def __init__(self, no: int) -> None:
        super().__init__(f"no request #{no}")
        self.no = no


class NotAllowed(RequestError):
    pass


class InvalidState(RequestError):
    def __init__(self, request: Request, wanted: str) -> None:
        super().__init__(f"#{request.no} is {request.status}, cannot {wanted}")
        self.request = request
        self.wanted = wanted


class AlreadyDecided(RequestError):
    def __init__(self, step: ApprovalStep) -> None:
        super().__init__(f"step {step.id} already decided: {step.decision}")
        self.step = step


class Conflict(RequestError):
    def __init__(self, resources: Sequence[str]) -> None:
        super().__init__(f"already held: {', '.join(resources)}")
        self.resources = list(resources)


class NoApprover(RequestError):
    def __init__(self, role: str) -> None:
        super().__init__(f"nobody can approve as {role}")
        self.role = role


# ---------------------------------------------------------------------------------------
# Helpers


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"an aware datetime is required, got {moment!r}")
    return moment.astimezone(UTC)


def vehicle_key(vehicle_id: int) -> str:
    return f"vehicle:{vehicle_id}"


def driver_key(userid: str) -> str:
    return f"driver:{userid}"


def facility_key(facility_id: str) -> str:
    return f"facility:{facility_id}"


def request_id(no: int) -> int:
    return no - NUMBER_BASE


AUDIT_GENESIS = ""  # prev_hash of record 1


def audit_at(at: datetime) -> str:
    """The canonical form of an audit time: UTC, microseconds (what both databases keep)."""
    return utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def audit_hash(
    *,
    seq: int,
    request_id: int | None,
    actor: str,
    action: str,
    from_status: str | None,
    to_status: str | None,
    channel: str,
    at: datetime,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    """sha256 of the record's canonical JSON (sorted keys, no spaces, UTF-8)."""
    payload = {
        "seq": seq,
        "request": request_id,
        "actor": actor,
        "action": action,
        "from": from_status,
        "to": to_status,
        "channel": channel,
        "at": audit_at(at),
        "details": details,
        "prev": prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def audit(
    request: Request | None,
    actor: str,
    action: str,
    channel: str,
    now: datetime,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    **details: Any,
) -> AuditLog:
    """Write an audit record, inside the caller's transaction (or on its own): one
    INSERT, no lock. It joins the hash chain when `models.audit.seal` links it, after
    its transaction commits (the server seals every second), so concurrent changes
    never wait on each other for the chain."""
    # What goes in is what comes back out of either database (JSON of primitives): the
    # hash is computed over exactly that.
    details = json.loads(json.dumps(details, ensure_ascii=False, default=str))
    return await AuditLog.create(
        request=request, actor=actor, action=action, channel=channel, at=utc(now),
        from_status=None if from_status is None else str(from_status),
        to_status=None if to_status is None else str(to_status), details=details,
    )


DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE

_LOCK_SQL = (
    "INSERT INTO resource_lock (key, version) VALUES {values} "
    "ON CONFLICT (key) DO UPDATE SET version = resource_lock.version + 1"
)


async def lock_resources(keys: Iterable[str]) -> None:
    """SQLite: take each resource's lock row for the rest of the transaction (one upsert,
    which takes the database write lock, so the overlap check after it sees every
    committed hold and no writer slips in between). PostgreSQL: nothing — its exclusion
    constraint serialises only overlapping holds (a lock row would queue every booking
    of a popular vehicle behind the one before, whatever its window)."""
    keys = sorted(set(keys))
    conn = connections.get("default")
    if not keys or conn.capabilities.dialect == "postgres":
        return
    values = ", ".join("(?, 1)" for _ in keys)
    await conn.execute_query(_LOCK_SQL.format(values=values), keys)


async def busy_resources(
    keys: Iterable[str], start: datetime, end: datetime, *, ignore_request: int | None = None
) -> set[str]:
    """Which of `keys` an active hold covers for some part of [start, end)."""
    keys = list(keys)
    if not keys:
        return set()
    query = Hold.filter(
        resource__in=keys,
        active=True,
        start__lt=utc(end),
        end__gt=utc(start),
        start__gt=utc(start) - MAX_WINDOW,
    )
    if ignore_request is not None:
        query = query.exclude(request_id=ignore_request)
    return set(await query.values_list("resource", flat=True))


async def hold_resources(
    request: Request, keys: Sequence[str], start: datetime, end: datetime
) -> None:
    """Hold every resource in `keys` for the request, or raise Conflict and hold none.

    Call it inside `in_transaction()` and let Conflict leave that block: on PostgreSQL a
    refused INSERT aborts the transaction, and leaving the block rolls it back (to its
    savepoint when nested in a caller's transaction, which then goes on), as
    `create_request` and `decide` do."""
    await lock_resources(keys)
    busy = await busy_resources(keys, start, end, ignore_request=request.id)
    if busy:
        raise Conflict(sorted(busy))
    holds = [
        Hold(request=request, resource=k, start=utc(start), end=utc(end))
        for k in sorted(set(keys))  # one order: waits on the constraint never cross
    ]
    try:
        await Hold.bulk_create(holds)
    except IntegrityError as e:  # PostgreSQL's exclusion constraint: the last word
        raise Conflict(sorted(set(keys))) from e
    except Exception as e:
        # PostgreSQL: two transactions inserting overlapping holds at the same moment each
        # wait for the other's row; the deadlock detector refuses one (after a second)
        # and the other goes on. A lost race, like the constraint's refusal.
        if getattr(e, "sqlstate", None) == DEADLOCK_DETECTED:
            raise Conflict(sorted(set(keys))) from e
        raise


async def release_holds(request: Request) -> None:
    await Hold.filter(request_id=request.id, active=True).update(active=False)


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


async def plan_steps(
    request_type: RequestType, applicant: User, *, needs_approval: bool = True
) -> list[tuple[str, User]]:
    """(role, approver) for each approval step; a step whose only candidate is the
    applicant passes to the next level up (dept_head) or to another holder of the role."""
    if request_type is RequestType.FACILITY_RESERVATION and not needs_approval:
        return []
    steps: list[tuple[str, User]] = []
    for role in await approval_chain(request_type):
        approver: User | None
        if role is Role.DEPT_HEAD:
            head = await dept_head_userid(
                applicant.department_id,  # type: ignore[attr-defined]
                exclude_userid=applicant.userid,
            )
            approver = None if head is None else await User.get_or_none(userid=head)
        else:
            approver = await (
                User.filter(active=True, role_links__role=role)
                .exclude(userid=applicant.userid)
                .order_by("userid")
                .first()
            )
            if approver is None:
                approver = await (
                    User.filter(active=True, role_links__role=Role.ADMIN)
                    .exclude(userid=applicant.userid)
                    .order_by("userid")
                    .first()
                )
        if approver is None:
            raise NoApprover(str(role))
        if steps and steps[-1][1].id == approver.id:
            continue  # the same person twice in a row approves once
        steps.append((str(role), approver))
    return steps


async def create_request(
    new: NewRequest, now: datetime, channel: str, *, vehicle: Vehicle | None = None
) -> Request:
    """Create the request with its steps and holds (all or nothing) and audit it.

    A vehicle given without a driver holds the vehicle's own driver too. Raises
    RequestError when a named vehicle, driver or facility does not exist (or is out of
    service), when a held resource has no window, Conflict when one is taken.
    `vehicle`: `new.vehicle_id` as the caller has just read it (driver fetched), which
    saves reading it again.

    The request comes back as `get_request` would read it: applicant, vehicle, driver
    and facility set, and its steps (with approvers) in `request.steps`."""
    applicant = await User.get_or_none(userid=new.applicant, active=True)
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
        facility = await Facility.get_or_none(id=new.facility_id, active=True)
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
        new.type, applicant, needs_approval=bool(facility and facility.needs_approval)
    )
    status = RequestStatus.PENDING
    if new.type is RequestType.FACILITY_RESERVATION and not steps:
        status = RequestStatus.APPROVED
    async with in_transaction():
        request = await Request.create(
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
            created_at=utc(now),
            updated_at=utc(now),
        )
        keys = resource_keys(request, driver.userid if driver else None)
        if keys and new.start is not None and new.end is not None:
            await hold_resources(request, keys, new.start, new.end)
        made = [  # one INSERT each: their ids are in the approvers' cards
            await ApprovalStep.create(request=request, seq=seq, role=role, approver=approver)
            for seq, (role, approver) in enumerate(steps, start=1)
        ]
        # As if prefetched (Tortoise's own hook for that): `request.steps` needs no query.
        request.steps._set_result_for_query(made)
        await audit(
            request, applicant.userid, "create", channel, now, to_status=status, type=str(new.type)
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
# Finding free resources


# "Free" as one query: the active holds near the window are read once (a range of the
# (active, start, end, resource) index: start bounded below by MAX_WINDOW, so the cost
# grows with the bookings near the window, not with the history), then each candidate is
# looked up in that set; no key lists, no busy set in Python.
_HELD = """(SELECT h.resource FROM hold h WHERE h.active = ? AND h.start < ? AND h."end" > ?
    AND h.start > ?{ignore})"""


def _held(start: datetime, end: datetime, ignore_request: int | None) -> tuple[str, list[Any]]:
    """A subquery of the resources held for some part of [start, end), and its params."""
    params: list[Any] = [True, utc(end), utc(start), utc(start) - MAX_WINDOW]
    ignore = ""
    if ignore_request is not None:
        ignore = " AND h.request_id <> ?"
        params.append(ignore_request)
    return _HELD.format(ignore=ignore), params


async def _ids(sql: str, params: list[Any]) -> list[Any]:
    conn = connections.get("default")
    rows = await conn.execute_query_dict(in_dialect(conn, sql), params)
    return [row["id"] for row in rows]


async def free_vehicles(
    start: datetime,
    end: datetime,
    seats: int = 1,
    *,
    ignore_request: int | None = None,
    limit: int | None = None,
) -> list[Vehicle]:
    """Vehicles in service with at least `seats` seats whose vehicle and (active) driver
    are both free for [start, end), smallest first, at most `limit`; driver fetched."""
    held, p = _held(start, end, ignore_request)
    # Only fixed fragments are formatted in; every value is a parameter.
    sql = f"""SELECT v.id FROM vehicle v JOIN "user" d ON d.id = v.driver_id
        WHERE v.in_service = ? AND v.seats >= ? AND d.active = ?
        AND 'vehicle:' || v.id NOT IN {held} AND 'driver:' || d.userid NOT IN {held}
        ORDER BY v.seats, v.plate"""  # noqa: S608
    params: list[Any] = [True, seats, True, *p, *p]  # the subquery appears twice
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    ids = await _ids(sql, params)
    if not ids:
        return []
    by_id = {v.id: v for v in await Vehicle.filter(id__in=ids).select_related("driver")}
    return [by_id[i] for i in ids]


async def free_facilities(
    start: datetime,
    end: datetime,
    *,
    type: str | None = None,
    capacity: int = 0,
    ids: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[Facility]:
    """Active facilities (of a type, or among `ids`) with room for `capacity`, free for
    [start, end), smallest first, at most `limit`; opening hours are the caller's check
    (they depend on the local day)."""
    held, p = _held(start, end, None)
    where, params = ["f.active = ?", "f.capacity >= ?"], [True, capacity]
    if type:
        where.append("f.type = ?")
        params.append(str(type))
    if ids is not None:
        if not ids:
            return []
        where.append(f"f.id IN ({', '.join('?' * len(ids))})")
        params += list(ids)
    sql = (  # only fixed fragments are formatted in; every value is a parameter
        f"SELECT f.id FROM facility f WHERE {' AND '.join(where)}"  # noqa: S608
        f" AND 'facility:' || f.id NOT IN {held}"
        " ORDER BY f.capacity, f.id"
    )
    params += p
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    found = await _ids(sql, params)
    if not found:
        return []
    by_id = {f.id: f for f in await Facility.filter(id__in=found)}
    return [by_id[i] for i in found]


async def next_free_start(
    keys: Sequence[str], start: datetime, duration: timedelta, until: datetime
) -> datetime | None:
    """The earliest moment at or after `start` when every resource in `keys` is free
    for `duration`, looking no further than `until`."""
    holds = await (
        Hold.filter(
            resource__in=list(keys),
            active=True,
            end__gt=utc(start),
            start__lt=utc(until) + duration,
        )
        .order_by("start")
        .values_list("start", "end")
    )
    candidate = utc(start)
    for h_start, h_end in holds:
        if utc(h_start) >= candidate + duration:
            break
        candidate = max(candidate, utc(h_end))
    return candidate if candidate <= utc(until) else None


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


async def open_requests_of(userid: str, limit: int = 10) -> list[Request]:
    return await (
        Request.filter(applicant__userid=userid, status__in=list(LIVE))
        .order_by("-id")
        .limit(limit)
        .prefetch_related("vehicle", "facility", "assignee", "steps__approver")
    )


async def pending_for(userid: str, limit: int = 20) -> list[Request]:
    """Requests whose current step waits for this approver, oldest first."""
    steps = await (
        ApprovalStep.filter(
            approver__userid=userid, decision__isnull=True, request__status=RequestStatus.PENDING
        )
        .order_by("request_id")
        .prefetch_related("request")
        .limit(limit * 3)
    )
    out: list[Request] = []
    for step in steps:
        request = await get_request(step.request.no)
        if request is not None and (cur := current_step(request)) is not None and cur.id == step.id:
            out.append(request)
        if len(out) >= limit:
            break
    return out


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


async def _locked_request(no: int, now: datetime) -> Request:
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


async def _set_status(
    request: Request, to: RequestStatus, frm: Iterable[RequestStatus], now: datetime
) -> bool:
    """Compare-and-set the status: False when another change got there first."""
    n = await Request.filter(id=request.id, status__in=list(frm)).update(
        status=to, updated_at=utc(now)
    )
    if n:
        request.status = to
    return bool(n)


@dataclass(frozen=True, slots=True)
class DecisionResult:
    request: Request
    step: ApprovalStep
    next_step: ApprovalStep | None  # the step now waiting, if any
    final: bool  # the request is approved or rejected


async def decide(
    no: int,
    approver: str,
    decision: Decision,
    now: datetime,
    channel: str,
    *,
    comment: str | None = None,
    step_id: int | None = None,
    vehicle_id: int | None = None,
    driver: str | None = None,
) -> DecisionResult:
    """The current step's approver approves or rejects. `step_id` binds a decision to the
    step a link or card was made for. The fleet manager may change vehicle and driver."""
    async with in_transaction():
        # Lock the request row first: it serialises this decision with a cancel or another
        # decision of the same request before anything is read.
        request = await _locked_request(no, now)
        step = current_step(request)
        mine = [s for s in ordered_steps(request) if s.approver.userid == approver and s.decision]
        if step_id is not None:
            bound = next((s for s in request.steps if s.id == step_id), None)
            if bound is None:
                raise NotFound(no)
            if bound.decision is not None:
                raise AlreadyDecided(bound)
            if step is None or step.id != step_id:
                raise InvalidState(request, "decide")
        if step is None:
            # Nothing waits: cancelled, or decided to the end (perhaps by this approver).
            if request.status in (RequestStatus.APPROVED, RequestStatus.REJECTED) and mine:
                raise AlreadyDecided(mine[-1])
            raise InvalidState(request, "decide")
        if step.approver.userid != approver:
            if mine:  # "同意 1024" again after deciding an earlier step
                raise AlreadyDecided(mine[-1])
            raise NotAllowed(f"#{no} waits for {step.approver.userid}, not {approver}")
        if (vehicle_id is not None or driver) and step.role != Role.FLEET_MANAGER:
            raise NotAllowed("only the fleet manager's step may change the vehicle or driver")
        n = await ApprovalStep.filter(id=step.id, decision__isnull=True).update(
            decision=str(decision), decided_at=utc(now), comment=comment, channel=channel
        )
        if not n:
            raise AlreadyDecided(step)
        step.decision, step.decided_at, step.comment = str(decision), utc(now), comment
        if (vehicle_id is not None or driver) and decision is Decision.APPROVE:
            await _change_vehicle(request, vehicle_id, driver, approver, channel, now)
        rest = [s for s in ordered_steps(request) if s.decision is None]
        next_step = rest[0] if decision is Decision.APPROVE and rest else None
        final = next_step is None
        before = request.status
        if decision is Decision.REJECT:
            if not await _set_status(request, RequestStatus.REJECTED, [RequestStatus.PENDING], now):
                raise InvalidState(request, "decide")
            await release_holds(request)
        elif final:
            if not await _set_status(request, RequestStatus.APPROVED, [RequestStatus.PENDING], now):
                raise InvalidState(request, "decide")
        await audit(
            request,
            approver,
            str(decision),
            channel,
            now,
            from_status=before,
            to_status=request.status,
            step=step.seq,
            comment=comment,
        )
    return DecisionResult(request, step, next_step, final)


async def _change_vehicle(
    request: Request,
    vehicle_id: int | None,
    driver: str | None,
    actor: str,
    channel: str,
    now: datetime,
) -> None:
    if (
        request.type is not RequestType.VEHICLE_BOOKING
        or request.start is None
        or request.end is None
    ):
        raise NotAllowed("only a vehicle booking has a vehicle to change")
    vehicle = await Vehicle.get_or_none(id=vehicle_id or request.vehicle_id, in_service=True)  # type: ignore[attr-defined]
    if vehicle is None:
        raise NotAllowed("no such vehicle in service")
    new_driver = (
        await User.get_or_none(userid=driver, active=True)
        if driver
        else (await User.get_or_none(id=vehicle.driver_id) if vehicle_id else request.driver)
    )  # type: ignore[attr-defined]
    if new_driver is None or not await new_driver.role_links.filter(role=Role.DRIVER).exists():
        raise NotAllowed("no such driver")
    await release_holds(request)
    request.vehicle, request.driver = vehicle, new_driver
    await hold_resources(
        request,
        [vehicle_key(vehicle.id), driver_key(new_driver.userid)],
        request.start,
        request.end,
    )
    await Request.filter(id=request.id).update(
        vehicle_id=vehicle.id, driver_id=new_driver.id, updated_at=utc(now)
    )
    await audit(
        request,
        actor,
        "change_vehicle",
        channel,
        now,
        vehicle=vehicle.plate,
        driver=new_driver.userid,
    )


def cancellable(request: Request, now: datetime) -> bool:
    if request.status not in (
        RequestStatus.PENDING,
        RequestStatus.APPROVED,
        RequestStatus.ASSIGNED,
    ):
        return False
    return request.start is None or request.start > now


async def cancel(no: int, userid: str, now: datetime, channel: str) -> Request:
    """The applicant cancels a request that has not started; its holds are freed."""
    async with in_transaction():
        request = await _locked_request(no, now)
        if request.applicant.userid != userid:
            raise NotAllowed(f"#{no} belongs to {request.applicant.userid}")
        if not cancellable(request, now):
            raise InvalidState(request, "cancel")
        before = request.status
        if not await _set_status(request, RequestStatus.CANCELLED, [before], now):
            raise InvalidState(request, "cancel")
        await release_holds(request)
        await audit(
            request,
            userid,
            "cancel",
            channel,
            now,
            from_status=before,
            to_status=RequestStatus.CANCELLED,
        )
    return request


async def assign_repair(
    no: int, dispatcher: str, worker: str, now: datetime, channel: str
) -> Request:
    async with in_transaction():
        request = await _locked_request(no, now)
        if request.type is not RequestType.REPAIR_REQUEST:
            raise NotFound(no)
        user = await User.get_or_none(userid=worker, active=True)
        if user is None or not await user.role_links.filter(role=Role.REPAIR_WORKER).exists():
            raise NotAllowed(f"{worker} is not a repair worker")
        before = request.status
        if not await _set_status(
            request, RequestStatus.ASSIGNED, [RequestStatus.PENDING, RequestStatus.ASSIGNED], now
        ):
            raise InvalidState(request, "assign")
        await Request.filter(id=request.id).update(assignee_id=user.id)
        request.assignee = user
        await audit(
            request,
            dispatcher,
            "assign",
            channel,
            now,
            from_status=before,
            to_status=request.status,
            worker=worker,
        )
    return request


async def progress_repair(
    no: int, worker: str, to: RequestStatus, now: datetime, channel: str, *, note: str | None = None
) -> Request:
    """The assigned worker starts (in_progress) or finishes (completed) the repair."""
    allowed = {
        RequestStatus.IN_PROGRESS: [RequestStatus.ASSIGNED],
        RequestStatus.COMPLETED: [RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS],
    }
    if to not in allowed:
        raise RequestError(f"a repair goes to in_progress or completed, not {to}")
    async with in_transaction():
        request = await _locked_request(no, now)
        if request.type is not RequestType.REPAIR_REQUEST:
            raise NotFound(no)
        if request.assignee is None or request.assignee.userid != worker:
            raise NotAllowed(f"#{no} is not assigned to {worker}")
        before = request.status
        if not await _set_status(request, to, allowed[to], now):
            raise InvalidState(request, str(to))
        await audit(
            request, worker, str(to), channel, now, from_status=before, to_status=to, note=note
        )
    return request


async def complete_request(request: Request, actor: str, now: datetime, channel: str) -> bool:
    """A booking whose window has passed is completed (frees nothing: holds end anyway)."""
    async with in_transaction():
        before = request.status
        done = await _set_status(request, RequestStatus.COMPLETED, [RequestStatus.APPROVED], now)
        if done:
            await release_holds(request)
            await audit(
                request,
                actor,
                "complete",
                channel,
                now,
                from_status=before,
                to_status=RequestStatus.COMPLETED,
            )
    return done


async def rate_repair(no: int, userid: str, score: int, now: datetime, channel: str) -> Request:
    if not 1 <= score <= 5:
        raise RequestError("score must be 1-5")
    async with in_transaction():
        request = await _locked_request(no, now)
        if request.type is not RequestType.REPAIR_REQUEST:
            raise NotFound(no)
        if request.applicant.userid != userid:
            raise NotAllowed(f"#{no} belongs to {request.applicant.userid}")
        if request.status is not RequestStatus.COMPLETED:
            raise InvalidState(request, "rate")
        await Request.filter(id=request.id).update(rating=score, updated_at=utc(now))
        request.rating = score
        await audit(request, userid, "rate", channel, now, score=score)
    return request


# ---------------------------------------------------------------------------------------
# Reminders and releases (issue 5, item 4: "nothing waits unseen")
#
# Every timer lives in the database, never in memory: a restarted process finds what is
# due by reading rows. Each action is claimed by one compare-and-set UPDATE (`… SET
# reminded_at = now WHERE id = ? AND reminded_at IS NULL`), the first statement of the
# caller's transaction, which also writes the audit row and the notifications (the
# outbox): of several processes sweeping at once exactly one wins, and a rollback
# un-claims. On PostgreSQL the loser's UPDATE waits for the winner's row lock and then
# matches nothing; on SQLite writers are serialised.

# The bureau's working hours, local time (`BOT_TIMEZONE`). Public holidays and the
# weekend days that are made working days (调休) are not modelled: a step waiting over
# 国庆 is reminded on the first weekday.
WORK_DAYS = frozenset(range(5))  # Monday–Friday
WORK_PERIODS = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))


def _work_periods(day: date, tz: Any) -> list[tuple[datetime, datetime]]:
    if day.weekday() not in WORK_DAYS:
        return []
    return [
        (datetime.combine(day, a, tzinfo=tz), datetime.combine(day, b, tzinfo=tz))
        for a, b in WORK_PERIODS
    ]


def working_time(start: datetime, end: datetime, tz: Any) -> timedelta:
    """The working time (WORK_DAYS × WORK_PERIODS in `tz`) inside [start, end)."""
    total = timedelta()
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    while day <= last:
        for a, b in _work_periods(day, tz):
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total


def add_working_time(start: datetime, amount: timedelta, tz: Any) -> datetime:
    """The moment `amount` of working time after `start` (a Friday 17:00 start plus four
    working hours is Monday 12:30); `start` itself when `amount` is not positive."""
    if amount <= timedelta():
        return start
    left = amount
    day = start.astimezone(tz).date()
    while True:
        for a, b in _work_periods(day, tz):
            lo = max(a, start)
            if b <= lo:
                continue
            if lo + left <= b:
                return (lo + left).astimezone(tz)
            left -= b - lo
        day += timedelta(days=1)


@dataclass(frozen=True, slots=True)
class WaitingStep:
    request: Request  # relations fetched as `get_request` does
    step: ApprovalStep
    since: datetime  # when it became the current step: created, or the previous decision


_REQUEST_RELATIONS = ("applicant", "vehicle", "driver", "facility", "assignee", "steps__approver")


async def waiting_steps(became_current_before: datetime) -> list[WaitingStep]:
    """The current steps of pending requests that were current before the moment and are
    not yet both reminded and escalated, oldest request first."""
    before = utc(became_current_before)
    ids = await (
        ApprovalStep.filter(Q(reminded_at__isnull=True) | Q(escalated_at__isnull=True))
        .filter(
            decision__isnull=True,
            request__status=RequestStatus.PENDING,
            request__created_at__lte=before,  # a step is current no earlier than this
        )
        .distinct()
        .values_list("request_id", flat=True)
    )
    if not ids:
        return []
    requests = await (
        Request.filter(id__in=list(ids)).order_by("id").prefetch_related(*_REQUEST_RELATIONS)
    )
    out: list[WaitingStep] = []
    for request in requests:
        step = current_step(request)
        if step is None or (step.reminded_at is not None and step.escalated_at is not None):
            continue
        decided = [
            s.decided_at
            for s in ordered_steps(request)
            if s.seq < step.seq and s.decided_at is not None
        ]
        since = utc(decided[-1]) if decided else utc(request.created_at)
        if since <= before:
            out.append(WaitingStep(request, step, since))
    return out


def _still_pending(request_id_: int) -> Subquery:
    return Subquery(Request.filter(id=request_id_, status=RequestStatus.PENDING).values("id"))


async def _claim_step(request: Request, step: ApprovalStep, column: str, now: datetime) -> bool:
    """CAS: set the step's `column` when it is unset and the step still waits."""
    n = await ApprovalStep.filter(
        id=step.id,
        decision__isnull=True,
        request_id__in=_still_pending(request.id),
        **{f"{column}__isnull": True},
    ).update(**{column: utc(now)})
    if n:
        setattr(step, column, utc(now))
    return bool(n)


async def claim_step_reminder(request: Request, step: ApprovalStep, now: datetime) -> bool:
    """Claim the one reminder of a waiting step (and audit it); False when another
    process did, or the step no longer waits. Call first thing in the caller's
    transaction, then write the notification there."""
    async with in_transaction():
        if not await _claim_step(request, step, "reminded_at", now):
            return False
        await audit(
            request, "system", "remind", "system", now,
            step=step.seq, approver=step.approver.userid,
        )
    return True


async def claim_step_escalation(
    request: Request, step: ApprovalStep, now: datetime, to: str | None
) -> bool:
    """Claim the one escalation of a waiting step to `to` (None: nobody above to tell,
    recorded so that it is not tried again); audited."""
    async with in_transaction():
        if not await _claim_step(request, step, "escalated_at", now):
            return False
        await audit(
            request, "system", "escalate", "system", now,
            step=step.seq, approver=step.approver.userid, to=to,
        )
    return True


async def unassigned_repairs(created_before: datetime) -> list[Request]:
    """Repairs still waiting for dispatch, reported before the moment, not yet reminded."""
    return await (
        Request.filter(
            type=RequestType.REPAIR_REQUEST,
            status=RequestStatus.PENDING,
            dispatch_reminded_at__isnull=True,
            created_at__lte=utc(created_before),
        )
        .order_by("id")
        .prefetch_related("applicant")
    )


async def claim_dispatch_reminder(request: Request, now: datetime) -> bool:
    """Claim the one "not dispatched yet" reminder of a repair (audited)."""
    async with in_transaction():
        n = await Request.filter(
            id=request.id,
            type=RequestType.REPAIR_REQUEST,
            status=RequestStatus.PENDING,
            dispatch_reminded_at__isnull=True,
        ).update(dispatch_reminded_at=utc(now))
        if not n:
            return False
        request.dispatch_reminded_at = utc(now)
        await audit(request, "system", "remind_dispatch", "system", now)
    return True


def _rooms() -> Any:
    return Request.filter(
        type=RequestType.FACILITY_RESERVATION,
        status=RequestStatus.APPROVED,
        checked_in_at__isnull=True,
    )


async def checkins_to_ask(now: datetime, ahead: timedelta) -> list[Request]:
    """Approved reservations starting within `ahead` (or started, not yet over) whose
    booker has not been asked to confirm. One booked inside that window needs no
    confirmation: the booker has just said they want it."""
    rows = await (
        _rooms()
        .filter(
            checkin_asked_at__isnull=True,
            start__lte=utc(now) + ahead,
            end__gt=utc(now),
            start__gt=utc(now) - MAX_WINDOW,
        )
        .order_by("start", "id")
        .prefetch_related("applicant", "facility")
    )
    return [r for r in rows if r.start is not None and utc(r.created_at) < utc(r.start) - ahead]


async def claim_checkin_ask(request: Request, now: datetime) -> bool:
    """Claim the one "please confirm" question of a reservation (audited)."""
    async with in_transaction():
        n = await _rooms().filter(id=request.id, checkin_asked_at__isnull=True).update(
            checkin_asked_at=utc(now)
        )
        if not n:
            return False
        request.checkin_asked_at = utc(now)
        await audit(request, "system", "ask_checkin", "system", now)
    return True


async def unconfirmed_rooms(now: datetime, grace: timedelta) -> list[Request]:
    """Reservations whose booker was asked and has not confirmed `grace` after the start
    (and at least `grace` after being asked: a question sent late still gets its time)."""
    limit = utc(now) - grace
    return await (
        _rooms()
        .filter(
            checkin_asked_at__isnull=False,
            checkin_asked_at__lte=limit,
            start__lte=limit,
            start__gt=limit - MAX_WINDOW,
        )
        .order_by("start", "id")
        .prefetch_related("applicant", "facility")
    )


async def release_unconfirmed(request: Request, now: datetime) -> bool:
    """Release an unconfirmed reservation: cancelled, its holds freed (the room can be
    booked again at once), audited as `release` by `system`. False when the booker
    confirmed (or cancelled) first."""
    async with in_transaction():
        n = await _rooms().filter(id=request.id, checkin_asked_at__isnull=False).update(
            status=RequestStatus.CANCELLED, updated_at=utc(now)
        )
        if not n:
            return False
        request.status = RequestStatus.CANCELLED
        await release_holds(request)
        await audit(
            request, "system", "release", "system", now,
            from_status=RequestStatus.APPROVED, to_status=RequestStatus.CANCELLED,
            reason="no check-in",
        )
    return True


async def confirm_checkin(no: int, userid: str, now: datetime, channel: str) -> bool:
    """The booker confirms they will use the room: True when this confirmed it, False
    when it was confirmed already. NotFound, NotAllowed (not theirs), InvalidState
    (released, cancelled, over) refuse."""
    request = await get_request(no)
    if request is None or request.type is not RequestType.FACILITY_RESERVATION:
        raise NotFound(no)
    if request.applicant.userid != userid:
        raise NotAllowed(f"#{no} belongs to {request.applicant.userid}")
    async with in_transaction():
        n = await _rooms().filter(id=request.id, end__gt=utc(now)).update(checked_in_at=utc(now))
        if n:
            await audit(request, userid, "checkin", channel, now)
            return True
    fresh = await Request.get(id=request.id)
    if fresh.status is RequestStatus.APPROVED and fresh.checked_in_at is not None:
        return False
    raise InvalidState(fresh, "confirm")


async def awaiting_checkin(userid: str) -> list[Request]:
    """The user's reservations they were asked to confirm and have not."""
    return await (
        _rooms()
        .filter(applicant__userid=userid, checkin_asked_at__isnull=False)
        .order_by("start", "id")
        .prefetch_related("applicant", "facility")
    )


async def claim_urge(
    request: Request, userid: str, now: datetime, every: timedelta, channel: str
) -> bool:
    """The applicant's 催办: claimed at most once per `every` per request while it is
    pending (audited); False when too soon or no longer pending."""
    async with in_transaction():
        n = await Request.filter(
            Q(last_urged_at__isnull=True) | Q(last_urged_at__lte=utc(now) - every),
            id=request.id,
            status=RequestStatus.PENDING,
        ).update(last_urged_at=utc(now))
        if not n:
            return False
        request.last_urged_at = utc(now)
        await audit(request, userid, "urge", channel, now)
    return True
