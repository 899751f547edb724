"""The application factory: settings, resources as cleanup contexts, routes."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.chat.dispatcher import Dispatcher
from bot.chat.inbox import INSERT_LANES, SQLITE_COMMIT_EVERY, STALE_AFTER, Inbox
from bot.chat.ratelimit import MemoryLimiter, RedisLimiter
from bot.chat.sessions import LocalSessions, RedisSessions, SessionBudget
from bot.keys import DEDUP, DISPATCHER, INBOX, NLU, REDIS, SETTINGS
from bot.redisguard import (
    BATCHES,
    BREAKER,
    REDIS_ERRORS,
    REDIS_TIMEOUT,
    RedisBatches,
    RedisBreaker,
    connect,
)
from bot.sync import sync_ctx
from bot.timers import timers_ctx
from bot.web.admin import setup_admin
from bot.web.admin_assets import setup_admin_assets
from bot.web.api import setup_api
from bot.web.approve import setup_approve
from bot.web.auth import setup_auth
from bot.web.calendar import setup_calendar
from bot.web.dashboard import setup_dashboard
from bot.web.links import SignedLinks
from bot.web.pages import setup_pages
from bot.web.powers import setup_powers
from bot.web.templating import setup_templates
from bot.wecom.callback import setup_callback
from bot.wecom.client import WECOM, wecom_ctx
from bot.wecom.dedup import make_dedup
from bot.wecom.flood import FLOOD, MemoryFloodGuard, RedisFloodGuard
from bot.wecom.notifier import OutboxWorker, Transport
from bot.wecom.transport import WeComTransport
from handlers import inbox as inbox_rows
from handlers import outbox, system
from nlp import Nlu
from settings import Settings

log = logging.getLogger("bot.app")

TRANSPORT = web.AppKey("transport", Transport)
WORKER = web.AppKey("outbox_worker", OutboxWorker)

# What the router answers for a path or method it does not know, in Chinese.
ROUTER_ERRORS = {
    404: "页面不存在，请核对地址。",
    405: "不支持这种访问方式。",
    413: "提交的内容太大。",
}
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
    app.cleanup_ctx.extend([*resources, redis_ctx, wecom_ctx, nlu_ctx, dispatcher_ctx, timers_ctx,
                             sync_ctx, gc_ctx])
    setup_templates(app)
    setup_callback(app)
    setup_auth(app)
    setup_dashboard(app)
    setup_calendar(app)
    setup_api(app)
    setup_pages(app)
    setup_powers(app)
    setup_admin(app)
    setup_admin_assets(app)
    setup_approve(app)
    app.router.add_get("/healthz", healthz)
    return app


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The security headers on every answer: pages, error pages, the router's 404s and
    redirects (raised as exceptions). An unexpected error is logged and answered with a
    bare 500 — never aiohttp's page, never a traceback."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status in ROUTER_ERRORS and exc.text == f"{exc.status}: {exc.reason}":
            # The router's own English body ("404: Not Found"): the bureau's words instead.
            exc.text = ROUTER_ERRORS[exc.status]
        for name, value in SECURITY_HEADERS.items():
            exc.headers.setdefault(name, value)
        raise
    except Exception:
        log.exception("request failed", extra={"method": request.method, "path": request.path})
        response = web.Response(status=500, text="服务暂时出错，请稍后再试。")
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def db_ctx(app: web.Application) -> AsyncIterator[None]:
    await system.open_database(app[SETTINGS].database_url, create_schema=True)
    yield
    await system.close_database()


async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
    """The Redis client, with one breaker for everything that falls back while Redis is
    down (dedup → this process, the inbox deciding; sessions → this process, flood guard →
    this process) and one
    `RedisBatches` for dedup and sessions. A Redis that does not answer at start-up is a
    warning, not a failure: it is tried again.

    The client is redis-py's, from `REDIS_URL` (TLS and ACL included), without retries
    (`bot.redisguard.connect`); its pool drops a dead connection and opens a new one.
    No `health_check_interval`: it costs a PING before a command on a connection idle
    that long."""
    settings = app[SETTINGS]
    url = settings.redis_url
    breaker = RedisBreaker()
    app[BREAKER] = breaker
    client = batches = None
    if url:
        client = connect(url)
        try:
            async with asyncio.timeout(REDIS_TIMEOUT * 2):
                await client.ping()
        except REDIS_ERRORS as exc:
            breaker.failed("start-up", exc)
        app[BATCHES] = batches = RedisBatches(client)
        app[FLOOD] = RedisFloodGuard(client, settings.key_prefix, breaker=breaker, batches=batches)
    else:
        app[FLOOD] = MemoryFloodGuard()
    app[REDIS] = client
    app[DEDUP] = make_dedup(settings, client, breaker, batches)
    yield
    if batches is not None:
        await batches.aclose()
    if client is not None:
        await client.aclose()


async def nlu_ctx(app: web.Application) -> AsyncIterator[None]:
    """Load and warm jieba off the event loop, teach it the organisation's names."""
    nlu = app[NLU] if NLU in app else Nlu(cache_dir=app[SETTINGS].data_dir)
    await asyncio.to_thread(nlu.warm)
    nlu.add_words(await system.dictionary_words())
    app[NLU] = nlu
    yield


async def gc_ctx(app: web.Application) -> AsyncIterator[None]:
    """Last of the start-up: what it built (jieba's dictionary above all) lives as long
    as the process, so it goes to the collector's permanent generation (`gc.freeze`, the
    standard library's way for start-up state) and full collections stop walking it.
    Measured with the warmed NLU loaded (232k objects, load ~4): a full collection takes
    46–52 ms, 0.0 ms once frozen (FACTS.md: ~24 ms on an idle machine), a pause every
    message waiting at that moment would share. Unfrozen at shutdown, so that an app
    made and closed again (the tests, the demo) leaves nothing uncollectable behind.
    A process whose runner froze its own start-up already (the test session, after its
    one warmed NLU) is left as it is: nothing to walk again, nothing to give back."""
    if gc.get_freeze_count():
        yield
        return
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


async def dispatcher_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    redis = app[REDIS]
    transport = app[TRANSPORT] if TRANSPORT in app else WeComTransport(app[WECOM])
    sessions: LocalSessions | RedisSessions
    if redis is not None:
        limiter = RedisLimiter(redis, settings.key_prefix)
        sessions = RedisSessions(redis, settings.key_prefix, limiter, breaker=app[BREAKER],
                                 batches=app[BATCHES])
    else:
        sessions = LocalSessions(limiter=MemoryLimiter())
    # The worker draws on the same per-member budget, with the same fallback when Redis
    # is away (a local budget), so an outage delays nothing it need not.
    sqlite = system.is_sqlite(settings.database_url)
    inbox = app[INBOX] = Inbox(lanes=1 if sqlite else INSERT_LANES,
                               commit_every=SQLITE_COMMIT_EVERY if sqlite else 0.0)
    # SQLite: the inbox's own connection, so that a callback's INSERT waits for no turn's
    # queries, only for the transaction writing at that moment (models/sqlite.py).
    await inbox_rows.open_connection()
    # One owner for the inbox and the outbox: a process that dies or stops frees both
    # its inbox rows and its outbox leases once its heartbeat is STALE_AFTER old.
    worker = OutboxWorker(transport, SessionBudget(sessions), owner=inbox.owner,
                          silent_after=STALE_AFTER)
    app[WORKER] = worker
    dispatcher = app[DISPATCHER] = Dispatcher(
        nlu=app[NLU],
        sessions=sessions,
        transport=transport,
        tz=settings.tz,
        on_outbox=worker.wake,
        links=SignedLinks(settings),
        inbox=inbox,
    )
    tasks = [asyncio.create_task(worker.run(), name="outbox-worker"),
             asyncio.create_task(inbox.run(dispatcher), name="inbox")]
    yield
    await dispatcher.join(timeout=10)
    tasks[1].cancel()
    await asyncio.gather(tasks[1], return_exceptions=True)
    await inbox.close()
    tasks[0].cancel()
    await asyncio.gather(tasks[0], return_exceptions=True)
    await inbox_rows.close_connection()


async def healthz(request: web.Request) -> web.Response:
    """200 while the database answers (Redis down is reported, "degraded": the service
    goes on without it); 503 when the database does not."""
    app = request.app
    body: dict[str, Any] = {}
    try:
        await asyncio.wait_for(system.ping_database(), 2)
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
    if body["database"] == "ok":
        try:  # the outbox's backlog and what it gave up (an operator's first look)
            pending, dead = await asyncio.wait_for(
                asyncio.gather(outbox.pending_count(), outbox.dead_count()), 2)
            body["outbox_pending"], body["outbox_dead"] = pending, dead
        except Exception as e:
            body["outbox"] = f"error: {type(e).__name__}"
        try:  # messages stored and not yet done, and how long the oldest has waited
            waiting, oldest = await asyncio.wait_for(inbox_rows.depth(), 2)
            body["inbox_depth"] = waiting
            body["inbox_oldest_age_s"] = 0.0 if oldest is None else round(max(0.0, time.time() - oldest), 1)
        except Exception as e:
            body["inbox"] = f"error: {type(e).__name__}"
    serving = body["database"] == "ok"
    healthy = serving and body["redis"] in ("ok", "not configured")
    body["status"] = "ok" if healthy else "degraded"
    return web.json_response(body, status=200 if serving else 503)
