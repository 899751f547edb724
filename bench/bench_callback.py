"""Load on `/wecom/callback` as WeCom makes it, for the real app and a bare reference.

Starts a local fake WeCom API (tests/fakewecom.py), the reference (bench/echo_reference.py)
and the real app (`python main.py serve`, Redis db 14 for dedup, SQLite in a temp dir —
or, for the targets of several processes behind the balancer, a new PostgreSQL database
each (`--several-postgres`) — seeded with the bench users, vehicles and rooms through
`python main.py seed`), then posts
encrypted text messages signed with wechatpy's own crypto. By default (`--mix real`) they
are the traffic users send: bookings, repairs, rooms and status questions from thousands
of users, each user typing one message at a time and answering the bot's read-back with
确认 once its reply has come (issue 16); `--mix help` sends `帮助` only, as earlier stops
measured:

- open loop at a fixed rate (latency measured from the intended send time, so a slow
  server cannot hide its queue), and
- closed loop at a fixed concurrency (throughput), in rounds: each round runs every
  target in turn, so that a drift in the machine's speed falls on all of them alike.

The reference is the issue's "bare aiohttp + wechatpy echo callback" (about 3,500 msg/s
here, the issue says): it answers each text with itself as WeCom's passive reply,
built and encrypted by wechatpy, and sends nothing. The lighter `ref-empty` (the same,
answering an empty 200) is measured too, for information. `--reference-echo` makes the
reference also send each text back through `message/send`, for an end-to-end comparison.
`ref-floor` (`--no-floor` leaves it out) is the least the contract asks of any app on this
stack: the reference's checks, each message stored durably before its 200 (SQLite, WAL,
synchronous FULL, group-committed; a retry stored once), its echo sent through
`message/send` and waited for like the app's reply, its row marked done. After the table
the bench prints what the goal's quarter leaves beyond it: the core-time a message has for
everything the app does that the floor does not (the NLU, users, sessions, requests,
holds, audit, the approvers' notices).

Messages come from enough distinct users that none exceeds WeCom's 30 messages a minute.
It reports the callback's latency (p50/p99), throughput, the server's CPU per message and
the end-to-end latency: callback sent → the reply's `message/send` arriving at the fake API.

Goals (issue 16, the realistic mix): the open-loop rate at least a quarter of the
reference's closed-loop rate, every reply within the run, reply p99 < 100 ms, callback
p99 < 20 ms. (`--mix help`, issue 2: app throughput ≥ half the reference's; at 500 msg/s
callback p99 < 20 ms and end-to-end p99 < 100 ms.)

    .venv/bin/python bench/bench_callback.py [--mix real|help] [--rate 500] [--duration 10]
        [--concurrency 16] [--closed-duration 3] [--rounds 6] [--reference-only] [--check]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    AES_KEY,
    AGENT_ID,
    CORP_ID,
    SECRET,
    TOKEN,
    base_env,
    free_port,
    pct,
    wait_http,
)
from tests.bot.wecomsim import WeComSim, message_xml  # noqa: E402
from tests.fakewecom import FakeWeCom, SentMessage  # noqa: E402

TEXT = "帮助"  # the `--mix help` message
VEHICLES, ROOMS = 60, 40
TZ = ZoneInfo("Asia/Shanghai")  # the app's BOT_TIMEZONE default
PLACES = ("市政府", "虹桥机场", "浦东机场", "市人大", "区法院", "市图书馆", "虹桥火车站", "市档案馆",
          "市审计局", "青浦区政府", "嘉定区政府", "市委党校")
BUILDINGS = ("1号楼", "2号楼", "3号楼", "5号楼", "综合楼")
FAULTS = ("空调不制冷", "灯管一闪一闪的", "水龙头关不上", "插座没电了", "打印机卡纸", "门锁坏了",
          "暖气不热", "马桶堵了", "投影仪打不开", "窗户合不拢")
STATUS = ("我的申请", "我的报修修好了没", "查一下我的申请进度", "我订的会议室定下来没有")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PER_USER_PER_MINUTE = 30


@dataclass
class Item:
    user: str
    query: dict[str, str]
    body: bytes


@dataclass
class Result:
    target: str
    mode: str
    sent: int = 0
    ok: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    e2e: list[float] = field(default_factory=list)
    cpu_us: float | None = None
    skipped: int = 0  # open-loop slots with no user ready (the realistic mix)

    cpu_s: float = 0.0  # server CPU seconds over the rounds absorbed
    started: float = 0.0  # time.monotonic() at the first send
    # Seconds until the last message was done: its reply at the fake API (the app), or
    # its callback answered (the reference, whose reply is the answer).
    done_elapsed: float = 0.0

    @property
    def throughput(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    @property
    def done_throughput(self) -> float:
        """Messages done a second: what the service sustains, not what it queues."""
        return self.ok / self.done_elapsed if self.done_elapsed else self.throughput

    def absorb(self, part: Result) -> None:
        """Add one closed-loop round: totals over all rounds."""
        self.sent += part.sent
        self.ok += part.ok
        self.skipped += part.skipped
        self.elapsed += part.elapsed
        self.done_elapsed += part.done_elapsed
        self.latencies += part.latencies
        self.e2e += part.e2e
        if part.cpu_us is not None:
            self.cpu_s += part.cpu_us * max(part.ok, 1) / 1e6
            self.cpu_us = self.cpu_s / max(self.ok, 1) * 1e6


class Replies:
    """Matches each reply arriving at the fake API to the oldest unanswered send to that user."""

    def __init__(self) -> None:
        self.pending: dict[str, deque[float]] = defaultdict(deque)
        self.e2e: list[float] = []
        self.last_at: float | None = None  # the latest reply's arrival
        self.outstanding = 0
        self.all_in = asyncio.Event()
        self.waiters: dict[str, asyncio.Future[None]] = {}

    def waiter(self, user: str) -> asyncio.Future[None]:
        """Resolved when the next reply to `user` arrives (the realistic mix's pacing)."""
        fut = asyncio.get_running_loop().create_future()
        self.waiters[user] = fut
        return fut

    def expect(self, user: str, t0: float) -> None:
        self.pending[user].append(t0)
        self.outstanding += 1
        self.all_in.clear()

    def on_sent(self, msg: SentMessage) -> None:
        queue = self.pending.get(msg.touser)
        if queue:
            self.e2e.append(msg.at - queue.popleft())
            self.last_at = msg.at
            self.outstanding -= 1
            if not self.outstanding:
                self.all_in.set()
        fut = self.waiters.pop(msg.touser, None)
        if fut is not None and not fut.done():
            fut.set_result(None)

    def reset(self) -> None:
        self.pending.clear()
        self.e2e = []
        self.last_at = None
        self.outstanding = 0
        self.all_in.set()
        for fut in self.waiters.values():
            fut.cancel()
        self.waiters.clear()


def make_items(sim: WeComSim, users: Sequence[str], n: int) -> list[Item]:
    base = random.randrange(10**17, 9 * 10**17)  # fresh MsgIds each run
    items = []
    for i in range(n):
        user = users[i % len(users)]
        xml = message_xml("text", user, CORP_ID, AGENT_ID, {"Content": TEXT}, msg_id=str(base + i))
        query, body = sim.post(xml)
        items.append(Item(user, query, body.encode()))
    return items


PURPOSES = ("送材料", "开会", "接待来访", "参加培训", "调研", "接人")
LENGTHS = ("用两个小时", "大概三个小时", "到下午5点", "四个小时左右", "用一个半小时")


def dialogue(rng: random.Random, today: date) -> list[str]:
    """One user's visit, as users write (the NLU never saw these exact sentences: they are
    put together from parts): a booking, a repair or a room, or a status question. What
    the first sentence leaves out, the user says when the bot asks (a vehicle's return
    time, then its purpose: the order the booking flow asks in), then 确认 the read-back.
    The mix is the one the speed issue measured: bookings and repairs most, then rooms,
    then status."""
    kind = rng.choices(("vehicle", "repair", "room", "status"), weights=(35, 30, 20, 15))[0]
    day = today + timedelta(days=rng.randrange(2, 60))
    when = f"{day.month}月{day.day}日"
    hour = rng.randrange(8, 14)
    minute = rng.choice(("", "半"))
    if kind == "vehicle":
        n = rng.randrange(1, 6)
        place = rng.choice(PLACES)
        said_purpose = rng.random() < 0.5
        said_length = rng.random() < 0.4
        go = f"去{place}{rng.choice(PURPOSES)}" if said_purpose else f"去{place}"
        length = f"，{rng.choice(LENGTHS)}" if said_length else ""
        text = rng.choice((f"{when}{hour}点{minute}用车{go}，{n}人{length}",
                           f"{when}上午{min(hour, 11)}点要一辆车，{go}，{n}个人{length}",
                           f"麻烦安排{when}{hour}点的车，{go}，我们{n}位{length}"))
        answers = ([] if said_length else [rng.choice(LENGTHS)]) + \
            ([] if said_purpose else [rng.choice(PURPOSES)])
        return [text, *answers, "确认"]
    if kind == "repair":
        place = f"{rng.choice(BUILDINGS)}{rng.randrange(1, 9)}{rng.randrange(1, 30):02d}室"
        return [rng.choice((f"{place}{rng.choice(FAULTS)}", f"报修：{place}的{rng.choice(FAULTS)}",
                            f"你好，{place}{rng.choice(FAULTS)}，麻烦来看一下")), "确认"]
    if kind == "room":
        n = rng.randrange(4, 20)
        if rng.random() < 0.5:
            return [f"{when}下午{rng.randrange(1, 5)}点到{rng.randrange(5, 7)}点订个会议室，{n}人", "确认"]
        return [f"帮我订一间会议室，{when}上午{rng.randrange(8, 11)}点开会，{n}个人",
                rng.choice(("开两个小时", "到12点", "一个小时")), "确认"]
    return [rng.choice(STATUS)]


def make_scripts(sim: WeComSim, users: Sequence[str], n: int, seed: int) -> dict[str, deque[Item]]:
    """About `n` messages of the realistic mix: each user a few visits, whose messages go
    one at a time (the next when the reply to the last has come), as a person types."""
    rng = random.Random(seed)
    today = datetime.now(TZ).date()
    base = random.randrange(10**17, 9 * 10**17)
    texts: dict[str, list[str]] = {u: [] for u in users}
    total, k = 0, 0
    while total < n:
        user = users[k % len(users)]
        k += 1
        visit = dialogue(rng, today)
        texts[user] += visit
        total += len(visit)
    scripts: dict[str, deque[Item]] = {}
    for user, lines in texts.items():
        items: deque[Item] = deque()
        for text in lines:
            base += 1
            xml = message_xml("text", user, CORP_ID, AGENT_ID, {"Content": text}, msg_id=str(base))
            query, body = sim.post(xml)
            items.append(Item(user, query, body.encode()))
        if items:
            scripts[user] = items
    return scripts


async def post(session: aiohttp.ClientSession, url: str, item: Item) -> bool:
    try:
        async with session.post(url, params=item.query, data=item.body, headers={"Content-Type": "text/xml"}) as r:
            await r.read()
            return r.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


def cpu_seconds(pids: Sequence[int]) -> float | None:
    """User + system CPU seconds of these processes, together."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total if pids else None


async def open_loop(urls: Sequence[str], items: list[Item], rate: float, replies: Replies, res: Result,
                    pids: Sequence[int]) -> None:
    """Item i goes to urls[i % n]: a round-robin balancer in front of n processes."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        cpu0 = cpu_seconds(pids)
        start = time.monotonic() + 0.05
        tasks: list[asyncio.Task[None]] = []

        async def one(item: Item, t0: float, url: str) -> None:
            replies.expect(item.user, t0)
            ok = await post(session, url, item)
            res.latencies.append(time.monotonic() - t0)
            res.ok += ok

        for i, item in enumerate(items):
            t0 = start + i / rate
            delay = t0 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(item, t0, urls[i % len(urls)])))
        await asyncio.gather(*tasks)
        res.sent = len(items)
        res.elapsed = len(items) / rate
        cpu1 = cpu_seconds(pids)
        if cpu0 is not None and cpu1 is not None:
            res.cpu_us = (cpu1 - cpu0) / max(res.ok, 1) * 1e6


THINK = 0.3  # seconds a user takes to answer the bot's read-back with 确认
REPLY_WAIT = 30.0  # a reply later than this counts as missing; the user goes on


async def _turn(session: aiohttp.ClientSession, url: str, item: Item, t0: float, replies: Replies,
                res: Result, passive: bool) -> None:
    """One message of a script, and its reply: the callback's answer for a target that
    answers passively (the references), else the reply's `message/send` at the fake API."""
    fut = None
    if not passive:  # a passive answer is the reply: nothing to wait for at the fake API
        replies.expect(item.user, t0)
        fut = replies.waiter(item.user)
    ok = await post(session, url, item)
    res.latencies.append(time.monotonic() - t0)
    res.sent += 1
    res.ok += ok
    if fut is not None and ok:
        try:
            await asyncio.wait_for(fut, REPLY_WAIT)
        except (TimeoutError, asyncio.CancelledError):
            pass


async def open_loop_scripts(urls: Sequence[str], scripts: dict[str, deque[Item]], rate: float, duration: float,
                            replies: Replies, res: Result, pids: Sequence[int], passive: bool) -> None:
    """The realistic mix in open loop: a message every 1/rate s, each from the next user
    who is ready — whose last message has its reply and who has "thought" THINK s. A
    slot with nobody ready is skipped and counted (the pool is sized so that it is rare)."""
    ready = deque(scripts)
    random.Random(7).shuffle(ready)
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        cpu0 = cpu_seconds(pids)
        start = time.monotonic() + 0.05
        tasks: list[asyncio.Task[None]] = []

        async def visit(user: str, item: Item, t0: float, url: str) -> None:
            await _turn(session, url, item, t0, replies, res, passive)
            if scripts[user]:
                loop.call_later(THINK, ready.append, user)

        slots = int(rate * duration)
        for i in range(slots):
            t0 = start + i / rate
            delay = t0 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if not ready:
                res.skipped += 1
                continue
            user = ready.popleft()
            tasks.append(asyncio.create_task(visit(user, scripts[user].popleft(), t0, urls[i % len(urls)])))
        await asyncio.gather(*tasks)
        res.elapsed = slots / rate
        cpu1 = cpu_seconds(pids)
        if cpu0 is not None and cpu1 is not None:
            res.cpu_us = (cpu1 - cpu0) / max(res.ok, 1) * 1e6


async def closed_loop_scripts(urls: Sequence[str], scripts: dict[str, deque[Item]], concurrency: int,
                              duration: float, replies: Replies, res: Result, pids: Sequence[int],
                              passive: bool) -> None:
    """The realistic mix in closed loop: `concurrency` people, each taking the next user's
    script and typing its messages one after the other, each after the last one's reply."""
    users = deque(u for u, items in scripts.items() if items)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        cpu0 = cpu_seconds(pids)
        started = res.started = time.monotonic()
        deadline = started + duration

        async def person(url: str) -> None:
            while users and time.monotonic() < deadline:
                user = users.popleft()
                while scripts[user] and time.monotonic() < deadline:
                    await _turn(session, url, scripts[user].popleft(), time.monotonic(), replies, res, passive)

        await asyncio.gather(*(person(urls[w % len(urls)]) for w in range(concurrency)))
        res.elapsed = time.monotonic() - started
        cpu1 = cpu_seconds(pids)
        if cpu0 is not None and cpu1 is not None:
            res.cpu_us = (cpu1 - cpu0) / max(res.ok, 1) * 1e6


async def closed_loop(
    urls: Sequence[str], items: list[Item], concurrency: int, duration: float, replies: Replies, res: Result,
    pids: Sequence[int],
) -> None:
    """Worker w posts to urls[w % n]: a balancer spreading connections over n processes."""
    feed = iter(items)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        cpu0 = cpu_seconds(pids)
        started = res.started = time.monotonic()
        deadline = started + duration

        async def worker(url: str) -> None:
            for item in feed:
                if time.monotonic() > deadline:
                    return
                t0 = time.monotonic()
                replies.expect(item.user, t0)
                ok = await post(session, url, item)
                res.latencies.append(time.monotonic() - t0)
                res.sent += 1
                res.ok += ok

        await asyncio.gather(*(worker(urls[w % len(urls)]) for w in range(concurrency)))
        res.elapsed = time.monotonic() - started
        cpu1 = cpu_seconds(pids)
        if cpu0 is not None and cpu1 is not None:
            res.cpu_us = (cpu1 - cpu0) / max(res.ok, 1) * 1e6


async def wait_replies(replies: Replies, seconds: float) -> None:
    if replies.outstanding:
        try:
            async with asyncio.timeout(seconds):
                await replies.all_in.wait()
        except TimeoutError:
            pass


def seed_file(path: Path, users: Sequence[str]) -> None:
    lines = ["departments:", "  - {id: 1, name: 市机关事务管理局, parent: null}", "users:"]
    lines += [f"  - {{userid: {u}, name: 压测{i}, department: 1, roles: [staff]}}" for i, u in enumerate(users)]
    # The approvers the organisation file must have for its rules to be approvable.
    lines += [
        "  - {userid: benchhead, name: 压测处长, department: 1, roles: [dept_head]}",
        "  - {userid: benchfleet, name: 压测车管, department: 1, roles: [fleet_manager]}",
        "  - {userid: benchfac, name: 压测场馆, department: 1, roles: [facility_admin]}",
        "  - {userid: benchdisp, name: 压测调度, department: 1, roles: [repair_dispatcher]}",
        "  - {userid: benchworker, name: 压测维修, department: 1, roles: [repair_worker]}",
    ]
    # The fleet and the rooms the realistic mix books (enough that most windows are free,
    # as in a bureau; some are taken, and those replies offer alternatives).
    lines += [f"  - {{userid: benchdriver{i}, name: 压测司机{i}, department: 1, roles: [driver]}}"
              for i in range(VEHICLES)]
    lines += ["vehicles:"]
    lines += [f"  - {{plate: 沪B{10000 + i}, model: 别克GL8, seats: 7, driver: benchdriver{i}}}"
              for i in range(VEHICLES)]
    lines += ["facilities:"]
    lines += [f"  - {{id: bench-mr{i}, name: 压测{i}会议室, type: meeting_room, building: 1号楼, "
              f"capacity: {8 + i % 5 * 4}, needs_approval: false, open: \"08:00-20:00\"}}"
              for i in range(ROOMS)]
    lines += [
        "approval_rules:",
        "  vehicle_booking: [dept_head, fleet_manager]",
        "  facility_reservation: [facility_admin]",
        "  repair_request: []",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def fresh_postgres(server: str, name: str) -> str:
    """A new, empty database `name` on the PostgreSQL server of `server` (dropped first if a
    killed run left it); its URL."""
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


async def drop_postgres(server: str, name: str) -> None:
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def start_app(tmp: Path, api_base: str, users: Sequence[str], prefix: str, name: str,
              processes: int = 1, lag: bool = False,
              database_url: str = "") -> tuple[list[subprocess.Popen[bytes]], list[str], str]:
    """Seed and start the real app as `processes` serve processes sharing one database and
    one Redis (issue 7's deployment, a balancer in front); (processes, callback base URLs,
    why not) — no processes on failure."""
    env = base_env(api_base)
    env.update(
        REDIS_URL=REDIS_URL,
        REDIS_KEY_PREFIX=prefix,
        # BENCH_DATABASE_URL: an empty PostgreSQL database instead (one app target);
        # `database_url`: the target's own (`--several-postgres`).
        DATABASE_URL=database_url or os.environ.get("BENCH_DATABASE_URL") or f"sqlite://{tmp}/{name}.sqlite3",
        DATA_DIR=str(tmp),
        HOST="127.0.0.1",
    )
    seed = tmp / f"{name}.yaml"
    seed_file(seed, users)
    done = subprocess.run(  # noqa: ASYNC221 - before any load, nothing else runs
        [sys.executable, "main.py", "seed", str(seed)], cwd=ROOT, env=env, capture_output=True, timeout=300
    )
    if done.returncode != 0:
        return [], [], f"seed failed ({done.returncode}): {done.stderr.decode()[-400:] or done.stdout.decode()[-400:]}"
    procs, urls = [], []
    for i in range(processes):
        port = free_port()
        log = (tmp / f"{name}-{i}.log").open("wb")
        # --lag: through bench/serve_probe.py, which writes the event loop's lag beside the log
        cmd = [str(ROOT / "bench" / "serve_probe.py")] if lag else ["main.py"]
        procs.append(subprocess.Popen([sys.executable, *cmd, "serve"], cwd=ROOT,
                                      env={**env, "PORT": str(port), "BENCH_LAG_FILE": str(tmp / f"{name}-{i}.lag")},
                                      stdout=log, stderr=subprocess.STDOUT))
        urls.append(f"http://127.0.0.1:{port}")
    return procs, urls, ""


def start_reference(api_base: str, echo: bool, empty: bool = False,
                    store: Path | None = None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    extra = ["--api-base", api_base] if echo else []
    if empty:
        extra.append("--empty")
    if store is not None:
        extra += ["--store", str(store)]
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "echo_reference.py"), "--port", str(port), *extra],
        cwd=ROOT,
        env=base_env(api_base),
    )
    return proc, f"http://127.0.0.1:{port}"


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def fmt(value: float | None, scale: float = 1000.0) -> str:
    return "-" if value is None else f"{value * scale:.1f}"


def print_table(results: list[Result]) -> None:
    head = f"{'target':<10} {'mode':<14} {'sent':>6} {'ok':>6} {'msg/s':>7} {'done/s':>7} {'cb p50':>7} {'cb p99':>7} {'e2e p50':>8} {'e2e p99':>8} {'e2e n':>6} {'cpu µs':>7}"
    print()
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r.target:<10} {r.mode:<14} {r.sent:>6} {r.ok:>6} {r.throughput:>7.0f} {r.done_throughput:>7.0f} "
            f"{fmt(pct(r.latencies, 50)):>7} {fmt(pct(r.latencies, 99)):>7} "
            f"{fmt(pct(r.e2e, 50)):>8} {fmt(pct(r.e2e, 99)):>8} {len(r.e2e):>6} "
            f"{'-' if r.cpu_us is None else f'{r.cpu_us:.0f}':>7}"
        )
    print("(latencies in ms; e2e = callback sent → reply's message/send at the fake API; msg/s = callbacks"
          " answered, done/s = messages done, the app's with its reply at the fake API; cpu = server CPU per"
          " message)")


def goals(results: list[Result], rate: float, real: bool = False) -> list[tuple[str, bool | None]]:
    """The issue's goals, for each app target (one process, and several behind a balancer).
    The realistic mix (issue 16): the open-loop rate is at least a quarter of the
    reference's closed-loop rate, with every reply within the run, reply p99 < 100 ms and
    callback p99 < 20 ms. `help` (issue 2): throughput ≥ half the reference's, and at
    the open-loop rate callback p99 < 20 ms and e2e p99 < 100 ms."""
    by = {(r.target, r.mode.split()[0]): r for r in results}
    ref_c = by.get(("reference", "closed"))
    out: list[tuple[str, bool | None]] = []
    if real:
        for name in dict.fromkeys(r.target for r in results if r.target.startswith("app")):
            app_o = by.get((name, "open"))
            if app_o is None:
                continue
            if ref_c:
                ref_t = ref_c.done_throughput
                out.append((f"{name}: open-loop rate {rate:.0f}/s ≥ ¼ of the reference's closed-loop "
                            f"{ref_t:.0f}/s (ratio {rate / ref_t:.2f})", rate >= ref_t / 4))
            p99, e99 = pct(app_o.latencies, 99), pct(app_o.e2e, 99)
            out.append((f"{name}: every reply within the run ({len(app_o.e2e)}/{app_o.sent}, "
                        f"{app_o.skipped} slots with nobody ready)",
                        len(app_o.e2e) == app_o.sent == app_o.ok and not app_o.skipped))
            out.append((f"{name}: reply p99 {fmt(e99)} ms < 100 ms", e99 is not None and e99 < 0.100))
            out.append((f"{name}: callback p99 {fmt(p99)} ms < 20 ms", p99 is not None and p99 < 0.020))
        return out
    for name in dict.fromkeys(r.target for r in results if r.target.startswith("app")):
        app_c, app_o = by.get((name, "closed")), by.get((name, "open"))
        if ref_c and app_c:
            app_t, ref_t = app_c.done_throughput, ref_c.done_throughput
            out.append((f"{name}: throughput {app_t:.0f} done/s ≥ half of the reference's "
                        f"{ref_t:.0f} (ratio {app_t / ref_t:.2f})", app_t >= ref_t / 2))
        if app_o:
            p99 = pct(app_o.latencies, 99)
            e99 = pct(app_o.e2e, 99)
            out.append((f"{name}: at {rate:.0f}/s callback p99 {fmt(p99)} ms < 20 ms",
                        p99 is not None and p99 < 0.020 and app_o.ok == app_o.sent))
            out.append((f"{name}: at {rate:.0f}/s e2e p99 {fmt(e99)} ms < 100 ms "
                        f"({len(app_o.e2e)}/{app_o.sent} replies)",
                        e99 is not None and e99 < 0.100 and len(app_o.e2e) == app_o.sent))
    return out


def floor_note(results: list[Result]) -> str | None:
    """What the goal's quarter leaves the app beyond `ref-floor`, the contract's least on this
    stack (verify, decrypt, store durably before the 200, reply through message/send, mark
    done): both closed loops' done/s, and the core-time a message that is left for the NLU
    and the service (users, sessions, requests, audit, notices) at ¼ of the reference."""
    by = {(r.target, r.mode.split()[0]): r for r in results}
    ref_c, floor_c = by.get(("reference", "closed")), by.get(("ref-floor", "closed"))
    if not (ref_c and floor_c and ref_c.done_throughput and floor_c.done_throughput):
        return None
    ref_t, floor_t = ref_c.done_throughput, floor_c.done_throughput
    left = 4 / ref_t - 1 / floor_t
    cpu = f", its CPU {floor_c.cpu_us:.0f} µs a message" if floor_c.cpu_us is not None else ""
    return (f"ref-floor: closed {floor_t:.0f} done/s, {floor_t / ref_t:.2f} of the reference's {ref_t:.0f}{cpu}; "
            f"at ¼ of the reference a message has {4e6 / ref_t:.0f} µs of the app's core, "
            f"{left * 1e6:.0f} µs beyond the floor's {1e6 / floor_t:.0f} for everything else")


def loop_lag(files: Sequence[Path], start: float, end: float) -> str:
    """The event loop's lag between epoch `start` and `end` (bench/serve_probe.py's samples)."""
    lags: list[float] = []
    stages: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for path in files:
        for line in path.read_text(encoding="ascii").splitlines():
            parts = line.split()
            try:
                if not start <= float(parts[0]) <= end:
                    continue
                if len(parts) == 2:
                    lags.append(float(parts[1]))
                else:  # a stage of the callback: wall, CPU
                    stages[parts[1]][0].append(float(parts[2]))
                    stages[parts[1]][1].append(float(parts[3]))
            except (ValueError, IndexError):  # the line being written
                continue
    if not lags:
        return "no samples"
    out = (f"p50 {fmt(pct(lags, 50))} / p99 {fmt(pct(lags, 99))} / max {fmt(max(lags))} ms "
           f"({len(lags)} samples)")
    for stage, (walls, cpus) in sorted(stages.items()):
        out += (f"\n  {stage}: wall p50 {fmt(pct(walls, 50))} / p99 {fmt(pct(walls, 99))} ms, "
                f"CPU mean {sum(cpus) / len(cpus) * 1e6:.0f} µs ({len(cpus)})")
    return out


async def cleanup_redis(prefix: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    try:
        keys = [k async for k in client.scan_iter(match=f"{prefix}*", count=1000)]
        for i in range(0, len(keys), 1000):
            await client.delete(*keys[i : i + 1000])
    finally:
        await client.aclose()


async def run(args: argparse.Namespace) -> int:
    sim = WeComSim(TOKEN, AES_KEY, CORP_ID, AGENT_ID)
    replies = Replies()
    fake = FakeWeCom(corp_id=CORP_ID, secret=SECRET, agent_id=AGENT_ID, on_sent=replies.on_sent)
    await fake.start()
    run_id = uuid.uuid4().hex[:8]
    # User pools: none sends more than WeCom's 30 a minute over the whole run.
    n_open = int(args.rate * args.duration)
    n_closed = int(args.max_closed_rate * args.closed_duration)  # per round
    real = args.mix == "real"
    # help: a user sends up to 10 (room for both phases and a warm-up in WeCom's 30 a
    # minute); the realistic mix: a few visits each, fewer in the open loop so that
    # enough users are ready for every slot while others wait for their reply.
    per_user = 8 if real else PER_USER_PER_MINUTE // 3
    per_open_user = 2 if real else per_user

    def pool(tag: str, n: int, each: int = per_user) -> list[str]:
        return [f"{tag}{run_id}{i:05d}" for i in range(max(1, -(-n // each)))]

    # Each target its own users: the app counts each user's messages (flood limit).
    apps = [("app" if n == 1 else f"app ×{n}", n) for n in args.processes]
    pools = {name: (pool(f"o{k}", n_open, per_open_user), pool(f"c{k}", n_closed * args.rounds),
                    pool(f"w{k}", 500))
             for k, name in enumerate(["reference", "ref-empty", "ref-floor", *(a for a, _ in apps)])}
    passive = {"reference": not args.reference_echo, "ref-empty": True, "ref-floor": False}
    print(f"users: {sum(len(o) + len(c) + len(w) for o, c, w in pools.values())}; preparing messages…", flush=True)
    results: list[Result] = []
    procs: list[subprocess.Popen[bytes]] = []
    made_databases: list[str] = []
    prefix = f"bench:{run_id}:"
    with tempfile.TemporaryDirectory(prefix="bench-") as tmpdir:
        tmp = Path(tmpdir)
        try:
            targets: list[tuple[str, list[str], list[subprocess.Popen[bytes]]]] = []
            if not args.no_reference:
                ref, ref_url = start_reference(fake.base_url, args.reference_echo)
                procs.append(ref)
                if not await wait_http(ref_url + "/wecom/callback", lambda: ref.poll() is None, 30):
                    print("reference did not start", file=sys.stderr)
                    return 2
                targets.append(("reference", [ref_url], [ref]))
                empty, empty_url = start_reference(fake.base_url, False, empty=True)
                procs.append(empty)
                if await wait_http(empty_url + "/wecom/callback", lambda: empty.poll() is None, 30):
                    targets.append(("ref-empty", [empty_url], [empty]))
                if not args.no_floor:
                    floor, floor_url = start_reference(fake.base_url, True, empty=True,
                                                       store=tmp / "floor.sqlite3")
                    procs.append(floor)
                    if await wait_http(floor_url + "/wecom/callback", lambda: floor.poll() is None, 30):
                        targets.append(("ref-floor", [floor_url], [floor]))
            for k, (name, n) in enumerate(() if args.reference_only else apps):
                users = [u for part in pools[name] for u in part]
                database_url = ""
                if n > 1 and args.several_postgres:
                    db_name = f"bench_callback_{run_id}_{k}"
                    try:
                        database_url = await fresh_postgres(args.several_postgres, db_name)
                    except (OSError, ValueError, asyncpg.PostgresError) as exc:
                        print(f"--several-postgres {args.several_postgres!r}: no database made there "
                              f"({type(exc).__name__}: {exc}); give a PostgreSQL server's URL, or '' "
                              "to run several processes on one SQLite file", file=sys.stderr)
                        return 2
                    made_databases.append(db_name)
                app_procs, urls, why = start_app(tmp, fake.base_url, users, f"{prefix}{k}:", f"app{k}", n,
                                                 args.lag, database_url)
                on = "PostgreSQL" if database_url or os.environ.get("BENCH_DATABASE_URL") else "SQLite"
                print(f"{name}: {n} serve process{'es' if n > 1 else ''} on {on} + Redis", flush=True)
                procs += app_procs
                if not app_procs:
                    print(f"TODO(lead): the real app was not benchmarked: {why}", file=sys.stderr)
                elif all([await wait_http(u + "/healthz", lambda p=p: p.poll() is None, 120)
                          for u, p in zip(urls, app_procs, strict=True)]):
                    targets.append((name, urls, app_procs))
                else:
                    print("TODO(lead): the real app did not become healthy; its log:", file=sys.stderr)
                    print((tmp / f"app{k}-0.log").read_text(errors="replace")[-2000:], file=sys.stderr)
            for name, urls, target_procs in targets:
                cbs = [u + "/wecom/callback" for u in urls]
                pids = [p.pid for p in target_procs]
                open_users, _, warm_users = pools[name]
                warm = Result(name, "warm-up")
                quiet = passive.get(name, False)
                if real:
                    await closed_loop_scripts(cbs, make_scripts(sim, warm_users, 300 * len(cbs), 1), 8, 30,
                                              replies, warm, pids, quiet)
                else:
                    await closed_loop(cbs, make_items(sim, warm_users, 300 * len(cbs)), 8, 30, replies, warm, pids)
                await wait_replies(replies, 5)
                replies.reset()

                res = Result(name, f"open {args.rate:.0f}/s")
                open_start = time.time()
                if real:
                    await open_loop_scripts(cbs, make_scripts(sim, open_users, n_open, 2), args.rate,
                                            args.duration, replies, res, pids, quiet)
                else:
                    await open_loop(cbs, make_items(sim, open_users, n_open), args.rate, replies, res, pids)
                open_end = time.time()
                await wait_replies(replies, 10)
                res.e2e = replies.e2e
                results.append(res)
                replies.reset()
                print(f"{name}: open loop done", flush=True)
                if args.lag and name.startswith("app"):
                    k = [a for a, _ in apps].index(name)
                    lag_files = [tmp / f"app{k}-{i}.lag" for i in range(len(urls))]
                    print(f"{name}: event-loop lag during the open loop: "
                          f"{loop_lag(lag_files, open_start, open_end)}", flush=True)

            # Closed loops in rounds, each target in turn: this machine's speed drifts by a
            # quarter from one minute to the next, and a comparison should not depend on
            # which target ran in the faster minute.
            closed = {name: Result(name, f"closed c={args.concurrency}") for name, _, _ in targets}
            feeds = {name: iter(make_items(sim, pools[name][1], n_closed * args.rounds))
                     for name, _, _ in targets} if not real else {}
            users_per_round = {name: -(-len(pools[name][1]) // args.rounds) for name, _, _ in targets}
            for k in range(args.rounds):
                line = []
                for name, urls, target_procs in targets:
                    part = Result(name, "round")
                    cbs = [u + "/wecom/callback" for u in urls]
                    pids = [p.pid for p in target_procs]
                    if real:
                        n = users_per_round[name]
                        mine = pools[name][1][k * n:(k + 1) * n]
                        await closed_loop_scripts(cbs, make_scripts(sim, mine, n_closed, 100 + k),
                                                  args.concurrency, args.closed_duration, replies, part,
                                                  pids, passive.get(name, False))
                    else:
                        items = [item for _, item in zip(range(n_closed), feeds[name], strict=False)]
                        await closed_loop(cbs, items, args.concurrency, args.closed_duration, replies, part,
                                          pids)
                    await wait_replies(replies, 15)
                    part.e2e = replies.e2e
                    part.done_elapsed = max(part.elapsed, (replies.last_at or 0.0) - part.started)
                    closed[name].absorb(part)
                    replies.reset()
                    line.append(f"{name} {part.done_throughput:.0f}")
                print(f"closed round {k + 1}/{args.rounds} (done/s): " + ", ".join(line), flush=True)
            results += closed.values()
        finally:
            for proc in procs:
                stop(proc)
            for db_name in made_databases:
                await drop_postgres(args.several_postgres, db_name)
            await fake.stop()
            if not args.reference_only:
                await cleanup_redis(prefix)
    print_table(results)
    note = floor_note(results)
    if note:
        print(note)
    verdicts = goals(results, args.rate, real)
    for text, ok in verdicts:
        print(f"  [{'PASS' if ok else 'FAIL'}] {text}")
    if not any(r.target.startswith("app") for r in results):
        print("  [TODO] the real app was not measured (see above)")
    if args.check and (not verdicts or not all(ok for _, ok in verdicts)):
        return 1
    return 0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, default=500, help="open-loop rate, messages/s")
    p.add_argument("--duration", type=float, default=10, help="open-loop seconds")
    p.add_argument("--concurrency", type=int, default=16, help="closed-loop concurrency")
    p.add_argument("--closed-duration", type=float, default=3, help="closed-loop seconds per round")
    p.add_argument("--rounds", type=int, default=6,
                   help="closed-loop rounds; in each, every target runs in turn")
    p.add_argument("--max-closed-rate", type=float, default=4000, help="messages prepared per closed-loop second")
    p.add_argument("--reference-only", action="store_true")
    p.add_argument("--no-floor", action="store_true",
                   help="leave out ref-floor (the echo that stores each message durably and replies "
                        "through message/send: the contract's least on this stack)")
    p.add_argument("--no-reference", action="store_true",
                   help="the app targets only (quicker before/after runs; no ratio goals)")
    p.add_argument("--processes", type=lambda v: [int(x) for x in v.split(",")], default=[1, 2],
                   help="app targets: serve processes behind a round-robin balancer, e.g. 1,2")
    p.add_argument("--several-postgres", metavar="URL",
                   default=os.environ.get("BENCH_SEVERAL_POSTGRES", "postgres://postgres@127.0.0.1:5432/test"),
                   help="targets of several processes run on PostgreSQL + Redis, as issue 7 deploys them: each "
                        "on a new database of this server, made and dropped here (default $BENCH_SEVERAL_POSTGRES "
                        "or the local test server); '' makes them share one SQLite file")
    p.add_argument(
        "--reference-echo",
        action="store_true",
        help="the reference also sends each text back through message/send (the goal's reference does not)",
    )
    p.add_argument("--mix", choices=("real", "help"), default="real",
                   help="real: bookings, repairs, rooms and status questions from thousands of users, "
                        "answered 确认 as users do; help: the one `帮助` message of earlier stops")
    p.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    p.add_argument("--lag", action="store_true",
                   help="run the app with an event-loop lag probe (bench/serve_probe.py) and print its lag")
    args = p.parse_args()
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
