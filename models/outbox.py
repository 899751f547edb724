"""The notification outbox: a message to a user is a row written in the same transaction
as the change that causes it, and a worker delivers it later (issue 2, item 6).

The life of a row:

    enqueue ──► pending ──claim_due──► leased (locked_by/locked_until)
                  ▲                        │ mark_sent ──► sent
                  └── mark_retry / defer ──┤ mark_dead ──► dead
                  └── lease expires ───────┘

A lease makes a row invisible to other claimers until `locked_until`; `claim_due` is one
atomic statement on both databases, so two workers (threads, processes or hosts) never
hold the same row at once. `mark_*` only act while the row is still leased by the
caller, so a worker that lost its lease cannot overwrite the winner's outcome.

Delivery is at-least-once at the WeCom boundary (a crash between WeCom's answer and
`mark_sent` sends again after the lease) — keep the lease well above the send timeout.

All datetimes are stored in UTC: Tortoise keeps SQLite datetimes as ISO text with the
offset they were given, and text only compares right when every offset is the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise import connections, fields
from tortoise.expressions import F, Q
from tortoise.models import Model

from models.sql import as_models, columns, in_dialect
from models.sqlite import short

MAX_ERROR_LENGTH = 2000
CARD_CODE_LIFETIME = timedelta(hours=72)  # WeCom: a response_code works once, for 72 h


class MessageKind(StrEnum):
    """WeCom `message/send` msgtype (https://developer.work.weixin.qq.com/document/path/90236),
    and CARD_UPDATE: `message/update_template_card` of a tapped card, content
    `{"response_code", "template_card"}` (https://developer.work.weixin.qq.com/document/path/94888;
    the value fits the 16-character column)."""

    TEXT = "text"
    TEXTCARD = "textcard"
    MARKDOWN = "markdown"
    TEMPLATE_CARD = "template_card"
    CARD_UPDATE = "card_update"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class OutboxMessage(Model):
    id = fields.BigIntField(primary_key=True)
    user_id = fields.CharField(max_length=64)  # the recipient's WeCom userid
    kind = fields.CharEnumField(MessageKind, max_length=16)
    content: dict[str, Any] = fields.JSONField()  # type: ignore[assignment]  # the msgtype's object
    key = fields.CharField(max_length=191, null=True, unique=True)  # idempotency key
    status = fields.CharEnumField(OutboxStatus, max_length=8, default=OutboxStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    locked_by = fields.CharField(max_length=128, null=True)
    locked_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    # A template card's task_id, and the response_code WeCom's message/send returned for
    # it (button cards only): single-use and valid 72 h, it lets the card be replaced in
    # place once decided elsewhere (https://developer.work.weixin.qq.com/document/path/94888).
    # Cleared when spent.
    task_id = fields.CharField(max_length=128, null=True, db_index=True)
    response_code = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "outbox_message"
        # (user_id, status): a recipient's older pending rows (per-recipient order).
        indexes = (("status", "next_attempt_at"), ("user_id", "status"))

    def __str__(self) -> str:
        return f"outbox #{self.id} {self.kind} → {self.user_id} ({self.status})"


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"an aware datetime is required, got {moment!r}")
    return moment.astimezone(UTC)


async def enqueue(
    user_id: str,
    kind: MessageKind | str,
    content: dict[str, Any],
    *,
    key: str | None = None,
    now: datetime | None = None,
) -> None:
    """Queue a message for `user_id`, due at once. Runs on the caller's transaction when
    there is one (Tortoise keeps it in a contextvar), so the message commits or rolls
    back with the change. A `key` already queued makes this a no-op (INSERT … ON
    CONFLICT DO NOTHING, which leaves a PostgreSQL transaction usable)."""
    moment = _utc(now) if now is not None else datetime.now(UTC)
    message_kind = MessageKind(kind)
    conn = connections.get("default")
    await conn.execute_query(in_dialect(conn, _ENQUEUE), [
        user_id, str(message_kind), _CONTENT.to_db_value(content, OutboxMessage), key,
        str(OutboxStatus.PENDING), moment, moment, _task_id_of(message_kind, content),
    ])


# Prepared, not a model row: every notice is one, written inside the change's transaction.
# The content encoded by the field itself, as a model row would be (filters compare it).
_CONTENT = OutboxMessage._meta.fields_map["content"]
_ENQUEUE = ("INSERT INTO outbox_message (user_id, kind, content, key, status, attempts, "
            "next_attempt_at, created_at, task_id) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING")


def _task_id_of(kind: MessageKind, content: dict[str, Any]) -> str | None:
    task_id = content.get("task_id") if kind is MessageKind.TEMPLATE_CARD else None
    return task_id[:128] if isinstance(task_id, str) and task_id else None


# Due: pending, its time has come, nobody holds a live lease on it, and it is the oldest
# pending row to its recipient: one recipient's messages go out in the order they were
# written, one at a time, also when an outage left them with different retry times and
# whichever process claims them (a later row waits while an older one is pending).
# PostgreSQL also locks the candidates and skips rows another claimer holds right now;
# on SQLite (>= 3.35 for RETURNING) one statement is one write transaction: writers are
# serialised, and WAL refuses a write based on a stale snapshot (SQLITE_BUSY_SNAPSHOT).
_CLAIM = """
UPDATE outbox_message SET locked_by = ?1, locked_until = ?2
WHERE id IN (
    SELECT m.id FROM outbox_message m
    WHERE m.status = 'pending' AND m.next_attempt_at <= ?3
      AND (m.locked_until IS NULL OR m.locked_until <= ?3 OR EXISTS (
        SELECT 1 FROM inbox_beat b WHERE b.owner = m.locked_by AND b.beat_at < ?5))
      AND NOT EXISTS (
        SELECT 1 FROM outbox_message o
        WHERE o.user_id = m.user_id AND o.status = 'pending' AND o.id < m.id)
    ORDER BY m.next_attempt_at, m.id LIMIT ?4{lock})
RETURNING {columns}
"""


@short
async def claim_due(
    owner: str, now: datetime, limit: int, lease_seconds: float, *,
    silent_before: float | None = None,
) -> list[OutboxMessage]:
    """Lease up to `limit` due pending messages to `owner` until now + lease_seconds and
    return them, oldest due first: at most one per recipient, the oldest it has pending.
    Never returns a row whose lease by anyone is live — a lease held by a process whose
    heartbeat (models/inbox.py `inbox_beat`) is older than `silent_before` (epoch
    seconds) is not: that process is dead or stopped, its leases end with it."""
    if limit <= 0:
        return []
    moment = _utc(now)
    until = moment + timedelta(seconds=lease_seconds)
    conn = connections.get("default")
    lock = " FOR UPDATE OF m SKIP LOCKED" if conn.capabilities.dialect == "postgres" else ""
    sql = in_dialect(conn, _CLAIM.format(lock=lock, columns=_COLUMNS))
    # execute_query_dict: Tortoise's asyncpg execute_query drops the rows of an UPDATE.
    silent = -1.0 if silent_before is None else silent_before
    rows = await conn.execute_query_dict(sql, [owner, until, moment, limit, silent])
    # The rows the UPDATE returns, made into models as Tortoise makes a SELECT's (its
    # row constructor converts each column from the driver's value): no second read.
    claimed: list[OutboxMessage] = as_models(OutboxMessage, rows)
    claimed.sort(key=lambda m: (m.next_attempt_at, m.id))
    return claimed


_COLUMNS = columns(OutboxMessage)  # no foreign keys: all there before Tortoise's set-up


def _leased(message_id: int, owner: str) -> Any:
    return OutboxMessage.filter(id=message_id, locked_by=owner, status=OutboxStatus.PENDING)


@short
async def mark_sent(message_id: int, owner: str, now: datetime,
                    response_code: str | None = None) -> bool:
    """Record delivery (with the card's response_code, when WeCom returned one). False
    (and nothing changed) when `owner` no longer holds it."""
    conn = connections.get("default")
    count, _ = await conn.execute_query(in_dialect(conn, _SENT_ONE), [
        str(OutboxStatus.SENT), _utc(now), response_code[:255] if response_code else None,
        message_id, owner, str(OutboxStatus.PENDING)])
    return int(count) == 1


# Prepared: a card's delivery is recorded after every confirmation that asks an approver.
_SENT_ONE = ("UPDATE outbox_message SET status = ?, sent_at = ?, locked_by = NULL, locked_until = NULL, "
             "response_code = ? WHERE id = ? AND locked_by = ? AND status = ?")


@dataclass(frozen=True, slots=True)
class SentCard:
    user_id: str
    task_id: str
    response_code: str


async def take_card_codes(task_id: str, now: datetime, *,
                          skip_user: str | None = None) -> list[SentCard]:
    """The cards sent under `task_id` (or a later card of the same task, `task_id-N`)
    whose response_code is unspent and younger than WeCom's 72 h, each spent here: run it
    in the transaction that writes the updates, so two decisions never use one code."""
    since = _utc(now) - CARD_CODE_LIFETIME
    rows = await (
        OutboxMessage.filter(status=OutboxStatus.SENT, response_code__isnull=False,
                             sent_at__gt=since)
        .filter(Q(task_id=task_id) | Q(task_id__startswith=f"{task_id}-"))
        .order_by("id")
    )
    taken = [r for r in rows if r.user_id != skip_user and r.response_code]
    if taken:
        await OutboxMessage.filter(id__in=[r.id for r in taken], response_code__isnull=False
                                   ).update(response_code=None)
    return [SentCard(r.user_id, r.task_id or task_id, r.response_code or "") for r in taken]


@short
async def mark_sent_many(message_ids: Sequence[int], owner: str, now: datetime) -> int:
    """`mark_sent` for a worker's whole pass in one statement; how many were recorded
    (rows `owner` no longer holds are left as they are)."""
    if not message_ids:
        return 0
    conn = connections.get("default")
    marks = ", ".join("?" * len(message_ids))
    sql = in_dialect(conn, _SENT_MANY.format(ids=marks))
    # execute_query: (rows affected, rows) on both backends.
    count, _ = await conn.execute_query(sql, [str(OutboxStatus.SENT), _utc(now), *message_ids, owner,
                                              str(OutboxStatus.PENDING)])
    return int(count)


# Prepared: the worker's one statement a pass (the ids' placeholders only vary in number).
_SENT_MANY = ("UPDATE outbox_message SET status = ?, sent_at = ?, locked_by = NULL, locked_until = NULL "
              "WHERE id IN ({ids}) AND locked_by = ? AND status = ?")


async def mark_retry(message_id: int, owner: str, error: str, retry_at: datetime) -> bool:
    """A failed attempt: count it, keep the error, and make the row due again at
    `retry_at` (the caller's backoff)."""
    count = await _leased(message_id, owner).update(
        attempts=F("attempts") + 1,
        next_attempt_at=_utc(retry_at),
        last_error=error[:MAX_ERROR_LENGTH],
        locked_by=None,
        locked_until=None,
    )
    return count == 1


async def mark_dead(message_id: int, owner: str, error: str) -> bool:
    """A final failed attempt (counted): the row stays for inspection, never sent."""
    count = await _leased(message_id, owner).update(
        status=OutboxStatus.DEAD,
        attempts=F("attempts") + 1,
        last_error=error[:MAX_ERROR_LENGTH],
        locked_by=None,
        locked_until=None,
    )
    return count == 1


async def defer(message_id: int, owner: str, until: datetime) -> bool:
    """Put a leased row back, due at `until`, without counting an attempt (rate limits:
    WeCom drops silently what exceeds 30 messages a minute to one member)."""
    count = await _leased(message_id, owner).update(
        next_attempt_at=_utc(until), locked_by=None, locked_until=None
    )
    return count == 1


async def has_pending(user_id: str) -> bool:
    """Whether `user_id` has a message waiting (its next one must go behind it)."""
    return await OutboxMessage.filter(user_id=user_id, status=OutboxStatus.PENDING).exists()


async def pending_count() -> int:
    """Messages not yet delivered nor dead (leased ones included)."""
    return await OutboxMessage.filter(status=OutboxStatus.PENDING).count()


async def dead_count() -> int:
    """Messages given up (WeCom refused them for good, or 48 h of failures): what an
    operator must look at."""
    return await OutboxMessage.filter(status=OutboxStatus.DEAD).count()
