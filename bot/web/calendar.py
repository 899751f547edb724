"""iCalendar feeds of bookings (issue 6, item 4), so that they show in phones' calendars.

    GET /calendar/user/{userid}.ics?sig=…      the user's vehicle bookings (as applicant
                                               or driver) and facility reservations
    GET /calendar/room/{facility_id}.ics?sig=… the room's reservations

A calendar app cannot sign in, so the URL carries the right to read: `sig` is
HMAC-SHA256(SECRET_KEY, "cal:<kind>:<ident>"), hex, truncated to 32 characters (128
bits), compared in constant time. A bad or missing sig is 403 before anything is looked
up; a good sig for a user who left or a room that does not exist is 404. A leaked URL
is revoked only by changing SECRET_KEY (which also ends every session and link).

The text is RFC 5545 (https://www.rfc-editor.org/rfc/rfc5545), built with the
`icalendar` library: it escapes TEXT values (§3.3.11: a CR/LF, `;` or `,` in user text
cannot start a property), folds lines at 75 octets and ends them with CRLF (§3.1). Times
are UTC, so no VTIMEZONE is needed; control characters are dropped first. Pending bookings are
TENTATIVE, approved ones CONFIRMED; completed ones stay for 30 days (handlers.queries) so that a trip
does not vanish from the phone the day after; cancelled and rejected ones drop out (a
subscribed calendar removes what the feed no longer lists).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from aiohttp import web
from icalendar import Calendar, Event, vDuration, vText

from bot.keys import SETTINGS
from bot.web.dashboard import clock_now
from bot.web.links import calendar_sig, calendar_url, sig_ok
from handlers.labels import RequestStatus, status_label
from handlers.queries import (
    Request,
    room_bookings,
    user_bookings,
)
from handlers.registry import service_for
from settings import Settings

PRODID = "-//jgswj-bot//calendar//ZH"
REFRESH = timedelta(minutes=30)  # how often a subscribed calendar should fetch again


__all__ = ["calendar_sig", "calendar_url", "render_calendar", "setup_calendar"]


# Signed URLs: bot/web/links.py (messages carry them too)

# ---------------------------------------------------------------------------------------
# RFC 5545 through icalendar


def clean_text(value: str) -> str:
    """User text fit for a TEXT value: CR LF and lone CR become LF (icalendar escapes it as
    `\\n`), other control characters, which RFC 5545 forbids in TEXT (§3.3.11), dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in value if c in "\n\t" or (ord(c) >= 0x20 and ord(c) != 0x7F))


def _text(value: str) -> vText:
    return vText(clean_text(value))


def new_calendar(name: str) -> Calendar:
    """An empty published calendar named `name`, refreshed every 30 minutes."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _text(name))  # an X- property: vText, or it goes unescaped
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    return cal


def event_of(request: Request, host: str, now: datetime) -> Event:
    """One booking as a VEVENT (times in UTC); applicant, vehicle, driver and facility
    fetched."""
    assert request.start is not None and request.end is not None
    status = RequestStatus(request.status)
    show = service_for(request.type).calendar
    assert show is not None  # the feeds read only the types whose service has a calendar
    entry = show(request)
    summary, location, lines = entry.summary, entry.location, list(entry.lines)
    lines.append(f"状态：{status_label(request.type, status)}")
    event = Event()
    event.add("uid", f"request-{request.no}@{host}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("last-modified", request.updated_at.astimezone(UTC))
    event.add("dtstart", request.start.astimezone(UTC))
    event.add("dtend", request.end.astimezone(UTC))
    event.add("summary", _text(summary))
    event.add("description", _text("\n".join(lines)))
    event.add("location", _text(location))
    event.add("status", "TENTATIVE" if status is RequestStatus.PENDING else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def render_calendar(name: str, events: Iterable[Event]) -> bytes:
    """The feed: icalendar escapes TEXT values (§3.3.11), folds lines at 75 octets
    without splitting a UTF-8 character (§3.1) and ends them with CRLF."""
    cal = new_calendar(name)
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


# ---------------------------------------------------------------------------------------
# Views


def _ics_response(name: str, filename: str, requests: list[Request], settings: Settings,
                  now: datetime) -> web.Response:
    host = urlsplit(settings.public_base_url).hostname or "localhost"
    ordered = sorted(requests, key=lambda r: (r.start or now, r.id))
    body = render_calendar(name, (event_of(r, host, now) for r in ordered))
    return web.Response(
        body=body,
        content_type="text/calendar",
        charset="utf-8",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, max-age=300",
        },
    )


def _check(request: web.Request, kind: str, ident: str) -> None:
    if not sig_ok(request.app[SETTINGS], kind, ident, request.query.get("sig", "")):
        raise web.HTTPForbidden(text="订阅地址无效：签名缺失或有误，请在对话里说“我的日历”重新获取。")
    if "\x00" in ident or len(ident) > 200 or not _utf8(ident):
        # No such id; PostgreSQL refuses NUL in text, and a lone surrogate cannot be sent.
        raise web.HTTPNotFound(text="没有这个日历。")


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
    now = clock_now(request.app)
    found = await user_bookings(userid, now)
    if found is None:
        raise web.HTTPNotFound(text="没有这个人的日历（可能已离职或停用）。")
    name, held = found
    return _ics_response(f"{name}的预约", "bookings.ics", held, request.app[SETTINGS], now)


async def room_feed(request: web.Request) -> web.Response:
    """A room's reservations."""
    facility_id = request.match_info["facility_id"]
    _check(request, "room", facility_id)
    now = clock_now(request.app)
    found = await room_bookings(facility_id, now)
    if found is None:
        raise web.HTTPNotFound(text="没有这个场地的日历。")
    name, held = found
    return _ics_response(f"{name} 预约", "room.ics", held, request.app[SETTINGS], now)


def setup_calendar(app: web.Application) -> None:
    app.router.add_get("/calendar/user/{userid}.ics", user_feed)
    app.router.add_get("/calendar/room/{facility_id}.ics", room_feed)
