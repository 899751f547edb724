"""Command line (CONTRACT §3): serve, seed, parse, chat, demo."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime
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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py", description="机关事务管理局 WeCom assistant")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="the HTTP service")
    s = sub.add_parser("seed", help="load an organisation file (YAML)")
    s.add_argument("file")
    s = sub.add_parser("parse", help="print the NLU result of TEXT")
    s.add_argument("--now", help="ISO date-time the text is relative to (default: now)")
    s.add_argument("--jsonl", action="store_true", help="read {id,text} JSON lines on stdin")
    s.add_argument("text", nargs="*")
    s = sub.add_parser("chat", help="a terminal conversation through the full pipeline")
    s.add_argument("--user", required=True, help="the userid to speak as")
    sub.add_parser("demo", help="seed the demo organisation and serve with /dev/chat")
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
    if args.command == "parse":
        return cmd_parse(args, settings)
    from bot import cli

    return asyncio.run(cli.run(args, settings))


if __name__ == "__main__":
    sys.exit(main())
