"""The approve link's page (CONTRACT §4): the request, the steps so far and, while the
step the link was made for waits, a plain `<form method="post">` with 同意/驳回 and an
optional comment — no JavaScript, readable in WeCom's built-in browser. The HTML is
templates/approve/ (autoescape on), its style static/approve.css.

    GET  /approve/{token} ─ token ok? ─ OAuth session ─ approver? ─► details (+ form if the
                                                                      step still waits)
    POST /approve/{token} ─ token ok? ─ OAuth session ─ approver? ─ CSRF ─► apply_decision
                                                                      (channel "web")

The token (bot/web/links.py) is signed, names request, step and approver, and expires after
72 h; it "works once" because the step it names is decided once: a second POST — or a
decision made meanwhile by chat or card — finds the step decided and changes nothing.
GET never changes anything. The decision itself is handlers.approval.apply_decision, the
same use case as chat and cards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.keys import DISPATCHER, SETTINGS
from bot.web.auth import check_csrf, csrf_token, error_page, require_user
from bot.web.links import LinkError, SignedLinks
from bot.web.templating import render
from handlers.approval import Outcome, OutcomeKind, apply_decision
from handlers.base import Channel
from handlers.common import fmt_day, request_facts
from handlers.labels import (
    DECISION_NAMES,
    TYPE_NAMES,
    Decision,
    RequestStatus,
    role_name,
    status_name,
)
from handlers.queries import (
    ApprovalStep,
    Request,
    current_step,
    department_name,
    get_request,
    ordered_steps,
)

log = logging.getLogger("bot.web.approve")

MAX_COMMENT = 500

BAD_LINK = ("链接无效", "这个审批链接不完整或已被改动。请回到企业微信，打开审批消息里的原链接。")
EXPIRED = ("链接已过期", "审批链接 72 小时内有效。请在企业微信里回复“待我审批”查看，或直接回复“同意+编号”。")
FOREIGN = ("此链接仅限审批人本人使用", "这个审批链接是发给另一位审批人的，您无法用它审批。")
GONE = ("没有找到这件申请", "这件申请不存在或已被删除。")
UNKNOWN_USER = ("无法使用", "您的账号不在本局人员名单中，如需开通请联系局办公室。")
FORM_EXPIRED = ("页面已过期", "请重新打开审批链接后再提交。")
BAD_ACTION = ("没有选择", "请点“同意”或“驳回”提交。")

DECIDED_NOTE = "这一步已经审批过（{decision}），无需再审批。"
CLOSED_NOTE = "这件申请{status}，无需再审批。"
NOT_YET_NOTE = "现在等待{who}审批，轮到您时会通知您。"
WAITING_NOW = "审批中"  # the step that waits now; the later ones 待审批
NOT_NEEDED = "无需审批"  # a step left when the request was rejected or withdrawn
OUTCOME_STATUS = {
    OutcomeKind.DECIDED: 200,
    OutcomeKind.ALREADY: 409,
    OutcomeKind.REFUSED: 403,
    OutcomeKind.NOT_FOUND: 404,
    OutcomeKind.FAILED: 409,
}

def setup_approve(app: web.Application) -> None:
    app.router.add_get("/approve/{token}", show_approval)
    app.router.add_post("/approve/{token}", post_approval)


def _approver_link(request: web.Request, token: str,
                   verb: str) -> tuple[int, int, str] | web.Response:
    """(request no, step id, the signed-in user) when the token is good and the user is
    its approver; else the error page to answer with (sign-in is `require_user`'s)."""
    link = _read_link(request, token)
    if isinstance(link, web.Response):
        return link
    no, step_id, approver = link
    uid = require_user(request)
    if uid != approver:
        log.info(f"approve link {verb} by someone else", extra={"no": no, "user": uid})
        return _error(FOREIGN, 403)
    return no, step_id, uid


async def show_approval(request: web.Request) -> web.StreamResponse:
    """GET: who is looking, then the request and — if the step still waits — the form."""
    token = request.match_info["token"]
    link = _approver_link(request, token, "opened")
    if isinstance(link, web.Response):
        return link
    no, step_id, uid = link
    found = await _load(no, step_id)
    if found is None:
        return _error(GONE, 404)
    req, step = found
    waiting = (cur := current_step(req)) is not None and cur.id == step.id
    return render("approve/show.html", request, {
        "d": await _details(req, step, request.app[SETTINGS].tz),
        "waiting": waiting,
        "why_closed": "" if waiting else _why_closed(req, step),
        "token": token,
        "csrf": csrf_token(request, uid) if waiting else "",
        "max_comment": MAX_COMMENT,
    })


async def post_approval(request: web.Request) -> web.StreamResponse:
    """POST: token, session user == the link's approver, CSRF; then the one decision."""
    token = request.match_info["token"]
    link = _approver_link(request, token, "posted")
    if isinstance(link, web.Response):
        return link
    no, step_id, uid = link
    form = await request.post()
    try:
        check_csrf(request, uid, _field(form, "csrf"))
    except web.HTTPForbidden:
        return _error(FORM_EXPIRED, 403)
    action = _field(form, "action")
    if action not in (Decision.APPROVE, Decision.REJECT):
        return _error(BAD_ACTION, 400)
    comment = (_field(form, "comment") or "").strip()[:MAX_COMMENT] or None
    ctx = await request.app[DISPATCHER].context_for(uid, Channel.WEB)
    if ctx is None:
        return _error(UNKNOWN_USER, 403)
    outcome = await apply_decision(no, Decision(action), ctx, comment=comment, step_id=step_id)
    return await _result(request, outcome, no, step_id)


# --- helpers -------------------------------------------------------------------------


def _read_link(request: web.Request, token: str) -> tuple[int, int, str] | web.Response:
    """(request number, step id, approver) of a good token; else the page saying why."""
    if len(token) > 512:
        return _error(BAD_LINK, 400)
    try:
        data = SignedLinks(request.app[SETTINGS]).read_approve_token(token)
    except LinkError as e:
        return _error(EXPIRED, 410) if e.expired else _error(BAD_LINK, 400)
    return data["n"], data["s"], data["a"]


def _field(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


async def _load(no: int, step_id: int) -> tuple[Request, ApprovalStep] | None:
    req = await get_request(no)
    if req is None:
        return None
    step = next((s for s in req.steps if s.id == step_id), None)
    return (req, step) if step is not None else None


def _why_closed(req: Request, step: ApprovalStep) -> str:
    if step.decision is not None:
        return DECIDED_NOTE.format(decision=DECISION_NAMES.get(step.decision, step.decision))
    cur = current_step(req)
    if cur is None:
        return CLOSED_NOTE.format(status=status_name(req))
    return NOT_YET_NOTE.format(who=cur.approver.name)


async def _result(request: web.Request, outcome: Outcome, no: int, step_id: int) -> web.Response:
    """The page after a POST: what happened, then the request as it is now."""
    found = await _load(no, step_id)
    title = outcome.label if outcome.kind is not OutcomeKind.FAILED else "未处理"
    return render("approve/result.html", request, {
        "title": f"#{no} {title}",
        "text": outcome.text,
        "decided": outcome.decided,
        "d": await _details(*found, request.app[SETTINGS].tz) if found is not None else None,
    }, status=OUTCOME_STATUS[outcome.kind])


@dataclass(frozen=True, slots=True)
class StepLine:
    role: str
    approver: str
    decision: str
    decided_at: str
    comment: str
    mine: bool  # the step the link was made for, shown in bold


@dataclass(frozen=True, slots=True)
class Details:
    """What templates/approve/details.html shows of a request."""

    no: int
    type_name: str
    facts: list[tuple[str, str]]
    status: str
    steps: list[StepLine]


async def _details(req: Request, step: ApprovalStep, tz: ZoneInfo) -> Details:
    dept = await department_name(req.department_id_at)
    who = req.applicant.name + (f"（{dept}）" if dept is not None else "")
    ordered = ordered_steps(req)
    current = next((s for s in ordered if s.decision is None), None)
    stopped = req.status is not RequestStatus.PENDING
    steps = [
        StepLine(
            role=role_name(s.role),
            approver=s.approver.name,
            # what is still needed: the step that waits, and those after it
            decision=(DECISION_NAMES.get(s.decision, "") if s.decision is not None
                      else NOT_NEEDED if stopped else WAITING_NOW if s is current
                      else DECISION_NAMES[None]),
            decided_at=_when(s.decided_at, tz) if s.decided_at is not None else "",
            comment=s.comment or "",
            mine=s.id == step.id,
        )
        for s in ordered
    ]
    return Details(req.no, TYPE_NAMES[req.type], list(request_facts(req, who, tz)),
                   status_name(req), steps)


def _when(moment: datetime, tz: ZoneInfo) -> str:
    return f"{fmt_day(moment, tz)} {moment.astimezone(tz):%H:%M}"


def _error(what: tuple[str, str], status: int) -> web.Response:
    response = error_page(what[0], what[1], status=status)
    response.headers["Cache-Control"] = "no-store"
    return response
