"""The reason of a 驳回 tapped on a card: the chat asks for it, and only the answer rejects.

```mermaid
flowchart LR
    T[tap 驳回] --> Q["请回复驳回理由…；不便说明请回复“无”；点错了请回复“算了”"]
    Q -- "时间冲突，请改期" --> R[rejected with that reason, every card of the step updated]
    Q -- "无" --> N[rejected, 审批人未说明理由]
    Q -- "算了" / "点错了" --> K[nothing changes: the card gets its live buttons back]
    Q -- "同意" --> A[approved instead]
```

A question about one's requests or "帮助" in between is answered as such, the question
stays open (15 minutes, as every dialogue). States: `handlers.states.RejectReasonStates`.
"""

from __future__ import annotations

from dataclasses import replace

from handlers.approval import (
    REASON_FLOW,
    after_tap,
    apply_decision,
    decide_request,
    outcome_link,
    reopen_card,
)
from handlers.base import Ctx, Inbound, Reply, Router
from models.requests import Decision
from nlp.types import Intent, Parse

router = Router("rejection")

MAX_REASON = 200
UNDONE = "好的，#{no} 没有驳回，仍等您审批。"
# What is answered as itself while the question is open; everything else is the reason.
PASS_THROUGH = (Intent.APPROVAL_STATUS, Intent.HELP)


@router.text(r"[\s\S]")
async def answer_reason(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """The approver's answer to "驳回理由？": the reason (or "无"), "算了", or 同意."""
    if ctx.state.get("flow") != REASON_FLOW:
        return None
    slots = ctx.state.get("slots") or {}
    no, step_id = int(slots["request_no"]), int(slots["step_id"])
    code = str(slots.get("response_code") or "")
    if parse.words.undo or (parse.intent is Intent.CANCEL and not parse.slots):
        await reopen_card(ctx.user.user_id, code, no, step_id, ctx)
        return Reply(UNDONE.format(no=no), state={})
    if parse.intent is Intent.APPROVE:
        said = parse if parse.slots.get("request_no") else replace(
            parse, slots={**parse.slots, "request_no": no})
        reply = await decide_request(msg, said, ctx)
        return replace(reply, state={}) if reply is not None else Reply("", state={})
    if parse.intent in PASS_THROUGH:
        return None
    comment = parse.words.reason[:MAX_REASON] if parse.words.reason else None
    outcome = await apply_decision(no, Decision.REJECT, ctx, comment=comment, step_id=step_id,
                                   tapped=bool(code))
    await after_tap(ctx.user.user_id, code, outcome, no, step_id, ctx)
    return Reply(outcome.text + outcome_link(outcome, ctx, no), state={})
