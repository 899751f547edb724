"""Database connection and schema: SQLite gets its schema on first start, PostgreSQL
is migrated with aerich (the files under `migrations/models/`).

Adding or changing a table:
  1. define it in a module listed in MODEL_MODULES (the single list: Tortoise, aerich and
     the tests all read it);
  2. `.venv/bin/python -m models.db makemigration NAME` writes the next migration file
     from the difference between the models and the last migration (no database needed);
  3. commit the file; `tests/models/test_migrations.py` fails while the migrations and
     the models disagree.
`init_db(url, create_schema=True)` applies pending migrations on PostgreSQL at start-up.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE

from models.holds import POSTGRES_CONSTRAINTS
from models.org import forget_cached_org
from models.stats.rollup import POSTGRES_TRIGGERS, SQLITE_TRIGGERS, forget_snapshots

# Every module that defines tables; aerich and Tortoise.init both read this list.
MODEL_MODULES: list[str] = [
    "models.org", "models.outbox", "models.requests", "models.holds", "models.audit", "models.inbox",
    "models.vehicle_state", "models.fleet", "models.bundles", "models.assets",
    "models.stats.rollup", "models.stats.waits",
]

APP = "models"
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Any fixed 64-bit number: the PostgreSQL advisory lock that serialises migrations when
# several processes start at once.
_MIGRATION_LOCK = 0x6A677377_6A000001


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite://")


async def _after_release(conn: Any) -> None:
    """What asyncpg's pool does to a connection given back, after rolling back any open
    transaction (asyncpg does that before it calls this): nothing more.

    This is asyncpg's documented `create_pool(reset=...)` argument (asyncpg ≥ 0.30),
    which Tortoise passes through from the connection's credentials. Its default,
    `Connection.reset()`, also runs `SELECT pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL` — one more round trip for every query outside a transaction —
    to undo session state, and we leave none: no SET, LISTEN or cursor, and the one
    session lock (migrations, `_upgrade`) is released in a `finally`. Measured through
    Tortoise on the local PostgreSQL (`SELECT 1` outside a transaction, 3,000 each, 3
    rounds, load ~4): 114–207 µs a query with this, 275–848 µs with the default."""


def tortoise_config(url: str) -> dict[str, Any]:
    connection = expand_db_url(url)
    if is_sqlite(url):
        # Tortoise's client whose transactions take the inbox's writer gate (models/sqlite.py)
        connection["engine"] = "models.sqlite"
    else:
        connection["credentials"]["reset"] = _after_release
        # No JIT compilation: only the dashboard's month-long reads are estimated dear
        # enough for it (jit_above_cost), and compiling them took longer than it saved —
        # the repair list of a month (24,000 rows, EXPLAIN ANALYZE): 128 ms with JIT (13–34
        # of them compiling, in each parallel worker again), 80 ms without.
        connection["credentials"]["server_settings"] = {"jit": "off"}
    return {
        "connections": {"default": connection},
        "apps": {
            APP: {"models": [*MODEL_MODULES, "aerich.models"], "default_connection": "default"}
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def init_db(url: str, *, create_schema: bool = True) -> None:
    """Connect; create (SQLite) or migrate (PostgreSQL) the schema when `create_schema`.
    `_enable_global_fallback` because aiohttp runs cleanup contexts and request handlers
    in different tasks (Tortoise 1.x keeps its context in a contextvar)."""
    if is_sqlite(url):
        path = url.removeprefix("sqlite://").split("?")[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Tortoise caches each table's INSERT/DELETE SQL by (connection name, schema, table)
    # for the life of the process and has no public way to forget it; a re-init on
    # another backend under the same name "default" (the tests: SQLite, then PostgreSQL,
    # in one process) reuses the other dialect's SQL. Without this line the first
    # PostgreSQL test after a SQLite one fails ("syntax error at or near ','": SQLite's
    # `?` sent to asyncpg) and every later one with it. The public way, a connection
    # name per dialect, would change every `connections.get("default")` here and in the
    # tests for a situation only the test process meets; a process that serves inits
    # once, so this clears an empty cache.
    EXECUTOR_CACHE.clear()
    forget_cached_org()  # another database: nothing read from the last one holds
    forget_snapshots()
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    if not create_schema:
        return
    if is_sqlite(url):
        await generate_schema()
    else:
        await _upgrade(url)


async def generate_schema() -> None:
    """The schema straight from the models, without migrations (SQLite; PostgreSQL test
    databases), with the DDL the migrations also carry: PostgreSQL's constraints, and
    the triggers that mark the dashboard's rollup dirty (both)."""
    await Tortoise.generate_schemas(safe=True)
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script(POSTGRES_CONSTRAINTS)
        await conn.execute_script(POSTGRES_TRIGGERS)
    else:
        await conn.execute_script(SQLITE_TRIGGERS)


async def close_db() -> None:
    await Tortoise.close_connections()


async def ping() -> None:
    """One round trip to the database (the health check); raises when it does not answer."""
    await connections.get("default").execute_query("SELECT 1")


async def migrate(url: str) -> list[str]:
    """Apply the pending aerich migrations to the PostgreSQL database at `url` and
    return the files applied; connects for the duration. (An app need not call it:
    `init_db(url, create_schema=True)` migrates.)"""
    await init_db(url, create_schema=False)
    try:
        return await _upgrade(url)
    finally:
        await close_db()


async def _upgrade(url: str) -> list[str]:
    from aerich import Command

    command = Command(tortoise_config=tortoise_config(url), app=APP, location=str(MIGRATIONS_DIR))
    client: Any = connections.get("default")
    # A session-level advisory lock held on one pooled connection while aerich works on
    # others: a second process waits here, then finds everything applied.
    async with client.acquire_connection() as lock_conn:
        await lock_conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
        try:
            await command.init()
            return await command.upgrade(run_in_transaction=True)
        finally:
            await lock_conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)


async def make_migration(name: str) -> str | None:
    """Write the next migration file (offline: compares the models with the state stored
    in the last migration file). Returns its name, or None when nothing changed."""
    from aerich import Command

    # Offline: Tortoise is initialised (the SQL dialect comes from this URL) but never
    # connects. Not `no_input`: aerich asks before it takes a change for a rename.
    url = "postgres://postgres@127.0.0.1:5432/aerich_offline"
    command = Command(tortoise_config=tortoise_config(url), app=APP, location=str(MIGRATIONS_DIR))
    try:
        if not any((MIGRATIONS_DIR / APP).glob("*.py")):
            await command.init_migrations(safe=False)
            return sorted((MIGRATIONS_DIR / APP).glob("*.py"))[0].name
        await Tortoise.init(config=tortoise_config(url))
        await command.init(offline=True)
        return await command.migrate(name, offline=True) or None
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "makemigration":
        print("usage: python -m models.db makemigration NAME", file=sys.stderr)
        sys.exit(2)
    print(asyncio.run(make_migration(sys.argv[2])) or "no changes")
