"""Booking under load (issue 4, "Tests and benchmark"): with 500 vehicles (each with its
driver), 200 rooms and 100,000 past and future requests with their holds, steps and audit
rows in the database, how long do these take?

  (a) finding a free vehicle for a window      — models.requests.free_vehicles(limit=5)
  (b) finding a free room for a window         — models.requests.free_facilities(limit=5)
  (c) creating a request (holds, steps, audit) — models.requests.create_request

Goal: p99 under 20 ms on SQLite and on PostgreSQL. "all free vehicles" (every one of
~470 free vehicles built as objects) is printed for information only.

    .venv/bin/python bench/bench_booking.py [--db sqlite|postgres|both] [--requests N]

SQLite works in a file under the system temp directory; PostgreSQL in its own database
(`bench_booking` on the server of $BENCH_POSTGRES_URL, default the local test server),
created here and emptied on each run — never the tests' databases.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from tortoise import connections  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402

from models.db import close_db, generate_schema, init_db, is_sqlite  # noqa: E402
from models.errors import Conflict  # noqa: E402
from models.holds import POSTGRES_CONSTRAINTS, free_facilities, free_vehicles  # noqa: E402
from models.org import Facility, FacilityType, RequestType, User, Vehicle  # noqa: E402
from models.requests import NewRequest, create_request  # noqa: E402
from models.seed import seed_org  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)
PAST, FUTURE = timedelta(days=365), timedelta(days=180)
VEHICLES, ROOMS, DEPARTMENTS, STAFF_PER_DEPT = 500, 200, 20, 10
GOAL_MS = 20.0
INFO_ALL = "all free vehicles"  # every free vehicle as objects: shown, not a goal
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
PG_URL = f"{PG_SERVER.rsplit('/', 1)[0]}/bench_booking"


# ---------------------------------------------------------------------------------------
# The organisation: seeded through the real loader


def organisation() -> dict[str, Any]:
    departments = [{"id": 1, "name": "市机关事务管理局", "parent": None}]
    departments += [{"id": 100, "name": "车队", "parent": 1}]
    users = [
        {"userid": "juzhang", "name": "局长", "department": 1, "roles": ["dept_head", "admin"]},
        {"userid": "fleet", "name": "车管", "department": 100, "roles": ["fleet_manager"]},
        {"userid": "rooms", "name": "场地", "department": 1, "roles": ["facility_admin"]},
    ]
    for d in range(DEPARTMENTS):
        dept = 200 + d
        departments.append({"id": dept, "name": f"处室{d}", "parent": 1})
        users.append(
            {"userid": f"head{d}", "name": f"处长{d}", "department": dept, "roles": ["dept_head"]}
        )
        users += [
            {
                "userid": f"staff{d}_{i}",
                "name": f"职员{d}_{i}",
                "department": dept,
                "roles": ["staff"],
            }
            for i in range(STAFF_PER_DEPT)
        ]
    users += [
        {"userid": f"driver{i}", "name": f"司机{i}", "department": 100, "roles": ["driver"]}
        for i in range(VEHICLES)
    ]
    vehicles = [
        {
            "plate": f"沪A{10000 + i}",
            "model": "别克GL8",
            "seats": (4, 5, 7, 12, 20)[i % 5],
            "driver": f"driver{i}",
        }
        for i in range(VEHICLES)
    ]
    types = list(FacilityType)
    facilities = [
        {
            "id": f"room-{i}",
            "name": f"{i}号会议室",
            "type": str(types[i % len(types)]),
            "building": f"{i % 5 + 1}号楼",
            "capacity": (8, 12, 20, 40, 100)[i % 5],
            "needs_approval": i % 3 == 0,
            "open": "07:00-22:00",
        }
        for i in range(ROOMS)
    ]
    return {
        "departments": departments,
        "users": users,
        "vehicles": vehicles,
        "facilities": facilities,
        "approval_rules": {
            "vehicle_booking": ["dept_head", "fleet_manager"],
            "facility_reservation": ["facility_admin"],
            "repair_request": [],
        },
    }


# ---------------------------------------------------------------------------------------
# 100,000 requests: per resource a timeline of bookings that never overlap


def timeline(
    rng: random.Random, count: int, hours: tuple[int, int]
) -> Iterable[tuple[datetime, datetime]]:
    begin, span = NOW - PAST, PAST + FUTURE
    gap = span / count
    t = begin + gap * rng.random()
    for _ in range(count):
        length = timedelta(minutes=30 * rng.randint(2 * hours[0], 2 * hours[1]))
        yield t, t + length
        t += length + gap * 2 * rng.random()


class Rows:
    """Rows for the four tables, ids given here (the sequences are moved past them)."""

    def __init__(self) -> None:
        self.request: list[tuple[Any, ...]] = []
        self.hold: list[tuple[Any, ...]] = []
        self.step: list[tuple[Any, ...]] = []
        self.audit: list[tuple[Any, ...]] = []

    def add(
        self,
        rng: random.Random,
        kind: RequestType,
        applicant: tuple[int, str, int],
        approvers: Sequence[tuple[str, int]],
        start: datetime,
        end: datetime,
        resources: Sequence[str],
        vehicle_id: int | None = None,
        driver_id: int | None = None,
        facility_id: str | None = None,
    ) -> None:
        rid = len(self.request) + 1
        roll = rng.random()
        if end <= NOW:
            status = "completed" if roll < 0.85 else "cancelled" if roll < 0.95 else "rejected"
        else:
            status = "approved" if roll < 0.5 else "pending" if roll < 0.9 else "cancelled"
        if not approvers and status in ("pending", "rejected"):
            status = "approved"
        user_id, userid, dept = applicant
        created = start - timedelta(days=2)
        s, e = start.astimezone(UTC), end.astimezone(UTC)
        self.request.append(
            (
                rid,
                str(kind),
                status,
                dept,
                s,
                e,
                "{}",
                None,
                None,
                created,
                created,
                user_id,
                None,
                driver_id,
                facility_id,
                vehicle_id,
            )
        )
        active = status in ("pending", "approved")
        for resource in resources:
            self.hold.append((len(self.hold) + 1, rid, resource, s, e, active))
        for seq, (role, approver_id) in enumerate(approvers, start=1):
            decided = status in ("approved", "completed") or (status == "rejected" and seq == 1)
            decision = ("reject" if status == "rejected" else "approve") if decided else None
            self.step.append(
                (
                    len(self.step) + 1,
                    rid,
                    seq,
                    role,
                    approver_id,
                    decision,
                    None,
                    created + timedelta(hours=seq) if decided else None,
                    "chat" if decided else None,
                    None,
                    None,
                )
            )
        self.audit.append(
            (
                len(self.audit) + 1,
                rid,
                userid,
                "create",
                None,
                "pending",
                "chat",
                created,
                json.dumps({"type": str(kind)}),
            )
        )


COLUMNS = {
    "request": (
        "id",
        "type",
        "status",
        "department_id_at",
        "start",
        "end",
        "details",
        "series",
        "rating",
        "created_at",
        "updated_at",
        "applicant_id",
        "assignee_id",
        "driver_id",
        "facility_id",
        "vehicle_id",
    ),
    "hold": ("id", "request_id", "resource", "start", "end", "active"),
    "approval_step": (
        "id",
        "request_id",
        "seq",
        "role",
        "approver_id",
        "decision",
        "comment",
        "decided_at",
        "channel",
        "reminded_at",
        "escalated_at",
    ),
    "audit_log": (
        "id",
        "request_id",
        "actor",
        "action",
        "from_status",
        "to_status",
        "channel",
        "at",
        "details",
    ),
}


async def generate(total: int) -> Rows:
    rng = random.Random(4)
    users = {u.userid: u for u in await User.all()}
    heads = {u.department_id: u for u in users.values() if u.userid.startswith("head")}
    staff = [
        (u.id, u.userid, u.department_id) for u in users.values() if u.userid.startswith("staff")
    ]
    fleet, rooms_admin = users["fleet"].id, users["rooms"].id
    vehicles = await Vehicle.all().order_by("id").prefetch_related("driver")
    facilities = await Facility.all().order_by("id")
    rows = Rows()
    per_vehicle = int(total * 0.6) // len(vehicles)
    per_room = (total - per_vehicle * len(vehicles)) // len(facilities)
    extra = total - per_vehicle * len(vehicles) - per_room * len(facilities)
    for v in vehicles:
        assert v.driver is not None
        for start, end in timeline(rng, per_vehicle, (1, 8)):
            who = rng.choice(staff)
            rows.add(
                rng,
                RequestType.VEHICLE_BOOKING,
                who,
                [("dept_head", heads[who[2]].id), ("fleet_manager", fleet)],
                start,
                end,
                [f"vehicle:{v.id}", f"driver:{v.driver.userid}"],
                vehicle_id=v.id,
                driver_id=v.driver.id,
            )
    for i, f in enumerate(facilities):
        for start, end in timeline(rng, per_room + (1 if i < extra else 0), (1, 4)):
            who = rng.choice(staff)
            rows.add(
                rng,
                RequestType.FACILITY_RESERVATION,
                who,
                [("facility_admin", rooms_admin)] if f.needs_approval else [],
                start,
                end,
                [f"facility:{f.id}"],
                facility_id=f.id,
            )
    return rows


async def load(rows: Rows, url: str) -> None:
    tables = {
        "request": rows.request,
        "hold": rows.hold,
        "approval_step": rows.step,
        "audit_log": rows.audit,
    }
    conn: Any = connections.get("default")
    if is_sqlite(url):
        async with in_transaction() as tx:
            for table, data in tables.items():
                cols = COLUMNS[table]
                names = ", ".join(f'"{c}"' for c in cols)
                sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})'
                await tx.execute_many(sql, [list(r) for r in data])
        await conn.execute_script("ANALYZE")
        return
    # PostgreSQL: COPY, with the exclusion constraint added after the load (one index
    # build instead of 160,000 checked inserts; the data never overlaps anyway).
    await conn.execute_script("ALTER TABLE hold DROP CONSTRAINT IF EXISTS hold_no_overlap")
    async with conn.acquire_connection() as raw:
        for table, data in tables.items():
            await raw.copy_records_to_table(table, records=data, columns=list(COLUMNS[table]))
        for table in tables:
            await raw.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT max(id) FROM "{table}"))'
            )
    await conn.execute_script(POSTGRES_CONSTRAINTS)
    await conn.execute_script("VACUUM ANALYZE")


async def build(url: str, total: int) -> None:
    started = time.perf_counter()
    if is_sqlite(url):
        path = Path(url.removeprefix("sqlite://"))
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            p.unlink(missing_ok=True)
        await init_db(url, create_schema=True)
    else:
        admin = await asyncpg.connect(PG_SERVER)
        try:
            if not await admin.fetchval(
                "SELECT 1 FROM pg_database WHERE datname = 'bench_booking'"
            ):
                await admin.execute('CREATE DATABASE "bench_booking"')
        finally:
            await admin.close()
        await init_db(url, create_schema=False)
        await connections.get("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )
        await generate_schema()
    result = await seed_org(organisation())
    assert result.ok, result.problems
    rows = await generate(total)
    await load(rows, url)
    print(
        f"  built: {len(rows.request):,} requests, {len(rows.hold):,} holds "
        f"({sum(1 for h in rows.hold if h[5]):,} active), {len(rows.step):,} steps, "
        f"{len(rows.audit):,} audit rows in {time.perf_counter() - started:.1f} s"
    )


# ---------------------------------------------------------------------------------------
# Measuring


def window(rng: random.Random) -> tuple[datetime, datetime]:
    day = NOW + timedelta(days=rng.randint(1, 170))
    start = day.replace(hour=rng.randint(8, 17), minute=rng.choice((0, 30)))
    return start, start + timedelta(minutes=30 * rng.randint(2, 8))


async def timed(samples: list[float], call: Awaitable[Any]) -> Any:
    t = time.perf_counter()
    out = await call
    samples.append((time.perf_counter() - t) * 1000)
    return out


def percentile(samples: Sequence[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(iterations: int) -> dict[str, list[float]]:
    rng = random.Random(7)
    staff = [u.userid for u in await User.filter(userid__startswith="staff")]
    types = [str(t) for t in FacilityType]
    results: dict[str, list[float]] = {
        "free vehicle": [],
        "free room": [],
        "create request": [],
        INFO_ALL: [],
    }
    found_vehicles = found_rooms = conflicts = 0
    for i in range(iterations + 20):  # the first 20 warm up
        warm = i < 20
        a: list[float] = [] if warm else results["free vehicle"]
        b: list[float] = [] if warm else results["free room"]
        c: list[float] = [] if warm else results["create request"]
        d: list[float] = [] if warm else results[INFO_ALL]
        start, end = window(rng)
        seats = rng.choice((1, 4, 6, 10))
        # a vehicle to book and a few to offer instead, as the booking flow asks
        vehicles = await timed(a, free_vehicles(start, end, seats=seats, limit=5))
        everything = await timed(d, free_vehicles(start, end, seats=seats))
        assert everything[: len(vehicles)] == vehicles
        rooms = await timed(
            b,
            free_facilities(
                start, end, type=rng.choice(types), capacity=rng.choice((5, 15, 30)), limit=5
            ),
        )
        found_vehicles += bool(vehicles)
        found_rooms += bool(rooms)
        if i % 2 == 0 and vehicles:
            new = NewRequest(
                RequestType.VEHICLE_BOOKING,
                rng.choice(staff),
                start,
                end,
                vehicle_id=vehicles[0].id,
                details={"destination": "虹桥机场", "passengers": 3},
            )
        elif rooms:
            new = NewRequest(
                RequestType.FACILITY_RESERVATION,
                rng.choice(staff),
                start,
                end,
                facility_id=rooms[0].id,
                details={"attendees": 10},
            )
        else:
            continue
        try:
            await timed(c, create_request(new, NOW, "chat"))
        except Conflict:  # cannot happen single-threaded; counted to be sure
            conflicts += 1
    assert conflicts == 0
    print(
        f"  found a vehicle {found_vehicles}/{iterations + 20}, a room {found_rooms}/{iterations + 20}"
    )
    return results


def report(name: str, results: dict[str, list[float]]) -> list[str]:
    lines = []
    for what, samples in results.items():
        p50, p99 = percentile(samples, 50), percentile(samples, 99)
        verdict = "info" if what == INFO_ALL else "ok" if p99 < GOAL_MS else "SLOW"
        lines.append(
            f"| {name:<10} | {what:<15} | {len(samples):>5} | {p50:>7.2f} | {p99:>7.2f} "
            f"| {statistics.fmean(samples):>7.2f} | {verdict:<4} |"
        )
    return lines


async def run(name: str, url: str, total: int, iterations: int, reuse: bool) -> list[str]:
    print(f"{name}: {url}")
    try:
        if reuse:
            await init_db(url, create_schema=False)
        else:
            await build(url, total)
        return report(name, await measure(iterations))
    finally:
        await close_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--iterations", type=int, default=400)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database the last run built"
    )
    args = parser.parse_args()
    targets: list[tuple[str, str]] = []
    if args.db in ("sqlite", "both"):
        targets.append(
            ("SQLite", f"sqlite://{Path(tempfile.gettempdir()) / 'bench_booking.sqlite3'}")
        )
    if args.db in ("postgres", "both"):
        targets.append(("PostgreSQL", PG_URL))
    lines: list[str] = []
    for name, url in targets:
        lines += asyncio.run(run(name, url, args.requests, args.iterations, args.reuse))
    print()
    print(
        f"| database   | operation       |     n | p50 ms  | p99 ms  | mean ms | <{GOAL_MS:.0f}ms |"
    )
    print("|------------|-----------------|-------|---------|---------|---------|------|")
    print("\n".join(lines))
    if any("SLOW" in line for line in lines):
        sys.exit(1)


if __name__ == "__main__":
    main()
