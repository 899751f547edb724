"""A room's check-in (场地确认): a booker who does not confirm gives the room back.

```mermaid
flowchart LR
    B[room approved] -- start − 15 min --> Q["回复“确认使用1024”保留"]
    Q -- 确认使用1024 --> K[kept]
    Q -- no answer by start + 10 min --> X[released: cancelled, holds freed, booker told]
```

The sweeper (bot/timers.py) calls `ask_checkins` and `release_rooms` with a `now`; each
claims what is due with a compare-and-set in models/timers.py and writes its notification
in that transaction (sent once across processes, kept across restarts), as the approval
reminders of handlers/reminders.py do. The booker answers "确认使用1024" in chat.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.base import Ctx, Inbound, Message, Notifier, Reply, Router
from handlers.common import fmt_day, fmt_window
from handlers.labels import status_name
from handlers.reminders import number_in
from models.audit import AuditLog
from models.errors import InvalidState, NotAllowed, NotFound
from models.org import RequestType
from models.requests import Request, RequestStatus, get_request
from models.sql import transaction
from models.timers import (
    awaiting_checkin,
    checkins_to_ask,
    claim_checkin_ask,
    confirm_checkin,
    release_unconfirmed,
    unconfirmed_rooms,
)
from nlp.types import Parse

log = logging.getLogger("handlers.checkin")
router = Router("checkin")

CHECKIN_BEFORE = timedelta(minutes=15)  # the booker is asked this long before the start
RELEASE_AFTER = timedelta(minutes=10)  # …and the room released this long after it

ASK_CHECKIN = (
    "【场地确认】#{no} {room} {start} 开始，回复“确认使用{no}”保留；"
    "开始后{grace}分钟未确认将自动释放。"
)
RELEASED = (
    "【场地已释放】#{no} {room} {window} 开始后{grace}分钟仍未确认使用，已自动释放，"
    "同事们可以预约了。如仍需使用，请重新预约。"
)
CHECKIN_RE = (
    r"^\s*(?:(?:确认使用|确认保留|保留使用)\s*(?:#?\s*(?P<a>\d{4,})\s*号?)?"
    r"|确认\s*#?\s*(?P<b>\d{4,})\s*号?(?:使用|保留)?"
    r"|#?\s*(?P<c>\d{4,})\s*号?\s*(?:确认使用|确认保留|确认|保留))"
    r"\s*(?:会议室|场地)?\s*[。.!！]?\s*$"
)
KEPT = "好的，#{no} {room} {window} 已为您保留，请按时使用。"
KEPT_ALREADY = "#{no} {room} 已经确认过了，会为您保留。"
RELEASED_ALREADY = "#{no} {room} 开始后{grace}分钟未确认，已自动释放。如仍需使用，请重新预约。"
NOT_CONFIRMABLE = "#{no} 目前{status}，无需确认。"
OVER = "#{no} {room} 的使用时间已经结束，无需确认。"


def _local_clock(moment: datetime, now: datetime, tz: ZoneInfo) -> str:
    """`14:00` today, else `11月30日(周一) 14:00`."""
    local = moment.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return f"{local:%H:%M}"
    return f"{fmt_day(local, tz)} {local:%H:%M}"


def _room(request: Request) -> str:
    return request.facility.name if request.facility is not None else "场地"


# ---------------------------------------------------------------------------------------
# The sweeper's use cases: each returns how many it did

GRACE_MINUTES = int(RELEASE_AFTER.total_seconds() // 60)


async def _tell_each(requests: list[Request], now: datetime, notifier: Notifier, *,
                     claim: Callable[[Request, datetime], Awaitable[bool]],
                     text_of: Callable[[Request], str], key: str, failed: str) -> int:
    """For each request: claim the step and queue its notice in one transaction (a request
    another sweeper claimed first is skipped); one failure is logged, the rest go on."""
    done = 0
    for request in requests:
        try:
            text = text_of(request)
            async with transaction():
                if not await claim(request, now):
                    continue
                await notifier.notify(request.applicant.userid, Message.text(text),
                                      key=f"checkin:{key}:{request.no}")
            done += 1
            log.info("check-in step done", extra={"step": key, "request": request.no})
        except Exception:
            log.exception(failed, extra={"request": request.no})
    return done


async def ask_checkins(now: datetime, notifier: Notifier, tz: ZoneInfo) -> int:
    """Ask each booker, CHECKIN_BEFORE the start, to confirm they will use the room."""
    def text_of(request: Request) -> str:
        assert request.start is not None
        return ASK_CHECKIN.format(no=request.no, room=_room(request), grace=GRACE_MINUTES,
                                  start=_local_clock(request.start, now, tz))

    return await _tell_each(await checkins_to_ask(now, CHECKIN_BEFORE), now, notifier,
                            claim=claim_checkin_ask, text_of=text_of, key="ask",
                            failed="check-in question failed")


async def release_rooms(now: datetime, notifier: Notifier, tz: ZoneInfo) -> int:
    """Release each room its booker did not confirm by RELEASE_AFTER the start."""
    def text_of(request: Request) -> str:
        return RELEASED.format(no=request.no, room=_room(request), grace=GRACE_MINUTES,
                               window=fmt_window(request.start, request.end, tz))

    return await _tell_each(await unconfirmed_rooms(now, RELEASE_AFTER), now, notifier,
                            claim=release_unconfirmed, text_of=text_of, key="released",
                            failed="room release failed")


# ---------------------------------------------------------------------------------------
# The booker's confirmation


@router.text(CHECKIN_RE)
async def confirm_room(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """The booker: "确认使用1024", "#1024 确认" or "确认使用" (the room they were asked
    about). Declines (None) when there is nothing of theirs to confirm."""
    m = re.search(CHECKIN_RE, msg.text)
    assert m is not None
    tz = ctx.tz
    me = ctx.user.user_id
    no = number_in(m)
    if no is None:
        asked = await awaiting_checkin(me)
        if not asked:
            return None
        replies = [await _confirm(r.no, ctx, tz) for r in asked]
        return Reply("\n".join(r for r in replies if r))
    text = await _confirm(no, ctx, tz)
    return Reply(text) if text else None


async def _confirm(no: int, ctx: Ctx, tz: ZoneInfo) -> str | None:
    """The answer to confirming #no; None when it is not this user's reservation."""
    request = await get_request(no)
    if (request is None or request.type is not RequestType.FACILITY_RESERVATION
            or request.applicant.userid != ctx.user.user_id):
        return None
    room = _room(request)
    try:
        changed = await confirm_checkin(no, ctx.user.user_id, ctx.now, str(ctx.channel))
    except (NotFound, NotAllowed):
        return None
    except InvalidState as e:
        fresh = e.request
        if fresh.status is RequestStatus.CANCELLED and await AuditLog.filter(
                request_id=fresh.id, action="release").exists():
            return RELEASED_ALREADY.format(no=no, room=room,
                                           grace=GRACE_MINUTES)
        if fresh.status is RequestStatus.APPROVED:
            return OVER.format(no=no, room=room)
        return NOT_CONFIRMABLE.format(no=no, status=status_name(fresh))
    template = KEPT if changed else KEPT_ALREADY
    return template.format(no=no, room=room, window=fmt_window(request.start, request.end, tz))
