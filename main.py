"""Command line (CONTRACT §3): serve, seed, parse, chat, demo, sync, audit."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from settings import Settings, SettingsError, load_settings


def _now(arg: str | None, tz: ZoneInfo) -> datetime:
    if not arg:
        return datetime.now(tz)
    value = datetime.fromisoformat(arg)
    return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)


def cmd_parse(args: argparse.Namespace, settings: Settings) -> int:
    from nlp import Nlu

    try:
        now = _now(args.now, settings.tz)
    except ValueError:
        print(f"--now: not an ISO date-time: {args.now!r}", file=sys.stderr)
        return 2
    nlu = Nlu(cache_dir=settings.data_dir)
    if args.jsonl:
        out = sys.stdout
        for line in sys.stdin:
            if not line.strip():
                continue
            item = json.loads(line)
            result = nlu.parse(str(item.get("text", "")), now)
            out.write(json.dumps({"id": item.get("id"), **result.to_dict()}, ensure_ascii=False) + "\n")
        return 0
    if not args.text:
        print("parse: give TEXT or --jsonl", file=sys.stderr)
        return 2
    print(json.dumps(nlu.parse(" ".join(args.text), now).to_dict(), ensure_ascii=False))
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    """`audit verify`: seals what is waiting, then "ok: N records" and 0, or one line
    naming the first record changed or removed and 1. `audit show NO`: the request's
    history, times in BOT_TIMEZONE.
    Here rather than in bot/cli.py: it needs the models only, and starts in a blink."""
    no = 0
    if args.audit_command == "show":
        raw = str(args.no).strip().lstrip("#＃")
        if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
            print(f"audit show: not a request number: {args.no!r}", file=sys.stderr)
            return 2
        no = int(raw)
    return asyncio.run(_audit(args.audit_command, no, settings))


async def _audit(command: str, no: int, settings: Settings) -> int:
    from models import audit_chain as audit
    from models.db import close_db, init_db, is_sqlite

    # PostgreSQL is not migrated from here (`serve` does that).
    await init_db(settings.database_url, create_schema=is_sqlite(settings.database_url))
    try:
        if command == "verify":
            await audit.seal()  # what was written up to now joins the chain, then is checked
            verdict = await audit.verify()
            print(verdict.line(), file=sys.stdout if verdict.ok else sys.stderr, flush=True)
            return 0 if verdict.ok else 1
        found = await audit.history(no)
        if found is None:
            print(f"audit show: no request #{no}", file=sys.stderr)
            return 1
        print(audit.format_history(found, settings.tz), flush=True)
        return 0
    finally:
        await close_db()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py", description="机关事务管理局 WeCom assistant")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="the HTTP service")
    s = sub.add_parser("seed", help="load an organisation file (YAML)")
    s.add_argument("file")
    s.add_argument("--replace-edits", action="store_true",
                   help="also overwrite what the admin pages changed (default: keep it)")
    s = sub.add_parser("parse", help="print the NLU result of TEXT")
    s.add_argument("--now", help="ISO date-time the text is relative to (default: now)")
    s.add_argument("--jsonl", action="store_true", help="read {id,text} JSON lines on stdin")
    s.add_argument("text", nargs="*")
    s = sub.add_parser("chat", help="a terminal conversation through the full pipeline")
    s.add_argument("--user", required=True, help="the userid to speak as")
    sub.add_parser("demo", help="seed the demo organisation and serve with /dev/chat")
    s = sub.add_parser("sync", help="read the organisation from WeCom's contacts and apply it")
    s.add_argument("--dry-run", action="store_true", help="print what would change, write nothing")
    s = sub.add_parser("audit", help="check the audit chain, or show a request's history")
    audit = s.add_subparsers(dest="audit_command", required=True)
    audit.add_parser("verify", help="walk the hash chain; report the first record changed or removed")
    s = audit.add_parser("show", help="print request NO's full history")
    s.add_argument("no", help="the request number, e.g. 1024 or #1024")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "serve":
            settings.require_serve()
    except SettingsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.command in ("serve", "demo"):
        from handlers.reminders import load_work_calendar
        from models.worktime import CalendarFileError

        try:  # the bureau's working days: a bad file is one line, not a traceback
            load_work_calendar(settings.data_dir)
        except CalendarFileError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    if args.command == "parse":
        return cmd_parse(args, settings)
    if args.command == "audit":
        return cmd_audit(args, settings)
    from bot import cli
    from handlers.fleet import use_business_zone

    use_business_zone(settings.tz)  # the days a vehicle's insurance and 年检 run to
    return run_loop(cli.run(args, settings))


def run_loop(main_coro: Any) -> int:
    """The event loop: uvloop where it is installed (its sockets, timers and callbacks
    cost less CPU per message than asyncio's own loop), else asyncio's."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency, absent only off Linux/macOS
        return asyncio.run(main_coro)
    return uvloop.run(main_coro)


if __name__ == "__main__":
    sys.exit(main())
