"""The sweeper: reminders, escalations, check-in questions and room releases, found in
the database and sent through the outbox (handlers/reminders.py and handlers/checkin.py say
what and to whom).

    timers_ctx ──► run_timers: every INTERVAL seconds ──► sweep(now)
                     ├─ remind_approvers   (reminded_at / escalated_at CAS per step)
                     ├─ remind_dispatchers (dispatch_reminded_at CAS per repair)
                     ├─ ask_checkins       (checkin_asked_at CAS per reservation)
                     ├─ release_rooms      (status approved→cancelled CAS per reservation)
                     └─ remind_fleet       (fleet_notice claim per due date / clash)

Beside it, the sealer links new audit records into the hash chain every second
(models/audit.py `seal`); what a stopped process left is sealed by the next pass of any.
And every few seconds the dashboard's daily rollup takes the days that changed
(models/stats/rollup.py; one process at a time, and the figures are right without it).

No timer lives in memory: every due moment is computed from rows, so a restart loses
nothing, and each action is claimed by a compare-and-set in the transaction that writes
its notifications, so several processes (each running this loop) send each one once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.keys import SETTINGS
from bot.web.links import SignedLinks
from bot.wecom.notifier import OutboxNotifier
from handlers import bundle_after, checkin, fleet_reminders, reminders, stats, system
from handlers.base import Links

log = logging.getLogger("bot.timers")

INTERVAL_SECONDS = 30.0
SEAL_SECONDS = 1.0
ROLLUP_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class SweepCounts:
    reminded: int = 0
    escalated: int = 0
    dispatch_reminded: int = 0
    asked: int = 0
    released: int = 0
    fleet: int = 0  # vehicle dates due, bookings left without their vehicle
    feedback_asked: int = 0  # bundles over, their applicant asked once (issue 17)


async def sweep(
    now: datetime,
    *,
    tz: ZoneInfo,
    approval_limit: timedelta = reminders.APPROVAL_LIMIT,
    links: Links | None = None,
    on_enqueue: Callable[[], None] | None = None,
) -> SweepCounts:
    """Do everything due at `now`, once. The notifications are written at `now` too (the
    notifier's clock), so a test's clock and the outbox agree."""
    notifier = OutboxNotifier(on_enqueue=on_enqueue, clock=lambda: now)
    now = now.astimezone(tz)
    reminded, escalated = await reminders.remind_approvers(
        now, notifier, tz, limit=approval_limit, links=links
    )
    dispatch = await reminders.remind_dispatchers(now, notifier, tz)
    asked = await checkin.ask_checkins(now, notifier, tz)
    released = await checkin.release_rooms(now, notifier, tz)
    fleet = await fleet_reminders.remind_fleet(now, notifier, tz)
    feedback = await bundle_after.ask_feedback(now, notifier, tz)
    return SweepCounts(reminded, escalated, dispatch, asked, released, fleet, feedback)


async def run_timers(
    clock: Callable[[], datetime],
    *,
    tz: ZoneInfo,
    interval: float = INTERVAL_SECONDS,
    approval_limit: timedelta = reminders.APPROVAL_LIMIT,
    links: Links | None = None,
    on_enqueue: Callable[[], None] | None = None,
) -> None:
    """Sweep every `interval` seconds until cancelled; a failing pass is logged, and the
    next one tries again. The first pass comes one interval after start: start-up
    finishes first, and a short-lived app (the tests' clients) stays quiet."""
    async def one_pass() -> None:
        counts = await sweep(clock(), tz=tz, approval_limit=approval_limit, links=links,
                             on_enqueue=on_enqueue)
        if any((counts.reminded, counts.escalated, counts.dispatch_reminded,
                counts.asked, counts.released, counts.fleet)):
            log.info("timers swept", extra=asdict(counts))

    await _every(interval, one_pass, "timer sweep failed")


async def run_sealer(interval: float = SEAL_SECONDS) -> None:
    """Seal new audit records every `interval` seconds until cancelled; a failing pass
    (the database away) is logged and the next one tries again."""
    await _every(interval, system.seal_audit, "audit seal failed")


async def _every(interval: float, one_pass: Callable[[], Awaitable[object]], failed: str) -> None:
    """`one_pass` every `interval` seconds (the first after one interval) until cancelled;
    a pass that fails is logged as `failed`, and the next one tries again."""
    while True:
        await asyncio.sleep(interval)
        try:
            await one_pass()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(failed)


async def timers_ctx(app: web.Application) -> AsyncIterator[None]:
    """The sweeper as a tracked background task; the outbox worker polls, so it finds
    what a sweep wrote within a second without being woken."""
    settings = app[SETTINGS]
    task = asyncio.create_task(
        run_timers(
            lambda: datetime.now(settings.tz),
            tz=settings.tz,
            approval_limit=timedelta(hours=settings.approval_reminder_hours),
            links=SignedLinks(settings),
        ),
        name="timers",
    )
    sealer = asyncio.create_task(run_sealer(), name="audit-sealer")
    rollup = asyncio.create_task(
        _every(ROLLUP_SECONDS, lambda: stats.refresh_rollup(settings.tz), "stats rollup failed"),
        name="stats-rollup")
    yield
    for t in (task, sealer, rollup):
        t.cancel()
    await asyncio.gather(task, sealer, rollup, return_exceptions=True)
