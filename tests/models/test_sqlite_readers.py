"""SQLite's readers (models/sqlite.py): a SELECT outside a transaction goes to a read-only
connection beside the writer's, so it waits for no other task's transaction; it sees what
was committed, not what another transaction has under way; a transaction reads its own
writes; every other statement stays on the writer's connection."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.exceptions import OperationalError

from models.db import close_db, init_db
from models.inbox import InboxBeat
from models.sql import transaction
from models.sqlite import READERS, GatedSqliteClient


async def test_a_read_waits_for_no_transaction_and_sees_only_what_was_committed(
        sqlite_client: GatedSqliteClient) -> None:
    await InboxBeat.create(owner="before", beat_at=1.0)
    inside = asyncio.Event()
    release = asyncio.Event()

    async def turn() -> None:
        async with transaction():
            await InboxBeat.create(owner="under way", beat_at=2.0)
            # the transaction's own statements see its write
            assert await InboxBeat.filter(owner="under way").exists()
            inside.set()
            await release.wait()

    task = asyncio.create_task(turn())
    await inside.wait()
    # The writer's connection is the open transaction's; the read does not wait for it.
    owners = await asyncio.wait_for(InboxBeat.all().values_list("owner", flat=True), timeout=2)
    assert owners == ["before"]
    assert await asyncio.wait_for(
        sqlite_client.execute_query_dict("SELECT count(*) AS n FROM inbox_beat"), timeout=2) == [{"n": 1}]
    release.set()
    await task
    assert sorted(await InboxBeat.all().values_list("owner", flat=True)) == ["before", "under way"]


async def test_a_write_outside_a_transaction_is_read_back_at_once(sqlite_client: GatedSqliteClient) -> None:
    for k in range(20):
        await InboxBeat.create(owner=f"p{k}", beat_at=float(k))
        beat = await InboxBeat.get(owner=f"p{k}")  # on a reader, the write just committed
        assert beat.beat_at == float(k)
    await InboxBeat.filter(owner="p3").update(beat_at=99.0)
    assert (await InboxBeat.get(owner="p3")).beat_at == 99.0
    await InboxBeat.filter(owner="p4").delete()
    assert not await InboxBeat.filter(owner="p4").exists()


async def test_readers_are_read_only_and_writes_keep_the_writer(sqlite_client: GatedSqliteClient) -> None:
    assert len(sqlite_client._readers) == READERS
    reader = sqlite_client._readers[0]
    with pytest.raises(Exception, match="readonly"):
        await reader.execute_fetchall("INSERT INTO inbox_beat (owner, beat_at) VALUES ('x', 1)")
    # An INSERT … RETURNING through Tortoise's raw call is not a SELECT: the writer runs it.
    count, rows = await sqlite_client.execute_query(
        "INSERT INTO inbox_beat (owner, beat_at) VALUES (?, ?) RETURNING owner", ["raw", 5.0])
    assert count == 1 and rows[0]["owner"] == "raw"
    assert await InboxBeat.filter(owner="raw").exists()
    with pytest.raises(OperationalError):  # a reader's error comes as Tortoise's
        await sqlite_client.execute_query("SELECT nope FROM inbox_beat")


async def test_many_reads_beside_many_transactions(sqlite_client: GatedSqliteClient) -> None:
    async def turn(k: int) -> None:
        async with transaction():
            await InboxBeat.create(owner=f"t{k}", beat_at=float(k))
            await asyncio.sleep(0)

    async def read(k: int) -> int:
        return await InboxBeat.filter(beat_at__lt=1000).count()

    results = await asyncio.gather(*(f(k) for k in range(30) for f in (turn, read)))
    counts = [r for r in results if r is not None]
    assert all(0 <= n <= 30 for n in counts) and len(counts) == 30
    assert await InboxBeat.all().count() == 30


async def test_readers_close_with_the_database_and_an_in_memory_one_has_none(tmp_path: Path) -> None:
    await init_db(f"sqlite://{tmp_path}/c.sqlite3", create_schema=True)
    client = connections.get("default")
    assert isinstance(client, GatedSqliteClient)
    readers = list(client._readers)
    assert len(readers) == READERS
    await close_db()
    assert client._readers == []
    assert all(reader._connection is None for reader in readers)  # aiosqlite: closed
    await init_db("sqlite://:memory:", create_schema=True)
    try:
        memory = connections.get("default")
        assert isinstance(memory, GatedSqliteClient) and memory._readers == []
        await InboxBeat.create(owner="m", beat_at=1.0)
        assert await InboxBeat.filter(owner="m").exists()
    finally:
        await close_db()


async def test_a_long_read_on_one_reader_leaves_the_other_to_short_ones(sqlite_client: GatedSqliteClient) -> None:
    await InboxBeat.create(owner="short", beat_at=1.0)
    long_sql = ("SELECT (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                "WHERE x < 2000000) SELECT count(*) FROM c) AS n")  # a page's heavy query
    long = asyncio.create_task(sqlite_client.execute_query_dict(long_sql))
    await asyncio.sleep(0.05)  # under way on a reader
    assert sqlite_client._busy.count(1) == 1
    for _ in range(5):
        assert await InboxBeat.filter(owner="short").exists()
    assert not long.done()  # the short reads went to the other reader, not behind it
    assert await long == [{"n": 2000000}]
    assert sqlite_client._busy == [0] * READERS
