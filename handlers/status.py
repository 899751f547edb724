"""Status: where requests stand.

    "我的申请" / "我订了什么"      ──► the user's open requests, who each waits for
    "#1024 到哪了"                 ──► one request and its steps (only for those involved)
    "明天去虹桥机场的车到哪了"       ──► the one request those words mean (handlers/matching.py)
    "待我审批"                     ──► what waits for this approver
    "上次报修的空调修好了吗"        ──► the user's latest repair
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from handlers.base import Channel, Ctx, Inbound, Reply, Router
from handlers.common import card_for, describe, fmt_day, reply_link
from handlers.labels import DECISION_NAMES, role_name, status_name
from handlers.matching import narrow
from handlers.registry import Service, service_for, services
from models.overview import Overview, overview_of
from models.ratings import RATED_TYPES
from models.requests import (
    Request,
    RequestStatus,
    current_step,
    get_request,
    latest_request_of,
    open_requests_of,
    ordered_steps,
    pending_for,
)
from models.sql import transaction
from nlp.types import Intent, Parse

router = Router("status")

NO_OPEN = "您目前没有进行中的申请。需要用车、报修或订场地，直接告诉我就行。"
MY_OPEN = "您进行中的申请（{n}件）：\n{lines}\n想看某一件的进度，回复“#编号 到哪了”。"
MY_PAGE = "\n全部申请：{url}"
ALSO_WAITING = "\n另有 {n} 件等您审批，回复“待我审批”查看。"
NOT_FOUND = "没有找到您的 #{no}，请核对一下编号。"
NONE_WAITING = "目前没有等您审批的申请。"
WAITING = "等您审批的申请（{n}件）：\n{lines}\n回复“同意+编号”或“驳回+编号，理由：…”。"
WAITING_CARDS = "等您审批的申请（{n}件）：\n{lines}\n已把{sent}张审批卡片发给您，点“同意”或“驳回”即可。{more}"
CARDS_MORE = "其余的请到“待我审批”页面处理：{url}"
CARD_NOTE = "点“同意”或“驳回”即可审批；要写驳回理由，点卡片查看详情。"
MAX_CARDS = 5  # cards sent at once (WeCom lets one member receive 30 messages a minute)

CIRCLED = "①②③④⑤⑥⑦⑧⑨"

PENDING_RE = r"^\s*(查看?|看看)?\s*(待我审批|待我审核|我的待办|待办|需要我审批|要我审批|有什么要我批)"
MINE_RE = r"^\s*(我|我都)(订|预订|约|预约|申请|报)了(什么|啥|哪些)"
APPROVER_RE = re.compile(r"待.{0,3}审批|要我审批|我审批")



@router.text(PENDING_RE)
async def pending_text(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """"待我审批": what waits for this approver (not an NLU intent of its own)."""
    return await show_waiting(ctx)


@router.text(MINE_RE)
async def mine_text(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """"我订了什么": the user's open requests."""
    return await show_mine(ctx)


# A status question in the middle of filling something in: answered, and the draft kept.
DRAFT_KEPT = "\n（您正在填的{what}还没提交，接着回答我上面的问题就行；不办了回复“算了”。）"


def _draft_name(flow: object) -> str | None:
    """The title of the service whose form the user is filling in ("用车申请"), or None."""
    for service in services():
        if flow and str(service.intent) == flow:
            return service.form.web.title if service.form.web is not None else service.name
    return None


@router.intent(Intent.APPROVAL_STATUS)
async def show_status(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """The user asks where things stand (`_status`); a draft being filled in stays, and
    the answer says so."""
    return await answer_status(msg, parse, ctx)


async def answer_status(msg: Inbound, parse: Parse, ctx: Ctx, overview: Overview | None = None) -> Reply:
    """`show_status`'s answer (`overview`: the user's, when the caller has just read it)."""
    reply = await _status(msg, parse, ctx, overview)
    what = _draft_name(ctx.state.get("flow"))
    if what is None or reply.state is not None or not reply.text:
        return reply
    return Reply(reply.text + DRAFT_KEPT.format(what=what), reply.markdown, reply.state)


async def _status(msg: Inbound, parse: Parse, ctx: Ctx, overview: Overview | None = None) -> Reply:
    """One request by number, what waits for the user, their latest of a service they
    named (a repair), or all their open requests (read only when the overview says
    there are some: a question of someone with none costs the overview alone)."""
    no = parse.slots.get("request_no")
    if no is not None:
        return await show_one(int(no), ctx)
    if APPROVER_RE.search(msg.text):
        return await show_waiting(ctx)
    for service in services():
        if service.latest_words is not None and service.latest_words.search(msg.text):
            return await show_latest(service, ctx)
    if overview is None:
        overview = await overview_of(ctx.user.user_id)
    mine = await open_requests_of(ctx.user.user_id) if overview.live else []
    meant = narrow(mine, parse.words, ctx.tz)
    if meant is not None and len(meant) == 1:  # "明天去虹桥机场的车到哪了"
        return await show_one(meant[0].no, ctx, meant[0])  # as just read: not read again
    return await show_mine(ctx, mine, waiting=overview.waiting)


async def show_one(no: int, ctx: Ctx, request: Request | None = None) -> Reply:
    """One request with its steps, for those involved in it only (`request`: request
    `no` as `get_request` reads it, when the caller has just read it)."""
    if request is None:
        request = await get_request(no)
    if request is None or not may_see(request, ctx):
        return Reply(NOT_FOUND.format(no=no))
    return Reply(detail(request, ctx.tz) + reply_link(ctx, no))


def may_see(request: Request, ctx: Ctx) -> bool:
    """The applicant, its approvers, its driver or repair worker (and the roles its service
    names: for a repair, the dispatchers who assign it)."""
    me = ctx.user.user_id
    if request.applicant.userid == me:
        return True
    if any(s.approver.userid == me for s in request.steps):
        return True
    if request.driver is not None and request.driver.userid == me:
        return True
    if request.assignee is not None and request.assignee.userid == me:
        return True
    return bool(service_for(request.type).seen_by_roles & ctx.user.roles)


def waits_for(request: Request) -> str:
    """Who the request waits for now, in a few words ("" when nobody): the approver of the
    current step, else what its service says (a repair's dispatcher or worker)."""
    step = current_step(request)
    if step is not None:
        return f"等待{step.approver.name}审批"
    who = service_for(request.type).waits_for(request)
    if not who and request.status is RequestStatus.COMPLETED and request.rating is None \
            and request.type in RATED_TYPES:
        return f"待您评分，回复“评分{request.no} 5分”"
    return who


def summary(request: Request, tz: ZoneInfo) -> str:
    """`#1024 用车 … 【待审批·等待李处审批】`; a repair says when it was reported."""
    line = describe(request, tz) + service_for(request.type).summary_note(request, tz)
    state = status_name(request)
    who = waits_for(request)
    return f"{line}【{state}{'·' + who if who else ''}】"


def detail(request: Request, tz: ZoneInfo) -> str:
    lines = [summary(request, tz), *step_lines(request, tz)]
    lines += service_for(request.type).detail_lines(request)
    if request.rating is not None:
        comment = (request.details or {}).get("rating_comment")
        lines.append(f"评分：{request.rating}分" + (f"（{comment}）" if comment else ""))
    return "\n".join(lines)


def step_lines(request: Request, tz: ZoneInfo) -> list[str]:
    """"① 部门负责人 李处：已同意 11月27日(周五) 14:05" for each approval step."""
    lines = []
    for i, step in enumerate(ordered_steps(request)):
        mark = CIRCLED[i] if i < len(CIRCLED) else f"{i + 1}."
        role = role_name(step.role)
        decision = DECISION_NAMES.get(step.decision, step.decision)
        line = f"{mark} {role} {step.approver.name}：{decision}"
        if step.decided_at is not None:
            at = step.decided_at.astimezone(tz)
            line += f" {fmt_day(at, tz)} {at:%H:%M}"
        if step.comment:
            line += f"（{step.comment}）"
        lines.append(line)
    return lines


async def show_mine(ctx: Ctx, mine: list[Request] | None = None, waiting: int | None = None) -> Reply:
    """The user's open requests (`mine`: as just read, else read here) and how many wait
    for them (`waiting`: as the overview counted them, else counted here)."""
    tz = ctx.tz
    if mine is None:
        mine = await open_requests_of(ctx.user.user_id)
    if waiting is None:
        waiting = len(await pending_for(ctx.user.user_id))
    also = ALSO_WAITING.format(n=waiting) if waiting else ""
    if not mine:
        return Reply(NO_OPEN + also)
    lines = "\n".join(summary(r, tz) for r in mine)
    url = ctx.links.page_url("/m/requests") if ctx.channel is not Channel.WEB else ""
    return Reply(MY_OPEN.format(n=len(mine), lines=lines) + also + (MY_PAGE.format(url=url) if url else ""))


async def show_waiting(ctx: Ctx) -> Reply:
    """"待我审批": the list, and (in a channel with pages) each one's approval card to
    decide with a tap."""
    tz = ctx.tz
    waiting = await pending_for(ctx.user.user_id)
    if not waiting:
        return Reply(NONE_WAITING)
    lines = "\n".join(f"{describe(r, tz)}（申请人：{r.applicant.name}）" for r in waiting)
    sent = 0
    if ctx.channel is not Channel.WEB:
        stamp = int(ctx.now.timestamp())
        async with transaction():
            for r in waiting[:MAX_CARDS]:
                step = current_step(r)
                card = card_for(r, step, ctx.links, tz, title="", note=CARD_NOTE, tag=f"w{stamp}")
                if step is None or card is None:
                    continue
                await ctx.notifier.notify(ctx.user.user_id, card,
                                          key=f"waiting:{r.no}:{step.id}:{ctx.user.user_id}:{stamp}")
                sent += 1
    if sent:
        more = CARDS_MORE.format(url=ctx.links.page_url("/m/pending")) if len(waiting) > sent else ""
        return Reply(WAITING_CARDS.format(n=len(waiting), lines=lines, sent=sent, more=more))
    return Reply(WAITING.format(n=len(waiting), lines=lines))


async def show_latest(service: Service, ctx: Ctx) -> Reply:
    """The user's latest request of a service they named ("上次报修的…修好了吗")."""
    request = await latest_request_of(ctx.user.user_id, service.type)
    if request is None:
        return Reply(service.no_latest)
    return Reply(detail(request, ctx.tz) + reply_link(ctx, request.no))

