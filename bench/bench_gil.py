"""The GIL between a busy event loop and a database thread (bot/serving.py `GIL_SWITCH`).

One process: three tasks keep the event loop busy (CPU steps of 0.1–0.6 ms, as turns
make), and an aiosqlite INSERT (WAL, a temporary file on tmpfs when there is one) runs
every 2 ms, as the callback's. Prints the INSERT's latency for each GIL switch interval:
the worker thread needs the GIL to start the statement, take its rows and hand them back,
and a busy loop lets go of it only when the interval is over.

    .venv/bin/python bench/bench_gil.py [--intervals 0.005,0.001,0.0005] [--seconds 4]

Seen here (2026-12-07, the machine shared with a bench): at 5 ms the thread sometimes
starves (3 INSERTs in 5 s; another run 1,500 INSERTs took minutes, p99 25–33 s) and
otherwise shows p99 8–9 ms with a max of 135–404 ms; at 0.5 ms every run stayed within
p99 7–16 ms, max 8–23 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time

import aiosqlite


def burn(ms: float) -> None:
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


async def busy() -> None:
    while True:
        burn(random.uniform(0.1, 0.6))
        await asyncio.sleep(0)


async def one(n: int, interval: float, seconds: float, folder: str) -> str:
    sys.setswitchinterval(interval)
    path = os.path.join(folder, f"gil-{n}.sqlite3")
    db = await aiosqlite.connect(path, isolation_level=None)
    await db.execute("PRAGMA journal_mode=WAL")
    await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, p TEXT)")
    tasks = [asyncio.create_task(busy()) for _ in range(3)]
    lat: list[float] = []
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end:
        started = time.perf_counter()
        await db.execute_fetchall("INSERT INTO t (k, p) VALUES (?, ?) RETURNING id", (f"k{i}", "x" * 500))
        lat.append((time.perf_counter() - started) * 1000)
        i += 1
        await asyncio.sleep(0.002)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await db.close()
    lat.sort()
    n = len(lat)
    return (f"switch interval {interval * 1000:.1f} ms: {n} INSERTs in {seconds:.0f} s, "
            f"p50 {lat[n // 2]:.2f} / p99 {lat[int(n * 0.99)]:.2f} / max {lat[-1]:.2f} ms")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--intervals", default="0.005,0.001,0.0005")
    p.add_argument("--seconds", type=float, default=4.0)
    args = p.parse_args()
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="bench-gil-", dir=base) as folder:
        for n, interval in enumerate(float(x) for x in args.intervals.split(",")):
            print(asyncio.run(one(n, interval, args.seconds, folder)), flush=True)


if __name__ == "__main__":
    main()
