"""The long-running commands: serve, seed, chat, demo, sync (CONTRACT §3)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bot.chat.dispatcher import Dispatcher
from bot.chat.ratelimit import MemoryLimiter
from bot.chat.sessions import LocalSessions
from bot.serving import serve
from bot.web.links import SignedLinks
from bot.wecom.notifier import OutboxWorker
from bot.wecom.transport import CallbackTransport
from handlers import system
from handlers.base import Channel, Inbound, InboundKind
from handlers.queries import get_user
from nlp import Nlu
from settings import Settings


async def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "seed":
        return await system.run_seed(args.file, settings.database_url,
                                     replace_edits=args.replace_edits)
    if args.command == "serve":
        return await serve(settings)
    if args.command == "chat":
        return await chat(settings, args.user)
    if args.command == "sync":
        return await sync(settings, dry_run=args.dry_run)
    if args.command == "demo":
        from bot.demo.chat import run_demo

        return await run_demo(settings)
    print(f"unknown command {args.command}", file=sys.stderr)
    return 2


def _print_message(prefix: Callable[[str], str]) -> Callable[[str, str, Mapping[str, Any]], None]:
    def show(user_id: str, kind: str, content: Mapping[str, Any]) -> None:
        text = content.get("content") or content.get("description") or str(dict(content))
        print(f"{prefix(user_id)}{text}\n", flush=True)

    return show


async def sync(settings: Settings, *, dry_run: bool) -> int:
    """`sync [--dry-run]`: the organisation from WeCom's contacts (bot/sync.py)."""
    from bot.sync import run_sync

    if not settings.corp_id or not settings.secret:
        print("sync: WECOM_CORP_ID and WECOM_SECRET are needed to read the contacts", file=sys.stderr)
        return 2
    # The one line `run_sync` prints says what failed; the client's own warnings (logging's
    # last-resort handler, stderr) would only repeat it.
    logging.getLogger("bot").setLevel(logging.ERROR)
    # PostgreSQL is not migrated from here (`serve` does that), as `audit`.
    await system.open_database(settings.database_url,
                               create_schema=system.is_sqlite(settings.database_url))
    try:
        return await run_sync(settings, dry_run=dry_run)
    finally:
        await system.close_database()


async def chat(settings: Settings, user_id: str) -> int:
    """A terminal conversation as USERID through the dispatcher; what the assistant sends
    to other people is printed with their userid."""
    await system.open_database(settings.database_url, create_schema=True)
    try:
        if await get_user(user_id) is None:
            print(f"注意：{user_id} 不在人员名单中（先运行 `python main.py seed FILE`）。", flush=True)
        nlu = Nlu(cache_dir=settings.data_dir)
        await asyncio.to_thread(nlu.warm)
        nlu.add_words(await system.dictionary_words())
        transport = CallbackTransport(
            _print_message(lambda uid: "助手> " if uid == user_id else f"[发给 {uid}] ")
        )
        limiter = MemoryLimiter(per_minute=10**6, per_hour=10**6)
        worker = OutboxWorker(transport, limiter, poll_seconds=0.2)
        dispatcher = Dispatcher(
            nlu=nlu, sessions=LocalSessions(limiter=limiter), transport=transport,
            tz=settings.tz, on_outbox=worker.wake, links=SignedLinks(settings),
        )
        worker_task = asyncio.create_task(worker.run())
        print(f"以 {user_id} 的身份对话，输入“帮助”看看能办什么；Ctrl-D 退出。", flush=True)
        while True:
            try:
                line = await asyncio.to_thread(input, "我> ")
            except EOFError:
                break
            if not line.strip():
                continue
            await dispatcher.process(
                Inbound(
                    user_id=user_id, msg_id=uuid.uuid4().hex, kind=InboundKind.TEXT,
                    received_at=datetime.now(settings.tz), text=line, channel=Channel.CHAT_CLI,
                )
            )
            await asyncio.sleep(0.3)  # let notifications to others print before the prompt
        worker_task.cancel()
        await asyncio.gather(worker_task, return_exceptions=True)
    finally:
        await system.close_database()
    return 0
