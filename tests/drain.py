"""Waiting until nothing more can reach the fake WeCom, for "and nothing more arrived"
checks: a duplicate that is merely slow is still found, where a sleep would miss it."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.keys import DISPATCHER
from models.outbox import pending_count


async def drained(app: web.Application, timeout: float = 10) -> None:  # noqa: ASYNC109
    """Every turn the app's dispatcher took is done and its outbox holds nothing pending.
    A reply goes out either in its turn or through the outbox, and an outbox row stays
    pending until its send has finished, so after this no more can arrive."""
    await app[DISPATCHER].join(timeout=timeout)
    async with asyncio.timeout(timeout):
        while await pending_count():  # noqa: ASYNC110 - waits on the database, not the clock
            await asyncio.sleep(0.01)
