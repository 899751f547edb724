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

from bot.dispatcher import Dispatcher, LocalUserLock
from bot.notifier import OutboxWorker
from bot.ratelimit import MemoryLimiter
from handlers.base import Channel, Inbound, InboundKind
from models import org
from models.seed import seed_org
from nlp import Nlu
from nlp.state import MemoryStorage

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
        """Texts that reached the user's phone (replies and notifications), in order."""
        return [str(m.get("content") or m.get("description") or m) for m in self.phones.get(user_id, [])]

    def advance(self, **kwargs: float) -> None:
        self.now = self.now + timedelta(**kwargs)


@pytest.fixture
async def talk(db: str, shared_nlu: Nlu, now: datetime) -> AsyncIterator[Talk]:
    result = await seed_org(ORG_FILE)
    assert result.ok, result.problems
    shared_nlu.add_words(await org.dictionary_words())
    holder: dict[str, Talk] = {}

    class Transport:
        async def deliver(self, user_id: str, kind: str, content: Mapping[str, Any],
                          *, once: bool = False) -> None:
            holder["talk"].record(user_id, kind, content)

    limiter = MemoryLimiter(per_minute=10**6, per_hour=10**6)
    worker = OutboxWorker(Transport(), limiter, clock=lambda: holder["talk"].now)
    dispatcher = Dispatcher(
        nlu=shared_nlu, storage=MemoryStorage(), transport=Transport(), limiter=limiter,
        user_lock=LocalUserLock(), tz=TZ, clock=lambda: holder["talk"].now,
    )
    holder["talk"] = Talk(dispatcher=dispatcher, worker=worker, now=now)
    yield holder["talk"]
