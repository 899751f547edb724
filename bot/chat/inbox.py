"""The durable inbox's moving parts in a process (issue 12; the rows are models/inbox.py's,
reached through handlers/inbox.py):

- `store`: the callback's INSERT, gathered with the others of the same moment into one
  statement (group commit; four lanes, a user always in the same one): each callback
  awaits its own row, a commit's time, and answers 200 only then;
- `done` / `sent`: the end of a turn that changed something (state done + its reply,
  awaited before the reply goes out), gathered the same way, and the reply marked sent
  lazily (with the next write, or every `flush_every` seconds); `finished`: a turn that
  changed nothing, done and sent in one lazy write after its reply;
- `run`: the heartbeat of this process, the recovery of what a dead process (or the
  overload) left, the "正在处理，请稍候" for messages that wait, and the pruning of old rows.

    callback ─store─► inbox row (processing, owner = this process) ─► dispatcher
                     └ no room in memory: row pending, no owner ─► recovery, when room
    dead owner (heartbeat older than `stale_after`) ─claim─► this process's dispatcher
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from handlers import inbox as rows
from handlers.base import Channel, Inbound, InboundKind

log = logging.getLogger("bot.inbox")

BEAT_EVERY = 2.0  # seconds between heartbeats
STALE_AFTER = 10.0  # a process silent this long is taken to be dead: its rows are taken over
# A user's newer message waits for an older one of theirs that another process holds,
# alive or not (one that died a moment ago still beats fresh for STALE_AFTER): until it
# is done there, or taken over once that process is taken for dead. A live process
# that holds one this long without finishing it (a turn lost to an error) is waited
# for no longer: the newer one is handled, out of order, rather than never.
HOLD_LEASE = 3 * STALE_AFTER
RECOVER_EVERY = 2.0  # seconds between recovery passes (and one at start-up)
FLUSH_EVERY = 0.1  # seconds at most before a sent reply is marked (and a finished turn)
ELDER_POLL = 0.05  # seconds between looks at an older message of the user held elsewhere
WAIT_TELL_AFTER = 5.0  # a message waiting this long: its user is told to wait, once
# Done rows are kept while the callback still accepts their timestamp (MAX_CLOCK_SKEW, a
# day) plus a margin: within it the key refuses a replay; past it the timestamp does.
KEEP_DONE = 24 * 3600 + 3600
PRUNE_EVERY = 600.0
STOPPED = 12 * 3600  # a stopped process's heartbeat is dated back this far; removed at twice
BATCH = 256  # rows per statement
INSERT_LANES = 4  # PostgreSQL (a pool); SQLite's one connection takes one lane: fewer commits
# SQLite: one writer at a time, and each of the inbox's commits holds it for an fsync
# (~4 ms here): under load its INSERTs are written at most this often, the callbacks of
# the interval gathered into one commit, so that the turns' transactions get the writer
# most of the time. A callback waits at most this much more; idle, not at all. 4 ms
# since turns are bounded (the dispatcher's slots): `bench_callback.py --mix help` at
# 500/s, quiet machine, 10 ms → 4 ms: the INSERT's wait p50 7.8 → 3.4–3.8 ms, callback
# p99 (three runs each) 18.7 / 50.9 / 166.5 → 11.0 / 20.7 / 30.6 ms; the realistic mix's
# closed loop unchanged within noise (189 → 184 done/s, 4,918 → 5,045 µs a message).
SQLITE_COMMIT_EVERY = 0.004


_FIELDS = tuple(f.name for f in fields(Inbound))


def to_payload(inbound: Inbound) -> dict[str, Any]:
    # Its fields are strings, numbers and enums: read one by one, not through `asdict`,
    # whose deep copy of each value was a tenth of a short turn's CPU.
    payload = {name: getattr(inbound, name) for name in _FIELDS}
    payload["received_at"] = inbound.received_at.isoformat()
    payload["kind"], payload["channel"] = str(inbound.kind), str(inbound.channel)
    return payload


def from_payload(payload: dict[str, Any]) -> Inbound:
    data = dict(payload)
    data["received_at"] = datetime.fromisoformat(data["received_at"])
    data["kind"], data["channel"] = InboundKind(data["kind"]), Channel(data["channel"])
    return Inbound(**data)


class Recovering(Protocol):
    """The dispatcher as the recovery sees it."""

    def room(self) -> int: ...

    def submit(self, inbound: Inbound, inbox_id: int | None = None, *,
               effected: bool = False, behind: bool = False) -> None: ...

    async def resend(self, inbox_id: int, user_id: str, reply: dict[str, Any],
                     done_at: float | None) -> None: ...

    async def tell_waiting(self, user_id: str, key: str) -> None: ...


T = TypeVar("T")
R = TypeVar("R")


class _Batcher(Generic[T, R]):  # noqa: UP046 - Python 3.11
    """Items added at the same moment written by one call of `write`; each `add` gets its
    item's result. While a write runs, the next items gather for the one after."""

    def __init__(self, write: Callable[[list[T]], Any], limit: int = BATCH,
                 spacing: float = 0.0) -> None:
        self._write = write
        self._limit = limit
        self._spacing = spacing  # seconds at least from one write's start to the next's
        self._items: list[tuple[T, asyncio.Future[R]]] = []
        self._task: asyncio.Task[None] | None = None

    async def add(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._items.append((item, future))
        if self._task is None:
            self._task = asyncio.create_task(self._drain(), name="inbox-writer")
        return await future

    async def _drain(self) -> None:
        try:
            while self._items:
                batch, self._items = self._items[: self._limit], self._items[self._limit:]
                started = time.monotonic()
                try:
                    results = await self._write([item for item, _ in batch])
                except Exception as exc:  # each caller decides what a failed write means
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
                rest = self._spacing - (time.monotonic() - started)
                if rest > 0 and self._items:  # the next ones gather meanwhile
                    await asyncio.sleep(rest)
        finally:
            self._task = None


class Inbox:
    def __init__(self, *, clock: Callable[[], float] = time.time, beat_every: float = BEAT_EVERY,
                 stale_after: float = STALE_AFTER, recover_every: float = RECOVER_EVERY,
                 flush_every: float = FLUSH_EVERY, wait_tell_after: float = WAIT_TELL_AFTER,
                 lanes: int = INSERT_LANES, commit_every: float = 0.0,
                 hold_lease: float = HOLD_LEASE) -> None:
        self.owner = f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._clock = clock
        self._beat_every = beat_every
        self.stale_after = stale_after
        self._recover_every = recover_every
        self._flush_every = flush_every
        self.wait_tell_after = wait_tell_after
        self.hold_lease = hold_lease
        # Lanes of inserts that may be under way at once (a slow commit holds up only its
        # own lane); one user's messages always take the same lane, so they are stored —
        # and dispatched — in the order they came.
        self._inserts: list[_Batcher[rows.NewRow, rows.Stored | None]] = [
            _Batcher(lambda new: rows.insert_new(new), spacing=commit_every)
            for _ in range(max(1, lanes))]
        self._dones: _Batcher[tuple[int, dict[str, Any] | None, float], None] = _Batcher(self._finish)
        self._sent: set[int] = set()
        self._finished: set[int] = set()
        self._unfinished: list[tuple[int, dict[str, Any] | None, float]] = []  # writes that failed
        # Rows waiting for an older message of their user held by a live process.
        self._waiters: dict[int, tuple[Callable[[], bool], asyncio.Future[None]]] = {}
        self._watcher: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._beaten_at = 0.0
        self._pruned_at = 0.0
        self.recovered = 0

    # -- the callback ---------------------------------------------------------------------

    async def store(self, key: str, inbound: Inbound, *, owned: bool,
                    refused: bool = False) -> rows.Stored | None:
        """Store a delivery; its row (`behind`: an older message of the user is still
        elsewhere, see `elders`), or None when `key` is stored already (a duplicate).
        Raises when the database does: the callback answers 503 then. `refused`: stored
        as done, never handled (the flood guard said no)."""
        row = rows.NewRow(key, inbound.user_id, to_payload(inbound), self._clock(),
                          self.owner if owned else None, refused)
        return await self._inserts[hash(inbound.user_id) % len(self._inserts)].add(row)

    async def refuse(self, inbox_id: int) -> None:
        """A stored delivery the flood guard refused: done, never handled (written now,
        before the callback's 200, so that neither a retry nor a takeover handles it)."""
        await rows.finish([], finished=[inbox_id], now=self._clock())

    # -- the dispatcher -------------------------------------------------------------------

    async def elders(self, user_id: str, inbox_id: int,
                     waiting: Callable[[], bool] = lambda: True) -> list[tuple[Inbound, int, bool]]:
        """Before row `inbox_id` of `user_id` is handled: its user's older unfinished
        messages that nobody alive holds (left by the overload, or by a process that
        died), claimed to be handled first, in order — (inbound, row, effected). While
        another process holds one, alive or not yet taken for dead, wait for it (its
        turn comes first), as long as `waiting()` says the row still waits and at most
        `hold_lease` seconds."""
        until = time.monotonic() + self.hold_lease
        while True:
            claimed = await rows.claim_elders(self.owner, user_id, inbox_id,
                                              self._clock() - self.stale_after)
            if claimed is not None:
                if claimed:
                    log.info("inbox: older messages first", extra={
                        "user": user_id, "inbox_id": inbox_id, "older": [c.id for c in claimed]})
                return [(from_payload(c.payload), c.id, c.state is rows.InboxState.EFFECTED)
                        for c in claimed]
            left = until - time.monotonic()
            if left <= 0:
                log.warning("inbox: an older message held elsewhere too long; this one goes first",
                            extra={"user": user_id, "inbox_id": inbox_id, "waited_s": self.hold_lease})
                return []
            await self._until_free(inbox_id, waiting, left)
            if not waiting():
                return []

    async def _until_free(self, inbox_id: int, waiting: Callable[[], bool], timeout: float) -> None:  # noqa: ASYNC109
        """Until no other process holds an older message of row `inbox_id`'s user (or
        its holder is taken for dead), `waiting()` turns false, or `timeout` seconds:
        every waiting row of this process looked at in one statement each ELDER_POLL
        (`_watch`)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters[inbox_id] = (waiting, future)
        if self._watcher is None:
            self._watcher = asyncio.create_task(self._watch(), name="inbox-elders")
        try:
            await asyncio.wait([future], timeout=timeout)
        finally:
            self._waiters.pop(inbox_id, None)

    async def _watch(self) -> None:
        try:
            while self._waiters:
                await asyncio.sleep(ELDER_POLL)
                ids = list(self._waiters)
                try:
                    held = await rows.held_behind(self.owner, ids, self._clock() - self.stale_after)
                except Exception as exc:  # looked at again next time
                    log.warning("inbox: older messages not looked at", extra={"error": type(exc).__name__})
                    continue
                for row_id in ids:
                    entry = self._waiters.get(row_id)
                    if entry is not None and (row_id not in held or not entry[0]()):
                        if not entry[1].done():
                            entry[1].set_result(None)
        finally:
            self._watcher = None

    async def done(self, inbox_id: int, reply: dict[str, Any] | None) -> None:
        """The turn of row `inbox_id` ended with `reply`: written before the reply goes
        out. A failed write is kept and tried again (the row stays this process's)."""
        item = (inbox_id, reply, self._clock())
        try:
            await self._dones.add(item)
        except Exception as exc:
            log.warning("inbox: done not written, tried again later",
                        extra={"inbox_id": inbox_id, "error": type(exc).__name__})
            self._unfinished.append(item)

    def sent(self, inbox_id: int) -> None:
        """The reply of row `inbox_id` is out (or in the outbox): marked with the next
        write, or within `flush_every` seconds."""
        self._sent.add(inbox_id)

    def finished(self, inbox_id: int) -> None:
        """The turn of row `inbox_id` changed nothing and its reply is out: done and sent
        in one lazy write, like `sent`. (Lost in a crash, the turn is run again: a
        question answered twice, a dialogue step repeated.)"""
        self._finished.add(inbox_id)

    async def _finish(self, items: list[tuple[int, dict[str, Any] | None, float]]) -> list[None]:
        sent, self._sent = self._sent, set()
        finished, self._finished = self._finished, set()
        try:
            await rows.finish(items, sorted(sent), sorted(finished), self._clock())
        except Exception:
            self._sent |= sent
            self._finished |= finished
            raise
        return [None] * len(items)

    async def flush(self) -> None:
        """Write what waits: failed done writes, sent marks, finished turns."""
        items, self._unfinished = self._unfinished, []
        if not items and not self._sent and not self._finished:
            return
        try:
            await self._finish(items)
        except Exception as exc:
            self._unfinished.extend(items)
            log.warning("inbox: flush failed", extra={"error": type(exc).__name__})

    # -- the workers ----------------------------------------------------------------------

    def wake(self) -> None:
        """Room in memory again: take the rows left pending without waiting for the pass."""
        self._wake.set()

    async def run(self, dispatcher: Recovering) -> None:
        """Until cancelled: heartbeat, flush, recovery, waiting users, pruning."""
        await self._beat()
        last_recovery = -self._recover_every
        while True:
            now = time.monotonic()
            try:
                if now - self._beaten_at >= self._beat_every:
                    await self._beat()
                await self.flush()
                if self._wake.is_set() or now - last_recovery >= self._recover_every:
                    self._wake.clear()
                    last_recovery = now
                    await self.recover(dispatcher)
                    await self.tell_waiting(dispatcher)
                    await self._prune()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("inbox pass failed", extra={"owner": self.owner})
            try:
                await asyncio.wait_for(self._wake.wait(), self._flush_every)
            except TimeoutError:
                pass

    async def _beat(self) -> None:
        self._beaten_at = time.monotonic()
        await rows.beat(self.owner, self._clock())

    async def recover(self, dispatcher: Recovering) -> int:
        """Claim what dead processes (or the overload) left and hand it to `dispatcher`,
        as much as it has room for; the number claimed."""
        claimed = await rows.claim_stale(self.owner, self._clock() - self.stale_after,
                                         limit=dispatcher.room())
        for row in claimed:
            log.info("inbox: taken over", extra={"inbox_id": row.id, "user": row.user_id,
                                                 "state": str(row.state)})
            if row.state is rows.InboxState.DONE:
                if row.reply:
                    await dispatcher.resend(row.id, row.user_id, row.reply, row.done_at)
                self.sent(row.id)
            else:
                # `behind`: an older message of the user is in another live process's
                # hands (this process's own are queued in row order).
                dispatcher.submit(from_payload(row.payload), row.id,
                                  effected=row.state is rows.InboxState.EFFECTED, behind=row.behind)
        self.recovered += len(claimed)
        return len(claimed)

    async def tell_waiting(self, dispatcher: Recovering) -> None:
        for row_id, user_id in await rows.tell_waiting(self._clock() - self.wait_tell_after):
            await dispatcher.tell_waiting(user_id, f"inbox-wait:{row_id}")

    async def _prune(self) -> None:
        now = time.monotonic()
        if now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        removed = await rows.prune(self._clock() - KEEP_DONE)
        await rows.forget_beats(self._clock() - 2 * STOPPED)
        if removed:
            log.info("inbox: pruned", extra={"rows": removed})

    async def close(self) -> None:
        """A clean stop: write what waits, and date the heartbeat back (STOPPED) so that
        another process takes over at once whatever is left, inbox rows and outbox
        leases alike."""
        await self.flush()
        try:
            await rows.beat(self.owner, self._clock() - STOPPED)
        except Exception as exc:
            log.warning("inbox: heartbeat not removed", extra={"error": type(exc).__name__})
