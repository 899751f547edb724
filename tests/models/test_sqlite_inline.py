"""SQLite statements of a message's turn (and of other short work) on the event loop's
thread (models/sqlite.py `Connection`): only where they neither wait for another
connection nor for the disk, nor overtake a call on the connection's own thread. A
statement that meets another connection's lock goes to the thread and waits there; a
commit that fsyncs keeps the thread; everything outside a turn and a `short_statements()`
block keeps it too — and the results are the same either way."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.exceptions import IntegrityError

from models.db import close_db, init_db
from models.inbox import InboxBeat, open_connection
from models.sql import CURRENT_INBOX, InboxTurn, transaction
from models.sqlite import BUSY_TIMEOUT_MS, GatedSqliteClient, _connect, short_statements


@contextmanager
def turn() -> Iterator[None]:
    token = CURRENT_INBOX.set(InboxTurn(0))
    try:
        yield
    finally:
        CURRENT_INBOX.reset(token)


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def app_client(sqlite_client: GatedSqliteClient) -> GatedSqliteClient:
    """The client as `serve` has it: the inbox's own connection open, so that a turn's
    commits write the WAL without an fsync (the turn's end on the inbox's makes them
    durable)."""
    assert await open_connection()
    return sqlite_client


class Where:
    """Which thread ran each statement of the traced connections: 'loop' or 'thread'."""

    def __init__(self, *conns: sqlite3.Connection) -> None:
        self.seen: list[tuple[str, str]] = []
        loop_thread = threading.get_ident()
        for conn in conns:
            conn.set_trace_callback(lambda sql: self.seen.append(
                ("loop" if threading.get_ident() == loop_thread else "thread", sql.split()[0].upper())))

    def take(self, pragmas: bool = False) -> list[tuple[str, str]]:
        """What ran since the last call; without the busy-timeout PRAGMAs around an
        inline try unless asked."""
        seen, self.seen = self.seen, []
        return [s for s in seen if pragmas or s[1] != "PRAGMA"]


async def test_a_turn_runs_on_the_loop_where_nothing_waits(app_client: GatedSqliteClient) -> None:
    where = Where(app_client._connection._conn, *(r._conn for r in app_client._readers))
    with turn():
        async with transaction(mark=False):
            await InboxBeat.filter(owner="nobody").exists()  # a read: the snapshot waits for no one
            await InboxBeat.create(owner="a", beat_at=1.0)  # the first write: the lock was free
            await InboxBeat.create(owner="b", beat_at=2.0)  # the lock held
            await InboxBeat.filter(owner="a").update(beat_at=3.0)
    # (an INSERT's call reads its row id after it: `SELECT last_insert_rowid()`; a turn's
    # commit writes the WAL without an fsync)
    assert where.take() == [("loop", "BEGIN"), ("loop", "SELECT"), ("loop", "INSERT"), ("loop", "SELECT"),
                            ("loop", "INSERT"), ("loop", "SELECT"), ("loop", "UPDATE"), ("loop", "COMMIT")]
    with turn():
        rows = sorted(await InboxBeat.all().values_list("owner", "beat_at"))  # a reader, inline
    assert rows == [("a", 3.0), ("b", 2.0)]
    assert where.take() == [("loop", "SELECT")]
    await InboxBeat.create(owner="c", beat_at=4.0)  # outside a turn: the thread
    with turn():
        await InboxBeat.create(owner="d", beat_at=5.0)  # a commit of its own, without an fsync
    assert where.take() == [("thread", "INSERT"), ("thread", "SELECT"), ("loop", "INSERT"), ("loop", "SELECT")]
    raw = app_client._connection._conn
    assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS  # put back after each try


async def test_outside_a_turn_every_statement_keeps_the_thread(sqlite_client: GatedSqliteClient) -> None:
    where = Where(sqlite_client._connection._conn, *(r._conn for r in sqlite_client._readers))
    async with transaction(mark=False):
        await InboxBeat.create(owner="a", beat_at=1.0)
        await InboxBeat.create(owner="b", beat_at=2.0)
    assert await InboxBeat.all().count() == 2
    assert {place for place, _ in where.take()} == {"thread"}


async def test_a_rolled_back_turn_leaves_nothing_and_the_next_takes_the_lock_again(
        app_client: GatedSqliteClient) -> None:
    where = Where(app_client._connection._conn)
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
    assert where.take() == [("loop", "BEGIN"), ("loop", "INSERT"), ("loop", "SELECT"), ("loop", "COMMIT")]
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

    where = Where(sqlite_client._connection._conn)
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
    # tried on the loop, SQLITE_BUSY at once, then on the thread, where it waited
    assert where.take()[:4] == [("loop", "BEGIN"), ("loop", "INSERT"), ("thread", "INSERT"), ("thread", "SELECT")]
    raw = sqlite_client._connection._conn
    assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS


async def test_a_write_on_its_own_meeting_a_lock_waits_on_the_thread(sqlite_client: GatedSqliteClient) -> None:
    other = sqlite3.connect(sqlite_client.filename, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    where = Where(sqlite_client._connection._conn)
    with short_statements():
        raw = sqlite_client._connection._conn
        raw.execute("PRAGMA synchronous = NORMAL")  # as a turn leaves it: its commit may be inline
        sqlite_client._connection.fsyncs = False
        task = asyncio.create_task(InboxBeat.create(owner="later", beat_at=1.0))
        await asyncio.sleep(0.2)
        assert not task.done()
        other.execute("INSERT INTO inbox_beat (owner, beat_at) VALUES ('first', 0)")
        other.execute("COMMIT")
        other.close()
        await asyncio.wait_for(task, timeout=5)
    assert sorted(await InboxBeat.all().values_list("owner", flat=True)) == ["first", "later"]
    assert where.take() == [("loop", "INSERT"), ("thread", "INSERT"), ("thread", "SELECT")]


async def test_a_commit_that_fsyncs_keeps_the_thread(tmp_path: Path) -> None:
    path = str(tmp_path / "full.sqlite3")
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode = WAL")
    setup.execute("CREATE TABLE t (n INTEGER PRIMARY KEY)")
    setup.close()
    conn = await _connect(path)
    where = Where(conn._conn)
    try:
        with short_statements():
            assert conn.fsyncs  # SQLite's default: synchronous FULL
            await conn.execute_fetchall("BEGIN IMMEDIATE")
            await conn.execute_fetchall("INSERT INTO t VALUES (1)")
            await conn.commit()
            await conn.execute_fetchall("INSERT INTO t VALUES (2)")  # commits itself: an fsync
            assert where.take() == [("loop", "BEGIN"), ("loop", "INSERT"), ("thread", "COMMIT"),
                                    ("thread", "INSERT")]
            conn.fsyncs = False
            await conn.execute_fetchall("PRAGMA synchronous = NORMAL")
            await conn.execute_fetchall("BEGIN IMMEDIATE")
            await conn.execute_fetchall("INSERT INTO t VALUES (3)")
            await conn.commit()
            await conn.execute_fetchall("INSERT INTO t VALUES (4)")
            assert where.take() == [("loop", "BEGIN"), ("loop", "INSERT"), ("loop", "COMMIT"), ("loop", "INSERT")]
        assert [r[0] for r in await conn.execute_fetchall("SELECT n FROM t ORDER BY n")] == [1, 2, 3, 4]
        assert where.take() == [("thread", "SELECT")]  # outside a short block: the thread
    finally:
        await conn.close()


async def test_an_inline_error_is_tortoises_and_rolls_the_turn_back(sqlite_client: GatedSqliteClient) -> None:
    await InboxBeat.create(owner="a", beat_at=1.0)
    with turn():
        with pytest.raises(IntegrityError):
            async with transaction(mark=False):
                await InboxBeat.create(owner="b", beat_at=2.0)
                await InboxBeat.create(owner="a", beat_at=3.0)  # the key is taken
        assert sorted(await InboxBeat.all().values_list("owner", "beat_at")) == [("a", 1.0)]
        async with transaction(mark=False):  # the connection is usable, the lock taken again
            await InboxBeat.create(owner="c", beat_at=4.0)
    assert sorted(await InboxBeat.all().values_list("owner", flat=True)) == ["a", "c"]


async def test_the_outboxs_delivery_runs_on_the_loop(app_client: GatedSqliteClient) -> None:
    from datetime import UTC, datetime

    from models import outbox

    await outbox.OutboxMessage.create(user_id="u1", kind="text", content="{}", key="k1",
                                      next_attempt_at=datetime(2026, 1, 1, tzinfo=UTC),
                                      created_at=datetime(2026, 1, 1, tzinfo=UTC))
    with turn():  # a turn's transaction leaves the writer's commits without an fsync
        async with transaction(mark=False):
            await InboxBeat.create(owner="a", beat_at=1.0)
    assert not app_client._connection.fsyncs
    where = Where(app_client._connection._conn)
    now = datetime(2026, 1, 2, tzinfo=UTC)
    claimed = await outbox.claim_due("me", now, 10, 30)
    assert [m.key for m in claimed] == ["k1"]
    assert await outbox.mark_sent_many([claimed[0].id], "me", now) == 1
    assert where.take() == [("loop", "UPDATE"), ("loop", "UPDATE")]
    sent = await outbox.OutboxMessage.get(key="k1")
    assert sent.status == outbox.OutboxStatus.SENT and sent.locked_by is None


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


_BOOKER = """
import asyncio, json, os, sys
from datetime import datetime, timedelta
from models.db import close_db, init_db
from models.errors import Conflict
from models.inbox import open_connection
from models.org import RequestType, Vehicle
from models.requests import NewRequest, create_request
from models.sql import CURRENT_INBOX, InboxTurn
import models.sqlite

busy = 0
_tried = models.sqlite.Connection._try

def _try(self, *args):
    global busy
    try:
        return _tried(self, *args)
    except models.sqlite._Busy:
        busy += 1  # another connection held the lock: to the thread
        if busy == 1:
            open(os.path.join(MARKS, f"met.{os.getpid()}"), "w").close()
        raise

models.sqlite.Connection._try = _try

async def main(url, plate, starts, marks):
    global MARKS
    MARKS = marks
    await init_db(url, create_schema=False)
    assert await open_connection()  # as serve: a turn's commits inline, without an fsync
    vehicle = (await Vehicle.get(plate=plate)).id
    open(os.path.join(marks, f"ready.{os.getpid()}"), "w").close()
    while not os.path.exists(os.path.join(marks, "go")):  # both processes start together
        await asyncio.sleep(0.01)

    async def one(start):
        CURRENT_INBOX.set(InboxTurn(0))  # a message's turn (each task its own context)
        new = NewRequest(RequestType.VEHICLE_BOOKING, "zhangsan", start, start + timedelta(hours=2),
                         vehicle_id=vehicle, details={"passengers": 2})
        try:
            return (await create_request(new, start - timedelta(days=1), "chat")).id
        except Conflict:
            return None

    windows = [datetime.fromisoformat(s) for s in starts.split(",")]
    got = await asyncio.gather(*(one(w) for w in windows for _ in range(6)))
    print(json.dumps({"made": got, "busy": busy}))
    await close_db()

asyncio.run(main(*sys.argv[1:]))
"""


def _count(marks: Path, prefix: str) -> int:
    return len(list(marks.glob(f"{prefix}.*")))


async def _marks(marks: Path, prefix: str, n: int, what: str) -> None:
    """Wait until `n` files named `prefix`.* are in `marks` (the workers' signs)."""
    for _ in range(6000):
        if _count(marks, prefix) >= n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the workers did not all {what}")


async def test_two_processes_booking_one_vehicle_on_one_file_hold_it_once(tmp_path: Path) -> None:
    """Two `serve`-like processes on one SQLite file, each with six turns at once for each
    of eight windows of the same vehicle, and each window held once. The turns start while
    a third connection holds the write lock, so that every process's inline statements
    meet it (SQLITE_BUSY, then the wait on the thread), and then meet each other's."""
    from models.holds import Hold
    from models.requests import Request
    from tests.models.test_requests import _sqlite_org, at

    url = await _sqlite_org(f"sqlite://{tmp_path}/two.sqlite3")
    await close_db()
    starts = ",".join(at(28 + d, 9).isoformat() for d in range(8))
    marks = tmp_path / "marks"
    marks.mkdir()
    procs = [await asyncio.create_subprocess_exec(
        sys.executable, "-c", _BOOKER, url, "沪A12345", starts, str(marks), cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) for _ in range(2)]
    holder = sqlite3.connect(url.removeprefix("sqlite://"), isolation_level=None)
    try:
        await _marks(marks, "ready", 2, "start")
        holder.execute("BEGIN IMMEDIATE")  # another process writing
        (marks / "go").touch()
        await _marks(marks, "met", 2, "meet the lock")
        holder.execute("COMMIT")
    finally:
        holder.close()
    results = [await p.communicate() for p in procs]
    assert all(p.returncode == 0 for p in procs), [r[1].decode()[-2000:] for r in results]
    got = [json.loads(out) for out, _ in results]
    made = [rid for per in got for rid in per["made"] if rid is not None]
    assert len(made) == 8, got  # one booking a window, from either process
    assert all(per["busy"] >= 1 for per in got), got  # each process's inline tries met a lock
    await init_db(url, create_schema=False)
    try:
        assert await Request.filter(id__in=made).count() == 8
        holds = await Hold.filter(active=True, resource__startswith="vehicle:").values_list("request_id", flat=True)
        assert sorted(holds) == sorted(made)
    finally:
        await close_db()
