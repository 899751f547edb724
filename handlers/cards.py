"""Approval cards kept true: once a step is decided — by a tap, on the approve page or in
chat ("同意 #1065") — or its request withdrawn, every card of that step is replaced in
place through `message/update_template_card`, title and buttons included.

    decision ──► take_card_codes(task_id) ──► for each card sent: CARD_UPDATE row ──► outbox
                 (the response_code message/send returned, spent in the same transaction)

WeCom: a button card's `message/send` answers with a `response_code` that updates that
card once, within 72 h; a tap's ResponseCode (template_card_event) is another one
(https://developer.work.weixin.qq.com/document/path/94888). The tapped card is updated
with the tap's code (handlers.approval), every other card with its send's.
"""

from __future__ import annotations

import hashlib

from handlers import outbox
from handlers.base import Ctx, Message
from handlers.common import approval_card, card_task_id
from models.requests import ApprovalStep, Request

# The outbox kind that replaces a card (models.outbox.MessageKind.CARD_UPDATE).
CARD_UPDATE = "card_update"
WITHDRAWN = "申请已撤回"  # the buttons' label once the applicant cancelled


def card_update(user_id: str, response_code: str, card: dict[str, object]) -> tuple[Message, str]:
    """The outbox message replacing one card, and its idempotency key (a code works once)."""
    code_hash = hashlib.sha256(response_code.encode()).hexdigest()[:32]
    return (Message(CARD_UPDATE, {"response_code": response_code, "template_card": card}),
            f"card:{user_id}:{code_hash}")


async def refresh_step_cards(request: Request, step: ApprovalStep, ctx: Ctx, result: str, *,
                             skip_user: str | None = None) -> int:
    """Replace every card sent for `step` (except those of `skip_user`, whose tapped card
    its tap updates) by the decided card showing `result`; inside the caller's
    transaction. Returns how many were queued."""
    sent = await outbox.take_card_codes(card_task_id(request.no, step.id), ctx.now,
                                        skip_user=skip_user)
    for card_sent in sent:
        url = ctx.links.approve_url(request.no, step.id, step.approver.userid)
        card = approval_card(request, step, request.applicant.name, ctx.tz, url, result=result)
        card["task_id"] = card_sent.task_id
        message, key = card_update(card_sent.user_id, card_sent.response_code, card)
        await ctx.notifier.notify(card_sent.user_id, message, key=key)
    return len(sent)
