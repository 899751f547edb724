"""From an inbound message to the reply: one user's messages one at a time, the NLU,
the router, the handler, the reply — and a friendly apology instead of any exception.

    callback ──submit──► per-user queue ──► handle(): middlewares → text → parse → handler → reply
                                            inbox row: effected (with the change), done, sent

`handle` runs the middlewares of `self.middlewares` in order (bot/chat/middlewares.py:
the apology, the dialogue state, the user lookup, the "handled" line), `_dispatch` last.

A message from the durable inbox (bot/chat/inbox.py) runs with its row as the turn's
`CURRENT_INBOX`: the use case's transaction marks the row `effected` in its own commit,
and, when it did, the turn's end writes it `done` with the reply before the reply goes out
(a turn that changed nothing is marked done and sent in one lazy write after). A row taken
over from a dead process after its change committed (`effected`) is not handled again:
its user's draft is closed and they are told, from the audit trail, what was done.
At most `max_held` messages wait in memory; past that the callback leaves them in the
inbox for the recovery to take when there is room (`room`). At most `max_turns` turns run
at once (`_slots`): the others' users wait parked, not in the event loop's ready queue,
where every ready turn would run a step before the loop reads its sockets again and a
callback's request would wait behind all of them.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat.inbox import Inbox
from bot.chat.middlewares import (
    SORRY,
    UNKNOWN_USER,
    Apology,
    DialogueState,
    Logging,
    Middleware,
    UserLookup,
    chain,
)
from bot.chat.sessions import Session, SessionBusy, Sessions
from bot.chat.users import UserDirectory
from bot.wecom.notifier import DeliveryError, OutboxNotifier, Transport
from handlers import ROUTERS, find_handler, outbox, text_handlers
from handlers import inbox as inbox_rows
from handlers.approval import decide_from_card
from handlers.base import Channel, Ctx, Inbound, InboundKind, Links, NoLinks, Reply, UserInfo
from handlers.bundle_after import decide_from_card as decide_bundle_from_card
from handlers.feedback import is_rating_key, rate_from_card
from handlers.labels import NUMBER_BASE
from nlp import Intent, Nlu, Parse

log = logging.getLogger("bot.dispatch")

__all__ = ["SORRY", "UNKNOWN_USER", "Dispatcher"]
IMAGE_HINT = "收到图片。如需报修，请用文字说明地点和故障，例如“3号楼502室空调不制冷”，我会把照片一并附上。"
LOCATION_HINT = "收到位置：{label}。如需用车，请告诉我时间和目的地，例如“明天上午9点从这里去市政府”。"
VOICE_HINT = "抱歉，我暂时听不懂语音，请用文字告诉我您要办的事。"
WELCOME = "您好，{name}！有事直接发消息给我，比如“明天下午两点用车去虹桥机场接人”，发送“帮助”查看全部服务。"

MAX_HELD = 2000  # messages waiting in memory; past it they wait in the inbox
# Turns running at once. Measured (README "Measured", bench_callback.py --lag): enough to
# keep the database and Redis busy while one turn waits for them; more only lengthens the
# event loop's ready queue — the callbacks' wait — without more messages done.
MAX_TURNS = 16
# WeCom's duplicate check on the first send of a reply that reports a change: it asks for
# no check against earlier messages worth the name (such a reply carries its request's
# number), but makes WeCom remember it, so that the same reply sent again after a crash
# (`resend`, with the interval since) reaches the user once.
FIRST_SEND_WINDOW = 1
RESEND_MARGIN = 30  # seconds added to a resend's interval (clocks, the send's own time)

# Menu buttons (click events) configured in the WeCom admin console map to a sentence.
MENU_TEXT: Mapping[str, str] = {"help": "帮助", "my_requests": "我的申请", "pending": "待我审批"}


@dataclass(slots=True)
class _Item:
    inbound: Inbound
    inbox_id: int | None
    effected: bool
    behind: bool = False


def _first(queue: deque[_Item], item: _Item) -> bool:
    return bool(queue) and queue[0] is item


def _reply_row(reply: Reply | None) -> dict[str, Any] | None:
    if reply is None or not reply.text:
        return None
    return {"kind": "markdown" if reply.markdown else "text", "text": reply.text}


def _flow_intent(state: Mapping[str, Any]) -> Intent | None:
    try:
        return Intent(state["flow"]) if state.get("flow") else None
    except ValueError:  # a state written by an older version: ignore it
        return None


class Dispatcher:
    def __init__(
        self,
        *,
        nlu: Nlu,
        sessions: Sessions,
        transport: Transport,
        tz: ZoneInfo,
        on_outbox: Callable[[], None] | None = None,
        clock: Callable[[], datetime] | None = None,
        links: Links | None = None,
        inbox: Inbox | None = None,
        max_held: int = MAX_HELD,
        max_turns: int = MAX_TURNS,
    ) -> None:
        self._nlu = nlu
        self._sessions = sessions
        self._transport = transport
        self._tz = tz
        self._clock = clock or (lambda: datetime.now(tz))
        self._on_outbox = on_outbox
        self._links: Links = links or NoLinks()
        self.users = UserDirectory()
        self._notifier = OutboxNotifier(on_enqueue=on_outbox, clock=self._clock)
        self.inbox = inbox
        self.max_held = max_held
        self._held = 0  # messages queued in memory, all users
        self.max_turns = max_turns
        self._slots = asyncio.Semaphore(max(1, max_turns))  # a turn runs holding one (FIFO)
        self._queues: dict[str, deque[_Item]] = {}
        self._running: set[str] = set()  # users whose queue's first message is being handled
        # Users this process queued a reply for (WeCom failed or the budget said wait):
        # their next reply goes behind it while it waits, not past it.
        self._queued_for: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.handled = 0
        # order matters: the apology outermost, the router (`_dispatch`) at the end
        self.middlewares: list[Middleware] = [
            Apology(), DialogueState(tz), UserLookup(self.context_for), Logging(),
        ]
        self._handle = chain(self.middlewares, self._dispatch)
        self._told = chain([Apology()], self._handled_elsewhere)

    # -- scheduling ---------------------------------------------------------------------

    def room(self) -> int:
        """How many more messages may wait in memory."""
        return max(0, self.max_held - self._held)

    def has_room(self) -> bool:
        return self._held < self.max_held

    def submit(self, inbound: Inbound, inbox_id: int | None = None, *, effected: bool = False,
               behind: bool = False) -> None:
        """Queue the message (with its inbox row, `effected` when taken over after its
        change committed, `behind` when an older message of the user may still be
        elsewhere) and return at once; one user's messages run in order — their rows'
        order, which a message taken over from a dead process keeps."""
        self._held += 1
        item = _Item(inbound, inbox_id, effected, behind)
        queue = self._queues.get(inbound.user_id)
        if queue is not None:
            self._enqueue(inbound.user_id, queue, item)
            return
        self._queues[inbound.user_id] = deque([item])
        task = asyncio.create_task(self._drain(inbound.user_id), name=f"user:{inbound.user_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _enqueue(self, user_id: str, queue: deque[_Item], item: _Item) -> None:
        """In row order among what has not started (a row taken over is older than
        the ones the callback queued meanwhile)."""
        pos = len(queue)
        start = 1 if user_id in self._running else 0
        if item.inbox_id is not None:
            while pos > start and (queue[pos - 1].inbox_id or 0) > item.inbox_id:
                pos -= 1
        queue.insert(pos, item)

    async def _drain(self, user_id: str) -> None:
        queue = self._queues[user_id]
        try:
            while queue:
                item = queue[0]
                if item.behind and item.inbox_id is not None and self.inbox is not None:
                    # Older messages of this user first: the overload's, a dead process's.
                    try:
                        elders = await self.inbox.elders(user_id, item.inbox_id,
                                                         partial(_first, queue, item))
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # the database: handled now rather than never
                        log.exception("older messages not looked up", extra={
                            "user": user_id, "inbox_id": item.inbox_id})
                        elders = []
                    for inbound, inbox_id, effected in elders:
                        self._held += 1
                        self._enqueue(user_id, queue, _Item(inbound, inbox_id, effected))
                    if queue[0] is not item:
                        continue  # those first (this one looks again when its turn comes)
                    item.behind = False
                # A slot for the turn alone: a message waiting for an older one held
                # elsewhere (above) holds none, so that no wait can keep others from
                # theirs; nor does its reply's send, a wait on WeCom (`process`'s `leave`).
                await self._slots.acquire()
                slot = [True]  # held; given back once by `leave`

                def leave(slot: list[bool] = slot) -> None:
                    if slot[0]:
                        slot[0] = False
                        self._slots.release()

                try:
                    if queue[0] is not item:
                        continue  # an older row taken over meanwhile goes first
                    self._running.add(user_id)
                    try:
                        await self.process(item.inbound, item.inbox_id, effected=item.effected,
                                           leave=leave)
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # e.g. the reply could not be sent nor stored
                        log.exception("message lost after handling",
                                      extra={"user": user_id, "msg_id": item.inbound.msg_id})
                    finally:
                        self._running.discard(user_id)
                finally:
                    leave()
                queue.popleft()
                self._held -= 1
                if self.inbox is not None and self._held == self.max_held // 2:
                    self.inbox.wake()  # room again: what waits in the inbox may come
        finally:
            self._held -= len(queue)
            del self._queues[user_id]

    async def join(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait for queued work (shutdown and tests)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    # -- one message --------------------------------------------------------------------

    async def process(self, inbound: Inbound, inbox_id: int | None = None, *,
                      effected: bool = False, leave: Callable[[], None] = lambda: None) -> Reply | None:
        """Handle one message and deliver its reply; never raises. `leave()` is called
        once the turn's own work is done, before the reply goes out."""
        wait: float | None
        reply: Reply | None
        turn = None if inbox_id is None else inbox_rows.InboxTurn(inbox_id, effected)
        token = inbox_rows.CURRENT_INBOX.set(turn)
        try:
            async with self._sessions.open(inbound.user_id) as session:
                # either way inside the Apology middleware: a failure is an apology
                if effected and inbox_id is not None:
                    reply = await self._told(inbound, {"session": session, "inbox_id": inbox_id})
                else:
                    reply = await self.handle(inbound, session)
                session.reply_due = bool(reply is not None and reply.text)
            wait = session.wait
        except SessionBusy:  # never handled concurrently with the user's turn elsewhere
            log.error("turn not taken: the user's previous turn still runs on another process",
                      extra={"user": inbound.user_id, "msg_id": inbound.msg_id})
            reply, wait = Reply(SORRY), None  # the budget is taken when sending
        finally:
            inbox_rows.CURRENT_INBOX.reset(token)
        self.handled += 1
        due = reply is not None and bool(reply.text)
        effected = turn is not None and turn.effected
        if turn is not None and self.inbox is not None and effected:
            # Written before it goes out: after a crash it is sent again, not made again.
            await self.inbox.done(turn.id, _reply_row(reply) if due else None)
        leave()
        if reply is not None and due:
            await self.send_reply(inbound.user_id, reply, wait=wait,
                                  once=FIRST_SEND_WINDOW if effected else None)
        if turn is not None and self.inbox is not None:
            if effected:
                self.inbox.sent(turn.id)
            else:
                self.inbox.finished(turn.id)
        return reply

    async def _handled_elsewhere(self, inbound: Inbound, data: dict[str, Any]) -> Reply:
        """A message whose change committed on a process that died before answering: not
        handled again; the draft it confirmed is closed and the user told what was done."""
        inbox_id: int = data["inbox_id"]
        log.info("handled before a crash: told from the audit trail",
                 extra={"user": inbound.user_id, "inbox_id": inbox_id})
        data["session"].new_state = {}
        return Reply(await inbox_rows.handled_summary(inbox_id))

    async def resend(self, inbox_id: int, user_id: str, reply: dict[str, Any],
                     done_at: float | None) -> None:
        """The reply of a row a dead process had finished but not marked sent (a turn that
        changed something: its first send carried WeCom's duplicate check): sent again
        with the check over the time since, so WeCom drops it if it had gone."""
        log.info("reply resent", extra={"user": user_id, "inbox_id": inbox_id})
        since = 0.0 if done_at is None else max(0.0, self._clock().timestamp() - done_at)
        await self.send_reply(user_id, Reply(str(reply.get("text", "")), markdown=reply.get("kind") == "markdown"),
                              once=int(since) + RESEND_MARGIN)

    async def tell_waiting(self, user_id: str, key: str) -> None:
        """"正在处理，请稍候" once per waiting episode (`key`), through the outbox; the
        user's reply goes behind it."""
        await outbox.enqueue(user_id, "text", {"content": inbox_rows.WAITING}, key=key, now=self._clock())
        self._queued_for.add(user_id)
        if self._on_outbox is not None:
            self._on_outbox()

    async def handle(self, inbound: Inbound, session: Session) -> Reply | None:
        """The reply to one message (None: nothing to say), inside the user's session,
        through the middlewares (bot/chat/middlewares.py); a new dialogue state goes back
        in `session.new_state`."""
        return await self._handle(inbound, {"session": session})

    async def _dispatch(self, inbound: Inbound, data: dict[str, Any]) -> Reply | None:
        """The end of the chain: the text's router, or what a card, photo or location means."""
        ctx: Ctx = data["ctx"]
        text = self._text_of(inbound)
        if text is None:
            data["intent"] = "-"
            return await self._non_text(inbound, ctx)
        reply, data["intent"] = await self._route(inbound, text, ctx)
        return reply

    async def context_for(
        self, user_id: str, channel: Channel, state: Mapping[str, Any] | None = None
    ) -> Ctx | None:
        """What a handler gets for this user now (None: not in the organisation); also
        used by the pages, so that chat, links, cards and forms share one set of use cases."""
        info = await self.users.get(user_id)
        if info is None:
            return None
        return Ctx(user=info, now=self._clock().astimezone(self._tz), notifier=self._notifier,
                   channel=channel, state=state or {}, links=self._links)

    async def _route(self, inbound: Inbound, text: str, ctx: Ctx) -> tuple[Reply, str]:
        """Text commands first, then the intent (a follow-up goes to the open flow)."""
        parse = self._nlu.parse(text, ctx.now)
        for candidate in text_handlers(text, ROUTERS):
            reply = await candidate(inbound, parse, ctx)
            if reply is not None:
                return reply, f"text:{candidate.__name__}"
        intent = self._route_intent(parse, ctx.state, text)
        if intent is not parse.intent:
            parse = self._nlu.parse_as(text, ctx.now, intent)
        reply = await find_handler(intent, ROUTERS)(inbound, parse, ctx)
        return reply or Reply(""), str(intent)

    async def _non_text(self, inbound: Inbound, ctx: Ctx) -> Reply | None:
        """A tapped approval card decides, a tapped rating card rates; a photo or location inside an open flow goes to
        it (a repair's photos); otherwise a hint of what to do with it."""
        if inbound.kind is InboundKind.CARD_EVENT:
            if is_rating_key(inbound.event_key):
                return await rate_from_card(inbound, ctx)
            return await decide_bundle_from_card(inbound, ctx) or await decide_from_card(inbound, ctx)
        flow = _flow_intent(ctx.state) or (Intent.PHOTO if inbound.kind is InboundKind.IMAGE else None)
        if flow is not None and inbound.kind in (InboundKind.IMAGE, InboundKind.LOCATION):
            reply = await find_handler(flow, ROUTERS)(inbound, Parse(flow, {}), ctx)
            if reply is not None:
                return reply
        return self._non_text_reply(inbound, ctx.user)

    @staticmethod
    def _route_intent(parse: Parse, state: Mapping[str, Any], text: str) -> Intent:
        """A follow-up inside a flow ("下午三点", "3个人") goes to the flow that asked; so
        does a number that cannot be a request number ("那就301吧": a room). A question
        about one's requests ("我上次的报修修好了没") is answered as such, and the draft
        stays open for the next answer."""
        flow = _flow_intent(state)
        if flow is None:
            return parse.intent
        if parse.intent in (Intent.UNKNOWN, flow) or parse.guessed:
            return flow  # a guess of the statistical model never leaves an open flow
        if flow is Intent.SERVICE_BUNDLE and parse.intent in (Intent.VEHICLE_BOOKING,
                                                               Intent.FACILITY_RESERVATION):
            return flow  # an answer about one part ("用车改成8点") stays in the bundle
        number = parse.slots.get("request_no")
        if (parse.intent is Intent.APPROVAL_STATUS and "#" not in text
                and number is not None and number <= NUMBER_BASE):
            return flow
        return parse.intent

    @staticmethod
    def _text_of(inbound: Inbound) -> str | None:
        if inbound.kind is InboundKind.TEXT:
            return inbound.text
        if inbound.kind is InboundKind.VOICE and inbound.text:
            return inbound.text  # WeCom's own speech recognition, when enabled
        if inbound.kind is InboundKind.MENU_CLICK:
            return MENU_TEXT.get(inbound.event_key, inbound.event_key)
        return None

    @staticmethod
    def _non_text_reply(inbound: Inbound, user: UserInfo) -> Reply | None:
        if inbound.kind is InboundKind.IMAGE:
            return Reply(IMAGE_HINT)
        if inbound.kind is InboundKind.LOCATION:
            return Reply(LOCATION_HINT.format(label=inbound.label or "已收到"))
        if inbound.kind is InboundKind.VOICE:
            return Reply(VOICE_HINT)
        if inbound.kind is InboundKind.ENTER_AGENT:
            return Reply(WELCOME.format(name=user.name))
        return None

    # -- replies ------------------------------------------------------------------------

    async def send_reply(self, user_id: str, reply: Reply, *, wait: float | None = None,
                         once: int | None = None) -> None:
        """Send at once when the budget allows (`wait` 0, taken when the session closed);
        otherwise, or when WeCom fails, through the outbox: delayed, never lost. `once`:
        with WeCom's duplicate check over that many seconds."""
        kind = "markdown" if reply.markdown else "text"
        content = {"content": reply.text}
        if wait is None:
            wait = await self._sessions.take_budget(user_id)
        if wait == 0 and user_id in self._queued_for:
            if await outbox.has_pending(user_id):
                wait = -1  # an earlier reply still waits in the outbox: go behind it
            else:
                self._queued_for.discard(user_id)
        if wait == 0:
            try:
                if once is None:
                    await self._transport.deliver(user_id, kind, content)
                else:
                    await self._transport.deliver(user_id, kind, content, once=True, window=once)
                return
            except DeliveryError as e:
                if not e.retryable:
                    log.error("reply undeliverable", extra={"user": user_id, "error": str(e)})
                    return
                log.warning("reply failed, queued in outbox", extra={"user": user_id, "error": str(e)})
        await outbox.enqueue(user_id, kind, content, now=self._clock())
        if len(self._queued_for) < 100_000:  # bounded; past it, order is best effort
            self._queued_for.add(user_id)
        if self._on_outbox is not None:
            self._on_outbox()
