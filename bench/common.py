"""What the benches that start `serve` share: the bench corp's WeCom credentials, the
environment a process gets, a free port, waiting for a process to answer HTTP, and
percentiles."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Callable, Sequence

import aiohttp

CORP_ID = "wwbenchcorp01"
AGENT_ID = 1000002
SECRET = "bench-secret"
TOKEN = "benchtoken123"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def base_env(api_base: str) -> dict[str, str]:
    """This environment without our settings, plus the bench corp's, WeCom at `api_base`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WECOM_", "REDIS_", "DATABASE_", "ADMIN_"))}
    env.update(
        WECOM_CORP_ID=CORP_ID, WECOM_AGENT_ID=str(AGENT_ID), WECOM_SECRET=SECRET,
        WECOM_TOKEN=TOKEN, WECOM_AES_KEY=AES_KEY, WECOM_API_BASE=api_base,
        SECRET_KEY="bench-secret-key-0123456789", PYTHONUNBUFFERED="1",
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_http(url: str, alive: Callable[[], bool], seconds: float) -> bool:
    """True once `url` answers below 500; False when the process dies (`alive`) or time
    runs out."""
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while time.monotonic() < deadline:
            if not alive():
                return False
            try:
                async with session.get(url) as resp:
                    if resp.status < 500:
                        return True
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.1)
    return False


def pct(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (nearest rank), None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]
