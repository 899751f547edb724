"""The mini-service pages (issue 5, item 3): what a user can do in WeCom's built-in browser
instead of the chat, through the same use cases and with the same messages.

    GET  /m/                        home: counts, links to the lists and the forms
    GET  /m/requests                我的申请: open ones, then the latest finished ones
    GET  /m/requests/{no}           one request and its steps (those involved only)
    POST /m/requests/{no}/cancel    cancel one's own request (handlers.cancel)
    GET  /m/pending                 待我审批, each with its approve link (bot/web/approve.py)
    GET|POST /m/new/{slug}          each service's form (its declaration's WebForm: vehicle,
                                    facility, repair), submitted through its Form.submit

Every page needs the WeCom OAuth session (bot/web/auth.py); every POST carries the user's
CSRF token. A form's fields become the chat's slots (bot/web/formfields.py); the
service's submit use case checks them with the chat's rules and writes the request and its notifications in one transaction, or
returns the problem, which the form shows above the user's own values.

Server-rendered from the templates in bot/web/templates/m/ (autoescape on: every value is
escaped), mobile first (bot/web/static/m.css), no JavaScript, no asset from anywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from aiohttp import web

from bot.keys import DISPATCHER, SETTINGS
from bot.web.auth import check_csrf, csrf_token, error_page, require_user
from bot.web.dashboard import CLOCK
from bot.web.formfields import FIELDS, BadField, field_value
from bot.web.templating import render
from handlers import bundle_after, status
from handlers.base import Channel, Ctx
from handlers.cancel import cancel_one
from handlers.common import describe
from handlers.forms import Problem
from handlers.labels import (
    LIVE,
    TYPE_NAMES,
    RequestStatus,
    status_name,
)
from handlers.queries import (
    Request,
    cancellable,
    current_step,
    finished_requests_of,
    get_request,
    open_requests_of,
    pending_for,
)
from handlers.registry import service_for, services, web_form
from handlers.timeline import timeline

NOT_MEMBER = "您的账号不在本局人员名单中，如需开通请联系局办公室。"

FINISHED_SHOWN = 10

# ---------------------------------------------------------------------------------------
# Who and when


async def page_ctx(request: web.Request) -> Ctx:
    """The signed-in user's context on the web channel (the OAuth redirect when not signed
    in, 403 when not in the organisation); `app[CLOCK]` fixes the time in tests."""
    uid = require_user(request)
    ctx = await request.app[DISPATCHER].context_for(uid, Channel.WEB)
    if ctx is None:
        page = error_page("无法使用", NOT_MEMBER, status=403)
        raise web.HTTPForbidden(text=page.text, content_type="text/html")
    if CLOCK in request.app:
        ctx = replace(ctx, now=request.app[CLOCK]().astimezone(request.app[SETTINGS].tz))
    return ctx


# ---------------------------------------------------------------------------------------
# What the templates show (bot/web/templates/m/)


class RequestView:
    """One request as the pages show it; each value is worked out only when a template
    asks for it (a list's requests come without their applicant)."""

    def __init__(self, request: Request, ctx: Ctx) -> None:
        self.request = request
        self.ctx = ctx
        self.no = request.no
        self.type_name = TYPE_NAMES[request.type]

    @property
    def status_name(self) -> str:
        return status_name(self.request)

    @property
    def badge(self) -> str:
        """The badge's colour: blue while live, green when done, grey otherwise."""
        if self.request.status is RequestStatus.COMPLETED:
            return "done"
        return "" if self.request.status in LIVE else "off"

    @property
    def what(self) -> str:
        """When, where, how many: the chat's one-line description without number and type."""
        line = describe(self.request, self.ctx.tz)
        return line.removeprefix(f"#{self.no} {self.type_name}").strip()

    @property
    def waits_for(self) -> str:
        return status.waits_for(self.request) or ""

    @property
    def applicant(self) -> str:
        return str(self.request.applicant.name)

    @cached_property
    def _my_step(self) -> bool:
        step = current_step(self.request)
        return step is not None and step.approver.userid == self.ctx.user.user_id

    @cached_property
    def approve_url(self) -> str:
        """The approve page of the current step when it is mine; else ""."""
        step = current_step(self.request)
        if not self._my_step or step is None:
            return ""
        return self.ctx.links.approve_url(self.no, step.id, self.ctx.user.user_id) or ""

    @property
    def decide_in_chat(self) -> bool:
        """Mine to decide, but no link to do it with (no public address): the chat's words."""
        return self._my_step and not self.approve_url


# ---------------------------------------------------------------------------------------
# Lists and detail


async def home(request: web.Request) -> web.Response:
    """Counts of mine and of what waits for me, and each service's form."""
    ctx = await page_ctx(request)
    mine = await open_requests_of(ctx.user.user_id, limit=50)
    waiting = await pending_for(ctx.user.user_id)
    forms = [(s.icon, s.form.web.slug, s.form.web.title) for s in services() if s.form.web]
    return render("m/home.html", request, {"name": ctx.user.name, "mine": len(mine),
                                           "waiting": len(waiting), "forms": forms,
                                           "admin": "admin" in ctx.user.roles,
                                           "feed": ctx.links.calendar_url("user", ctx.user.user_id)})


async def my_requests(request: web.Request) -> web.Response:
    """我的申请: the open ones, then the latest finished ones."""
    ctx = await page_ctx(request)
    mine = await open_requests_of(ctx.user.user_id, limit=50)
    finished = await finished_requests_of(ctx.user.user_id, FINISHED_SHOWN)
    return render("m/requests.html", request, {
        "mine": [RequestView(r, ctx) for r in mine],
        "finished": [RequestView(r, ctx) for r in finished],
    })


async def pending(request: web.Request) -> web.Response:
    """待我审批: oldest first, each with the link to its approve page."""
    ctx = await page_ctx(request)
    waiting = await pending_for(ctx.user.user_id)
    return render("m/pending.html", request, {"waiting": [RequestView(r, ctx) for r in waiting]})


async def visible_request(no: int, ctx: Ctx) -> Request | None:
    """The request when this user may see it (the chat's rule), else None."""
    found = await get_request(no)
    return found if found is not None and status.may_see(found, ctx) else None


def not_found(http: web.Request, no: int) -> web.Response:
    return render("m/not_found.html", http, {"message": status.NOT_FOUND.format(no=no)},
                  status=404)


async def request_detail(request: web.Request) -> web.Response:
    """One request and its steps, for those involved in it."""
    ctx = await page_ctx(request)
    no = int(request.match_info["no"])
    found = await visible_request(no, ctx)
    if found is None:
        return not_found(request, no)
    return await render_detail(request, found, ctx, also=await bundle_after.bundle_facts(no, ctx))


async def render_detail(http: web.Request, request: Request, ctx: Ctx, message: str = "",
                        also: list[str] | None = None) -> web.Response:
    steps = status.step_lines(request, ctx.tz) + service_for(request.type).detail_lines(request)
    d = request.details or {}
    facts = [*(also or []), *service_for(request.type).page_facts(request)]
    if request.assignee is not None:
        facts.append(f"维修人员：{request.assignee.name}")
    if request.rating is not None:
        comment = d.get("rating_comment")
        facts.append(f"评价：{request.rating}分" + (f"（{comment}）" if comment else ""))
    me = ctx.user.user_id
    may_cancel = request.applicant.userid == me and cancellable(request, ctx.now)
    return render("m/detail.html", http, {
        "r": RequestView(request, ctx), "message": message, "facts": facts, "steps": steps,
        "timeline": await timeline(request, ctx.tz),
        "cancel_csrf": csrf_token(http, me) if may_cancel else "",
    })


async def cancel_request(request: web.Request) -> web.Response:
    """Cancel one's own request through the chat's use case; the detail again, with
    what happened."""
    ctx = await page_ctx(request)
    form = await request.post()
    check_csrf(request, ctx.user.user_id, field_value(form, "csrf"))
    no = int(request.match_info["no"])
    if await visible_request(no, ctx) is None:
        return not_found(request, no)
    reply = await cancel_one(no, ctx, state=None)
    after = await get_request(no)
    assert after is not None
    return await render_detail(request, after, ctx, reply.text)


# Problem.field (a slot) → the form field to mark, for every form (a service adds its
# own: WebForm.field_of_slot).
FIELD_OF_SLOT = {"date": "date"}


# ---------------------------------------------------------------------------------------
# Forms: what their templates need (bot/web/templates/m/{vehicle,facility,repair}.html)


@dataclass(frozen=True, slots=True)
class FormView:
    """A form's state: the user's values, the field the message is about, the CSRF token."""

    values: Mapping[str, str]
    bad: str | None
    message: str
    csrf: str
    today: str  # the earliest day a date field takes (ISO)




async def render_form(service: str, http: web.Request, ctx: Ctx, values: Mapping[str, str],
                      *, bad: str | None = None, message: str = "") -> web.Response:
    form = FormView(values, bad, message, csrf_token(http, ctx.user.user_id),
                    ctx.now.date().isoformat())
    context: dict[str, Any] = {"form": form, **await FIELDS[service].context()}
    return render(f"m/{service}.html", http, context)


async def show_form(request: web.Request) -> web.Response:
    """An empty form."""
    ctx = await page_ctx(request)
    return await render_form(request.match_info["service"], request, ctx, {})


async def submit_form(request: web.Request) -> web.Response:
    """Check the CSRF token, turn the fields into slots and submit them through the use
    case; on a problem the form again, with the message and the user's own values."""
    ctx = await page_ctx(request)
    service = request.match_info["service"]
    form = await request.post()
    check_csrf(request, ctx.user.user_id, field_value(form, "csrf"))
    values = {k: field_value(form, k) for k in form if k != "csrf"}
    found = web_form(service)
    if found is None:
        raise web.HTTPNotFound()
    declared, web_form_of = found
    try:
        slots = FIELDS[service].read(values, ctx.tz)
    except BadField as e:
        return await render_form(service, request, ctx, values, bad=e.field, message=str(e))
    result = await declared.form.submit(slots, ctx)
    if isinstance(result, Problem):
        slot = result.field or ""
        bad = web_form_of.field_of_slot.get(slot, FIELD_OF_SLOT.get(slot, result.field))
        return await render_form(service, request, ctx, values, bad=bad,
                                 message=result.form_message)
    return render("m/submitted.html", request,
                  {"title": web_form_of.title, "text": result.text, "no": result.numbers[0]})


async def to_home(request: web.Request) -> web.Response:
    raise web.HTTPFound("/m/")


def setup_pages(app: web.Application) -> None:
    app.router.add_get("/m", to_home)
    app.router.add_get("/m/", home)
    app.router.add_get("/m/requests", my_requests)
    app.router.add_get(r"/m/requests/{no:\d{1,12}}", request_detail)
    app.router.add_post(r"/m/requests/{no:\d{1,12}}/cancel", cancel_request)
    app.router.add_get("/m/pending", pending)
    declared = [s.form.web.slug for s in services() if s.form.web is not None]
    if unread := [slug for slug in declared if slug not in FIELDS]:
        raise RuntimeError(f"web forms without a field reader in bot/web/pages.py FIELDS: {unread}")
    slugs = "|".join(declared)
    app.router.add_get(f"/m/new/{{service:{slugs}}}", show_form)
    app.router.add_post(f"/m/new/{{service:{slugs}}}", submit_form)

