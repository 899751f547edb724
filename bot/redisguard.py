"""Redis as the service uses it: one breaker per process (issue 7, item 4), shared by
dedup, sessions and the inbound flood guard, and one `RedisBatches`, through which
dedup and sessions send their commands as few pipelines as the load allows.

After a failure Redis is left alone for `retry_after` seconds (so that a dead or hung
Redis costs one timeout per interval, not one per message), then tried again; the first
success closes the breaker. For `grace` seconds after recovering, dedup also asks its
database fallback, so a WeCom retry of a message handled during the outage is caught.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web
from redis.exceptions import NoScriptError, RedisError

from bot.resp import Command, Endpoint, RespConnection

if TYPE_CHECKING:
    import redis.asyncio as aioredis
    from redis.commands.core import AsyncScript

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


class RedisBatches:
    """Commands asked for in the same turn of the event loop go to Redis as one pipeline,
    and while `max_in_flight` pipelines are under way the next one gathers what comes.

    A round trip costs far more CPU than the commands in it (a loopback send and its
    wake-up), so the messages being handled at the same moment share one: the
    callbacks' dedup checks, the dispatcher's session openings and closings. Idle, a
    command goes at once; busy, it waits for at most the round trip under way, and the
    busier the service the more each round trip carries (group commit). Each caller
    gets the replies to its own commands as Redis gives them (bot/resp.py: `b"OK"`,
    bytes, int, None), or the first error among them (a `ResponseError`), or the error
    that stopped the whole pipeline. One timeout covers the pipeline: callers need none
    of their own.

    The pipelines go over a connection of their own speaking RESP directly
    (`RespConnection`, set up as the redis-py client `redis` is: host, TLS, password,
    database), not through redis-py, whose bookkeeping costs several times the round
    trip; `redis` itself only loads scripts.

    Scripts run as EVALSHA without redis-py's `SCRIPT EXISTS` before every pipeline
    that holds one; a script Redis does not know (it restarted, or its scripts were
    flushed) is loaded and its commands run again.
    """

    def __init__(self, redis: aioredis.Redis, timeout: float = REDIS_TIMEOUT,
                 max_in_flight: int = 2) -> None:
        self.redis = redis
        self._resp = RespConnection(Endpoint.of(redis))
        self._timeout = timeout
        # Two, not one: the next pipeline goes out while the last one's replies are on
        # their way (one connection; Redis answers in order).
        self._max_in_flight = max_in_flight
        self._pending: list[tuple[Sequence[Command], asyncio.Future[list[Any]]]] = []
        self._scripts: dict[str, AsyncScript] = {}  # sha → script, to load it again
        self._tasks: set[asyncio.Task[None]] = set()

    def evalsha(self, script: AsyncScript, keys: Sequence[Any], args: Sequence[Any]) -> Command:
        """The command that runs `script` (registered with the client) on these keys."""
        self._scripts.setdefault(script.sha, script)
        return ("EVALSHA", script.sha, len(keys), *keys, *args)

    async def execute(self, *commands: Command) -> list[Any]:
        """Run `commands` in order, in the next pipeline; their results."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[list[Any]] = loop.create_future()
        self._pending.append((commands, done))
        if len(self._pending) == 1 and len(self._tasks) < self._max_in_flight:
            loop.call_soon(self._flush)
        return await done

    async def aclose(self) -> None:
        """Let the pipelines under way finish, then close the connection."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self._timeout * 2)
        self._resp.close()

    def _flush(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        task = asyncio.create_task(self._run(batch), name="redis-batch")
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._pending and len(self._tasks) < self._max_in_flight:
            self._flush()

    async def _run(self, batch: list[tuple[Sequence[Command], asyncio.Future[list[Any]]]]) -> None:
        commands = [command for group, _ in batch for command in group]
        try:
            async with asyncio.timeout(self._timeout):
                results = await self._pipeline(commands)
                if any(isinstance(r, NoScriptError) for r in results):
                    await self._again(commands, results)
        except asyncio.CancelledError:
            for _, done in batch:
                done.cancel()
            raise
        except Exception as exc:  # every caller gets it, and decides what to do
            for _, done in batch:
                if not done.done():
                    done.set_exception(exc)
            # The connection may be dead (Redis restarted, a proxy cut it) or hung: the
            # next pipeline opens a new one.
            self._resp.close()
            return
        start = 0
        for group, done in batch:
            mine = results[start:start + len(group)]
            start += len(group)
            if done.done():  # the caller was cancelled
                continue
            error = next((r for r in mine if isinstance(r, Exception)), None)
            if error is None:
                done.set_result(mine)
            else:
                done.set_exception(error)

    async def _pipeline(self, commands: Sequence[Command]) -> list[Any]:
        return await self._resp.pipeline(commands)

    async def _again(self, commands: list[Command], results: list[Any]) -> None:
        """Load the scripts Redis did not know, and run their commands again (they did
        not run: NOSCRIPT answers before anything happens)."""
        missing = [i for i, r in enumerate(results) if isinstance(r, NoScriptError)]
        for sha in {commands[i][1] for i in missing}:
            await self.redis.script_load(self._scripts[sha].script)
        again = await self._pipeline([commands[i] for i in missing])
        for i, result in zip(missing, again, strict=True):
            results[i] = result


BATCHES = web.AppKey("redis_batches", RedisBatches)
