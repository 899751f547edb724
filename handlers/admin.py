"""The admin pages' use cases (issue 17 item 5): read a form, check it (every problem
beside its field, in Chinese), save through models/admin.py (one transaction with the
audit record, channel `web`), then `reference_changed()` so that the next request sees it.

A bad form changes nothing. The organisation file seeds the first start; from the first
edit here on, the database is that row's truth (models.org.AdminEdit: neither `seed` nor
`sync` writes over it; `seed FILE --replace-edits` does, when the bureau wants).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from handlers.admin_forms import Field, form_values, read_form
from handlers.asset_request import KIND_NAMES
from handlers.labels import FACILITY_TYPE_NAMES, ROLE_NAMES, TYPE_NAMES, role_name
from handlers.reference import reference_changed
from models import admin as store
from models.admin import AdminRefused
from models.assets import AssetKind
from models.org import DEFAULT_RULES, FacilityType, RequestType, Role
from models.seed_check import RULE_KINDS

MAX_STEPS = 4
FIX_BELOW = "没有保存：请按标出的提示修改。"
NOTHING_CHANGED = "没有改动。"
SAVED = "已保存{what}：{changes}"
ADDED = "已添加{what}。"

REFUSALS = {
    "unknown_user": "{userid} 不在人员名单中或已停用。",
    "lacks_role": "{name}没有“{role_name}”角色：请先在“角色授权”中授予，再指派。",
    "taken": "{value} 已经登记过了，请直接修改那一项。",
    "gone": "这一项已不存在，请返回列表刷新。",
    "twice": "“{role_name}”不能在同一审批流程中出现两次。",
    "nobody_holds": "目前没有人担任“{role_name}”，这类申请将无人审批：请先在“角色授权”中授予。",
    "none": "至少保留一个角色（一般工作人员选“职员”）。",
    "still_driving": "{name}仍是 {plates} 的司机：请先在“车辆”中换司机，再取消司机角色。",
    "last_admin": "{name}是最后一位管理员，不能取消（否则无人能管理本系统）。",
    "no_department": "没有编号为 {value} 的部门，请从列表中选择。",
    "no_head": "该部门（编号 {value}）及其上级目前没有部门负责人，这一步将无人审批：请先在“角色授权”中授予。",
    "last_holder": "{name}是唯一的“{role_name}”，{services}的审批需要这个角色：请先授予别人。",
}
INHERITED = "沿用“{name}”的流程"
HOURS_ORDER = "开放结束须晚于开放开始。"
STEP_GAP = "请从第1步起依次填写，中间不要留空。"

PLATE = r"[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}"
VEHICLE_FIELDS: tuple[Field, ...] = (
    Field("plate", "车牌号", pattern=PLATE, hint="例如 沪A12345，新能源车 沪AD12345。",
          fixed=True, max_length=16),
    Field("model", "车型", max_length=64),
    Field("seats", "座位数", kind="int", low=1, high=99),
    Field("driver", "司机", kind="choice", required=False),
    Field("in_service", "在用（可派车）", kind="bool"),
    # The fleet office's dates and readings (handlers/fleet.py reminds before each).
    Field("odometer", "当前里程（公里）", kind="int", required=False, low=0, high=2_000_000),
    Field("maintenance_due_on", "下次保养日期", kind="date", required=False),
    Field("maintenance_due_km", "下次保养里程（公里）", kind="int", required=False, low=0, high=2_000_000),
    Field("maintenance_every_km", "保养间隔（公里）", kind="int", required=False, low=500, high=100_000),
    Field("maintenance_every_months", "保养间隔（月）", kind="int", required=False, low=1, high=36),
    Field("insurance_compulsory_until", "交强险到期", kind="date", required=False),
    Field("insurance_commercial_until", "商业险到期", kind="date", required=False),
    Field("inspection_due_on", "年检到期", kind="date", required=False),
)
FACILITY_FIELDS: tuple[Field, ...] = (
    Field("id", "编号", pattern=r"(?!new$)[a-z0-9][a-z0-9-]{0,31}", fixed=True, max_length=32,
          hint="小写字母、数字和“-”，例如 mr-301。"),
    Field("name", "名称", max_length=64),
    Field("type", "类型", kind="choice"),
    Field("building", "楼宇", max_length=64),
    Field("floor", "楼层", required=False, max_length=16),
    Field("capacity", "容纳人数", kind="int", low=1, high=100_000),
    Field("equipment", "设备", kind="list", required=False, max_length=20),
    Field("manager", "管理人", kind="choice", required=False),
    Field("open_from", "开放开始", kind="time"),
    Field("open_to", "开放结束", kind="time"),
    Field("needs_approval", "预约需要审批", kind="bool"),
    Field("active", "开放预约", kind="bool"),
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a save did: `ok` and the message, or the problems by field (nothing saved)."""

    ok: bool
    message: str
    problems: Mapping[str, str] = field(default_factory=dict)
    key: str = ""


def _refused(e: AdminRefused) -> Outcome:
    params = dict(e.params)
    if "role" in params:
        params["role_name"] = role_name(str(params["role"]))
    if "types" in params:
        names = dict(rule_keys())
        params["services"] = "、".join(f"“{names.get(t, t)}”" for t in params["types"])
    return Outcome(False, FIX_BELOW, {e.field: REFUSALS[e.code].format(**params)})


async def _names() -> dict[str, str]:
    return {u.userid: u.name for u in await store.all_users()}


async def saved_outcome(
    save: Awaitable[Mapping[str, list[Any]]], *, key: str, what: str, adding: bool,
    fields: Sequence[Field], choices: Mapping[str, list[tuple[str, str]]],
    refused: Callable[[AdminRefused], Outcome] | None = None,
    shown: Callable[[Mapping[str, list[Any]]], Mapping[str, list[Any]]] | None = None,
    reference: bool = True,
) -> Outcome:
    """The outcome of a form's save, alike for every row the admin edits: refused (the
    message beside its field), nothing changed, added, or what changed (old → new); cached
    reference data forgotten after a change when `reference`."""
    try:
        changes = await save
    except AdminRefused as e:
        return (refused or _refused)(e)
    if not changes:
        return Outcome(True, NOTHING_CHANGED, key=key)
    if reference:
        reference_changed()
    if adding:
        return Outcome(True, ADDED.format(what=what), key=key)
    text = _describe(fields, shown(changes) if shown else changes, await _names(), choices)
    return Outcome(True, SAVED.format(what=what, changes=text), key=key)


def _describe(fields: Sequence[Field], changes: Mapping[str, list[Any]],
              names: Mapping[str, str], choices: Mapping[str, Sequence[tuple[str, str]]]) -> str:
    """`座位数 7 → 9；司机 赵师傅 → 刘师傅` in the form's words."""
    labels = {f.name: f for f in fields}
    out = []
    for column, (old, new) in changes.items():
        f = labels.get(column)
        if f is None:
            continue
        out.append(f"{f.label} {_shown(f, old, names, choices)} → {_shown(f, new, names, choices)}")
    return "；".join(out)


def _shown(f: Field, value: Any, names: Mapping[str, str],
           choices: Mapping[str, Sequence[tuple[str, str]]]) -> str:
    if value is None or value == "" or value == []:
        return "（无）"
    if f.kind == "bool":
        return "是" if value else "否"
    if f.kind == "list":
        return "、".join(map(str, value))
    if f.kind == "choice":
        label = dict(choices.get(f.name, ())).get(str(value))
        return label or names.get(str(value), str(value))
    return str(value)


# ---------------------------------------------------------------------------------------
# Vehicles and drivers


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a list page: its key, the cells, whether it is in use."""

    key: str
    cells: tuple[str, ...]
    on: bool = True


async def vehicle_choices() -> dict[str, list[tuple[str, str]]]:
    drivers = (await store.role_holders()).get(str(Role.DRIVER), [])
    return {"driver": [(u.userid, u.name) for u in drivers]}


async def vehicle_rows() -> list[Row]:
    return [Row(v.plate, (v.plate, v.model, f"{v.seats}座",
                          v.driver.name if v.driver else "（未指派）",
                          "在用" if v.in_service else "停用"), v.in_service)
            for v in await store.all_vehicles()]


async def vehicle_values(plate: str) -> dict[str, str] | None:
    vehicle = await store.find_vehicle(plate)
    if vehicle is None:
        return None
    values = form_values(VEHICLE_FIELDS, vehicle)
    values["driver"] = vehicle.driver.userid if vehicle.driver else ""
    return values


async def save_vehicle(plate: str | None, form: Mapping[str, str], actor: str,
                       now: datetime) -> Outcome:
    """Add (`plate` None) or change a vehicle from the form."""
    form = {**form, "plate": form.get("plate", "").strip().upper()}
    choices = await vehicle_choices()
    values, problems = read_form(VEHICLE_FIELDS, form, choices, adding=plate is None)
    if problems:
        return Outcome(False, FIX_BELOW, problems)
    key = plate or str(values["plate"])
    return await saved_outcome(store.save_vehicle(plate, values, actor, now), key=key,
                               what=f"车辆 {key}", adding=plate is None,
                               fields=VEHICLE_FIELDS, choices=choices)


async def driver_rows() -> list[Row]:
    """Everyone holding the driver role, with the vehicles they drive."""
    rows = []
    for u in await store.all_users():
        if not u.has_role(Role.DRIVER):
            continue
        plates = "、".join(sorted(v.plate for v in u.vehicles if v.in_service)) or "（无）"
        rows.append(Row(u.userid, (u.name, u.department.name, plates,
                                   "在职" if u.active else "已停用"), u.active))
    return rows


async def not_drivers() -> list[tuple[str, str]]:
    """Active people without the driver role (who may be made one)."""
    return [(u.userid, f"{u.name}（{u.department.name}）") for u in await store.all_users()
            if u.active and not u.has_role(Role.DRIVER)]


async def add_driver(userid: str, actor: str, now: datetime) -> Outcome:
    """Give an active member the driver role (the roles page takes it away)."""
    user = next((u for u in await store.all_users() if u.userid == userid and u.active), None)
    if user is None:
        return Outcome(False, FIX_BELOW, {"userid": "请选择一位在职人员。"})
    return await save_roles(userid, [*map(str, user.roles), str(Role.DRIVER)], actor, now)


# ---------------------------------------------------------------------------------------
# Facilities


async def facility_choices() -> dict[str, list[tuple[str, str]]]:
    users = [u for u in await store.all_users() if u.active]
    return {"type": [(str(t), FACILITY_TYPE_NAMES[t]) for t in FacilityType],
            "manager": [(u.userid, f"{u.name}（{u.department.name}）") for u in users]}


async def facility_rows() -> list[Row]:
    return [Row(f.id, (f.name, FACILITY_TYPE_NAMES.get(f.type, str(f.type)),
                       f.building + (f" {f.floor}" if f.floor else ""), f"{f.capacity}人",
                       "、".join(f.equipment) or "—", f.manager.name if f.manager else "—",
                       "需审批" if f.needs_approval else "直接预约",
                       "开放" if f.active else "停用"), f.active)
            for f in await store.all_facilities()]


async def facility_values(facility_id: str) -> dict[str, str] | None:
    facility = await store.find_facility(facility_id)
    if facility is None:
        return None
    values = form_values(FACILITY_FIELDS, facility)
    values["type"] = str(facility.type)
    values["manager"] = facility.manager.userid if facility.manager else ""
    return values


async def save_facility(facility_id: str | None, form: Mapping[str, str], actor: str,
                        now: datetime) -> Outcome:
    """Add (`facility_id` None) or change a facility from the form."""
    choices = await facility_choices()
    values, problems = read_form(FACILITY_FIELDS, form, choices, adding=facility_id is None)
    opens, closes = values.get("open_from"), values.get("open_to")
    if opens and closes and opens >= closes:
        problems.setdefault("open_to", HOURS_ORDER)
    if problems:
        return Outcome(False, FIX_BELOW, problems)
    values["type"] = FacilityType(values["type"])
    return await saved_outcome(store.save_facility(facility_id, values, actor, now),
                               key=facility_id or str(values["id"]), what=f"场地“{values['name']}”",
                               adding=facility_id is None, fields=FACILITY_FIELDS, choices=choices)


# ---------------------------------------------------------------------------------------
# Approval rules


def role_choices() -> list[tuple[str, str]]:
    return [(str(r), ROLE_NAMES.get(r, str(r))) for r in Role]


def request_types() -> list[tuple[str, str]]:
    """The services whose approval the pages set: (type, Chinese name)."""
    return [(str(t), TYPE_NAMES.get(t, str(t))) for t in RequestType]


def rule_keys() -> list[tuple[str, str]]:
    """Every rule the pages set, (key, Chinese name): each service, and after it each of
    its kinds that may have a rule of its own ("asset_request.disposal", "资产·处置")."""
    out: list[tuple[str, str]] = []
    for t, name in request_types():
        out.append((t, name))
        out += [(f"{t}.{k}", f"{name}·{KIND_NAMES[AssetKind(k)]}") for k in RULE_KINDS.get(t, ())]
    return out


def _type_of(key: str) -> str:
    return key.partition(".")[0]


async def rule_choices() -> list[tuple[str, str]]:
    """What a step may be: a role, or the head of one named department (`dept_head@13`,
    "资产管理处负责人": the bureau's asset office instead of the applicant's)."""
    heads = [(f"{Role.DEPT_HEAD}@{i}", f"{name}负责人") for i, name in await store.departments()]
    return role_choices() + heads


async def chain_text(chain: Sequence[str] | None) -> str:
    """A rule in words: "部门负责人 → 资产管理员 → 资产管理处负责人" ("无需审批")."""
    names = dict(await rule_choices())
    return " → ".join(names.get(e, role_name(e)) for e in chain or []) or "无需审批"


async def rule_rows() -> list[Row]:
    rules = {**DEFAULT_RULES, **await store.all_rules()}
    names = dict(request_types())
    rows = []
    for key, name in rule_keys():
        if "." in key and key not in rules:
            text = INHERITED.format(name=names[_type_of(key)])
        else:
            text = await chain_text(rules.get(key, []))
        rows.append(Row(key, (name, text)))
    return rows


async def rule_values(key: str) -> dict[str, str] | None:
    if key not in dict(rule_keys()):
        return None
    rules = await store.all_rules()
    chain = rules.get(key, [] if "." in key else DEFAULT_RULES.get(key, []))
    return {f"step{i + 1}": chain[i] if i < len(chain) else "" for i in range(MAX_STEPS)}


async def save_rule(key: str, form: Mapping[str, str], actor: str, now: datetime) -> Outcome:
    """Set a rule's approval steps (`step1` … `step4`; all empty: no approval — for a kind,
    no rule of its own: its service's rule applies)."""
    known = {v for v, _ in await rule_choices()}
    steps = [form.get(f"step{i + 1}", "").strip() for i in range(MAX_STEPS)]
    problems = {f"step{i + 1}": "请从列表中选择角色。" for i, s in enumerate(steps)
                if s and s not in known}
    last = max((i for i, s in enumerate(steps) if s), default=-1)
    for i in range(last):
        if not steps[i]:
            problems.setdefault(f"step{i + 1}", STEP_GAP)
    if problems:
        return Outcome(False, FIX_BELOW, problems)
    chain: list[str] | None = [s for s in steps if s]
    if not chain and "." in key:
        chain = None  # the kind follows its service's rule again
    try:
        changes = await store.save_rule(key, chain, actor, now)
    except AdminRefused as e:
        return _refused(e)
    if not changes:
        return Outcome(True, NOTHING_CHANGED, key=key)
    reference_changed()
    old, new = changes["roles"]
    service = dict(request_types())[_type_of(key)]
    text = await chain_text(new) if new is not None else INHERITED.format(name=service)
    was = await chain_text(old) if old is not None else INHERITED.format(name=service)
    return Outcome(True, SAVED.format(what=f"“{dict(rule_keys())[key]}”的审批流程",
                                      changes=f"{was} 改为 {text}"), key=key)


# ---------------------------------------------------------------------------------------
# Role grants


def _role_names(roles: Sequence[str]) -> str:
    """Role names in the roles' own order (职员 first), 、-separated."""
    order = [str(r) for r in Role]
    return "、".join(role_name(r) for r in sorted(roles, key=lambda r: (r not in order,
                                                                        order.index(r) if r in order else 0, r)))


async def role_rows(role: str = "") -> list[Row]:
    """Everyone (or the holders of `role`) with their roles."""
    return [Row(u.userid, (u.name, u.userid, u.department.name,
                           _role_names(u.role_list) or "—",
                           "在职" if u.active else "已停用"), u.active)
            for u in await store.all_users() if not role or role in u.role_list]


async def roles_of(userid: str) -> tuple[str, list[str]] | None:
    """(name, roles) of one person; None when unknown."""
    user = next((u for u in await store.all_users() if u.userid == userid), None)
    return None if user is None else (user.name, user.role_list)


async def save_roles(userid: str, roles: Sequence[str], actor: str, now: datetime) -> Outcome:
    """Grant and revoke so that `userid` holds exactly `roles`."""
    known = {v for v, _ in role_choices()}
    if any(r not in known for r in roles):
        return Outcome(False, FIX_BELOW, {"roles": "请从列表中勾选角色。"})
    try:
        changes = await store.set_roles(userid, set(roles), actor, now)
    except AdminRefused as e:
        return _refused(e)
    if not changes:
        return Outcome(True, NOTHING_CHANGED, key=userid)
    reference_changed()
    old, new = changes["roles"]
    name = (await _names()).get(userid, userid)
    text = f"{_role_names(old) or '（无）'} → {_role_names(new)}"
    return Outcome(True, SAVED.format(what=f"{name}的角色", changes=text), key=userid)
