"""Rounds of the chaos scenario of issue 12 (tests/chaos.py): two `python main.py serve`
processes on PostgreSQL and Redis with the WeCom stand-in; 24 users with a repair draft
open send 确认 at once to one process, SIGKILLed 30–150 ms into the burst; WeCom
redelivers what got no 200 (to the other process, then to the killed one restarted);
then Redis loses every key of the service and every 确认 is delivered again.

Prints, per round and in all: messages, acknowledged by the killed process before it
died, redelivered, lost, doubled, requests the dispatcher was not told of exactly once,
applicants told from the audit trail (their 确认 had committed on the dead process), and
the time from the kill to the last applicant's answer (the takeover waits for the dead
process's heartbeat to be 10 s old).

    .venv/bin/python bench/bench_chaos.py [--rounds 5] [--no-flush] [--seed N] [--kill-ms MS]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.chaos import Chaos, Round  # noqa: E402

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


async def run(args: argparse.Namespace) -> int:
    results: list[Round] = []
    print("round  kill ms  messages  acked  redelivered  lost  doubled  asked≠1  from audit  recover s")
    for n in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="bench-chaos-") as tmp:
            seed = None if args.seed is None else args.seed + n
            kill = None if args.kill_ms is None else args.kill_ms / 1000
            async with Chaos(Path(tmp), REDIS_URL, flush_redis=not args.no_flush, seed=seed,
                             kill_after=kill) as chaos:
                result = await chaos.run()
                kill_ms = chaos.kill_after * 1000
        results.append(result)
        wrong = sum(v != 1 for v in result.dispatcher_asked.values())
        print(f"{n + 1:>5}  {kill_ms:>7.0f}  {result.messages:>8}  {result.acked_by_a:>5}  "
              f"{result.redelivered:>11}  {len(result.lost):>4}  {len(result.doubled):>7}  "
              f"{wrong:>7}  {result.told_from_audit:>10}  {result.recover_seconds:>9.1f}", flush=True)
        for note in result.notes:
            print(f"       note: {note}")
    total = sum(r.messages for r in results)
    lost = sum(len(r.lost) for r in results)
    doubled = sum(len(r.doubled) for r in results)
    recover = [r.recover_seconds for r in results]
    print(f"all: {len(results)} rounds, {total} messages, {sum(r.acked_by_a for r in results)} "
          f"acknowledged by the killed process, {sum(r.redelivered for r in results)} redelivered; "
          f"lost {lost}, doubled {doubled}; recovery {min(recover):.1f}–{max(recover):.1f} s")
    return 0 if all(r.ok for r in results) else 1


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--no-flush", action="store_true", help="leave Redis alone")
    p.add_argument("--seed", type=int, default=None, help="kill times from this seed")
    p.add_argument("--kill-ms", type=float, default=None,
                   help="kill this many ms into the burst (default: 30–150 at random)")
    sys.exit(asyncio.run(run(p.parse_args())))


if __name__ == "__main__":
    main()
