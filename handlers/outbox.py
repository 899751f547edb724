"""The transactional outbox as the channel sees it (bot/wecom/notifier.py writes and
delivers it, bot/chat/dispatcher.py queues replies behind it): the rows and their
leases are models/outbox.py's."""

from __future__ import annotations

from models.outbox import (
    MessageKind,
    claim_due,
    dead_count,
    defer,
    enqueue,
    has_pending,
    mark_dead,
    mark_retry,
    mark_sent,
    mark_sent_many,
    pending_count,
    take_card_codes,
)

__all__ = [
    "MessageKind",
    "claim_due",
    "dead_count",
    "defer",
    "enqueue",
    "has_pending",
    "mark_dead",
    "mark_retry",
    "mark_sent",
    "mark_sent_many",
    "pending_count",
    "take_card_codes",
]
