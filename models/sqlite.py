"""SQLite with a second writer: Tortoise's SQLite client, whose transactions take a writer
gate, and the inbox's own connection to the same file, which takes the same gate.

Tortoise talks to SQLite through one connection behind one asyncio lock: every query of
every turn, and each whole-turn transaction, one at a time. The callback's inbox INSERT
queued there waited behind all of them, so a loaded process showed its backlog at the
callback (README "Measured": realistic 200/s, callback p99 64 ms → 2.4 s). The inbox now
writes through `InboxConnection`, a second connection (its own thread, WAL mode, a busy
timeout), and waits only for the transaction that writes at that moment.

SQLite has one writer at a time. A transaction that read first and writes later fails at
once (SQLITE_BUSY, no busy timeout helps) when another connection committed in between,
so the two writers must not interleave: Tortoise's transactions (`GatedSqliteClient`, the
`engine` of models/db.py's config) hold `gate` from their BEGIN to their COMMIT, taken
after Tortoise's own lock (so at most one of them waits for it), and the inbox holds it
for each of its statements. A single statement outside a transaction needs no gate: it
starts reading and writing together, and SQLite's busy timeout retries it.

Reads go beside the writer. Tortoise's one connection behind one lock also made every
SELECT of every turn wait for whichever transaction held it: at the realistic mix's 100
messages/s a read outside a transaction waited up to 108 ms (p99) and a transaction's
start 117 ms, with the event loop idle (README "Measured"). A SELECT outside a
transaction now goes to the least busy of `READERS` read-only connections to the same file (WAL
lets readers read while one connection writes): it sees every committed change, as it
did, and not another task's transaction under way — as if it had run just before that
transaction began, which the one lock allowed too. Statements inside a transaction are
the transaction's (Tortoise's transaction client is another class), and everything that
is not a SELECT stays on the writer's connection.

A message's turn runs its statements on the event loop's own thread where they can neither
wait for another connection nor take long (`Connection`): its reads on a reader, and its
transaction's statements once its first write holds the lock; commits keep the thread.

The gate and the connections belong to the client object Tortoise makes at `init_db`
and drops at `close_db`; the inbox's connection is opened and closed by the app
(bot/app.py, through handlers/inbox.py), the readers with the writer's own connection,
so nothing outlives the event loop that made it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
    translate_exceptions,
)
from tortoise.connection import get_connections

from models.sql import CURRENT_INBOX

BUSY_TIMEOUT_MS = 5000  # another process (`main.py seed`) writing: wait, then fail
READERS = 2  # read-only connections beside the writer's (one thread each; two cores here)


def in_memory(filename: str) -> bool:
    """An in-memory database has no second connection to it."""
    return filename in ("", ":memory:") or filename.startswith("file::memory:") or "mode=memory" in filename


def _is_select(query: str) -> bool:
    return query.lstrip()[:6].upper() == "SELECT"


def _locks(query: str) -> bool:
    """Whether a statement in a transaction may take the write lock, and so wait for another
    connection: not a read (WAL), the deferred BEGIN or a savepoint's own statements."""
    head = query.lstrip()[:15].upper()
    if head.startswith(("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")):
        return True
    return not head.startswith(("SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK TO"))


_STATEMENTS = frozenset(("_execute_fetchall", "_execute_insert", "execute", "executemany"))


class Connection(aiosqlite.Connection):
    """aiosqlite's connection, which runs a statement of a message's turn on the event
    loop's own thread where it can neither wait nor take long.

    aiosqlite hands every call to the connection's thread and its result back through the
    loop: tens of µs of CPU a statement (queue, thread wake-up, `call_soon_threadsafe`,
    the loop's wake-up) for a statement that itself takes ~10 µs. aiosqlite has no way to
    run a call in the caller's thread, and the stdlib's `sqlite3` alone would block the
    loop on every statement, slow or waiting, so here a call runs inline only when all of
    these hold:

    - it is a message's turn (`CURRENT_INBOX`): short, indexed statements. Pages, exports
      and timers, whose reads may take long, keep the thread;
    - the connection has no call on its thread (nothing under way or queued that the call
      would wait for, or overtake);
    - it cannot wait for another connection: a read on a reader of a WAL database (it
      waits for no writer; only the recovery of a WAL left by a crash makes it wait,
      once), a statement of an open transaction that holds the write lock already (its
      first write took it on the thread, where a busy wait blocks nothing), the deferred
      BEGIN, a savepoint's statements, a commit with nothing to commit.

    The COMMIT or ROLLBACK of a transaction, and every write outside one, stay on the
    thread: they write the WAL and may fsync it. `bench_turns`: 3,277 → 2,300 µs of CPU a
    message (every call inline, as a bound: 2,331; README "Measured").

    What an inline statement still costs the loop: its own time, and the pages it reads
    that the OS has not cached (after a restart; an SSD reads one in ~0.1 ms). Measured on
    a year of a large bureau (1,000,000 requests): the status question's overview of a
    department head with 800 undecided steps took 2–3 ms warm, 105 ms on a cold file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queued = 0  # calls on the thread, under way or waiting
        self._wrote = False  # the open transaction holds the write lock
        self.wal_reader = False  # a reader (`PRAGMA query_only`) of a database in WAL mode

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if self._queued == 0 and CURRENT_INBOX.get() is not None and self._inline(fn, args):
            return fn(*args, **kwargs)
        self._queued += 1
        try:
            result = await super()._execute(fn, *args, **kwargs)
        finally:
            self._queued -= 1
        if args and isinstance(args[0], str):  # a statement (not close, commit, a cursor's call)
            self._wrote = self._conn.in_transaction and (self._wrote or _locks(args[0]))
        elif getattr(fn, "__name__", "") in ("commit", "rollback"):
            self._wrote = False
        return result

    def _inline(self, fn: Any, args: tuple[Any, ...]) -> bool:
        """Whether the call may run on the loop's thread (the class's conditions but the
        first two, which the caller checked)."""
        conn = self._connection
        if conn is None:
            return False
        name = getattr(fn, "__name__", "")
        if not conn.in_transaction:
            self._wrote = False  # a transaction SQLite ended itself (an error) holds nothing
            if name == "commit":
                return True  # nothing to commit: sqlite3 does nothing
        if name not in _STATEMENTS or not args or not isinstance(args[0], str):
            return False
        query = args[0]
        if not conn.in_transaction:
            return (self.wal_reader and _is_select(query)) or query.strip().upper() == "BEGIN"
        return self._wrote or not _locks(query)


async def _connect(filename: str) -> Connection:
    """Another connection to the file: autocommit, rows by name, the busy timeout; usable
    from the loop's thread as from its own (see `Connection`)."""

    def connector() -> sqlite3.Connection:
        return sqlite3.connect(filename, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False)

    conn = Connection(connector, 64)
    await conn  # its thread started, the connection made there
    conn.row_factory = sqlite3.Row
    await conn.execute_fetchall(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


class _GatedTransaction(SqliteTransactionContext):
    __slots__ = ("_client", "_gate")

    def __init__(self, connection: Any, client: GatedSqliteClient) -> None:
        super().__init__(connection, client._lock)
        self._client = client
        self._gate = client.gate

    async def __aenter__(self) -> Any:
        await self._trxlock.acquire()
        try:
            await self._gate.acquire()
        except BaseException:
            self._trxlock.release()
            raise
        token = None
        try:
            await self.ensure_connection()
            await self._client.durability(self.connection._parent._connection)
            token = get_connections().set(self.connection_name, self.connection)
            await self.connection.begin()
        except BaseException:
            if token is not None:
                get_connections().reset(token)
            self._gate.release()
            self._trxlock.release()
            raise
        self.token = token
        return self.connection

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        try:
            await super().__aexit__(exc_type, exc_val, exc_tb)
        finally:
            self._gate.release()


class GatedSqliteClient(SqliteClient):
    """Tortoise's SQLite client; its transactions hold `gate` (see the module's text)."""

    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self.gate = asyncio.Lock()
        self.inbox: InboxConnection | None = None  # opened by the app
        self._synchronous = "FULL"  # SQLite's default
        self._readers: list[Connection] = []
        self._busy: list[int] = []  # statements under way on each reader

    async def create_connection(self, with_db: bool) -> None:
        if not self._connection:  # SqliteClient's, on a `Connection` of this module's
            self._connection = await _connect(self.filename)
            for pragma, val in self.pragmas.items():
                await self._connection.execute_fetchall(f"PRAGMA {pragma}={val}")
            await self._post_connect()
        if not self._readers and not in_memory(self.filename):
            readers = []
            try:
                for _ in range(READERS):
                    readers.append(await _connect(self.filename))
                    await readers[-1].execute_fetchall("PRAGMA query_only = ON")
                    # a reader waits for no writer in WAL mode only (Tortoise's default)
                    readers[-1].wal_reader = str(self.pragmas.get("journal_mode", "")).upper() == "WAL"
            except BaseException:
                for reader in readers:
                    await reader.close()
                raise
            self._readers, self._busy = readers, [0] * len(readers)

    def _reads(self, query: str) -> bool:
        """Whether `query` goes to a reader: a SELECT, readers open."""
        return bool(self._readers) and _is_select(query)

    async def execute_query(self, query: str, values: list[Any] | None = None) -> tuple[int, Sequence[Any]]:
        if not self._reads(query):
            return await super().execute_query(query, values)
        rows = await self._read(query, values)
        return len(rows), rows

    async def execute_query_dict(self, query: str, values: list[Any] | None = None) -> list[dict[str, Any]]:
        if not self._reads(query):
            return await super().execute_query_dict(query, values)
        return list(map(dict, await self._read(query, values)))

    @translate_exceptions  # its errors as Tortoise's, as SqliteClient's own statements
    async def _read(self, query: str, values: list[Any] | None) -> list[Any]:
        """A SELECT on the reader with the fewest statements under way (a page's long
        SELECT on one leaves the turns' short ones the other)."""
        query = query.replace("\x00", "'||CHAR(0)||'")  # as SqliteClient.execute_query
        self.log.debug("%s: %s", query, values)
        busy = self._busy
        reader = busy.index(min(busy))
        busy[reader] += 1
        try:
            return list(await self._readers[reader].execute_fetchall(query, values))
        finally:
            if busy is self._busy:  # not closed meanwhile
                busy[reader] -= 1

    def _in_transaction(self) -> Any:
        return _GatedTransaction(SqliteTransactionWrapper(self), self)

    async def durability(self, conn: aiosqlite.Connection) -> None:
        """Before a transaction: commit it without its own fsync (synchronous NORMAL)
        when it is a message's turn and the inbox has its connection — the turn's done
        mark, a FULL commit there written before the reply goes out, makes it durable
        with it (WAL is one file written in order: its fsync covers every frame before).
        A process killed in between loses nothing (the OS has the WAL); only a power cut
        in those milliseconds would, and then the message, whose row says it is not done,
        is handled again. Every other transaction (pages, timers, sync) stays FULL.
        An fsync costs ~4 ms here (README "Measured"), held with the writer gate."""
        mode = "NORMAL" if self.inbox is not None and CURRENT_INBOX.get() is not None else "FULL"
        if mode != self._synchronous:
            await conn.execute_fetchall(f"PRAGMA synchronous = {mode}")
            self._synchronous = mode

    async def close(self) -> None:
        if self.inbox is not None:
            await self.inbox.close()
        readers, self._readers, self._busy = self._readers, [], []
        for reader in readers:
            await reader.close()
        await super().close()


client_class = GatedSqliteClient  # what Tortoise looks for in an `engine` module


class InboxConnection:
    """The inbox's own connection to the client's file: each call one statement, or one
    transaction of several, under the client's gate."""

    def __init__(self, client: GatedSqliteClient, conn: aiosqlite.Connection) -> None:
        self._client = client
        self._conn = conn

    @classmethod
    async def open(cls, client: GatedSqliteClient) -> InboxConnection:
        conn = await _connect(client.filename)
        # WAL as Tortoise sets it (the file keeps it); synchronous stays FULL, the
        # default: a message answered 200 is on disk.
        await conn.execute_fetchall("PRAGMA journal_mode = WAL")
        return cls(client, conn)

    async def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """One statement, committed on its own; its rows."""
        async with self._client.gate:
            rows = await self._conn.execute_fetchall(sql, params)
        return [dict(row) for row in rows]  # type: ignore[call-overload]

    async def run(self, statements: Sequence[tuple[str, Sequence[Any]]],
                  many: Sequence[tuple[str, Sequence[Sequence[Any]]]] = ()) -> None:
        """`many` (executemany) then `statements` in one transaction."""
        async with self._client.gate:
            await self._conn.execute_fetchall("BEGIN IMMEDIATE")
            try:
                for sql, rows in many:
                    await self._conn.executemany(sql, rows)
                for sql, params in statements:
                    await self._conn.execute_fetchall(sql, params)
            except BaseException:
                await self._conn.rollback()
                raise
            await self._conn.commit()

    async def close(self) -> None:
        if self._client.inbox is self:
            self._client.inbox = None
        await self._conn.close()
