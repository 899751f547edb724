"""What the tests that start `main.py serve` processes share (tests/test_multiprocess.py,
tests/chaos.py for the chaos test and bench): a free port and the environment of a serve
process pointed at the test's database, Redis and WeCom stand-in."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from tests.conftest import TEST_AES_KEY, TEST_AGENT_ID, TEST_CORP_ID, TEST_TOKEN

SECRET = "test-secret"  # the stand-in's corp secret


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_env(database_url: str, redis_url: str, api_base: str, prefix: str, port: int,
              data_dir: Path) -> dict[str, str]:
    """This process's environment without our settings, then the test's."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WECOM_", "REDIS_", "DATABASE_", "ADMIN_"))}
    env.update(
        WECOM_CORP_ID=TEST_CORP_ID, WECOM_AGENT_ID=str(TEST_AGENT_ID), WECOM_SECRET=SECRET,
        WECOM_TOKEN=TEST_TOKEN, WECOM_AES_KEY=TEST_AES_KEY, WECOM_API_BASE=api_base,
        DATABASE_URL=database_url, REDIS_URL=redis_url, REDIS_KEY_PREFIX=prefix,
        SECRET_KEY="test-secret-key-0123456789", PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        HOST="127.0.0.1", PORT=str(port), DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1",
    )
    return env
