"""The durable inbox (issue 12): every message WeCom delivered, stored before the callback
answers 200, until its reply is sent.

The life of a row:

    callback ──INSERT … ON CONFLICT (key) DO NOTHING──► processing (owner: this process)
                                                        or pending (no owner: overload)
    a use case's transaction commits (models/sql.py) ─────────────────► effected  (same commit)
    the turn ends ─────────────────────────────────────► done + reply
    the reply is out (or in the outbox) ───────────────► reply_sent

`key` is the callback's dedup key (MsgId, or user + CreateTime + … for events): unique,
so WeCom's retries, a replay after a restart and a delivery after Redis lost its keys
all find the row already there. A row whose owner's heartbeat (`inbox_beat`) is stale is
claimed by another process (`claim_stale`) and handled there: handled again when nothing
was effected, told from the audit trail when it was, its reply sent again when only that
is missing. Done rows are kept as long as the callback accepts a timestamp (a day) and
a margin, then pruned.

Times are epoch seconds (float): compared in SQL the same way on both databases.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tortoise import connections, fields
from tortoise.exceptions import ConfigurationError
from tortoise.models import Model

from models.sql import in_dialect, transaction
from models.sqlite import GatedSqliteClient, InboxConnection, in_memory, short

MAX_KEY = 191
BATCH_IDS = 500  # row ids in one statement's IN (…)


class InboxState(StrEnum):
    PENDING = "pending"  # stored, nobody working on it (overload, or its owner died)
    PROCESSING = "processing"  # an owner has it in hand
    EFFECTED = "effected"  # the change it asked for is committed; the turn may not have ended
    DONE = "done"  # the turn ended; `reply` is what was answered


class InboxMessage(Model):
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=MAX_KEY, unique=True)
    user_id = fields.CharField(max_length=64)
    payload: dict[str, Any] = fields.JSONField()  # type: ignore[assignment]  # the Inbound's fields
    received_at = fields.FloatField()  # epoch seconds
    state = fields.CharEnumField(InboxState, max_length=12, default=InboxState.PENDING)
    owner = fields.CharField(max_length=64, null=True)
    attempts = fields.IntField(default=0)  # claims by a recovering process
    done_at = fields.FloatField(null=True)
    reply: dict[str, Any] | None = fields.JSONField(null=True)  # type: ignore[assignment]  # {"kind", "text"}
    reply_sent = fields.BooleanField(default=False)
    waiting_told = fields.BooleanField(default=False)  # "正在处理，请稍候" sent for it

    class Meta:
        table = "inbox"
        indexes = (("state", "owner"), ("user_id", "id"))


class InboxBeat(Model):
    """A process's heartbeat: its rows are its own while `beat_at` is fresh."""

    owner = fields.CharField(max_length=64, primary_key=True)
    beat_at = fields.FloatField()

    class Meta:
        table = "inbox_beat"


@dataclass(frozen=True, slots=True)
class NewRow:
    key: str
    user_id: str
    payload: dict[str, Any]
    received_at: float
    owner: str | None  # None: stored for later (overload)
    refused: bool = False  # not to be handled (the flood guard): stored done, for dedup


@dataclass(frozen=True, slots=True)
class Stored:
    id: int
    # An older message of the same user is not finished and not this process's (left
    # unowned, or another process's, perhaps a dead one's): this one waits for it.
    behind: bool = False


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    user_id: str
    payload: dict[str, Any]
    state: InboxState
    reply: dict[str, Any] | None
    received_at: float
    done_at: float | None
    behind: bool = False  # an older unfinished row of the user is in another live process's hands


def _conn() -> Any:
    return connections.get("default")


def _own() -> InboxConnection | None:
    """The inbox's own SQLite connection (models/sqlite.py), when the app opened one and
    no transaction of this task holds Tortoise's (its statements go with that one)."""
    conn = connections.get("default")
    return conn.inbox if isinstance(conn, GatedSqliteClient) else None


async def open_connection() -> bool:
    """Give the inbox its own connection (SQLite on a file; PostgreSQL's pool is shared,
    and an in-memory SQLite has no second connection to the same database)."""
    conn = connections.get("default")
    if not isinstance(conn, GatedSqliteClient) or conn.inbox is not None:
        return False
    if in_memory(conn.filename):
        return False
    conn.inbox = await InboxConnection.open(conn)
    return True


async def close_connection() -> None:
    try:
        conn = connections.get("default")
    except (RuntimeError, ConfigurationError):  # closed already, and this connection with it
        return
    if isinstance(conn, GatedSqliteClient) and conn.inbox is not None:
        await conn.inbox.close()


async def _query(sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """One statement of ours (SQLite's placeholders), on the inbox's own connection when
    there is one."""
    own = _own()
    if own is not None:
        return await own.query(sql, params)
    conn = _conn()
    return await conn.execute_query_dict(in_dialect(conn, sql), list(params))


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


async def insert_new(rows: Sequence[NewRow]) -> list[Stored | None]:
    """Store `rows` in one statement; for each, its row, or None when its key was there
    already (or came earlier in `rows`). `behind` when an unfinished older row of the
    user is unowned or another process's, alive or not: the user's messages are handled
    in their rows' order, whoever holds them."""
    if not rows:
        return []
    values = ", ".join(["(?, ?, ?, ?, ?, ?, 0, ?, ?, ?)"] * len(rows))
    owners = {row.owner for row in rows if row.owner}
    owner = owners.pop() if len(owners) == 1 else ""
    params: list[Any] = []
    for row in rows:
        state = (InboxState.DONE if row.refused
                 else InboxState.PROCESSING if row.owner else InboxState.PENDING)
        params += [row.key, row.user_id, json.dumps(row.payload, ensure_ascii=False),
                   row.received_at, str(state), row.owner, row.refused, False,
                   row.received_at if row.refused else None]
    params.append(owner)
    mark = f"?{len(params)}"
    # `behind`: an unfinished older row of the user, not `owner`'s (those are queued in
    # row order in this process): unowned, or another process's — one that is alive
    # finishes it first, one that died soon loses it to a takeover. (SQLite's RETURNING
    # sees the rows this statement inserted before; PostgreSQL's does not: the rows of
    # the batch itself are looked at below.)
    sql = ("INSERT INTO inbox (key, user_id, payload, received_at, state, owner, attempts, "  # noqa: S608 - placeholders only
           f"reply_sent, waiting_told, done_at) VALUES {values} "
           "ON CONFLICT (key) DO NOTHING RETURNING id, key, EXISTS (SELECT 1 FROM inbox o "
           "WHERE o.user_id = inbox.user_id AND o.id < inbox.id AND o.state <> 'done' "
           f"AND (o.owner IS NULL OR o.owner <> {mark})) AS behind")
    got = {r["key"]: Stored(int(r["id"]), bool(r["behind"])) for r in await _query(sql, params)}
    out: list[Stored | None] = []
    left: set[str] = set()  # users with a row of this batch stored unowned
    for row in rows:
        stored = got.pop(row.key, None)  # a key twice in one batch: the first wins
        if stored is not None and row.owner and not stored.behind and row.user_id in left:
            stored = Stored(stored.id, True)
        if stored is not None and not row.owner and not row.refused:
            left.add(row.user_id)
        out.append(stored)
    return out


@short
async def finish(done: Sequence[tuple[int, dict[str, Any] | None, float]],
                 sent: Sequence[int] = (), finished: Sequence[int] = (),
                 now: float = 0.0) -> None:
    """Rows `done` (id, reply, when: written before the reply goes out), replies `sent`,
    and rows `finished` (done and answered at once: a turn that changed nothing), in one
    transaction when there is more than one statement."""
    statements: list[tuple[str, list[Any]]] = []
    if sent:
        marks = ", ".join("?" * len(sent))
        statements.append((f"UPDATE inbox SET reply_sent = ? WHERE id IN ({marks})",  # noqa: S608 - placeholders only
                           [True, *sent]))
    if finished:
        marks = ", ".join("?" * len(finished))
        statements.append((
            f"UPDATE inbox SET state = 'done', reply_sent = ?, done_at = ? WHERE id IN ({marks})",  # noqa: S608 - placeholders only
            [True, now, *finished]))
    if not done and len(statements) <= 1:
        for sql, params in statements:
            await _query(sql, params)
        return
    done_sql = "UPDATE inbox SET state = 'done', reply = ?, done_at = ? WHERE id = ?"
    done_rows = [[None if reply is None else json.dumps(reply, ensure_ascii=False), at, row_id]
                 for row_id, reply, at in done]
    own = _own()
    if own is not None:
        await own.run(statements, many=[(done_sql, done_rows)] if done_rows else ())
        return
    conn = _conn()
    async with transaction(mark=False) as tx:
        if done_rows:
            await tx.execute_many(in_dialect(conn, done_sql), done_rows)
        for sql, params in statements:
            await tx.execute_query(in_dialect(conn, sql), params)


async def beat(owner: str, now: float) -> None:
    await _query("INSERT INTO inbox_beat (owner, beat_at) VALUES (?, ?) "
                 "ON CONFLICT (owner) DO UPDATE SET beat_at = excluded.beat_at", [owner, now])


async def forget_beats(before: float) -> int:
    """Remove the heartbeats of processes gone before `before`."""
    return await InboxBeat.filter(beat_at__lt=before).delete()


# Rows to take over: not finished (or their reply not marked sent), whose owner has no
# fresh heartbeat (or who never had an owner). All of one user's such rows at once, for
# the users of the oldest `limit` rows; PostgreSQL skips rows another claimer holds now.
_CLAIM = """
UPDATE inbox SET owner = ?1, attempts = attempts + 1,
    state = CASE WHEN state = 'pending' THEN 'processing' ELSE state END
WHERE id IN (
    SELECT i.id FROM inbox i
    WHERE {open_i} AND {stale_i} AND i.user_id IN (
        SELECT j.user_id FROM inbox j WHERE {open_j} AND {stale_j} ORDER BY j.id LIMIT ?3)
    {lock})
RETURNING id, user_id, payload, state, reply, received_at, done_at,
    EXISTS (SELECT 1 FROM inbox o WHERE o.user_id = inbox.user_id AND o.id < inbox.id
            AND o.state <> 'done' AND o.owner <> ?1 AND NOT {stale_o}) AS behind
"""


def _open(t: str) -> str:
    return f"({t}.state <> 'done' OR {t}.reply_sent = ?4)"


def _stale(t: str, fresh_after: str = "?2") -> str:
    return (f"({t}.owner IS NULL OR NOT EXISTS (SELECT 1 FROM inbox_beat b "  # noqa: S608 - fixed SQL
            f"WHERE b.owner = {t}.owner AND b.beat_at > {fresh_after}))")


def _claimed(r: dict[str, Any]) -> Claimed:
    return Claimed(int(r["id"]), r["user_id"], _json(r["payload"]), InboxState(r["state"]),
                   _json(r["reply"]), float(r["received_at"]),
                   None if r["done_at"] is None else float(r["done_at"]), bool(r.get("behind")))


async def claim_stale(owner: str, fresh_after: float, limit: int) -> list[Claimed]:
    """Take over, for `owner`, the rows left by processes whose heartbeat is older than
    `fresh_after` (or left unowned), in id order."""
    if limit <= 0:
        return []
    conn = _conn()
    pg = conn.capabilities.dialect == "postgres"
    sql = _CLAIM.format(open_i=_open("i"), open_j=_open("j"), stale_i=_stale("i"),
                        stale_j=_stale("j"), stale_o=_stale("o"),
                        lock="FOR UPDATE OF i SKIP LOCKED" if pg else "")
    rows = await _query(sql, [owner, fresh_after, limit, False])
    claimed = [_claimed(r) for r in rows]
    claimed.sort(key=lambda c: c.id)
    return claimed


# The older unfinished rows of one user (?2) below row ?3 left unowned or by processes
# silent since ?4, taken by ?1 — unless one of them is in a live process's hands.
_ELDERS = """
UPDATE inbox SET owner = ?1, attempts = attempts + 1,
    state = CASE WHEN state = 'pending' THEN 'processing' ELSE state END
WHERE id IN (
    SELECT i.id FROM inbox i
    WHERE i.user_id = ?2 AND i.id < ?3 AND i.state <> 'done' AND {stale_i}
      AND NOT EXISTS (SELECT 1 FROM inbox o WHERE o.user_id = ?2 AND o.id < ?3
                      AND o.state <> 'done' AND o.owner <> ?1 AND NOT {stale_o})
    {lock})
RETURNING id, user_id, payload, state, reply, received_at, done_at
"""
# After that: an older unfinished row still not ?1's — another process's, alive (its
# turn comes first: it finishes it, or dies and loses it to a takeover), or being
# claimed by another process at this moment (PostgreSQL's SKIP LOCKED passed it over),
# or unowned: wait.
_ELDER_HELD = """
SELECT 1 AS held FROM inbox o WHERE o.user_id = ?2 AND o.id < ?3 AND o.state <> 'done'
    AND (o.owner IS NULL OR o.owner <> ?1) LIMIT 1
"""


async def claim_elders(owner: str, user_id: str, below: int,
                       fresh_after: float) -> list[Claimed] | None:
    """Take, for `owner`, the unfinished rows of `user_id` older than row `below` left
    unowned or by processes silent since `fresh_after` (in id order: they come before
    it); None while one is another process's (wait: its turn comes first)."""
    conn = _conn()
    pg = conn.capabilities.dialect == "postgres"
    params = [owner, user_id, below, fresh_after]
    sql = _ELDERS.format(stale_i=_stale("i", "?4"), stale_o=_stale("o", "?4"),
                         lock="FOR UPDATE OF i SKIP LOCKED" if pg else "")
    claimed = [_claimed(r) for r in await _query(sql, params)]
    if claimed:
        return sorted(claimed, key=lambda c: c.id)
    if await _query(_ELDER_HELD, [owner, user_id, below]):
        return None
    return []


async def held_behind(owner: str, ids: Sequence[int], fresh_after: float) -> set[int]:
    """Of rows `ids`, those with an older unfinished row of their user held by another
    process heard from since `fresh_after` (alive, or not yet taken for dead): one
    statement for all."""
    held: set[int] = set()
    for start in range(0, len(ids), BATCH_IDS):
        part = list(ids[start:start + BATCH_IDS])
        n = len(part)
        marks = ", ".join("?" * n)
        sql = (f"SELECT n.id FROM inbox n WHERE n.id IN ({marks}) AND EXISTS (SELECT 1 FROM inbox o "  # noqa: S608 - placeholders only
               f"WHERE o.user_id = n.user_id AND o.id < n.id AND o.state <> 'done' "
               f"AND o.owner <> ?{n + 1} AND NOT {_stale('o', f'?{n + 2}')})")
        held |= {int(r["id"]) for r in await _query(sql, [*part, owner, fresh_after])}
    return held


# Users whose message has waited since before `before` and who were not told yet in
# this waiting episode (none of their unfinished rows told): mark every unfinished row
# of theirs told, return one row per user (the oldest waiting).
_WAITING = """
UPDATE inbox SET waiting_told = ?3
WHERE state IN ('pending', 'processing') AND waiting_told = ?4 AND user_id IN (
    SELECT i.user_id FROM inbox i
    WHERE i.state IN ('pending', 'processing') AND i.received_at < ?1 AND i.waiting_told = ?4
      AND NOT EXISTS (SELECT 1 FROM inbox o WHERE o.user_id = i.user_id AND o.waiting_told = ?3
                      AND o.state IN ('pending', 'processing'))
    ORDER BY i.id LIMIT ?2)
RETURNING id, user_id
"""


async def tell_waiting(before: float, limit: int = 200) -> list[tuple[int, str]]:
    """(oldest waiting row id, user) of each user to tell "正在处理，请稍候", once per episode."""
    rows = await _query(_WAITING, [before, limit, True, False])
    first: dict[str, int] = {}
    for r in rows:
        uid, rid = r["user_id"], int(r["id"])
        if uid not in first or rid < first[uid]:
            first[uid] = rid
    return sorted((rid, uid) for uid, rid in first.items())


async def depth() -> tuple[int, float | None]:
    """Messages not yet done, and when the oldest of them arrived (epoch seconds)."""
    rows = await _query("SELECT count(*) AS n, min(received_at) AS oldest FROM inbox WHERE state <> 'done'", [])
    row = rows[0]
    return int(row["n"]), None if row["oldest"] is None else float(row["oldest"])


async def prune(before: float) -> int:
    """Delete rows done (and answered) before `before`: past the callback's window a
    replay is refused by its timestamp, so the key is no longer needed."""
    return await InboxMessage.filter(state=InboxState.DONE, reply_sent=True, done_at__lt=before).delete()
