"""Shared fixtures: settings, a fixed `now`, the database (SQLite, then PostgreSQL),
the real Redis. A missing service fails the tests; it is never skipped."""

from __future__ import annotations

import asyncio
import copy
import functools
import gc
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
import redis.asyncio as aioredis
from tortoise import connections

from models import seed
from models.db import close_db, generate_schema, init_db, is_sqlite
from nlp import Nlu
from settings import Settings

TZ = ZoneInfo("Asia/Shanghai")
BASE_POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
# Each test process gets its own database (created on first use, dropped at exit), so
# that several test runs on one server cannot empty each other's tables.
POSTGRES_URL = f"{BASE_POSTGRES_URL.rsplit('/', 1)[0]}/test_run_{os.getpid()}"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# A valid EncodingAESKey (43 chars) and corp id for tests; never used outside them.
TEST_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TEST_CORP_ID = "wwtestcorp0001"
TEST_TOKEN = "testtoken123"
TEST_AGENT_ID = 1000002

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session", autouse=True)
def _org_files_parsed_once() -> Iterator[None]:
    """Hundreds of tests seed the same organisation file; `seed_org` parses its YAML
    (twice, in pure Python: ~0.1 s CPU) each time. Parsing is a pure function of the
    text, so the run parses each text once and hands every caller its own deep copy;
    validating and writing still run in full. Tests that call `load_org_text` itself
    imported the real one."""
    parse = functools.lru_cache(maxsize=32)(seed.load_org_text)

    def parsed(text: str) -> tuple[Any, list[seed.SeedProblem]]:
        return copy.deepcopy(parse(text))

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(seed, "load_org_text", parsed)
        yield


@pytest.fixture
def now() -> datetime:
    """The fixed moment tests live in: Friday 2026-11-27 10:00 in Shanghai."""
    return datetime(2026, 11, 27, 10, 0, tzinfo=TZ)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        corp_id=TEST_CORP_ID,
        agent_id=TEST_AGENT_ID,
        secret="test-secret",
        token=TEST_TOKEN,
        aes_key=TEST_AES_KEY,
        api_base="http://127.0.0.1:1/cgi-bin/",
        database_url=f"sqlite://{tmp_path}/test.sqlite3",
        redis_url=None,
        secret_key="test-secret-key-0123456789",
        admin_token="test-admin-token",
        data_dir=str(tmp_path),
    )


_pg_schema_ready = False


async def _reset_postgres() -> None:
    """Empty every table and restart every sequence (the schema is created once per
    test run)."""
    global _pg_schema_ready
    if not _pg_schema_ready:
        conn = connections.get("default")
        await conn.execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await generate_schema()
        _pg_schema_ready = True
        return
    conn = connections.get("default")
    rows = await conn.execute_query_dict(
        "SELECT 'DELETE FROM \"' || tablename || '\";' AS sql FROM pg_tables"
        " WHERE schemaname = 'public' AND tablename <> 'aerich'"
        " UNION ALL SELECT 'ALTER SEQUENCE \"' || sequencename || '\" RESTART;' FROM pg_sequences"
        " WHERE schemaname = 'public' AND sequencename NOT LIKE 'aerich%'"
    )
    if rows:
        # DELETE, not TRUNCATE: on these few rows TRUNCATE's new files for every table
        # cost ~20 times more (measured: 0.55–0.68 s against 0.02–0.04 s, load ~11).
        # Without triggers (foreign keys, the rollup's dirty marks) the order does not
        # matter; the sequences restart as TRUNCATE … RESTART IDENTITY did.
        statements = " ".join(r["sql"] for r in rows)
        await conn.execute_script(
            f"BEGIN; SET LOCAL session_replication_role = replica; {statements} COMMIT;"
        )


async def _create_database(url: str, name: str, drop: bool) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop:
            await conn.execute(f'CREATE DATABASE "{name}"')
            # A test database outlives no crash: its commits need not wait for the WAL's
            # fsync (the server's own setting stays; only this database's sessions change).
            await conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """This process's PostgreSQL database; a server that does not answer fails the run."""
    name = POSTGRES_URL.rsplit("/", 1)[1]
    asyncio.run(_create_database(BASE_POSTGRES_URL, name, drop=False))
    yield POSTGRES_URL
    asyncio.run(_create_database(BASE_POSTGRES_URL, name, drop=True))


async def _make_sqlite_template(url: str) -> None:
    await init_db(url, create_schema=True)
    await close_db()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database with the schema, made once: each test gets a copy (making
    the schema takes ~30 statements, each its own commit, per test otherwise)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "schema.sqlite3"
    asyncio.run(_make_sqlite_template(f"sqlite://{path}"))
    assert not path.with_name(path.name + "-wal").exists()  # checkpointed on close
    return path


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/db.sqlite3"
    return str(request.getfixturevalue("postgres_database"))


@pytest.fixture
async def db(db_url: str, sqlite_template: Path) -> AsyncIterator[str]:
    """An empty database with the schema, on each backend in turn; yields its URL."""
    if is_sqlite(db_url):
        shutil.copyfile(sqlite_template, db_url.removeprefix("sqlite://"))
        await init_db(db_url, create_schema=False)
    else:
        await init_db(db_url, create_schema=False)
        await _reset_postgres()
    try:
        yield db_url
    finally:
        await close_db()


@pytest.fixture
async def redis_client() -> AsyncIterator[aioredis.Redis]:
    """The real Redis (db 15), with a per-test key prefix available as `redis_prefix`."""
    client = aioredis.from_url(REDIS_URL)
    await client.ping()  # fails the test when Redis is down: never a skip
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def shared_nlu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nlu]:
    """One warmed NLU for the run (loading jieba takes about a second)."""
    nlu = Nlu(cache_dir=str(tmp_path_factory.mktemp("nlu-cache")))
    nlu.warm()
    # Out of the collector for the run, as an app's start-up does (bot/app.py gc_ctx): the
    # apps the tests make then skip their full collection (50–200 ms each under load).
    gc.collect()
    gc.freeze()
    yield nlu


@pytest.fixture
def redis_prefix() -> str:
    return f"test:{uuid.uuid4().hex[:12]}:"
