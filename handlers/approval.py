"""Approvals: one decision use case, `apply_decision`, for the three ways an approver
answers — chat ("同意 1024", "驳回1024，理由：时间冲突", "同意1024，改派沪A67890"), the
approve link's page (bot/web/approve.py) and the 同意/驳回 buttons of the approval card.

    chat / link / card ──► apply_decision ──► this user's step? ──no──► refused or "already
                                 │                                        decided" (nothing
                                 └─yes──► decide() ─┬─ next step ──► card to the next approver,
                                                    │                 progress to the applicant
                                                    ├─ approved ──► the applicant (and the driver)
                                                    └─ rejected ──► the applicant, with the reason
    (the decision and its notifications commit together; the request's row lock makes a
    second answer, by any channel, find the step decided)
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from handlers.base import Ctx, Inbound, Reply, Router
from handlers.cards import WITHDRAWN, card_update, refresh_step_cards
from handlers.common import (
    approval_card,
    describe,
    fmt_window,
    notify_applicant,
    notify_approver,
    page_line,
    reply_link,
)
from handlers.fleet_labels import unusable_text
from handlers.labels import TYPE_NAMES, status_name
from handlers.registry import service_for
from handlers.states import REASON_FLOW  # the 驳回 reason asked for (handlers/rejection.py)
from models.decisions import DecisionResult, decide
from models.errors import AlreadyDecided, Conflict, InvalidState, NotAllowed, NotFound, OutOfService
from models.org import RequestType, Role, Vehicle, users_with_role
from models.requests import (
    Decision,
    Request,
    RequestStatus,
    current_step,
    get_request,
    ordered_steps,
    pending_for,
    settled_request,
)
from models.sql import transaction
from nlp.types import Intent, Parse

log = logging.getLogger("handlers.approval")
router = Router("approval")

REOPENED = "没有驳回，仍等您审批：点“同意”或“驳回”。"

NONE_WAITING = "目前没有等您审批的申请。"
CONFIRM_HINT = "目前没有等您审批的申请。如果是要提交正在填写的申请，请回复“确认”。"
CHOOSE = "有 {n} 件申请等您审批：\n{lines}\n请回复“同意+编号”或“驳回+编号，理由：…”，例如“同意{no}”。"
NOT_FOUND = "没有找到 #{no}，请核对一下编号。"
NOT_APPROVER = "您不是 #{no} 当前的审批人，无法审批。"
ALREADY = "#{no} 已处理过（{status}），无需再审批。"
NOT_YET = "您不是 #{no} 当前的审批人：现在等待{who}审批，轮到您时我会通知您。"
ALREADY_MINE = "#{no} 您已审批过，现在等待{who}审批，无需再审批。"
CHANGE_ONLY_FLEET = "只有车辆管理员可以在审批时改派车辆或司机，#{no} 未处理。"
VEHICLE_DOWN = "{why}，#{no} 未处理。请改派后再同意，例如“同意{no}，改派沪A67890”。"
NO_VEHICLE = "没有找到在用车辆 {plate}，#{no} 未处理。请核对车牌。"
NO_DRIVER = "无法改派：{why}，#{no} 未处理。"
BUSY = "改派不成：{what}在 {when} 已有安排，#{no} 未处理。可以换一辆车或司机再试。"

APPROVED_NEXT = "已同意 #{no}，已转{who}审批。"
APPROVED_FINAL = "已同意 #{no}，已通知{names}。"
REJECTED = "已驳回 #{no}{why}，已通知{name}。"

TO_APPLICANT_OTHER = "您的申请 #{no} 已批准 ✅\n{what}"
TO_APPLICANT_PROGRESS = "您的{kind}申请 #{no} 已由{who}同意，现等待{next}审批，有结果会再告诉您。"
TO_APPLICANT_REJECTED = "很抱歉，您的申请 #{no} 未获通过（{who}驳回）。\n{what}\n{why}\n{freed}如有需要可以修改后重新申请。"
# A service's own notices (the car and driver to the applicant, the trip to the driver)
# and what a rejection frees: its declaration (handlers/services/).
REASON_LINE = "理由：{why}"
NO_REASON_LINE = "审批人未说明理由。"
ASK_REASON = ("要驳回 #{no}，请回复驳回理由（申请人会看到），例如“时间冲突，请改期”；不便说明请回复“无”。\n"
              "点错了请回复“算了”，#{no} 仍等您审批。")

DECISION_LABELS = {Decision.APPROVE: "已同意", Decision.REJECT: "已驳回"}
LABEL_CANCELLED = WITHDRAWN
LABEL_BY_OTHERS = "已由他人处理"
LABEL_REFUSED = "无权审批"
LABEL_NOT_FOUND = "申请不存在"
LABEL_FAILED = "未处理"

PLATE_RE = re.compile(r"[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}", re.I)
CHANGE_RE = re.compile(r"(改派|换|改成|改为|调|派)")


class OutcomeKind(StrEnum):
    DECIDED = "decided"  # this answer made the decision
    ALREADY = "already"  # decided (or withdrawn) before: nothing changed
    REFUSED = "refused"  # not this user's step (now): nothing changed
    NOT_FOUND = "not_found"
    FAILED = "failed"  # a rule refused it (a busy vehicle, an unknown driver): nothing changed


@dataclass(frozen=True, slots=True)
class Outcome:
    """What came of one answer of an approver, whatever the channel (chat, link, card)."""

    kind: OutcomeKind
    text: str  # what to tell the one who answered
    decision: Decision | None = None  # the step's decision, once it has one
    cancelled: bool = False  # the applicant withdrew the request

    @property
    def decided(self) -> bool:
        return self.kind is OutcomeKind.DECIDED

    @property
    def label(self) -> str:
        """A few characters for the tapped card's greyed-out button."""
        if self.kind in (OutcomeKind.DECIDED, OutcomeKind.ALREADY) and self.decision is not None:
            return DECISION_LABELS[self.decision]
        if self.cancelled:
            return LABEL_CANCELLED
        return {
            OutcomeKind.ALREADY: LABEL_BY_OTHERS,
            OutcomeKind.REFUSED: LABEL_REFUSED,
            OutcomeKind.NOT_FOUND: LABEL_NOT_FOUND,
        }.get(self.kind, LABEL_FAILED)


@router.intent(Intent.APPROVE, Intent.REJECT)
async def decide_request(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """The approver approves or rejects a request waiting for them."""
    decision = Decision.APPROVE if parse.intent is Intent.APPROVE else Decision.REJECT
    no = parse.slots.get("request_no")
    if no is None:
        waiting = await pending_for(ctx.user.user_id)
        if not waiting:
            if ctx.state.get("awaiting") == "confirm":
                # "同意" meant as yes to the draft being filled in, not as an approval.
                return Reply(CONFIRM_HINT)
            return Reply(NONE_WAITING)
        if len(waiting) > 1:
            return Reply(list_waiting(waiting, ctx.tz))
        no = waiting[0].no
    no = int(no)
    request = await get_request(no)
    if request is None:
        return Reply(NOT_FOUND.format(no=no))
    refused = refusal(request, ctx.user.user_id)
    if refused is not None:
        return Reply(refused.text + outcome_link(refused, ctx, no))

    vehicle_id: int | None = None
    driver: str | None = None
    if decision is Decision.APPROVE and request.type is RequestType.VEHICLE_BOOKING:
        change = await vehicle_change(msg.text, request, ctx)
        if isinstance(change, str):
            return Reply(change)
        vehicle_id, driver = change

    comment = parse.slots.get("comment") or None
    outcome = await apply_decision(no, decision, ctx, comment=comment, vehicle_id=vehicle_id,
                                   driver=driver)
    return Reply(outcome.text + outcome_link(outcome, ctx, no))


async def apply_decision(
    no: int,
    decision: Decision,
    ctx: Ctx,
    *,
    comment: str | None = None,
    step_id: int | None = None,
    vehicle_id: int | None = None,
    driver: str | None = None,
    tapped: bool = False,
) -> Outcome:
    """The one decision use case of chat, approve link and card: `ctx.user` approves or
    rejects `#no` (the step `step_id` when a link or card names one), and whoever comes
    next is told in the same transaction — the next approver, or the applicant (with the
    reason) and the driver. A second answer, by any channel, changes nothing and is told
    the request was already decided: the request's row lock in `decide` serialises them.
    Every card of the step is updated in place (`tapped`: but the one the user tapped,
    which their tap's ResponseCode updates)."""
    userid = ctx.user.user_id
    async with transaction(mark=False):  # a read: not the message's effect
        request = await settled_request(no)  # not torn by a decision committing meanwhile
    if request is None:
        return Outcome(OutcomeKind.NOT_FOUND, NOT_FOUND.format(no=no))
    refused = refusal(request, userid, step_id)
    if refused is not None:
        return refused
    try:
        async with transaction():
            result = await decide(
                no, userid, decision, ctx.now, str(ctx.channel),
                comment=comment, step_id=step_id, vehicle_id=vehicle_id, driver=driver,
            )
            text = await tell_decision(result, ctx)
            await refresh_step_cards(result.request, result.step, ctx,
                                     DECISION_LABELS[decision],
                                     skip_user=userid if tapped else None)
    except (AlreadyDecided, InvalidState):
        return await _after_the_fact(no, userid, step_id, request)
    except NotFound:
        return Outcome(OutcomeKind.NOT_FOUND, NOT_FOUND.format(no=no))
    except Conflict:
        when = fmt_window(request.start, request.end, ctx.tz)
        return Outcome(OutcomeKind.FAILED, BUSY.format(what="所选车辆或司机", when=when, no=no))
    except OutOfService as e:  # the vehicle went 送修/停用 (or its papers lapse) meanwhile
        return Outcome(OutcomeKind.FAILED, VEHICLE_DOWN.format(why=unusable_text(e.plate, e.why, ctx.tz),
                                                               no=no))
    except NotAllowed as e:
        fresh = await get_request(no)
        if fresh is not None and (again := refusal(fresh, userid, step_id)) is not None:
            return again
        return Outcome(OutcomeKind.FAILED, NO_DRIVER.format(why=e, no=no))
    log.info("decided", extra={"no": no, "user": userid, "decision": str(decision),
                               "channel": str(ctx.channel)})
    return Outcome(OutcomeKind.DECIDED, text, decision)


def outcome_link(outcome: Outcome, ctx: Ctx, no: int) -> str:
    """The request's page line under a reply about a decision (made now or before); none
    for one who may not decide it (its page is not theirs to see)."""
    return reply_link(ctx, no) if outcome.kind in (OutcomeKind.DECIDED, OutcomeKind.ALREADY) else ""


async def _after_the_fact(no: int, userid: str, step_id: int | None, before: Request) -> Outcome:
    """Another answer got there first (or the applicant withdrew): say what happened."""
    fresh = await get_request(no) or before
    again = refusal(fresh, userid, step_id)
    if again is not None:
        return again
    return Outcome(OutcomeKind.ALREADY, ALREADY.format(no=no, status=status_name(fresh)),
                   cancelled=fresh.status is RequestStatus.CANCELLED)



def list_waiting(waiting: list[Request], tz: ZoneInfo) -> str:
    lines = "\n".join(f"{describe(r, tz)}（{r.applicant.name}）" for r in waiting)
    return CHOOSE.format(n=len(waiting), lines=lines, no=waiting[0].no)


def refusal(request: Request, userid: str, step_id: int | None = None) -> Outcome | None:
    """None when `userid` may decide the current step (the step `step_id`, when a link or
    card names one); else why not, without revealing anything to someone who is not one
    of the request's approvers."""
    no = request.no
    step = current_step(request)
    cancelled = request.status is RequestStatus.CANCELLED
    if step_id is not None:
        bound = next((s for s in request.steps if s.id == step_id), None)
        if bound is None or bound.approver.userid != userid:
            return Outcome(OutcomeKind.REFUSED, NOT_APPROVER.format(no=no))
        if step is not None and step.id == step_id:
            return None
        mine = [bound] if bound.decision else []
    else:
        if step is not None and step.approver.userid == userid:
            return None
        mine = [s for s in ordered_steps(request) if s.approver.userid == userid]
        if not mine:
            return Outcome(OutcomeKind.REFUSED, NOT_APPROVER.format(no=no))
    decided = [s.decision for s in mine if s.decision]
    decision = Decision(decided[-1]) if decided else None
    if step is None:
        return Outcome(OutcomeKind.ALREADY, ALREADY.format(no=no, status=status_name(request)),
                       decision, cancelled)
    if decided:
        return Outcome(OutcomeKind.ALREADY, ALREADY_MINE.format(no=no, who=step.approver.name),
                       decision)
    return Outcome(OutcomeKind.REFUSED, NOT_YET.format(no=no, who=step.approver.name))


def why_not(request: Request, userid: str) -> str | None:
    """The text of `refusal`: None when `userid` may decide the current step."""
    refused = refusal(request, userid)
    return refused.text if refused is not None else None


# --- cards ---------------------------------------------------------------------------

CARD_KEY_RE = re.compile(r"^(approve|reject):(\d{1,10}):(\d{1,10})$")


async def decide_from_card(msg: Inbound, ctx: Ctx) -> Reply | None:
    """The approver tapped 同意 or 驳回 on an approval card. 同意 decides that step for
    whoever tapped (only its approver succeeds) and the card shows the result. 驳回 does
    not take effect yet: as WeCom's own 审批 opens a box for the 审批意见 before a 驳回
    counts, the chat asks for the reason ("无" allowed; "算了" undoes a mis-tap) and only
    the answer rejects (handlers/rejection.py); the tap's ResponseCode waits in the
    dialogue state to update the card then."""
    m = CARD_KEY_RE.match(msg.event_key)
    if m is None:
        log.info("card event of an unknown card", extra={"user": msg.user_id,
                                                        "task_id": msg.task_id[:64]})
        return None
    decision, no, step_id = Decision(m[1]), int(m[2]), int(m[3])
    if decision is Decision.REJECT:
        request = await get_request(no)
        refused = (refusal(request, ctx.user.user_id, step_id) if request is not None
                   else Outcome(OutcomeKind.NOT_FOUND, NOT_FOUND.format(no=no)))
        if refused is None:
            return Reply(ASK_REASON.format(no=no), state={
                "flow": REASON_FLOW, "awaiting": "reason",
                "slots": {"request_no": no, "step_id": step_id,
                          "response_code": msg.response_code},
            })
        outcome = refused
    else:
        outcome = await apply_decision(no, decision, ctx, step_id=step_id,
                                       tapped=bool(msg.response_code))
    await after_tap(msg.user_id, msg.response_code, outcome, no, step_id, ctx)
    return Reply(outcome.text + outcome_link(outcome, ctx, no))


async def after_tap(user_id: str, response_code: str, outcome: Outcome, no: int, step_id: int,
                    ctx: Ctx) -> None:
    """Update the tapped card with the tap's code. Only the step's approver's tap changes
    the card: a refused tap (someone who may not decide, carrying whatever ResponseCode)
    is told why in chat and spends nothing, so the real approver's tap still updates
    their card."""
    if response_code and outcome.kind not in (OutcomeKind.REFUSED, OutcomeKind.NOT_FOUND):
        await update_card(user_id, response_code, outcome, no, step_id, ctx)


async def reopen_card(user_id: str, response_code: str, no: int, step_id: int, ctx: Ctx) -> None:
    """A 驳回 tapped by mistake and undone: the tapped card gets its live buttons back
    (with the tap's code), when the step still waits for this user."""
    request = await get_request(no)
    step = next((s for s in request.steps if s.id == step_id), None) if request else None
    if not response_code or request is None or step is None:
        return
    if refusal(request, user_id, step_id) is not None:
        return
    url = ctx.links.approve_url(no, step_id, step.approver.userid)
    card = approval_card(request, step, request.applicant.name, ctx.tz, url, note=REOPENED)
    message, key = card_update(user_id, response_code, card)
    await ctx.notifier.notify(user_id, message, key=key)


async def update_card(user_id: str, response_code: str, outcome: Outcome, no: int,
                      step_id: int, ctx: Ctx) -> None:
    """Replace the tapped card, for the one who tapped it, by the same card whose title
    and buttons show the result; through the outbox (`message/update_template_card`, its
    response_code single-use and valid 72 h: https://developer.work.weixin.qq.com/document/path/94888)."""
    request = await get_request(no)
    step = next((s for s in request.steps if s.id == step_id), None) if request else None
    if request is None or step is None:
        return
    url = ctx.links.approve_url(no, step_id, step.approver.userid)
    card = approval_card(request, step, request.applicant.name, ctx.tz, url,
                         result=outcome.label, note=outcome.text)
    message, key = card_update(user_id, response_code, card)
    await ctx.notifier.notify(user_id, message, key=key)


async def vehicle_change(text: str, request: Request, ctx: Ctx) -> tuple[int | None, str | None] | str:
    """The vehicle (by plate) and driver (by name or userid) the fleet manager names when
    approving ("同意1024，改派沪A67890" / "同意1024 换刘师傅"): ids, or a refusal to say."""
    plate_m = PLATE_RE.search(text)
    drivers = await users_with_role(Role.DRIVER)
    named = [d for d in drivers if d.name in text or re.search(rf"\b{re.escape(d.userid)}\b", text)]
    if plate_m is None and not named:
        return None, None
    if Role.FLEET_MANAGER not in ctx.user.roles:
        return CHANGE_ONLY_FLEET.format(no=request.no)
    vehicle_id: int | None = None
    if plate_m is not None:
        plate = plate_m.group(0).upper()
        vehicle = await Vehicle.get_or_none(plate=plate, in_service=True)
        if vehicle is None:
            return NO_VEHICLE.format(plate=plate, no=request.no)
        vehicle_id = vehicle.id
    # The longest name wins ("刘师傅" over a shorter name inside it).
    driver = max(named, key=lambda d: len(d.name)).userid if named else None
    return vehicle_id, driver


async def tell_decision(result: DecisionResult, ctx: Ctx) -> str:
    """Notify who comes next (inside the decision's transaction): the next approver and
    the applicant, or the applicant (with the reason) and the driver; returns the reply."""
    request, tz = result.request, ctx.tz
    no = request.no
    applicant = request.applicant
    if result.next_step is not None:
        nxt = result.next_step
        await notify_approver(ctx.notifier, request, nxt, applicant.name, tz, links=ctx.links)
        await notify_applicant(
            ctx.notifier, request,
            TO_APPLICANT_PROGRESS.format(kind=TYPE_NAMES[request.type], no=no, who=ctx.user.name,
                                         next=nxt.approver.name) + page_line(ctx.links, no),
            key=f"progress:{no}:{result.step.seq}",
        )
        return APPROVED_NEXT.format(no=no, who=nxt.approver.name)
    if result.step.decision == Decision.REJECT:
        freed = service_for(request.type).freed_on_reject
        reason = result.step.comment
        text = TO_APPLICANT_REJECTED.format(
            no=no, what=describe(request, tz).removeprefix(f"#{no} "), who=ctx.user.name,
            why=REASON_LINE.format(why=reason) if reason else NO_REASON_LINE, freed=freed,
        )
        await notify_applicant(ctx.notifier, request, text + page_line(ctx.links, no), key=f"decided:{no}")
        why = f"（理由：{result.step.comment}）" if result.step.comment else ""
        return REJECTED.format(no=no, why=why, name=applicant.name)
    names = [applicant.name]
    await notify_applicant(ctx.notifier, request, approved_text(request, tz) + page_line(ctx.links, no),
                           key=f"decided:{no}")
    service = service_for(request.type)
    names += await service.on_approved(request, ctx)  # e.g. the driver
    return APPROVED_FINAL.format(no=no, names="和".join(names)) + await service.approver_next(request, ctx)


def route_of(request: Request) -> str:
    d = request.details or {}
    return f"{d.get('origin') or '局机关'}→{d.get('destination') or '（未填）'}"


def approved_text(request: Request, tz: ZoneInfo) -> str:
    """The applicant's notice: the service's own (the car and driver, the room), else the
    common one with the request's one-line description."""
    notice = service_for(request.type).approved_notice(request, tz)
    return notice or TO_APPLICANT_OTHER.format(no=request.no, what=describe(request, tz))
