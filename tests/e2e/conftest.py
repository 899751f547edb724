"""End-to-end fixtures: `python main.py demo` as a subprocess on a free port with its own
database, and Debian's Chromium (`/usr/bin/chromium`) driven by Playwright — never a
browser that Playwright downloads.

Without the browser or the `playwright` package the tests are skipped on a developer's
machine and fail in CI (`CI=true`): `.ci/run` installs both, and a green run must have
driven the real browser.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ADMIN_TOKEN = "e2e-admin-token-0123456789"
START_TIMEOUT = 60.0
# Quiet, reproducible, offline Chromium (no sandbox: CI runs as root); Playwright adds
# --headless itself (headless=True) and --user-data-dir (the persistent context's folder).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--lang=zh-CN",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test`: `-n 2 --dist loadgroup`) every browser test runs
    in one worker, so the package's one demo server and one browser serve them all."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.xdist_group("e2e"))


def _missing(why: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{why} (CI must run the browser tests: .ci/run installs it)", pytrace=False)
    pytest.skip(why)


@dataclass
class Demo:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`python main.py demo` on SQLite with no Redis, in a directory of its own; one for
    all the browser tests (each says what it starts from)."""
    work = tmp_path_factory.mktemp("demo")
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("WECOM_") and k not in ("REDIS_URL", "PUBLIC_BASE_URL")}
    env.update(HOST="127.0.0.1", PORT=str(port), DATABASE_URL=f"sqlite://{work}/demo.sqlite3",
               DATA_DIR=str(work), ADMIN_TOKEN=ADMIN_TOKEN, PYTHONUNBUFFERED="1")
    log = work / "demo.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, str(ROOT / "main.py"), "demo"], cwd=work, env=env,
            stdout=out, stderr=subprocess.STDOUT,
        )
    server = Demo(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"demo exited with {process.returncode}:\n{server.output()}")
            try:
                with urllib.request.urlopen(server.base + "/healthz", timeout=1) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"demo did not answer within {START_TIMEOUT} s:\n{server.output()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="package")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium from Debian, a fresh profile."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[test]')")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        # A persistent context is how Playwright takes a --user-data-dir of our own.
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            locale="zh-CN", viewport={"width": 1000, "height": 860},
        )
        try:
            yield context
        finally:
            context.close()
