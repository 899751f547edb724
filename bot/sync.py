"""The organisation from WeCom: fetching it, `python main.py sync [--dry-run]`, and the
same on a schedule inside `serve` (SYNC_INTERVAL_MINUTES, off by default).

    fetch_org(client): department/list ─► user/list per root (fetch_child=1)
                       ─► tag/list + tag/get for the tags roles.yaml names
    handlers.sync.sync_from_wecom(org, role_map, now) ─► the report

WeCom's contacts API needs the app to see the departments it syncs (its visible scope);
a refusal (60011 no privilege, …) or any failure aborts before anything is written.

On a schedule, each interval's run is claimed in Redis (`SET NX EX`), so several
processes sync once; without Redis there is one process (CONTRACT §2) and nothing to
claim. A failing run is logged and the next interval tries again.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from bot.keys import REDIS, SETTINGS
from bot.redisguard import REDIS_ERRORS
from bot.wecom.client import TIMEOUT, WECOM, WeComClient, WeComError, WeComUnavailable
from handlers.sync import RoleMap, RoleMapError, WeComOrg, parse_role_map, sync_from_wecom
from settings import Settings

if TYPE_CHECKING:
    import redis.asyncio as aioredis

    from handlers.sync import SyncReport

log = logging.getLogger("bot.sync")


class SyncFailed(Exception):
    """The sync could not start or fetch: one line saying why."""


async def fetch_org(client: WeComClient, tag_names: set[str]) -> WeComOrg:
    """Departments, members (each once, from the roots of the app's scope down) and the
    named tags' members, as WeCom answers them."""
    departments = await client.list_departments()
    ids = {int(d["id"]) for d in departments}
    roots = [int(d["id"]) for d in departments if int(d.get("parentid") or 0) not in ids]
    users: dict[str, dict[str, Any]] = {}
    for root in roots:
        for user in await client.list_users(root, fetch_child=True):
            users.setdefault(str(user.get("userid")), user)
    tags: dict[str, dict[str, Any]] = {}
    if tag_names:
        for tag in await client.list_tags():
            name = str(tag.get("tagname", ""))
            if name in tag_names:
                tags[name] = await client.get_tag(int(tag["tagid"]))
        missing = sorted(tag_names - tags.keys())
        if missing:
            raise SyncFailed(f"roles file names tags WeCom does not have: {', '.join(missing)}")
    return WeComOrg(departments=departments, users=list(users.values()), tags=tags)


async def load_role_map(path: Path) -> RoleMap:
    """The role mapping from `path` (the defaults when there is no such file)."""
    try:
        text: str | None = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except FileNotFoundError:
        text = None
    except (OSError, UnicodeDecodeError) as exc:
        raise SyncFailed(f"cannot read {path}: {exc}") from None
    try:
        return parse_role_map(text)
    except RoleMapError as exc:
        raise SyncFailed(f"{path}: {exc}") from None


async def sync_once(
    client: WeComClient, settings: Settings, now: datetime, *, dry_run: bool = False
) -> SyncReport:
    """Fetch and apply (or only report); SyncFailed for the mapping file or WeCom."""
    role_map = await load_role_map(settings.roles_path)
    try:
        org = await fetch_org(client, set(role_map.tags))
    except WeComError as exc:
        hint = " (the app may not see the contacts: check its visible scope)" if exc.errcode == 60011 else ""
        raise SyncFailed(f"WeCom refused {exc}{hint}") from None
    except WeComUnavailable as exc:
        raise SyncFailed(f"WeCom unavailable: {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise SyncFailed(f"WeCom's answer is not as documented: {type(exc).__name__} {exc}") from None
    return await sync_from_wecom(org, role_map, now, dry_run=dry_run)


def print_report(report: SyncReport, out: Any = None) -> None:
    out = out or sys.stdout
    for line in report.lines():
        print(line, file=out)
    if report.dry_run:
        print("dry run: nothing was written", file=out)
    elif report.changed:
        print("organisation synced from WeCom", file=out)
    else:
        print("organisation unchanged", file=out)


async def run_sync(settings: Settings, *, dry_run: bool = False) -> int:
    """`python main.py sync [--dry-run]` once the database is open (bot/cli.py opens it):
    the report on stdout and 0; a failure or a broken invariant as one line on stderr and
    1, nothing written."""
    redis = None
    try:
        if settings.redis_url:  # the token is shared with `serve` through it
            import redis.asyncio as aioredis

            redis = aioredis.from_url(settings.redis_url)
        async with aiohttp.ClientSession(timeout=TIMEOUT, cookie_jar=aiohttp.DummyCookieJar()) as session:
            client = WeComClient(session, settings, redis)
            try:
                report = await sync_once(client, settings, datetime.now(settings.tz), dry_run=dry_run)
            except SyncFailed as exc:
                print(f"sync: {exc}; nothing was written", file=sys.stderr)
                return 1
    finally:
        if redis is not None:
            await redis.aclose()
    if not report.ok:
        print(f"sync: {len(report.problems)} problem(s), nothing was written: "
              + "; ".join(report.problems), file=sys.stderr)
        return 1
    print_report(report)
    return 0


# ---------------------------------------------------------------------------------------
# On a schedule inside `serve`


async def claim_run(redis: aioredis.Redis | None, key: str, seconds: float) -> bool:
    """True for the one process that runs this interval's sync."""
    if redis is None:
        return True
    return bool(await redis.set(key, uuid.uuid4().hex, nx=True, ex=max(int(seconds) - 1, 1)))


async def run_scheduled(
    client: WeComClient,
    settings: Settings,
    clock: Callable[[], datetime],
    redis: aioredis.Redis | None,
    *,
    interval: float,
) -> None:
    """Sync every `interval` seconds (the first after one interval) until cancelled; a
    failing run is logged and the next one tries again."""
    key = f"{settings.key_prefix}sync:claim"
    while True:
        await asyncio.sleep(interval)
        try:
            await scheduled_pass(client, settings, clock(), redis, key, interval)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduled sync failed")


async def scheduled_pass(
    client: WeComClient, settings: Settings, now: datetime,
    redis: aioredis.Redis | None, key: str, interval: float,
) -> SyncReport | None:
    """One scheduled run, when this process claims it; None when another did, or when it
    could not run (logged)."""
    try:
        if not await claim_run(redis, key, interval):
            return None
    except REDIS_ERRORS as exc:
        log.warning("scheduled sync skipped: redis unavailable", extra={"error": type(exc).__name__})
        return None
    try:
        report = await sync_once(client, settings, now)
    except SyncFailed as exc:
        log.warning("scheduled sync failed", extra={"error": str(exc)})
        return None
    if not report.ok:
        log.warning("scheduled sync refused", extra={"problems": report.problems})
    elif report.changed:
        log.info("organisation synced from WeCom", extra={"changes": report.lines()})
    return report


async def sync_ctx(app: web.Application) -> AsyncIterator[None]:
    """The scheduled sync as a tracked background task, when SYNC_INTERVAL_MINUTES is set
    (after wecom_ctx)."""
    settings = app[SETTINGS]
    task = None
    if settings.sync_interval_minutes > 0:
        task = asyncio.create_task(
            run_scheduled(app[WECOM], settings, lambda: datetime.now(settings.tz), app.get(REDIS),
                          interval=settings.sync_interval_minutes * 60),
            name="wecom-sync",
        )
    yield
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
