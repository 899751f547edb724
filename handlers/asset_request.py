"""Asset requests (资产领用 / 调剂 / 处置): the applicant's dialogue and the use case the chat
and the /m/ form share; the asset office's commands are handlers/asset_office.py.

```mermaid
flowchart LR
    A["领两台笔记本电脑"] --> B{kind? asset? quantity? where? / item? to whom? / why?}
    B -- missing --> Q[ask one question] --> B
    B -- all there --> C["确认？"] -- 确认 --> D[pending #1031: items reserved, dept head told]
    D -- 同意 … --> E[approved: 待发放, asset managers told]
    E -- "发放#1031" --> F[completed: issued / transferred / disposed]
    D & E -- reject / 取消 --> G[items back in stock]
```

A requisition takes items of a category out of stock (any of them: the first tags); a
transfer (调剂) and a disposal (处置) name one item, by its tag number or by what it is and
where it stands. Items are reserved on submit (models/assets.py).
"""

from __future__ import annotations

import re
from typing import Any

from handlers.base import Ctx, Inbound, Message, Reply, Router
from handlers.common import notify_approver
from handlers.forms import CONFIRM, Draft, Problem, Submitted
from handlers.labels import role_name
from models.assets import (
    MAX_QUANTITY,
    Asset,
    AssetKind,
    AssetState,
    AssetUnavailable,
    OutOfStock,
    create_asset_request,
    department_name,
    department_names,
    find_department,
    find_issued,
    get_asset,
    in_stock,
    match_category,
    stock,
)
from models.errors import NoApprover, RequestError
from models.org import RequestType, Role, User, approval_rule, split_rule_role, users_with_role
from models.requests import NewRequest, Request, ordered_steps
from models.sql import transaction
from nlp.types import Intent, Parse

router = Router("asset_request")

FLOW = str(Intent.ASSET_REQUEST)
REQUIRED = ("asset", "quantity", "location")  # a requisition's; see `required_for`
KIND_NAMES = {AssetKind.REQUISITION: "领用", AssetKind.TRANSFER: "调剂", AssetKind.DISPOSAL: "处置"}
STATE_NAMES = {AssetState.IN_STOCK: "在库", AssetState.ISSUED: "在用",
               AssetState.TRANSFERRING: "调剂中", AssetState.DISPOSED: "已处置"}
TAG_RE = re.compile(r"[A-Za-z]{1,4}-?\d{2,4}-\d{2,6}(?:-\d{1,4})?")

ASK = {
    "asset": "好的，帮您办理资产领用。请问要领什么？例如“笔记本电脑”“办公椅”。",
    "quantity": "需要几件？例如“2台”。",
    "location": "放在哪里使用？例如“3号楼502室”。",
    "tag": "请告诉我资产编号（资产标签上的编号），例如“A-2019-0032”。",
    "to_department": "调给哪个部门？例如“财务处”。",
    "reason": "请说一下处置原因，例如“已到使用年限，无法修复”。",
}
SUMMARY = "请确认资产{kind}：\n{lines}\n审批：{chain}\n回复“确认”提交，或说“算了”取消。"
CONFIRM_AGAIN = "还没有提交。回复“确认”提交，或说“算了”取消。"
NOT_IN_REGISTER = "资产库里没有“{asset}”。目前可以领用的有：{names}。"
NOTHING_IN_STOCK = "资产库里暂时没有可以领用的物品，请联系资产管理处。"
OUT_OF_STOCK = "{category}目前已无库存（{reserved}件已被其他申请预留）。可以换一种，或联系资产管理处采购。"
SHORT = "{category}目前在库只有{n}件，最多可以领{n}件。"
REPLY_QUANTITY = "请回复要领的数量。"
TOO_MANY = "一次最多领用{n}件；更多请联系资产管理处走采购。"
NO_SUCH_TAG = "没有找到资产编号 {tag}，请核对资产标签上的编号。"
WHICH_ONE = "找到{n}件{asset}，请说明是哪一件：\n{lines}"
REPLY_TAG = "\n请回复要{kind}的资产编号。"
NONE_THERE = "没有找到{where}的{asset}。请告诉我资产编号（资产标签上的编号）。"
ITEM_GONE = "{tag}（{name}）已{state}，不能再{kind}。"
ITEM_HELD = "{tag}（{name}）已在另一条申请中办理，请等它办完。"
NOT_IN_USE = "{tag}（{name}）目前在库未领用，不需要调剂；要用请直接说“领一台{category}”。"
NOT_YOUR_DEPT = "{tag}（{name}）登记在{dept}名下，只能由{dept}申请{kind}。"
SAME_DEPT = "{tag}已经在{dept}名下，不用调剂。"
NO_DEPT = "没有找到部门“{said}”，请说部门全称，例如“财务处”。"
ONE_AT_A_TIME = "调剂和处置按件办理，请一件一件申请（说资产编号最准确）。"
NO_APPROVER = "暂时没有可以审批的{role}，申请没有提交。请联系局办公室。"
REFUSED = "这条申请没能提交，请稍后再试，或联系资产管理处。"
TAKEN = "刚刚有人先申请了：{why}"
SUBMITTED = "已提交资产{kind} #{no}：{what}。{held}等待{approver}审批，审批后资产管理员会联系您。"
SUBMITTED_NO_STEP = "已提交资产{kind} #{no}：{what}。{held}资产管理员会尽快办理。"
HELD = "已为您预留 {tags}。"
TO_MANAGER = "【待{cmd}】资产{kind} #{no}：{what}，申请人{name}，已审批通过。办完请回复“{cmd}#{no}”。"
HAND_OVER_YOURSELF = "请您{cmd}：办完回复“{cmd}#{no}”。"
MAX_LENGTH = {"location": 60, "reason": 200, "asset": 20}
TOO_LONG = "{what}太长了，请控制在{n}个字以内。"


def required_for(kind: str) -> tuple[str, ...]:
    if kind == AssetKind.TRANSFER:
        return ("asset", "to_department")
    if kind == AssetKind.DISPOSAL:
        return ("asset", "reason")
    return REQUIRED


# ---------------------------------------------------------------------------------------
# The dialogue


@router.intent(Intent.ASSET_REQUEST)
async def request_asset(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """The user asks for, moves or writes off an asset (or answers a question of the flow)."""
    draft = Draft.from_state(ctx.state, FLOW)
    if draft.awaiting == CONFIRM and parse.words.yes:
        return await confirm_asset(draft, ctx)
    changed = absorb(draft, msg.text, parse)
    if draft.awaiting == CONFIRM and not changed:
        return Reply(CONFIRM_AGAIN, state=draft.to_state())
    draft.answered(changed)
    return await next_question(draft, ctx)


def absorb(draft: Draft, text: str, parse: Parse) -> bool:
    """Take what this message says into the draft; True when something was taken."""
    s, before, text = draft.slots, dict(draft.slots), text.strip()
    extra = parse.extra or {}
    if extra.get("asset_kind") and "kind" not in s:
        s["kind"] = extra["asset_kind"]
    for slot in ("asset", "quantity", "location"):
        if parse.slots.get(slot):
            s[slot] = parse.slots[slot]
    if extra.get("tag"):
        s["tag"] = extra["tag"]
    if extra.get("to_department"):
        s["to_department"] = extra["to_department"]
    if parse.slots.get("purpose"):
        s["reason"] = parse.slots["purpose"]
    awaiting = draft.awaiting
    if awaiting == "quantity" and "quantity" not in parse.slots and text.isdigit():
        s["quantity"] = int(text)
    elif awaiting == "tag" and (m := TAG_RE.search(text)):
        s["tag"] = m.group(0).upper()
    elif awaiting in ("location", "to_department", "reason", "asset") and text and s == before \
            and not parse.words.yes and len(text) <= MAX_LENGTH.get(awaiting, 60):
        # the answer to the question, as said (not when the message said something else:
        # "放到2号楼201室" asked what to take is a place, "确认" no thing at all)
        s[awaiting] = text
    if s.get("asset") != before.get("asset"):
        s.pop("category", None)
    return s != before


async def next_question(draft: Draft, ctx: Ctx, lead: str = "") -> Reply:
    """Ask for the first missing slot, or check the request and read it back."""
    problem = await check_asset(draft.slots, ctx)
    if problem is not None:
        draft.awaiting = problem.awaiting
        return draft.nudged(Reply(lead + problem.message, state=draft.to_state()))
    draft.awaiting = CONFIRM
    return Reply(lead + await summary(draft.slots, ctx), state=draft.to_state())


async def summary(s: dict[str, Any], ctx: Ctx) -> str:
    kind = AssetKind(s.get("kind") or AssetKind.REQUISITION)
    return SUMMARY.format(kind=KIND_NAMES[kind], lines="\n".join(read_back(s)),
                          chain=" → ".join(await chain_of(kind)) or "无需审批")


async def chain_of(kind: AssetKind) -> list[str]:
    """Who approves a request of `kind`, in the chat's words (the kind's rule in force)."""
    chain = []
    for entry in await approval_rule(RequestType.ASSET_REQUEST, str(kind)):
        role, dept = split_rule_role(entry)
        chain.append(f"{await department_name(dept)}负责人" if dept is not None else role_name(role))
    return chain


def read_back(s: dict[str, Any]) -> list[str]:
    kind = s.get("kind") or AssetKind.REQUISITION
    if kind == AssetKind.REQUISITION:
        return [f"物品：{s['category']} × {s['quantity']}（在库{s.get('available', '')}件）",
                f"使用地点：{s['location']}"]
    lines = [f"资产：{s['tag']} {s.get('item_name', '')}（{s.get('item_where', '')}）"]
    if kind == AssetKind.TRANSFER:
        lines.append(f"调给：{s['to_department_name']}")
    else:
        lines.append(f"原因：{s['reason']}")
    return lines


def _ask(slot: str) -> Problem:
    return Problem(ask=ASK[slot].removeprefix("好的，帮您办理资产领用。"), field=slot, awaiting=slot)


async def check_asset(s: dict[str, Any], ctx: Ctx) -> Problem | None:
    """What stops the request as it stands (the first missing slot, a rule it breaks),
    or None; fills in what it finds (the category, the item, the department)."""
    kind = str(s.get("kind") or AssetKind.REQUISITION)
    if kind not in set(AssetKind):
        kind = s["kind"] = AssetKind.REQUISITION
    for slot, limit in MAX_LENGTH.items():
        if s.get(slot) and len(str(s[slot])) > limit:
            return Problem(text=TOO_LONG.format(what=ASK[slot][:2], n=limit), field=slot,
                           awaiting=slot)
    if kind == AssetKind.REQUISITION:
        return await _check_requisition(s, ctx)
    return await _check_item(s, AssetKind(kind), ctx)


async def _check_requisition(s: dict[str, Any], ctx: Ctx) -> Problem | None:
    if not s.get("asset"):
        return Problem(ask=ASK["asset"], field="asset", awaiting="asset")
    category = s.get("category") or await match_category(str(s["asset"]))
    if category is None:
        lines = [f"{x.category}（{x.in_stock}件）" for x in await stock() if x.in_stock]
        if not lines:
            return Problem(text=NOTHING_IN_STOCK, final=True)
        said = s.pop("asset")
        return Problem(text=NOT_IN_REGISTER.format(asset=said, names="、".join(lines)),
                       ask="请问要领哪一种？", field="asset", awaiting="asset")
    s["category"] = category
    available = await in_stock(category)
    s["available"] = available
    if available == 0:
        held = await stock(category)
        s.pop("asset", None)
        s.pop("category", None)
        return Problem(text=OUT_OF_STOCK.format(category=category,
                                                reserved=held[0].reserved if held else 0),
                       field="asset", awaiting="asset")
    quantity = s.get("quantity")
    if not isinstance(quantity, int) or quantity < 1:
        return _ask("quantity")
    if quantity > MAX_QUANTITY:
        s.pop("quantity")
        return Problem(text=TOO_MANY.format(n=MAX_QUANTITY), field="quantity", awaiting="quantity")
    if quantity > available:
        s.pop("quantity")
        return Problem(text=SHORT.format(category=category, n=available), hint=REPLY_QUANTITY,
                       field="quantity", awaiting="quantity")
    if not s.get("location"):
        return _ask("location")
    return None


async def _check_item(s: dict[str, Any], kind: AssetKind, ctx: Ctx) -> Problem | None:
    """A transfer or a disposal: the one item meant, then where it goes or why."""
    if isinstance(s.get("quantity"), int) and s["quantity"] > 1 and not s.get("tag"):
        return Problem(text=ONE_AT_A_TIME, ask=ASK["tag"], field="tag", awaiting="tag")
    item = await _the_item(s, kind)
    if isinstance(item, Problem):
        return item
    words = {"tag": item.tag, "name": item.name, "kind": KIND_NAMES[kind],
             "category": item.category}
    if item.state is AssetState.DISPOSED:
        s.pop("tag", None)
        return Problem(text=ITEM_GONE.format(state="处置", **words), field="tag", awaiting="tag")
    if item.held_by_id is not None:
        s.pop("tag", None)
        return Problem(text=ITEM_HELD.format(**words), field="tag", awaiting="tag", final=True)
    if kind is AssetKind.TRANSFER and item.state is AssetState.IN_STOCK:
        return Problem(text=NOT_IN_USE.format(**words), final=True)
    office = {Role.ASSET_MANAGER, Role.ADMIN} & set(ctx.user.roles)
    if item.department_id is not None and item.department_id != ctx.user.department_id \
            and not office:
        owner = await department_name(item.department_id)
        return Problem(text=NOT_YOUR_DEPT.format(dept=owner, **words), final=True)
    s.update(tag=item.tag, asset_id=item.id, item_name=item.name,
             item_dept=item.department.name if item.department else "",
             item_where=item.location + (f"，{item.department.name}" if item.department else ""))
    if kind is AssetKind.TRANSFER:
        if not s.get("to_department"):
            return _ask("to_department")
        dept = await find_department(str(s["to_department"]))
        if dept is None:
            said = s.pop("to_department")
            return Problem(text=NO_DEPT.format(said=said), field="to_department",
                           awaiting="to_department")
        if dept.id == item.department_id:
            s.pop("to_department")
            return Problem(text=SAME_DEPT.format(tag=item.tag, dept=dept.name),
                           ask=ASK["to_department"], field="to_department", awaiting="to_department")
        s.update(to_department_id=dept.id, to_department_name=dept.name)
    elif not s.get("reason"):
        return _ask("reason")
    return None


async def _the_item(s: dict[str, Any], kind: AssetKind) -> Asset | Problem:
    if s.get("tag"):
        item = await get_asset(str(s["tag"]))
        if item is None:
            tag = s.pop("tag")
            return Problem(text=NO_SUCH_TAG.format(tag=tag), field="tag", awaiting="tag")
        return item
    if not s.get("asset"):
        return _ask("tag")
    category = await match_category(str(s["asset"]))
    found = await find_issued(category, s.get("location")) if category else []
    found = [a for a in found if a.state is not AssetState.DISPOSED]
    if len(found) == 1:
        return found[0]
    if not found:
        where = s.get("location") or "登记"
        return Problem(text=NONE_THERE.format(where=where, asset=s["asset"]), field="tag",
                       awaiting="tag")
    lines = "\n".join(f"{a.tag} {a.name}（{a.location}）" for a in found[:6])
    return Problem(text=WHICH_ONE.format(n=len(found), asset=s["asset"], lines=lines),
                   hint=REPLY_TAG.format(kind=KIND_NAMES[kind]), field="tag", awaiting="tag")


async def confirm_asset(draft: Draft, ctx: Ctx) -> Reply:
    """"确认": submit what the summary showed."""
    result = await submit_asset(draft.slots, ctx)
    if isinstance(result, Problem):
        if result.final:
            return Reply(result.message, state={})
        draft.awaiting = result.awaiting
        return Reply(result.message, state=draft.to_state())
    return Reply(result.chat_text(ctx.links), state={})


async def submit_asset(slots: dict[str, Any], ctx: Ctx) -> Submitted | Problem:
    """Check, then create the request with its reservation and tell the first approver,
    in one transaction (chat and the /m/ form)."""
    s = dict(slots)
    problem = await check_asset(s, ctx)
    if problem is not None:
        slots.clear()
        slots.update(s)
        return problem
    kind = AssetKind(s.get("kind") or AssetKind.REQUISITION)
    try:
        async with transaction():
            request = await create_from_slots(s, ctx)
            steps = ordered_steps(request)
            if steps:
                await notify_approver(ctx.notifier, request, steps[0], ctx.user.name, ctx.tz,
                                      links=ctx.links)
            else:  # no approval step: straight to the asset office
                await tell_managers(request, ctx)
    except OutOfStock as e:
        return Problem(text=TAKEN.format(why=SHORT.format(category=e.category, n=e.available)
                                         if e.available else OUT_OF_STOCK.format(
                                             category=e.category, reserved="全部")),
                       field="quantity", awaiting="quantity", taken=True, final=not e.available)
    except AssetUnavailable as e:
        return Problem(text=TAKEN.format(why=ITEM_HELD.format(tag=e.asset.tag, name=e.asset.name)),
                       taken=True, final=True)
    except NoApprover as e:
        return Problem(text=NO_APPROVER.format(role=role_name(e.role)), final=True)
    except RequestError:
        return Problem(text=REFUSED, final=True)
    tags = list((request.details or {}).get("tags") or [])
    what = what_of(request.details or {})
    template = SUBMITTED if steps else SUBMITTED_NO_STEP
    return Submitted(template.format(
        kind=KIND_NAMES[kind], no=request.no, what=what,
        held=HELD.format(tags="、".join(tags)) if kind is AssetKind.REQUISITION else "",
        approver=steps[0].approver.name if steps else ""), (request.no,))


def request_details(s: dict[str, Any]) -> dict[str, Any]:
    """The request's details from checked slots (`check_asset` passed)."""
    kind = AssetKind(s.get("kind") or AssetKind.REQUISITION)
    details: dict[str, Any] = {"kind": str(kind), "asset": str(s.get("asset") or s.get("category"))}
    if kind is AssetKind.REQUISITION:
        details |= {"category": s["category"], "quantity": int(s["quantity"]),
                    "location": str(s["location"]).strip()}
    else:
        details |= {"tag": s["tag"], "name": s.get("item_name", ""), "where": s.get("item_where", ""),
                    "from_department_name": s.get("item_dept", "")}
        if kind is AssetKind.TRANSFER:
            details |= {"to_department": s["to_department_id"],
                        "to_department_name": s["to_department_name"]}
        else:
            details["reason"] = str(s["reason"]).strip()
    return details


async def create_from_slots(s: dict[str, Any], ctx: Ctx, bundle_id: int | None = None) -> Request:
    """The request and its reservation from checked slots, inside the caller's transaction
    (OutOfStock, AssetUnavailable, NoApprover as `create_asset_request` raises them)."""
    kind = AssetKind(s.get("kind") or AssetKind.REQUISITION)
    item = await get_asset(s["tag"]) if kind is not AssetKind.REQUISITION else None
    return await create_asset_request(
        NewRequest(type=RequestType.ASSET_REQUEST, applicant=ctx.user.user_id,
                   details=request_details(s), bundle_id=bundle_id), kind, ctx.now, str(ctx.channel),
        category=s.get("category"), quantity=int(s.get("quantity") or 1), asset=item)


def what_of(d: dict[str, Any]) -> str:
    """One request's what, as every message says it."""
    kind = d.get("kind") or AssetKind.REQUISITION
    if kind == AssetKind.REQUISITION:
        where = f"，送到{d['location']}" if d.get("location") else ""
        return f"{d.get('category') or d.get('asset', '')} × {d.get('quantity', 1)}{where}"
    name = f"{d.get('tag', '')} {d.get('name', '')}".strip()
    if kind == AssetKind.TRANSFER:
        return f"{name} 调给{d.get('to_department_name', '')}"
    return f"{name} 报废处置"


async def form_choices() -> dict[str, Any]:
    """What the /m/ form offers: the kinds, the categories with what is in stock, the
    departments a transfer may go to."""
    lines = await stock()
    return {
        "kinds": [(str(k), n) for k, n in KIND_NAMES.items()],
        "categories": [(x.category, f"{x.category}（可领{x.in_stock}件）") for x in lines if x.in_stock],
        "departments": [(d, d) for d in await department_names()],
    }


def command_word(request: Request) -> str:
    """What the asset manager replies when it is done: 发放 a requisition, 办结 the others."""
    kind = (request.details or {}).get("kind") or AssetKind.REQUISITION
    return "发放" if kind == AssetKind.REQUISITION else "办结"


async def managers() -> list[User]:
    """Who hands over: the asset managers, else the admins."""
    return await users_with_role(Role.ASSET_MANAGER) or await users_with_role(Role.ADMIN)


async def tell_managers(request: Request, ctx: Ctx) -> list[str]:
    """An approved request, for the asset managers to hand over (inside its transaction)."""
    kind = AssetKind((request.details or {}).get("kind") or AssetKind.REQUISITION)
    text = TO_MANAGER.format(kind=KIND_NAMES[kind], no=request.no, what=what_of(request.details or {}),
                             name=request.applicant.name, cmd=command_word(request))
    told = []
    for m in await managers():
        if m.userid == ctx.user.user_id:
            continue  # the asset manager who approved it: the reply tells him (approver_next)
        await ctx.notifier.notify(m.userid, Message.text(text), key=f"asset:ready:{request.no}:{m.userid}")
        if m.userid != request.applicant.userid:  # named once, as the applicant told
            told.append(f"资产管理员{m.name}")
    return told


async def hand_over_yourself(request: Request, ctx: Ctx) -> str:
    """What the approver who is an asset manager (or, with none, an admin) is told to do
    next: hand it over himself."""
    if ctx.user.user_id not in {m.userid for m in await managers()}:
        return ""
    return HAND_OVER_YOURSELF.format(cmd=command_word(request), no=request.no)
