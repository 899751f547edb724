"""A bundle's creation (一口受理): "确认" writes the bundle and its parts in one transaction
(each part by its service's own model function: holds, steps, reservations, audit) and
tells the first approvers in it — an approver who comes first in several parts gets ONE
card for them (handlers/bundle_after.py decides it).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from handlers import asset_request, bundle_assets
from handlers.base import Ctx, Message
from handlers.bundle_assets import AssetChecked
from handlers.common import (
    APPROVE_BUTTON,
    CARD_SOURCE,
    REJECT_BUTTON,
    describe,
    fmt_day,
    notify_approver,
    reply_link,
)
from handlers.facility_reservation import Checked as RoomChecked
from handlers.registry import service_for
from handlers.vehicle_booking import Checked as CarChecked
from models.bundles import Bundle, lead_no, new_bundle
from models.org import RequestType
from models.requests import ApprovalStep, NewRequest, Request, create_request, current_step
from models.sql import transaction

CIRCLED = "①②③④⑤⑥"

SUBMITTED = "已提交一站式申请 #{lead}（共{n}项），各项分别由主管部门办理：\n{lines}\n进度回复“#{lead} 到哪了”；全部取消回复“取消#{lead}”。"
PART_PENDING = "等待{who}审批"
PART_APPROVED = "已订上"
TOGETHER = "（{who}一并审批{marks}）"
TO_APPROVER = (
    "【待您审批】{name}的一站式申请 #{lead}，其中{n}项等您审批：\n{lines}\n{note}"
    "回复“同意{lead}”一并通过，或“驳回{lead}，理由：…”；也可以逐项回复“同意+编号”。"
)
CARD_TITLE = "一站式申请待您审批 #{lead}"
CARD_TITLE_DONE = "一站式申请 #{lead} {result}（{who}）"
CARD_DESC = "{name}提交，{n}项等您审批"
CARD_HINT = "“同意”“驳回”对这{n}项一并生效；要逐项审批或写驳回理由，回复“同意+编号”或“驳回{lead}，理由：…”。"




async def submit_bundle(state: dict[str, Any], checked: list[CarChecked | RoomChecked | AssetChecked],
                        ctx: Ctx) -> str:
    """The bundle and its parts in one transaction (raises the models' Conflict when a
    part is taken meanwhile: then nothing is written), the first approvers told in it."""
    me = ctx.user.user_id
    created: list[Request] = []
    async with transaction():
        bundle = await new_bundle(me, state.get("note") or "", ctx.now)
        for c in checked:
            if isinstance(c, CarChecked):
                v = c.vehicle
                assert v.driver is not None
                new = NewRequest(type=RequestType.VEHICLE_BOOKING, applicant=me, start=c.start,
                                 end=c.end, vehicle_id=v.id, driver=v.driver.userid,
                                 details=c.details, bundle_id=bundle.id)
                created.append(await create_request(new, ctx.now, str(ctx.channel), vehicle=v))
            elif isinstance(c, AssetChecked):
                created.append(await bundle_assets.create(c, bundle.id, ctx))
            else:
                start, end = c.windows[0]
                new = NewRequest(type=RequestType.FACILITY_RESERVATION, applicant=me, start=start,
                                 end=end, facility_id=c.room.id, details={"attendees": c.attendees},
                                 bundle_id=bundle.id)
                created.append(await create_request(new, ctx.now, str(ctx.channel)))
        groups = await tell_first_approvers(bundle, created, ctx)
        for p in created:  # an asset part needing no approval goes to the asset office at once
            if p.type is RequestType.ASSET_REQUEST and current_step(p) is None:
                await asset_request.tell_managers(p, ctx)
    return submitted_text(created, groups, ctx)


def first_steps(parts: list[Request]) -> dict[str, list[tuple[Request, ApprovalStep]]]:
    """The parts waiting for a first decision, by that approver's userid (in part order)."""
    groups: dict[str, list[tuple[Request, ApprovalStep]]] = {}
    for p in parts:
        step = current_step(p)
        if step is not None:
            groups.setdefault(step.approver.userid, []).append((p, step))
    return groups


async def tell_first_approvers(bundle: Bundle, parts: list[Request], ctx: Ctx) -> dict[str, list[Request]]:
    """Each first approver told once: the usual card for one part, one bundle card (or
    message) for several; returns the parts by approver name."""
    lead = lead_no(parts)
    out: dict[str, list[Request]] = {}
    for userid, pairs in first_steps(parts).items():
        name = pairs[0][1].approver.name
        out[name] = [p for p, _ in pairs]
        if len(pairs) == 1:
            request, step = pairs[0]
            await notify_approver(ctx.notifier, request, step, ctx.user.name, ctx.tz, links=ctx.links)
            continue
        await ctx.notifier.notify(userid, bundle_message(bundle, lead, pairs, ctx),
                                  key=f"approve:bundle:{bundle.id}:{pairs[0][1].id}")
    return out


def bundle_message(bundle: Bundle, lead: int, pairs: list[tuple[Request, ApprovalStep]], ctx: Ctx,
                   *, result: str | None = None, note: str | None = None) -> Message:
    """The approver's one message for their parts of a bundle: a 同意/驳回 card when this
    channel has pages, else text with the chat commands."""
    tz = ctx.tz
    lines = [f"{CIRCLED[i]} {describe(p, tz)}" for i, (p, _) in enumerate(pairs)]
    applicant = pairs[0][0].applicant.name
    url = ctx.links.page_url("/m/pending")
    if not url:
        note_line = f"事由：{bundle.note}\n" if bundle.note else ""
        return Message.text(TO_APPROVER.format(name=applicant, lead=lead, n=len(pairs),
                                               lines="\n".join(lines), note=note_line))
    step_id = pairs[0][1].id
    facts = ([{"keyname": "事由", "value": bundle.note[:26]}] if bundle.note else [])
    days = {p.start.astimezone(tz).date() for p, _ in pairs if p.start is not None}
    one_day = len(days) == 1  # the timed parts' one day, said once (an asset part has none)
    if one_day:
        first = next(p.start for p, _ in pairs if p.start is not None)
        facts.append({"keyname": "日期", "value": fmt_day(first, tz)})
    facts += [{"keyname": f"#{p.no}", "value": _clip(card_line(p, tz, with_day=not one_day), 26)}
              for p, _ in pairs]
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "source": {"desc": CARD_SOURCE},
        "main_title": {"title": CARD_TITLE.format(lead=lead) if result is None else CARD_TITLE_DONE.format(
                           lead=lead, result=result, who=pairs[0][1].approver.name),
                       "desc": CARD_DESC.format(name=applicant, n=len(pairs))},
        "sub_title_text": note if note is not None else CARD_HINT.format(n=len(pairs), lead=lead),
        "horizontal_content_list": facts[:6],
        "task_id": f"bdl{lead}s{step_id}",
        "button_list": [
            {"text": APPROVE_BUTTON, "style": 1, "key": f"bundle:approve:{lead}:{step_id}"},
            {"text": REJECT_BUTTON, "style": 2, "key": f"bundle:reject:{lead}:{step_id}"},
        ],
        "card_action": {"type": 1, "url": url},
    }
    if result is not None:
        card["replace_text"] = result
    return Message("template_card", card)


def card_line(p: Request, tz: ZoneInfo, *, with_day: bool = True) -> str:
    """A part in the card's ~26 characters: "贵宾接待室 12/16 09:00-11:00 10人" (without the
    day when the card names it once)."""
    d = p.details or {}
    when = ""
    if p.start is not None and p.end is not None:
        s, e = p.start.astimezone(tz), p.end.astimezone(tz)
        when = (f"{s.month}/{s.day} " if with_day else "") + f"{s:%H:%M}-{e:%H:%M}"
    if p.type is RequestType.VEHICLE_BOOKING:
        plate = p.vehicle.plate if p.vehicle is not None else ""
        return f"用车 {when} →{d.get('destination', '')} {d.get('passengers', '')}人 {plate}".strip()
    if p.type is RequestType.ASSET_REQUEST:
        return bundle_assets.card_line(p)
    room = p.facility.name if p.facility is not None else ""
    return f"{room} {when} {d.get('attendees', '')}人".strip()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def submitted_text(created: list[Request], groups: dict[str, list[Request]], ctx: Ctx) -> str:
    lead = lead_no(created)
    lines = []
    for i, p in enumerate(created):
        step = current_step(p)
        waits = service_for(p.type).waits_for(p) if step is None else ""
        state = PART_PENDING.format(who=step.approver.name) if step is not None else waits or PART_APPROVED
        lines.append(f"{CIRCLED[i]} {describe(p, ctx.tz)}：{state}")
    for name, ps in groups.items():
        if len(ps) > 1:
            marks = "".join(CIRCLED[created.index(p)] for p in ps)
            lines.append(TOGETHER.format(who=name, marks=marks))
    return SUBMITTED.format(lead=lead, n=len(created), lines="\n".join(lines)) + reply_link(ctx, lead)


