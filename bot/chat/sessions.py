"""One user's turn: the user's lock, their dialogue state and the reply's send budget.

    open:  the lock (redis-py's `Lock`: SET NX PX with a random token), then GET state
    turn:  the lock's lease renewed every few seconds while the turn runs
    close: SET/DEL state + budget, then the lock released (compare-and-delete)

The state and budget commands go through `RedisBatches`: the turns opening or closing at
the same moment, and the callbacks' dedup checks, share one pipeline.

A lock's lease is short (10 s) and renewed every 3 s by a task beside the turn, so a
slow turn keeps it as long as it runs, while a process that dies frees it within seconds.
A turn whose lease was lost (Redis cut off for longer than the lease, or the lock taken
over) does not write its state: the user's next turn, perhaps already running on
another process, owns it now.

Without Redis (one process) the same with an asyncio lock per user, the in-memory state
store and the in-memory budget; while a configured Redis is down, the same fallback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio.lock import Lock
from redis.exceptions import LockNotOwnedError

from bot.chat.ratelimit import MemoryLimiter, RedisLimiter
from bot.redisguard import REDIS_ERRORS, REDIS_TIMEOUT, Command, RedisBatches, RedisBreaker
from nlp.state import STATE_TTL_SECONDS, MemoryStorage, state_key

log = logging.getLogger("bot.chat.sessions")

LOCK_LEASE = 10.0  # seconds: how soon a dead process's lock frees itself
LOCK_RENEW_EVERY = 3.0  # seconds between renewals: two may fail before the lease runs out
LOCK_WAIT = 30.0  # seconds a turn waits for the same user's turn on another process


class SessionBusy(Exception):
    """The user's previous turn, on another process, still held the lock after LOCK_WAIT."""


@dataclass
class Session:
    user_id: str
    state: dict[str, Any]
    new_state: dict[str, Any] | None = None  # None keeps the state; {} ends the flow
    reply_due: bool = False  # take one send from the user's budget when closing
    wait: float = 0.0  # after close: seconds until the reply may be sent (0: now)


class Sessions(Protocol):
    def open(self, user_id: str) -> Any:
        """Async context manager yielding the user's Session, exclusive across processes."""
        ...

    async def take_budget(self, user_id: str) -> float:
        """One send from the user's budget outside a session: 0 or seconds to wait."""
        ...


class SessionBudget:
    """The sessions' send budget as a `SendLimiter` (for the outbox worker)."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def acquire(self, user_id: str) -> float:
        return await self._sessions.take_budget(user_id)


class UserLocks:
    """One asyncio lock per user while anyone holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, user_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        self._waiting[user_id] = self._waiting.get(user_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[user_id] -= 1
            if not self._waiting[user_id]:
                del self._waiting[user_id], self._locks[user_id]


class LocalSessions:
    def __init__(self, storage: MemoryStorage | None = None,
                 limiter: MemoryLimiter | None = None) -> None:
        self.storage = storage or MemoryStorage()
        self.limiter = limiter or MemoryLimiter()
        self._locks = UserLocks()

    @asynccontextmanager
    async def open(self, user_id: str) -> AsyncIterator[Session]:
        async with self._locks.hold(user_id):
            session = Session(user_id, await self.storage.get(user_id))
            yield session
            if session.new_state is not None:
                await self.storage.set(user_id, session.new_state)
            if session.reply_due:
                session.wait = await self.limiter.acquire(user_id)

    async def take_budget(self, user_id: str) -> float:
        return await self.limiter.acquire(user_id)


class _TurnLock(Lock):
    """redis-py's `Lock` whose SET NX PX goes through the shared pipelines with the GET of
    the dialogue state: a turn opens in one round trip, shared with the turns and
    callbacks of that moment (`client.lock(..., lock_class=_TurnLock)`)."""

    batches: RedisBatches
    state_key: str
    state: Any = None

    async def do_acquire(self, token: str | bytes) -> bool:
        acquired, self.state = await self.batches.execute(
            ("SET", self.name, token, "NX", "PX", int(float(self.timeout or 0) * 1000)),
            ("GET", self.state_key))
        return bool(acquired)


class _Lease:
    """Keeps a turn's lock alive: `reacquire()` (the TTL back to the whole lease) every
    `every` seconds until stopped. `held()` says whether the lock is surely still ours:
    not taken over, and its last confirmed renewal not about to run out."""

    def __init__(self, lock: _TurnLock, confirmed_at: float, every: float, timeout: float) -> None:
        self.lock = lock
        self.lost = False
        self._lease = float(lock.timeout or 0)
        self._valid_until = confirmed_at + self._lease  # from the send of the SET that won
        self._every = every
        self._timeout = timeout
        # A timer, not a task, until the first renewal is due: most turns end long before
        # it, and a task per turn (created, cancelled, awaited) cost more than the turn's
        # Redis round trip in Python work (bench/bench_turns.py).
        self._task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = asyncio.get_running_loop().call_later(
            every, self._start)

    def held(self, margin: float) -> bool:
        return not self.lost and time.monotonic() + margin < self._valid_until

    def _start(self) -> None:
        self._timer = None
        self._task = asyncio.create_task(self._renew(), name="session-lease")

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task])

    async def _renew(self) -> None:
        """Every `every` seconds from the first (the timer's), until stopped."""
        while True:
            sent = time.monotonic()
            try:
                async with asyncio.timeout(self._timeout):
                    await self.lock.reacquire()
            except LockNotOwnedError:
                self.lost = True
                log.error("session lock lost: its lease ran out or it was taken over",
                          extra={"lock": self.lock.name})
                return
            except REDIS_ERRORS as exc:  # tried again; the lease may still hold
                log.warning("session lock not renewed",
                            extra={"lock": self.lock.name, "error": type(exc).__name__})
                if time.monotonic() >= self._valid_until:
                    self.lost = True
                    return
            else:
                self._valid_until = sent + self._lease
            await asyncio.sleep(self._every)


class RedisSessions:
    """Shared by every process. The lock is redis-py's `Lock` (random token, released by
    compare-and-delete) with a short lease kept alive while the turn runs (`_Lease`).

    Redis down (issue 7, item 4): the dispatcher must still answer, so a turn that cannot
    reach Redis runs on this process alone — the in-process user lock, a local state store
    and a local send budget — with a warning in the log (`breaker`, shared with dedup,
    keeps a dead Redis from costing a timeout per message). A dialogue state written
    locally during the outage is carried back to Redis on the user's next turn after it.
    """

    def __init__(self, redis: Any, prefix: str, limiter: RedisLimiter,
                 lease: float = LOCK_LEASE, ttl: int = STATE_TTL_SECONDS, *,
                 renew_every: float = LOCK_RENEW_EVERY, wait: float = LOCK_WAIT,
                 breaker: RedisBreaker | None = None, timeout: float = REDIS_TIMEOUT,
                 batches: RedisBatches | None = None) -> None:
        self._redis = redis
        self._prefix = prefix
        self._lease = lease
        self._renew_every = renew_every
        self._wait = wait
        self._ttl = ttl
        self._timeout = timeout
        self._batches = batches or RedisBatches(redis, timeout)
        self.limiter = limiter
        self.breaker = breaker or RedisBreaker()
        self._locks = UserLocks()  # keeps this process's waiters off Redis
        # The fallback: states written while Redis was down, and a budget for that time.
        self.local = MemoryStorage(ttl=ttl)
        self.local_limiter = MemoryLimiter()
        # Locks this process took but could not release (Redis went away mid-turn): freed
        # on the user's next turn rather than left to their lease.
        self._unreleased: dict[str, Lock] = {}

    @asynccontextmanager
    async def open(self, user_id: str) -> AsyncIterator[Session]:
        lock_key = f"{self._prefix}lock:user:{user_id}"
        skey = state_key(self._prefix, user_id)
        async with self._locks.hold(user_id):
            lease: _Lease | None = None
            try:
                if not self.breaker.allows():
                    raw = _DOWN
                else:
                    if lock_key in self._unreleased:
                        await self._release(self._unreleased[lock_key])
                        del self._unreleased[lock_key]
                    lease = await self._acquire(lock_key, skey, user_id)
                    raw = lease.lock.state
            except REDIS_ERRORS as exc:
                self.breaker.failed("sessions", exc)
                raw = _DOWN
            if raw is _DOWN:
                log.warning("session without redis: local lock and state",
                            extra={"user": user_id})
                session = Session(user_id, await self.local.get(user_id))
                yield session
                await self._close_locally(session)
                return
            assert lease is not None
            self.breaker.succeeded()
            carried = await self.local.get(user_id)  # written during an outage
            if carried:
                await self.local.clear(user_id)
                session = Session(user_id, carried)
            else:
                session = Session(user_id, dict(json.loads(raw)) if raw else {})
            try:
                yield session
            finally:
                await lease.stop()
                if carried and session.new_state is None:
                    session.new_state = carried
                # The write must land before the lease could end: it may wait for a
                # pipeline under way, then take its own (each at most `timeout`).
                if session.new_state is not None and not lease.held(2 * self._timeout):
                    log.error("session lock lost during the turn: dialogue state not written",
                              extra={"user": user_id})
                    session.new_state = None
                await self._close(session, skey, lock_key, lease.lock)

    async def _acquire(self, lock_key: str, skey: str, user_id: str) -> _Lease:
        """The user's lock and their state, waiting (at most `wait`) for a turn under way
        elsewhere.

        Tried one attempt at a time, each under the Redis timeout (a hung Redis is
        found out in a second, not after the whole wait), with a growing pause."""
        lock = self._redis.lock(lock_key, timeout=self._lease, blocking=False,
                                thread_local=False, lock_class=_TurnLock)  # one per turn
        lock.batches, lock.state_key = self._batches, skey
        deadline = time.monotonic() + self._wait
        delay = 0.005
        while True:
            sent = time.monotonic()
            async with asyncio.timeout(self._timeout):
                acquired = await lock.acquire()
            if acquired:
                return _Lease(lock, sent, self._renew_every, self._timeout)
            if sent > deadline:
                raise SessionBusy(user_id)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)

    async def _release(self, lock: Lock) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await lock.release()
        except LockNotOwnedError:  # its lease ran out meanwhile: nothing to free
            pass

    def _forget_later(self, lock_key: str, lock: Lock) -> None:
        if len(self._unreleased) < 10_000:
            self._unreleased[lock_key] = lock

    async def _close(self, session: Session, skey: str, lock_key: str, lock: Lock) -> None:
        commands: list[Command] = []
        if session.new_state is not None:
            if session.new_state:
                commands.append(("SET", skey, json.dumps(session.new_state, ensure_ascii=False),
                                 "EX", self._ttl))
            else:
                commands.append(("DEL", skey))
        budget_at = None
        if session.reply_due:
            keys, args = self.limiter.call(session.user_id)
            budget_at = len(commands)
            commands.append(self._batches.script(self.limiter.script, keys, args))
        # redis-py's own release script (registered by `Lock()`), last in the same
        # pipeline: after the state (the next holder must read what this turn wrote), and
        # no round trip of its own. It deletes the lock only while the token is ours.
        if lock.local.token is not None and lock.lua_release is not None:
            commands.append(self._batches.script(lock.lua_release, [lock.name], [lock.local.token]))
        try:
            results = await self._batches.execute(*commands)
            if budget_at is not None:
                session.wait = max(0.0, float(results[budget_at]))
        except REDIS_ERRORS as exc:
            # The state is kept here until Redis is back; the lock is freed then.
            self.breaker.failed("sessions", exc)
            self._forget_later(lock_key, lock)
            await self._close_locally(session)

    async def _close_locally(self, session: Session) -> None:
        if session.new_state is not None:
            await self.local.set(session.user_id, session.new_state)
        if session.reply_due:
            session.wait = await self.local_limiter.acquire(session.user_id)

    async def take_budget(self, user_id: str) -> float:
        if self.breaker.allows():
            try:
                async with asyncio.timeout(self._timeout):
                    wait = await self.limiter.acquire(user_id)
                self.breaker.succeeded()
                return wait
            except REDIS_ERRORS as exc:
                self.breaker.failed("send budget", exc)
        return await self.local_limiter.acquire(user_id)


_DOWN: Any = object()  # the opening could not reach Redis
