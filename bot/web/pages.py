"""The mini-service pages (issue 5, item 3): what a user can do in WeCom's built-in browser
instead of the chat, through the same use cases and with the same messages.

    GET  /m/                        home: counts, links to the lists and the forms
    GET  /m/requests                我的申请: open ones, then the latest finished ones
    GET  /m/requests/{no}           one request and its steps (those involved only)
    POST /m/requests/{no}/cancel    cancel one's own request (handlers.cancel)
    GET  /m/pending                 待我审批, each with its approve link (bot/web/approve.py)
    GET|POST /m/new/vehicle         用车申请   (handlers.vehicle_booking.submit_vehicle)
    GET|POST /m/new/facility        场地预约   (handlers.facility_reservation.submit_facility)
    GET|POST /m/new/repair          报修       (handlers.repair.submit_repair)

Every page needs the WeCom OAuth session (bot/web/auth.py); every POST carries the user's
CSRF token. A form's fields become the chat's slots; the handler checks them with the
chat's rules and writes the request and its notifications in one transaction, or
returns the problem, which the form shows above the user's own values.

Server-rendered from the templates in bot/web/templates/m/ (autoescape on: every value is
escaped), mobile first (bot/web/static/m.css), no JavaScript, no asset from anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from typing import Any

from aiohttp import web

from bot.keys import DISPATCHER, SETTINGS
from bot.web.auth import check_csrf, csrf_token, error_page, require_user
from bot.web.dashboard import CLOCK
from bot.web.templating import render
from handlers import facility_reservation, repair, status, vehicle_booking
from handlers.base import Channel, Ctx
from handlers.cancel import cancel_one
from handlers.common import describe
from handlers.forms import Problem
from handlers.labels import (
    FACILITY_TYPE_NAMES,
    LIVE,
    TYPE_NAMES,
    FacilityType,
    RequestStatus,
    RequestType,
    status_name,
)
from handlers.queries import (
    Request,
    active_facilities,
    cancellable,
    current_step,
    finished_requests_of,
    get_request,
    open_requests_of,
    pending_for,
)
from handlers.timeline import timeline

NOT_MEMBER = "您的账号不在本局人员名单中，如需开通请联系局办公室。"
BAD_DATE = "请按“年-月-日”填写{label}。"
BAD_TIME = "请按“时:分”填写{label}，例如 14:00。"
BAD_NUMBER = "{label}请填写一个整数。"
TOO_LONG = "{label}最多{n}个字。"

FINISHED_SHOWN = 10
TEXT_LIMITS = {"origin": 60, "destination": 60, "purpose": 100}

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
    """Counts of mine and of what waits for me, and the three forms."""
    ctx = await page_ctx(request)
    mine = await open_requests_of(ctx.user.user_id, limit=50)
    waiting = await pending_for(ctx.user.user_id)
    return render("m/home.html", request,
                  {"name": ctx.user.name, "mine": len(mine), "waiting": len(waiting),
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
    return await render_detail(request, found, ctx)


async def render_detail(http: web.Request, request: Request, ctx: Ctx, message: str = ""
                        ) -> web.Response:
    steps = status.step_lines(request, ctx.tz)
    d = request.details or {}
    facts = []
    if request.type is RequestType.VEHICLE_BOOKING and d.get("purpose"):
        facts.append(f"事由：{d['purpose']}")
    if request.type is RequestType.VEHICLE_BOOKING and request.driver is not None:
        facts.append(f"司机：{request.driver.name}")
    if request.type is RequestType.REPAIR_REQUEST and d.get("category"):
        facts.append(f"类别：{repair.CATEGORY_NAMES.get(str(d['category']), '其他')}")
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
    check_csrf(request, ctx.user.user_id, _str(form, "csrf"))
    no = int(request.match_info["no"])
    if await visible_request(no, ctx) is None:
        return not_found(request, no)
    reply = await cancel_one(no, ctx, state=None)
    after = await get_request(no)
    assert after is not None
    return await render_detail(request, after, ctx, reply.text)


# ---------------------------------------------------------------------------------------
# Forms: fields → the chat's slots


class BadField(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2})?")


def _str(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def read_date(form: Mapping[str, str], name: str, label: str) -> date | None:
    raw = form.get(name, "")
    if not raw:
        return None
    try:
        if not _DATE_RE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise BadField(name, BAD_DATE.format(label=label)) from None


def read_time(form: Mapping[str, str], name: str, label: str) -> str | None:
    raw = form.get(name, "")
    if not raw:
        return None
    m = _TIME_RE.fullmatch(raw)
    if m is None or int(m[1]) > 23 or int(m[2]) > 59:
        raise BadField(name, BAD_TIME.format(label=label))
    return f"{int(m[1]):02d}:{m[2]}"


def read_int(form: Mapping[str, str], name: str, label: str) -> int | None:
    raw = form.get(name, "")
    if not raw:
        return None
    if not re.fullmatch(r"-?\d{1,6}", raw):
        raise BadField(name, BAD_NUMBER.format(label=label))
    return int(raw)


def read_text(form: Mapping[str, str], name: str, label: str, limit: int) -> str | None:
    raw = form.get(name, "")
    if len(raw) > limit:
        raise BadField(name, TOO_LONG.format(label=label, n=limit))
    return raw or None


def window_slots(form: Mapping[str, str], end_day_field: str | None = None) -> dict[str, Any]:
    """`date`, `start`, `end` as the NLU gives them (`YYYY-MM-DDTHH:MM`, local)."""
    slots: dict[str, Any] = {}
    day = read_date(form, "date", "日期")
    start = read_time(form, "start", "开始时间")
    end = read_time(form, "end", "结束时间")
    end_day = read_date(form, end_day_field, "结束日期") if end_day_field else None
    if day is not None:
        slots["date"] = day.isoformat()
        if start:
            slots["start"] = f"{day.isoformat()}T{start}"
        if end:
            slots["end"] = f"{(end_day or day).isoformat()}T{end}"
    return slots


def vehicle_slots(form: Mapping[str, str]) -> dict[str, Any]:
    slots = window_slots(form, "end_date")
    passengers = read_int(form, "passengers", "乘车人数")
    if passengers is not None:
        slots["passengers"] = passengers
    for name, label in (("origin", "出发地"), ("destination", "目的地"), ("purpose", "事由")):
        value = read_text(form, name, label, TEXT_LIMITS[name])
        if value:
            slots[name] = value
    return slots


def facility_slots(form: Mapping[str, str]) -> dict[str, Any]:
    slots = window_slots(form)
    place = form.get("place", "")
    kind, _, value = place.partition(":")
    if kind == "room" and value:
        slots["facility_id"] = value
    elif kind == "type" and value in set(FacilityType):
        slots.update(facility_type=value, named=False)
    attendees = read_int(form, "attendees", "人数")
    if attendees is not None:
        slots["attendees"] = attendees
    until = read_date(form, "repeat_until", "每周重复截止日期")
    if until is not None:
        slots.update(repeat=True, repeat_until=until.isoformat())
    return slots


def repair_slots(form: Mapping[str, str]) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    for name, slot in (("location", "location"), ("category", "repair_category"),
                       ("description", "description")):
        if form.get(name):
            slots[slot] = form[name]
    return slots


# Problem.field (a slot) → the form field to mark.
FIELD_OF_SLOT = {
    "repair_category": "category", "facility": "place", "facility_type": "place",
    "facility_id": "place", "date": "date",
}


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


async def facility_places() -> list[tuple[str, list[tuple[str, str]]]]:
    """The 场地 choices: any room of a type (the use case picks one), then each room by type."""
    rooms = await active_facilities()
    names = FACILITY_TYPE_NAMES
    by_type = [(f"type:{t}", f"任一{names[t]}") for t in FacilityType
               if any(r.type == t for r in rooms)]
    groups: list[tuple[str, list[tuple[str, str]]]] = [("按类型（自动选合适的）", by_type)]
    for t in FacilityType:
        mine = [(f"room:{r.id}", f"{r.name}（{r.building}，{r.capacity}人"
                 f"{'，需审批' if r.needs_approval else ''}，{r.open_from}-{r.open_to}）")
                for r in rooms if r.type == t]
        if mine:
            groups.append((names[t], mine))
    return groups


SERVICES = {
    "vehicle": ("用车申请", vehicle_slots, vehicle_booking.submit_vehicle),
    "facility": ("场地预约", facility_slots, facility_reservation.submit_facility),
    "repair": ("报修", repair_slots, repair.submit_repair),
}


async def render_form(service: str, http: web.Request, ctx: Ctx, values: Mapping[str, str],
                      *, bad: str | None = None, message: str = "") -> web.Response:
    form = FormView(values, bad, message, csrf_token(http, ctx.user.user_id),
                    ctx.now.date().isoformat())
    context: dict[str, Any] = {"form": form}
    if service == "vehicle":
        context.update(limits=TEXT_LIMITS, origin_default=vehicle_booking.ORIGIN_DEFAULT)
    elif service == "facility":
        context.update(places=await facility_places(),
                       max_repeats=facility_reservation.MAX_REPEATS)
    else:
        context.update(limits=repair.MAX_LENGTH, categories=list(repair.CATEGORY_NAMES.items()))
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
    check_csrf(request, ctx.user.user_id, _str(form, "csrf"))
    values = {k: _str(form, k) for k in form if k != "csrf"}
    title, to_slots, submit = SERVICES[service]
    try:
        slots = to_slots(values)
    except BadField as e:
        return await render_form(service, request, ctx, values, bad=e.field, message=str(e))
    result = await submit(slots, ctx)
    if isinstance(result, Problem):
        bad = FIELD_OF_SLOT.get(result.field or "", result.field)
        return await render_form(service, request, ctx, values, bad=bad,
                                 message=result.form_message)
    return render("m/submitted.html", request,
                  {"title": title, "text": result.text, "no": result.numbers[0]})


async def to_home(request: web.Request) -> web.Response:
    raise web.HTTPFound("/m/")


def setup_pages(app: web.Application) -> None:
    app.router.add_get("/m", to_home)
    app.router.add_get("/m/", home)
    app.router.add_get("/m/requests", my_requests)
    app.router.add_get(r"/m/requests/{no:\d{1,12}}", request_detail)
    app.router.add_post(r"/m/requests/{no:\d{1,12}}/cancel", cancel_request)
    app.router.add_get("/m/pending", pending)
    app.router.add_get("/m/new/{service:vehicle|facility|repair}", show_form)
    app.router.add_post("/m/new/{service:vehicle|facility|repair}", submit_form)

