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


async def serve(settings: Settings, app: web.Application | None = None) -> int:
    setup_logging([settings.secret, settings.aes_key, settings.token, settings.secret_key,
                   settings.admin_token or ""])
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
