"""The durable inbox as the channel sees it (bot/chat/inbox.py writes and recovers it;
the rows are models/inbox.py's), and what a user is told when their message was handled
by a process that died before answering."""

from __future__ import annotations

from handlers.labels import TYPE_NAMES, status_name
from models.audit import caused_by
from models.inbox import (
    Claimed,
    InboxState,
    NewRow,
    Stored,
    beat,
    claim_elders,
    claim_stale,
    close_connection,
    depth,
    finish,
    forget_beats,
    held_behind,
    insert_new,
    open_connection,
    prune,
    tell_waiting,
)
from models.sql import CURRENT_INBOX, InboxTurn

__all__ = [
    "CURRENT_INBOX",
    "Claimed",
    "InboxState",
    "InboxTurn",
    "NewRow",
    "Stored",
    "beat",
    "claim_elders",
    "claim_stale",
    "close_connection",
    "depth",
    "finish",
    "forget_beats",
    "handled_summary",
    "held_behind",
    "insert_new",
    "open_connection",
    "prune",
    "tell_waiting",
]

HANDLED = "您刚才的消息已处理：{what}"
HANDLED_NOTHING = "您刚才的消息已处理。如需查看，请发送“我的申请”。"
WAITING = "正在处理，请稍候。您的消息已收到，处理完会马上回复您。"


async def handled_summary(inbox_id: int) -> str:
    """What the message of row `inbox_id` did, from the audit records it caused: e.g.
    "#1234 用车申请已提交，待审批。" — for a turn whose change committed but whose answer
    was never sent."""
    parts: list[str] = []
    seen: set[int] = set()
    for record in await caused_by(inbox_id):
        request = record.request
        if request is None or request.id in seen:
            continue
        seen.add(request.id)
        kind = TYPE_NAMES.get(request.type, "")
        done = "已提交" if record.action == "create" else "已更新"
        parts.append(f"#{request.no} {kind}申请{done}，当前状态：{status_name(request)}。")
    return HANDLED.format(what="".join(parts)) if parts else HANDLED_NOTHING
