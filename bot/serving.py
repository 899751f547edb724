"""`serve`: the HTTP service until SIGINT or SIGTERM (CONTRACT §3), used by `main.py serve`
and by the demo."""

from __future__ import annotations

import asyncio
import signal
import sys

from aiohttp import web

from bot.app import create_app
from bot.logs import setup_logging
from settings import Settings

# The interpreter's GIL switch interval while serving (CPython's default: 5 ms). The
# database's worker threads (aiosqlite: the inbox's INSERT, Tortoise's queries) need the
# GIL to start a statement, to take its rows and to hand them back; an event loop busy
# with turns keeps it for the whole interval before it must let go, so under load each
# statement waited up to three of them. A busy loop and a callback's INSERT every 2 ms in
# one process (aiosqlite, WAL; 2026-12-07): INSERT p99 5 ms → 20–33 s (the thread
# starved), 1 ms → 20–22 ms, 0.5 ms → 7.5 ms.
GIL_SWITCH = 0.0005


def tune_interpreter() -> None:
    """The interpreter's settings for serving (`GIL_SWITCH`)."""
    sys.setswitchinterval(GIL_SWITCH)


async def serve(settings: Settings, app: web.Application | None = None) -> int:
    setup_logging([settings.secret, settings.aes_key, settings.token, settings.secret_key,
                   settings.admin_token or ""])
    tune_interpreter()
    app = app or create_app(settings)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    print(f"serving on http://{settings.host}:{settings.port}", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()
    return 0
