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
from handlers.bundle_submit import bundle_message, first_steps
from handlers.cards import card_update
from handlers.common import (
    describe,
    reply_link,
)
from handlers.labels import TYPE_NAMES
from handlers.registry import services
from models.bundles import (
    Bundle,
    bundle_of,
    bundles_over,
    cancel_bundle,
    claim_feedback_ask,
    is_over,
    lead_no,
    open_bundles_of,
    parts_of,
    rate_bundle,
)
from models.decisions import cancellable
from models.errors import InvalidState, NotAllowed, NotFound, RequestError
from models.org import RequestType
from models.overview import overview_of
from models.requests import (
    LIVE,
    Decision,
    Request,
    RequestStatus,
    ordered_steps,
)
from models.sql import transaction
from nlp.types import Intent, Parse

log = logging.getLogger("handlers.bundle")
router = Router("bundle_after")
CIRCLED = "①②③④⑤⑥"


DECIDED = "一站式申请 #{lead}：\n{lines}"
NOTHING_MINE = "一站式申请 #{lead} 里没有等您审批的项目。"

BUNDLE_HEAD = "一站式申请 #{lead}（共{n}项）{note}"
GROUPED = "\n其中{groups}是一站式申请，回复“#编号 到哪了”看整份。"
PAGE_BUNDLE = "属于一站式申请 #{lead}（共{n}项），其余各项："
RATE_HINT = "整份申请已办完，欢迎评价：回复“评价#{lead} 5分”，可以附上意见。"
RATED = "评价：{score}分{feedback}"

CANCELLED = "好的，一站式申请 #{lead} 已全部取消（{nos}）。预留的{held}已释放。{told}"
HELD_NAMES = {RequestType.VEHICLE_BOOKING: "车辆", RequestType.FACILITY_RESERVATION: "场地",
              RequestType.ASSET_REQUEST: "资产"}
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
    return Reply(text + reply_link(ctx, lead))


@router.intent(Intent.APPROVE, Intent.REJECT)
async def decide_text(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """"同意1050" with a bundle's number: its parts waiting for this approver; any other
    decision as approvals do it."""
    no = parse.slots.get("request_no")
    if no is not None:
        decision = Decision.APPROVE if parse.intent is Intent.APPROVE else Decision.REJECT
        text = await decide_bundle(int(no), decision, ctx, comment=parse.slots.get("comment"))
        if text is not None and text != NOTHING_MINE.format(lead=no):
            return Reply(text + reply_link(ctx, int(no)))
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
                return Reply(bundle_detail(bundle, parts, ctx) + reply_link(ctx, lead_no(parts)))
        return await status.show_status(msg, parse, ctx)
    latest = any(s.latest_words is not None and s.latest_words.search(msg.text) for s in services())
    if latest or status.APPROVER_RE.search(msg.text):
        return await status.show_status(msg, parse, ctx)
    # One statement says what there is to read: the open requests, the waiting count, and
    # whether any bundle is open (its parts read only then).
    overview = await overview_of(ctx.user.user_id)
    reply = await status.answer_status(msg, parse, ctx, overview)
    if reply is None or not overview.bundled:
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
    held = "、".join(dict.fromkeys(HELD_NAMES[r.type] for r in done if r.type in HELD_NAMES))
    return Reply(CANCELLED.format(lead=lead, nos=nos, held=held or "车辆、场地",
                                  told=TOLD.format(names="、".join(told)) if told else "")
                 + reply_link(ctx, lead), state=state)


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
