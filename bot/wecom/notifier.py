"""Notifications that are never lost: the transactional outbox and its delivery worker.

`OutboxNotifier.notify` writes a row in the caller's transaction, so a change and the
notifications it owes commit (or roll back) together. `OutboxWorker` leases due rows,
sends them through a `Transport` (WeCom `message/send`), and marks them sent. A lease
keeps two workers, in one process or several, from sending a row twice; WeCom's
`enable_duplicate_check` on every send covers the gaps left (sent, then the process
died before marking it; or WeCom took it and answered after our timeout). Retryable failures back off and retry; nothing is dropped unless WeCom
says the recipient can never receive it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.chat.ratelimit import SendLimiter
from handlers import outbox
from handlers.base import Message

log = logging.getLogger("bot.outbox")

# WeCom drops an identical message to the same user within this many seconds
# (https://developer.work.weixin.qq.com/document/path/90236, enable_duplicate_check).
DUPLICATE_CHECK_SECONDS = 1800
MAX_DUPLICATE_CHECK_SECONDS = 4 * 3600  # WeCom's upper bound
REPLY_MARGIN_SECONDS = 5  # a reply's check reaches this far before the row was written
LEASE_SECONDS = 60
MAX_BACKOFF_SECONDS = 600
GIVE_UP_AFTER = timedelta(hours=48)


class DeliveryError(Exception):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Transport(Protocol):
    async def deliver(
        self, user_id: str, kind: str, content: Mapping[str, Any], *, once: bool = False,
        window: int | None = None,
    ) -> str | None:
        """Send one message; raise DeliveryError on failure. Returns the response_code
        WeCom gives a button card (None for anything else). `once`: ask WeCom to drop it
        if the same message already reached the user in the last `window` seconds
        (DUPLICATE_CHECK_SECONDS when not given): an outbox re-send after a crash or
        after a send whose answer came too late."""
        ...


class OutboxNotifier:
    """The `Notifier` handlers get: writes to the outbox in the current transaction."""

    def __init__(
        self,
        on_enqueue: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._on_enqueue = on_enqueue
        self._clock = clock

    async def notify(self, user_id: str, message: Message, *, key: str | None = None) -> None:
        await outbox.enqueue(user_id, message.kind, dict(message.content), key=key, now=self._clock())
        if self._on_enqueue is not None:
            # Only a hint: the worker polls anyway, and finds the row once it commits.
            self._on_enqueue()


def duplicate_window(row: Any, now: datetime) -> int:
    """WeCom's duplicate-check interval for a row. A keyed notification: the full
    interval (it is one event, sent once). A reply (no key) may rightly repeat — "帮助"
    asked twice is answered twice — so it is checked only over the time since it was
    written, plus a few seconds: what matches is its own earlier try (or the same
    answer to the same question asked seconds before, which the user has already)."""
    if row.key is not None:
        return DUPLICATE_CHECK_SECONDS
    age = max(0.0, (now - row.created_at).total_seconds())
    return min(MAX_DUPLICATE_CHECK_SECONDS, int(age) + REPLY_MARGIN_SECONDS)


def backoff(attempts: int) -> float:
    """Seconds before retry number `attempts` (1, 2, 4 … capped), with jitter."""
    base: float = min(MAX_BACKOFF_SECONDS, 2 ** min(attempts, 12))
    return base * (0.75 + random.random() / 2)


class OutboxWorker:
    def __init__(
        self,
        transport: Transport,
        limiter: SendLimiter,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        batch: int = 50,
        concurrency: int = 8,
        poll_seconds: float = 1.0,
        lease_seconds: int = LEASE_SECONDS,
        retry_delay: Callable[[int], float] = backoff,
        owner: str | None = None,
        silent_after: float | None = None,
    ) -> None:
        self._transport = transport
        self._limiter = limiter
        self._clock = clock
        self._batch = batch
        self._concurrency = concurrency
        self._poll = poll_seconds
        self._lease = lease_seconds
        self._retry_delay = retry_delay
        self._wake = asyncio.Event()
        # The process's inbox owner (bot/chat/inbox.py) when given: its heartbeat then
        # also bounds its leases — `silent_after` seconds without one and they are free.
        self.owner = owner or f"w-{uuid.uuid4().hex[:12]}"
        self._silent_after = silent_after

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Deliver until cancelled; a failing database or transport only delays."""
        while True:
            try:
                handled = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox pass failed", extra={"owner": self.owner})
                handled = 0
            if handled:
                continue  # more may be due: a recipient's next row, or past the batch
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self._poll)
            except TimeoutError:
                pass

    async def run_once(self) -> int:
        """One pass: lease due rows and deliver them; returns how many were leased."""
        silent = None if self._silent_after is None else time.time() - self._silent_after
        rows = await outbox.claim_due(self.owner, self._clock(), self._batch, self._lease,
                                      silent_before=silent)
        if not rows:
            return 0
        by_user: dict[str, list[Any]] = {}
        for row in rows:  # one recipient's messages stay in order
            by_user.setdefault(row.user_id, []).append(row)
        sem = asyncio.Semaphore(self._concurrency)
        sent: list[int] = []  # recorded together after the pass: one statement, not one a row

        async def deliver_all(items: list[Any]) -> None:
            async with sem:
                for i, row in enumerate(items):
                    wait = await self._deliver(row, sent)
                    if wait is not None:
                        # Keep the rest behind the one that waits: order per recipient.
                        until = self._clock() + timedelta(seconds=wait)
                        for later in items[i + 1 :]:
                            await outbox.defer(later.id, self.owner, until)
                        return

        try:
            await asyncio.gather(*(deliver_all(items) for items in by_user.values()))
        finally:  # also when cancelled: what went out is recorded (else it goes again)
            await outbox.mark_sent_many(sent, self.owner, self._clock())
        return len(rows)

    async def _deliver(self, row: Any, sent: list[int]) -> float | None:
        """Send one row: None when it is done (sent — its id added to `sent` — or given
        up), else the seconds until it is tried again."""
        wait = await self._limiter.acquire(row.user_id)
        now = self._clock()
        if wait > 0:
            await outbox.defer(row.id, self.owner, now + timedelta(seconds=wait))
            log.info("outbox deferred by rate limit", extra={"id": row.id, "wait_s": round(wait, 1)})
            return wait
        try:
            # Every row carries WeCom's duplicate check: a re-send after a crash, or after
            # a send WeCom took but answered after our timeout, reaches the user once.
            code = await self._transport.deliver(row.user_id, row.kind, row.content, once=True,
                                                 window=duplicate_window(row, now))
        except DeliveryError as e:
            attempts = row.attempts + 1
            if not e.retryable:
                await outbox.mark_dead(row.id, self.owner, str(e))
                log.error("outbox message undeliverable", extra={"id": row.id, "error": str(e)})
                return None
            if now - row.created_at > GIVE_UP_AFTER:
                await outbox.mark_dead(row.id, self.owner, f"gave up after {attempts} tries: {e}")
                log.error("outbox message given up", extra={"id": row.id, "attempts": attempts})
                return None
            delay = self._retry_delay(attempts)
            await outbox.mark_retry(row.id, self.owner, str(e), now + timedelta(seconds=delay))
            log.warning(
                "outbox delivery failed, will retry",
                extra={"id": row.id, "attempts": attempts, "error": str(e)},
            )
            return delay
        if isinstance(code, str):  # a card's response_code: kept with its row
            await outbox.mark_sent(row.id, self.owner, self._clock(), code)
        else:
            sent.append(row.id)
        return None
