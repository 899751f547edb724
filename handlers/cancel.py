"""Cancel: leave the flow being filled in, or cancel one of the user's own requests.

    "取消" / "算了" ── a flow is open? ──yes──► drop the draft
                              └─no──► one open request? ──► "取消#1024吗？" ──"确认"──► cancel
                                        several ──► list ──► "1025" ──► cancel
    "取消#1024" ──► cancel: only the applicant, only before it starts; the holds are freed and
                    the pending approver — or, once approved, the fleet manager and the driver,
                    the room's facility manager — and the repair worker are told (one transaction).
    "把明天去虹桥机场的车取消了" ──► the one request those words mean (handlers/matching.py), to confirm
"""

from __future__ import annotations

from handlers.base import Ctx, Inbound, Message, Reply, Router
from handlers.common import describe, reply_link
from handlers.forms import is_yes
from handlers.labels import status_name
from handlers.matching import narrow
from models.decisions import cancel, cancellable
from models.errors import InvalidState, NotAllowed, NotFound
from models.org import RequestType, Role, User, users_with_role
from models.requests import (
    ApprovalStep,
    Request,
    RequestStatus,
    get_request,
    open_requests_of,
    ordered_steps,
)
from models.sql import transaction
from nlp.types import Intent, Parse

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
FREED = {
    RequestType.VEHICLE_BOOKING: "车辆和司机已释放",
    RequestType.FACILITY_RESERVATION: "场地已释放",
    RequestType.REPAIR_REQUEST: "",
}
TOLD = "已通知{names}。"

TO_APPROVER = "【申请已撤回】{name}已取消 {what}，无需再审批。"
TO_DRIVER = "【出车取消】{name}已取消 {what}，这趟车不用出了。"
TO_FLEET = "【用车取消】{name}已取消已批准的 {what}，车辆和司机已释放。"
TO_FACILITY = "【场地取消】{name}已取消已批准的 {what}，场地已释放。"
TO_WORKER = "【维修取消】{name}已取消 {what}，不用再去了。"
TO_DISPATCHER = "【报修取消】{name}已取消 {what}，无需派工。"


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
        if ctx.state.get("awaiting") == "confirm" and pending and is_yes(msg.text):
            return await cancel_one(int(pending), ctx, state={})
        return Reply(KEEP.format(no=f"#{pending}" if pending else "您的申请"), state={})
    if no is None and flow:
        return Reply(FLOW_DROPPED, state={})
    if no is not None:
        return await cancel_one(int(no), ctx, state={} if flow == FLOW else None)
    return await ask_which(ctx, msg.text)


async def ask_which(ctx: Ctx, text: str = "") -> Reply:
    """No number: the one request the words mean (or the one open), to confirm; else a
    list to pick from."""
    tz = ctx.tz
    candidates = [r for r in await open_requests_of(ctx.user.user_id) if cancellable(r, ctx.now)]
    if not candidates:
        return Reply(NOTHING)
    meant = narrow(candidates, text, ctx.now, tz) if text else None
    lead = ""
    if meant is not None and meant:
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
    freed = FREED[request.type]
    text = DONE.format(no=no, freed=f"{freed}。" if freed else "")
    if told:
        text += TOLD.format(names="、".join(told))
    return Reply(text + reply_link(ctx, no), state=state)


async def refused_reason(no: int) -> str:
    """Why #no (the user's own) cannot be cancelled: already over, or already started."""
    request = await get_request(no)
    if request is None:
        return NOT_FOUND.format(no=no)
    if request.status in ALREADY:
        return ALREADY[request.status].format(no=no)
    if request.type is RequestType.REPAIR_REQUEST:
        who = f"维修人员{request.assignee.name}" if request.assignee else "维修调度"
    elif request.driver is not None:
        who = f"司机{request.driver.name}"
    else:
        who = "管理员"
    return STARTED.format(no=no, who=who)


async def tell_cancelled(request: Request, ctx: Ctx) -> list[str]:
    """Notify the approver of the step that was waiting, the driver of an approved trip and
    the repair worker (or the dispatchers of an unassigned repair); returns their names.
    `request` carries the steps as they were when it was cancelled."""
    tz = ctx.tz
    what = describe(request, tz)
    name = request.applicant.name
    told: list[str] = []
    steps = ordered_steps(request)
    waiting = next((s for s in steps if s.decision is None), None)
    key = f"cancelled:{request.no}"
    if waiting is not None and not any(s.decision == "reject" for s in steps):
        await ctx.notifier.notify(
            waiting.approver.userid, Message.text(TO_APPROVER.format(name=name, what=what)),
            key=f"{key}:{waiting.approver.userid}",
        )
        told.append(f"审批人{waiting.approver.name}")
    elif request.type is RequestType.VEHICLE_BOOKING:
        # All steps approved: the fleet manager who approved it and the driver, who was
        # told the trip, hear that it is off.
        for manager in await managers(steps, Role.FLEET_MANAGER):
            await ctx.notifier.notify(
                manager.userid, Message.text(TO_FLEET.format(name=name, what=what)),
                key=f"{key}:{manager.userid}")
            told.append(f"车辆管理{manager.name}")
        if request.driver is not None:
            await ctx.notifier.notify(
                request.driver.userid, Message.text(TO_DRIVER.format(name=name, what=what)),
                key=f"{key}:{request.driver.userid}",
            )
            told.append(f"司机{request.driver.name}")
    elif request.type is RequestType.FACILITY_RESERVATION and request.status is RequestStatus.CANCELLED:
        # An approved room: its facility manager (the one who approved it), when it had one.
        for manager in await managers(steps, Role.FACILITY_ADMIN, fallback=False):
            await ctx.notifier.notify(
                manager.userid, Message.text(TO_FACILITY.format(name=name, what=what)),
                key=f"{key}:{manager.userid}")
            told.append(f"场地管理{manager.name}")
    if request.type is RequestType.REPAIR_REQUEST:
        if request.assignee is not None:
            await ctx.notifier.notify(
                request.assignee.userid, Message.text(TO_WORKER.format(name=name, what=what)),
                key=f"{key}:{request.assignee.userid}",
            )
            told.append(f"维修人员{request.assignee.name}")
        else:
            for dispatcher in await users_with_role(Role.REPAIR_DISPATCHER):
                await ctx.notifier.notify(
                    dispatcher.userid, Message.text(TO_DISPATCHER.format(name=name, what=what)),
                    key=f"{key}:{dispatcher.userid}",
                )
                told.append(f"维修调度{dispatcher.name}")
    return told



async def managers(steps: list[ApprovalStep], role: Role, *, fallback: bool = True) -> list[User]:
    """Who manages what was approved: the approvers of its `role` steps; without one, every
    holder of the role (`fallback`), or nobody."""
    approvers = {s.approver.userid: s.approver for s in steps if s.role == role}
    if approvers:
        return list(approvers.values())
    return await users_with_role(role) if fallback else []
