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

Server-rendered, mobile first, no JavaScript, no asset from anywhere else; every value
that reaches HTML goes through `html.escape`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from html import escape
from typing import Any

from aiohttp import web

from bot.keys import DISPATCHER, SETTINGS
from bot.web.auth import check_csrf, csrf_token, error_page, require_user
from bot.web.dashboard import CLOCK
from handlers import facility_reservation, repair, status, vehicle_booking
from handlers.base import Channel, Ctx
from handlers.cancel import cancel_one
from handlers.common import TYPE_NAMES, describe, status_name
from handlers.forms import Problem, Submitted
from models.decisions import cancellable
from models.org import Facility, FacilityType, RequestType
from models.requests import (
    LIVE,
    Request,
    RequestStatus,
    current_step,
    get_request,
    open_requests_of,
    pending_for,
)

NOT_MEMBER = "您的账号不在本局人员名单中，如需开通请联系局办公室。"
NOTHING_OPEN = "您目前没有进行中的申请。"
NOTHING_WAITING = "目前没有等您审批的申请。"
BAD_DATE = "请按“年-月-日”填写{label}。"
BAD_TIME = "请按“时:分”填写{label}，例如 14:00。"
BAD_NUMBER = "{label}请填写一个整数。"
TOO_LONG = "{label}最多{n}个字。"
CHAT_DECIDE = "回复“同意{no}”通过，或“驳回{no}，理由：…”。"

FINISHED_SHOWN = 10
TEXT_LIMITS = {"origin": 60, "destination": 60, "purpose": 100}

CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei",
 "Helvetica Neue",sans-serif;color:#222;background:#f4f5f7;font-size:16px;line-height:1.5}
header{background:#2f6fb3;color:#fff;padding:12px 16px;display:flex;align-items:center;gap:12px}
header a{color:#fff;text-decoration:none;font-size:15px;padding:8px 0;min-width:44px}
header h1{font-size:18px;margin:0;flex:1}
main{max-width:640px;margin:0 auto;padding:12px}
.card{background:#fff;border-radius:10px;padding:14px;margin:10px 0;box-shadow:0 1px 2px #0001}
.card h2{font-size:17px;margin:0 0 6px}
a.card{display:block;color:inherit;text-decoration:none}
.muted{color:#777;font-size:14px}
.badge{display:inline-block;font-size:13px;padding:1px 8px;border-radius:10px;background:#e8eef7;
 color:#2f6fb3;margin-left:6px;vertical-align:middle}
.badge.done{background:#eaf6ef;color:#2e7d4f}.badge.off{background:#f1f1f1;color:#777}
summary{min-height:44px;padding:10px 0;color:#c0392b;cursor:pointer}
.notice{background:#fff8e1;border-left:4px solid #f0b429;padding:12px;border-radius:6px;
 margin:10px 0;white-space:pre-line}
.notice.ok{background:#eaf6ef;border-color:#2e9d6a}
.menu a{display:flex;justify-content:space-between;align-items:center;min-height:56px;
 padding:14px;margin:10px 0;background:#fff;border-radius:10px;color:#222;text-decoration:none;
 box-shadow:0 1px 2px #0001;font-size:17px}
.menu b{color:#c0392b}
label{display:block;margin:12px 0 4px;font-size:15px;color:#444}
input,select,textarea{width:100%;font-size:16px;padding:10px;min-height:44px;border:1px solid #ccc;
 border-radius:8px;background:#fff;font-family:inherit}
textarea{min-height:96px}
.bad input,.bad select,.bad textarea{border-color:#c0392b;background:#fff6f5}
.row{display:flex;gap:10px}.row>div{flex:1}
button,.button{display:block;width:100%;min-height:48px;margin:16px 0 4px;font-size:17px;border:0;
 border-radius:10px;background:#2f6fb3;color:#fff;text-align:center;text-decoration:none;
 padding:12px;font-family:inherit}
button.danger{background:#fff;color:#c0392b;border:1px solid #c0392b}
ol.steps{padding-left:0;list-style:none;margin:8px 0}ol.steps li{padding:6px 0;border-top:1px solid #eee}
"""


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
# HTML


def esc(value: Any) -> str:
    return escape(str(value), quote=True)


def page(title: str, body: str, *, back: str | None = "/m/", status: int = 200) -> web.Response:
    nav = f'<a href="{esc(back)}">‹ 返回</a>' if back else ""
    html = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="format-detection" content="telephone=no">'
        f"<title>{esc(title)} · 机关事务服务</title><style>{CSS}</style></head><body>"
        f"<header>{nav}<h1>{esc(title)}</h1></header><main>{body}</main></body></html>"
    )
    return web.Response(text=html, status=status, content_type="text/html",
                        headers={"Cache-Control": "no-store"})


def notice(text: str, *, ok: bool = False) -> str:
    return f'<div class="notice{" ok" if ok else ""}" role="alert">{esc(text)}</div>' if text else ""


def badge(request: Request) -> str:
    if request.status is RequestStatus.COMPLETED:
        cls = " done"
    elif request.status in LIVE:
        cls = ""
    else:
        cls = " off"
    return f'<span class="badge{cls}">{esc(status_name(request))}</span>'


def heading(request: Request) -> str:
    return f"<h2>#{request.no} {esc(TYPE_NAMES[request.type])}{badge(request)}</h2>"


def what(request: Request, ctx: Ctx) -> str:
    """When, where, how many: the chat's one-line description without number and type."""
    line = describe(request, ctx.tz)
    return line.removeprefix(f"#{request.no} {TYPE_NAMES[request.type]}").strip()


def request_card(request: Request, ctx: Ctx) -> str:
    who = status.waits_for(request)
    return (
        f'<a class="card" href="/m/requests/{request.no}">{heading(request)}'
        f"<div>{esc(what(request, ctx))}</div>"
        + (f'<div class="muted">{esc(who)}</div>' if who else "")
        + "</a>"
    )


# ---------------------------------------------------------------------------------------
# Lists and detail


async def home(request: web.Request) -> web.Response:
    """Counts of mine and of what waits for me, and the three forms."""
    ctx = await page_ctx(request)
    mine = await open_requests_of(ctx.user.user_id, limit=50)
    waiting = await pending_for(ctx.user.user_id)

    def count(n: int) -> str:
        return f"<b>{n}</b>" if n else '<span class="muted">›</span>'

    body = (
        f'<p class="muted">{esc(ctx.user.name)}，您好。也可以直接在对话里用一句话办理。</p>'
        '<nav class="menu">'
        f'<a href="/m/requests">📋 我的申请 {count(len(mine))}</a>'
        f'<a href="/m/pending">✅ 待我审批 {count(len(waiting))}</a>'
        '<a href="/m/new/vehicle">🚗 用车申请 <span class="muted">›</span></a>'
        '<a href="/m/new/facility">🏢 场地预约 <span class="muted">›</span></a>'
        '<a href="/m/new/repair">🔧 报修 <span class="muted">›</span></a>'
        "</nav>"
    )
    return page("机关事务服务", body, back=None)


async def my_requests(request: web.Request) -> web.Response:
    """我的申请: the open ones, then the latest finished ones."""
    ctx = await page_ctx(request)
    mine = await open_requests_of(ctx.user.user_id, limit=50)
    finished = await (
        Request.filter(applicant__userid=ctx.user.user_id)
        .exclude(status__in=list(LIVE))
        .order_by("-id")
        .limit(FINISHED_SHOWN)
        .prefetch_related("vehicle", "facility", "assignee", "steps__approver")
    )
    parts = [f"<h2>进行中（{len(mine)}）</h2>"]
    parts += [request_card(r, ctx) for r in mine] or [f'<p class="muted">{esc(NOTHING_OPEN)}</p>']
    if finished:
        parts.append("<h2>最近结束</h2>")
        parts += [request_card(r, ctx) for r in finished]
    return page("我的申请", "".join(parts))


async def pending(request: web.Request) -> web.Response:
    """待我审批: oldest first, each with the link to its approve page."""
    ctx = await page_ctx(request)
    waiting = await pending_for(ctx.user.user_id)
    if not waiting:
        return page("待我审批", f'<p class="muted">{esc(NOTHING_WAITING)}</p>')
    cards = []
    for r in waiting:
        cards.append(
            f'<div class="card">{heading(r)}'
            f"<div>{esc(what(r, ctx))}</div>"
            f'<div class="muted">申请人：{esc(r.applicant.name)}</div>'
            f"{decide_link(r, ctx)}</div>"
        )
    return page("待我审批", "".join(cards))


def decide_link(request: Request, ctx: Ctx) -> str:
    """The approve page of the current step when it is mine; else nothing."""
    step = current_step(request)
    if step is None or step.approver.userid != ctx.user.user_id:
        return ""
    url = ctx.links.approve_url(request.no, step.id, ctx.user.user_id)
    if not url:
        return f'<p class="muted">{esc(CHAT_DECIDE.format(no=request.no))}</p>'
    return f'<a class="button" href="{esc(url)}">去审批</a>'


async def visible_request(no: int, ctx: Ctx) -> Request | None:
    """The request when this user may see it (the chat's rule), else None."""
    found = await get_request(no)
    return found if found is not None and status.may_see(found, ctx) else None


def not_found(no: int) -> web.Response:
    return page("没有找到", f'<p>{esc(status.NOT_FOUND.format(no=no))}</p>', back="/m/requests",
                status=404)


async def request_detail(request: web.Request) -> web.Response:
    """One request and its steps, for those involved in it."""
    ctx = await page_ctx(request)
    no = int(request.match_info["no"])
    found = await visible_request(no, ctx)
    if found is None:
        return not_found(no)
    return render_detail(request, found, ctx)


def render_detail(http: web.Request, request: Request, ctx: Ctx, message: str = "") -> web.Response:
    tz = ctx.tz
    lines = status.detail(request, tz).split("\n")
    steps = lines[1:]
    d = request.details or {}
    facts = []
    if request.type is RequestType.VEHICLE_BOOKING and d.get("purpose"):
        facts.append(f"事由：{d['purpose']}")
    if request.type is RequestType.REPAIR_REQUEST and d.get("category"):
        facts.append(f"类别：{repair.CATEGORY_NAMES.get(str(d['category']), '其他')}")
    who = status.waits_for(request)
    body = [
        notice(message, ok=True),
        f'<div class="card">{heading(request)}'
        f"<div>{esc(what(request, ctx))}</div>"
        + "".join(f"<div>{esc(f)}</div>" for f in facts)
        + f'<div class="muted">申请人：{esc(request.applicant.name)}</div>'
        + (f'<div class="muted">{esc(who)}</div>' if who else "")
        + "</div>",
    ]
    if steps:
        items = "".join(f"<li>{esc(s)}</li>" for s in steps)
        body.append(f'<div class="card"><h2>进度</h2><ol class="steps">{items}</ol></div>')
    body.append(decide_link(request, ctx))
    me = ctx.user.user_id
    if request.applicant.userid == me and cancellable(request, ctx.now):
        body.append(  # two taps, no script: the button sits inside a closed <details>
            '<details class="card"><summary>取消这条申请…</summary>'
            f'<form method="post" action="/m/requests/{request.no}/cancel">'
            f'<input type="hidden" name="csrf" value="{esc(csrf_token(http, me))}">'
            '<button class="danger" type="submit">确认取消</button></form></details>'
        )
    return page(f"申请 #{request.no}", "".join(body), back="/m/requests")


async def cancel_request(request: web.Request) -> web.Response:
    """Cancel one's own request through the chat's use case; the detail again, with
    what happened."""
    ctx = await page_ctx(request)
    form = await request.post()
    check_csrf(request, ctx.user.user_id, _str(form, "csrf"))
    no = int(request.match_info["no"])
    if await visible_request(no, ctx) is None:
        return not_found(no)
    reply = await cancel_one(no, ctx, state=None)
    after = await get_request(no)
    assert after is not None
    return render_detail(request, after, ctx, reply.text)


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
# Forms: HTML


def field_html(label: str, name: str, values: Mapping[str, str], bad: str | None, *,
               kind: str = "text", attrs: str = "", hint: str = "") -> str:
    value = values.get(name, "")
    cls = ' class="bad"' if bad == name else ""
    if kind == "textarea":
        control = f'<textarea id="f-{name}" name="{name}"{attrs}>{esc(value)}</textarea>'
    else:
        control = f'<input id="f-{name}" type="{kind}" name="{name}" value="{esc(value)}"{attrs}>'
    small = f'<div class="muted">{esc(hint)}</div>' if hint else ""
    return f'<div{cls}><label for="f-{name}">{esc(label)}</label>{control}{small}</div>'


def select_html(label: str, name: str, values: Mapping[str, str], bad: str | None,
                options: list[tuple[str, str]] | list[tuple[str, list[tuple[str, str]]]],
                placeholder: str) -> str:
    chosen = values.get(name, "")

    def option(value: str, text: str) -> str:
        sel = " selected" if value == chosen else ""
        return f'<option value="{esc(value)}"{sel}>{esc(text)}</option>'

    parts = [f'<option value="">{esc(placeholder)}</option>']
    for value, text in options:
        if isinstance(text, list):
            inner = "".join(option(v, t) for v, t in text)
            parts.append(f'<optgroup label="{esc(value)}">{inner}</optgroup>')
        else:
            parts.append(option(value, text))
    cls = ' class="bad"' if bad == name else ""
    return (f'<div{cls}><label for="f-{name}">{esc(label)}</label>'
            f'<select id="f-{name}" name="{name}" required>{"".join(parts)}</select></div>')


def form_page(title: str, http: web.Request, ctx: Ctx, fields: str, *, message: str = "",
              submit: str = "提交") -> web.Response:
    token = csrf_token(http, ctx.user.user_id)
    body = (
        notice(message)
        + '<form method="post" class="card">'
        f'<input type="hidden" name="csrf" value="{esc(token)}">'
        f'{fields}<button type="submit">{esc(submit)}</button></form>'
    )
    return page(title, body)


def when_fields(values: Mapping[str, str], bad: str | None, today: date, *,
                start: str, end: str) -> str:
    return (
        field_html("日期", "date", values, bad, kind="date",
                   attrs=f' min="{today.isoformat()}" required')
        + '<div class="row"><div>'
        + field_html(start, "start", values, bad, kind="time", attrs=' step="300" required')
        + "</div><div>"
        + field_html(end, "end", values, bad, kind="time", attrs=' step="300" required')
        + "</div></div>"
    )


def vehicle_fields(values: Mapping[str, str], bad: str | None, today: date) -> str:
    return (
        when_fields(values, bad, today, start="出发时间", end="结束时间")
        + field_html("结束日期（跨天时填写）", "end_date", values, bad, kind="date",
                     attrs=f' min="{today.isoformat()}"', hint="单次用车最长3天")
        + field_html("出发地", "origin", values, bad,
                     attrs=f' maxlength="{TEXT_LIMITS["origin"]}" placeholder="{vehicle_booking.ORIGIN_DEFAULT}"')
        + field_html("目的地", "destination", values, bad,
                     attrs=f' maxlength="{TEXT_LIMITS["destination"]}" required')
        + field_html("乘车人数", "passengers", values, bad, kind="number",
                     attrs=' min="1" max="99" inputmode="numeric" required')
        + field_html("事由", "purpose", values, bad,
                     attrs=f' maxlength="{TEXT_LIMITS["purpose"]}" placeholder="如：送材料"')
    )


async def facility_fields(values: Mapping[str, str], bad: str | None, today: date) -> str:
    rooms = await Facility.filter(active=True).order_by("capacity", "id")
    names = facility_reservation.TYPE_NAMES
    by_type: list[tuple[str, str]] = [(f"type:{t}", f"任一{names[t]}") for t in FacilityType
                                      if any(r.type == t for r in rooms)]
    groups: list[tuple[str, list[tuple[str, str]]]] = [("按类型（自动选合适的）", by_type)]
    for t in FacilityType:
        mine = [(f"room:{r.id}", f"{r.name}（{r.building}，{r.capacity}人"
                 f"{'，需审批' if r.needs_approval else ''}，{r.open_from}-{r.open_to}）")
                for r in rooms if r.type == t]
        if mine:
            groups.append((names[t], mine))
    return (
        select_html("场地", "place", values, bad, groups, "请选择场地或类型")
        + when_fields(values, bad, today, start="开始时间", end="结束时间")
        + field_html("人数", "attendees", values, bad, kind="number",
                     attrs=' min="1" max="9999" inputmode="numeric" required')
        + field_html("每周重复至（可不填）", "repeat_until", values, bad, kind="date",
                     attrs=f' min="{today.isoformat()}"',
                     hint=f"每周同一时间，最多{facility_reservation.MAX_REPEATS}次；全部订上或都不订")
    )


def repair_fields(values: Mapping[str, str], bad: str | None) -> str:
    categories = list(repair.CATEGORY_NAMES.items())
    return (
        field_html("地点", "location", values, bad,
                   attrs=f' maxlength="{repair.MAX_LENGTH["location"]}" placeholder="如：3号楼502室" required')
        + select_html("类别", "category", values, bad, categories, "请选择故障类别")
        + field_html("故障描述", "description", values, bad, kind="textarea",
                     attrs=f' maxlength="{repair.MAX_LENGTH["description"]}" placeholder="如：灯管闪烁不亮" required')
    )


def submitted_page(title: str, result: Submitted) -> web.Response:
    no = result.numbers[0]
    body = (
        notice(result.text, ok=True)
        + f'<a class="button" href="/m/requests/{no}">查看 #{no}</a>'
        + '<a class="button" href="/m/requests">我的申请</a>'
    )
    return page(title, body)


SERVICES = {
    "vehicle": ("用车申请", vehicle_slots, vehicle_booking.submit_vehicle),
    "facility": ("场地预约", facility_slots, facility_reservation.submit_facility),
    "repair": ("报修", repair_slots, repair.submit_repair),
}


async def render_form(service: str, http: web.Request, ctx: Ctx, values: Mapping[str, str],
                      *, bad: str | None = None, message: str = "") -> web.Response:
    today = ctx.now.date()
    if service == "vehicle":
        fields = vehicle_fields(values, bad, today)
    elif service == "facility":
        fields = await facility_fields(values, bad, today)
    else:
        fields = repair_fields(values, bad)
    return form_page(SERVICES[service][0], http, ctx, fields, message=message)


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
    return submitted_page(title, result)


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

