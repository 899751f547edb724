"""A repair's way: the dispatcher assigns a worker, the worker starts and finishes (the
applicant rates: models/ratings.py); and a booking whose window has passed is completed."""

from __future__ import annotations

from datetime import datetime

from models.audit import audit
from models.errors import InvalidState, NotAllowed, NotFound, RequestError
from models.holds import release_holds
from models.org import RequestType, Role, User
from models.requests import Request, RequestStatus, locked_request, set_status
from models.sql import transaction, utc


async def assign_repair(
    no: int, dispatcher: str, worker: str, now: datetime, channel: str
) -> Request:
    async with transaction():
        request = await locked_request(no, now)
        if request.type is not RequestType.REPAIR_REQUEST:
            raise NotFound(no)
        user = await User.get_or_none(userid=worker, active=True)
        if user is None or not await user.role_links.filter(role=Role.REPAIR_WORKER).exists():
            raise NotAllowed(f"{worker} is not a repair worker")
        before = request.status
        if not await set_status(
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
    async with transaction():
        request = await locked_request(no, now)
        if request.type is not RequestType.REPAIR_REQUEST:
            raise NotFound(no)
        if request.assignee is None or request.assignee.userid != worker:
            raise NotAllowed(f"#{no} is not assigned to {worker}")
        before = request.status
        if not await set_status(request, to, allowed[to], now):
            raise InvalidState(request, str(to))
        if note:
            await _add_note(request, worker, "done", note, now)
        await audit(
            request, worker, str(to), channel, now, from_status=before, to_status=to, note=note
        )
    return request


async def complete_request(request: Request, actor: str, now: datetime, channel: str) -> bool:
    """A booking whose window has passed is completed (frees nothing: holds end anyway)."""
    async with transaction():
        before = request.status
        done = await set_status(request, RequestStatus.COMPLETED, [RequestStatus.APPROVED], now)
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


# ---------------------------------------------------------------------------------------
# The worker's notes and photos, the queues


async def _add_note(request: Request, by: str, kind: str, text: str, now: datetime) -> None:
    """Append to `details["notes"]` ({kind, text, by, at}; kind "parts" or "done")."""
    details = dict(request.details or {})
    details["notes"] = [*details.get("notes", []),
                        {"kind": kind, "text": text, "by": by, "at": utc(now).isoformat()}]
    await Request.filter(id=request.id).update(details=details, updated_at=utc(now))
    request.details = details


def _check_worker(request: Request, worker: str) -> None:
    if request.type is not RequestType.REPAIR_REQUEST:
        raise NotFound(request.no)
    if request.assignee is None or request.assignee.userid != worker:
        raise NotAllowed(f"#{request.no} is not assigned to {worker}")
    if request.status not in (RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS):
        raise InvalidState(request, "note")


async def wait_for_parts(no: int, worker: str, note: str, now: datetime, channel: str) -> Request:
    """The assigned worker waits for parts (待料): a note; the status stays."""
    async with transaction():
        request = await locked_request(no, now)
        _check_worker(request, worker)
        await _add_note(request, worker, "parts", note, now)
        await audit(request, worker, "waiting_parts", channel, now, note=note)
    return request


async def attach_to_repair(
    no: int, worker: str, media_id: str, pic_url: str, now: datetime, channel: str
) -> Request:
    """A photo the assigned worker sent: `details["attachments"]` ({media_id, pic_url, by, at})."""
    async with transaction():
        request = await locked_request(no, now)
        _check_worker(request, worker)
        details = dict(request.details or {})
        details["attachments"] = [*details.get("attachments", []), {
            "media_id": media_id, "pic_url": pic_url, "by": worker, "at": utc(now).isoformat()}]
        await Request.filter(id=request.id).update(details=details, updated_at=utc(now))
        request.details = details
        await audit(request, worker, "attach", channel, now, media_id=media_id)
    return request


async def worker_queue(worker: str) -> list[Request]:
    """The worker's repairs assigned or in progress, oldest first."""
    return await Request.filter(
        assignee__userid=worker,
        type=RequestType.REPAIR_REQUEST,
        status__in=[RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS],
    ).order_by("id").select_related("applicant", "assignee")


async def undispatched_repairs(limit: int = 20) -> list[Request]:
    """Repairs waiting for a worker, oldest first."""
    return await Request.filter(
        type=RequestType.REPAIR_REQUEST, status=RequestStatus.PENDING,
    ).order_by("id").limit(limit).select_related("applicant")
