"""Cancel: leave the flow being filled in, or cancel one of the user's own requests.

```mermaid
flowchart LR
    A["取消" / "算了"] --> B{a flow open?}
    B -- yes --> C[drop the draft]
    B -- no --> D{open requests}
    D -- one --> E["取消#1024吗？"] -- 确认 --> X[cancel]
    D -- several --> F[list] -- "1025" --> X
    G["取消#1024"] --> X
    H["把明天去虹桥机场的车取消了"] --> M[the request those words mean] --> E
```

Cancel: only the applicant, only before it starts; the holds are freed and the pending
approver, or whom the service names (an approved trip's fleet manager and driver, a
room's manager, the repair worker) are told (one transaction). The words of a
description are matched in handlers/matching.py. States: `handlers.states.CancelStates`.
"""

from __future__ import annotations

from handlers.base import Ctx, Inbound, Message, Reply, Router
from handlers.cards import WITHDRAWN, refresh_step_cards
from handlers.common import describe, reply_link
from handlers.labels import status_name
from handlers.matching import narrow
from handlers.registry import service_for
from models.decisions import cancel, cancellable
from models.errors import InvalidState, NotAllowed, NotFound
from models.requests import Request, RequestStatus, get_request, open_requests_of, ordered_steps
from models.sql import transaction
from nlp.types import Intent, Parse
from nlp.words import Words

router = Router("cancel")

FLOW = str(Intent.CANCEL)

FLOW_DROPPED = "好的，已取消本次填写，什么都没有提交。有需要随时再找我。"
KEEP = "好的，不取消了，{no} 保持不变。"
NOTHING = "您目前没有可以取消的申请。"
CONFIRM_ONE = "您要取消这条申请吗？\n{line}\n回复“确认”取消，或说“不用了”。"
NONE_MATCH = "没有找到和您说的相符的申请。"
CHOOSE = "您有这些申请可以取消：\n{lines}\n请回复要取消的编号，例如“{no}”。"
NOT_FOUND = "没有找到 #{no}，请核对一下编号。"
NOT_YOURS = "这不是您的申请，只有申请人本人可以取消 #{no}。"
ALREADY = {
    RequestStatus.CANCELLED: "#{no} 已经取消过了。",
    RequestStatus.REJECTED: "#{no} 已被驳回，无需取消。",
    RequestStatus.COMPLETED: "#{no} 已经完成，无需取消。",
}
STARTED = "#{no} 已经开始，不能再取消了。如有变化，请直接联系{who}。"
DONE = "好的，#{no} 已取消。{freed}"
TOLD = "已通知{names}。"

TO_APPROVER = "【申请已撤回】{name}已取消 {what}，无需再审批。"
# What is freed and whom else to tell (driver, worker, dispatchers): each service's
# declaration (handlers/services/), `freed_on_cancel` and `on_cancelled`.


@router.text(r"^\s*#?\s*(\d{4,})\s*号?\s*$")
async def pick_request(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """After the list of cancellable requests, a bare number picks the one to cancel."""
    if ctx.state.get("flow") != FLOW or ctx.state.get("awaiting") != "request_no":
        return None
    digits = "".join(ch for ch in msg.text if ch.isdigit())
    return await cancel_one(int(digits), ctx, state={})


@router.intent(Intent.CANCEL)
async def cancel_request(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """The user says "取消"/"算了" (maybe with a number): leave the flow or cancel a request."""
    no = parse.slots.get("request_no")
    flow = ctx.state.get("flow")
    if no is None and flow == FLOW:
        # Waiting for "确认" or a number: a yes cancels, a bare "取消/不用了" keeps it.
        pending = (ctx.state.get("slots") or {}).get("request_no")
        if ctx.state.get("awaiting") == "confirm" and pending and parse.words.yes:
            return await cancel_one(int(pending), ctx, state={})
        return Reply(KEEP.format(no=f"#{pending}" if pending else "您的申请"), state={})
    if no is None and flow:
        return Reply(FLOW_DROPPED, state={})
    if no is not None:
        return await cancel_one(int(no), ctx, state={} if flow == FLOW else None)
    return await ask_which(ctx, parse.words)


async def ask_which(ctx: Ctx, said: Words | None = None) -> Reply:
    """No number: the one request the words mean (or the one open), to confirm; else a
    list to pick from."""
    tz = ctx.tz
    candidates = [r for r in await open_requests_of(ctx.user.user_id) if cancellable(r, ctx.now)]
    if not candidates:
        return Reply(NOTHING)
    meant = narrow(candidates, said, tz) if said is not None else None
    lead = ""
    if meant:
        candidates = meant
    elif meant is not None:
        lead = NONE_MATCH  # said something that fits none: all of them, to pick from
    if len(candidates) == 1 and not lead:
        r = candidates[0]
        return Reply(
            CONFIRM_ONE.format(line=describe(r, tz)),
            state={"flow": FLOW, "slots": {"request_no": r.no}, "awaiting": "confirm"},
        )
    lines = "\n".join(f"{describe(r, tz)}（{status_name(r)}）" for r in candidates)
    return Reply(
        lead + CHOOSE.format(lines=lines, no=candidates[0].no),
        state={"flow": FLOW, "slots": {}, "awaiting": "request_no"},
    )


async def cancel_one(no: int, ctx: Ctx, *, state: dict[str, object] | None) -> Reply:
    """Cancel #no for its applicant and tell whoever was waiting on it, in one transaction."""
    try:
        async with transaction():
            request = await cancel(no, ctx.user.user_id, ctx.now, str(ctx.channel))
            told = await tell_cancelled(request, ctx)
    except NotFound:
        return Reply(NOT_FOUND.format(no=no), state=state)
    except NotAllowed:
        return Reply(NOT_YOURS.format(no=no), state=state)
    except InvalidState:
        return Reply(await refused_reason(no), state=state)
    return Reply(done_text(request, told) + reply_link(ctx, no), state=state)


def done_text(request: Request, told: list[str]) -> str:
    """"已取消", what its service freed, who was told."""
    freed = service_for(request.type).freed_on_cancel
    text = DONE.format(no=request.no, freed=f"{freed}。" if freed else "")
    if told:
        text += TOLD.format(names="、".join(told))
    return text


async def refused_reason(no: int) -> str:
    """Why #no (the user's own) cannot be cancelled: already over, or already started."""
    request = await get_request(no)
    if request is None:
        return NOT_FOUND.format(no=no)
    if request.status in ALREADY:
        return ALREADY[request.status].format(no=no)
    return STARTED.format(no=no, who=service_for(request.type).started_contact(request))


async def tell_cancelled(request: Request, ctx: Ctx) -> list[str]:
    """Notify the approver of the step that was waiting, then whom the service names (the
    driver of an approved trip, the repair worker or the dispatchers); returns their names.
    `request` carries the steps as they were when it was cancelled."""
    tz = ctx.tz
    what = describe(request, tz)
    name = request.applicant.name
    told: list[str] = []
    steps = ordered_steps(request)
    waiting = next((s for s in steps if s.decision is None), None)
    approver_told = waiting is not None and not any(s.decision == "reject" for s in steps)
    if waiting is not None and approver_told:
        await ctx.notifier.notify(
            waiting.approver.userid, Message.text(TO_APPROVER.format(name=name, what=what)),
            key=f"cancelled:{request.no}:{waiting.approver.userid}",
        )
        told.append(f"审批人{waiting.approver.name}")
        await refresh_step_cards(request, waiting, ctx, WITHDRAWN)  # no live buttons left
    told += await service_for(request.type).on_cancelled(request, ctx, what, approver_told)
    return told
