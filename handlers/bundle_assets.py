"""The asset part of a bundle (一口受理): "订301会议室…，另外领两台笔记本电脑送到会议室" — the
things from the asset office beside a room or a car, asked, checked and created by the
asset service's own rules (handlers/asset_request.py: stock, reservation on submit, the
kind's approval rule), the rest of the bundle's flow (one confirm, one card where the first
approver is shared, status, cancel, feedback) as for the other parts.

Things said to go "to the meeting room" (or with no place at all) go to the room the bundle
books once it is known: "送到会议室" → "1号楼 301会议室".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from handlers import asset_request as flow
from handlers.base import Ctx
from handlers.forms import Draft, Problem
from models.assets import AssetKind
from models.requests import Request
from nlp.types import Intent, Parse

INTENT = Intent.ASSET_REQUEST.value
NEEDS_APPROVAL = "需审批"
NO_APPROVAL = "确认后资产管理员发放"
# The room of the bundle meant as the place: a kind of room said bare, or there.
_THE_ROOM = re.compile(r"^(?:会议室|会场|礼堂|报告厅|接待室|会客室|贵宾室|包间|那里|那儿|这里|现场|会上)$")


@dataclass
class AssetChecked:
    """An asset part that may be submitted: its checked slots and its approval chain."""

    slots: dict[str, Any]
    chain: list[str]

    @property
    def kind(self) -> AssetKind:
        return AssetKind(self.slots.get("kind") or AssetKind.REQUISITION)


def is_asset(part: dict[str, Any]) -> bool:
    return bool(part["intent"] == INTENT)


def label(part: dict[str, Any]) -> str:
    """What the user calls the part: the thing (笔记本电脑), else 资产领用."""
    s = part["slots"]
    kind = AssetKind(s.get("kind") or AssetKind.REQUISITION)
    return str(s.get("category") or s.get("asset") or f"资产{flow.KIND_NAMES[kind]}")


def part_of(p: Parse) -> dict[str, Any]:
    """A part of the draft from its NLU reading, as the asset flow takes a message."""
    draft = Draft(INTENT)
    flow.absorb(draft, p.context.get("text", ""), p)
    return {"intent": INTENT, "slots": draft.slots, "daypart": ""}


def read_answer(part: dict[str, Any], reading: Parse, text: str) -> dict[str, Any]:
    """The slots an answer gives the part ("3台", "送到2号楼201"), as the asset flow reads an
    answer to the question it asked."""
    draft = Draft(INTENT, dict(part["slots"]), part.get("awaiting"))
    flow.absorb(draft, text, reading)
    new = {k: v for k, v in draft.slots.items() if part["slots"].get(k) != v}
    if "location" in new:
        new["at_room"] = None  # a place said for the things: no longer the bundle's room
    return new


def room_place(checked: list[Any]) -> str | None:
    """The place of the first room the bundle books ("1号楼 301会议室"), None without one."""
    for c in checked:
        room = getattr(c, "room", None)
        if room is not None:
            return f"{room.building} {room.name}".strip()
    return None


async def check(part: dict[str, Any], checked_before: list[Any], ctx: Ctx) -> AssetChecked | Problem:
    """The part checked by the asset service; its place taken from the bundle's room when
    it names none or names the room by its kind ("送到会议室")."""
    s = part["slots"]
    kind = AssetKind(s.get("kind") or AssetKind.REQUISITION)
    place = room_place(checked_before)
    if kind is AssetKind.REQUISITION and place and (
            s.get("at_room") or not s.get("location") or _THE_ROOM.match(str(s["location"]))):
        s.update(location=place, at_room=True)  # follows the room if the room is changed
    problem = await flow.check_asset(s, ctx)
    if problem is not None:
        return problem
    return AssetChecked(dict(s), await flow.chain_of(kind))


def summary_line(mark: str, c: AssetChecked) -> str:
    """"②资产领用：笔记本电脑 × 2（在库12件），送到1号楼 301会议室；需审批"."""
    s = c.slots
    kind = flow.KIND_NAMES[c.kind]
    if c.kind is AssetKind.REQUISITION:
        what = f"{s['category']} × {s['quantity']}（在库{s.get('available', '')}件），送到{s['location']}"
    else:
        what = "；".join(flow.read_back(s))
    approval = f"{NEEDS_APPROVAL}（{' → '.join(c.chain)}）" if c.chain else NO_APPROVAL
    return f"{mark}资产{kind}：{what}；{approval}"


async def create(c: AssetChecked, bundle_id: int, ctx: Ctx) -> Request:
    """The part's request and its reservation, inside the bundle's transaction."""
    return await flow.create_from_slots(dict(c.slots), ctx, bundle_id=bundle_id)


def card_line(request: Request) -> str:
    """The part in a card's ~26 characters: "领用 笔记本电脑 × 2，送到…"."""
    d = request.details or {}
    kind = AssetKind(d.get("kind") or AssetKind.REQUISITION)
    return f"{flow.KIND_NAMES[kind]} {flow.what_of(d)}"
