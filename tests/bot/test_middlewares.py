"""The dispatcher's middlewares, in their order: the apology outermost, then the dialogue
state, the user lookup and the "handled" line, the router last."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.chat.middlewares import (
    SORRY,
    UNKNOWN_USER,
    Apology,
    DialogueState,
    Logging,
    UserLookup,
    chain,
)
from bot.chat.sessions import Session
from handlers.base import Channel, Ctx, Inbound, InboundKind, Reply
from handlers.states import STATE_VERSION

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")
MSG = Inbound(user_id="zhangsan", msg_id="m1", kind=InboundKind.TEXT, received_at=NOW, text="你好")


async def test_the_chain_runs_in_order_and_the_endpoint_last() -> None:
    seen: list[str] = []

    def named(name: str) -> Any:
        async def middleware(handler: Any, inbound: Inbound, data: dict[str, Any]) -> Reply | None:
            seen.append(f"{name}>")
            reply = await handler(inbound, data)
            seen.append(f"<{name}")
            return reply
        return middleware

    async def endpoint(inbound: Inbound, data: dict[str, Any]) -> Reply:
        seen.append("endpoint")
        return Reply("好")

    handle = chain([named("a"), named("b")], endpoint)
    assert await handle(MSG, {}) == Reply("好")
    assert seen == ["a>", "b>", "endpoint", "<b", "<a"]


async def test_the_apology_logs_with_context(caplog: pytest.LogCaptureFixture) -> None:
    async def broken(inbound: Inbound, data: dict[str, Any]) -> Reply:
        raise RuntimeError("boom")

    with caplog.at_level(logging.INFO, logger="bot.dispatch"):
        reply = await chain([Apology(), Logging()], broken)(MSG, {})
    assert reply == Reply(SORRY)
    failed = [r for r in caplog.records if r.getMessage() == "handling failed"]
    assert len(failed) == 1 and failed[0].exc_info is not None
    assert (failed[0].user, failed[0].msg_id, failed[0].kind) == ("zhangsan", "m1", "text")  # type: ignore[attr-defined]
    assert "handled" not in caplog.messages  # a failed message is not logged as handled


async def test_an_unknown_user_goes_no_further(caplog: pytest.LogCaptureFixture) -> None:
    async def nobody(user_id: str, channel: Channel, state: Any) -> Ctx | None:
        return None

    async def endpoint(inbound: Inbound, data: dict[str, Any]) -> Reply:
        raise AssertionError("not reached")

    session = Session("zhangsan", {"flow": "repair_request", "awaiting": "confirm", "slots": {}})
    handle = chain([Apology(), DialogueState(TZ), UserLookup(nobody), Logging()], endpoint)
    with caplog.at_level(logging.INFO, logger="bot.dispatch"):
        reply = await handle(MSG, {"session": session})
    assert reply == Reply(UNKNOWN_USER.format(user_id="zhangsan"))
    assert caplog.messages == ["message from unknown user"] and session.new_state is None


async def test_the_reply_state_is_declared_and_versioned(caplog: pytest.LogCaptureFixture) -> None:
    async def endpoint(inbound: Inbound, data: dict[str, Any]) -> Reply:
        data["intent"] = "repair_request"
        assert data["state"] == {"flow": "cancel", "awaiting": "request_no", "slots": {}}
        return Reply("请确认报修", state={"flow": "repair_request", "awaiting": "confirm", "slots": {}})

    session = Session("zhangsan", {"v": 1, "flow": "cancel", "awaiting": "request_no", "slots": {}})
    with caplog.at_level(logging.INFO, logger="bot.dispatch"):
        await chain([Apology(), DialogueState(TZ), Logging()], endpoint)(MSG, {"session": session})
    assert session.new_state == {"v": STATE_VERSION, "flow": "repair_request", "awaiting": "confirm", "slots": {}}
    handled = [r for r in caplog.records if r.getMessage() == "handled"]
    assert [(r.user, r.msg_id, r.kind, r.intent) for r in handled] == [  # type: ignore[attr-defined]
        ("zhangsan", "m1", "text", "repair_request")]

    async def undeclared(inbound: Inbound, data: dict[str, Any]) -> Reply:
        return Reply("？", state={"flow": "repair_request", "awaiting": "colour", "slots": {}})

    session = Session("zhangsan", {})
    assert await chain([Apology(), DialogueState(TZ)], undeclared)(MSG, {"session": session}) == Reply(SORRY)
    assert session.new_state is None
