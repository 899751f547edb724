"""What one message of each kind of the realistic mix (issue 16: bookings, repairs, rooms,
status questions, each 确认 after its read-back) asks of the database, pinned on both
databases: a read that slips into a loop, a cache that stops holding or a query written
twice would not fail any other test, only slow every message down.

Counted where Tortoise hands SQL to the driver (its query builder and our prepared SQL
alike), once the organisation's caches are warm; the outbox worker's passes after the
message count with it (one claim when nothing is due; a claim, the sends' mark and a
last claim after a confirmation). Each ceiling is what the message needs today
(on SQLite; PostgreSQL needs one fewer for a booking and a room, which take no resource
lock row), with the organisation's version not read meanwhile (`org_version`, at most once a
second in service). The Redis round trips of a turn are pinned in
tests/bot/test_sessions.py (a turn's opening and closing, each one pipeline)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

import pytest
from tortoise.backends.base.client import BaseDBAsyncClient

from models import org
from tests.handlers.conftest import Talk

_METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many", "execute_script")
_INSIDE: ContextVar[bool] = ContextVar("counting_inside", default=False)


def _clients(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _clients(sub)


@contextmanager
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The SQL sent to the database meanwhile, one entry a statement (a client method
    that calls another, or its parent's, counts once)."""
    sent: list[str] = []

    def counted(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @wraps(method)
        async def run(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            if _INSIDE.get():
                return await method(self, query, *args, **kwargs)
            token = _INSIDE.set(True)
            sent.append(" ".join(str(query).split()))
            try:
                return await method(self, query, *args, **kwargs)
            finally:
                _INSIDE.reset(token)

        return run

    with monkeypatch.context() as patch:
        for cls in {BaseDBAsyncClient, *_clients(BaseDBAsyncClient)}:
            for name in _METHODS:
                if name in cls.__dict__:
                    patch.setattr(cls, name, counted(cls.__dict__[name]))
        yield sent


async def cost(talk: Talk, monkeypatch: pytest.MonkeyPatch, user: str, text: str) -> tuple[str, list[str]]:
    """The reply to `text` and the statements it took, the outbox's delivery included."""
    with statements(monkeypatch) as sent:
        reply = await talk.say(user, text)
        await talk.deliver()
    return reply, list(sent)


def within(sent: list[str], ceiling: int, what: str) -> None:
    assert len(sent) <= ceiling, f"{what}: {len(sent)} statements (at most {ceiling}):\n" + "\n".join(sent)


# (sentence, what its reply says, ceiling): one visit of each kind of the mix.
def visit(day: str, place: str) -> list[tuple[str, str, int, str]]:
    return [
        (f"{day}下午两点到四点用车去虹桥机场，2人", "事由", 3, "a booking's sentence (asks the purpose)"),
        ("接待来访", "确认", 3, "a booking's answer (read back)"),
        # 15 → 13 (issue 16, confirmations): the downtime asked with the applicant, the
        # steps in one INSERT. It includes the heads of the applicant's department, read
        # once a department and kept like the rules (`dept_head_user`).
        ("确认", "#", 13, "a booking's 确认 (request, holds, two steps, the approver's card)"),
        (f"{place}空调不制冷", "确认", 1, "a repair's sentence"),
        ("确认", "#", 7, "a repair's 确认 (request, the dispatchers' notice)"),
        (f"{day}下午2点到4点订个会议室，8人", "确认", 2, "a room's sentence"),
        ("确认", "#", 8, "a room's 确认 (request, hold)"),
        ("我的申请", "#", 7, "a status question with open requests"),
    ]


async def test_each_kind_of_message_keeps_its_statement_budget(
    talk: Talk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Once as another user: the organisation's caches (directory, rules, rooms, roles,
    # departments) are filled, as they are in a running service.
    for text, says, _, _ in visit("明天", "3号楼502室"):
        assert says in await talk.say("xiaoliu", text)
    talk.advance(seconds=1)
    # The organisation's version is not read again meanwhile (at most once a second in
    # service): each message's count is then its own, exactly.
    monkeypatch.setattr(org, "ORG_CHECK_SECONDS", float("inf"))
    for text, says, ceiling, what in visit("后天", "5号楼301室"):
        reply, sent = await cost(talk, monkeypatch, "zhangsan", text)
        assert says in reply, (what, reply)
        within(sent, ceiling, what)
    reply, sent = await cost(talk, monkeypatch, "wuli", "我的申请")
    assert "没有" in reply
    within(sent, 2, "a status question with none")
