"""One window for several services (一口受理、多头分办): a bundle is one application made
of ordinary requests (its parts: a vehicle booking, rooms, a canteen room), each keeping
its own approval steps, holds and department; the bundle keeps what is one for the whole
— who asked, what for, and the applicant's one feedback.

    bundle ─1:n─► request.bundle_id (the parts; the first part's number is the bundle's)

Parts are created by the services' own `create_request` (holds, steps, audit) inside the
caller's one transaction; `cancel_bundle` cancels every live part or none; `rate_bundle`
takes the one feedback once every part is over.
"""

from __future__ import annotations

from datetime import datetime

from tortoise import connections, fields
from tortoise.models import Model
from tortoise.query_utils import Prefetch

from models.audit import audit
from models.decisions import cancel, cancellable
from models.errors import InvalidState, NotAllowed, NotFound, RequestError
from models.org import User
from models.requests import (
    LIVE,
    ApprovalStep,
    Request,
    RequestStatus,
    locked_request,
    request_id,
)
from models.sql import in_dialect, transaction, utc

OVER = (RequestStatus.COMPLETED, RequestStatus.REJECTED, RequestStatus.CANCELLED)


class Bundle(Model):
    id = fields.IntField(primary_key=True)
    applicant: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="bundles", on_delete=fields.RESTRICT
    )
    note = fields.CharField(max_length=200, default="")  # the shared words: "下周二上午有代表团来访"
    rating = fields.SmallIntField(null=True)  # the applicant's one feedback for the whole
    feedback: str | None = fields.TextField(null=True)  # type: ignore[assignment]
    rated_at = fields.DatetimeField(null=True)
    feedback_asked_at = fields.DatetimeField(null=True)  # once every part was over (the sweeper)
    created_at = fields.DatetimeField()

    parts: fields.ReverseRelation[Request]

    class Meta:
        table = "bundle"


async def new_bundle(applicant: str, note: str, now: datetime) -> Bundle:
    """The bundle row, inside the caller's transaction (its parts follow in it)."""
    user = await User.get_or_none(userid=applicant, active=True)
    if user is None:
        raise NotAllowed(f"unknown user {applicant}")
    return await Bundle.create(applicant=user, note=note[:200], created_at=utc(now))


async def parts_of(bundle_id: int) -> list[Request]:
    """The parts, first first, read as `get_request` reads a request."""
    return list(await (
        Request.filter(bundle_id=bundle_id)
        .order_by("id")
        .select_related("applicant", "vehicle", "driver", "facility", "assignee")
        .prefetch_related(Prefetch("steps", ApprovalStep.all().select_related("approver")))
    ))


async def bundle_of(no: int) -> Bundle | None:
    """The bundle #no is a part of, applicant fetched; None for a request on its own."""
    if not 0 < no - 1000 < 2**31:
        return None
    row = await Request.filter(id=request_id(no)).values_list("bundle_id", flat=True)
    if not row or row[0] is None:
        return None
    return await Bundle.filter(id=row[0]).select_related("applicant").first()


def lead_no(parts: list[Request]) -> int:
    """The bundle's number in chat: its first part's."""
    return min(p.no for p in parts)


async def open_bundles_of(userid: str, limit: int = 5) -> list[tuple[Bundle, list[Request]]]:
    """The user's bundles with a live part, newest first, with their parts."""
    conn = connections.get("default")
    # Prepared: every status question asks it, and mostly of someone with no bundle.
    live = sorted(str(s) for s in LIVE)
    sql = in_dialect(conn, _OPEN_BUNDLE_IDS.format(live=", ".join("?" * len(live))))
    ids = [int(r["bundle_id"]) for r in await conn.execute_query_dict(sql, [userid, *live, limit * 6])]
    out: list[tuple[Bundle, list[Request]]] = []
    for bid in dict.fromkeys(ids):
        bundle = await Bundle.filter(id=bid).select_related("applicant").first()
        if bundle is not None:
            out.append((bundle, await parts_of(bundle.id)))
        if len(out) >= limit:
            break
    return out


_OPEN_BUNDLE_IDS = (
    'SELECT r.bundle_id FROM request r JOIN "user" u ON u.id = r.applicant_id '
    "WHERE u.userid = ? AND r.status IN ({live}) AND r.bundle_id IS NOT NULL "
    "ORDER BY r.id DESC LIMIT ?")


async def cancel_bundle(bundle_id: int, userid: str, now: datetime, channel: str) -> list[Request]:
    """The applicant cancels every live part, all or none (each part as `cancel` does:
    its row locked, its holds freed, audited); returns the parts cancelled, each with its
    steps as they were. Raises NotAllowed (not theirs), InvalidState (nothing left to
    cancel, or a part already under way: then nothing is cancelled)."""
    async with transaction():
        bundle = await Bundle.filter(id=bundle_id).select_related("applicant").first()
        if bundle is None:
            raise NotFound(bundle_id)
        if bundle.applicant.userid != userid:
            raise NotAllowed(f"bundle {bundle_id} belongs to {bundle.applicant.userid}")
        parts = await parts_of(bundle_id)
        live = [p for p in parts if p.status in LIVE]
        if not live:
            raise InvalidState(parts[0], "cancel")
        blocked = next((p for p in live if not cancellable(p, now)), None)
        if blocked is not None:
            raise InvalidState(blocked, "cancel")
        return [await cancel(p.no, userid, now, channel) for p in live]


def is_over(parts: list[Request], now: datetime) -> bool:
    """Every part is over: done, refused or withdrawn, or its time has passed."""
    return all(p.status in OVER or (p.end is not None and p.end <= now) for p in parts)


async def rate_bundle(no: int, userid: str, score: int, comment: str | None, now: datetime,
                      channel: str) -> tuple[Bundle, list[Request]]:
    """The applicant's one feedback for the whole bundle #no (any part's number), once
    every part is over; audited on the first part. Raises NotFound (no bundle),
    NotAllowed (not theirs), InvalidState (not over yet, or rated already)."""
    if not 1 <= score <= 5:
        raise RequestError("score must be 1-5")
    async with transaction():
        bundle = await bundle_of(no)
        if bundle is None:
            raise NotFound(no)
        if bundle.applicant.userid != userid:
            raise NotAllowed(f"bundle of #{no} belongs to {bundle.applicant.userid}")
        parts = await parts_of(bundle.id)
        lead = await locked_request(lead_no(parts), now)  # one feedback at a time
        if not is_over(parts, now):
            raise InvalidState(lead, "rate")
        n = await Bundle.filter(id=bundle.id, rating__isnull=True).update(
            rating=score, feedback=comment, rated_at=utc(now))
        if not n:
            raise InvalidState(lead, "rate")
        bundle.rating, bundle.feedback = score, comment
        await audit(lead, userid, "rate", channel, now, score=score, bundle=bundle.id,
                    comment=comment or "")
    return bundle, parts


async def bundles_over(now: datetime, limit: int = 100) -> list[tuple[Bundle, list[Request]]]:
    """Bundles not yet asked for feedback whose parts are all over, oldest first."""
    out: list[tuple[Bundle, list[Request]]] = []
    waiting = await (Bundle.filter(feedback_asked_at__isnull=True, rating__isnull=True)
                     .order_by("id").limit(limit * 5).select_related("applicant"))
    for bundle in waiting:
        parts = await parts_of(bundle.id)
        if parts and is_over(parts, now):
            out.append((bundle, parts))
        if len(out) >= limit:
            break
    return out


async def claim_feedback_ask(bundle: Bundle, parts: list[Request], now: datetime) -> bool:
    """Claim the one feedback question of a bundle (compare-and-set, audited on its first
    part); False when another process did."""
    async with transaction():
        n = await Bundle.filter(id=bundle.id, feedback_asked_at__isnull=True).update(
            feedback_asked_at=utc(now))
        if not n:
            return False
        lead = min(parts, key=lambda p: p.id)
        await audit(lead, "system", "ask_feedback", "system", now, bundle=bundle.id)
    return True
