"""Who is who, in memory: every message needs its sender's name, department and roles,
and the organisation changes only when it is seeded or synced. The whole directory (a
bureau's few thousand people) is read in two queries and kept until the organisation's
version moves (`models.org.org_changed`, checked at most once a second with one read of
one row), so a seed or sync reaches every process within about a second and no message —
not even one from a stranger — costs a database round trip in between. `TTL_SECONDS`
bounds how long a change made behind the writers' back stays unseen."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from handlers.base import UserInfo
from handlers.queries import load_directory, org_version

TTL_SECONDS = 300.0


class UserDirectory:
    def __init__(
        self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._users: dict[str, UserInfo] = {}
        self._expires = 0.0
        self._version: int | None = None
        self._lock = asyncio.Lock()

    async def get(self, user_id: str) -> UserInfo | None:
        """The active user with this WeCom userid, or None."""
        version = await org_version()
        if self._clock() >= self._expires or version != self._version:
            async with self._lock:  # one reload at a time; the others wait for it
                if self._clock() >= self._expires or version != self._version:
                    await self._reload(version)
        return self._users.get(user_id)

    async def _reload(self, version: int) -> None:
        self._users = await load_directory()
        self._version = version
        self._expires = self._clock() + self._ttl

    def forget(self) -> None:
        """Read everything again on the next look-up (after this process seeds)."""
        self._expires = 0.0
