"""Facility reservation (会议室、礼堂、接待室、健身房、食堂包间): which place (by name or
by type), when, how many — then a free room that is open and big enough is proposed, and
"确认" books it: at once, or pending the facility admin when the room needs approval.

```mermaid
flowchart LR
    A[message] --> B[merge slots, find the named room]
    B --> C{invalid / unknown room?}
    C -- yes --> D[say what to change]
    C -- no --> E{a slot missing?}
    E -- yes --> F[ask for it]
    E -- no --> G{open, big enough, free?}
    G -- no --> H[other rooms / next free window / clashing dates]
    G -- yes --> I[summary + 确认?]
    I -- 确认 --> J[requests + holds; admin told if needed]
    I -- 改成四点 --> B
    D & F & H --> A
```

Weekly repeats ("每周一上午九点例会，到一月底") book every occurrence or none, in one
transaction, with a shared `series`; the dates that clash are named.

The chat and the form (bot/web/pages.py) share the use case: `check_facility(slots, ctx)`
gives the room or a `Problem` (the same messages), `submit_facility(slots, ctx)` writes.
The slots' rules live in `facility_rules.py`, the choice of the room in `facility_rooms.py`.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.base import Ctx, Inbound, Reply, Router
from handlers.common import WEEKDAYS, equipment_text, fmt_day, fmt_window, notify_approver
from handlers.facility_rooms import (
    Checked,
    check_facility,
    match_facility,
    pick_room,
    room_list,
    room_said,
    type_of_name,
)
from handlers.facility_rules import (
    ASK,
    CHANGE,
    MAX_REPEATS,
    PLACE,
    PURPOSE,
    REQUIRED,
    check_rules,
    first_missing,
    read_repeat,
    weekly_dates,
)
from handlers.forms import CONFIRM, Draft, Problem, Submitted, fill_end, merge_slots, read_times
from handlers.labels import FACILITY_TYPE_NAMES
from models.errors import Conflict, NoApprover, RequestError
from models.holds import retry_unsettled
from models.org import Facility, FacilityType, RequestType, active_facilities
from models.requests import NewRequest, Request, RequestStatus, create_request, ordered_steps
from models.sql import transaction
from nlp.types import Intent, Parse

# The names other modules (bundles, the form pages, the service declaration, tests) take
# from here; the rules and the room choice live in facility_rules / facility_rooms.
__all__ = [
    "ASK", "FLOW", "MAX_REPEATS", "REQUIRED", "SUMMARY", "Checked", "check_facility",
    "first_missing", "match_facility", "room_said", "router", "submit_facility",
    "weekly_dates",
]

log = logging.getLogger("handlers.facility_reservation")
router = Router("facility_reservation")
FLOW = Intent.FACILITY_RESERVATION.value

# Said while the purpose is asked, these are what they say, not a purpose.
NOT_AN_ANSWER = (Intent.CANCEL, Intent.HELP, Intent.APPROVAL_STATUS, Intent.APPROVE, Intent.REJECT)
ROOM_SLOTS = ("date", "start", "end", "facility", "facility_type", "attendees", "purpose")

PURPOSE_NEEDED = "用途要写上，审批人要看，几个字就行，比如“部门例会”。不预约了就说“算了”。"
UNKNOWN_ROOM = "没有找到“{said}”。可预约的{kind}有：{rooms}。请换一个说。"
SUMMARY = (
    "请确认场地预约：\n"
    "场地：{name}（{building}，可容纳{capacity}人）\n"
    "时间：{window}\n"
    "人数：{n}人\n"
    "{needs}"
    "{repeat}"
    "{approval}\n"
    "回复“确认”提交，或告诉我要改什么（如“改成四点”“换成大礼堂”）。"
)
REPEAT_LINE = "重复：每周{weekday}，{first}至{last}，共{count}次\n"
NEEDS_APPROVAL = "该场地需管理员审批，确认后提交审批。"
NO_APPROVAL = "确认后即预约成功。"
APPROVED = "已预约成功 #{no}：{name} {window}，{n}人。"
PENDING = "已提交 #{no}：{name} {window}，{n}人。\n等待{approver}审批，结果会通知您。"
SERIES_APPROVED = "已预约成功，每周{weekday}共{count}次（#{first_no}–#{last_no}）：{name} {times}，{first}至{last}。"
SERIES_PENDING = (
    "已提交，每周{weekday}共{count}次（#{first_no}–#{last_no}）：{name} {times}，{first}至{last}。\n"
    "等待{approver}审批，结果会通知您。"
)
TAKEN_MEANWHILE = "刚才这段时间被别人订走了。\n"
NO_APPROVER = "暂时找不到能审批这个场地的人（{role}），预约没有提交。请联系局办公室。"
REFUSED = "预约没有提交，请检查时间后再试，或联系局办公室。"
NOT_UNDERSTOOD = "没听清要改什么。回复“确认”提交，或说“改成四点”“换成大礼堂”；不用了就说“算了”。"


# ---------------------------------------------------------------------------------------
# The dialogue.


@router.text(r"\S")
async def answer_purpose(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """The answer to "会议用途？" goes to the reservation whatever the NLU took it for,
    unless it is a way out or another question."""
    if (ctx.state.get("flow") != FLOW or ctx.state.get("awaiting") != PURPOSE
            or parse.intent in NOT_AN_ANSWER or parse.intent is Intent.FACILITY_RESERVATION):
        return None
    slots = {k: v for k, v in parse.slots.items() if k in ROOM_SLOTS}
    return await reserve_facility(msg, Parse(Intent.FACILITY_RESERVATION, slots, words=parse.words), ctx)


@router.intent(Intent.FACILITY_RESERVATION)
async def reserve_facility(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """Any message of the reservation dialogue: fill and check the slots, find a room,
    book on “确认”."""
    draft = Draft.from_state(ctx.state, FLOW)
    if parse.words.yes and draft.awaiting == CONFIRM:
        return await confirm_reservation(draft, ctx)
    new = read_times(draft.slots, parse, awaiting=draft.awaiting)
    facilities = await active_facilities()
    said = new.pop("facility", None) or room_said(msg.text, parse.words, facilities)
    said_type = new.pop("facility_type", None)
    unknown: str | None = None
    if said:
        room = match_facility(said, facilities)
        if room is None:
            unknown = said
        else:
            new.update(facility_id=room.id, facility_type=str(room.type), named=True)
    elif said_type and said_type != draft.slots.get("facility_type"):
        new.update(facility_type=said_type, facility_id=None, named=False)
    read_repeat(draft.slots, new, parse.words, ctx.now.date())
    if purpose := parse.slots.get("purpose") or parse.words.purpose:
        new["purpose"] = purpose
    if equipment := parse.words.equipment:
        new["equipment"] = list(dict.fromkeys([*draft.slots.get("equipment", []), *equipment]))
    if not new and not unknown and draft.awaiting == CONFIRM:
        return Reply(NOT_UNDERSTOOD)
    if draft.awaiting == PURPOSE and not unknown and not set(new) - {"equipment"}:
        if (answer := parse.words.answer) is None:
            draft.answered(False)
            return draft.nudged(Reply(PURPOSE_NEEDED, state=draft.to_state()))
        new["purpose"] = answer
    draft.answered(bool(new) or unknown is not None)
    draft.slots = {k: v for k, v in merge_slots(draft.slots, new).items() if v is not None}
    fill_end(draft.slots)
    if not draft.slots.get("named"):
        draft.slots.pop("facility_id", None)  # picked by type: pick again after any change
    if unknown is not None:
        draft.awaiting = PLACE
        kind = said_type or (t.value if (t := type_of_name(unknown)) else None)
        rooms = [f for f in facilities if kind is None or f.type == kind] or facilities
        kind_name = FACILITY_TYPE_NAMES[FacilityType(kind)] if kind else "场地"
        return Reply(UNKNOWN_ROOM.format(said=unknown, kind=kind_name, rooms=room_list(rooms)),
                     state=draft.to_state())
    return draft.nudged(await advance(draft, ctx))


async def advance(draft: Draft, ctx: Ctx, prefix: str = "") -> Reply:
    """The next step: a problem to fix, a question, or a room and the summary."""
    problem = await check_rules(draft.slots, ctx)
    if problem is not None:
        draft.awaiting = problem.awaiting
        return Reply(prefix + problem.message, state=draft.to_state())
    return await choose_room(draft, ctx, prefix)


async def choose_room(draft: Draft, ctx: Ctx, prefix: str = "") -> Reply:
    """All slots are good: the room and the summary, or what to change."""
    checked = await pick_room(draft.slots, ctx)
    if isinstance(checked, Problem):
        draft.awaiting = checked.awaiting
        return Reply(prefix + checked.message, state=draft.to_state())
    if checked.room.needs_approval and not draft.slots.get("purpose"):
        draft.awaiting = PURPOSE
        return Reply(prefix + ASK[PURPOSE].format(name=checked.room.name), state=draft.to_state())
    draft.awaiting = CONFIRM
    text = summary(checked.room, draft.slots, checked.windows, ctx.tz)
    return Reply(prefix + text, state=draft.to_state())


def summary(room: Facility, slots: dict[str, Any], windows: list[tuple[datetime, datetime]],
            tz: ZoneInfo) -> str:
    start, end = windows[0]
    repeat = ""
    if len(windows) > 1:
        repeat = REPEAT_LINE.format(
            weekday=WEEKDAYS[start.astimezone(tz).weekday()], first=fmt_day(start, tz),
            last=fmt_day(windows[-1][0], tz), count=len(windows),
        )
    return SUMMARY.format(
        name=room.name, building=room.building, capacity=room.capacity,
        window=fmt_window(start, end, tz), n=slots["attendees"], repeat=repeat,
        needs="".join(f"{k}：{v}\n" for k, v in needs_of(slots)),
        approval=NEEDS_APPROVAL if room.needs_approval else NO_APPROVAL,
    )


def needs_of(slots: dict[str, Any]) -> list[tuple[str, str]]:
    """The purpose and the equipment said, as the summary's lines."""
    rows = [("用途", str(slots["purpose"]))] if slots.get("purpose") else []
    if slots.get("equipment"):
        rows.append(("设备", equipment_text(slots["equipment"])))
    return rows


def details_of(slots: dict[str, Any], n: int) -> dict[str, Any]:
    details: dict[str, Any] = {"attendees": n}
    if slots.get("purpose"):
        details["purpose"] = str(slots["purpose"])
    if slots.get("equipment"):
        details["equipment"] = list(slots["equipment"])
    return details


async def confirm_reservation(draft: Draft, ctx: Ctx) -> Reply:
    """“确认”: book the room shown in the summary; if it went to someone else meanwhile,
    say so and choose again."""
    result = await submit_facility(draft.slots, ctx)
    if isinstance(result, Submitted):
        return Reply(result.chat_text(ctx.links), state={})
    if result.final:
        return Reply(result.message, state={})
    if result.taken:
        if not draft.slots.get("named"):
            draft.slots.pop("facility_id", None)
        return await choose_room(draft, ctx, TAKEN_MEANWHILE)
    draft.awaiting = result.awaiting
    return Reply(result.message, state=draft.to_state())


async def submit_facility(slots: dict[str, Any], ctx: Ctx) -> Submitted | Problem:
    """Check the slots and the room (`slots["facility_id"]`: the room named or confirmed;
    else the smallest fitting one of `facility_type`), then book every occurrence or none
    in one transaction, telling the facility admin in it when the room needs approval.
    Like `check_facility`, drops a slot that breaks a rule."""
    checked = await check_facility(slots, ctx)
    if isinstance(checked, Problem):
        return checked
    tz = ctx.tz
    room, windows, n = checked.room, checked.windows, checked.attendees
    series = uuid.uuid4().hex if len(windows) > 1 else None

    async def book() -> list[Request]:
        created: list[Request] = []
        async with transaction():
            for start, end in windows:
                new = NewRequest(
                    type=RequestType.FACILITY_RESERVATION, applicant=ctx.user.user_id,
                    start=start, end=end, facility_id=room.id,
                    details=details_of(slots, n), series=series,
                )
                # every error leaves the whole transaction: no savepoint a request
                request = await create_request(new, ctx.now, str(ctx.channel), savepoint=False)
                created.append(request)
                steps = ordered_steps(request)
                if steps:
                    await notify_approver(ctx.notifier, request, steps[0], ctx.user.name, tz,
                                          links=ctx.links)
        return created

    try:
        created = await retry_unsettled(book)
    except Conflict:
        return Problem(text=TAKEN_MEANWHILE.strip(), field="start", awaiting=CHANGE, taken=True)
    except NoApprover as e:
        return Problem(text=NO_APPROVER.format(role=e.role), final=True)
    except RequestError:
        log.warning("facility reservation refused", extra={"user": ctx.user.user_id}, exc_info=True)
        return Problem(text=REFUSED, final=True)
    return Submitted(submitted_text(room, created, n, tz), tuple(r.no for r in created))


def submitted_text(room: Facility, created: list[Request], n: int, tz: ZoneInfo) -> str:
    first = created[0]
    steps = ordered_steps(first)
    approver = steps[0].approver.name if steps else ""
    assert first.start is not None and first.end is not None
    if len(created) == 1:
        window = fmt_window(first.start, first.end, tz)
        template = PENDING if first.status is RequestStatus.PENDING else APPROVED
        return template.format(no=first.no, name=room.name, window=window, n=n, approver=approver)
    template = SERIES_PENDING if first.status is RequestStatus.PENDING else SERIES_APPROVED
    s, e = first.start.astimezone(tz), first.end.astimezone(tz)
    return template.format(
        weekday=WEEKDAYS[s.weekday()], count=len(created), first_no=first.no,
        last_no=created[-1].no, name=room.name, times=f"{s:%H:%M}-{e:%H:%M}",
        first=fmt_day(s, tz), last=fmt_day(created[-1].start or s, tz), approver=approver,
    )
