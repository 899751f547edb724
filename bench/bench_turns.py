"""The realistic mix's turns in one process, counted (issue 16, item 3): what one message
of each kind costs once its callback has checked it — deterministic counts beside the CPU.

The same organisation and sentences as `bench_callback.py --mix real` (its `seed_file`
and `dialogue`), the same parts as `serve` on SQLite + Redis: the durable inbox (its own
SQLite connection, its INSERT and the turn's end), the Redis sessions, send budget and
batches, the dispatcher with the real NLU, and the reply through the real WeCom client
to the fake WeCom API — run in a child process, so that its work is not counted here —
on `serve`'s event loop (uvloop; `--asyncio` for asyncio's own).
Messages go one at a time, as the callback hands them over (`Inbox.store`, then the
dispatcher's `process`); after each, the outbox worker delivers what the turn queued
(an approver's card) and the inbox's lazy write runs every `--flush-every` messages, as
the 0.1 s flush gathers several turns under load. Per kind of message (a booking's
sentence, its 确认, a repair's, a room's, a status question) it prints the Python calls
(cProfile), the SQL statements (SQLite's trace of every connection: BEGIN/COMMIT
counted apart, PRAGMAs not at all; how many of them ran on a connection's own thread
rather than the loop's), the Redis round trips (redis-py's `send_packed_command`) and the CPU
(`time.process_time`, measured in a second pass without the profiler).

    TEST_REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/bench_turns.py \
        [--messages 700] [--warm 150] [--profile out.prof] [--top 40]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from redis.asyncio.connection import AbstractConnection

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_callback import TZ, dialogue, seed_file  # noqa: E402
from bench.common import AGENT_ID, CORP_ID, SECRET, free_port, wait_http  # noqa: E402

KINDS = ("vehicle", "vehicle answer", "vehicle 确认", "repair", "repair 确认", "room", "room answer",
         "room 确认", "status")


@dataclass
class Counts:
    """What the hooks count while a message is handled."""

    sql: int = 0
    tx: int = 0  # BEGIN / COMMIT / ROLLBACK / SAVEPOINT / RELEASE
    redis: int = 0
    threaded: int = 0  # statements (BEGIN/COMMIT too) run on a connection's own thread, not the loop's
    pragmas: int = 0  # not counted in `sql`: the busy timeout set around an inline try
    loop_thread: int = field(default_factory=threading.get_ident)
    statements: Counter[str] = field(default_factory=Counter)
    on: bool = False
    log: list[str] | None = None  # every statement, while set
    last: str = ""

    def trace(self, statement: str) -> None:
        # A trigger's run is reported as its statement again (Python passes SQLite's
        # expanded text of the statement that fired it): counted once.
        if not self.on or statement.startswith("--") or statement == self.last:
            return
        self.last = statement
        if self.log is not None:
            self.log.append(" ".join(statement.split())[:200])
        head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if head == "PRAGMA":
            self.pragmas += 1
            return
        if threading.get_ident() != self.loop_thread:
            self.threaded += 1
        if head in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "END"):
            self.tx += 1
        else:
            self.sql += 1
            self.statements[_shape(statement)] += 1


COUNTS = Counts()
_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def _shape(statement: str) -> str:
    """The statement with its values as `?`: one line per kind of statement."""
    return _LITERALS.sub("?", " ".join(statement.split()))[:150]


def _hook_sqlite() -> None:
    """Every SQLite connection opened from now on reports its statements to COUNTS."""
    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real(*args, **kwargs)
        conn.set_trace_callback(COUNTS.trace)
        return conn

    sqlite3.connect = connect  # type: ignore[assignment]


def _hook_redis() -> None:
    real = AbstractConnection.send_packed_command

    async def send_packed_command(self: AbstractConnection, *args: Any, **kwargs: Any) -> None:
        if COUNTS.on:
            COUNTS.redis += 1
        await real(self, *args, **kwargs)

    AbstractConnection.send_packed_command = send_packed_command  # type: ignore[method-assign]


@contextmanager
def counting() -> Iterator[None]:
    COUNTS.on = True
    try:
        yield
    finally:
        COUNTS.on = False


def script(users: list[str], n: int, seed: int) -> list[tuple[str, str, str]]:
    """About `n` messages (user, text, kind), the users' visits interleaved as they
    come in: each user's own messages in their order."""
    rng = random.Random(seed)
    today = datetime.now(TZ).date()
    per_user: dict[str, list[tuple[str, str]]] = {u: [] for u in users}
    total, k = 0, 0
    while total < n:
        user = users[k % len(users)]
        k += 1
        visit = dialogue(rng, today)
        kind = _kind(visit[0])
        per_user[user] += [(visit[0], kind)] + [
            (t, f"{kind} 确认" if t == "确认" else f"{kind} answer") for t in visit[1:]]
        total += len(visit)
    out: list[tuple[str, str, str]] = []
    queues = {u: list(v) for u, v in per_user.items() if v}
    while queues:
        for user in list(queues):
            text, kind = queues[user].pop(0)
            out.append((user, text, kind))
            if not queues[user]:
                del queues[user]
    return out


def _kind(text: str) -> str:
    if any(w in text for w in ("我的申请", "修好了没", "进度", "定下来没有")):
        return "status"
    if "车" in text:
        return "vehicle"
    if "会议室" in text:
        return "room"
    return "repair"


def _fake_wecom(port: int) -> subprocess.Popen[bytes]:
    code = (
        "import asyncio, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from tests.fakewecom import FakeWeCom\n"
        "async def main():\n"
        f"    fake = FakeWeCom(corp_id={CORP_ID!r}, secret={SECRET!r}, agent_id={AGENT_ID})\n"
        f"    await fake.start(port={port})\n"
        "    await asyncio.Event().wait()\n"
        "asyncio.run(main())\n"
    )
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)


async def run(args: argparse.Namespace) -> None:
    _hook_sqlite()
    _hook_redis()
    from bot.chat.dispatcher import Dispatcher
    from bot.chat.inbox import SQLITE_COMMIT_EVERY, Inbox
    from bot.chat.ratelimit import RedisLimiter
    from bot.chat.sessions import RedisSessions, SessionBudget
    from bot.redisguard import RedisBatches, RedisBreaker, connect
    from bot.web.links import SignedLinks
    from bot.wecom.client import WeComClient
    from bot.wecom.notifier import OutboxWorker
    from bot.wecom.transport import WeComTransport
    from handlers import inbox as inbox_rows
    from handlers import system
    from handlers.base import Channel, Inbound, InboundKind
    from nlp import Nlu
    from settings import Settings

    port = free_port()
    fake = _fake_wecom(port)
    api = f"http://127.0.0.1:{port}/cgi-bin/"
    redis_url = args.redis or os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    prefix = f"bench-turns:{uuid.uuid4().hex[:8]}:"
    with tempfile.TemporaryDirectory(prefix="bench-turns-") as tmpdir:
        tmp = Path(tmpdir)
        settings = Settings(corp_id=CORP_ID, agent_id=AGENT_ID, secret=SECRET, api_base=api,
                            database_url=f"sqlite://{tmp}/turns.sqlite3", redis_url=redis_url,
                            secret_key="bench-secret-key-0123456789", data_dir=str(tmp),
                            key_prefix=prefix)
        users = [f"u{uuid.uuid4().hex[:6]}{i:04d}" for i in range(args.users)]
        seed = tmp / "org.yaml"
        seed_file(seed, users)
        await system.open_database(settings.database_url, create_schema=True)
        result = await system.seed_org(seed)
        assert result.ok, result.problems
        nlu = Nlu(cache_dir=str(tmp))
        nlu.warm()
        nlu.add_words(await system.dictionary_words())
        redis = connect(redis_url)
        batches = RedisBatches(redis)
        breaker = RedisBreaker()
        # Budgets as WeCom's (30 a minute): the bench's approvers get more than that in
        # a minute, and a card that waits for its budget would be counted elsewhere.
        limiter = RedisLimiter(redis, prefix, per_minute=10**6, per_hour=10**6)
        sessions = RedisSessions(redis, prefix, limiter, breaker=breaker, batches=batches)
        inbox = Inbox(lanes=1, commit_every=SQLITE_COMMIT_EVERY)
        await inbox_rows.open_connection()
        woke = []
        try:
            if not await wait_http(api + "gettoken", lambda: fake.poll() is None, 30):
                raise SystemExit("the fake WeCom did not start")
            async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
                transport = WeComTransport(WeComClient(http, settings, redis))
                worker = OutboxWorker(transport, SessionBudget(sessions), owner=inbox.owner)
                dispatcher = Dispatcher(nlu=nlu, sessions=sessions, transport=transport, tz=TZ,
                                        on_outbox=lambda: woke.append(1), links=SignedLinks(settings),
                                        inbox=inbox)
                await inbox_rows.beat(inbox.owner, time.time())
                messages = script(users, args.messages + args.warm, args.seed)
                ids = iter(range(10**9))
                shown: dict[str, list[str]] = defaultdict(list)
                traced: list[str] = []
                done_trace = False
                seen_kind = 0
                run_id = uuid.uuid4().hex[:8]

                confirmed: list[int] = [0, 0]  # 确认 sent, and those answered with a number
                unmade: list[str] = []

                async def one(user: str, text: str, kind: str = "") -> None:
                    inbound = Inbound(user_id=user, msg_id=f"{run_id}{next(ids)}", kind=InboundKind.TEXT,
                                      received_at=datetime.now(TZ), text=text, channel=Channel.WECOM)
                    stored = await inbox.store(f"msg:{inbound.msg_id}", inbound, owned=True)
                    assert stored is not None
                    reply = await dispatcher.process(inbound, stored.id)
                    if args.show and reply is not None and len(shown[kind]) < args.show:
                        shown[kind].append(f"{text} → {reply.text[:160]!r}")
                    if kind.endswith("确认"):  # the mix's visits are meant to end in a request
                        confirmed[0] += 1
                        if reply is not None and re.search(r"#\d{4,}", reply.text):
                            confirmed[1] += 1
                        elif len(unmade) < 3:
                            unmade.append(reply.text[:120] if reply is not None else "(no reply)")
                    while woke:
                        woke.clear()
                        await worker.run_once()

                calls: dict[str, list[int]] = defaultdict(list)
                sql: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)
                cpu: dict[str, list[float]] = defaultdict(list)
                stats: dict[str, pstats.Stats] = {}
                flush_sql = flush_n = 0
                for i, (user, text, kind) in enumerate(messages):
                    counted = i >= args.warm
                    if counted:
                        before = (COUNTS.sql, COUNTS.tx, COUNTS.redis, COUNTS.threaded)
                        prof = cProfile.Profile(time.process_time)
                        if kind == args.trace and not done_trace:
                            seen_kind += 1
                        if kind == args.trace and not done_trace and seen_kind > args.trace_skip:
                            traced.clear()
                            COUNTS.log = traced
                        with counting():
                            prof.enable()
                            await one(user, text, kind)
                            prof.disable()
                        if COUNTS.log is not None:
                            COUNTS.log = None
                            done_trace = len(traced) > 5
                        if done_trace and traced:
                            print(f"--- the statements of {text!r}:", *traced, sep="\n  ")
                            traced = []
                        calls[kind].append(sum(s[1] for s in pstats.Stats(prof).stats.values()))  # type: ignore[attr-defined]
                        _merge(stats, kind, prof)
                        sql[kind].append((COUNTS.sql - before[0], COUNTS.tx - before[1],
                                          COUNTS.redis - before[2], COUNTS.threaded - before[3]))
                    else:
                        await one(user, text, kind)
                    if (i + 1) % args.flush_every == 0:
                        with counting():
                            s0 = COUNTS.sql + COUNTS.tx
                            await inbox.flush()
                            if counted:
                                flush_sql += COUNTS.sql + COUNTS.tx - s0
                                flush_n += args.flush_every
                # The CPU, without the profiler: the same users' next visits.
                for user, text, kind in script(users, args.messages, args.seed + 1):
                    t0 = time.process_time()
                    await one(user, text, kind)
                    cpu[kind].append(time.process_time() - t0)
                await inbox.flush()
                for lines in shown.values():
                    print(*lines, sep="\n")
                print(f"confirmations that made a request: {confirmed[1]} of {confirmed[0]}"
                      + "".join(f"\n  not made: {t!r}" for t in unmade))
            _report(args, calls, sql, cpu, flush_sql, flush_n, stats)
        finally:
            await inbox.close()
            await inbox_rows.close_connection()
            await batches.aclose()
            keys = [k async for k in redis.scan_iter(match=f"{prefix}*", count=1000)]
            if keys:
                await redis.delete(*keys)
            await redis.aclose()
            await system.close_database()
            fake.terminate()
            fake.wait(timeout=10)


def _merge(stats: dict[str, pstats.Stats], kind: str, prof: cProfile.Profile) -> None:
    if kind in stats:
        stats[kind].add(prof)
    else:
        stats[kind] = pstats.Stats(prof)


def _report(args: argparse.Namespace, calls: dict[str, list[int]], sql: dict[str, list[tuple[int, int, int, int]]],
            cpu: dict[str, list[float]], flush_sql: int, flush_n: int,
            stats: dict[str, pstats.Stats]) -> None:
    print(f"{'kind':<14} {'n':>4} {'py calls':>9} {'SQL':>6} {'BEGIN/COMMIT':>13} {'on a thread':>12} "
          f"{'Redis RT':>9} {'CPU µs':>8}")
    total_n = total_calls = 0
    total_sql = total_tx = total_redis = total_thr = 0
    total_cpu = 0.0
    cpu_n = 0
    for kind in KINDS:
        if kind not in calls:
            continue
        n = len(calls[kind])
        s = [x[0] for x in sql[kind]]
        t = [x[1] for x in sql[kind]]
        r = [x[2] for x in sql[kind]]
        h = [x[3] for x in sql[kind]]
        c = cpu.get(kind, [])
        print(f"{kind:<14} {n:>4} {sum(calls[kind]) / n:>9.0f} {sum(s) / n:>6.2f} {sum(t) / n:>13.2f} "
              f"{sum(h) / n:>12.2f} {sum(r) / n:>9.2f} {(sum(c) / len(c) * 1e6 if c else 0):>8.0f}")
        total_thr += sum(h)
        total_n += n
        total_calls += sum(calls[kind])
        total_sql += sum(s)
        total_tx += sum(t)
        total_redis += sum(r)
        total_cpu += sum(c)
        cpu_n += len(c)
    print(f"{'all':<14} {total_n:>4} {total_calls / total_n:>9.0f} {total_sql / total_n:>6.2f} "
          f"{total_tx / total_n:>13.2f} {total_thr / total_n:>12.2f} {total_redis / total_n:>9.2f} "
          f"{total_cpu / max(cpu_n, 1) * 1e6:>8.0f}")
    if flush_n:
        print(f"(the inbox's lazy write every {args.flush_every} messages: {flush_sql / flush_n:.2f} statements "
              "a message, not in the rows above)")
    if args.profile:
        merged = pstats.Stats()
        for st in stats.values():
            merged.add(st)
        merged.dump_stats(args.profile)
        for kind, st in stats.items():  # and each kind's beside it
            st.dump_stats(f"{args.profile}.{kind.replace(' ', '_')}")
    if args.top:
        for kind in KINDS:
            if kind in stats:
                print(f"\n=== {kind}: top {args.top} by internal time")
                stats[kind].sort_stats("tottime").print_stats(args.top)
    if args.statements:
        print("\nstatements over the counted messages:")
        for text, n in COUNTS.statements.most_common(args.statements):
            print(f"{n:>6}  {text}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=700, help="messages counted")
    p.add_argument("--warm", type=int, default=150, help="messages before counting (caches, the token)")
    p.add_argument("--users", type=int, default=400)
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--flush-every", type=int, default=10)
    p.add_argument("--redis", default="", help="Redis URL (default TEST_REDIS_URL)")
    p.add_argument("--show", type=int, default=0, help="print so many replies of each kind")
    p.add_argument("--trace", default="", help="print the statements of the first message of this kind")
    p.add_argument("--trace-skip", type=int, default=0,
                   help="trace the message of that kind after skipping so many (caches warm)")
    p.add_argument("--profile", default="", help="write the merged cProfile stats here")
    p.add_argument("--top", type=int, default=0, help="print each kind's top functions")
    p.add_argument("--statements", type=int, default=0, help="print the most frequent SQL statements")
    p.add_argument("--asyncio", action="store_true",
                   help="run on asyncio's own event loop, not serve's (uvloop, `main.run_loop`)")
    args = p.parse_args()
    if args.asyncio:
        asyncio.run(run(args))
    else:
        from main import run_loop  # the loop `serve` runs on

        run_loop(run(args))


if __name__ == "__main__":
    main()
