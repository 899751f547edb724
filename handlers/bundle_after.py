"""A bundle after its creation (多头分办、统一反馈): each part goes to its own department, one
card where the parts share their first approver, one status, one cancel, one feedback.

    确认 ──► submit_bundle: bundle + parts (create_request: steps, holds, audit) in one
             transaction; the first approvers told in it: an approver who comes first in
             several parts gets ONE card for them ("同意#1050" or the card's 同意 decides each of
             their steps, each part going on to its next approver as it would alone)
    "#1050 到哪了" ──► every part with its steps;   "我的申请" ──► parts grouped by bundle
    "取消#1050" (the bundle's number) ──► every part or none, the holds freed, all told
    "评价#1050 5分 很满意" ──► the one feedback, once every part is over
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers import approval, cancel, status
from handlers.base import Ctx, Inbound, Message, Notifier, Reply, Router
from handlers.cards import card_update
from handlers.common import (
    APPROVE_BUTTON,
    CARD_SOURCE,
    REJECT_BUTTON,
    describe,
    fmt_day,
    notify_approver,
)
from handlers.facility_reservation import Checked as RoomChecked
from handlers.labels import TYPE_NAMES
from handlers.registry import services
from handlers.vehicle_booking import Checked as CarChecked
from models.bundles import (
    Bundle,
    bundle_of,
    bundles_over,
    cancel_bundle,
    claim_feedback_ask,
    is_over,
    lead_no,
    new_bundle,
    open_bundles_of,
    parts_of,
    rate_bundle,
)
from models.decisions import cancellable
from models.errors import InvalidState, NotAllowed, NotFound, RequestError
from models.org import RequestType
from models.requests import (
    LIVE,
    ApprovalStep,
    Decision,
    NewRequest,
    Request,
    RequestStatus,
    create_request,
    current_step,
    ordered_steps,
)
from models.sql import transaction
from nlp.types import Intent, Parse

log = logging.getLogger("handlers.bundle")
router = Router("bundle_after")
CIRCLED = "①②③④⑤⑥"

SUBMITTED = "已提交一站式申请 #{lead}（共{n}项），各项分别由主管部门办理：\n{lines}\n进度回复“#{lead} 到哪了”；全部取消回复“取消#{lead}”。"
PART_PENDING = "等待{who}审批"
PART_APPROVED = "已订上"
TOGETHER = "（{who}一并审批{marks}）"

TO_APPROVER = (
    "【待您审批】{name}的一站式申请 #{lead}，其中{n}项等您审批：\n{lines}\n{note}"
    "回复“同意{lead}”一并通过，或“驳回{lead}，理由：…”；也可以逐项回复“同意+编号”。"
)
CARD_TITLE = "一站式申请待您审批 #{lead}"
CARD_DESC = "{name}提交，{n}项等您审批"
CARD_HINT = "“同意”“驳回”对这{n}项一并生效；要逐项审批或写驳回理由，回复“同意+编号”或“驳回{lead}，理由：…”。"
DECIDED = "一站式申请 #{lead}：\n{lines}"
NOTHING_MINE = "一站式申请 #{lead} 里没有等您审批的项目。"

BUNDLE_HEAD = "一站式申请 #{lead}（共{n}项）{note}"
GROUPED = "\n其中{groups}是一站式申请，回复“#编号 到哪了”看整份。"
PAGE_BUNDLE = "属于一站式申请 #{lead}（共{n}项），其余各项："
RATE_HINT = "整份申请已办完，欢迎评价：回复“评价#{lead} 5分”，可以附上意见。"
RATED = "评价：{score}分{feedback}"

CANCELLED = "好的，一站式申请 #{lead} 已全部取消（{nos}）。预留的车辆、场地已释放。{told}"
TOLD = "已通知{names}。"
NOT_YOURS = "这不是您的申请，只有申请人本人可以取消 #{lead}。"
CANNOT_CANCEL = "#{no} 已经开始或已结束，整份申请 #{lead} 没有取消。可以逐项取消还没开始的部分，例如“取消#{other}”。"
NOTHING_LEFT = "一站式申请 #{lead} 已经没有可以取消的项目了。"

RATE_RE = r"^\s*(?:评分|打分|评价)\s*#?\s*(\d{4,})\s*[:：,，]?\s*([1-5])\s*分?\s*[，,。.;；]?\s*(?P<c>.*)$"
THANKS = "谢谢您的评价（{score}分）！一站式申请 #{lead} 的{n}个经办部门都会看到。"
THANKS_LOW = "抱歉这次没让您满意（{score}分）。已转告经办部门，他们会联系您了解情况。"
NOT_OVER = "一站式申请 #{lead} 还没有全部办完，办完后再来评价吧。"
RATED_ALREADY = "一站式申请 #{lead} 已经评价过了，谢谢！"
RATE_NOT_YOURS = "只有申请人本人可以评价 #{lead}。"
ASK_FEEDBACK = ("您的一站式申请 #{lead}{note}已全部办完，欢迎评价这次服务：回复“评价#{lead} 5分”（1–5分），"
                "可以附上意见，例如“评价#{lead} 4分 包间有点小”。")
TO_DEPT_LOW = "【服务评价】{name}给一站式申请 #{lead} 打了{score}分{feedback}，其中您经办：{what}。请联系了解情况。"


# ---------------------------------------------------------------------------------------
# Creating


async def submit_bundle(state: dict[str, Any], checked: list[CarChecked | RoomChecked], ctx: Ctx) -> str:
    """The bundle and its parts in one transaction (raises the models' Conflict when a
    part is taken meanwhile: then nothing is written), the first approvers told in it."""
    me = ctx.user.user_id
    created: list[Request] = []
    async with transaction():
        bundle = await new_bundle(me, state.get("note") or "", ctx.now)
        for c in checked:
            if isinstance(c, CarChecked):
                v = c.vehicle
                assert v.driver is not None
                new = NewRequest(type=RequestType.VEHICLE_BOOKING, applicant=me, start=c.start,
                                 end=c.end, vehicle_id=v.id, driver=v.driver.userid,
                                 details=c.details, bundle_id=bundle.id)
                created.append(await create_request(new, ctx.now, str(ctx.channel), vehicle=v))
            else:
                start, end = c.windows[0]
                new = NewRequest(type=RequestType.FACILITY_RESERVATION, applicant=me, start=start,
                                 end=end, facility_id=c.room.id, details={"attendees": c.attendees},
                                 bundle_id=bundle.id)
                created.append(await create_request(new, ctx.now, str(ctx.channel)))
        groups = await tell_first_approvers(bundle, created, ctx)
    return submitted_text(created, groups, ctx)


def first_steps(parts: list[Request]) -> dict[str, list[tuple[Request, ApprovalStep]]]:
    """The parts waiting for a first decision, by that approver's userid (in part order)."""
    groups: dict[str, list[tuple[Request, ApprovalStep]]] = {}
    for p in parts:
        step = current_step(p)
        if step is not None:
            groups.setdefault(step.approver.userid, []).append((p, step))
    return groups


async def tell_first_approvers(bundle: Bundle, parts: list[Request], ctx: Ctx) -> dict[str, list[Request]]:
    """Each first approver told once: the usual card for one part, one bundle card (or
    message) for several; returns the parts by approver name."""
    lead = lead_no(parts)
    out: dict[str, list[Request]] = {}
    for userid, pairs in first_steps(parts).items():
        name = pairs[0][1].approver.name
        out[name] = [p for p, _ in pairs]
        if len(pairs) == 1:
            request, step = pairs[0]
            await notify_approver(ctx.notifier, request, step, ctx.user.name, ctx.tz, links=ctx.links)
            continue
        await ctx.notifier.notify(userid, bundle_message(bundle, lead, pairs, ctx),
                                  key=f"approve:bundle:{bundle.id}:{pairs[0][1].id}")
    return out


def bundle_message(bundle: Bundle, lead: int, pairs: list[tuple[Request, ApprovalStep]], ctx: Ctx,
                   *, result: str | None = None, note: str | None = None) -> Message:
    """The approver's one message for their parts of a bundle: a 同意/驳回 card when this
    channel has pages, else text with the chat commands."""
    tz = ctx.tz
    lines = [f"{CIRCLED[i]} {describe(p, tz)}" for i, (p, _) in enumerate(pairs)]
    applicant = pairs[0][0].applicant.name
    url = ctx.links.page_url("/m/pending")
    if not url:
        note_line = f"事由：{bundle.note}\n" if bundle.note else ""
        return Message.text(TO_APPROVER.format(name=applicant, lead=lead, n=len(pairs),
                                               lines="\n".join(lines), note=note_line))
    step_id = pairs[0][1].id
    facts = ([{"keyname": "事由", "value": bundle.note[:26]}] if bundle.note else [])
    days = {p.start.astimezone(tz).date() for p, _ in pairs if p.start is not None}
    one_day = len(days) == 1 and all(p.start is not None for p, _ in pairs)
    if one_day:
        facts.append({"keyname": "日期", "value": fmt_day(pairs[0][0].start, tz)})  # type: ignore[arg-type]
    facts += [{"keyname": f"#{p.no}", "value": _clip(card_line(p, tz, with_day=not one_day), 26)}
              for p, _ in pairs]
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "source": {"desc": CARD_SOURCE},
        "main_title": {"title": CARD_TITLE.format(lead=lead),
                       "desc": CARD_DESC.format(name=applicant, n=len(pairs))},
        "sub_title_text": note if note is not None else CARD_HINT.format(n=len(pairs), lead=lead),
        "horizontal_content_list": facts[:6],
        "task_id": f"bdl{lead}s{step_id}",
        "button_list": [
            {"text": APPROVE_BUTTON, "style": 1, "key": f"bundle:approve:{lead}:{step_id}"},
            {"text": REJECT_BUTTON, "style": 2, "key": f"bundle:reject:{lead}:{step_id}"},
        ],
        "card_action": {"type": 1, "url": url},
    }
    if result is not None:
        card["replace_text"] = result
    return Message("template_card", card)


def card_line(p: Request, tz: ZoneInfo, *, with_day: bool = True) -> str:
    """A part in the card's ~26 characters: "贵宾接待室 12/16 09:00-11:00 10人" (without the
    day when the card names it once)."""
    d = p.details or {}
    when = ""
    if p.start is not None and p.end is not None:
        s, e = p.start.astimezone(tz), p.end.astimezone(tz)
        when = (f"{s.month}/{s.day} " if with_day else "") + f"{s:%H:%M}-{e:%H:%M}"
    if p.type is RequestType.VEHICLE_BOOKING:
        plate = p.vehicle.plate if p.vehicle is not None else ""
        return f"用车 {when} →{d.get('destination', '')} {d.get('passengers', '')}人 {plate}".strip()
    room = p.facility.name if p.facility is not None else ""
    return f"{room} {when} {d.get('attendees', '')}人".strip()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def submitted_text(created: list[Request], groups: dict[str, list[Request]], ctx: Ctx) -> str:
    lead = lead_no(created)
    lines = []
    for i, p in enumerate(created):
        step = current_step(p)
        state = PART_PENDING.format(who=step.approver.name) if step is not None else PART_APPROVED
        lines.append(f"{CIRCLED[i]} {describe(p, ctx.tz)}：{state}")
    for name, ps in groups.items():
        if len(ps) > 1:
            marks = "".join(CIRCLED[created.index(p)] for p in ps)
            lines.append(TOGETHER.format(who=name, marks=marks))
    return SUBMITTED.format(lead=lead, n=len(created), lines="\n".join(lines))


# ---------------------------------------------------------------------------------------
# Deciding: the bundle's number or its card decides each of the approver's waiting parts


async def decide_bundle(lead: int, decision: Decision, ctx: Ctx, *, comment: str | None = None) -> str | None:
    """`ctx.user` decides every part of the bundle #lead whose current step is theirs, each
    through the one decision use case (the next approver, applicant and driver told as for
    a request alone), all in one transaction. None: #lead is no bundle's number."""
    bundle = await bundle_of(lead)
    if bundle is None:
        return None
    parts = await parts_of(bundle.id)
    if lead_no(parts) != lead:
        return None
    mine = first_steps(parts).get(ctx.user.user_id, [])
    if not mine:
        return NOTHING_MINE.format(lead=lead)
    async with transaction():
        outcomes = [await approval.apply_decision(p.no, decision, ctx, comment=comment)
                    for p, _ in mine]
    return DECIDED.format(lead=lead, lines="\n".join(o.text for o in outcomes))


CARD_KEY_RE = re.compile(r"^bundle:(approve|reject):(\d{1,10}):(\d{1,10})$")


async def decide_from_card(msg: Inbound, ctx: Ctx) -> Reply | None:
    """同意/驳回 tapped on a bundle card; None for any other card (approval.py's)."""
    m = CARD_KEY_RE.match(msg.event_key)
    if m is None:
        return None
    decision, lead = Decision(m[1]), int(m[2])
    text = await decide_bundle(lead, decision, ctx) or NOTHING_MINE.format(lead=lead)
    bundle = await bundle_of(lead)
    if msg.response_code and bundle is not None:
        parts = await parts_of(bundle.id)
        pairs = [(p, s) for p in parts for s in p.steps if s.approver.userid == ctx.user.user_id]
        if pairs and any(s.id == int(m[3]) for _, s in pairs):
            label = approval.DECISION_LABELS[decision] if text != NOTHING_MINE.format(lead=lead) \
                else approval.LABEL_BY_OTHERS
            card = bundle_message(bundle, lead, pairs, ctx, result=label, note=text[:120])
            update, key = card_update(msg.user_id, msg.response_code, dict(card.content))
            await ctx.notifier.notify(msg.user_id, update, key=key)
    return Reply(text)


@router.intent(Intent.APPROVE, Intent.REJECT)
async def decide_text(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """"同意1050" with a bundle's number: its parts waiting for this approver; any other
    decision as approvals do it."""
    no = parse.slots.get("request_no")
    if no is not None:
        decision = Decision.APPROVE if parse.intent is Intent.APPROVE else Decision.REJECT
        text = await decide_bundle(int(no), decision, ctx, comment=parse.slots.get("comment"))
        if text is not None and text != NOTHING_MINE.format(lead=no):
            return Reply(text)
    return await approval.decide_request(msg, parse, ctx)


# ---------------------------------------------------------------------------------------
# Status, cancel, feedback


def _involved(parts: list[Request], ctx: Ctx) -> bool:
    return any(status.may_see(p, ctx) for p in parts)


def bundle_detail(bundle: Bundle, parts: list[Request], ctx: Ctx) -> str:
    note = f"\n事由：{bundle.note}" if bundle.note else ""
    lines = [BUNDLE_HEAD.format(lead=lead_no(parts), n=len(parts), note=note)]
    for i, p in enumerate(parts):
        lines.append(CIRCLED[i] + " " + status.detail(p, ctx.tz).replace("\n", "\n   "))
    if bundle.rating is not None:
        lines.append(RATED.format(score=bundle.rating,
                                  feedback=f"（{bundle.feedback}）" if bundle.feedback else ""))
    elif is_over(parts, ctx.now) and bundle.applicant.userid == ctx.user.user_id:
        lines.append(RATE_HINT.format(lead=lead_no(parts)))
    return "\n".join(lines)


async def bundle_facts(no: int, ctx: Ctx) -> list[str]:
    """For a part's page: the bundle it belongs to, its reason and its other parts."""
    bundle = await bundle_of(no)
    if bundle is None:
        return []
    parts = await parts_of(bundle.id)
    if not _involved(parts, ctx):
        return []
    facts = [PAGE_BUNDLE.format(lead=lead_no(parts), n=len(parts))]
    if bundle.note:
        facts.append(f"事由：{bundle.note}")
    facts += [f"{CIRCLED[i]} {status.summary(p, ctx.tz)}" for i, p in enumerate(parts) if p.no != no]
    return facts


@router.intent(Intent.APPROVAL_STATUS)
async def show_status(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """"#1050 到哪了" for any part of a bundle: the whole bundle; "我的申请": the parts
    grouped by bundle; anything else as status does it."""
    no = parse.slots.get("request_no")
    if no is not None:
        bundle = await bundle_of(int(no))
        if bundle is not None:
            parts = await parts_of(bundle.id)
            if _involved(parts, ctx):
                return Reply(bundle_detail(bundle, parts, ctx))
        return await status.show_status(msg, parse, ctx)
    reply = await status.show_status(msg, parse, ctx)
    latest = any(s.latest_words is not None and s.latest_words.search(msg.text) for s in services())
    if reply is None or latest or status.APPROVER_RE.search(msg.text):
        return reply
    bundles = await open_bundles_of(ctx.user.user_id)
    if not bundles:
        return reply
    groups = "、".join(f"#{lead_no(ps)}（{'、'.join('#' + str(p.no) for p in ps)}）" for _, ps in bundles)
    return Reply(reply.text + GROUPED.format(groups=groups), reply.markdown, reply.state)


@router.intent(Intent.CANCEL)
async def cancel_text(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """"取消#1050" with a bundle's number: every part; anything else as cancel does it."""
    no = parse.slots.get("request_no")
    if no is not None:
        bundle = await bundle_of(int(no))
        if bundle is not None:
            parts = await parts_of(bundle.id)
            if lead_no(parts) == int(no):
                return await cancel_whole(bundle, parts, ctx)
    return await cancel.cancel_request(msg, parse, ctx)


async def cancel_whole(bundle: Bundle, parts: list[Request], ctx: Ctx) -> Reply:
    lead = lead_no(parts)
    state: dict[str, Any] | None = {} if ctx.state.get("flow") else None
    try:
        async with transaction():
            done = await cancel_bundle(bundle.id, ctx.user.user_id, ctx.now, str(ctx.channel))
            told: list[str] = []
            for request in done:
                for name in await cancel.tell_cancelled(request, ctx):
                    if name not in told:
                        told.append(name)
    except NotAllowed:
        return Reply(NOT_YOURS.format(lead=lead), state=state)
    except InvalidState as e:
        others = [p for p in parts if p.no != e.request.no and cancellable(p, ctx.now)]
        if e.request.status in LIVE and others:  # one part under way: the rest may go one by one
            return Reply(CANNOT_CANCEL.format(no=e.request.no, lead=lead, other=others[0].no),
                         state=state)
        return Reply(NOTHING_LEFT.format(lead=lead), state=state)
    nos = "、".join(f"#{r.no}" for r in done)
    return Reply(CANCELLED.format(lead=lead, nos=nos,
                                  told=TOLD.format(names="、".join(told)) if told else ""), state=state)


@router.text(RATE_RE)
async def rate_text(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """"评价#1050 5分 很满意": the one feedback for a bundle; None for a request alone
    (a repair's rating)."""
    m = re.search(RATE_RE, msg.text)
    assert m is not None
    no, score, comment = int(m[1]), int(m[2]), (m["c"] or "").strip() or None
    bundle = await bundle_of(no)
    if bundle is None:
        return None
    lead = lead_no(await parts_of(bundle.id))
    try:
        async with transaction():
            rated, parts = await rate_bundle(no, ctx.user.user_id, score, comment, ctx.now,
                                             str(ctx.channel))
            if score <= 2:
                await tell_departments(rated, parts, score, ctx)
    except NotAllowed:
        return Reply(RATE_NOT_YOURS.format(lead=lead))
    except InvalidState:
        fresh = await bundle_of(no)
        if fresh is not None and fresh.rating is not None:
            return Reply(RATED_ALREADY.format(lead=lead))
        return Reply(NOT_OVER.format(lead=lead))
    except (NotFound, RequestError):
        return None
    template = THANKS_LOW if score <= 2 else THANKS
    return Reply(template.format(score=score, lead=lead, n=len(parts)))


async def tell_departments(bundle: Bundle, parts: list[Request], score: int, ctx: Ctx) -> None:
    """A low score goes to the last approver of each part (the department that served it)."""
    feedback = f"（{bundle.feedback}）" if bundle.feedback else ""
    lead = lead_no(parts)
    for p in parts:
        steps = ordered_steps(p)
        if not steps:
            continue
        who = steps[-1].approver
        what = f"{TYPE_NAMES[p.type]} {describe(p, ctx.tz)}"
        await ctx.notifier.notify(who.userid, Message.text(TO_DEPT_LOW.format(
            name=ctx.user.name, lead=lead, score=score, feedback=feedback, what=what)),
            key=f"bundle:low:{bundle.id}:{p.no}")


async def ask_feedback(now: datetime, notifier: Notifier, tz: ZoneInfo) -> int:
    """The sweeper: once every part of a bundle is over, its applicant is asked once for
    the one feedback (nothing is asked when no part was served: all refused or withdrawn)."""
    asked = 0
    for bundle, parts in await bundles_over(now):
        served = any(p.status in (RequestStatus.APPROVED, RequestStatus.COMPLETED) for p in parts)
        async with transaction():
            if not await claim_feedback_ask(bundle, parts, now) or not served:
                continue
            note = f"（{bundle.note}）" if bundle.note else ""
            await notifier.notify(bundle.applicant.userid,
                                  Message.text(ASK_FEEDBACK.format(lead=lead_no(parts), note=note)),
                                  key=f"bundle:feedback:{bundle.id}")
            asked += 1
    return asked
