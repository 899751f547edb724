"""Dialogue state: one JSON object per user, kept 15 minutes (STYLE.md, "Dialogue state").

Only ids and primitives go in, never ORM objects. With Redis the state is read and
written in the same round trips as the user's lock (bot/chat/sessions.py, keys from
`state_key`); without Redis, `MemoryStorage` keeps it in this process.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Protocol

STATE_TTL_SECONDS = 15 * 60


def state_key(prefix: str, user_id: str) -> str:
    """The one place dialogue-state keys are built."""
    return f"{prefix}state:{user_id}"


class Storage(Protocol):
    async def get(self, user_id: str) -> dict[str, Any]: ...

    async def set(self, user_id: str, state: dict[str, Any]) -> None: ...

    async def clear(self, user_id: str) -> None: ...


class MemoryStorage:
    """For one process (REDIS_URL unset): expiry checked on read."""

    def __init__(
        self, ttl: int = STATE_TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._data: dict[str, tuple[float, str]] = {}

    async def get(self, user_id: str) -> dict[str, Any]:
        item = self._data.get(user_id)
        if item is None:
            return {}
        expires, raw = item
        if expires <= self._clock():
            del self._data[user_id]
            return {}
        return dict(json.loads(raw))

    async def set(self, user_id: str, state: dict[str, Any]) -> None:
        if not state:
            await self.clear(user_id)
            return
        if len(self._data) > 100_000:  # bounded: drop expired entries before growing
            now = self._clock()
            self._data = {k: v for k, v in self._data.items() if v[0] > now}
        self._data[user_id] = (self._clock() + self._ttl, json.dumps(state, ensure_ascii=False))

    async def clear(self, user_id: str) -> None:
        self._data.pop(user_id, None)
