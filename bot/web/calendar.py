"""iCalendar feeds of bookings (issue 6, item 4), so that they show in phones' calendars.

    GET /calendar/user/{userid}.ics?sig=…      the user's vehicle bookings (as applicant
                                               or driver) and facility reservations
    GET /calendar/room/{facility_id}.ics?sig=… the room's reservations

A calendar app cannot sign in, so the URL carries the right to read: `sig` is
HMAC-SHA256(SECRET_KEY, "cal:<kind>:<ident>"), hex, truncated to 32 characters (128
bits), compared in constant time. A bad or missing sig is 403 before anything is looked
up; a good sig for a user who left or a room that does not exist is 404. A leaked URL
is revoked only by changing SECRET_KEY (which also ends every session and link).

The text is RFC 5545 (https://www.rfc-editor.org/rfc/rfc5545), written here because it
is small: UTC times (no VTIMEZONE), CRLF line endings, lines folded at 75 octets without
splitting a UTF-8 character (§3.1), TEXT values escaped (§3.3.11). Pending bookings are
TENTATIVE, approved ones CONFIRMED; completed ones stay for HISTORY_DAYS so that a trip
does not vanish from the phone the day after; cancelled and rejected ones drop out (a
subscribed calendar removes what the feed no longer lists).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

from aiohttp import web
from tortoise.queryset import QuerySet

from bot.keys import SETTINGS
from bot.web.dashboard import clock_now
from models.org import Facility, RequestType, User
from models.requests import Request, RequestStatus
from settings import Settings

SIG_LENGTH = 32  # hex characters of the HMAC kept in the URL
HISTORY_DAYS = 30  # completed bookings shown this long after they end
MAX_EVENTS = 500  # per feed, newest first
KINDS = ("user", "room")
PRODID = "-//jgswj-bot//calendar//ZH"
SHOWN = (RequestStatus.PENDING, RequestStatus.APPROVED, RequestStatus.COMPLETED)

TYPE_LABEL = {RequestType.VEHICLE_BOOKING: "用车", RequestType.FACILITY_RESERVATION: "场地"}
STATUS_TEXT = {
    RequestStatus.PENDING: "待审批",
    RequestStatus.APPROVED: "已批准",
    RequestStatus.COMPLETED: "已完成",
}
ORIGIN_DEFAULT = "局机关"


# ---------------------------------------------------------------------------------------
# Signed URLs


def calendar_sig(settings: Settings, kind: str, ident: str) -> str:
    message = f"cal:{kind}:{ident}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()[:SIG_LENGTH]


def calendar_url(settings: Settings, kind: str, ident: str) -> str:
    """The feed's subscription URL for messages: `kind` is "user" (a userid) or "room"
    (a facility id)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    sig = calendar_sig(settings, kind, ident)
    return f"{settings.public_base_url}/calendar/{kind}/{quote(ident, safe='')}.ics?sig={sig}"


def sig_ok(settings: Settings, kind: str, ident: str, given: str) -> bool:
    if not settings.secret_key or not given.isascii():
        return False
    return hmac.compare_digest(given.encode(), calendar_sig(settings, kind, ident).encode())


# ---------------------------------------------------------------------------------------
# RFC 5545 text


def escape_text(value: str) -> str:
    """A TEXT value (§3.3.11): backslash, semicolon, comma and newlines escaped; other
    control characters dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(c for c in value if c == "\n" or c == "\t" or ord(c) >= 0x20)
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line into pieces of at most `limit` octets (continuations begin
    with one space, which counts), never inside a UTF-8 character (§3.1)."""
    pieces: list[str] = []
    current: list[str] = []
    size, room = 0, limit
    for char in line:
        n = len(char.encode())
        if size + n > room:
            pieces.append("".join(current))
            current, size, room = [], 0, limit - 1
        current.append(char)
        size += n
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render_calendar(name: str, events: Iterable[dict[str, str]]) -> str:
    """A VCALENDAR of VEVENTs given as ordered property → value (values already in their
    iCalendar form: escape TEXT with `escape_text`)."""
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT30M",
        "X-PUBLISHED-TTL:PT30M",
    ]
    for event in events:
        lines.append("BEGIN:VEVENT")
        lines.extend(f"{key}:{value}" for key, value in event.items())
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def _name(user: User | None) -> str:
    return user.name if user is not None else ""


def event_of(request: Request, host: str, now: datetime) -> dict[str, str]:
    """One booking as a VEVENT; applicant, vehicle, driver and facility fetched."""
    assert request.start is not None and request.end is not None
    d = request.details or {}
    status = RequestStatus(request.status)
    if request.type is RequestType.VEHICLE_BOOKING:
        origin = str(d.get("origin") or ORIGIN_DEFAULT)
        summary = f"用车 #{request.no} {origin}→{d.get('destination') or ''}".rstrip()
        location = origin
        lines = [f"申请人：{_name(request.applicant)}"]
        if request.vehicle is not None:
            lines.append(f"车辆：{request.vehicle.plate} {request.vehicle.model}")
        if request.driver is not None:
            lines.append(f"驾驶员：{request.driver.name}")
        if d.get("passengers"):
            lines.append(f"乘车人数：{d['passengers']}")
        if d.get("purpose"):
            lines.append(f"事由：{d['purpose']}")
    else:
        room = request.facility
        summary = f"{room.name if room else '场地'} #{request.no}"
        location = f"{room.building} {room.name}" if room else ""
        lines = [f"申请人：{_name(request.applicant)}"]
        if d.get("attendees"):
            lines.append(f"人数：{d['attendees']}")
        if d.get("subject"):
            lines.append(f"会议：{d['subject']}")
    lines.append(f"状态：{STATUS_TEXT.get(status, str(status))}")
    return {
        "UID": f"request-{request.no}@{host}",
        "DTSTAMP": ics_time(now),
        "LAST-MODIFIED": ics_time(request.updated_at),
        "DTSTART": ics_time(request.start),
        "DTEND": ics_time(request.end),
        "SUMMARY": escape_text(summary),
        "DESCRIPTION": escape_text("\n".join(lines)),
        "LOCATION": escape_text(location),
        "STATUS": "TENTATIVE" if status is RequestStatus.PENDING else "CONFIRMED",
        "TRANSP": "OPAQUE",
    }


async def bookings(query: QuerySet[Request], now: datetime) -> list[Request]:
    """Vehicle bookings and facility reservations that are live, or completed recently
    (anything ending more than HISTORY_DAYS ago is left out)."""
    return await (
        query.filter(
            type__in=list(TYPE_LABEL),
            status__in=list(SHOWN),
            start__isnull=False,
            end__gt=(now - timedelta(days=HISTORY_DAYS)).astimezone(UTC),
        )
        .order_by("-start", "-id")
        .limit(MAX_EVENTS)
        .prefetch_related("applicant", "vehicle", "driver", "facility")
    )


# ---------------------------------------------------------------------------------------
# Views


def _ics_response(name: str, filename: str, requests: list[Request], settings: Settings,
                  now: datetime) -> web.Response:
    host = urlsplit(settings.public_base_url).hostname or "localhost"
    ordered = sorted(requests, key=lambda r: (r.start or now, r.id))
    body = render_calendar(name, (event_of(r, host, now) for r in ordered))
    return web.Response(
        body=body.encode(),
        content_type="text/calendar",
        charset="utf-8",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, max-age=300",
        },
    )


def _check(request: web.Request, kind: str, ident: str) -> None:
    if not sig_ok(request.app[SETTINGS], kind, ident, request.query.get("sig", "")):
        raise web.HTTPForbidden(text="bad or missing signature")
    if "\x00" in ident or len(ident) > 200 or not _utf8(ident):
        # No such id; PostgreSQL refuses NUL in text, and a lone surrogate cannot be sent.
        raise web.HTTPNotFound(text="no such feed")


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def user_feed(request: web.Request) -> web.Response:
    """A person's bookings: as applicant, and the trips they drive."""
    userid = request.match_info["userid"]
    _check(request, "user", userid)
    user = await User.get_or_none(userid=userid, active=True)
    if user is None:
        raise web.HTTPNotFound(text="no such user")
    now = clock_now(request.app)
    mine = await bookings(Request.filter(applicant_id=user.id), now)
    driven = await bookings(
        Request.filter(driver_id=user.id, type=RequestType.VEHICLE_BOOKING), now
    )
    unique = {r.id: r for r in [*mine, *driven]}
    return _ics_response(f"{user.name}的预约", "bookings.ics", list(unique.values()),
                         request.app[SETTINGS], now)


async def room_feed(request: web.Request) -> web.Response:
    """A room's reservations."""
    facility_id = request.match_info["facility_id"]
    _check(request, "room", facility_id)
    facility = await Facility.get_or_none(id=facility_id)
    if facility is None:
        raise web.HTTPNotFound(text="no such room")
    now = clock_now(request.app)
    held = await bookings(
        Request.filter(facility_id=facility.id, type=RequestType.FACILITY_RESERVATION), now
    )
    return _ics_response(f"{facility.name} 预约", "room.ics", held, request.app[SETTINGS], now)


def setup_calendar(app: web.Application) -> None:
    app.router.add_get("/calendar/user/{userid}.ics", user_feed)
    app.router.add_get("/calendar/room/{facility_id}.ics", room_feed)
