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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import redis.asyncio as aioredis
from aiohttp import web
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError, RedisError, ResponseError

if TYPE_CHECKING:
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


def connect(url: str) -> aioredis.Redis:
    """The service's Redis client. TLS (`rediss://…`, `ssl_cert_reqs`, `ssl_ca_certs`), the
    ACL user and password and the database all come from the URL, read by redis-py.

    No retries: redis-py's default sends a command again after a lost connection, and a
    `SET NX` (dedup) or `INCR` (flood count) that had already run would then answer
    "seen" or count twice. A failure goes to the caller, and the breaker decides."""
    return aioredis.from_url(url, retry=Retry(NoBackoff(), 0))


@dataclass(frozen=True, slots=True)
class ScriptCall:
    """A Lua script (`client.register_script`) to run in a pipeline on these keys."""

    script: AsyncScript
    keys: Sequence[Any]
    args: Sequence[Any]


Command = tuple[Any, ...] | ScriptCall  # ("SET", key, value, "NX"), or a script's call


class RedisBatches:
    """Commands asked for in the same turn of the event loop go to Redis as one pipeline,
    and while `max_in_flight` pipelines are under way the next one gathers what comes.

    A round trip costs far more CPU than the commands in it (a loopback send and its
    wake-up), so the messages being handled at the same moment share one: the
    callbacks' dedup checks and flood counts, the dispatcher's state reads and writes.
    Idle, a command goes at once; busy, it waits for at most the round trip under way,
    and the busier the service the more each round trip carries (group commit). Each
    caller gets the replies to its own commands as redis-py gives them (`True` for
    `SET`'s OK, bytes, int, None), or the first error among them (a `ResponseError`), or
    the error that stopped the whole pipeline. One timeout covers the pipeline: callers
    need none of their own.

    The pipelines are redis-py's (`pipeline(transaction=False)`, on the client's pool:
    TLS, ACL and database as the URL says); a script goes as EVALSHA of its registered
    digest, and is loaded (`SCRIPT LOAD`) and run again when Redis answers NOSCRIPT.
    """

    def __init__(self, redis: aioredis.Redis, timeout: float = REDIS_TIMEOUT,
                 max_in_flight: int = 2) -> None:
        self.redis = redis
        self._timeout = timeout
        # Two, not one: the next pipeline goes out while the last one's replies are on
        # their way (on a second connection of the client's pool).
        self._max_in_flight = max_in_flight
        self._pending: list[tuple[Sequence[Command], asyncio.Future[list[Any]]]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    @staticmethod
    def script(script: AsyncScript, keys: Sequence[Any], args: Sequence[Any]) -> ScriptCall:
        """The command that runs `script` (registered with the client) on these keys."""
        return ScriptCall(script, keys, args)

    async def execute(self, *commands: Command) -> list[Any]:
        """Run `commands` in order, in the next pipeline; their results."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[list[Any]] = loop.create_future()
        self._pending.append((commands, done))
        if len(self._pending) == 1 and len(self._tasks) < self._max_in_flight:
            loop.call_soon(self._flush)
        return await done

    async def aclose(self) -> None:
        """Let the pipelines under way finish (the client is closed by its owner)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self._timeout * 2)

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
                # redis-py drops a connection whose replies were not all read (timeout,
                # cancel), so a late reply never reaches the next pipeline.
                results = await self._pipeline(commands)
        except asyncio.CancelledError:
            for _, done in batch:
                done.cancel()
            raise
        except Exception as exc:  # every caller gets it, and decides what to do
            for _, done in batch:
                if not done.done():
                    done.set_exception(exc)
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
        results = await self._send(commands)
        # A script Redis does not know (it restarted, or SCRIPT FLUSH) did not run: load
        # it and run those calls again — the only commands that had no effect.
        missing = [i for i, r in enumerate(results) if isinstance(r, NoScriptError)]
        if missing:
            unknown = {c.script.sha: c.script for i in missing
                       if isinstance(c := commands[i], ScriptCall)}
            for script in unknown.values():
                await self.redis.script_load(script.script)
            again = await self._send([commands[i] for i in missing])
            for i, result in zip(missing, again, strict=True):
                results[i] = result
        return results

    async def _send(self, commands: Sequence[Command]) -> list[Any]:
        """One pipeline. A script goes as EVALSHA of its registered digest — not as
        redis-py's `Script` call, which asks SCRIPT EXISTS first in a round trip of its
        own on every pipeline.

        The pipeline is what redis-py's `Pipeline.execute(raise_on_error=False)` does
        for plain commands (no MULTI, no WATCH, no retries: `connect`), on the same
        pool, with the same packing and the client's own reply parsing and callbacks
        (`parse_response`: `True` for SET's OK), without its per-pipeline command
        stack, retry wrapper and bookkeeping: two of these run in every turn, and
        redis-py's took about 500 Python calls each (bench/bench_turns.py)."""
        args = [
            ("EVALSHA", c.script.sha, len(c.keys), *c.keys, *c.args) if isinstance(c, ScriptCall) else c
            for c in commands
        ]
        client = self.redis
        pool = client.connection_pool
        conn = await pool.get_connection()
        try:
            await conn.send_packed_command(conn.pack_commands(args))  # redis-py's packer
            results: list[Any] = []
            for command in args:
                try:
                    results.append(await client.parse_response(conn, command[0]))
                except ResponseError as error:  # an error reply is its command's result
                    results.append(error)
        except BaseException:
            # Cut short (a timeout, a cancel, a lost connection): the rest of the replies
            # may still come on this socket. Dropped, so that no later caller reads them.
            await conn.disconnect(nowait=True)
            raise
        finally:
            await pool.release(conn)
        return results


BATCHES = web.AppKey("redis_batches", RedisBatches)
