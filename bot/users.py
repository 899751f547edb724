"""Who is who, cached: every message needs its sender's name, department and roles, and
the organisation changes only when it is seeded. Entries live `TTL_SECONDS`, so a seed
reaches every process within that time; unknown userids are cached too, so a flood from
outside the organisation does not reach the database."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from handlers.base import UserInfo
from models import org

TTL_SECONDS = 30.0
MAX_ENTRIES = 50_000


class UserDirectory:
    def __init__(
        self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._cache: OrderedDict[str, tuple[float, UserInfo | None]] = OrderedDict()

    async def get(self, user_id: str) -> UserInfo | None:
        """The active user with this WeCom userid, or None."""
        now = self._clock()
        hit = self._cache.get(user_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        user = await org.get_user(user_id)
        info = None
        if user is not None and user.active:
            info = UserInfo(user_id=user.userid, name=user.name,
                            department_id=user.department_id,  # type: ignore[attr-defined]
                            roles=frozenset(user.role_list))
        self._cache[user_id] = (now + self._ttl, info)
        self._cache.move_to_end(user_id)
        while len(self._cache) > MAX_ENTRIES:
            self._cache.popitem(last=False)
        return info

    def forget(self) -> None:
        """Drop everything (after this process seeds the organisation)."""
        self._cache.clear()
