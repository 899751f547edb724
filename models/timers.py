"""Reminders and releases (issue 5, item 4: "nothing waits unseen").

Every timer lives in the database, never in memory: a restarted process finds what is
due by reading rows. Each action is claimed by one compare-and-set UPDATE (`… SET
reminded_at = now WHERE id = ? AND reminded_at IS NULL`), the first statement of the
caller's transaction, which also writes the audit row and the notifications (the
outbox): of several processes sweeping at once exactly one wins, and a rollback
un-claims. On PostgreSQL the loser's UPDATE waits for the winner's row lock and then
matches nothing; on SQLite writers are serialised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q, Subquery

from models.audit import audit
from models.errors import InvalidState, NotAllowed, NotFound
from models.holds import MAX_WINDOW, release_holds
from models.org import RequestType
from models.requests import (
    ApprovalStep,
    Request,
    RequestStatus,
    current_step,
    get_request,
    ordered_steps,
)
from models.sql import transaction, utc


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
    async with transaction():
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
    async with transaction():
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
    async with transaction():
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
    async with transaction():
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
    async with transaction():
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
    async with transaction():
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
    async with transaction():
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
