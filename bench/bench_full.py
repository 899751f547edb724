"""The full path under load (issue 7, benchmark): two `python main.py serve` processes on
PostgreSQL and Redis against the thin reference (bench/echo_reference.py: bare aiohttp +
wechatpy, answers each text with itself as WeCom's passive reply), measured in the same
run on the same machine.

A booking is a dialogue of two messages, each decrypted, deduplicated, parsed (NLU) and
answered through `message/send`: the booking sentence with an explicit, distinct time
window ("2027年1月5日8点20分到8点40分用车去市政府，2人") → the summary; then "确认" → the
request written with its approval steps, holds, audit record and the approver's card
(outbox) → "已提交 #…". The two messages of a dialogue go to different processes (the
dialogue state is in Redis), as a load balancer would spread them.

Phases:
  reference   closed loop, `--concurrency` in flight: the reference's msg/s
  warm-up     a few dialogues through the app
  sustained   closed loop, `--dialogues` in flight for `--duration` s: bookings/s
  open        `--rates` messages/s open loop (half sentences, half confirmations, a
              confirmation `--think` s after its sentence, or when the summary came if
              later): end-to-end latency, callback sent → the reply at the fake WeCom API

Then it waits for the outbox to drain and checks: no overlapping holds (SQL over `hold`),
one request per confirmed booking, every outbox row sent and received exactly once, every
message answered, nothing dropped by WeCom's duplicate check or per-user rate limit.

Goals: bookings/s ≥ 1/4 of the reference's msg/s; at 200 msg/s e2e p99 < 150 ms.

    .venv/bin/python bench/bench_full.py [--duration 10] [--open-duration 5]
        [--rates 200,20] [--dialogues 48] [--concurrency 16] [--check]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import asyncpg
import yaml

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

POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
TZ = ZoneInfo("Asia/Shanghai")
SLOTS_PER_DAY = 30  # 20-minute windows from 08:00 to 18:00
CONFIRM = "确认"


# --- the organisation -----------------------------------------------------------------


def organisation(staff: int, departments: int, vehicles: int) -> dict[str, object]:
    """`departments` departments under the bureau, each with its head (the first approver:
    many heads keep each under WeCom's 30 messages a minute), `staff` staff spread over
    them, a fleet manager, `vehicles` vehicles each with its driver."""
    depts: list[dict[str, object]] = [{"id": 1, "name": "市机关事务管理局", "parent": None}]
    users: list[dict[str, object]] = [
        {"userid": "fleet", "name": "车管", "department": 1, "roles": ["staff", "fleet_manager"]},
    ]
    for d in range(departments):
        dept_id = 100 + d
        depts.append({"id": dept_id, "name": f"压测处{d:03d}", "parent": 1})
        users.append({"userid": f"head{d:03d}", "name": f"处长{d:03d}", "department": dept_id,
                      "roles": ["staff", "dept_head"]})
    users += [{"userid": f"u{i:05d}", "name": f"员工{i:05d}", "department": 100 + i % departments,
               "roles": ["staff"]} for i in range(staff)]
    users += [{"userid": f"drv{i:03d}", "name": f"司机{i:03d}", "department": 1, "roles": ["driver"]}
              for i in range(vehicles)]
    fleet = [{"plate": f"沪B{i:05d}", "model": "大众帕萨特", "seats": 5, "driver": f"drv{i:03d}"}
             for i in range(vehicles)]
    return {
        "departments": depts, "users": users, "vehicles": fleet, "facilities": [],
        "approval_rules": {"vehicle_booking": ["dept_head", "fleet_manager"],
                           "facility_reservation": [], "repair_request": []},
    }


# --- dialogues ------------------------------------------------------------------------


@dataclass
class Message:
    user: str
    query: dict[str, str]
    body: bytes


@dataclass
class Dialogue:
    user: str
    sentence: Message
    confirm: Message


def window_text(k: int, first_day: date) -> str:
    """Dialogue k's distinct 20-minute window, said as people say it."""
    day = first_day + timedelta(days=k // SLOTS_PER_DAY)
    start = 8 * 60 + 20 * (k % SLOTS_PER_DAY)
    end = start + 20

    def clock(minutes: int) -> str:
        h, m = divmod(minutes, 60)
        return f"{h}点{m}分" if m else f"{h}点"

    return f"{day.year}年{day.month}月{day.day}日{clock(start)}到{clock(end)}用车去市政府，2人，事由：送文件"


class Builder:
    def __init__(self, sim: WeComSim, users: Sequence[str], first_day: date) -> None:
        self.sim, self.users, self.first_day = sim, users, first_day
        self.k = 0
        self.msg_base = int.from_bytes(os.urandom(6), "big") * 1000

    def _message(self, user: str, text: str) -> Message:
        self.msg_base += 1
        xml = message_xml("text", user, CORP_ID, AGENT_ID, {"Content": text}, msg_id=str(self.msg_base))
        query, body = self.sim.post(xml)
        return Message(user, query, body.encode())

    def next(self) -> Dialogue:
        """The next dialogue: the next user (round robin), the next window."""
        user = self.users[self.k % len(self.users)]
        text = window_text(self.k, self.first_day)
        self.k += 1
        return Dialogue(user, self._message(user, text), self._message(user, CONFIRM))

    def many(self, n: int) -> list[Dialogue]:
        return [self.next() for _ in range(n)]


# --- replies at the fake WeCom API ----------------------------------------------------


class Replies:
    """Each text reply arriving at the fake resolves the oldest waiting message of its
    user (one reply per message; a user has one dialogue at a time)."""

    def __init__(self) -> None:
        self.waiting: dict[str, list[asyncio.Future[tuple[float, str]]]] = defaultdict(list)
        self.unexpected: list[SentMessage] = []

    def expect(self, user: str) -> asyncio.Future[tuple[float, str]]:
        fut: asyncio.Future[tuple[float, str]] = asyncio.get_running_loop().create_future()
        self.waiting[user].append(fut)
        return fut

    def on_sent(self, msg: SentMessage) -> None:
        if msg.msgtype not in ("text", "markdown"):
            return  # approver cards: counted from the outbox
        queue = self.waiting.get(msg.touser)
        if not queue:
            self.unexpected.append(msg)
            return
        fut = queue.pop(0)
        if not fut.done():
            fut.set_result((msg.at, msg.text))


@dataclass
class Phase:
    name: str
    messages: int = 0
    ok: int = 0  # callbacks answered 200
    bookings: int = 0  # "已提交" replies
    other_answers: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    callback: list[float] = field(default_factory=list)
    e2e: list[float] = field(default_factory=list)
    e2e_sent: list[float] = field(default_factory=list)  # when each e2e's message was due
    lost: int = 0  # messages whose reply never came

    @property
    def msg_rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    @property
    def booking_rate(self) -> float:
        return self.bookings / self.elapsed if self.elapsed else 0.0


async def post(session: aiohttp.ClientSession, url: str, msg: Message) -> bool:
    try:
        async with session.post(url, params=msg.query, data=msg.body,
                                headers={"Content-Type": "text/xml"}) as resp:
            await resp.read()
            return resp.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


class Driver:
    """Sends messages to the app's processes and waits for their replies."""

    def __init__(self, session: aiohttp.ClientSession, urls: Sequence[str], replies: Replies,
                 reply_timeout: float) -> None:
        self.session, self.urls, self.replies = session, [u + "/wecom/callback" for u in urls], replies
        self.reply_timeout = reply_timeout
        self.turn = 0

    async def say(self, msg: Message, url: str, phase: Phase, t0: float | None = None) -> str | None:
        """Post `msg`, wait for its reply; records latencies from `t0` (default: now)."""
        t0 = time.monotonic() if t0 is None else t0
        fut = self.replies.expect(msg.user)
        phase.messages += 1
        ok = await post(self.session, url, msg)
        phase.callback.append(time.monotonic() - t0)
        phase.ok += ok
        try:
            at, text = await asyncio.wait_for(fut, self.reply_timeout)
        except TimeoutError:
            phase.lost += 1
            return None
        phase.e2e.append(at - t0)
        phase.e2e_sent.append(t0)
        return text

    async def dialogue(self, d: Dialogue, phase: Phase, t0: float | None = None,
                       think: float = 0.0) -> None:
        first = self.urls[self.turn % 2]
        second = self.urls[(self.turn + 1) % 2]
        self.turn += 1
        summary = await self.say(d.sentence, first, phase, t0)
        if summary is None:
            return
        if not summary.startswith("请确认用车申请"):
            phase.other_answers[summary[:24]] += 1
            return
        t1 = None
        if t0 is not None and think:
            t1 = max(time.monotonic(), t0 + think)
            await asyncio.sleep(t1 - time.monotonic())
        answer = await self.say(d.confirm, second, phase, t1)
        if answer is None:
            return
        if answer.startswith("已提交"):
            phase.bookings += 1
        else:
            phase.other_answers[answer[:24]] += 1


async def closed(driver: Driver, builder: Builder, phase: Phase, in_flight: int,
                 duration: float, limit: int) -> None:
    started = time.monotonic()
    deadline = started + duration
    budget = [limit]

    async def worker() -> None:
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            await driver.dialogue(builder.next(), phase)

    await asyncio.gather(*(worker() for _ in range(in_flight)))
    phase.elapsed = time.monotonic() - started


async def open_loop(driver: Driver, dialogues: list[Dialogue], phase: Phase, rate: float,
                    think: float) -> None:
    """`rate` messages/s: a new dialogue every 2/rate s, its confirmation `think` s later."""
    interval = 2 / rate
    start = time.monotonic() + 0.05
    tasks = []
    for i, d in enumerate(dialogues):
        t0 = start + i * interval
        delay = t0 - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(driver.dialogue(d, phase, t0, think)))
    await asyncio.gather(*tasks)
    phase.elapsed = len(dialogues) * interval


async def reference_loop(url: str, messages: list[Message], in_flight: int, duration: float,
                         phase: Phase) -> None:
    feed = iter(messages)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=in_flight)) as session:
        started = time.monotonic()
        deadline = started + duration

        async def worker() -> None:
            for msg in feed:
                if time.monotonic() > deadline:
                    return
                t0 = time.monotonic()
                ok = await post(session, url + "/wecom/callback", msg)
                phase.callback.append(time.monotonic() - t0)
                phase.messages += 1
                phase.ok += ok

        await asyncio.gather(*(worker() for _ in range(in_flight)))
        phase.elapsed = time.monotonic() - started


# --- processes ------------------------------------------------------------------------


async def spawn(args: Sequence[str], env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("wb") as sink:
        return await asyncio.create_subprocess_exec(*args, cwd=ROOT, env=env, stdout=sink,
                                                    stderr=asyncio.subprocess.STDOUT)


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 20)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- checks ---------------------------------------------------------------------------


async def wait_drained(url: str, seconds: float) -> int:
    """Undelivered outbox rows left after waiting up to `seconds` for none."""
    conn = await asyncpg.connect(url)
    try:
        deadline = time.monotonic() + seconds
        while True:
            left = int(await conn.fetchval("SELECT count(*) FROM outbox_message WHERE status <> 'sent'"))
            if not left or time.monotonic() > deadline:
                return left
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


async def database_checks(url: str, fake: FakeWeCom) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        overlaps = await conn.fetchval(
            """SELECT count(*) FROM hold a JOIN hold b ON a.resource = b.resource AND a.id < b.id
               WHERE a.active AND b.active AND a.start < b."end" AND b.start < a."end" """
        )
        requests = await conn.fetchval("SELECT count(*) FROM request")
        steps = await conn.fetchval("SELECT count(*) FROM approval_step")
        audits = await conn.fetchval("SELECT count(*) FROM audit_log")
        rows = await conn.fetch("SELECT user_id, kind, content, status FROM outbox_message")
    finally:
        await conn.close()
    got = Counter((m.touser, m.msgtype, json.dumps(m.content, sort_keys=True, ensure_ascii=False))
                  for m in fake.sent)
    not_once = 0
    for row in rows:
        key = (row["user_id"], row["kind"],
               json.dumps(json.loads(row["content"]), sort_keys=True, ensure_ascii=False))
        if got[key] != 1:
            not_once += 1
    return {
        "overlaps": int(overlaps), "requests": int(requests), "steps": int(steps),
        "audit": int(audits), "outbox": len(rows),
        "outbox_unsent": sum(r["status"] != "sent" for r in rows), "outbox_not_once": not_once,
        "dropped_duplicate": len(fake.dropped_duplicates),
        "dropped_rate_limit": len(fake.dropped_rate_limited),
    }


async def sample_waits(url: str, db_name: str, stop_at: asyncio.Event, counts: Counter[str]) -> int:
    """Every 0.2 s: what the app's database sessions wait on (lock waits by statement);
    returns the number of samples. Shows where bookings serialise."""
    conn = await asyncpg.connect(url)
    samples = 0
    try:
        while not stop_at.is_set():
            rows = await conn.fetch(
                """SELECT wait_event_type, left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS q
                   FROM pg_stat_activity WHERE datname = $1 AND state = 'active'
                   AND pid <> pg_backend_pid()""", db_name)
            samples += 1
            for row in rows:
                if row["wait_event_type"] == "Lock":
                    counts[row["q"]] += 1
            try:
                await asyncio.wait_for(stop_at.wait(), 0.2)
            except TimeoutError:
                pass
    finally:
        await conn.close()
    return samples


# --- report ---------------------------------------------------------------------------


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f}"


def print_table(phases: Sequence[Phase]) -> None:
    head = (f"{'phase':<22} {'msgs':>6} {'ok':>6} {'msg/s':>7} {'book/s':>7} {'cb p50':>7} "
            f"{'cb p99':>7} {'e2e p50':>8} {'e2e p99':>8} {'lost':>5}")
    print()
    print(head)
    print("-" * len(head))
    for p in phases:
        print(f"{p.name:<22} {p.messages:>6} {p.ok:>6} {p.msg_rate:>7.0f} "
              f"{p.booking_rate if p.bookings else 0:>7.1f} {ms(pct(p.callback, 50)):>7} "
              f"{ms(pct(p.callback, 99)):>7} {ms(pct(p.e2e, 50)):>8} {ms(pct(p.e2e, 99)):>8} "
              f"{p.lost:>5}")
    print("(ms; e2e = message posted (open loop: its scheduled time) → its reply's message/send "
          "at the fake WeCom API; book/s = '已提交' replies per second)")


def print_timeline(phase: Phase) -> None:
    """An open-loop phase second by second: does latency build up (a queue: the rate is
    above what the processes sustain) or spike now and then (a stall)?"""
    if not phase.e2e_sent:
        return
    first = min(phase.e2e_sent)
    by_second: dict[int, list[float]] = defaultdict(list)
    for sent, e2e in zip(phase.e2e_sent, phase.e2e, strict=True):
        by_second[int(sent - first)].append(e2e)
    cells = [f"{s}s {ms(pct(v, 50))}/{ms(pct(v, 99))}" for s, v in sorted(by_second.items())]
    print(f"  {phase.name}, e2e p50/p99 by second sent: " + ", ".join(cells))


async def run(args: argparse.Namespace) -> int:
    run_id = uuid.uuid4().hex[:8]
    db_name = f"bench_full_{run_id}"
    db_url = f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{db_name}"
    prefix = f"benchfull:{run_id}:"
    sim = WeComSim(TOKEN, AES_KEY, CORP_ID, AGENT_ID)
    replies = Replies()
    fake = FakeWeCom(corp_id=CORP_ID, secret=SECRET, agent_id=AGENT_ID, on_sent=replies.on_sent)
    await fake.start()
    procs: list[asyncio.subprocess.Process] = []
    phases: list[Phase] = []
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{db_name}"')
    await admin.close()
    verdicts: list[tuple[str, bool]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-full-") as tmpdir:
            tmp = Path(tmpdir)
            org = organisation(args.staff, args.departments, args.vehicles)
            (tmp / "org.yaml").write_text(yaml.safe_dump(org, allow_unicode=True), encoding="utf-8")
            env = base_env(fake.base_url)
            env.update(DATABASE_URL=db_url, REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=prefix,
                       DATA_DIR=str(tmp), HOST="127.0.0.1")
            print(f"seeding {args.staff} staff, {args.departments} departments, "
                  f"{args.vehicles} vehicles into {db_name}…", flush=True)
            seed = await asyncio.create_subprocess_exec(
                sys.executable, "main.py", "seed", str(tmp / "org.yaml"), cwd=ROOT, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
            out, _ = await seed.communicate()
            if seed.returncode != 0:
                print(f"seed failed: {out.decode(errors='replace')[-1500:]}", file=sys.stderr)
                return 2

            ref_port = free_port()
            ref = await spawn([sys.executable, "bench/echo_reference.py", "--port", str(ref_port)],
                              base_env(fake.base_url), tmp / "reference.log")
            procs.append(ref)
            urls = []
            apps = []
            for i in range(2):
                port = free_port()
                app_env = dict(env, PORT=str(port), PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
                profile = ["-m", "cProfile", "-o", f"{args.profile}/serve{i}.prof"] if args.profile else []
                command = [args.serve_script] if args.serve_script else ["main.py", "serve"]
                proc = await spawn([sys.executable, *profile, *command], app_env,
                                   tmp / f"serve{i}.log")
                procs.append(proc)
                apps.append(proc)
                urls.append(f"http://127.0.0.1:{port}")
            ref_url = f"http://127.0.0.1:{ref_port}"
            if not await wait_http(ref_url + "/wecom/callback", lambda: ref.returncode is None, 30):
                print("the reference did not start", file=sys.stderr)
                return 2
            for i, (url, proc) in enumerate(zip(urls, apps, strict=True)):
                if not await wait_http(url + "/healthz", lambda proc=proc: proc.returncode is None, 120):
                    print(f"serve {i} did not become healthy:\n"
                          f"{(tmp / f'serve{i}.log').read_text(errors='replace')[-2000:]}", file=sys.stderr)
                    return 2

            users = [f"u{i:05d}" for i in range(args.staff)]
            first_day = (datetime.now(TZ) + timedelta(days=2)).date()
            builder = Builder(sim, users, first_day)
            print("measuring the reference…", flush=True)
            ref_phase = Phase(f"reference c={args.concurrency}")
            warm = [builder._message(users[i % len(users)], "帮助") for i in range(300)]
            await reference_loop(ref_url, warm, args.concurrency, 30, Phase("ref warm-up"))
            ref_msgs = [builder._message(users[i % len(users)], window_text(i, first_day))
                        for i in range(int(args.concurrency_rate * args.ref_duration))]
            await reference_loop(ref_url, ref_msgs, args.concurrency, args.ref_duration, ref_phase)
            phases.append(ref_phase)
            await stop(ref)

            timeout = aiohttp.ClientTimeout(total=30)
            async with aiohttp.ClientSession(timeout=timeout,
                                             connector=aiohttp.TCPConnector(limit=0)) as session:
                driver = Driver(session, urls, replies, reply_timeout=args.reply_timeout)
                print("warming up the app…", flush=True)
                warm_phase = Phase("app warm-up")
                await closed(driver, builder, warm_phase, 16, 60, 100)

                print(f"sustained bookings: {args.dialogues} dialogues in flight, "
                      f"{args.duration:.0f} s…", flush=True)
                sustained = Phase(f"app closed d={args.dialogues}")
                cpu0 = sum(cpu_seconds(p.pid) for p in apps)
                waits: Counter[str] = Counter()
                sampling = asyncio.Event()
                sampler = asyncio.create_task(sample_waits(db_url, db_name, sampling, waits))
                await closed(driver, builder, sustained, args.dialogues, args.duration, args.staff * 4)
                cpu = sum(cpu_seconds(p.pid) for p in apps) - cpu0
                sampling.set()
                samples = await sampler
                phases.append(sustained)

                open_phases: dict[float, Phase] = {}
                for rate in args.rates:
                    print(f"open loop: {rate:g} msg/s for {args.open_duration:.0f} s…", flush=True)
                    dialogues = builder.many(max(1, int(rate * args.open_duration / 2)))
                    phase = Phase(f"app open {rate:g} msg/s")
                    await open_loop(driver, dialogues, phase, rate, args.think)
                    phases.append(phase)
                    open_phases[rate] = phase

            left = await wait_drained(db_url, 90)
            checks = await database_checks(db_url, fake)
            for proc in apps:
                await stop(proc)
    finally:
        for proc in procs:
            await stop(proc)
        await fake.stop()
        await cleanup(prefix, db_name)

    print_table(phases)
    for phase in phases:
        if phase.name.startswith("app open"):
            print_timeline(phase)
    booked = warm_phase.bookings + sustained.bookings + sum(p.bookings for p in open_phases.values())
    goal_rate = args.rates[0]
    print(f"\nserver CPU (both processes) per booking in the sustained phase: "
          f"{cpu / max(sustained.bookings, 1) * 1000:.2f} ms "
          f"({cpu / max(sustained.elapsed, 1e-9) * 100:.0f}% of one core)")
    print(f"database: {checks['requests']} requests ({checks['steps']} steps, {checks['audit']} audit "
          f"records), {checks['outbox']} outbox rows ({checks['outbox_unsent']} unsent after "
          f"draining, {left} left), {checks['overlaps']} overlapping holds")
    if waits:
        print(f"sessions waiting on a lock, sustained phase ({samples} samples of pg_stat_activity):")
        for query, n in waits.most_common(3):
            print(f"  {n / max(samples, 1):5.1f} on average waiting at: {query}")
    others = sum((p.other_answers for p in phases), Counter())
    if others:
        print(f"answers that were not a summary or a booking: {dict(others)}")
    lost = sum(p.lost for p in phases)
    ratio = sustained.booking_rate / ref_phase.msg_rate if ref_phase.msg_rate else 0.0
    p99 = pct(open_phases[goal_rate].e2e, 99)
    verdicts = [
        (f"sustained bookings {sustained.booking_rate:.1f}/s vs reference {ref_phase.msg_rate:.0f} "
         f"msg/s: ratio {ratio:.3f} ≥ 0.25", ratio >= 0.25),
        (f"app messages {sustained.msg_rate:.0f}/s vs reference: ratio "
         f"{sustained.msg_rate / max(ref_phase.msg_rate, 1e-9):.3f} (information)", True),
        (f"at {goal_rate:g} msg/s e2e p99 {ms(p99)} ms < 150 ms", p99 is not None and p99 < 0.150),
        (f"no overlap: {checks['overlaps']} overlapping holds", checks["overlaps"] == 0),
        (f"one request per booking: {checks['requests']} requests, {booked} '已提交' replies "
         f"(warm-up included)", checks["requests"] == booked),
        (f"nothing lost: {lost} messages unanswered, {checks['outbox_unsent']} outbox rows unsent, "
         f"{checks['outbox_not_once']} not received exactly once, {len(replies.unexpected)} "
         f"unexpected replies, WeCom dropped {checks['dropped_duplicate']} duplicates and "
         f"{checks['dropped_rate_limit']} over the rate limit",
         lost == 0 and checks["outbox_unsent"] == 0 and checks["outbox_not_once"] == 0
         and not replies.unexpected and checks["dropped_duplicate"] == 0
         and checks["dropped_rate_limit"] == 0),
    ]
    for text, ok in verdicts:
        print(f"  [{'PASS' if ok else 'FAIL'}] {text}")
    if args.check and not all(ok for _, ok in verdicts):
        return 1
    return 0


async def cleanup(prefix: str, db_name: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    try:
        keys = [k async for k in client.scan_iter(match=f"{prefix}*", count=1000)]
        for i in range(0, len(keys), 1000):
            await client.delete(*keys[i : i + 1000])
    finally:
        await client.aclose()
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    finally:
        await admin.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=float, default=10, help="sustained phase, seconds")
    p.add_argument("--dialogues", type=int, default=48, help="dialogues in flight (sustained)")
    p.add_argument("--rates", type=lambda v: [float(x) for x in v.split(",")], default=[200.0, 20.0],
                   help="open-loop messages/s, comma-separated; the first is the goal's (200)")
    p.add_argument("--open-duration", type=float, default=5, help="open-loop seconds")
    p.add_argument("--reply-timeout", type=float, default=120,
                   help="seconds a message's reply may take before it counts as lost")
    p.add_argument("--think", type=float, default=0.5, help="open loop: s from sentence to 确认")
    p.add_argument("--concurrency", type=int, default=16, help="reference: requests in flight")
    p.add_argument("--ref-duration", type=float, default=5, help="reference: seconds")
    p.add_argument("--concurrency-rate", type=float, default=5000, help="reference: msgs prepared per s")
    p.add_argument("--staff", type=int, default=1200)
    p.add_argument("--departments", type=int, default=400)
    p.add_argument("--vehicles", type=int, default=200)
    p.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    p.add_argument("--profile", metavar="DIR", help="run each serve under cProfile, write DIR/serveN.prof")
    p.add_argument("--serve-script", help=argparse.SUPPRESS)  # experiments: a wrapper of serve
    args = p.parse_args()
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
