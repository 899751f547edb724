"""Ratings (统一反馈): the applicant scores a finished repair or trip once, 1–5, with an
optional comment, and the averages per repair worker and per driver.

    completed repair / trip ──rate (applicant, once)──► rating, details["rating_comment"]

The score is `Request.rating`; the comment is kept in `details["rating_comment"]` (and in
the audit record, with the score)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.audit import audit
from models.errors import InvalidState, NotAllowed, NotFound, RequestError
from models.org import RequestType, User
from models.requests import Request, RequestStatus, locked_request
from models.sql import transaction, utc
from models.stats import Scope, rollup

RATED_TYPES = (RequestType.REPAIR_REQUEST, RequestType.VEHICLE_BOOKING)
MAX_COMMENT = 200


class AlreadyRated(RequestError):
    def __init__(self, request: Request) -> None:
        super().__init__(f"#{request.no} already rated {request.rating}")
        self.request = request


async def rate_request(no: int, userid: str, score: int, now: datetime, channel: str,
                       comment: str = "") -> Request:
    """The applicant rates their completed repair or trip; once (AlreadyRated after)."""
    if not 1 <= score <= 5:
        raise RequestError("score must be 1-5")
    comment = comment.strip()[:MAX_COMMENT]
    async with transaction():
        request = await locked_request(no, now)
        if request.type not in RATED_TYPES:
            raise NotFound(no)
        if request.applicant.userid != userid:
            raise NotAllowed(f"#{no} belongs to {request.applicant.userid}")
        if request.status is not RequestStatus.COMPLETED:
            raise InvalidState(request, "rate")
        if request.rating is not None:
            raise AlreadyRated(request)
        details = dict(request.details or {})
        if comment:
            details["rating_comment"] = comment
        updated = await Request.filter(id=request.id, rating__isnull=True).update(
            rating=score, details=details, updated_at=utc(now))
        if not updated:
            raise AlreadyRated(request)
        request.rating, request.details = score, details
        said = {"comment": comment} if comment else {}
        await audit(request, userid, "rate", channel, now, score=score, **said)
    return request


async def unrated_of(userid: str, since: datetime, limit: int = 5) -> list[Request]:
    """The applicant's completed repairs and trips not rated yet, finished after `since`,
    newest first."""
    return await Request.filter(
        applicant__userid=userid, type__in=list(RATED_TYPES), status=RequestStatus.COMPLETED,
        rating__isnull=True, updated_at__gte=utc(since),
    ).order_by("-updated_at", "-id").limit(limit).select_related("vehicle", "facility")


@dataclass(frozen=True, slots=True)
class CrewRating:
    """One worker's or driver's ratings: the average score and how many."""

    userid: str
    name: str
    average: float
    count: int


async def crew_ratings(scope: Scope, request_type: RequestType) -> list[CrewRating]:
    """Per repair worker (repairs) or per driver (trips) of the requests made in the scope's
    range (and department): the average and count of their ratings, best first. From the
    dashboard's daily rollup (models/stats/rollup.py: count and sum of scores per person)."""
    metric = "wrate" if request_type is RequestType.REPAIR_REQUEST else "drate"
    found = await rollup.sums(scope, metric, "key")
    people = await User.filter(id__in=[int(k) for k in found]).values("id", "userid", "name")
    out = [CrewRating(p["userid"], p["name"], round(found[str(p["id"])][2] / found[str(p["id"])][0], 2),
                      int(found[str(p["id"])][0]))
           for p in people if found[str(p["id"])][0]]
    return sorted(out, key=lambda c: (-c.average, -c.count, c.userid))
