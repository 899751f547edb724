"""The dashboard and the /m/ pages at a year of a large bureau (issue 16, item 4).

Makes a year of requests (default 1,000,000: vehicle bookings, rooms and repairs, with
their approval steps and audit rows) from 50,000 users in 60 departments, written with
raw executemany (SQLite) or COPY (PostgreSQL) — the bench's own data maker, not the
app's way in — then times, through the real app (aiohttp, templates, auth):

  - every dashboard view: the page for the default month, for one department's subtree,
    and for the whole year, and every CSV for the month;
  - `/m/requests` (我的申请) for users picked at random, with a session cookie.

Before timing, the dashboard's daily rollup (models/stats/rollup.py) is brought up to
date, as the timers of `serve` keep it, and its build time printed.

Goals: every dashboard view and CSV p99 < 300 ms, `/m/requests` p99 < 50 ms, on SQLite and
PostgreSQL.

    .venv/bin/python bench/bench_dashboard.py [--db sqlite|postgres|both] [--requests N]
        [--users N] [--iterations N] [--reuse] [--check]

SQLite works in a file under the system temp directory (kept with `--reuse`, rebuilt
when its size differs); PostgreSQL in its own database (`bench_dashboard` on the server
of $BENCH_POSTGRES_URL, default the local test server; $BENCH_POSTGRES_DB names another),
created here — never the tests'.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import asyncpg  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from tortoise import connections  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402

from bot.app import create_app  # noqa: E402
from bot.timers import timers_ctx  # noqa: E402
from bot.web.auth import SESSION_COOKIE, _serializer  # noqa: E402
from bot.web.dashboard import CLOCK, TABLES  # noqa: E402
from models.db import close_db, generate_schema, init_db, is_sqlite  # noqa: E402
from models.stats import rollup  # noqa: E402
from settings import Settings  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)
TODAY = NOW.date()
VEHICLES, ROOMS, DIVISIONS, SECTIONS = 300, 120, 12, 4  # 1 + 12 + 48 departments
PAGE_GOAL_MS, M_GOAL_MS = 300.0, 50.0
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
PG_NAME = os.environ.get("BENCH_POSTGRES_DB", "bench_dashboard")  # its own database
PG_URL = f"{PG_SERVER.rsplit('/', 1)[0]}/{PG_NAME}"
ADMIN_TOKEN = "bench-admin-token"
PLACES = ("1号楼", "2号楼", "3号楼", "5号楼", "综合楼")

COLUMNS = {
    "department": ("id", "name", "parent_id"),
    "user": ("id", "userid", "name", "department_id", "active"),
    "user_role": ("id", "user_id", "role"),
    "vehicle": ("id", "plate", "model", "seats", "in_service", "driver_id"),
    "facility": ("id", "name", "type", "building", "capacity", "needs_approval", "open_from",
                 "open_to", "active", "floor", "equipment"),
    "approval_rule": ("request_type", "roles"),
    "request": ("id", "type", "status", "department_id_at", "start", "end", "details",
                "created_at", "updated_at", "applicant_id", "assignee_id", "driver_id",
                "facility_id", "vehicle_id"),
    "approval_step": ("id", "request_id", "seq", "role", "approver_id", "decision",
                      "decided_at", "channel"),
    "audit_log": ("id", "request_id", "actor", "action", "from_status", "to_status",
                  "channel", "at", "details"),
}


class Data:
    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in COLUMNS}

    def add(self, table: str, *values: Any) -> int:
        rows = self.rows[table]
        rows.append((len(rows) + 1, *values))
        return len(rows)


def make(total: int, n_users: int, pg: bool) -> Data:
    """A year up to NOW: requests created evenly over the 365 days, the last two days'
    still open; the steps decided within hours; repairs assigned and finished."""
    rng = random.Random(16)
    d = Data()
    def js(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    d.add("department", "市机关事务管理局", None)
    leaves: list[int] = []
    for i in range(DIVISIONS):
        div = d.add("department", f"处室{i}", 1)
        for j in range(SECTIONS):
            leaves.append(d.add("department", f"处室{i}科{j}", div))
    depts = list(range(1, len(d.rows["department"]) + 1))
    heads: dict[int, int] = {}
    for dept in depts:
        uid = d.add("user", f"head{dept}", f"处长{dept}", dept, True)
        d.add("user_role", uid, "dept_head")
        heads[dept] = uid
    fleet = d.add("user", "fleet", "车管", 1, True)
    d.add("user_role", fleet, "fleet_manager")
    rooms_admin = d.add("user", "rooms", "场地管理", 1, True)
    d.add("user_role", rooms_admin, "facility_admin")
    workers = []
    for i in range(20):
        w = d.add("user", f"worker{i}", f"维修工{i}", 1, True)
        d.add("user_role", w, "repair_worker")
        workers.append((w, f"worker{i}"))
    drivers = []
    for i in range(VEHICLES):
        u = d.add("user", f"driver{i}", f"司机{i}", 1, True)
        d.add("user_role", u, "driver")
        drivers.append(u)
        d.add("vehicle", f"沪A{10000 + i}", "别克GL8", (4, 5, 7, 12)[i % 4], True, u)
    for i in range(ROOMS):
        d.rows["facility"].append((f"room-{i}", f"{i}号会议室", "meeting_room", PLACES[i % 5],
                                  (8, 12, 20, 40)[i % 4], i % 3 == 0, "08:00", "20:00", True,
                                  f"{2 + i % 5}楼", json.dumps(["投影仪"] if i % 2 else [])))
    for rtype, roles in (("vehicle_booking", ["dept_head", "fleet_manager"]),
                         ("facility_reservation", ["facility_admin"]), ("repair_request", [])):
        d.rows["approval_rule"].append((rtype, json.dumps(roles)))
    staff: list[tuple[int, str, int]] = []
    for i in range(max(100, n_users - len(d.rows["user"]))):  # the staff who apply
        dept = leaves[i % len(leaves)]
        userid = f"staff{i}"
        staff.append((d.add("user", userid, f"职员{i}", dept, True), userid, dept))
        d.add("user_role", staff[-1][0], "staff")
    begin = NOW.astimezone(UTC) - timedelta(days=365)
    now = NOW.astimezone(UTC)
    step = timedelta(days=365) / max(total, 1)
    for k in range(total):
        created = begin + step * k + timedelta(seconds=rng.random() * 60)
        uid, userid, dept = rng.choice(staff)
        recent = now - created < timedelta(days=2)
        roll = rng.random()
        kind = "vehicle_booking" if roll < 0.4 else "facility_reservation" if roll < 0.7 else "repair_request"
        start = end = None
        vehicle = driver = facility = assignee = None
        details: dict[str, Any] = {}
        steps: list[tuple[str, int]] = []
        if kind == "vehicle_booking":
            start = created + timedelta(hours=rng.randint(2, 24 * 7))
            end = start + timedelta(minutes=30 * rng.randint(2, 16))
            v = rng.randrange(VEHICLES)
            vehicle, driver = v + 1, drivers[v]
            steps = [("dept_head", heads[dept]), ("fleet_manager", fleet)]
        elif kind == "facility_reservation":
            start = created + timedelta(hours=rng.randint(2, 24 * 7))
            end = start + timedelta(minutes=30 * rng.randint(2, 8))
            f = rng.randrange(ROOMS)
            facility = f"room-{f}"
            if f % 3 == 0:
                steps = [("facility_admin", rooms_admin)]
        else:
            details = {"location": f"{rng.choice(PLACES)}{rng.randint(1, 9)}{rng.randint(1, 30):02d}室",
                       "category": "electric", "description": "灯不亮", "photos": []}
        if recent:
            status = "pending" if rng.random() < 0.5 else ("approved" if kind != "repair_request" else "assigned")
        else:
            r = rng.random()
            status = "completed" if r < 0.85 else "cancelled" if r < 0.95 else (
                "rejected" if steps else "completed")
        if kind == "repair_request" and status != "pending":
            assignee = rng.choice(workers)
        if kind == "facility_reservation" and not steps and status == "pending":
            status = "approved"
        rid = d.add("request", kind, status, dept, start, end, js(details), created, created, uid,
                    assignee[0] if assignee else None, driver, facility, vehicle)
        d.add("audit_log", rid, userid, "create", None, "pending", "chat", created,
              js({"type": kind}))
        at = created
        for seq, (role, approver) in enumerate(steps, start=1):
            decided = status in ("approved", "completed") or (status == "rejected" and seq == 1)
            at = at + timedelta(minutes=rng.expovariate(1 / 45)) if decided else at
            d.add("approval_step", rid, seq, role, approver,
                  ("reject" if status == "rejected" else "approve") if decided else None,
                  at if decided else None, "chat" if decided else None)
            if status == "rejected":
                break
        if kind == "repair_request" and assignee is not None:
            assigned = created + timedelta(minutes=rng.expovariate(1 / 20))
            d.add("audit_log", rid, "dispatcher", "assign", "pending", "assigned", "chat", assigned, "{}")
            if status == "completed":
                done = assigned + timedelta(minutes=rng.expovariate(1 / 300))
                d.add("audit_log", rid, assignee[1], "completed", "in_progress", "completed", "chat",
                      done, "{}")
    return d


async def load(d: Data, url: str) -> None:
    conn: Any = connections.get("default")
    if is_sqlite(url):
        async with in_transaction() as tx:
            for table, rows in d.rows.items():
                cols = COLUMNS[table]
                names = ", ".join(f'"{c}"' for c in cols)
                sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})'
                for i in range(0, len(rows), 50_000):
                    await tx.execute_many(sql, [list(r) for r in rows[i:i + 50_000]])
        await conn.execute_script("ANALYZE")
        return
    async with conn.acquire_connection() as raw:
        for table, rows in d.rows.items():
            await raw.copy_records_to_table(table, records=rows, columns=list(COLUMNS[table]))
            if table not in ("facility", "approval_rule", "department"):
                await raw.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                  f'(SELECT max(id) FROM "{table}"))')
    await conn.execute_script("VACUUM ANALYZE")


async def build(url: str, total: int, users: int) -> None:
    started = time.perf_counter()
    pg = not is_sqlite(url)
    if not pg:
        path = Path(url.removeprefix("sqlite://"))
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            p.unlink(missing_ok=True)
        await init_db(url, create_schema=True)
    else:
        admin = await asyncpg.connect(PG_SERVER)
        try:
            if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", PG_NAME):
                await admin.execute(f'CREATE DATABASE "{PG_NAME}"')
        finally:
            await admin.close()
        await init_db(url, create_schema=False)
        await connections.get("default").execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await close_db()
        await init_db(url)  # the migrations, as `serve` applies them (the indexes included)
    d = make(total, users, pg)
    made = time.perf_counter()
    try:
        await load(d, url)
    except BaseException:
        await close_db()  # an open SQLite connection's thread would keep the process alive
        raise
    print(f"  built: {len(d.rows['request']):,} requests, {len(d.rows['user']):,} users, "
          f"{len(d.rows['approval_step']):,} steps, {len(d.rows['audit_log']):,} audit rows "
          f"(made {made - started:.1f} s, loaded {time.perf_counter() - made:.1f} s)", flush=True)


async def size_of() -> int:
    try:
        rows = await connections.get("default").execute_query_dict("SELECT count(*) AS n FROM request")
    except Exception:  # noqa: BLE001 - no table yet
        return -1
    return int(rows[0]["n"])


def pct(samples: Sequence[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def measure(url: str, iterations: int, tmp: Path, only: Sequence[str] = ()
                  ) -> list[tuple[str, float, float, int, float, float]]:
    """(view, p50 ms, p99 ms, bytes, goal, CPU ms p50) for each view. CPU is this
    process's (the app, and on SQLite the database's work in its thread; on PostgreSQL the
    server's is not in it)."""
    settings = Settings(
        corp_id="wwbench", agent_id=1000002, secret="bench-secret", token="benchtoken",
        aes_key="a" * 43, api_base="http://127.0.0.1:9/cgi-bin/", database_url=url,
        redis_url=None, secret_key="bench-secret-key-0123456789", admin_token=ADMIN_TOKEN,
        data_dir=str(tmp),
    )
    app = create_app(settings)  # the app opens and closes the database, as `serve` does
    app[CLOCK] = lambda: NOW
    # Without the reminder sweeper: on the real clock it would find the made year's open
    # requests late and write reminders while we measure.
    app.cleanup_ctx[:] = [c for c in app.cleanup_ctx if c is not timers_ctx]
    client = TestClient(TestServer(app), timeout=aiohttp.ClientTimeout(total=None))
    await client.start_server()
    out = []
    try:
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        month = {"from": (TODAY - timedelta(days=29)).isoformat(), "to": TODAY.isoformat()}
        year = {"from": (TODAY - timedelta(days=365)).isoformat(), "to": TODAY.isoformat()}
        views: list[tuple[str, str, dict[str, str]]] = [
            ("page, month", "/dashboard", month),
            ("page, month, one division", "/dashboard", {**month, "department": "2"}),
            ("page, year", "/dashboard", year),
        ]
        views += [(f"{key}.csv, month", f"/dashboard/{key}.csv", month) for key in TABLES]
        for name, path, query in views:
            if only and not any(o in name for o in only):
                continue
            samples, cpu, size = [], [], 0
            for i in range(iterations + 1):
                t0, c0 = time.perf_counter(), time.process_time()
                resp = await client.get(path, params=query, headers=admin)
                body = await resp.read()
                elapsed = (time.perf_counter() - t0) * 1000
                assert resp.status == 200, (name, resp.status, body[:300])
                if i:  # the first warms the caches (templates, the organisation)
                    samples.append(elapsed)
                    cpu.append((time.process_time() - c0) * 1000)
                size = len(body)
            out.append((name, pct(samples, 50), pct(samples, 99), size, PAGE_GOAL_MS, pct(cpu, 50)))
            print(f"  {name}: p50 {out[-1][1]:.0f} ms, p99 {out[-1][2]:.0f} ms, "
                  f"CPU p50 {out[-1][5]:.0f} ms, load {os.getloadavg()[0]:.1f}", flush=True)
        conn: Any = connections.get("default")
        users = [r["userid"] for r in await conn.execute_query_dict(
            "SELECT userid FROM \"user\" WHERE userid LIKE 'staff%' ORDER BY id LIMIT 2000")]
        rng = random.Random(7)
        samples, cpu = [], []
        for i in range(iterations * 5 + 1):
            cookie = _serializer(settings, "session").dumps({"uid": rng.choice(users), "n": "b"})
            t0, c0 = time.perf_counter(), time.process_time()
            resp = await client.get("/m/requests", cookies={SESSION_COOKIE: cookie},
                                    allow_redirects=False)
            body = await resp.read()
            elapsed = (time.perf_counter() - t0) * 1000
            assert resp.status == 200, (resp.status, body[:300])
            if i:
                samples.append(elapsed)
                cpu.append((time.process_time() - c0) * 1000)
        out.append(("/m/requests", pct(samples, 50), pct(samples, 99), len(body), M_GOAL_MS,
                    pct(cpu, 50)))
    finally:
        await client.close()
    return out


async def run(name: str, url: str, args: argparse.Namespace, tmp: Path) -> list[tuple[str, bool]]:
    print(f"{name}:", flush=True)
    reuse = False
    if args.reuse and (not is_sqlite(url) or args.sqlite_exists):
        try:
            await init_db(url, create_schema=False)
            reuse = await size_of() == args.requests
        except Exception:  # noqa: BLE001 - no such database yet: build it
            reuse = False
        await close_db()
    if reuse:  # the indexes of this code (CREATE INDEX IF NOT EXISTS), the data kept
        await init_db(url, create_schema=False)
        await generate_schema()
    else:
        await build(url, args.requests, args.users)
    # The daily rollup, as the timers keep it: built from scratch here (the data went in
    # past the app), a batch of days a transaction; the views read it from then on.
    t0 = time.perf_counter()
    days = await rollup.refresh_all(TZ)
    # As autovacuum would: PostgreSQL's stats_dirty holds the marks of every row loaded
    # (millions, deleted by the rebuild), and a server without autovacuum (the tests')
    # would read them dead on every look at the marks (14 ms a look, measured).
    await connections.get("default").execute_script(
        "ANALYZE stats_day" if is_sqlite(url) else "VACUUM ANALYZE stats_dirty, stats_day, stats_wait")
    rows = await connections.get("default").execute_query_dict("SELECT count(*) AS n FROM stats_day")
    print(f"  rollup: {days} days recomputed, {rows[0]['n']:,} rows ({time.perf_counter() - t0:.1f} s)",
          flush=True)
    await close_db()
    results = await measure(url, args.iterations, tmp, args.only)
    print(f"\n{name}: {args.requests:,} requests, {args.users:,} users; {args.iterations} timed "
          f"requests a view; load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'view':<34} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms':>7} {'bytes':>10}  goal")
    verdicts = []
    for view, p50, p99, size, goal, cpu in results:
        ok = p99 < goal
        print(f"{view:<34} {p50:8.1f} {p99:8.1f} {cpu:7.1f} {size:10,}  p99 < {goal:.0f} ms "
              f"{'PASS' if ok else 'FAIL'}")
        verdicts.append((f"{name} {view}", ok))
    return verdicts


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--requests", type=int, default=1_000_000)
    p.add_argument("--users", type=int, default=50_000)
    p.add_argument("--iterations", type=int, default=20, help="timed requests per view")
    p.add_argument("--reuse", action="store_true", help="keep a database of the same size")
    p.add_argument("--sqlite-path", default=os.path.join(tempfile.gettempdir(), "bench_dashboard.sqlite3"))
    p.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    p.add_argument("--only", action="append", default=[],
                   help="time only the views whose name contains this (repeatable); /m/requests always")
    args = p.parse_args()
    args.sqlite_exists = os.path.exists(args.sqlite_path)
    verdicts: list[tuple[str, bool]] = []
    with tempfile.TemporaryDirectory(prefix="bench-dash-") as tmpdir:
        if args.db in ("sqlite", "both"):
            verdicts += asyncio.run(run("SQLite", f"sqlite://{args.sqlite_path}", args, Path(tmpdir)))
        if args.db in ("postgres", "both"):
            verdicts += asyncio.run(run("PostgreSQL", PG_URL, args, Path(tmpdir)))
    failed = [v for v, ok in verdicts if not ok]
    print(f"\n{len(verdicts) - len(failed)} of {len(verdicts)} views within their goals"
          + (f"; over: {', '.join(failed)}" if failed else ""))
    sys.exit(1 if args.check and failed else 0)


if __name__ == "__main__":
    main()
