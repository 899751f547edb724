"""Which WeCom deliveries were seen before, quickly: WeCom sends a callback again when it
got no 200 within 5 s (three tries in all). What decides is the durable inbox's unique
key (bot/chat/inbox.py, models/inbox.py): a delivery is stored whatever these say. They
keep a retry from counting twice against the user's flood limit (bot/wecom/flood.py),
in the same round trip as the count.

`RedisDedup` (`SET key 1 NX EX ttl`) holds across processes, with this process's memory
while Redis is down; `MemoryDedup` is the in-process store used when `REDIS_URL` is unset
(one process only, CONTRACT §2).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol

from bot.redisguard import REDIS_ERRORS, REDIS_TIMEOUT, Command, RedisBatches, RedisBreaker
from settings import Settings

if TYPE_CHECKING:
    import redis.asyncio as aioredis

log = logging.getLogger(__name__)

DEFAULT_TTL = 86_400  # a day: far longer than WeCom's retries, short enough to stay small
MEMORY_MAX_KEYS = 100_000


class DedupStore(Protocol):
    async def first_time(self, key: str, ttl: int = DEFAULT_TTL) -> bool:
        """True the first time `key` is seen within `ttl` seconds, False afterwards."""
        ...

    async def forget(self, key: str) -> None:
        """Forget `key`, so that a later delivery is handled (used when dispatching failed)."""
        ...


class MemoryDedup:
    """In-process, bounded (oldest keys dropped first), with a TTL per key."""

    def __init__(self, max_keys: int = MEMORY_MAX_KEYS) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()  # key → expiry (monotonic)
        self._max_keys = max_keys

    async def first_time(self, key: str, ttl: int = DEFAULT_TTL) -> bool:
        return self.first_time_now(key, ttl)

    def first_time_now(self, key: str, ttl: int = DEFAULT_TTL) -> bool:
        now = time.monotonic()
        expiry = self._seen.get(key)
        if expiry is not None and expiry > now:
            return False
        self._seen[key] = now + ttl
        self._seen.move_to_end(key)
        self._evict(now)
        return True

    async def forget(self, key: str) -> None:
        self._seen.pop(key, None)

    def _evict(self, now: float) -> None:
        # Insertion order is close to expiry order (one TTL in practice): drop from the front.
        while self._seen:
            oldest_key, oldest_expiry = next(iter(self._seen.items()))
            if oldest_expiry <= now or len(self._seen) > self._max_keys:
                del self._seen[oldest_key]
            else:
                break

    def __len__(self) -> int:
        return len(self._seen)


# One round trip for a delivery and its user's flood count (bot/wecom/flood.py): the counter
# moves only when the key is new, so WeCom's retries of a message do not count twice.
_SET_AND_COUNT = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return -1 end
local n = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return n
"""


class RedisDedup:
    """`SET prefix+dedup:key 1 NX EX ttl`: the first setter wins across all processes.

    Calls made in the same turn of the event loop go to Redis as one pipeline
    (`RedisBatches`, shared with the sessions in the service): under load a round trip
    to Redis costs far more CPU than the command itself. `first_time_counted` also counts
    a new key against a counter (the flood guard's) in the same round trip.

    When Redis fails or is slow the message is still stored and handled: `fallback` says
    (this process's memory), and the inbox decides. While Redis is known to be down (`breaker`) it is tried only now and
    then; for a while after it comes back, a key Redis calls new is also checked against
    the fallback, which may have seen it during the outage.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        prefix: str = "",
        *,
        timeout: float = REDIS_TIMEOUT,
        fallback: DedupStore | None = None,
        breaker: RedisBreaker | None = None,
        batches: RedisBatches | None = None,
    ) -> None:
        self.redis = redis
        self._prefix = f"{prefix}dedup:"
        # Not `fallback or …`: an empty MemoryDedup is falsy (it has a length).
        self._fallback: DedupStore = fallback if fallback is not None else MemoryDedup()
        self.breaker = breaker or RedisBreaker()
        self._batches = batches or RedisBatches(redis, timeout)
        self._set_and_count = redis.register_script(_SET_AND_COUNT)

    async def first_time(self, key: str, ttl: int = DEFAULT_TTL) -> bool:
        return await self._first_time(key, ttl, None) is not None

    async def first_time_counted(
        self, key: str, counter: str, counter_ttl: int, ttl: int = DEFAULT_TTL
    ) -> int | None:
        """None when `key` was seen within `ttl`; when it is new, the value of `counter`
        after counting it (INCR, EXPIRE `counter_ttl`), in the same round trip — or 0 when
        Redis did not count it (down, or just back: then the fallback had its say, and the
        caller counts it its own way)."""
        return await self._first_time(key, ttl, (counter, counter_ttl))

    async def _first_time(self, key: str, ttl: int, counter: tuple[str, int] | None) -> int | None:
        if self.breaker.allows():
            # Probing or just back, the fallback may know the key: count nothing in Redis.
            counting = not (self.breaker.down or self.breaker.recovering())
            command: Command
            if counter is not None and counting:
                command = self._batches.script(
                    self._set_and_count, [self._prefix + key, counter[0]], [ttl, counter[1]])
            else:
                counting = False
                command = ("SET", self._prefix + key, b"1", "NX", "EX", ttl)
            try:
                (result,) = await self._batches.execute(command)
            except REDIS_ERRORS as exc:
                self.breaker.failed("dedup", exc)
                log.warning("dedup: redis unavailable, fallback store",
                            extra={"dedup_key": key, "error": type(exc).__name__})
            except Exception:  # whatever else went wrong: handle rather than lose
                log.exception("dedup: redis call failed, fallback store", extra={"dedup_key": key})
            else:
                self.breaker.succeeded()
                if counting:
                    return None if result == -1 else int(result)
                if not result:
                    return None
                if not self.breaker.recovering():
                    return 0
        return 0 if await self._fallback.first_time(key, ttl) else None

    async def forget(self, key: str) -> None:
        await self._fallback.forget(key)
        if not self.breaker.allows():
            return
        try:
            await self._batches.execute(("DEL", self._prefix + key))
        except REDIS_ERRORS as exc:
            self.breaker.failed("dedup", exc)
            log.warning("dedup: forget failed", extra={"dedup_key": key, "error": type(exc).__name__})


def make_dedup(
    settings: Settings,
    redis: aioredis.Redis | None,
    breaker: RedisBreaker | None = None,
    batches: RedisBatches | None = None,
) -> DedupStore:
    """Redis (the client comes from the app's redis_ctx) with memory as its fallback when
    `REDIS_URL` is set, else memory (one process)."""
    if settings.redis_url:
        if redis is None:
            raise ValueError("REDIS_URL is set but no Redis client was given")
        return RedisDedup(redis, settings.key_prefix, fallback=MemoryDedup(), breaker=breaker,
                          batches=batches)
    return MemoryDedup()
