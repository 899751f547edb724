"""NLU throughput after warm-up, and cold start with the dictionary, on this machine.

Run from the repository root: `.venv/bin/python bench/bench_nlu.py`.
Goals (issue 3): at least 5,000 parses/s on one process; cold start under 1.5 s.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp import Nlu  # noqa: E402

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MESSAGES = [
    "下周一早上八点派车到浦东机场，送三位客人",
    "后天上午9点半从市政府出发去临港，5人",
    "约个车，周四下午2点到4点，去嘉定区政府",
    "明天上午十点到十二点订一下第二会议室，15人",
    "食堂包间，周五中午12点，8位",
    "健身房今晚7点",
    "3号楼305室的空调不制冷了",
    "五楼走廊的灯不亮",
    "卫生间水管漏水，在2楼",
    "同意#1204",
    "驳回1210，理由：车辆已派完",
    "撤销申请1216",
    "1201现在是什么状态",
    "怎么订会议室",
    "收到，谢谢",
    "need a car tomorrow 9am to Hongqiao Airport, 2 ppl",
]

COLD = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from datetime import datetime
from zoneinfo import ZoneInfo
from nlp import Nlu
nlu = Nlu(cache_dir={cache!r})
nlu.warm()
nlu.parse("明天下午两点到四点用车去虹桥机场，3个人", datetime(2026, 11, 27, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
print(time.perf_counter() - t0)
"""


def throughput(seconds: float = 2.0) -> tuple[float, float, float]:
    """Parses per wall second and per CPU second over MESSAGES, and the slowest parse in µs."""
    nlu = Nlu(cache_dir=tempfile.mkdtemp(prefix="nlu-bench-"))
    nlu.warm()
    for m in MESSAGES:
        nlu.parse(m, NOW)
    n = 0
    worst = 0.0
    t0, c0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds:
        for m in MESSAGES:
            a = time.perf_counter()
            nlu.parse(m, NOW)
            worst = max(worst, time.perf_counter() - a)
        n += len(MESSAGES)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return n / wall, n / cpu, worst * 1e6


def cold_start(cache: str) -> tuple[float, float]:
    """Wall and CPU seconds of a fresh process: interpreter, imports, dictionary, first parse."""
    code = COLD.format(root=str(ROOT), cache=cache)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    load = os.getloadavg()[0]
    cache = tempfile.mkdtemp(prefix="nlu-cold-")
    first_wall, first_cpu = cold_start(cache)  # builds the dictionary cache file
    runs = [cold_start(cache) for _ in range(3)]
    wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
    rate, cpu_rate, worst = throughput()
    print(f"machine: {os.cpu_count()} cores, load average {load:.2f} at start")
    print(f"parses/second (one process, warmed, {len(MESSAGES)} typical messages): {rate:,.0f}"
          f" (per CPU second: {cpu_rate:,.0f})")
    print(f"  mean {1e6 / rate:.0f} µs/parse, slowest single parse {worst:.0f} µs")
    print(f"cold start incl. dictionary, fresh process, cache file present: {wall:.3f} s"
          f" (CPU {cpu:.3f} s)")
    print(f"cold start without cache file (first run ever): {first_wall:.3f} s (CPU {first_cpu:.3f} s)")
    ok = rate >= 5000 and wall < 1.5
    print("goals (>= 5,000/s, < 1.5 s):", "met" if ok else "NOT met",
          "" if ok or load < os.cpu_count() * 0.5 else "(the machine is busy: compare the CPU figures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
