"""The application factory: settings, resources as cleanup contexts, routes."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator

import redis.asyncio as aioredis
from aiohttp import web
from tortoise import connections

from bot.api import setup_api
from bot.approve import setup_approve
from bot.auth import setup_auth
from bot.calendar import setup_calendar
from bot.callback import setup_callback
from bot.dashboard import setup_dashboard
from bot.dedup import make_dedup
from bot.dispatcher import Dispatcher
from bot.keys import DEDUP, DISPATCHER, NLU, REDIS, SETTINGS, WECOM
from bot.links import SignedLinks
from bot.notifier import OutboxWorker, Transport
from bot.pages import setup_pages
from bot.ratelimit import MemoryLimiter, RedisLimiter
from bot.sessions import LocalSessions, RedisSessions
from bot.timers import timers_ctx
from bot.transport import WeComTransport
from bot.wecom import wecom_ctx
from models import org
from models.db import close_db, init_db
from nlp import Nlu
from settings import Settings

log = logging.getLogger("bot.app")

TRANSPORT = web.AppKey("transport", Transport)
WORKER = web.AppKey("outbox_worker", OutboxWorker)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
}


def create_app(
    settings: Settings,
    *,
    transport: Transport | None = None,
    manage_db: bool = True,
    nlu: Nlu | None = None,
) -> web.Application:
    """The service: callback, health, workers. `transport` replaces WeCom (demo);
    `manage_db=False` when the caller has connected the database and `nlu` when it has
    a warmed one (tests)."""
    app = web.Application(client_max_size=1024**2, middlewares=[security_headers])
    app[SETTINGS] = settings
    if transport is not None:
        app[TRANSPORT] = transport
    if nlu is not None:
        app[NLU] = nlu
    resources = [db_ctx] if manage_db else []
    app.cleanup_ctx.extend([*resources, redis_ctx, wecom_ctx, nlu_ctx, dispatcher_ctx, timers_ctx])
    setup_callback(app)
    setup_auth(app)
    setup_dashboard(app)
    setup_calendar(app)
    setup_api(app)
    setup_pages(app)
    setup_approve(app)
    app.router.add_get("/healthz", healthz)
    return app


@web.middleware
async def security_headers(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    response = await handler(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def db_ctx(app: web.Application) -> AsyncIterator[None]:
    await init_db(app[SETTINGS].database_url, create_schema=True)
    yield
    await close_db()


async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
    url = app[SETTINGS].redis_url
    client = aioredis.from_url(url, health_check_interval=30) if url else None
    if client is not None:
        await client.ping()
    app[REDIS] = client
    app[DEDUP] = make_dedup(app[SETTINGS], client)
    yield
    if client is not None:
        await client.aclose()


async def nlu_ctx(app: web.Application) -> AsyncIterator[None]:
    """Load and warm jieba off the event loop, teach it the organisation's names, then
    freeze start-up objects out of the garbage collector (FACTS.md: ~24 ms full GC)."""
    nlu = app[NLU] if NLU in app else Nlu(cache_dir=app[SETTINGS].data_dir)
    await asyncio.to_thread(nlu.warm)
    nlu.add_words(await org.dictionary_words())
    app[NLU] = nlu
    gc.collect()
    gc.freeze()
    yield


async def dispatcher_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    redis = app[REDIS]
    transport = app[TRANSPORT] if TRANSPORT in app else WeComTransport(app[WECOM])
    if redis is not None:
        limiter: MemoryLimiter | RedisLimiter = RedisLimiter(redis, settings.key_prefix)
        sessions: LocalSessions | RedisSessions = RedisSessions(redis, settings.key_prefix, limiter)
    else:
        limiter = MemoryLimiter()
        sessions = LocalSessions(limiter=limiter)
    worker = OutboxWorker(transport, limiter)
    app[WORKER] = worker
    app[DISPATCHER] = Dispatcher(
        nlu=app[NLU],
        sessions=sessions,
        transport=transport,
        tz=settings.tz,
        on_outbox=worker.wake,
        links=SignedLinks(settings),
    )
    task = asyncio.create_task(worker.run(), name="outbox-worker")
    yield
    await app[DISPATCHER].join(timeout=10)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def healthz(request: web.Request) -> web.Response:
    """200 when the database (and Redis, if configured) answer; 503 otherwise."""
    app = request.app
    body: dict[str, str] = {}
    try:
        await asyncio.wait_for(connections.get("default").execute_query("SELECT 1"), 2)
        body["database"] = "ok"
    except Exception as e:  # reported, not raised: health must answer
        body["database"] = f"error: {type(e).__name__}"
    redis = app[REDIS]
    if redis is None:
        body["redis"] = "not configured"
    else:
        try:
            await asyncio.wait_for(redis.ping(), 2)
            body["redis"] = "ok"
        except Exception as e:
            body["redis"] = f"error: {type(e).__name__}"
    healthy = body["database"] == "ok" and body["redis"] in ("ok", "not configured")
    body["status"] = "ok" if healthy else "degraded"
    return web.json_response(body, status=200 if healthy else 503)
