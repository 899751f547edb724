"""资产 (领用 / 调剂 / 处置) as a service: what the generic modules say about an asset request
(its flow is handlers/asset_request.py, the asset office's commands
handlers/asset_office.py, the register and its rules models/assets.py). Approved, it waits
for the asset manager's hand-over (待发放); done, it is 已办结."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from handlers import asset_request as flow
from handlers.base import Ctx, Message
from handlers.demo_history import DemoDay, at, decide_all
from handlers.registry import DemoHistory, Facts, Form, Service, WebForm
from models.assets import (
    AssetKind,
    OutOfStock,
    categories,
    complete_asset_request,
    create_asset_request,
    in_stock,
)
from models.decisions import cancel
from models.errors import RequestError
from models.org import RequestType, Role, User, users_with_role
from models.requests import NewRequest, Request, RequestStatus
from nlp.types import Intent

TO_MANAGER_CANCELLED = "【资产申请取消】{name}已取消 {what}，预留的资产已退回库存，无需发放。"
URGE_TO_MANAGER = "【催办】{name}催办资产{kind} #{no}（{what}），已审批通过{waited}，请尽快办理：回复“{cmd}#{no}”。"
NO_LATEST = "您还没有资产申请。要领用直接说，例如“领两台笔记本电脑”。"


def _kind(request: Request) -> AssetKind:
    return AssetKind((request.details or {}).get("kind") or AssetKind.REQUISITION)


def _cmd(request: Request) -> str:
    return flow.command_word(request)


def describe(request: Request, tz: ZoneInfo) -> list[str]:
    return [flow.KIND_NAMES[_kind(request)], flow.what_of(request.details or {})]


def facts(request: Request, tz: ZoneInfo) -> Facts:
    d = request.details or {}
    kind = _kind(request)
    rows = [("事项", f"资产{flow.KIND_NAMES[kind]}")]
    if kind is AssetKind.REQUISITION:
        rows += [("物品", f"{d.get('category', '')} × {d.get('quantity', 1)}"),
                 ("使用地点", str(d.get("location") or ""))]
    else:
        rows.append(("资产", f"{d.get('tag', '')} {d.get('name', '')}"))
        rows.append(("现在", str(d.get("where") or "")))
        if kind is AssetKind.TRANSFER:
            rows.append(("调给", str(d.get("to_department_name") or "")))
        else:
            rows.append(("原因", str(d.get("reason") or "")))
    if d.get("tags") and kind is AssetKind.REQUISITION:
        rows.append(("预留编号", "、".join(d["tags"])))
    return rows


def page_facts(request: Request) -> list[str]:
    tags = (request.details or {}).get("tags") or []
    return [f"资产编号：{'、'.join(tags)}"] if tags else []


def waits_for(request: Request) -> str:
    if request.status is RequestStatus.APPROVED:
        return f"等待资产管理员{_cmd(request)}"
    return ""


def approved_notice(request: Request, tz: ZoneInfo) -> str:
    kind = flow.KIND_NAMES[_kind(request)]
    return (f"您的资产{kind} #{request.no}（{flow.what_of(request.details or {})}）已审批通过 ✅\n"
            f"资产管理员{_cmd(request)}后会通知您。")


async def on_approved(request: Request, ctx: Ctx) -> list[str]:
    """Approved: the asset managers hand it over."""
    return await flow.tell_managers(request, ctx)


async def on_cancelled(request: Request, ctx: Ctx, what: str, approver_told: bool) -> list[str]:
    """Cancelled once approved (no approver waited): the asset managers were told to hand
    it over."""
    if approver_told:
        return []
    told = []
    for m in await flow.managers():
        if m.userid == ctx.user.user_id:
            continue  # an asset manager withdrawing his own request: no news to him
        await ctx.notifier.notify(m.userid, Message.text(TO_MANAGER_CANCELLED.format(
            name=request.applicant.name, what=what)), key=f"asset:cancelled:{request.no}:{m.userid}")
        told.append(f"资产管理员{m.name}")
    return told


async def urged(request: Request, ctx: Ctx, waited: str) -> tuple[list[User], str]:
    """催办 of an approved request waiting for its hand-over: the asset managers."""
    text = URGE_TO_MANAGER.format(name=ctx.user.name, kind=flow.KIND_NAMES[_kind(request)],
                                  no=request.no, what=flow.what_of(request.details or {}),
                                  waited=waited, cmd=_cmd(request))
    return await flow.managers(), text


# ---------------------------------------------------------------------------------------
# The demo's month of requisitions


def demo_per_day(rng: random.Random, weekend: bool, future: bool) -> int:
    return 0 if weekend or future else rng.choice((0, 0, 1))


async def demo_requisition(d: DemoDay) -> int:
    """One requisition of the day: reserved, decided, mostly handed over."""
    rng, cast, day, now, tz = d.rng, d.cast, d.day, d.now, d.tz
    made = at(day, rng.choice((9, 10, 11, 14, 15.5)), tz)
    if made >= now - timedelta(hours=6):
        return 0
    cats = [c for c in await categories() if await in_stock(c) > 2]
    managers = await users_with_role(Role.ASSET_MANAGER)
    if not cats or not managers:
        return 0
    category = rng.choice(cats)
    who = rng.choice(cast.applicants)
    try:
        request = await create_asset_request(
            NewRequest(type=RequestType.ASSET_REQUEST, applicant=who.userid,
                       details={"kind": "requisition", "asset": category, "category": category,
                                "quantity": 1, "location": f"{rng.choice(('1号楼', '2号楼', '3号楼'))}"
                                                          f"{rng.randint(2, 6)}0{rng.randint(1, 9)}室"}),
            AssetKind.REQUISITION, made, "wecom", category=category, quantity=1)
    except (OutOfStock, RequestError):
        return 0
    if rng.random() < 0.08:
        await cancel(request.no, who.userid, made + timedelta(hours=1), "wecom")
        return 1
    approved, last = await decide_all(rng, request.no, made, now - timedelta(hours=2))
    if approved and rng.random() < 0.85:
        await complete_asset_request(request.no, managers[0].userid, last + timedelta(hours=2),
                                     "wecom")
    return 1


SERVICE = Service(
    type=RequestType.ASSET_REQUEST,
    intent=Intent.ASSET_REQUEST,
    name="资产",
    icon="🗄️",
    help_line="资产领用：如“领两台笔记本电脑”“把3号楼502的投影仪调给财务处”",
    color="#7a5cc2",
    approval_rule=RequestType.ASSET_REQUEST.value,
    form=Form(required=flow.REQUIRED, questions=flow.ASK, summary=flow.SUMMARY,
              submit=flow.submit_asset,
              web=WebForm("asset", "资产申请", field_of_slot={"asset": "category"})),
    describe=describe,
    facts=facts,
    page_facts=page_facts,
    status_words={RequestStatus.APPROVED: "待发放", RequestStatus.COMPLETED: "已办结"},
    seen_by_roles=frozenset({Role.ASSET_MANAGER}),
    waits_for=waits_for,
    latest_words=re.compile(r"领用|领的|资产|调剂|报废|处置"),
    no_latest=NO_LATEST,
    freed_on_cancel="预留的资产已退回库存",
    started_contact=lambda request: "资产管理员",
    on_cancelled=on_cancelled,
    freed_on_reject="预留的资产已退回库存。",
    approved_notice=approved_notice,
    on_approved=on_approved,
    approver_next=flow.hand_over_yourself,
    urged=urged,
    demo=DemoHistory(demo_per_day, demo_requisition),
)
