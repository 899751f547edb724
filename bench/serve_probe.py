"""`python main.py serve` with an event-loop lag probe beside it (bench_callback.py `--lag`).

Every PERIOD seconds the probe sleeps PERIOD and writes how much later than asked it woke
up ("wall-clock epoch  lag seconds", one line each) to $BENCH_LAG_FILE: the time a
socket's new data waits behind the handles the loop runs before it polls again — what a
callback waits for before its own work starts.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import main  # noqa: E402

PERIOD = 0.005
STAGES: list[str] = []  # "epoch stage wall cpu" lines, written with the lag samples


def timed(owner: Any, name: str, stage: str) -> None:
    """Wrap the coroutine function `owner.name` to note its wall time (start → end, waits
    included) and the CPU time of its own steps — a bench-only look inside the callback."""
    inner = getattr(owner, name)

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        start, cpu = time.monotonic(), 0.0
        coro = inner(*args, **kwargs)
        value: Any = None
        exc: BaseException | None = None
        while True:  # drive the coroutine step by step, timing each step's CPU
            t = time.process_time()
            try:
                future = coro.send(value) if exc is None else coro.throw(exc)
            except StopIteration as stop:
                cpu += time.process_time() - t
                STAGES.append(f"{time.time():.4f} {stage} {time.monotonic() - start:.5f} {cpu:.6f}")
                return stop.value
            cpu += time.process_time() - t
            try:
                value, exc = await _Yield(future), None
            except BaseException as e:  # noqa: BLE001 - handed back to the coroutine
                value, exc = None, e

    setattr(owner, name, wrapper)


class _Yield:
    """Awaiting it yields `future` to the loop, as the wrapped coroutine asked."""

    def __init__(self, future: Any) -> None:
        self._future = future

    def __await__(self) -> Any:
        return (yield self._future)


async def probe(path: str) -> None:
    with open(path, "w", buffering=1, encoding="ascii") as out:  # noqa: ASYNC230 - a bench tool
        while True:
            start = time.monotonic()
            await asyncio.sleep(PERIOD)
            lag = time.monotonic() - start - PERIOD
            out.write(f"{time.time():.4f} {lag:.5f}\n")
            if STAGES:
                lines, STAGES[:] = list(STAGES), []
                out.write("\n".join(lines) + "\n")


def with_probe(run_loop: Any) -> Any:
    def run(main_coro: Any) -> int:
        async def both() -> Any:
            task = asyncio.create_task(probe(os.environ["BENCH_LAG_FILE"]))
            try:
                return await main_coro
            finally:
                task.cancel()

        return run_loop(both())

    return run


if __name__ == "__main__":
    from bot.chat.inbox import Inbox
    from bot.wecom import callback

    timed(callback, "receive", "callback")
    timed(callback, "_admit", "redis")
    timed(Inbox, "store", "insert")
    main.run_loop = with_probe(main.run_loop)
    sys.exit(main.main())
