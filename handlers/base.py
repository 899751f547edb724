"""What every handler sees and returns; knows nothing of WeCom, HTTP or XML.

A handler is `async def handle(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply`,
registered on a module's `Router` with `@router.intent(Intent.X)`. The ordered
list of routers lives in `handlers/__init__.py`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from nlp.types import Intent, Parse


class InboundKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    VOICE = "voice"
    LOCATION = "location"
    MENU_CLICK = "menu_click"
    ENTER_AGENT = "enter_agent"
    CARD_EVENT = "template_card_event"
    OTHER = "other"


class Channel(StrEnum):
    WECOM = "wecom"
    CHAT_CLI = "chat_cli"
    WEB = "web"
    DEV_CHAT = "dev_chat"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message or event from a user, as the channel received it."""

    user_id: str
    msg_id: str
    kind: InboundKind
    received_at: datetime
    text: str = ""
    media_id: str = ""
    pic_url: str = ""  # an image's PicUrl
    event_key: str = ""
    task_id: str = ""
    response_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    label: str = ""
    channel: Channel = Channel.WECOM


@dataclass(frozen=True, slots=True)
class Reply:
    """What the assistant answers the user (empty text: no answer) and the dialogue state
    after this message (None leaves it as it was, {} ends the flow)."""

    text: str
    markdown: bool = False
    state: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """A notification to a third party; `kind` and `content` follow WeCom `message/send`
    (https://developer.work.weixin.qq.com/document/path/90236): kind is text, textcard,
    markdown or template_card and content is that type's object."""

    kind: str
    content: Mapping[str, Any]

    @classmethod
    def text(cls, text: str) -> Message:
        return cls("text", {"content": text})


class Notifier(Protocol):
    """Tells users something. Call inside the transaction of the change that causes it:
    the notification is written with the change and delivered after it commits."""

    async def notify(self, user_id: str, message: Message, *, key: str | None = None) -> None: ...


class Links(Protocol):
    """Links put in messages (bot/ signs them); "" when this channel has no pages."""

    def approve_url(self, request_no: int, step_id: int, approver: str) -> str: ...

    def page_url(self, path: str) -> str: ...

    def calendar_url(self, kind: str, ident: str) -> str:
        """An iCalendar feed's subscription URL: kind "user" (a userid) or "room"."""
        ...


class NoLinks:
    def approve_url(self, request_no: int, step_id: int, approver: str) -> str:
        return ""

    def page_url(self, path: str) -> str:
        return ""

    def calendar_url(self, kind: str, ident: str) -> str:
        return ""


@dataclass(frozen=True, slots=True)
class UserInfo:
    user_id: str
    name: str
    department_id: int | None
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Ctx:
    """What a handler may use besides the message: who speaks, when, how to tell others."""

    user: UserInfo
    now: datetime
    notifier: Notifier
    channel: Channel = Channel.WECOM
    state: Mapping[str, Any] = field(default_factory=dict)
    links: Links = field(default_factory=NoLinks)

    @property
    def tz(self) -> ZoneInfo:
        """The business time zone: the one `now` carries (the dispatcher gives an aware
        `now` in `BOT_TIMEZONE`)."""
        tz = self.now.tzinfo
        return tz if isinstance(tz, ZoneInfo) else ZoneInfo("Asia/Shanghai")


Handler = Callable[[Inbound, Parse, Ctx], Awaitable[Reply | None]]


class Router:
    """Handlers of one use case, by intent, and by text pattern for the few commands
    that are not an NLU intent ("#1031 派给钱力", "#1031 已修好", a rating "5分")."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.handlers: dict[Intent, Handler] = {}
        self.patterns: list[tuple[re.Pattern[str], Handler]] = []

    def text(self, pattern: str) -> Callable[[Handler], Handler]:
        """Register a handler for messages matching `pattern` (re.search); patterns are
        tried before intents. The handler may return None to let routing go on."""
        compiled = re.compile(pattern)

        def register(fn: Handler) -> Handler:
            self.patterns.append((compiled, fn))
            return fn

        return register

    def intent(self, *intents: Intent) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            for it in intents:
                if it in self.handlers:
                    raise ValueError(f"{self.name}: {it} registered twice")
                self.handlers[it] = fn
            return fn

        return register

    def resolve(self, intent: Intent) -> Handler | None:
        return self.handlers.get(intent)
