"""The callback's inbox INSERT on SQLite while turns keep Tortoise's one connection busy
(issue 12): the INSERT's latency with the inbox on Tortoise's connection (as before) and
on its own (models/sqlite.py), the same load each time, in one process.

The load: `--turns` turns at once, each a few reads and, every `--write-every`th, a
transaction that reads then writes (as a use case does), looping; meanwhile one
callback's INSERT every `--interval` seconds through the app's own group commit
(bot/chat/inbox.py). Prints the INSERT's p50 / p99 and the turns' queries a second.

    .venv/bin/python bench/bench_inbox_sqlite.py [--seconds 5] [--turns 64] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.chat.inbox import SQLITE_COMMIT_EVERY, Inbox  # noqa: E402
from handlers.base import Inbound, InboundKind  # noqa: E402
from models.db import close_db, init_db  # noqa: E402
from models.inbox import InboxBeat, close_connection, open_connection  # noqa: E402
from models.sql import CURRENT_INBOX, InboxTurn, transaction  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")


async def measure(path: Path, own: bool, args: argparse.Namespace) -> tuple[float, float, float]:
    await init_db(f"sqlite://{path}", create_schema=True)
    if own:
        await open_connection()
    inbox = Inbox(lanes=1, commit_every=SQLITE_COMMIT_EVERY)
    stop = time.monotonic() + args.seconds
    queries = 0

    async def turn(k: int) -> None:
        nonlocal queries
        n = 0
        CURRENT_INBOX.set(InboxTurn(0))  # a message's turn (its transactions: models/sqlite.py)
        while time.monotonic() < stop:
            n += 1
            for _ in range(3):
                await InboxBeat.filter(owner=f"t{k}").exists()
                queries += 1
            if n % args.write_every == 0:
                async with transaction():
                    await InboxBeat.filter(owner=f"t{k}").exists()
                    await InboxBeat.update_or_create(owner=f"t{k}", defaults={"beat_at": float(n)})
                    queries += 2

    latencies: list[float] = []

    async def callbacks() -> None:
        i = 0
        pending: set[asyncio.Task[None]] = set()

        async def one(i: int) -> None:
            t0 = time.perf_counter()
            message = Inbound(f"u{i % 500}", f"m{i}", InboundKind.TEXT, datetime.now(TZ), text="帮助")
            await inbox.store(f"msg:{own}:{i}", message, owned=True)
            latencies.append(time.perf_counter() - t0)

        while time.monotonic() < stop:
            i += 1
            task = asyncio.create_task(one(i))
            pending.add(task)
            task.add_done_callback(pending.discard)
            await asyncio.sleep(args.interval)
        await asyncio.gather(*pending)

    started = time.monotonic()
    await asyncio.gather(callbacks(), *(turn(k) for k in range(args.turns)))
    elapsed = time.monotonic() - started
    await close_connection()
    await close_db()
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return p50, p99, queries / elapsed


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--turns", type=int, default=64)
    p.add_argument("--write-every", type=int, default=4)
    p.add_argument("--interval", type=float, default=0.002, help="seconds between callbacks")
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-inbox-") as tmp:
        for r in range(args.rounds):
            for own in (False, True):
                path = Path(tmp) / f"r{r}-{own}.sqlite3"
                p50, p99, qps = await measure(path, own, args)
                where = "own connection  " if own else "Tortoise's one  "
                print(f"round {r + 1} {where}: INSERT p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms"
                      f"   turns' queries {qps:6.0f}/s", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
