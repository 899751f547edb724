"""Per-user inbound rate limit on chat (issue 7, item 3): a flood from one user — a
script, a stuck client — is answered politely once per window and not processed beyond
the limit, so that it cannot fill the dispatcher, the database or the user's own send
budget (WeCom drops what goes over 30 messages a minute to one member).

A fixed one-minute window per user: `INCR` + `EXPIRE` on Redis (shared by every
process), or a dict in this process without Redis or while Redis is down. Only new
deliveries count (WeCom's retries of one message are not a flood): the callback counts
after dedup — with `RedisDedup` on the same Redis, in dedup's own round trip
(`counter()` names the key, `verdict()` reads the count).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import Enum
from typing import Any, Protocol

from aiohttp import web

from bot.redisguard import REDIS_ERRORS, REDIS_TIMEOUT, RedisBatches, RedisBreaker

log = logging.getLogger("bot.wecom.flood")

FLOOD_LIMIT = 20  # messages a user may send in one window; more are not processed
FLOOD_WINDOW = 60  # seconds
TOO_FAST = "您发得太快了，请稍后再试。"


class Verdict(Enum):
    OK = "ok"
    FIRST_OVER = "first_over"  # the first message over the limit: answer politely
    OVER = "over"  # later ones in the same window: drop quietly


def verdict(count: int, limit: int) -> Verdict:
    if count <= limit:
        return Verdict.OK
    return Verdict.FIRST_OVER if count == limit + 1 else Verdict.OVER


class FloodGuard(Protocol):
    async def check(self, user_id: str) -> Verdict: ...


class MemoryFloodGuard:
    def __init__(self, limit: int = FLOOD_LIMIT, window: int = FLOOD_WINDOW,
                 clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._counts: dict[str, tuple[int, int]] = {}  # user → (window number, count)

    async def check(self, user_id: str) -> Verdict:
        return verdict(self.count(user_id), self.limit)

    def count(self, user_id: str) -> int:
        slot = int(self._clock() // self.window)
        seen_slot, count = self._counts.get(user_id, (slot, 0))
        count = count + 1 if seen_slot == slot else 1
        if len(self._counts) > 100_000:  # bounded: forget the users of older windows
            self._counts = {u: v for u, v in self._counts.items() if v[0] == slot}
        self._counts[user_id] = (slot, count)
        return count


class RedisFloodGuard:
    def __init__(self, redis: Any, prefix: str, *, limit: int = FLOOD_LIMIT,
                 window: int = FLOOD_WINDOW, breaker: RedisBreaker | None = None,
                 clock: Callable[[], float] = time.time, timeout: float = REDIS_TIMEOUT,
                 batches: RedisBatches | None = None) -> None:
        self.redis = redis
        self._prefix = f"{prefix}flood:"
        self.limit = limit
        self.window = window
        self.breaker = breaker or RedisBreaker()
        self._clock = clock
        self._batches = batches or RedisBatches(redis, timeout)
        self._local = MemoryFloodGuard(limit, window, clock)

    def counter(self, user_id: str) -> tuple[str, int]:
        """The user's counter for this window, and the TTL it is given when counted."""
        return f"{self._prefix}{user_id}:{int(self._clock() // self.window)}", self.window + 1

    def verdict(self, count: int) -> Verdict:
        """The verdict on a message that brought the user's counter to `count`."""
        return verdict(count, self.limit)

    async def check(self, user_id: str) -> Verdict:
        if self.breaker.allows():
            key, ttl = self.counter(user_id)
            try:
                count, _ = await self._batches.execute(("INCR", key), ("EXPIRE", key, ttl))
                self.breaker.succeeded()
                return verdict(int(count), self.limit)
            except REDIS_ERRORS as exc:
                self.breaker.failed("flood guard", exc)
        return await self._local.check(user_id)


FLOOD = web.AppKey("flood_guard", FloodGuard)
