"""What wraps every message's handling, as aiogram v3's middlewares: each one an
`async def __call__(handler, inbound, data)` that may act before, call `handler` (the
rest of the chain) or answer itself, and act after. The dispatcher registers them in one
ordered list, outermost first, its router at the end (`chain`):

    Apology ─► DialogueState ─► UserLookup ─► Logging ─► route (text commands, intent)

- `Apology`: any exception of what follows is logged with its context and the user gets
  SORRY instead (never a bare `except:`; a cancelled turn stays cancelled).
- `DialogueState`: the stored state read into a declared one, its times typed in the
  business zone (`handlers.states`: an unknown state, or one of a version this one cannot
  read, is "no flow", and removed), and the reply's new state checked against the
  declarations and put back in the session.
- `UserLookup`: the user in the organisation and their `Ctx` in `data["ctx"]`; someone
  not in it gets UNKNOWN_USER and goes no further.
- `Logging`: one "handled" line per handled message (user, msg_id, kind, intent), the
  intent as the router put it in `data["intent"]`.

`data` is the turn's own dict: `session` (bot.chat.sessions.Session) when it starts,
then `state`, `ctx` and `intent` as the middlewares and the router add them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from handlers.base import Channel, Ctx, Inbound, Reply
from handlers.states import read_state, write_state

log = logging.getLogger("bot.dispatch")

UNKNOWN_USER = "您好！您的账号（{user_id}）不在本局的人员名单中，暂时无法使用本助手。如需开通，请联系局办公室。"
SORRY = "抱歉，系统刚才出了点问题，您的消息没有处理成功，请稍后再发一次。如一直不行，请联系局办公室。"

Handler = Callable[[Inbound, dict[str, Any]], Awaitable[Reply | None]]


class Middleware(Protocol):
    async def __call__(self, handler: Handler, inbound: Inbound, data: dict[str, Any]) -> Reply | None: ...


def chain(middlewares: Sequence[Middleware], endpoint: Handler) -> Handler:
    """One handler: the middlewares in order (the first is outermost), `endpoint` last."""
    handler = endpoint
    for middleware in reversed(middlewares):
        handler = partial(middleware, handler)
    return handler


class Apology:
    """A failure anywhere inside is logged and answered with SORRY."""

    async def __call__(self, handler: Handler, inbound: Inbound, data: dict[str, Any]) -> Reply | None:
        try:
            return await handler(inbound, data)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("handling failed",
                          extra={"user": inbound.user_id, "msg_id": inbound.msg_id, "kind": str(inbound.kind)})
            return Reply(SORRY)


class DialogueState:
    """The session's state in, read as declared (its times in the business zone `tz`);
    the reply's state out, checked."""

    def __init__(self, tz: ZoneInfo) -> None:
        self._tz = tz

    async def __call__(self, handler: Handler, inbound: Inbound, data: dict[str, Any]) -> Reply | None:
        session = data["session"]
        data["state"] = read_state(session.state, tz=self._tz, user_id=inbound.user_id)
        if session.state and not data["state"]:
            session.new_state = {}  # dropped: gone from storage, not read and logged again
        reply = await handler(inbound, data)
        if reply is not None and reply.state is not None:
            session.new_state = write_state(reply.state)
        return reply


ContextFor = Callable[[str, Channel, Mapping[str, Any]], Awaitable[Ctx | None]]


class UserLookup:
    """Who is writing: their `Ctx`, or UNKNOWN_USER for someone not in the organisation."""

    def __init__(self, context_for: ContextFor) -> None:
        self._context_for = context_for

    async def __call__(self, handler: Handler, inbound: Inbound, data: dict[str, Any]) -> Reply | None:
        ctx = await self._context_for(inbound.user_id, inbound.channel, data.get("state") or {})
        if ctx is None:
            log.info("message from unknown user", extra={"user": inbound.user_id})
            return Reply(UNKNOWN_USER.format(user_id=inbound.user_id))
        data["ctx"] = ctx
        return await handler(inbound, data)


class Logging:
    """The "handled" line of a message that went through."""

    async def __call__(self, handler: Handler, inbound: Inbound, data: dict[str, Any]) -> Reply | None:
        reply = await handler(inbound, data)
        log.info("handled", extra={"user": inbound.user_id, "msg_id": inbound.msg_id,
                                   "kind": str(inbound.kind), "intent": data.get("intent", "-")})
        return reply
