"""What the pages, the approve page, the admin API, the calendar feeds and the chat's user
directory read: the model rows their templates already show, or plain data. bot/ reaches
the tables only through here (STYLE.md "One direction"); the rules stay in models/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.base import UserInfo
from handlers.registry import services
from models.decisions import cancellable
from models.org import (
    Facility,
    RequestType,
    User,
    UserRole,
    department_name,
    get_user,
    list_users,
    org_version,
)
from models.requests import (
    LIVE,
    ApprovalStep,
    Request,
    RequestStatus,
    current_step,
    get_request,
    open_requests_of,
    ordered_steps,
    pending_for,
    to_api,
)

__all__ = [
    "ApprovalStep",
    "CALENDAR_HISTORY_DAYS",
    "CALENDAR_MAX_EVENTS",
    "CALENDAR_SHOWN",
    "calendar_types",
    "Facility",
    "Request",
    "User",
    "active_facilities",
    "cancellable",
    "current_step",
    "department_name",
    "finished_requests_of",
    "get_request",
    "get_user",
    "list_users",
    "load_directory",
    "open_requests_of",
    "org_version",
    "ordered_steps",
    "pending_for",
    "room_bookings",
    "to_api",
    "user_bookings",
]

# ---------------------------------------------------------------------------------------
# The /m/ pages and the approve page


async def finished_requests_of(userid: str, limit: int) -> list[Request]:
    """The user's latest requests that are no longer live, newest first."""
    return await (
        Request.filter(applicant__userid=userid)
        .exclude(status__in=list(LIVE))
        .order_by("-id")
        .limit(limit)
        .prefetch_related("vehicle", "facility", "assignee", "steps__approver")
    )


async def active_facilities() -> list[Facility]:
    """The rooms one may book, smallest first."""
    return await Facility.filter(active=True).order_by("capacity", "id")


# ---------------------------------------------------------------------------------------
# The iCalendar feeds

CALENDAR_HISTORY_DAYS = 30  # completed bookings shown this long after they end
CALENDAR_MAX_EVENTS = 500  # per feed, newest first
CALENDAR_SHOWN = (RequestStatus.PENDING, RequestStatus.APPROVED, RequestStatus.COMPLETED)
FACILITY_ID_MAX: int = Facility._meta.fields_map["id"].max_length  # type: ignore[attr-defined]


def calendar_types() -> list[str]:
    """The request types whose service shows in the feeds (a `calendar` in its declaration)."""
    return [s.type for s in services() if s.calendar is not None]


async def _bookings(now: datetime, **filters: object) -> list[Request]:
    """Vehicle bookings and facility reservations that are live, or completed recently
    (anything ending more than CALENDAR_HISTORY_DAYS ago is left out)."""
    return await (
        Request.filter(**filters)
        .filter(
            type__in=calendar_types(),
            status__in=list(CALENDAR_SHOWN),
            start__isnull=False,
            end__gt=(now - timedelta(days=CALENDAR_HISTORY_DAYS)).astimezone(UTC),
        )
        .order_by("-start", "-id")
        .limit(CALENDAR_MAX_EVENTS)
        .prefetch_related("applicant", "vehicle", "driver", "facility")
    )


async def user_bookings(userid: str, now: datetime) -> tuple[str, list[Request]] | None:
    """(the active user's name, their bookings as applicant and the trips they drive),
    or None for no such active user."""
    user = await User.get_or_none(userid=userid, active=True)
    if user is None:
        return None
    mine = await _bookings(now, applicant_id=user.id)
    driven = await _bookings(now, driver_id=user.id, type=RequestType.VEHICLE_BOOKING)
    unique = {r.id: r for r in [*mine, *driven]}
    return user.name, list(unique.values())


async def room_bookings(facility_id: str, now: datetime) -> tuple[str, list[Request]] | None:
    """(the room's name, its reservations), or None for no such room."""
    if len(facility_id) > FACILITY_ID_MAX:
        return None  # no such id: Tortoise refuses to look it up at all (ValidationError)
    facility = await Facility.get_or_none(id=facility_id)
    if facility is None:
        return None
    held = await _bookings(now, facility_id=facility.id, type=RequestType.FACILITY_RESERVATION)
    return facility.name, held


# ---------------------------------------------------------------------------------------
# The chat's directory of users (bot/chat/users.py)


async def load_directory() -> dict[str, UserInfo]:
    """Every active user by WeCom userid, with department and roles: two queries."""
    roles: dict[int, set[str]] = {}
    for uid, role in await UserRole.filter(user__active=True).values_list("user_id", "role"):
        roles.setdefault(uid, set()).add(str(role))
    users = {}
    for pk, userid, name, dept in await User.filter(active=True).values_list(
        "id", "userid", "name", "department_id"
    ):
        users[userid] = UserInfo(user_id=userid, name=name, department_id=dept,
                                 roles=frozenset(roles.get(pk, ())))
    return users
