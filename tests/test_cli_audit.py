"""`python main.py audit verify` and `python main.py audit show NO` (issue 7, item 5), run
as the operator runs them: a process of their own on the database, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from tortoise import connections

from models.audit import AuditHead, AuditLog
from models.db import close_db, is_sqlite
from models.decisions import decide
from models.requests import Decision
from tests.models.test_requests import _postgres_org, _sqlite_org, at, book_vehicle

MAIN = Path(__file__).resolve().parent.parent / "main.py"


@pytest.fixture
async def org(db_url: str) -> AsyncIterator[str]:
    url = await (_sqlite_org(db_url) if is_sqlite(db_url) else _postgres_org(db_url))
    await AuditLog.all().delete()
    await AuditHead.all().delete()
    try:
        yield url
    finally:
        await close_db()


async def run(url: str, *args: str, tz: str = "Asia/Shanghai") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "REDIS", "DATABASE"))}
    env |= {"DATABASE_URL": url, "BOT_TIMEZONE": tz}
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, str(MAIN), "audit", *args], capture_output=True,
        text=True, env=env, cwd=str(MAIN.parent), timeout=60,
    )


async def test_verify_then_show_then_tamper(org: str, now: datetime) -> None:
    r = await book_vehicle("zhangsan", at(28, 9), at(28, 11))
    await decide(r.no, "lichu", Decision.APPROVE, now, "card")
    await decide(r.no, "wangke", Decision.REJECT, now, "web", comment="车辆检修")

    ok = await run(org, "verify")
    assert (ok.returncode, ok.stdout.strip()) == (0, ok.stdout.strip())
    assert ok.stdout.startswith("ok: 3 records"), ok

    shown = await run(org, "show", f"#{r.no}")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.strip().splitlines()
    assert lines[0].startswith(f"#{r.no} vehicle_booking rejected") and "张三 (zhangsan)" in lines[0]
    # 2026-11-27 10:00 in Shanghai is when `now` is; the booking was made a day before 28th 9:00
    assert lines[1].startswith("2026-11-27 09:00:00  张三 (zhangsan)  create  - → pending  [chat]")
    assert "李处 (lichu)  approve" in lines[2] and "[card]" in lines[2]
    assert "王科 (wangke)  reject  pending → rejected  [web]" in lines[3], lines[3]
    assert "comment=车辆检修" in lines[3]
    utc_shown = await run(org, "show", str(r.no), tz="UTC")
    assert utc_shown.stdout.splitlines()[1].startswith("2026-11-27 01:00:00")

    [approve] = await AuditLog.filter(action="approve")
    await connections.get("default").execute_script(
        f"UPDATE audit_log SET actor = 'zhangsan' WHERE id = {approve.id}"
    )
    broken = await run(org, "verify")
    assert broken.returncode == 1
    [line] = broken.stderr.strip().splitlines()  # one line, never a traceback
    assert line.startswith("audit chain broken: ") and f"record id={approve.id} " in line
    assert f"request #{r.no}" in line


async def test_show_of_nothing(org: str) -> None:
    missing = await run(org, "show", "99999")
    assert missing.returncode == 1 and "no request #99999" in missing.stderr
    bad = await run(org, "show", "abc")
    assert bad.returncode == 2 and "not a request number" in bad.stderr
