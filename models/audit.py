"""The audit trail (全程监控、倒查追责): who did what, when, from which channel, from which
status to which. A record is written with its change, in the caller's transaction;
`models.audit_chain.seal` links committed records into a hash chain, and
`models.audit_chain.verify` finds the first record changed or removed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tortoise import connections, fields
from tortoise.models import Model

from models.sql import CURRENT_INBOX, in_dialect, utc

if TYPE_CHECKING:
    from models.requests import Request


class AuditLog(Model):
    """Who did what, when, from which channel, from which status to which — one link of a
    hash chain (倒查追责): `hash` is sha256 over the row's canonical JSON, which includes
    `seq` (1, 2, 3, … without gaps) and `prev_hash`, the hash of record `seq - 1`. A row
    changed afterwards no longer matches its hash; a row removed leaves a gap in `seq`;
    `python main.py audit verify` (models/audit_chain.py) finds the first of either.

    A record is written with its change and no `seq`; `models.audit_chain.seal` links it into
    the chain once committed (within a second in the server)."""

    id = fields.BigIntField(primary_key=True)
    request: fields.ForeignKeyNullableRelation[Request] = fields.ForeignKeyField(
        "models.Request", related_name="audit", null=True, on_delete=fields.RESTRICT
    )
    actor = fields.CharField(max_length=64)
    action = fields.CharField(max_length=32)
    from_status = fields.CharField(max_length=16, null=True)
    to_status = fields.CharField(max_length=16, null=True)
    channel = fields.CharField(max_length=16)
    at = fields.DatetimeField()
    details: dict[str, Any] = fields.JSONField(default=dict)  # type: ignore[assignment]
    # Null until the record is sealed into the chain (models/audit_chain.py `seal`).
    seq = fields.BigIntField(null=True, unique=True)
    prev_hash = fields.CharField(max_length=64, null=True)
    hash = fields.CharField(max_length=64, null=True)
    # The inbox row (models/inbox.py) of the message that caused it, when one did: which
    # message did what. Not part of the hash (set by the turn, not by the use case).
    inbox_id = fields.BigIntField(null=True, db_index=True)

    class Meta:
        table = "audit_log"
        # a request's trail; repairs' first moments (MIN(at)) from the index alone
        indexes = (("request_id", "action", "at"),)


class AuditHead(Model):
    """The chain's one head row (id 1): the last `seq` given out and that record's hash.
    Every seal updates it first, so seals are serialised (a row lock on PostgreSQL, the
    write lock on SQLite) and the chain never forks; it also shows records removed from
    the end."""

    id = fields.SmallIntField(primary_key=True, generated=False)
    seq = fields.BigIntField(default=0)
    last_hash = fields.CharField(max_length=64, default="")

    class Meta:
        table = "audit_head"


AUDIT_GENESIS = ""  # prev_hash of record 1


def audit_at(at: datetime) -> str:
    """The canonical form of an audit time: UTC, microseconds (what both databases keep)."""
    return utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def audit_hash(
    *,
    seq: int,
    request_id: int | None,
    actor: str,
    action: str,
    from_status: str | None,
    to_status: str | None,
    channel: str,
    at: datetime,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    """sha256 of the record's canonical JSON (sorted keys, no spaces, UTF-8)."""
    payload = {
        "seq": seq,
        "request": request_id,
        "actor": actor,
        "action": action,
        "from": from_status,
        "to": to_status,
        "channel": channel,
        "at": audit_at(at),
        "details": details,
        "prev": prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def audit(
    request: Request | None,
    actor: str,
    action: str,
    channel: str,
    now: datetime,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    **details: Any,
) -> None:
    """Write an audit record, inside the caller's transaction (or on its own): one
    INSERT, no lock. It joins the hash chain when `models.audit_chain.seal` links it, after
    its transaction commits (the server seals every second), so concurrent changes
    never wait on each other for the chain. Prepared SQL, not a model row: every change
    writes one, and nothing reads it back in the change."""
    # What goes in is what comes back out of either database (JSON of primitives): the
    # hash is computed over exactly that.
    plain = json.loads(json.dumps(details, ensure_ascii=False, default=str))
    text = AuditLog._meta.fields_map["details"].to_db_value(plain, AuditLog)  # as a row would be
    conn = connections.get("default")
    await conn.execute_query(in_dialect(conn, _INSERT), [
        None if request is None else request.id, actor, action,
        None if from_status is None else str(from_status),
        None if to_status is None else str(to_status), channel, utc(now), text,
        None if (turn := CURRENT_INBOX.get()) is None else turn.id,
    ])


_INSERT = ("INSERT INTO audit_log (request_id, actor, action, from_status, to_status, channel, at, "
           "details, inbox_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


async def trail_of(request_id: int) -> list[AuditLog]:
    """A request's audit records, oldest first."""
    return await AuditLog.filter(request_id=request_id).order_by("at", "id")


async def caused_by(inbox_id: int) -> list[AuditLog]:
    """The records the message of inbox row `inbox_id` caused, oldest first, with their
    requests."""
    return await AuditLog.filter(inbox_id=inbox_id).order_by("id").prefetch_related("request")
