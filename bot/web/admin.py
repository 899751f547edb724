"""The admin pages (issue 17 item 5): the bureau's vehicles, drivers, facilities, approval
rules and role grants, edited in the browser by members with the `admin` role (WeCom
OAuth, as /m/; or the admin bearer token).

    GET  /admin/                          the menu
    GET  /admin/vehicles                  list          GET|POST /admin/vehicles/new, /{plate}
    GET|POST /admin/drivers               list, and make someone a driver
    GET  /admin/facilities                list          GET|POST /admin/facilities/new, /{id}
    GET  /admin/rules                     list          GET|POST /admin/rules/{type}
    GET  /admin/roles[?role=…]            list          GET|POST /admin/roles/{userid}

Every POST carries the CSRF token of the one who signed in; a form with a problem comes
back (400) with the problem beside its field and the admin's own values, and nothing
saved; a saved form goes back to its list (303) with what changed. The use cases are in
handlers/admin.py; the fields of a form are the data of handlers/admin_forms.py, drawn by
the one template admin/form.html.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.keys import NLU, SETTINGS
from bot.web.auth import check_csrf, csrf_token, error_page, require_admin
from bot.web.dashboard import clock_now
from bot.web.templating import render
from handlers import admin, system
from handlers.admin import FACILITY_FIELDS, VEHICLE_FIELDS, Outcome
from handlers.admin_forms import Field
from handlers.labels import ROLE_NAMES

FLASH_SECONDS = 300
NOT_ADMIN = ("无法使用", "管理页面只对管理员开放。如需开通，请联系局办公室。")
NOT_FOUND = "没有找到这一项，可能已被修改。请返回列表刷新。"

VEHICLE_HEAD = ("车牌号", "车型", "座位", "司机", "状态")
DRIVER_HEAD = ("姓名", "部门", "所驾车辆", "状态")
FACILITY_HEAD = ("名称", "类型", "位置", "容纳", "设备", "管理人", "审批", "状态")
RULE_HEAD = ("服务", "审批流程")
ROLE_HEAD = ("姓名", "账号", "部门", "角色", "状态")


async def admin_actor(request: web.Request) -> str:
    """The admin's userid ("admin-token" for the bearer token); a Chinese 403 for others."""
    try:
        return await require_admin(request)
    except web.HTTPForbidden:
        page = error_page(*NOT_ADMIN, status=403)
        raise web.HTTPForbidden(text=page.text, content_type="text/html") from None


def _flash(request: web.Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app[SETTINGS].secret_key, salt="jgbot:admin-flash")


def saved(request: web.Request, to: str, outcome: Outcome) -> web.HTTPSeeOther:
    """Back to the list, carrying what was saved (signed: no one else's words on it)."""
    return web.HTTPSeeOther(f"{to}?ok={quote(_flash(request).dumps(outcome.message))}")


def flash(request: web.Request) -> str:
    raw = request.query.get("ok", "")
    if not raw:
        return ""
    try:
        text = _flash(request).loads(raw, max_age=FLASH_SECONDS)
    except BadSignature:
        return ""
    return text if isinstance(text, str) else ""


async def form_of(request: web.Request, actor: str) -> dict[str, str]:
    """The posted fields (CSRF checked), one string each."""
    form = await request.post()
    token = form.get("csrf")
    check_csrf(request, actor, token if isinstance(token, str) else None)
    return {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf"}


def keep_fixed(fields: Sequence[Field], saved_values: Mapping[str, str] | None,
               posted: Mapping[str, str]) -> dict[str, str]:
    """A refused form again: the admin's values, and the saved ones of the fields that
    cannot change (a plate, a facility's id)."""
    fixed = {f.name: (saved_values or {}).get(f.name, "") for f in fields if f.fixed}
    return {**posted, **fixed}


def now_of(request: web.Request) -> datetime:
    return clock_now(request.app).astimezone(request.app[SETTINGS].tz)


async def names_changed(request: web.Request) -> None:
    """A plate or a room added or renamed: the NLU of this process learns it at once."""
    if NLU in request.app:
        request.app[NLU].add_words(await system.dictionary_words())


# ---------------------------------------------------------------------------------------
# Rendering


def list_page(request: web.Request, actor: str, *, title: str, section: str,
              head: Sequence[str], rows: Sequence[admin.Row], edit: str = "",
              add: str = "", extra: Mapping[str, Any] | None = None,
              template: str = "admin/list.html") -> web.Response:
    return render(template, request, {
        "title": title, "section": section, "head": head, "rows": rows, "edit": edit,
        "add": add, "ok": flash(request), "csrf": csrf_token(request, actor), **(extra or {}),
    })


def form_page(request: web.Request, actor: str, *, title: str, section: str,
              fields: Sequence[Field], values: Mapping[str, str],
              choices: Mapping[str, Sequence[tuple[str, str]]], adding: bool,
              outcome: Outcome | None = None) -> web.Response:
    return render("admin/form.html", request, {
        "title": title, "section": section, "fields": fields, "values": values,
        "choices": choices, "adding": adding, "csrf": csrf_token(request, actor),
        "message": outcome.message if outcome else "",
        "problems": outcome.problems if outcome else {},
    }, status=400 if outcome else 200)


def not_found(request: web.Request, section: str) -> web.Response:
    return render("admin/not_found.html", request,
                  {"title": "没有找到", "section": section, "message": NOT_FOUND}, status=404)


@dataclass(frozen=True, slots=True)
class EditForm:
    """One kind of row the admin edits with a form (a vehicle, a facility, an asset): how
    to read, show and save it; `edit_page` does the rest, alike for every kind."""

    section: str  # the list's path under /admin/ and the tab
    key: str  # the path's name for the row's key (`/admin/vehicles/{plate}`)
    fields: Sequence[Field]
    choices: Callable[[], Awaitable[Mapping[str, list[tuple[str, str]]]]]
    values: Callable[[str], Awaitable[dict[str, str] | None]]
    save: Callable[[str | None, Mapping[str, str], str, datetime], Awaitable[Outcome]]
    new_title: str
    title: Callable[[str, Mapping[str, str]], str]
    defaults: Mapping[str, str] = field(default_factory=dict)  # a new row's form
    renames: bool = False  # a saved change may add names the NLU must know (plates, rooms)


async def edit_page(request: web.Request, form: EditForm) -> web.Response:
    """GET: the row's form (an empty one to add); POST: save it, back to the list with
    what changed, or the form again with each problem beside its field (nothing saved)."""
    actor = await admin_actor(request)
    key = request.match_info.get(form.key)
    choices = await form.choices()
    values: Mapping[str, str]
    if request.method == "POST":
        posted = await form_of(request, actor)
        outcome = await form.save(key, posted, actor, now_of(request))
        if outcome.ok:
            if form.renames:
                await names_changed(request)
            raise saved(request, f"/admin/{form.section}", outcome)
        values = posted if key is None else keep_fixed(form.fields, await form.values(key), posted)
    else:
        found = dict(form.defaults) if key is None else await form.values(key)
        if found is None:
            return not_found(request, form.section)
        values, outcome = found, None
    title = form.new_title if key is None else form.title(key, values)
    return form_page(request, actor, title=title, section=form.section, fields=form.fields,
                     values=values, choices=choices, adding=key is None, outcome=outcome)


VEHICLE_FORM = EditForm(
    "vehicles", "plate", VEHICLE_FIELDS, admin.vehicle_choices, admin.vehicle_values,
    admin.save_vehicle, "添加车辆", lambda plate, _: f"车辆 {plate}",
    defaults={"in_service": "on"}, renames=True)
FACILITY_FORM = EditForm(
    "facilities", "id", FACILITY_FIELDS, admin.facility_choices, admin.facility_values,
    admin.save_facility, "添加场地", lambda key, values: f"场地 {values.get('name', key)}",
    defaults={"active": "on", "open_from": "08:00", "open_to": "18:00"}, renames=True)


async def home(request: web.Request) -> web.Response:
    await admin_actor(request)
    return render("admin/home.html", request, {"title": "管理", "section": ""})


# ---------------------------------------------------------------------------------------
# Vehicles and drivers


async def vehicles(request: web.Request) -> web.Response:
    actor = await admin_actor(request)
    return list_page(request, actor, title="车辆", section="vehicles", head=VEHICLE_HEAD,
                     rows=await admin.vehicle_rows(), edit="/admin/vehicles/",
                     add="/admin/vehicles/new")


async def vehicle_form(request: web.Request) -> web.Response:
    return await edit_page(request, VEHICLE_FORM)


async def drivers(request: web.Request) -> web.Response:
    actor = await admin_actor(request)
    outcome = None
    if request.method == "POST":
        posted = await form_of(request, actor)
        outcome = await admin.add_driver(posted.get("userid", ""), actor, now_of(request))
        if outcome.ok:
            raise saved(request, "/admin/drivers", outcome)
    response = list_page(request, actor, title="司机", section="drivers", head=DRIVER_HEAD,
                         rows=await admin.driver_rows(), edit="/admin/roles/",
                         template="admin/drivers.html",
                         extra={"candidates": await admin.not_drivers(),
                                "problems": outcome.problems if outcome else {}})
    if outcome is not None:
        response.set_status(400)
    return response


# ---------------------------------------------------------------------------------------
# Facilities


async def facilities(request: web.Request) -> web.Response:
    actor = await admin_actor(request)
    return list_page(request, actor, title="场地", section="facilities", head=FACILITY_HEAD,
                     rows=await admin.facility_rows(), edit="/admin/facilities/",
                     add="/admin/facilities/new")


async def facility_form(request: web.Request) -> web.Response:
    return await edit_page(request, FACILITY_FORM)


# ---------------------------------------------------------------------------------------
# Approval rules and role grants


async def rules(request: web.Request) -> web.Response:
    actor = await admin_actor(request)
    hours = request.app[SETTINGS].approval_reminder_hours
    return list_page(request, actor, title="审批流程", section="rules", head=RULE_HEAD,
                     rows=await admin.rule_rows(), edit="/admin/rules/",
                     template="admin/rules.html", extra={"hours": f"{hours:g}"})


async def rule_form(request: web.Request) -> web.Response:
    actor = await admin_actor(request)
    rtype = request.match_info["type"]
    current = await admin.rule_values(rtype)
    if current is None:
        return not_found(request, "rules")
    outcome = None
    values: Mapping[str, str] = current
    if request.method == "POST":
        posted = await form_of(request, actor)
        outcome = await admin.save_rule(rtype, posted, actor, now_of(request))
        if outcome.ok:
            raise saved(request, "/admin/rules", outcome)
        values = posted
    name = dict(admin.rule_keys())[rtype]
    service = dict(admin.request_types())[rtype.partition(".")[0]]
    return render("admin/rule.html", request, {
        "title": f"{name}的审批流程", "section": "rules", "values": values,
        "steps": [f"step{i + 1}" for i in range(admin.MAX_STEPS)],
        "inherits": service if "." in rtype else "",
        "choices": await admin.rule_choices(), "csrf": csrf_token(request, actor),
        "message": outcome.message if outcome else "",
        "problems": outcome.problems if outcome else {},
    }, status=400 if outcome else 200)


async def roles(request: web.Request) -> web.Response:
    actor = await admin_actor(request)
    role = request.query.get("role", "")
    role = role if role in ROLE_NAMES else ""
    return list_page(request, actor, title="角色授权", section="roles", head=ROLE_HEAD,
                     rows=await admin.role_rows(role), edit="/admin/roles/",
                     template="admin/roles.html",
                     extra={"role": role, "choices": admin.role_choices()})


async def roles_form(request: web.Request) -> web.Response:
    actor = await admin_actor(request)
    userid = request.match_info["userid"]
    found = await admin.roles_of(userid)
    if found is None:
        return not_found(request, "roles")
    name, held = found
    outcome = None
    if request.method == "POST":
        data = await request.post()
        token = data.get("csrf")
        check_csrf(request, actor, token if isinstance(token, str) else None)
        chosen = [v for v in data.getall("role", []) if isinstance(v, str)]
        outcome = await admin.save_roles(userid, chosen, actor, now_of(request))
        if outcome.ok:
            raise saved(request, "/admin/roles", outcome)
        held = chosen
    return render("admin/user_roles.html", request, {
        "title": f"{name}的角色", "section": "roles", "userid": userid, "held": held,
        "choices": admin.role_choices(), "csrf": csrf_token(request, actor),
        "message": outcome.message if outcome else "",
        "problems": outcome.problems if outcome else {},
    }, status=400 if outcome else 200)


def setup_admin(app: web.Application) -> None:
    r = app.router
    r.add_get("/admin", to_home)
    r.add_get("/admin/", home)
    r.add_get("/admin/vehicles", vehicles)
    for method in ("GET", "POST"):
        r.add_route(method, "/admin/vehicles/new", vehicle_form)
        r.add_route(method, "/admin/vehicles/{plate}", vehicle_form)
        r.add_route(method, "/admin/drivers", drivers)
        r.add_route(method, "/admin/facilities/new", facility_form)
        r.add_route(method, "/admin/facilities/{id}", facility_form)
        r.add_route(method, "/admin/rules/{type}", rule_form)
        r.add_route(method, "/admin/roles/{userid}", roles_form)
    r.add_get("/admin/facilities", facilities)
    r.add_get("/admin/rules", rules)
    r.add_get("/admin/roles", roles)


async def to_home(request: web.Request) -> web.Response:
    raise web.HTTPFound("/admin/")
