"""Redis going away and coming back (issue 7, item 4): one breaker per process, shared by
dedup, sessions and the inbound flood guard.

After a failure Redis is left alone for `retry_after` seconds (so that a dead or hung
Redis costs one timeout per interval, not one per message), then tried again; the first
success closes the breaker. For `grace` seconds after recovering, dedup also asks its
database fallback, so a WeCom retry of a message handled during the outage is caught.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from aiohttp import web
from redis.exceptions import RedisError

log = logging.getLogger("bot.redis")

REDIS_ERRORS = (RedisError, OSError, TimeoutError, asyncio.TimeoutError)
REDIS_TIMEOUT = 1.0  # seconds a Redis call may take; the callback must answer within 5 s
RETRY_AFTER = 2.0
GRACE = 600.0  # WeCom's retries of one delivery come within a few minutes


class RedisBreaker:
    def __init__(
        self,
        retry_after: float = RETRY_AFTER,
        grace: float = GRACE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.retry_after = retry_after
        self.grace = grace
        self._clock = clock
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._recovered_at: float | None = None
        self.failures = 0

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def allows(self) -> bool:
        """Try Redis now? Always while up; once per `retry_after` while down."""
        if self._down_since is None:
            return True
        now = self._clock()
        if now >= self._retry_at:
            self._retry_at = now + self.retry_after  # one probe at a time
            return True
        return False

    def failed(self, what: str, error: BaseException) -> None:
        self.failures += 1
        now = self._clock()
        self._retry_at = now + self.retry_after
        if self._down_since is None:
            self._down_since = now
            log.warning("redis unavailable: falling back (database dedup, local sessions)",
                        extra={"where": what, "error": type(error).__name__})

    def succeeded(self) -> None:
        if self._down_since is not None:
            now = self._clock()
            log.warning("redis is back", extra={"down_seconds": round(now - self._down_since, 1)})
            self._down_since = None
            self._recovered_at = now

    def recovering(self) -> bool:
        """Up again, but recently down: fallbacks may know things Redis does not."""
        return self._recovered_at is not None and self._clock() - self._recovered_at < self.grace


BREAKER = web.AppKey("redis_breaker", RedisBreaker)
