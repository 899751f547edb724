"""Repair (报修): report, dispatch, work (the rating: handlers/feedback.py). No approval: repairs go straight to the
repair dispatchers.

```mermaid
flowchart LR
    A["3号楼502室空调不制冷"] --> B{location? category? description?}
    B -- missing --> Q[ask one question] --> B
    P[photo] --> B
    B -- all there --> C["确认？"] -- 确认 --> D[pending #1031, dispatchers told]
    D -- "#1031 派给钱力" --> E[assigned, worker + applicant told]
    E -- "#1031 开始维修" --> F[in_progress]
    E & F -- "#1031 已修好" --> G[completed, applicant asked 1–5]
    G -- "5分，很及时" / card tap --> H[rated (handlers/feedback.py)]
```

The chat and the form (bot/web/pages.py) share `submit_repair(slots, ctx)`.
"""

from __future__ import annotations

import re
from typing import Any

from handlers.base import Ctx, Inbound, InboundKind, Message, Reply, Router
from handlers.common import notify_applicant, page_line, repair_place, reply_link
from handlers.feedback import ask_rating
from handlers.forms import CONFIRM, Draft, Problem, Submitted
from handlers.labels import status_name
from models.errors import InvalidState, NotAllowed, NotFound
from models.org import RequestType, Role, department_name, users_with_role
from models.repairs import assign_repair, progress_repair
from models.requests import NewRequest, Request, RequestStatus, create_request, get_request
from models.sql import transaction
from nlp.types import Intent, Parse

router = Router("repair")

FLOW = str(Intent.REPAIR_REQUEST)
REQUIRED = ("location", "repair_category", "description")

CATEGORY_NAMES = {
    "electrical": "电路/照明",
    "plumbing": "水管",
    "hvac": "空调暖通",
    "it": "网络电脑",
    "furniture": "家具门窗",
    "other": "其他",
}
# Answers to "是什么问题？" the NLU cannot read as a fault ("其他", "网络").

ASK = {
    "location": "好的，帮您报修。请问在哪里？例如“3号楼502室”。",
    "repair_category": "是什么问题？电路/照明、水管、空调暖通、网络电脑、家具门窗，还是其他？",
    "description": "请简单描述一下故障情况，例如“灯管闪烁不亮”。",
}
CONFIRM_TEXT = (
    "请确认报修：\n地点：{location}\n类别：{category}\n描述：{description}\n照片：{photos}\n"
    "回复“确认”提交；可以继续发照片，或说“算了”取消。"
)
MAX_LENGTH = {"location": 60, "description": 500}
SLOT_NAMES = {"location": "地点", "description": "故障描述"}
TOO_LONG = "{what}太长了，请控制在{n}个字以内。"
CONFIRM_AGAIN = "还没有提交。回复“确认”提交报修，或说“算了”取消。"
PHOTO_TAKEN = "收到照片（共{n}张）。"
SUBMITTED = "已提交报修 #{no}：{location} {category}。已通知维修调度，派工后会告诉您。"
NO_DISPATCHER = "已提交报修 #{no}，但目前没有维修调度在岗，请联系局办公室。"

TO_DISPATCHER = (
    "【新报修】#{no} {name}{dept}\n地点：{location}\n类别：{category}\n描述：{description}{photos}\n"
    "回复“#{no} 派给{worker}”派工。"
)
TO_WORKER = (
    "【维修任务】#{no}\n地点：{location}\n类别：{category}\n描述：{description}{photos}\n报修人：{name}\n"
    "开始时回复“#{no} 开始维修”，修好后回复“#{no} 已修好”。"
)
TO_OLD_WORKER = "【维修改派】#{no}（{location}）已改派给{worker}，您不用去了。"
TO_APPLICANT_ASSIGNED = "您的报修 #{no}（{location}）已派给{worker}，请保持电话畅通。"
TO_APPLICANT_STARTED = "{worker}已开始维修您的报修 #{no}（{location}）。"
TO_APPLICANT_DONE = "您的报修 #{no}（{where}）已由{worker}修好。{done}"

ONLY_DISPATCHER = "只有维修调度可以派工。如需报修，直接告诉我地点和问题即可。"
NO_WORKER = "没有找到维修人员“{who}”。可以派给：{names}。"
NOT_A_REPAIR = "没有找到报修 #{no}，请核对一下编号。"
CANNOT_ASSIGN = "#{no} 目前{status}，不能再派工。"
ASSIGNED = "已将 #{no} 派给{worker}，已通知{worker}和报修人{name}。"
NOT_ASSIGNED_TO_YOU = "#{no} 不是派给您的维修任务，只有派工的维修人员可以更新进度。"
CANNOT_PROGRESS = "#{no} 目前{status}，无法标记为{wanted}。"
ALREADY_PROGRESSED = "#{no} 已经是{status}，无需重复标记。"
WHICH_TASK = "您手上有多个维修任务：{nos}。请带上编号，例如“#{no} 已修好”。"
STARTED = "好的，#{no} 已标记为维修中。修好后回复“#{no} 已修好”。"
COMPLETED = "辛苦了！#{no} 已标记为修好，已请{name}评价。"
DONE_NOTE = "维修说明：{note}。"

NO = r"#?\s*(\d{4,})\s*号?"
ASSIGN_RE = rf"^\s*{NO}\s*(?:派给|派工给|指派给|分派给|交给|让)\s*([^\s，。,.!！]+?)\s*(?:去修|维修|处理)?\s*[。.!！]?\s*$"
START_RE = rf"^\s*(?:{NO})?\s*(?:开始维修|开始修|开工|已开始|在修了?|正在修)\s*[。.!！]?\s*$"
DONE_RE = (
    rf"^\s*(?:{NO})?\s*(?:已经?修好了?|修好了|维修完成|已完成|完成了?|搞定了?|已处理好?)\s*[。.!！]?\s*$"
)



# ---------------------------------------------------------------------------------------
# Reporting: the slot-filling dialogue


@router.intent(Intent.REPAIR_REQUEST)
async def report_repair(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """The user reports a fault (or answers a question of the repair flow, or sends a photo)."""
    draft = Draft.from_state(ctx.state, FLOW)
    if msg.kind is InboundKind.IMAGE:
        if msg.media_id:
            draft.slots["photos"] = [*draft.slots.get("photos", []), msg.media_id]
        lead = PHOTO_TAKEN.format(n=len(draft.slots.get("photos", [])))
        return next_question(draft, lead)
    if msg.kind is InboundKind.LOCATION:
        # A shared location answers "在哪里？" (its label is the address WeCom shows).
        if msg.label and not draft.slots.get("location"):
            draft.slots["location"] = msg.label
        return next_question(draft)
    if draft.awaiting == CONFIRM and parse.words.yes:
        return await confirm_repair(draft, ctx)
    changed = absorb(draft, msg.text, parse)
    if draft.awaiting == CONFIRM and not changed:
        return Reply(CONFIRM_AGAIN, state=draft.to_state())
    return next_question(draft)


def absorb(draft: Draft, text: str, parse: Parse) -> bool:
    """Take what this message says into the draft (the location and the description as
    said); True when something was taken."""
    text = text.strip()
    slots = parse.slots
    before = dict(draft.slots)
    if slots.get("location"):
        draft.slots["location"] = slots["location"]
    category = slots.get("repair_category")
    if category is None and draft.awaiting == "repair_category":
        category = parse.words.category
    if category:
        draft.slots["repair_category"] = category
    if draft.awaiting == "location" and "location" not in draft.slots and 0 < len(text) <= 30:
        draft.slots["location"] = text  # the answer to "在哪里？" is the place, as said
    if text and (
        draft.awaiting == "description"
        or ("description" not in draft.slots and slots.get("repair_category"))
    ):
        draft.slots["description"] = text  # the fault in the user's own words
    return draft.slots != before


def next_question(draft: Draft, lead: str = "") -> Reply:
    """Ask for the first missing slot, or show the summary and ask to confirm."""
    missing = first_missing(draft.slots)
    if missing is not None:
        draft.awaiting = missing
        question = ASK[missing]
        if lead and missing == "location":
            question = question.removeprefix("好的，帮您报修。")
        return Reply(lead + question, state=draft.to_state())
    problem = check_repair(draft.slots)
    if problem is not None:
        draft.awaiting = problem.awaiting
        return Reply(lead + problem.message, state=draft.to_state())
    draft.awaiting = CONFIRM
    s = draft.slots
    photos = len(s.get("photos", []))
    text = CONFIRM_TEXT.format(
        location=s["location"], category=CATEGORY_NAMES.get(s["repair_category"], "其他"),
        description=s["description"], photos=f"{photos}张" if photos else "无",
    )
    return Reply(lead + text, state=draft.to_state())


def first_missing(slots: dict[str, Any]) -> str | None:
    """The first required slot not (validly) given."""
    for slot in REQUIRED:
        value = slots.get(slot)
        if not value or (slot == "repair_category" and value not in CATEGORY_NAMES):
            return slot
    return None


def check_repair(slots: dict[str, Any]) -> Problem | None:
    """A report needs where, what kind of fault and a description, each of a sane length
    (a form can send anything; the chat's answers are short)."""
    missing = first_missing(slots)
    if missing is not None:
        return Problem(ask=ASK[missing].removeprefix("好的，帮您报修。"), field=missing,
                       awaiting=missing)
    for slot, limit in MAX_LENGTH.items():
        if len(str(slots[slot])) > limit:
            return Problem(text=TOO_LONG.format(what=SLOT_NAMES[slot], n=limit), field=slot,
                           awaiting=slot)
    return None


async def confirm_repair(draft: Draft, ctx: Ctx) -> Reply:
    """"确认": submit the report shown in the summary."""
    result = await submit_repair(draft.slots, ctx)
    if isinstance(result, Problem):
        draft.awaiting = result.awaiting
        return Reply(result.message, state=draft.to_state())
    return Reply(result.chat_text(ctx.links), state={})


async def submit_repair(slots: dict[str, Any], ctx: Ctx) -> Submitted | Problem:
    """Create the request and tell every repair dispatcher, in one transaction."""
    problem = check_repair(slots)
    if problem is not None:
        return problem
    details = {
        "location": str(slots["location"]).strip(),
        "category": slots["repair_category"],
        "description": str(slots["description"]).strip(),
        "photos": list(slots.get("photos", [])),
    }
    async with transaction():
        request = await create_request(
            NewRequest(type=RequestType.REPAIR_REQUEST, applicant=ctx.user.user_id, details=details),
            ctx.now, str(ctx.channel), savepoint=False,  # nothing here goes on after an error
        )
        dispatchers = await users_with_role(Role.REPAIR_DISPATCHER)
        workers = await users_with_role(Role.REPAIR_WORKER)
        dept = await department_name(ctx.user.department_id)
        text = TO_DISPATCHER.format(
            no=request.no, name=ctx.user.name, dept=f"（{dept}）" if dept else "",
            worker=workers[0].name if workers else "维修人员姓名", **shown(details),
        )
        for d in dispatchers:
            await ctx.notifier.notify(d.userid, Message.text(text), key=f"repair:new:{request.no}:{d.userid}")
    template = SUBMITTED if dispatchers else NO_DISPATCHER
    return Submitted(template.format(no=request.no, **shown(details)), (request.no,))


def shown(details: dict[str, Any]) -> dict[str, str]:
    """The details as the messages show them."""
    photos = len(details.get("photos") or [])
    return {
        "location": str(details.get("location") or ""),
        "category": CATEGORY_NAMES.get(str(details.get("category")), "其他"),
        "description": str(details.get("description") or ""),
        "where": repair_place(details),
        "photos": f"\n照片：{photos}张（见报修记录）" if photos else "",
    }


# ---------------------------------------------------------------------------------------
# Dispatch and work: text commands, not NLU intents


@router.text(ASSIGN_RE)
async def assign_worker(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """The dispatcher: "#1031 派给钱力" (a name or a userid)."""
    m = re.search(ASSIGN_RE, msg.text)
    assert m is not None
    return await dispatch(int(m.group(1)), m.group(2), ctx)


async def dispatch(no: int, who: str, ctx: Ctx) -> Reply:
    """Assign repair `no` to the worker named `who`; tell the worker, the worker it is
    taken from and the applicant."""
    if Role.REPAIR_DISPATCHER not in ctx.user.roles:
        return Reply(ONLY_DISPATCHER)
    workers = await users_with_role(Role.REPAIR_WORKER)
    worker = next((w for w in workers if who in (w.name, w.userid)), None)
    if worker is None:
        names = "、".join(w.name for w in workers) or "（暂无）"
        return Reply(NO_WORKER.format(who=who, names=names))
    before = await get_request(no)
    if before is None or before.type is not RequestType.REPAIR_REQUEST:
        return Reply(NOT_A_REPAIR.format(no=no))
    old = before.assignee
    try:
        async with transaction():
            request = await assign_repair(no, ctx.user.user_id, worker.userid, ctx.now, str(ctx.channel))
            d = shown(request.details or {})
            await ctx.notifier.notify(
                worker.userid,
                Message.text(TO_WORKER.format(no=no, name=request.applicant.name, **d)
                             + page_line(ctx.links, no)),
                key=f"repair:task:{no}:{worker.userid}",
            )
            if old is not None and old.userid != worker.userid:
                await ctx.notifier.notify(
                    old.userid,
                    Message.text(TO_OLD_WORKER.format(no=no, location=d["location"], worker=worker.name)),
                    key=f"repair:moved:{no}:{old.userid}",
                )
            await notify_applicant(
                ctx.notifier, request,
                TO_APPLICANT_ASSIGNED.format(no=no, location=d["location"], worker=worker.name)
                + page_line(ctx.links, no),
                key=f"repair:assigned:{no}:{worker.userid}",
            )
    except NotFound:
        return Reply(NOT_A_REPAIR.format(no=no))
    except NotAllowed:
        return Reply(NO_WORKER.format(who=who, names="、".join(w.name for w in workers)))
    except InvalidState as e:
        return Reply(CANNOT_ASSIGN.format(no=no, status=status_name(e.request)))
    return Reply(ASSIGNED.format(no=no, worker=worker.name, name=request.applicant.name)
                 + reply_link(ctx, no))


@router.text(START_RE)
async def start_work(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """The assigned worker: "#1031 开始维修"."""
    return await report_progress(msg, ctx, RequestStatus.IN_PROGRESS, START_RE)


@router.text(DONE_RE)
async def finish_work(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """The assigned worker: "#1031 已修好" (or "修好了" with one task in hand)."""
    return await report_progress(msg, ctx, RequestStatus.COMPLETED, DONE_RE)


async def report_progress(msg: Inbound, ctx: Ctx, to: RequestStatus, pattern: str) -> Reply | None:
    m = re.search(pattern, msg.text)
    assert m is not None
    if m.group(1) is None:
        # No number: only a worker with exactly one open task means it; anyone else's
        # "完成了" goes on to the other handlers.
        if Role.REPAIR_WORKER not in ctx.user.roles:
            return None
        tasks = await open_tasks(ctx.user.user_id)
        if not tasks:
            return None
        if len(tasks) > 1:
            nos = "、".join(f"#{t.no}" for t in tasks)
            return Reply(WHICH_TASK.format(nos=nos, no=tasks[0].no))
        no = tasks[0].no
    else:
        no = int(m.group(1))
    return await progress_to(no, ctx, to)


async def progress_to(no: int, ctx: Ctx, to: RequestStatus, note: str | None = None) -> Reply:
    """The assigned worker moves repair `no` to `to` (with what was done, `note`); the
    applicant is told."""
    wanted = "维修中" if to is RequestStatus.IN_PROGRESS else "已完成"
    try:
        async with transaction():
            request = await progress_repair(no, ctx.user.user_id, to, ctx.now, str(ctx.channel),
                                            note=note)
            d = shown(request.details or {})
            worker = request.assignee.name if request.assignee else ctx.user.name
            if to is RequestStatus.IN_PROGRESS:
                text = TO_APPLICANT_STARTED.format(no=no, location=d["location"], worker=worker)
                await notify_applicant(ctx.notifier, request, text + page_line(ctx.links, no),
                                       key=f"repair:{to}:{no}")
            else:
                text = TO_APPLICANT_DONE.format(
                    no=no, worker=worker, done=DONE_NOTE.format(note=note) if note else "", **d)
                await ask_rating(ctx.notifier, ctx.links, request, text, ctx.tz, key=f"repair:{to}:{no}")
    except NotFound:
        return Reply(NOT_A_REPAIR.format(no=no))
    except NotAllowed:
        return Reply(NOT_ASSIGNED_TO_YOU.format(no=no))
    except InvalidState as e:
        if e.request.status is to:  # "开始维修" said twice: nothing to do, nothing wrong
            return Reply(ALREADY_PROGRESSED.format(no=no, status=status_name(e.request)))
        return Reply(CANNOT_PROGRESS.format(no=no, status=status_name(e.request), wanted=wanted))
    if to is RequestStatus.IN_PROGRESS:
        return Reply(STARTED.format(no=no) + reply_link(ctx, no))
    return Reply(COMPLETED.format(no=no, name=request.applicant.name) + reply_link(ctx, no))


async def open_tasks(worker: str) -> list[Request]:
    return await Request.filter(
        assignee__userid=worker,
        type=RequestType.REPAIR_REQUEST,
        status__in=[RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS],
    ).order_by("id")
