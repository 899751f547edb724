"""Per-recipient send budget. WeCom silently drops what exceeds 30 messages a minute or
1,000 an hour to one member (https://developer.work.weixin.qq.com/document/path/90236),
so we stay under both with a sliding window shared by every process (Redis) or, without
Redis, by this process alone."""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

PER_MINUTE = 25
PER_HOUR = 900

_LUA = """
local now = tonumber(ARGV[1])
local member = ARGV[2]
local waits = {}
for i = 1, 2 do
  local window = tonumber(ARGV[1 + 2 * i])
  local limit = tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    table.insert(waits, tonumber(oldest[2]) + window - now)
  end
end
if #waits > 0 then
  local w = 0
  for _, v in ipairs(waits) do if v > w then w = v end end
  return tostring(w)
end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, member)
  redis.call('EXPIRE', KEYS[i], math.ceil(tonumber(ARGV[1 + 2 * i])) + 1)
end
return '0'
"""


class SendLimiter(Protocol):
    async def acquire(self, user_id: str) -> float:
        """Take one send from the user's budget: 0 when allowed, else seconds to wait."""
        ...


class MemoryLimiter:
    def __init__(
        self,
        per_minute: int = PER_MINUTE,
        per_hour: int = PER_HOUR,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._limits = ((60.0, per_minute), (3600.0, per_hour))
        self._clock = clock
        self._sent: dict[str, deque[float]] = {}

    async def acquire(self, user_id: str) -> float:
        now = self._clock()
        sent = self._sent.setdefault(user_id, deque())
        while sent and sent[0] <= now - 3600.0:
            sent.popleft()
        wait = 0.0
        for window, limit in self._limits:
            inside = [t for t in sent if t > now - window]
            if len(inside) >= limit:
                wait = max(wait, inside[0] + window - now)
        if wait > 0:
            return wait
        sent.append(now)
        return 0.0


class RedisLimiter:
    _seq = itertools.count()

    def __init__(
        self,
        redis: Any,
        prefix: str,
        per_minute: int = PER_MINUTE,
        per_hour: int = PER_HOUR,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._args = (60, per_minute, 3600, per_hour)
        self._clock = clock
        self.script = redis.register_script(_LUA)

    async def acquire(self, user_id: str) -> float:
        keys, args = self.call(user_id)
        return max(0.0, float(await self.script(keys=keys, args=args)))

    def call(self, user_id: str) -> tuple[list[str], list[Any]]:
        """The script's keys and arguments for one send, to run it with other commands
        (its result, the wait as text, comes with theirs)."""
        now = self._clock()
        member = f"{now:.6f}:{id(self)}:{next(self._seq)}"
        keys = [f"{self._prefix}rl:m:{user_id}", f"{self._prefix}rl:h:{user_id}"]
        return keys, [now, member, *self._args]
