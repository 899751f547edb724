"""One window for several services (一口受理): "下周二上午有代表团来访，要一间能坐20人的接待室、
一辆7座车去接站、中午食堂包间10人" is one application of three parts, asked for part by
part in one dialogue, confirmed together, created in one transaction.

```mermaid
flowchart LR
    A[message of several services] --> B[parts from the NLU]
    B --> C{a part incomplete or not available?}
    C -- yes --> D["【接待室】几点开始？" / what is free instead]
    D -- answer --> C
    C -- no --> E[one summary of all parts + 确认?]
    E -- 确认 --> F{all parts still free?}
    F -- yes --> G[bundle + parts + holds, one transaction; approvers told]
    F -- no --> D
    E -- 用车改成8点 --> C
```

Each part is checked by its own service (`check_vehicle`, `check_facility`: the same
rules, questions and alternatives as a booking of that service alone) and created by the
service's model function `create_request` (its holds keep the no-double-booking
guarantee). Nothing is written before the user confirms the whole. Approvals, status,
cancel and the one feedback: handlers/bundle_after.py; creating the whole: handlers/bundle_submit.py;
the asset part: handlers/bundle_assets.py.

State: `{"flow": "service_bundle", "note": shared words, "parts": [{"intent", "slots",
"daypart", "awaiting"}], "current": index | None, "awaiting": "confirm" | None}`.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from handlers import bundle_assets, bundle_submit
from handlers.base import Ctx, Inbound, Reply, Router
from handlers.bundle_assets import AssetChecked
from handlers.common import fmt_window
from handlers.facility_reservation import Checked as RoomChecked
from handlers.facility_reservation import (
    check_facility,
    match_facility,
    room_said,
)
from handlers.forms import (
    CONFIRM,
    STILL_NEEDED,
    Problem,
    fill_end,
    merge_slots,
    moment,
    read_times,
)
from handlers.labels import FACILITY_TYPE_NAMES
from handlers.vehicle_booking import Checked as CarChecked
from handlers.vehicle_booking import check_vehicle
from models.assets import AssetUnavailable, OutOfStock
from models.errors import Conflict, NoApprover, RequestError
from models.org import FacilityType, active_facilities
from nlp.types import Intent, Parse

log = logging.getLogger("handlers.bundle")
router = Router("bundle")
FLOW = Intent.SERVICE_BUNDLE.value
CIRCLED = "①②③④⑤⑥"

START = "好的，这次一起办{n}件事：{labels}。"
ASK_PART = "【{label}】{question}"
SUMMARY_HEAD = "请确认这次一站式申请（共{n}项）：{note}"
SUMMARY_TAIL = ("回复“确认”一起提交；要改某一项，带上它的名字说，如“{example}改成10点”；"
                "不用了就说“算了”。")
NEEDS_APPROVAL = "需审批"
NO_APPROVAL = "确认即订上"
WHICH_PART = "要改哪一项？请带上名字说，比如“{example}改成10点”。回复“确认”提交，不用了就说“算了”。"
TAKEN_MEANWHILE = "刚才有一项被别人订走了，整份申请没有提交。\n"
NO_APPROVER = "暂时找不到能审批{label}的人（{role}），整份申请没有提交。请联系局办公室。"
REFUSED = "申请没有提交，请检查时间后再试，或联系局办公室。"
EVENING = ("下午", "傍晚", "晚上", "晚间", "今晚", "明晚")


def part_label(part: dict[str, Any]) -> str:
    """What the user calls the part: 用车, 接待室, 食堂包间, or the room named."""
    if part["intent"] == Intent.VEHICLE_BOOKING.value:
        return "用车"
    if bundle_assets.is_asset(part):
        return bundle_assets.label(part)
    slots = part["slots"]
    ftype = slots.get("facility_type")
    if slots.get("named") and slots.get("room_name"):
        return str(slots["room_name"])
    return FACILITY_TYPE_NAMES[FacilityType(ftype)] if ftype else "场地"


def _part_of(p: Parse, facilities: list[Any]) -> dict[str, Any]:
    """A part of the draft from its NLU reading: the service's own slot handling."""
    if p.intent is Intent.ASSET_REQUEST:
        return bundle_assets.part_of(p)
    text = p.context.get("text", "")
    slots = read_times({}, p, awaiting=None)
    if p.intent is Intent.VEHICLE_BOOKING:
        if (purpose := p.words.purpose) is not None:
            slots["purpose"] = purpose
        if p.words.seats:
            slots["seats"] = p.words.seats  # "一辆7座车": at least that many seats, whatever the head count
    else:
        _name_room(slots, slots.pop("facility", None) or room_said(text, p.words, facilities), facilities)
        slots.pop("repeat", None)  # a part is booked once; weekly repeats go one service at a time
        slots.pop("repeat_until", None)
    fill_end(slots)
    return {"intent": p.intent.value, "slots": slots, "daypart": p.context.get("daypart", "")}


def _name_room(slots: dict[str, Any], said: str | None, facilities: list[Any]) -> None:
    if not said:
        return
    room = match_facility(said, facilities)
    if room is not None:
        slots.update(facility_id=room.id, facility_type=str(room.type), named=True,
                     room_name=room.name)


@router.intent(Intent.SERVICE_BUNDLE)
async def take_bundle(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """Any message of the several-service dialogue: a new message of several services
    starts it; an answer fills the part asked about; “确认” submits the whole."""
    state = dict(ctx.state) if ctx.state.get("flow") == FLOW else {}
    if parse.plain is not None and parse.parts:  # a message of several services: a new bundle
        facilities = await active_facilities()
        parts = [_part_of(p, facilities) for p in parse.parts]
        note = parse.context.get("text", "")
        for part in parts:  # the shared words ("有代表团来访") are the car's 事由 unless it has its own
            if part["intent"] == Intent.VEHICLE_BOOKING.value and note and not part["slots"].get("purpose"):
                part["slots"]["purpose"] = note
        state = {"flow": FLOW, "note": note, "parts": parts, "current": None, "awaiting": None}
        labels = "、".join(f"{CIRCLED[i]}{part_label(x)}" for i, x in enumerate(parts))
        return await advance(state, ctx, START.format(n=len(parts), labels=labels) + "\n")
    if not state:
        return Reply("")
    if parse.words.yes and state.get("awaiting") == CONFIRM:
        return await confirm_bundle(state, ctx)
    index = _target(state, msg.text)
    if index is None:
        example = part_label(state["parts"][0])
        return Reply(WHICH_PART.format(example=example), state=state)
    part = state["parts"][index]
    reading = next((p for p in parse.parts if p.intent.value == part["intent"]), None)
    facilities = await active_facilities()
    new = _read_answer(part, reading, msg.text, facilities) if reading is not None else {}
    if not new:
        state["misses"] = int(state.get("misses") or 0) + 1
        reply = await advance(state, ctx)
        return Reply(reply.text + (STILL_NEEDED if state["misses"] >= 2 else ""), state=reply.state)
    state["misses"] = 0
    slots = {k: v for k, v in merge_slots(part["slots"], new).items() if v is not None}
    fill_end(slots)
    slots.pop("vehicle_id", None)
    if not slots.get("named"):
        slots.pop("facility_id", None)  # picked by type: pick again after a change
    part["slots"] = slots
    return await advance(state, ctx)


def _target(state: dict[str, Any], text: str) -> int | None:
    """The part an answer is for: the one named in it ("用车改成8点"), else the one asked about."""
    parts = state["parts"]
    named = [i for i, p in enumerate(parts) if part_label(p) in text
             or (p["intent"] == Intent.VEHICLE_BOOKING.value and re.search(r"车", text))]
    if len(named) == 1:
        return named[0]
    current = state.get("current")
    return int(current) if current is not None else None


def _read_answer(part: dict[str, Any], reading: Parse, text: str, facilities: list[Any]) -> dict[str, Any]:
    """The slots an answer gives its part, read as the part's service reads a follow-up;
    a bare clock time takes the part's part of day ("下午" + "3点到5点")."""
    if bundle_assets.is_asset(part):
        return bundle_assets.read_answer(part, reading, text)
    new = read_times(part["slots"], reading, awaiting=part.get("awaiting"))
    if part.get("daypart") in EVENING and not reading.words.part_of_day:
        for key in ("start", "end"):
            at = moment(new, key)
            if at is not None and at.hour < 12:
                new[key] = at + timedelta(hours=12)
    if part["intent"] == Intent.VEHICLE_BOOKING.value:
        if (purpose := reading.words.purpose) is not None:
            new["purpose"] = purpose
        elif part.get("awaiting") == "purpose" and not new and (answer := reading.words.answer):
            new["purpose"] = answer  # the 事由 asked for, said as it is ("接站")
    else:
        said = new.pop("facility", None) or room_said(text, reading.words, facilities)
        if said:
            new["said_room"] = said
        elif new.get("facility_type") and new["facility_type"] != part["slots"].get("facility_type"):
            new.update(named=None, facility_id=None, room_name=None)  # another kind of room
        else:
            new.pop("facility_type", None)
    return new


Checked = CarChecked | RoomChecked | AssetChecked


async def check_part(part: dict[str, Any], ctx: Ctx, before: list[Checked]) -> Checked | Problem:
    """The part checked by its own service: what it would get, or what to change (`before`:
    the parts checked ahead of it, whose room the asset part's things may go to)."""
    slots = part["slots"]
    if bundle_assets.is_asset(part):
        return await bundle_assets.check(part, before, ctx)
    if part["intent"] == Intent.VEHICLE_BOOKING.value:
        return await check_car(slots, ctx)
    said = slots.pop("said_room", None)
    if said:
        facilities = await active_facilities()
        room = match_facility(said, facilities)
        if room is None:
            return Problem(text=f"没有找到“{said}”。", ask="请换一个说，或说类型，如“接待室”。",
                           field="facility", awaiting="place")
        _name_room(slots, said, facilities)
    checked = await check_facility(slots, ctx)
    if isinstance(checked, RoomChecked) and not slots.get("named"):
        slots["room_name"] = checked.room.name
    return checked


async def check_car(slots: dict[str, Any], ctx: Ctx) -> CarChecked | Problem:
    """The vehicle service's check; a car of so many seats asked for ("7座车") is looked
    for as if that many rode, the request keeping the real head count."""
    seats, riders = slots.get("seats"), slots.get("passengers")
    if not (seats and riders and int(seats) > int(riders)):
        return await check_vehicle(slots, ctx)
    probe = dict(slots, passengers=int(seats))
    result = await check_vehicle(probe, ctx)
    for key in [k for k in slots if k not in probe and k != "passengers"]:
        slots.pop(key)  # what the service dropped as breaking a rule
    if "passengers" not in probe:  # no car has that many seats: ask for what can be had
        slots.pop("seats", None)
        return await check_vehicle(slots, ctx)
    if isinstance(result, CarChecked):
        result.details["passengers"] = int(riders)
    return result


async def advance(state: dict[str, Any], ctx: Ctx, prefix: str = "") -> Reply:
    """The first part with a question or a problem asks it; when none has, the summary."""
    checked: list[Checked] = []
    for i, part in enumerate(state["parts"]):
        result = await check_part(part, ctx, checked)
        if isinstance(result, Problem):
            part["awaiting"] = result.awaiting
            state.update(current=i, awaiting=None)
            question = _with_daypart(result.message, part.get("daypart", ""))
            return Reply(prefix + ASK_PART.format(label=part_label(part), question=question),
                         state=state)
        part["awaiting"] = None
        if isinstance(result, CarChecked):
            part["slots"]["vehicle_id"] = result.vehicle.id  # the one the summary shows
        checked.append(result)
    state.update(current=None, awaiting=CONFIRM)
    return Reply(prefix + summary_text(state, checked, ctx), state=state)


def _with_daypart(question: str, daypart: str) -> str:
    """"12月1日(周二)几点开始？" → "12月1日(周二)上午几点开始？" when the message said 上午."""
    if not daypart or daypart in question:
        return question
    return re.sub(r"\)几点", f"){daypart}几点", question, count=1)


def summary_text(state: dict[str, Any], checked: list[Checked], ctx: Ctx) -> str:
    tz = ctx.tz
    note = state.get("note") or ""
    lines = [SUMMARY_HEAD.format(n=len(checked), note=f"\n事由：{note}" if note else "")]
    for i, c in enumerate(checked):
        mark = CIRCLED[i]
        if isinstance(c, CarChecked):
            d, v = c.details, c.vehicle
            driver = f"，{v.driver.name}" if v.driver else ""
            purpose = f"，事由：{d['purpose']}" if d["purpose"] and d["purpose"] != note else ""
            lines.append(f"{mark}用车：{fmt_window(c.start, c.end, tz)}，{d['origin']}→{d['destination']}，"
                         f"{d['passengers']}人{purpose}；{v.plate} {v.model}（{v.seats}座{driver}）；"
                         f"{NEEDS_APPROVAL}")
        elif isinstance(c, AssetChecked):
            lines.append(bundle_assets.summary_line(mark, c))
        else:
            start, end = c.windows[0]
            room = c.room
            lines.append(f"{mark}{FACILITY_TYPE_NAMES[FacilityType(room.type)]}：{room.name}"
                         f"（{room.building}，可容纳{room.capacity}人）{fmt_window(start, end, tz)}，"
                         f"{c.attendees}人；{NEEDS_APPROVAL if room.needs_approval else NO_APPROVAL}")
    lines.append(SUMMARY_TAIL.format(example=part_label(state["parts"][0])))
    return "\n".join(lines)


async def confirm_bundle(state: dict[str, Any], ctx: Ctx) -> Reply:
    """“确认”: every part checked again and created in one transaction, or none; a part
    taken meanwhile is asked about again with what its service offers instead."""
    checked: list[Checked] = []
    for i, part in enumerate(state["parts"]):
        shown = part["slots"].get("vehicle_id")
        result = await check_part(part, ctx, checked)
        if isinstance(result, Problem) and bundle_assets.is_asset(part):
            # the stock went meanwhile: say so as its check said it (what is left)
            part["awaiting"] = result.awaiting
            state.update(current=i, awaiting=None)
            return Reply(TAKEN_MEANWHILE + ASK_PART.format(label=part_label(part), question=result.message),
                         state=state)
        if isinstance(result, Problem) or (
                isinstance(result, CarChecked) and shown not in (None, result.vehicle.id)):
            # what the summary showed is no longer to be had: show the parts again
            return await advance(state, ctx, TAKEN_MEANWHILE)
        if isinstance(result, CarChecked):
            part["slots"]["vehicle_id"] = result.vehicle.id
        checked.append(result)
    try:
        text = await bundle_submit.submit_bundle(state, checked, ctx)
    except (Conflict, OutOfStock, AssetUnavailable):  # a room, a car or the stock taken meanwhile
        for part in state["parts"]:
            part["slots"].pop("vehicle_id", None)
            if not part["slots"].get("named"):
                part["slots"].pop("facility_id", None)
        return await advance(state, ctx, TAKEN_MEANWHILE)
    except NoApprover as e:
        return Reply(NO_APPROVER.format(label="其中一项", role=e.role), state={})
    except RequestError:
        log.warning("bundle refused", exc_info=True, extra={"user": ctx.user.user_id})
        return Reply(REFUSED, state={})
    return Reply(text, state={})

