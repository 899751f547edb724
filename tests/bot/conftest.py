"""Fixtures of the WeCom channel tests: the callback in a small app with a recording
dispatcher, WeCom's side (`sim`), and the fake WeCom API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.keys import DEDUP, DISPATCHER, INBOX, SETTINGS
from bot.wecom.callback import setup_callback
from bot.wecom.dedup import DedupStore, MemoryDedup, RedisDedup
from handlers.base import Inbound, Reply
from handlers.inbox import Stored
from settings import Settings
from tests.bot.wecomsim import WeComSim
from tests.fakewecom import fake_wecom, wecom_settings  # noqa: F401 - fixtures

ClientFactory = Callable[..., Awaitable[TestClient]]


@dataclass
class Recorder:
    """Stands in for the dispatcher: records what the callback submits."""

    inbound: list[Inbound] = field(default_factory=list)
    ids: list[int | None] = field(default_factory=list)
    full: bool = False  # no room in memory

    def has_room(self) -> bool:
        return not self.full

    def submit(self, inbound: Inbound, inbox_id: int | None = None, *, behind: bool = False) -> None:
        self.inbound.append(inbound)
        self.ids.append(inbox_id)


@dataclass
class Replier(Recorder):
    """The dispatcher as the callback sees it: submit, and send_reply for the polite answer."""

    replies: list[tuple[str, str]] = field(default_factory=list)

    async def send_reply(self, user_id: str, reply: Reply, *, wait: float | None = None) -> None:
        self.replies.append((user_id, reply.text))


async def polite_answers(replier: Replier, count: int = 1) -> list[tuple[str, str]]:
    """The flood's polite answers, which go out in the background: wait (up to 10 s on a
    loaded machine) until `count` have been sent, and a little more for one too many."""
    async with asyncio.timeout(10):
        while len(replier.replies) < count:  # noqa: ASYNC110 - waits on a task, not the clock
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    return replier.replies


@dataclass
class KeyedInbox:
    """Stands in for the durable inbox (bot/chat/inbox.py) as the callback sees it: a key
    stored once; `fail` makes storing fail as a database that is down does."""

    rows: dict[str, tuple[int, Inbound, bool]] = field(default_factory=dict)
    refused: set[int] = field(default_factory=set)  # rows the flood guard refused
    fail: bool = False

    async def store(self, key: str, inbound: Inbound, *, owned: bool,
                    refused: bool = False) -> Stored | None:
        if self.fail:
            raise ConnectionError("database down")
        if key in self.rows:
            return None
        self.rows[key] = (len(self.rows) + 1, inbound, owned)
        return Stored(len(self.rows))

    async def refuse(self, inbox_id: int) -> None:
        self.refused.add(inbox_id)


def callback_app(settings: Settings, dedup: DedupStore, recorder: Recorder,
                 inbox: KeyedInbox | None = None) -> web.Application:
    app = web.Application()
    app[SETTINGS] = settings
    app[DEDUP] = dedup
    app[INBOX] = inbox if inbox is not None else KeyedInbox()  # type: ignore[assignment]
    app[DISPATCHER] = recorder  # type: ignore[assignment]
    setup_callback(app)
    return app


@pytest.fixture
def sim(settings: Settings) -> WeComSim:
    return WeComSim(settings.token, settings.aes_key, settings.corp_id, settings.agent_id)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


async def drop_keys(redis: aioredis.Redis, prefix: str) -> None:
    keys = [key async for key in redis.scan_iter(match=f"{prefix}*")]
    if keys:
        await redis.delete(*keys)


@pytest.fixture(params=["memory", "redis"])
async def dedup(
    request: pytest.FixtureRequest, redis_client: aioredis.Redis, redis_prefix: str
) -> AsyncIterator[DedupStore]:
    if request.param == "memory":
        yield MemoryDedup()
        return
    yield RedisDedup(redis_client, redis_prefix)
    await drop_keys(redis_client, redis_prefix)


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, settings: Settings, recorder: Recorder
) -> TestClient:
    """The callback with in-memory dedup and the recorder as dispatcher."""
    return await aiohttp_client(callback_app(settings, MemoryDedup(), recorder))


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def log_text(records: list[logging.LogRecord]) -> str:
    """Every message with its `extra=` fields and exception text, as a formatter could write them."""
    lines = []
    for r in records:
        extras = {k: v for k, v in r.__dict__.items() if k not in _STANDARD}
        exc = logging.Formatter().formatException(r.exc_info) if r.exc_info else ""
        lines.append(f"{r.getMessage()} {extras} {exc}")
    return "\n".join(lines)


_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
