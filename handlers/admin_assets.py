"""The admin pages' asset register (issue 17 item 5): list it (by category, state and
department, a hundred a page), add an item, edit one, add a delivery of stock at once
(N items, tags numbered as the organisation file's `quantity` numbers them). Read and
checked as handlers/admin.py does (every problem beside its field, in Chinese, nothing
saved), written by models/admin_assets.py with its audit records and AdminEdit marks.

An item is written off only through a disposal request (its approval rule), and moved
between departments only through a transfer: the form offers 在库 and 在用 alone, and an
item a request holds, under transfer or disposed is not edited here (the message says
which request has it). No cache holds the register (every asset request and the
dashboard read it from the database), so nothing is forgotten after a save.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from handlers.admin import FIX_BELOW, Outcome, Row, saved_outcome
from handlers.admin_forms import Field, read_form, show
from handlers.asset_request import STATE_NAMES
from models import admin as org_store
from models import admin_assets as store
from models.admin import AdminRefused
from models.assets import AssetState

MAX_BATCH = 200
TAG = r"(?!(?:new|bulk)$)[A-Za-z0-9][A-Za-z0-9._-]{0,31}"
TAG_HINT = "字母、数字、“-”或“.”，例如 A-2024-01-013。添加后不能修改。"

ASSET_FIELDS: tuple[Field, ...] = (
    Field("tag", "资产编号", pattern=TAG, hint=TAG_HINT, fixed=True, max_length=32),
    Field("category", "类别", max_length=32, hint="例如 笔记本电脑、办公椅、投影仪。"),
    Field("name", "名称型号", max_length=64),
    Field("location", "存放地点", max_length=64),
    Field("value", "原值（元）", kind="money", high=999_999_999),
    Field("department", "使用部门", kind="choice", required=False),
    Field("keeper", "保管人", kind="choice", required=False),
    Field("state", "状态", kind="choice"),
)
BATCH_FIELDS: tuple[Field, ...] = (
    Field("category", "类别", max_length=32, hint="例如 笔记本电脑、办公椅、投影仪。"),
    Field("name", "名称型号", max_length=64),
    Field("location", "存放地点", max_length=64),
    Field("value", "每件原值（元）", kind="money", high=999_999_999),
    Field("department", "归口部门", kind="choice", required=False),
    Field("quantity", "数量", kind="int", low=1, high=MAX_BATCH),
    Field("prefix", "编号前缀", pattern=r"[A-Za-z0-9][A-Za-z0-9._-]{0,27}", max_length=28,
          hint="例如 A-2024-01：编号为 A-2024-01-001 起，已有的接着往后编。"),
)

REFUSALS = {
    "taken": "{value} 已经登记过了，请直接修改那一项。",
    "gone": "这一项已不存在，请返回列表刷新。",
    "unknown_user": "{userid} 不在人员名单中或已停用。",
    "held": "这件资产已被申请 #{no} 占用，办结或退回之前不能在这里修改。",
    "was_transferring": "这件资产正在调剂中，只能由调剂申请办结或退回。",
    "was_disposed": "这件资产已处置（核销），不能再修改。",
    "not_by_hand": "状态只能选“在库”或“在用”：调剂、处置（报废、核销）请通过资产申请办理，经审批后由资产管理员办结。",
    "too_long": "编号 {value} 超过32个字符，请缩短前缀。",
    "in_use_needs_department": "“在用”的资产请选择使用部门。",
}
STATE_CHOICES = [(str(s), STATE_NAMES[s]) for s in (AssetState.IN_STOCK, AssetState.ISSUED)]


def _refused(e: AdminRefused) -> Outcome:
    return Outcome(False, FIX_BELOW, {e.field: REFUSALS[e.code].format(**e.params)})


def _yuan(value: Any) -> str:
    return f"{value:,.2f}"


async def asset_choices() -> dict[str, list[tuple[str, str]]]:
    users = [u for u in await org_store.all_users() if u.active]
    return {"department": [(str(i), n) for i, n in await store.all_departments()],
            "keeper": [(u.userid, f"{u.name}（{u.department.name}）") for u in users],
            "state": STATE_CHOICES}


async def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The list's filters: categories in the register, every state, the departments."""
    return {"category": [(c, c) for c in await store.all_categories()],
            "state": [(str(s), STATE_NAMES[s]) for s in AssetState],
            "department": [(str(i), n) for i, n in await store.all_departments()]}


async def asset_rows(category: str, state: str, department: str,
                     page: int) -> tuple[list[Row], int]:
    """(the page's rows, how many match) — unknown filter values are ignored."""
    state = state if state in {str(s) for s in AssetState} else ""
    dept = int(department) if department.isdigit() else None
    found = await store.asset_page(category=category, state=state, department_id=dept,
                                   page=page)
    rows = []
    for a in found.items:
        status = STATE_NAMES.get(a.state, str(a.state))
        if a.held_by_id is not None:
            status += f"（#{a.held_by_id} 占用）"
        rows.append(Row(a.tag, (a.tag, a.category, a.name, a.location, _yuan(a.value),
                                a.department.name if a.department else "—",
                                a.keeper.name if a.keeper else "—", status),
                        a.state is not AssetState.DISPOSED))
    return rows, found.total


async def asset_values(tag: str) -> dict[str, str] | None:
    asset = await store.find_asset(tag)
    if asset is None:
        return None
    values = {f.name: show(f, getattr(asset, f.name, None)) for f in ASSET_FIELDS
              if f.name not in ("department", "keeper", "state")}
    values["department"] = str(asset.department_id or "")
    values["keeper"] = asset.keeper.userid if asset.keeper else ""
    values["state"] = str(asset.state)
    return values


def _read(fields: tuple[Field, ...], form: Mapping[str, str],
          choices: Mapping[str, list[tuple[str, str]]],
          adding: bool) -> tuple[dict[str, Any], dict[str, str]]:
    values, problems = read_form(fields, form, choices, adding=adding)
    state = form.get("state", "").strip()
    if state in (AssetState.TRANSFERRING, AssetState.DISPOSED):
        problems["state"] = REFUSALS["not_by_hand"]
    elif values.get("state") == AssetState.ISSUED and not values.get("department") \
            and "department" not in problems:
        problems["department"] = REFUSALS["in_use_needs_department"]
    if values.get("department"):
        values["department"] = int(values["department"])
    return values, problems


async def save_asset(tag: str | None, form: Mapping[str, str], actor: str,
                     now: datetime) -> Outcome:
    """Add (`tag` None) or change an item of the register from the form."""
    choices = await asset_choices()
    values, problems = _read(ASSET_FIELDS, form, choices, adding=tag is None)
    if problems:
        return Outcome(False, FIX_BELOW, problems)
    key = tag or str(values["tag"])
    return await saved_outcome(
        store.save_asset(tag, values, actor, now), key=key, what=f"资产 {key}（{values['name']}）",
        adding=tag is None, fields=ASSET_FIELDS, choices=choices, refused=_refused,
        shown=lambda changes: {k: [str(v) if k == "department" and v is not None else v
                                   for v in pair] for k, pair in changes.items()},
        reference=False)  # no cache holds the register


async def add_stock(form: Mapping[str, str], actor: str, now: datetime) -> Outcome:
    """Add a delivery of stock: N items alike, their tags numbered from the prefix."""
    choices = await asset_choices()
    values, problems = _read(BATCH_FIELDS, form, choices, adding=True)
    if problems:
        return Outcome(False, FIX_BELOW, problems)
    quantity, prefix = int(values.pop("quantity")), str(values.pop("prefix"))
    try:
        tags = await store.add_stock(values, quantity, prefix, actor, now)
    except AdminRefused as e:
        return _refused(e)
    span = tags[0] if len(tags) == 1 else f"{tags[0]} 至 {tags[-1]}"
    return Outcome(True, f"已入库 {len(tags)} 件{values['category']}（{values['name']}），"
                         f"编号 {span}。", key=tags[0])
