"""aerich migrations (PostgreSQL) build exactly the schema the models describe.

Fails when a model changed without a migration: run
`.venv/bin/python -m models.db makemigration NAME` (see models/db.py)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from models.db import close_db, generate_schema, init_db, migrate
from models.seed import run_seed
from tests.conftest import BASE_POSTGRES_URL as POSTGRES_URL
from tests.conftest import _create_database

ROOT = Path(__file__).resolve().parents[2]
BASE = POSTGRES_URL.rsplit("/", 1)[0]
# This process's own databases: two test runs (or two pytest-xdist workers) at once
# would otherwise empty each other's schema halfway through a migration.
MIGRATED = f"{BASE}/test_migrate_{os.getpid()}"
REFERENCE = f"{BASE}/test_migrate_ref_{os.getpid()}"


@pytest.fixture(scope="module", autouse=True)
def _drop_databases_after() -> Iterator[None]:
    yield
    for url in (MIGRATED, REFERENCE):
        asyncio.run(_create_database(POSTGRES_URL, url.rsplit("/", 1)[1], drop=True))


async def _fresh_database(url: str) -> None:
    """Create the database if needed and empty its public schema."""
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


async def _schema(url: str) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        columns = await conn.fetch(
            "SELECT table_name, column_name, data_type, character_maximum_length,"
            " is_nullable, column_default FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY 1, 2"
        )
        indexes = await conn.fetch(
            "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2"
        )
        constraints = await conn.fetch(
            "SELECT conrelid::regclass::text AS t, pg_get_constraintdef(oid) AS d"
            " FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
        )
    finally:
        await conn.close()
    return {
        "columns": [tuple(r) for r in columns],
        "indexes": [tuple(r) for r in indexes],
        "constraints": [tuple(r) for r in constraints],
    }


async def test_migrations_match_the_models(tmp_path: Path) -> None:
    await _fresh_database(MIGRATED)
    await _fresh_database(REFERENCE)

    applied = await migrate(MIGRATED)
    assert applied and applied[0].startswith("0_")
    assert await migrate(MIGRATED) == []  # nothing left to apply

    await init_db(REFERENCE, create_schema=False)
    try:
        await generate_schema()
    finally:
        await close_db()

    migrated, reference = await _schema(MIGRATED), await _schema(REFERENCE)
    tables = {c[0] for c in reference["columns"]}
    assert {"department", "user", "user_role", "vehicle", "facility"} <= tables
    assert {"approval_rule", "outbox_message", "aerich"} <= tables
    assert migrated == reference

    # init_db(create_schema=True) on the migrated database: nothing to do, and the
    # models work on it (seed through the CLI entry).
    org = ROOT / "tests" / "models" / "org_good.yaml"
    assert await run_seed(str(org), MIGRATED) == 0


_MIGRATE = """
import asyncio, sys
from models.db import migrate
print(asyncio.run(migrate(sys.argv[1])))
"""


async def test_processes_starting_together_migrate_once() -> None:
    """An advisory lock serialises migrations: the second process finds them applied."""
    await _fresh_database(MIGRATED)
    procs = [
        await asyncio.create_subprocess_exec(
            *(sys.executable, "-c", _MIGRATE, MIGRATED),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outs = await asyncio.gather(*(p.communicate() for p in procs))
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err.decode()
    printed = sorted((out.decode().strip() for out, _ in outs), key=len)
    assert printed[0] == "[]" and printed[1].startswith("['0_")  # one applied, one waited
    conn = await asyncpg.connect(MIGRATED)
    try:
        files = list((ROOT / "migrations" / "models").glob("*.py"))
        assert await conn.fetchval("SELECT count(*) FROM aerich") == len(files)
    finally:
        await conn.close()
