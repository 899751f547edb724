"""The inbox's own SQLite connection (models/sqlite.py): its writes interleaved with
Tortoise's transactions that read first and write later — which SQLite fails at once
(SQLITE_BUSY) when another connection committed in between, unless the writer gate
keeps them apart — and a turn's transaction committed without its own fsync."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tortoise import connections

from models.db import close_db, init_db
from models.inbox import (
    InboxBeat,
    InboxMessage,
    NewRow,
    close_connection,
    insert_new,
    open_connection,
)
from models.sql import CURRENT_INBOX, InboxTurn, transaction
from models.sqlite import GatedSqliteClient


async def _synchronous(client: GatedSqliteClient) -> int:
    [row] = await client.execute_query_dict("PRAGMA synchronous")
    return int(row["synchronous"])


async def test_inbox_writes_and_transactions_that_read_first_do_not_collide(tmp_path: Path) -> None:
    await init_db(f"sqlite://{tmp_path}/gate.sqlite3", create_schema=True)
    try:
        client = connections.get("default")
        assert isinstance(client, GatedSqliteClient)
        assert await open_connection() and client.inbox is not None
        assert not await open_connection()  # once

        async def turn(k: int) -> None:
            async with transaction():
                await InboxBeat.filter(owner=f"t{k}").exists()  # a read: the snapshot begins
                await asyncio.sleep(0)  # the inbox's writer may go now, were it not gated
                await InboxBeat.create(owner=f"t{k}", beat_at=float(k))

        async def callback(k: int) -> None:
            [stored] = await insert_new([NewRow(f"msg:{k}", f"u{k % 7}", {"k": k}, float(k), "me")])
            assert stored is not None

        await asyncio.gather(*(f(k) for k in range(40) for f in (turn, callback)))
        assert await InboxBeat.all().count() == 40
        assert await InboxMessage.all().count() == 40
    finally:
        await close_connection()
        await close_db()


async def test_a_turns_transaction_skips_its_own_fsync_others_keep_it(tmp_path: Path) -> None:
    await init_db(f"sqlite://{tmp_path}/sync.sqlite3", create_schema=True)
    try:
        client = connections.get("default")
        assert isinstance(client, GatedSqliteClient)
        full, normal = 2, 1
        async with transaction():
            pass
        assert await _synchronous(client) == full
        token = CURRENT_INBOX.set(InboxTurn(1))
        try:
            async with transaction():  # no inbox connection: nothing to make it durable
                pass
            assert await _synchronous(client) == full
            await open_connection()
            async with transaction():  # the turn's done mark, FULL on the inbox's, will
                pass
            assert await _synchronous(client) == normal
        finally:
            CURRENT_INBOX.reset(token)
        async with transaction():  # a page's, a timer's
            pass
        assert await _synchronous(client) == full
    finally:
        await close_connection()
        await close_db()
