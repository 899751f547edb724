"""WeCom deliveries already seen, in the database: the dedup store of last resort, used
while Redis is unavailable (bot/wecom/dedup.py) so that several processes still agree on which
delivery is the first. `INSERT … ON CONFLICT` decides atomically on both databases; rows
older than the TTL count as unseen and are pruned now and then."""

from __future__ import annotations

import hashlib

from tortoise import connections, fields
from tortoise.models import Model

from models.sql import in_dialect

MAX_KEY = 160  # longer keys are stored as their sha256


class InboundSeen(Model):
    key = fields.CharField(max_length=MAX_KEY, primary_key=True)
    # Epoch seconds: compared in SQL the same way on both databases.
    created_at = fields.BigIntField(db_index=True)

    class Meta:
        table = "inbound_seen"


_FIRST_SQL = (
    "INSERT INTO inbound_seen (key, created_at) VALUES (?, ?) "
    "ON CONFLICT (key) DO UPDATE SET created_at = excluded.created_at "
    "WHERE inbound_seen.created_at < ? RETURNING key"
)


def _stored_key(key: str) -> str:
    if len(key) <= MAX_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


async def first_seen(key: str, now: int, ttl: int) -> bool:
    """True when `key` was not seen in the last `ttl` seconds (and record it as seen now)."""
    conn = connections.get("default")
    rows = await conn.execute_query_dict(in_dialect(conn, _FIRST_SQL), [_stored_key(key), now, now - ttl])
    return bool(rows)


async def forget_seen(key: str) -> None:
    await InboundSeen.filter(key=_stored_key(key)).delete()


async def prune_seen(before: int) -> int:
    """Delete what was seen before `before` (epoch seconds); the number deleted."""
    return await InboundSeen.filter(created_at__lt=before).delete()
