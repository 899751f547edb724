"""The admin pages of the asset register (issue 17 item 5), as bot/web/admin.py builds
the others (the same sign-in, CSRF, list and form templates):

    GET  /admin/assets[?category=&state=&department=&page=]   the register, 100 a page
    GET|POST /admin/assets/new                                add an item
    GET|POST /admin/assets/bulk                               add a delivery of stock
    GET|POST /admin/assets/{tag}                              edit an item (tag fixed)

The use cases are in handlers/admin_assets.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from aiohttp import web

from bot.web.admin import (
    EditForm,
    admin_actor,
    edit_page,
    form_of,
    form_page,
    list_page,
    now_of,
    saved,
)
from handlers import admin_assets as assets
from handlers.admin_assets import ASSET_FIELDS, BATCH_FIELDS

ASSET_HEAD = ("资产编号", "类别", "名称型号", "存放地点", "原值（元）", "使用部门", "保管人", "状态")
PAGE_SIZE = 100


async def register(request: web.Request) -> web.Response:
    actor = await admin_actor(request)
    q = request.query
    chosen = {k: q.get(k, "").strip() for k in ("category", "state", "department")}
    page = int(q["page"]) if q.get("page", "").isdigit() and int(q["page"]) > 0 else 1
    rows, total = await assets.asset_rows(chosen["category"], chosen["state"],
                                          chosen["department"], page)
    pages = max(1, -(-total // PAGE_SIZE))
    query = urlencode({k: v for k, v in chosen.items() if v})
    return list_page(request, actor, title="资产", section="assets", head=ASSET_HEAD,
                     rows=rows, edit="/admin/assets/", template="admin/assets.html",
                     extra={"filters": await assets.filter_choices(), "chosen": chosen,
                            "total": total, "page": page, "pages": pages,
                            "query": f"{query}&" if query else ""})


ASSET_FORM = EditForm(
    "assets", "tag", ASSET_FIELDS, assets.asset_choices, assets.asset_values, assets.save_asset,
    "添加资产", lambda tag, _: f"资产 {tag}", defaults={"state": "in_stock", "location": "资产库房"})


async def asset_form(request: web.Request) -> web.Response:
    return await edit_page(request, ASSET_FORM)


async def bulk_form(request: web.Request) -> web.Response:
    actor = await admin_actor(request)
    choices = await assets.asset_choices()
    values: Mapping[str, str] = {"location": "资产库房", "quantity": "1"}
    outcome = None
    if request.method == "POST":
        values = await form_of(request, actor)
        outcome = await assets.add_stock(values, actor, now_of(request))
        if outcome.ok:
            raise saved(request, "/admin/assets", outcome)
    return form_page(request, actor, title="批量入库", section="assets", fields=BATCH_FIELDS,
                     values=values, choices=choices, adding=True, outcome=outcome)


def setup_admin_assets(app: web.Application) -> None:
    r = app.router
    r.add_get("/admin/assets", register)
    for method in ("GET", "POST"):
        r.add_route(method, "/admin/assets/new", asset_form)
        r.add_route(method, "/admin/assets/bulk", bulk_form)
        r.add_route(method, "/admin/assets/{tag}", asset_form)
