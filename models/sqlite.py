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

A message's turn (and other short work: the inbox's turn ends, the outbox's deliveries)
runs its statements on the event loop's own thread where they neither wait for another
connection nor for the disk, nor take long (`Connection`): a statement that may meet a
lock is tried there with the busy timeout at 0 and goes to the thread when SQLite
answers SQLITE_BUSY; a commit that fsyncs keeps the thread.

The gate and the connections belong to the client object Tortoise makes at `init_db`
and drops at `close_db`; the inbox's connection is opened and closed by the app
(bot/app.py, through handlers/inbox.py), the readers with the writer's own connection,
so nothing outlives the event loop that made it.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

import aiosqlite
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
    translate_exceptions,
)
from tortoise.connection import get_connections

from models.sql import CURRENT_INBOX

P = ParamSpec("P")
T = TypeVar("T")

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
_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_RECOVERY)  # a lock another connection holds

# A task whose statements are short and indexed, like a turn's (the outbox's delivery and
# the inbox's bookkeeping): see `Connection`.
SHORT: ContextVar[bool] = ContextVar("sqlite_short", default=False)


@contextmanager
def short_statements() -> Iterator[None]:
    """The statements of the block are short and indexed: they may run on the loop's thread."""
    token = SHORT.set(True)
    try:
        yield
    finally:
        SHORT.reset(token)


def short(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """`short_statements()` around every call of the coroutine function `fn`."""

    @functools.wraps(fn)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with short_statements():
            return await fn(*args, **kwargs)

    return run


class _Busy(Exception):
    """An inline statement found a lock taken: it goes to the connection's thread instead."""


class Connection(aiosqlite.Connection):
    """aiosqlite's connection, which runs the statements of a message's turn (and of other
    short work) on the event loop's own thread wherever it need not wait.

    aiosqlite hands every call to the connection's thread and its result back through the
    loop. Measured here, a user lookup costs 12 µs of CPU inline and 116 µs through the
    thread (queue, thread wake-up, `call_soon_threadsafe`, the loop's wake-up, and the GIL
    handed back and forth), on a loaded process more. aiosqlite has no way to run a call
    in the caller's thread, and the stdlib's `sqlite3` alone would block the loop on every
    statement, slow or waiting, so here a call runs inline only when all of these hold:

    - its statements are short and indexed: a message's turn (`CURRENT_INBOX`), or a block
      marked `short_statements()` (the inbox's turn ends, the outbox's deliveries). Pages,
      exports, timers and sweeps, whose statements may take long, keep the thread;
    - the connection has no call on its thread (nothing under way or queued that the call
      would wait for, or overtake);
    - it does not wait for another connection. A read on a reader of a WAL database, a
      statement of a transaction that holds the write lock, the deferred BEGIN and
      savepoints never wait. A statement that takes the lock (BEGIN IMMEDIATE, a
      transaction's first write, a write on its own) and a COMMIT are tried inline with
      SQLite's busy timeout at 0: when another connection holds the lock, SQLite answers
      SQLITE_BUSY at once, having done nothing, and the call goes to the thread, where the
      busy timeout waits for the lock without stopping the loop (a COMMIT that met
      SQLITE_BUSY keeps its transaction, to be retried);
    - it does not wait for the disk: on a connection whose commits fsync (`PRAGMA
      synchronous` FULL: the inbox's, and every transaction but a turn's), a COMMIT and a
      write outside a transaction keep the thread, which waits for the fsync while the
      loop goes on (with the inbox's INSERT and its fsync on the loop, the callback's p99
      in `bench_callback` was ~10 ms higher in the runs tried). A turn's commits (NORMAL)
      write the WAL only. The callback's INSERT is thus the one statement of a message
      left on a thread (`bench_turns`: 4.00 → 1.38 a message; README "Measured").

    What an inline statement still costs the loop: its own time; the WAL checkpoint when
    a turn's commit crosses `wal_autocheckpoint` (1,000 pages, ~4 MB copied once per some
    hundred turns; with no checkpoints at all the WAL's growth cost more than they did);
    and the pages it reads that the OS has not cached (after a restart; an SSD reads one
    in ~0.1 ms). Measured on a year of a large bureau (1,000,000 requests): the status
    question's overview of a department head with 800 undecided steps took 2–3 ms warm,
    105 ms on a cold file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queued = 0  # calls on the thread, under way or waiting
        self._wrote = False  # the open transaction holds the write lock
        self.wal_reader = False  # a reader (`PRAGMA query_only`) of a database in WAL mode
        self.fsyncs = True  # its commits fsync (`PRAGMA synchronous` FULL, SQLite's default)

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if self._queued == 0 and (SHORT.get() or CURRENT_INBOX.get() is not None):
            how = self._inline(fn, args)
            if how == "run":
                result = fn(*args, **kwargs)
                self._after(fn, args)
                return result
            if how == "try":
                try:
                    return self._try(fn, args, kwargs)
                except _Busy:
                    pass  # to the thread, which waits for the lock
        self._queued += 1
        try:
            result = await super()._execute(fn, *args, **kwargs)
        finally:
            self._queued -= 1
        self._after(fn, args)
        return result

    def _after(self, fn: Any, args: tuple[Any, ...]) -> None:
        if args and isinstance(args[0], str):  # a statement (not close, commit, a cursor's call)
            self._wrote = self._conn.in_transaction and (self._wrote or _locks(args[0]))
        elif getattr(fn, "__name__", "") in ("commit", "rollback"):
            self._wrote = False

    def _try(self, fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """A call that may meet another connection's lock, inline with no busy wait."""
        conn = self._conn
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            result = fn(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if getattr(error, "sqlite_errorcode", None) in _BUSY:
                raise _Busy from error
            raise
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._after(fn, args)
        return result

    def _inline(self, fn: Any, args: tuple[Any, ...]) -> str:
        """How the call may run on the loop's thread: "run" (it cannot wait), "try" (it may
        meet a lock: `_try`), or "" (the thread)."""
        conn = self._connection
        if conn is None:
            return ""
        name = getattr(fn, "__name__", "")
        if not conn.in_transaction:
            self._wrote = False  # a transaction SQLite ended itself (an error) holds nothing
        if name == "commit":
            if not conn.in_transaction:
                return "run"  # nothing to commit: sqlite3 does nothing
            return "" if self.fsyncs else "try"
        if name == "rollback":
            return "run"  # it waits for no lock
        if name not in _STATEMENTS or not args or not isinstance(args[0], str):
            return ""
        query = args[0]
        if not conn.in_transaction:
            if _is_select(query):
                return "run" if self.wal_reader else ""
            head = query.lstrip()[:15].upper()
            if head.rstrip() == "BEGIN":
                return "run"  # deferred: it takes no lock
            if head.startswith(("BEGIN", "PRAGMA")):
                return "try"
            return "" if self.fsyncs else "try"  # a write committed on its own
        return "run" if self._wrote or not _locks(query) else "try"


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

    async def durability(self, conn: Connection) -> None:
        """Before a transaction: commit it without its own fsync (synchronous NORMAL)
        when it is a message's turn and the inbox has its connection — the turn's done
        mark, a FULL commit there written before the reply goes out, makes it durable
        with it (WAL is one file written in order: its fsync covers every frame before).
        A process killed in between loses nothing (the OS has the WAL); only a power cut
        in those milliseconds would, and then the message, whose row says it is not done,
        is handled again. Every other transaction (pages, timers, sync) stays FULL.
        An fsync costs ~4 ms here (README "Measured"), held with the writer gate."""
        full = self.inbox is None or CURRENT_INBOX.get() is None
        if full != conn.fsyncs:
            await conn.execute_fetchall(f"PRAGMA synchronous = {'FULL' if full else 'NORMAL'}")
            conn.fsyncs = full

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
