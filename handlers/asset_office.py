"""The asset office in chat: the asset manager's queue (待发放), the hand-over (发放 #1031 /
办结 #1031) and anyone's stock question (笔记本还有几台, 在库查询).

    approved asset request ──"待发放"──► the list, oldest first, each with its command
                           ──"发放#1031"──► completed: items issued / transferred / disposed;
                                            the applicant (and a transfer's receiving head) told
"""

from __future__ import annotations

from handlers.asset_request import KIND_NAMES, what_of
from handlers.base import Ctx, Inbound, Message, Reply, Router
from handlers.common import notify_applicant, page_line, reply_link
from handlers.labels import status_name
from models.assets import (
    AssetKind,
    awaiting_hand_over,
    complete_asset_request,
    match_category,
    stock,
)
from models.errors import InvalidState, NotAllowed, NotFound
from models.org import Role
from models.sql import transaction
from nlp.types import Intent, Parse

router = Router("asset_office")

ONLY_MANAGER = "只有资产管理员可以办理发放和办结。您要领用资产，直接说要什么就行，例如“领两台笔记本电脑”。"
QUEUE_EMPTY = "目前没有待发放或待办结的资产申请。"
QUEUE = "待发放/待办结的资产申请（{n}条）：\n{lines}\n办完回复“发放#{no}”（调剂、处置回复“办结#{no}”）。"
QUEUE_LINE = "#{no} {kind} {what}｜{name}"
NOT_ASSET = "没有找到资产申请 #{no}，请核对一下编号。"
NOT_READY = "#{no} 目前{status}，不能发放或办结。"
HANDED = {
    AssetKind.REQUISITION: "已发放 #{no}：{tags}，登记在{name}名下。{told}",
    AssetKind.TRANSFER: "已办结调剂 #{no}：{tags} 转入{dept}。{told}",
    AssetKind.DISPOSAL: "已办结处置 #{no}：{tags} 已注销登记。{told}",
}
TO_APPLICANT = {
    AssetKind.REQUISITION: "您领用的资产 #{no} 已发放：{items}。请妥善保管，资产已登记在您名下。",
    AssetKind.TRANSFER: "您申请的资产调剂 #{no} 已办结：{items} 已转入{dept}。",
    AssetKind.DISPOSAL: "您申请的资产处置 #{no} 已办结：{items} 已报废注销。",
}
TO_RECEIVER = "【资产调入】#{no} {items} 已由{from_dept}调入{dept}，登记您为保管人。"
STOCK_NONE = "资产库里没有“{asset}”。回复“在库查询”看全部库存。"
STOCK_ONE = "{category}：在库可领{free}件{reserved}，在用{issued}件。"
STOCK_ALL = "在库情况：\n{lines}\n要领用直接说，例如“领两台笔记本电脑”。"
STOCK_EMPTY = "资产库里还没有登记物品。"


def _office(ctx: Ctx) -> bool:
    return bool({Role.ASSET_MANAGER, Role.ADMIN} & set(ctx.user.roles))


@router.intent(Intent.ASSET_QUEUE)
async def list_queue(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """The asset manager: "待发放" — approved requests waiting for the hand-over."""
    if not _office(ctx):
        return Reply(ONLY_MANAGER)
    waiting = await awaiting_hand_over()
    if not waiting:
        return Reply(QUEUE_EMPTY)
    lines = [QUEUE_LINE.format(no=r.no, kind=KIND_NAMES.get((r.details or {}).get("kind", ""), "领用"),
                               what=what_of(r.details or {}), name=r.applicant.name) for r in waiting]
    return Reply(QUEUE.format(n=len(waiting), lines="\n".join(lines), no=waiting[0].no))


@router.intent(Intent.ASSET_HANDOVER)
async def hand_over(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """The asset manager: "发放#1031" / "办结#1031" — the items move for good."""
    if not _office(ctx):
        return Reply(ONLY_MANAGER)
    no = int(parse.slots["request_no"])
    try:
        async with transaction():
            done = await complete_asset_request(no, ctx.user.user_id, ctx.now, str(ctx.channel))
            request, kind = done.request, done.kind
            d = request.details or {}
            items = "、".join(f"{a.tag} {a.name}" for a in done.assets)
            dept = str(d.get("to_department_name") or "")
            await notify_applicant(ctx.notifier, request, TO_APPLICANT[kind].format(
                no=no, items=items, dept=dept) + page_line(ctx.links, no), key=f"asset:done:{no}")
            told = [] if request.applicant.userid == ctx.user.user_id else [request.applicant.name]
            if kind is AssetKind.TRANSFER and (keeper := done.assets[0].keeper if done.assets else None):
                if keeper.userid != request.applicant.userid:
                    await ctx.notifier.notify(keeper.userid, Message.text(TO_RECEIVER.format(
                        no=no, items=items, from_dept=d.get("from_department_name") or d.get("where", ""),
                        dept=dept)),
                        key=f"asset:in:{no}:{keeper.userid}")
                    if keeper.userid != ctx.user.user_id:
                        told.append(f"{dept}的{keeper.name}")
    except NotFound:
        return Reply(NOT_ASSET.format(no=no))
    except NotAllowed:
        return Reply(ONLY_MANAGER)
    except InvalidState as e:
        return Reply(NOT_READY.format(no=no, status=status_name(e.request)))
    tags = "、".join(a.tag for a in done.assets)
    told_text = f"已通知{'和'.join(told)}。" if told else ""
    return Reply(HANDED[kind].format(no=no, tags=tags, name=request.applicant.name, dept=dept,
                                     told=told_text) + reply_link(ctx, no))


@router.intent(Intent.ASSET_STOCK)
async def stock_question(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """Anyone: "笔记本还有几台" (one category) or "在库查询" (all)."""
    said = str(parse.slots.get("asset") or "")
    if said:
        category = await match_category(said)
        lines = await stock(category) if category else []
        if not lines:
            return Reply(STOCK_NONE.format(asset=said))
        x = lines[0]
        reserved = f"（另有{x.reserved}件已被申请预留）" if x.reserved else ""
        return Reply(STOCK_ONE.format(category=x.category, free=x.in_stock, reserved=reserved,
                                      issued=x.issued))
    lines = await stock()
    if not lines:
        return Reply(STOCK_EMPTY)
    text = "\n".join(f"{x.category}：可领{x.in_stock}" + (f"（预留{x.reserved}）" if x.reserved else "")
                     + f"，在用{x.issued}" for x in lines)
    return Reply(STOCK_ALL.format(lines=text))

