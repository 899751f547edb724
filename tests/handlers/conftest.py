"""Dialogue tests: whole conversations through the real dispatcher, the real NLU and
the real database (SQLite, then PostgreSQL), with a clock the test sets.

    async def test_x(talk):
        reply = await talk.say("zhangsan", "明天下午两点用车去虹桥机场")
        await talk.deliver()                 # the outbox worker runs until empty
        assert talk.inbox("lichu")           # what reached the dept head's phone
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.chat.dispatcher import Dispatcher
from bot.chat.ratelimit import MemoryLimiter
from bot.chat.sessions import LocalSessions
from bot.web.links import SignedLinks
from bot.wecom.notifier import OutboxWorker
from handlers.base import Channel, Inbound, InboundKind, Links
from models import org
from models.seed import seed_org
from nlp import Nlu
from settings import Settings

TZ = ZoneInfo("Asia/Shanghai")
ORG_FILE = Path(__file__).resolve().parent.parent / "models" / "org_good.yaml"


@dataclass
class Talk:
    """Speaks as users through the dispatcher; collects what each phone receives."""

    dispatcher: Dispatcher
    worker: OutboxWorker
    now: datetime
    phones: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _ids: Any = field(default_factory=lambda: count(1))

    def record(self, user_id: str, kind: str, content: Mapping[str, Any]) -> None:
        self.phones.setdefault(user_id, []).append({"kind": kind, **dict(content)})

    async def say(self, user_id: str, text: str, *, kind: InboundKind = InboundKind.TEXT,
                  **extra: Any) -> str:
        """Send one message; returns the assistant's reply text ('' when none)."""
        before = len(self.phones.get(user_id, []))
        reply = await self.dispatcher.process(Inbound(
            user_id=user_id, msg_id=f"t{next(self._ids)}", kind=kind, received_at=self.now,
            text=text, channel=Channel.WECOM, **extra,
        ))
        assert len(self.phones.get(user_id, [])) >= before
        return reply.text if reply is not None else ""

    async def deliver(self) -> None:
        """Run the outbox worker until nothing is due."""
        for _ in range(100):
            if not await self.worker.run_once():
                return
        raise AssertionError("outbox never drained")

    def inbox(self, user_id: str) -> list[str]:
        """Texts that reached the user's phone (replies and notifications), in order; a
        template card as its title, text and key/value lines."""
        return [_as_text(m) for m in self.phones.get(user_id, [])]

    def cards(self, user_id: str) -> list[dict[str, Any]]:
        """Template cards (and card updates) that reached the user, in order."""
        return [m for m in self.phones.get(user_id, [])
                if m["kind"] in ("template_card", "card_update")]

    def advance(self, **kwargs: float) -> None:
        self.now = self.now + timedelta(**kwargs)


def _as_text(m: Mapping[str, Any]) -> str:
    card = m.get("template_card") if m["kind"] == "card_update" else m
    if m["kind"] in ("template_card", "card_update") and isinstance(card, Mapping):
        title = card.get("main_title", {}).get("title", "")
        facts = " ".join(f"{f['keyname']}：{f['value']}" for f in card.get("horizontal_content_list", []))
        return " ".join(x for x in (title, card.get("sub_title_text", ""), facts,
                                    card.get("replace_text", "")) if x)
    return str(m.get("content") or m.get("description") or m)


@pytest.fixture
async def talk(db: str, shared_nlu: Nlu, now: datetime) -> AsyncIterator[Talk]:
    """Dialogues in a channel without pages (approvers get text, as in the terminal)."""
    yield await make_talk(shared_nlu, now)


@pytest.fixture
async def linked_talk(db: str, shared_nlu: Nlu, now: datetime, settings: Settings
                      ) -> AsyncIterator[Talk]:
    """Dialogues in WeCom with pages: approvers get cards carrying signed approve links."""
    yield await make_talk(shared_nlu, now, links=SignedLinks(settings))


async def make_talk(shared_nlu: Nlu, now: datetime, links: Links | None = None) -> Talk:
    result = await seed_org(ORG_FILE)
    assert result.ok, result.problems
    shared_nlu.add_words(await org.dictionary_words())
    holder: dict[str, Talk] = {}

    codes = count(1)

    class Transport:
        async def deliver(self, user_id: str, kind: str, content: Mapping[str, Any],
                          *, once: bool = False, window: int | None = None) -> str | None:
            holder["talk"].record(user_id, kind, content)
            if kind == "template_card" and content.get("card_type") == "button_interaction":
                return f"sent-rc-{next(codes)}"  # as WeCom answers a button card's send
            return None

    limiter = MemoryLimiter(per_minute=10**6, per_hour=10**6)
    worker = OutboxWorker(Transport(), limiter, clock=lambda: holder["talk"].now)
    dispatcher = Dispatcher(
        nlu=shared_nlu, sessions=LocalSessions(limiter=limiter), transport=Transport(), tz=TZ, clock=lambda: holder["talk"].now, links=links,
    )
    holder["talk"] = Talk(dispatcher=dispatcher, worker=worker, now=now)
    return holder["talk"]
