"""报修 as a service: what the generic modules say about a repair request (its flow,
dispatch, work and rating are handlers/repair.py, its rules models/repairs.py). A repair
is not approved: it waits for a dispatcher, who assigns a worker."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from handlers import repair as flow
from handlers.base import Ctx, Message
from handlers.common import fmt_day, repair_place
from handlers.demo_history import DemoDay, at
from handlers.registry import DemoHistory, Facts, Form, Service, WebForm
from handlers.reminders import repair_dispatchers, repair_where, worker_hint
from models.org import RequestType, Role, User, users_with_role
from models.ratings import rate_request
from models.repairs import assign_repair, progress_repair
from models.requests import NewRequest, Request, RequestStatus, create_request
from nlp.types import Intent

URGE_TO_DISPATCHER = "【催办】{name}催办报修 #{no}（{place}），已等待{waited}，请尽快派工：回复“#{no} 派给{worker}”。"
NO_LATEST = "您还没有报修记录。需要报修请直接说地点和问题，例如“3号楼502室灯不亮”。"
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
        return f"待您评分，回复“评分{request.no} 5分”"
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


async def urged(request: Request, ctx: Ctx, waited: str) -> tuple[list[User], str]:
    """催办 of a repair waiting for dispatch: the dispatchers, with a 派给 example."""
    text = URGE_TO_DISPATCHER.format(name=ctx.user.name, no=request.no, waited=waited,
                                     place=repair_where(request), worker=await worker_hint())
    return await repair_dispatchers(), text


# ---------------------------------------------------------------------------------------
# The demo's month of repairs

REPAIRS = [
    ("electrical", "灯管闪烁不亮", "{b}{f}0{r}室"),
    ("hvac", "空调不制冷", "{b}{f}0{r}室"),
    ("plumbing", "卫生间水龙头漏水", "{b}{f}楼卫生间"),
    ("it", "网络断了，电脑上不了网", "{b}{f}0{r}室"),
    ("furniture", "办公椅坏了", "{b}{f}0{r}室"),
    ("electrical", "插座没电", "{b}{f}0{r}室"),
    ("hvac", "暖气不热", "{b}{f}0{r}室"),
    ("other", "门锁打不开", "{b}{f}0{r}室"),
]


def demo_per_day(rng: random.Random, weekend: bool, future: bool) -> int:
    return 0 if future else rng.choice((0, 0, 1, 1) if not weekend else (0, 1))


async def demo_repair(d: DemoDay) -> int:
    """One repair of the day: assigned, worked on, done, often rated."""
    rng, cast, day, now, tz = d.rng, d.cast, d.day, d.now, d.tz
    reported = at(day, rng.choice((8.5, 9, 9.5, 10.5, 11, 14, 15, 16)), tz)
    if reported >= now - timedelta(hours=30):
        return 0  # the last day's repairs are made by _late_ones
    category, description, where = rng.choice(REPAIRS)
    location = where.format(b=rng.choice(("1号楼", "2号楼", "3号楼")), f=rng.randint(2, 6),
                            r=rng.randint(1, 9))
    who = rng.choice(cast.applicants)
    request = await create_request(
        NewRequest(type=RequestType.REPAIR_REQUEST, applicant=who.userid,
                   details={"location": location, "category": category,
                            "description": description, "photos": []}),
        reported, "wecom")
    worker = rng.choice(cast.workers).userid
    assigned = reported + timedelta(minutes=rng.choice((4, 8, 12, 15, 20, 25, 40, 70)))
    await assign_repair(request.no, cast.dispatcher, worker, assigned, "wecom")
    started = assigned + timedelta(minutes=rng.choice((10, 20, 30, 60)))
    await progress_repair(request.no, worker, RequestStatus.IN_PROGRESS, started, "wecom")
    done = started + timedelta(hours=rng.choice((0.5, 1, 2, 3, 5, 20, 28)))
    await progress_repair(request.no, worker, RequestStatus.COMPLETED, done, "wecom",
                          note="已修好")
    if rng.random() < 0.6:
        await rate_request(request.no, who.userid, rng.choice((4, 5, 5, 5, 3)),
                          done + timedelta(hours=1), "wecom")
    return 1


async def demo_late(d: DemoDay) -> int:
    """Overdue now, on purpose: a repair assigned 26 hours ago and not finished, one
    reported 50 minutes ago that nobody has taken."""
    cast, now = d.cast, d.now
    late = await create_request(
        NewRequest(type=RequestType.REPAIR_REQUEST, applicant=cast.applicants[0].userid,
                   details={"location": "2号楼305室", "category": "hvac",
                            "description": "空调外机异响，不制冷", "photos": []}),
        now - timedelta(hours=26), "wecom")
    worker = cast.workers[0].userid
    await assign_repair(late.no, cast.dispatcher, worker, now - timedelta(hours=25, minutes=40), "wecom")
    await progress_repair(late.no, worker, RequestStatus.IN_PROGRESS, now - timedelta(hours=24), "wecom")
    await create_request(
        NewRequest(type=RequestType.REPAIR_REQUEST, applicant=cast.applicants[1].userid,
                   details={"location": "1号楼4楼卫生间", "category": "plumbing",
                            "description": "水管漏水，地面有积水", "photos": []}),
        now - timedelta(minutes=50), "wecom")
    return 2


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
    latest_words=re.compile(r"修"),
    no_latest=NO_LATEST,
    started_contact=started_contact,
    on_cancelled=on_cancelled,
    urged=urged,
    demo=DemoHistory(demo_per_day, demo_repair, demo_late),
)
