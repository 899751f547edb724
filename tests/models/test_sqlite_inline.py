"""SQLite statements of a message's turn on the event loop's thread (models/sqlite.py
`Connection`): only where they can neither wait for another connection nor overtake a
call on the connection's own thread; commits, first writes, and everything outside a
turn keep the thread — and give the same results either way."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from tortoise import connections

from models.db import close_db, init_db
from models.inbox import InboxBeat
from models.sql import CURRENT_INBOX, InboxTurn, transaction
from models.sqlite import GatedSqliteClient, _connect


@contextmanager
def turn() -> Iterator[None]:
    token = CURRENT_INBOX.set(InboxTurn(0))
    try:
        yield
    finally:
        CURRENT_INBOX.reset(token)


class Where:
    """Which thread ran each statement of the traced connections: 'loop' or 'thread'."""

    def __init__(self, *conns: sqlite3.Connection) -> None:
        self.seen: list[tuple[str, str]] = []
        loop_thread = threading.get_ident()
        for conn in conns:
            conn.set_trace_callback(lambda sql: self.seen.append(
                ("loop" if threading.get_ident() == loop_thread else "thread", sql.split()[0].upper())))

    def take(self) -> list[tuple[str, str]]:
        seen, self.seen = self.seen, []
        return seen


async def test_in_a_turn_only_what_cannot_wait_runs_on_the_loop(sqlite_client: GatedSqliteClient) -> None:
    where = Where(sqlite_client._connection._conn, *(r._conn for r in sqlite_client._readers))
    with turn():
        async with transaction(mark=False):
            await InboxBeat.filter(owner="nobody").exists()  # a read: the snapshot waits for no one
            await InboxBeat.create(owner="a", beat_at=1.0)  # the first write takes the lock: thread
            await InboxBeat.create(owner="b", beat_at=2.0)  # the lock held: loop
            await InboxBeat.filter(owner="a").update(beat_at=3.0)
    # (an INSERT's call reads its row id after it: `SELECT last_insert_rowid()`)
    assert where.take() == [("loop", "BEGIN"), ("loop", "SELECT"), ("thread", "INSERT"), ("thread", "SELECT"),
                            ("loop", "INSERT"), ("loop", "SELECT"), ("loop", "UPDATE"), ("thread", "COMMIT")]
    with turn():
        rows = sorted(await InboxBeat.all().values_list("owner", "beat_at"))  # a reader, inline
    assert rows == [("a", 3.0), ("b", 2.0)]
    assert where.take() == [("loop", "SELECT")]
    await InboxBeat.create(owner="c", beat_at=4.0)  # outside a transaction: a commit of its own
    with turn():
        await InboxBeat.create(owner="d", beat_at=5.0)
    assert where.take() == [("thread", "INSERT"), ("thread", "SELECT")] * 2


async def test_outside_a_turn_every_statement_keeps_the_thread(sqlite_client: GatedSqliteClient) -> None:
    where = Where(sqlite_client._connection._conn, *(r._conn for r in sqlite_client._readers))
    async with transaction(mark=False):
        await InboxBeat.create(owner="a", beat_at=1.0)
        await InboxBeat.create(owner="b", beat_at=2.0)
    assert await InboxBeat.all().count() == 2
    assert {place for place, _ in where.take()} == {"thread"}


async def test_a_rolled_back_turn_leaves_nothing_and_the_next_takes_the_lock_again(
        sqlite_client: GatedSqliteClient) -> None:
    where = Where(sqlite_client._connection._conn)
    with turn():
        with pytest.raises(RuntimeError):
            async with transaction(mark=False):
                await InboxBeat.create(owner="a", beat_at=1.0)
                await InboxBeat.create(owner="b", beat_at=2.0)
                raise RuntimeError("the use case failed")
        assert not await InboxBeat.all().exists()
        where.take()
        async with transaction(mark=False):
            await InboxBeat.create(owner="c", beat_at=3.0)
    assert where.take() == [("loop", "BEGIN"), ("thread", "INSERT"), ("thread", "SELECT"), ("thread", "COMMIT")]
    assert await InboxBeat.all().values_list("owner", flat=True) == ["c"]


async def test_a_first_write_waiting_for_another_connection_does_not_stop_the_loop(
        sqlite_client: GatedSqliteClient) -> None:
    other = sqlite3.connect(sqlite_client.filename, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def write() -> None:
        with turn():
            async with transaction(mark=False):
                await InboxBeat.create(owner="waited", beat_at=1.0)

    tick = asyncio.create_task(ticker())
    task = asyncio.create_task(write())
    await asyncio.sleep(0.3)
    before = ticks
    assert not task.done()
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(task, timeout=5)
    tick.cancel()
    assert before >= 15  # the loop kept running while the write waited (~30 ticks)
    assert await InboxBeat.filter(owner="waited").exists()


async def test_a_call_never_overtakes_one_on_the_connections_thread(tmp_path: Path) -> None:
    path = str(tmp_path / "order.sqlite3")
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode = WAL")
    setup.execute("CREATE TABLE t (n INTEGER)")
    setup.executemany("INSERT INTO t VALUES (?)", [(k,) for k in range(1000)])
    setup.commit()
    setup.close()
    reader = await _connect(path)
    reader.wal_reader = True
    where = Where(reader._conn)
    try:
        # a page's long read, on the reader's thread
        slow = asyncio.ensure_future(reader.execute_fetchall(
            "SELECT count(*) FROM t a, t b WHERE a.n + b.n > ?", [500]))
        await asyncio.sleep(0)
        assert reader._queued == 1
        with turn():
            quick = await reader.execute_fetchall("SELECT count(*) FROM t")
            assert slow.done()  # the turn's read waited its turn on the thread
            assert [tuple(r) for r in quick] == [(1000,)]
            assert (await slow)[0][0] == 1000 * 1000 - sum(501 - a for a in range(501))  # pairs over 500
            assert where.take() == [("thread", "SELECT"), ("thread", "SELECT")]
            assert [tuple(r) for r in await reader.execute_fetchall("SELECT max(n) FROM t")] == [(999,)]
            assert where.take() == [("loop", "SELECT")]  # nothing on the thread now: inline
    finally:
        await reader.close()


async def test_readers_of_a_database_not_in_wal_mode_keep_their_thread(tmp_path: Path) -> None:
    await init_db(f"sqlite://{tmp_path}/rollback.sqlite3?journal_mode=DELETE", create_schema=True)
    try:
        client = connections.get("default")
        assert isinstance(client, GatedSqliteClient)
        assert client._readers and not any(r.wal_reader for r in client._readers)
        where = Where(*(r._conn for r in client._readers))
        await InboxBeat.create(owner="a", beat_at=1.0)
        with turn():
            assert await InboxBeat.all().count() == 1
        assert where.take() == [("thread", "SELECT")]  # a writer could make it wait
    finally:
        await close_db()
