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


async def _connect(filename: str) -> aiosqlite.Connection:
    """Another connection to the file: autocommit, rows by name, the busy timeout."""
    conn = await aiosqlite.connect(filename, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
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
        self._readers: list[aiosqlite.Connection] = []
        self._busy: list[int] = []  # statements under way on each reader

    async def create_connection(self, with_db: bool) -> None:
        await super().create_connection(with_db)
        if not self._readers and not in_memory(self.filename):
            readers = []
            try:
                for _ in range(READERS):
                    readers.append(await _connect(self.filename))
                    await readers[-1].execute_fetchall("PRAGMA query_only = ON")
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
