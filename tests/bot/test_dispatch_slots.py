"""The dispatcher's turn slots: at most `max_turns` turns at once (the others' users
parked, not in the event loop's ready queue), each user's messages still in order, and
a reply's send holding no slot."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat.dispatcher import Dispatcher
from bot.chat.ratelimit import MemoryLimiter
from bot.chat.sessions import LocalSessions
from handlers.base import Inbound, InboundKind

TZ = ZoneInfo("Asia/Shanghai")
USERS = [f"user{i}" for i in range(5)]


def dispatcher(max_turns: int) -> Dispatcher:
    limiter = MemoryLimiter(per_minute=10**6, per_hour=10**6)
    return Dispatcher(nlu=Any, sessions=LocalSessions(limiter=limiter), transport=Any,  # type: ignore[arg-type]
                      tz=TZ, max_turns=max_turns)


def submit_three_each(d: Dispatcher) -> None:
    for i in range(3):
        for user in USERS:
            d.submit(Inbound(user, f"{user}-{i}", InboundKind.TEXT, datetime.now(TZ), text="帮助"))


async def test_at_most_max_turns_run_at_once_and_each_users_order_holds() -> None:
    d = dispatcher(max_turns=2)
    running: set[str] = set()
    peak = 0
    done: dict[str, list[str]] = defaultdict(list)
    gate, full = asyncio.Event(), asyncio.Event()

    async def process(inbound: Inbound, inbox_id: int | None = None, *, effected: bool = False,
                      leave: Callable[[], None] = lambda: None) -> None:
        nonlocal peak
        running.add(inbound.user_id)
        peak = max(peak, len(running))
        if len(running) == 2:
            full.set()
        await gate.wait()
        done[inbound.user_id].append(inbound.msg_id)
        running.discard(inbound.user_id)

    d.process = process  # type: ignore[method-assign]
    submit_three_each(d)
    await asyncio.wait_for(full.wait(), 5)
    for _ in range(20):  # the other users' turns do not start while the two run
        await asyncio.sleep(0)
    assert len(running) == 2
    gate.set()
    await d.join(timeout=5)
    assert peak == 2
    assert dict(done) == {user: [f"{user}-{i}" for i in range(3)] for user in USERS}
    assert d.room() == d.max_held  # nothing left counted as held


async def test_a_reply_being_sent_holds_no_slot() -> None:
    d = dispatcher(max_turns=2)
    sending: set[str] = set()
    sent, all_sending = asyncio.Event(), asyncio.Event()

    async def process(inbound: Inbound, inbox_id: int | None = None, *, effected: bool = False,
                      leave: Callable[[], None] = lambda: None) -> None:
        leave()  # the turn's work is done: its reply goes out (a wait on WeCom)
        leave()  # given back once, however often called
        sending.add(inbound.user_id)
        if sending == set(USERS):
            all_sending.set()
        await sent.wait()

    d.process = process  # type: ignore[method-assign]
    submit_three_each(d)
    await asyncio.wait_for(all_sending.wait(), 5)  # all five sending at once, with two slots
    sent.set()
    await d.join(timeout=5)
    assert d._slots._value == 2  # every slot given back, none twice
