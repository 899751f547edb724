"""Fixtures of the model tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise import connections

from models.db import close_db, init_db
from models.sqlite import GatedSqliteClient


@pytest.fixture
async def sqlite_client(tmp_path: Path) -> AsyncIterator[GatedSqliteClient]:
    """The app's SQLite client on a new file database (WAL, its readers open)."""
    await init_db(f"sqlite://{tmp_path}/models.sqlite3", create_schema=True)
    client = connections.get("default")
    assert isinstance(client, GatedSqliteClient)
    yield client
    await close_db()
