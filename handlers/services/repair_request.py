"""报修 as a service: what the generic modules say about a repair request (its flow,
dispatch, work and rating are handlers/repair.py, its rules models/repairs.py). A repair
is not approved: it waits for a dispatcher, who assigns a worker."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers import repair as flow
from handlers.base import Ctx, Message
from handlers.common import fmt_day, repair_place
from handlers.registry import Facts, Form, Service, WebForm
from models.org import RequestType, Role, users_with_role
from models.requests import Request, RequestStatus
from nlp.types import Intent

TO_WORKER_CANCELLED = "【维修取消】{name}已取消 {what}，不用再去了。"
TO_DISPATCHER_CANCELLED = "【报修取消】{name}已取消 {what}，无需派工。"


def describe(request: Request, tz: ZoneInfo) -> list[str]:
    return [repair_place(request.details or {})]


def facts(request: Request, tz: ZoneInfo) -> Facts:
    d = request.details or {}
    rows = []
    if d.get("location"):
        rows.append(("地点", str(d["location"])))
    if d.get("description"):
        rows.append(("问题", str(d["description"])))
    return rows


def page_facts(request: Request) -> list[str]:
    d = request.details or {}
    if not d.get("category"):
        return []
    return [f"类别：{flow.CATEGORY_NAMES.get(str(d['category']), '其他')}"]


def waits_for(request: Request) -> str:
    if request.status is RequestStatus.PENDING:
        return "等待维修调度派工"
    if request.status in (RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS) and request.assignee:
        return f"维修人员：{request.assignee.name}"
    if request.status is RequestStatus.COMPLETED and request.rating is None:
        return f"待您评分，回复“评分{request.no} 5”"
    return ""


def summary_note(request: Request, tz: ZoneInfo) -> str:
    made = request.created_at.astimezone(tz)
    return f"（{fmt_day(made, tz)} {made:%H:%M}报修）"


def started_contact(request: Request) -> str:
    return f"维修人员{request.assignee.name}" if request.assignee else "维修调度"


async def on_cancelled(request: Request, ctx: Ctx, what: str, approver_told: bool) -> list[str]:
    """The worker of an assigned repair, else the dispatchers."""
    name = request.applicant.name
    key = f"cancelled:{request.no}"
    if request.assignee is not None:
        await ctx.notifier.notify(
            request.assignee.userid,
            Message.text(TO_WORKER_CANCELLED.format(name=name, what=what)),
            key=f"{key}:{request.assignee.userid}",
        )
        return [f"维修人员{request.assignee.name}"]
    told = []
    for dispatcher in await users_with_role(Role.REPAIR_DISPATCHER):
        await ctx.notifier.notify(
            dispatcher.userid, Message.text(TO_DISPATCHER_CANCELLED.format(name=name, what=what)),
            key=f"{key}:{dispatcher.userid}",
        )
        told.append(f"维修调度{dispatcher.name}")
    return told


SERVICE = Service(
    type=RequestType.REPAIR_REQUEST,
    intent=Intent.REPAIR_REQUEST,
    name="报修",
    icon="🔧",
    help_line="报修：如“3号楼502室空调不制冷”",
    color="#d4892a",
    approval_rule=RequestType.REPAIR_REQUEST.value,
    form=Form(required=flow.REQUIRED, questions=flow.ASK, summary=flow.CONFIRM_TEXT,
              submit=flow.submit_repair,
              web=WebForm("repair", "报修", field_of_slot={"repair_category": "category"})),
    describe=describe,
    facts=facts,
    page_facts=page_facts,
    status_words={RequestStatus.PENDING: "待派工"},
    seen_by_roles=frozenset({Role.REPAIR_DISPATCHER}),
    waits_for=waits_for,
    summary_note=summary_note,
    started_contact=started_contact,
    on_cancelled=on_cancelled,
)
