"""Reading the audit chain (倒查追责): `verify` walks it and names the first record that
was changed or removed; `history` is one request's records, oldest first.

Records are written by `models.audit.audit` with their change, unlinked; `seal` links
the committed ones into the chain (the server seals every second, `audit verify` first
thing), so concurrent changes never queue on the chain's head. Record `seq` n carries
`prev_hash` = the hash of record n - 1 and its own `hash` over its canonical JSON as
stored; the head row (`audit_head`) holds the last seq given out and its hash. So:

- a record edited in place no longer matches its own hash;
- a record edited and re-hashed no longer matches the next record's `prev_hash` (or the
  head's hash, when it is the last);
- a record deleted leaves a gap in `seq`; records deleted from the end leave the head
  ahead of the last record.

What the chain cannot show: a record changed or deleted in the moment between its commit
and its seal (at most about a second in the server). Records waiting for their seal are
counted by `verify`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from tortoise.transactions import in_transaction

from models.audit import AUDIT_GENESIS, AuditHead, AuditLog, audit_hash
from models.org import User
from models.requests import NUMBER_BASE, Request, request_id
from models.sql import in_dialect

BATCH = 2000
_FIELDS = ("id", "seq", "request_id", "actor", "action", "from_status", "to_status",
           "channel", "at", "details", "prev_hash", "hash")


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    records: int  # chained records checked
    pending: int  # records written but not sealed yet (no seq)
    head_hash: str
    problem: str = ""  # the first thing wrong, one line

    def line(self) -> str:
        if not self.ok:
            return f"audit chain broken: {self.problem}"
        extra = f", {self.pending} waiting to be sealed" if self.pending else ""
        head = f", head {self.head_hash[:16]}" if self.head_hash else ""
        return f"ok: {self.records} records{extra}{head}"


def _name(row: dict[str, Any]) -> str:
    no = f", request #{row['request_id'] + NUMBER_BASE}" if row["request_id"] is not None else ""
    return f"record id={row['id']} (seq {row['seq']}{no}, {row['action']} by {row['actor']})"


def _recomputed(row: dict[str, Any]) -> str:
    return audit_hash(
        seq=row["seq"], request_id=row["request_id"], actor=row["actor"], action=row["action"],
        from_status=row["from_status"], to_status=row["to_status"], channel=row["channel"],
        at=row["at"], details=row["details"] if row["details"] is not None else {},
        prev_hash=row["prev_hash"] or "",
    )


# Takes the head row (creating it on the very first seal) and reads it: a write, so seals
# are serialised — a row lock on PostgreSQL, the write lock on SQLite — until commit.
_TAKE_HEAD_SQL = (
    "INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, '') "
    "ON CONFLICT (id) DO UPDATE SET seq = audit_head.seq RETURNING seq, last_hash"
)
_SEAL_ROW_SQL = "UPDATE audit_log SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?"
_MOVE_HEAD_SQL = "UPDATE audit_head SET seq = ?, last_hash = ? WHERE id = 1"


async def seal(batch: int = BATCH) -> int:
    """Link every committed record without a `seq` into the chain, in the order they were
    written (id), `batch` per transaction; returns how many. Safe to run in several
    processes at once: each batch holds the head row until it commits."""
    sealed = 0
    while await AuditLog.filter(seq__isnull=True).exists():
        async with in_transaction() as conn:
            [head] = await conn.execute_query_dict(_TAKE_HEAD_SQL)
            seq, prev_hash = int(head["seq"]), str(head["last_hash"])
            rows = await (AuditLog.filter(seq__isnull=True).order_by("id").limit(batch)
                          .values(*_FIELDS))
            links = []
            for row in rows:  # hashed as stored: exactly what `verify` reads back
                seq += 1
                row["seq"], row["prev_hash"] = seq, prev_hash
                prev_hash = _recomputed(row)
                links.append([seq, row["prev_hash"], prev_hash, row["id"]])
            if links:
                await conn.execute_many(in_dialect(conn, _SEAL_ROW_SQL), links)
                await conn.execute_query(in_dialect(conn, _MOVE_HEAD_SQL), [seq, prev_hash])
        sealed += len(rows)
        if len(rows) < batch:
            break
    return sealed


async def verify(batch: int = BATCH) -> Verdict:
    """Walk the whole chain in `seq` order; stop at the first record changed or removed.
    Records not sealed yet are counted, not checked (`seal` first to check everything)."""
    head = await AuditHead.get_or_none(id=1)
    head_seq, head_hash = (head.seq, head.last_hash) if head else (0, AUDIT_GENESIS)
    pending = await AuditLog.filter(seq__isnull=True).count()
    expected, prev_hash, prev_row = 1, AUDIT_GENESIS, None
    checked = 0

    def broken(problem: str) -> Verdict:
        return Verdict(False, checked, pending, head_hash, problem)

    while True:
        rows = await (AuditLog.filter(seq__gte=expected).order_by("seq").limit(batch)
                      .values(*_FIELDS))
        if not rows:
            break
        for row in rows:
            seq = row["seq"]
            if seq != expected:
                where = f"before {_name(row)}"
                gone = f"seq {expected}" if seq == expected + 1 else f"seq {expected}..{seq - 1}"
                return broken(f"record(s) removed: {gone}, {where}")
            if row["hash"] != _recomputed(row):
                return broken(f"{_name(row)} was changed: it no longer matches its hash")
            if (row["prev_hash"] or "") != prev_hash:
                if prev_row is not None:
                    return broken(f"{_name(prev_row)} was changed: its hash was rewritten "
                                  f"and no longer matches the next record's prev_hash")
                return broken(f"{_name(row)} was changed: the first record must follow "
                              f"nothing (prev_hash is not empty)")
            prev_hash, prev_row, expected = row["hash"], row, seq + 1
            checked += 1
    last = expected - 1
    if head_seq > last:
        gone = f"seq {head_seq}" if head_seq == last + 1 else f"seq {last + 1}..{head_seq}"
        return broken(f"record(s) removed from the end: {gone} (the head is at seq {head_seq})")
    if head_seq < last:
        return broken(f"the chain head (seq {head_seq}) is behind the records (seq {last}): "
                      f"the head was changed")
    if head_hash != prev_hash:
        if prev_row is not None:
            return broken(f"{_name(prev_row)} was changed: its hash was rewritten and no "
                          f"longer matches the chain head")
        return broken("the chain head was changed")
    return Verdict(True, checked, pending, head_hash)


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime
    actor: str
    actor_name: str
    action: str
    from_status: str | None
    to_status: str | None
    channel: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class History:
    no: int
    type: str
    status: str
    applicant: str
    applicant_name: str
    entries: list[Entry]


async def history(no: int) -> History | None:
    """Request #no's audit records, oldest first; None when there is no such request."""
    request = await Request.get_or_none(id=request_id(no)).select_related("applicant")
    if request is None:
        return None
    rows = await AuditLog.filter(request_id=request.id).order_by("at", "id")
    names = dict(
        await User.filter(userid__in={r.actor for r in rows}).values_list("userid", "name")
    )
    entries = [
        Entry(r.at, r.actor, str(names.get(r.actor, "")), r.action, r.from_status,
              r.to_status, r.channel, dict(r.details or {}))
        for r in rows
    ]
    return History(no, str(request.type), str(request.status), request.applicant.userid,
                   request.applicant.name, entries)


def format_history(h: History, tz: tzinfo) -> str:
    """One line for the request, one per record: time (in `tz`), who, action, from → to,
    channel, details."""
    lines = [f"#{h.no} {h.type} {h.status} — applicant {h.applicant_name} ({h.applicant})"]
    for e in h.entries:
        who = f"{e.actor_name} ({e.actor})" if e.actor_name else e.actor
        move = f"{e.from_status or '-'} → {e.to_status}" if e.to_status else ""
        extra = " ".join(f"{k}={v}" for k, v in sorted(e.details.items()))
        at = e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        parts = (at, who, e.action, move, f"[{e.channel}]", extra)
        lines.append("  ".join(part for part in parts if part))
    if not h.entries:
        lines.append("(no audit records)")
    return "\n".join(lines)
