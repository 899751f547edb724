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

The chat and the form (bot/web/pages.py) share the use case: `check_facility(slots, ctx)` gives
the room or a `Problem` (the same messages), `submit_facility(slots, ctx)` writes.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.base import Ctx, Inbound, Reply, Router
from handlers.common import WEEKDAYS, equipment_text, fmt_day, fmt_window, notify_approver
from handlers.forms import (
    CONFIRM,
    Draft,
    Problem,
    Submitted,
    fill_end,
    merge_slots,
    read_times,
    window_of,
)
from handlers.labels import FACILITY_TYPE_NAMES
from models.errors import Conflict, NoApprover, RequestError
from models.holds import facility_key, free_facilities, next_free_start
from models.org import Facility, FacilityType, RequestType, active_facilities, active_facility
from models.requests import NewRequest, Request, RequestStatus, create_request, ordered_steps
from models.sql import transaction
from nlp.types import Intent, Parse
from nlp.words import Words

log = logging.getLogger("handlers.facility_reservation")
router = Router("facility_reservation")
FLOW = Intent.FACILITY_RESERVATION.value

MAX_REPEATS = 26  # half a year of weekly meetings; longer series go through the office
CHANGE = "change"  # awaiting a change after "taken" or "closed"
PLACE = "place"
REQUIRED = (PLACE, "start", "end", "attendees")  # a room (or its type), the window, how many
PURPOSE = "purpose"  # asked for a room that needs approval: its admin decides on it
# Said while the purpose is asked, these are what they say, not a purpose.
NOT_AN_ANSWER = (Intent.CANCEL, Intent.HELP, Intent.APPROVAL_STATUS, Intent.APPROVE, Intent.REJECT)
ROOM_SLOTS = ("date", "start", "end", "facility", "facility_type", "attendees", "purpose")
# Rooms a meeting can move to when its own type is full or too small; a gym or a canteen
# room is never offered for a meeting, nor a meeting room for a workout.
MEETING_LIKE = frozenset({FacilityType.MEETING_ROOM, FacilityType.AUDITORIUM,
                          FacilityType.RECEPTION_ROOM})


ASK = {
    PLACE: "请问要预约哪里？可以说名称（如“301会议室”），或类型：会议室、礼堂、接待室、健身房、食堂包间。",
    "start": "请问哪天几点开始？比如“下周一上午9点”。",
    "start_on_day": "{day}几点开始？",
    "end": "到几点结束，或者用多长时间？比如“到11点”或“两个小时”。",
    "attendees": "大概多少人参加？",
    "repeat_until": "每周重复到哪天为止？比如“到一月底”或“到12月31日”。",
    PURPOSE: "{name}需要管理员审批，请简单说一下会议用途，比如“部门例会”“接待来访”。",
}
PURPOSE_NEEDED = "用途要写上，审批人要看，几个字就行，比如“部门例会”。不预约了就说“算了”。"
PAST = "开始时间 {when} 已经过了，请换一个以后的时间。"
END_BEFORE_START = "结束时间要晚于开始时间（{start}），请重新说结束时间或用多久。"
NOT_SAME_DAY = "场地按天预约，请在开始当天结束（开始于{start}）。"
NO_ATTENDEES = "人数至少1人，请告诉我大概多少人。"
UNTIL_BEFORE = "截止日期{until}早于第一次（{first}），请重新说到哪天为止。"
TOO_MANY_REPEATS = "每周重复最多预约{cap}次（约半年），您说的有{n}次，请把截止日期提前。"
UNKNOWN_ROOM = "没有找到“{said}”。可预约的{kind}有：{rooms}。请换一个说。"
CLOSED = "{name}的开放时间是{hours}，{window}不在开放时间内，请换个时间。"
TYPE_CLOSED = "{kind}的开放时间：{hours}，{window}都不开放，请换个时间。"
TOO_SMALL = "{name}最多容纳{capacity}人，您说的是{n}人。"
BIGGER = "可以换成：{rooms}。"
NAME_HINT = "直接说名称即可。"
NONE_BIG = "没有能容纳{n}人的{kind}。{others}"
TAKEN = "{name} {window} 已被预约。"
FREE_OTHERS = "同时段可用的{kind}：{rooms}。"
NEXT_FREE = "{name}最近的空档：{window}。"
CHANGE_HINT = "换一间直接说名称，改时间说“改成四点”这样的话；不用了就说“算了”。"
ALL_TAKEN = "{window} 能容纳{n}人的{kind}都已被预约。"
SERIES_CLASH = "{name}在这些日期已被占用：{dates}。每周预约要么全部订上、要么都不订，所以这次没有预约。"
SERIES_OTHERS = "这几次都空着的{kind}：{rooms}。"
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
# Weekly repeats: the NLU reads the first occurrence, the repeat and its end
# (`Parse.words`: nlp/words.py); the dates of the series are counted here.


def weekly_dates(first: date, until: date) -> list[date]:
    """Every seventh day from `first` to `until`, both included."""
    out = []
    day = first
    while day <= until:
        out.append(day)
        day += timedelta(days=7)
    return out


def next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


# ---------------------------------------------------------------------------------------
# Finding the room the user named.

def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def match_facility(said: str, facilities: list[Facility]) -> Facility | None:
    """The facility the user means by `said`, tolerant: "301会议室", "301", "礼堂" for
    "大礼堂". Exact name first, then the same room number, then one name inside the other."""
    key = _norm(said)
    if not key:
        return None
    for f in facilities:
        if _norm(f.name) == key:
            return f
    numbers = set(re.findall(r"\d+", key))
    if numbers:
        # a number names a room: "302会议室" is not "301会议室", whatever the words
        return next((f for f in facilities if numbers & set(re.findall(r"\d+", f.name))), None)
    for f in facilities:
        name = _norm(f.name)
        if len(key) >= 2 and (key in name or name in key):
            return f
    return None


def room_said(text: str, words: Words, facilities: list[Facility]) -> str | None:
    """A facility of the bureau named in the text that the NLU did not take as one: a
    full name ("换成大礼堂") or a room number the NLU read ("订301")."""
    key = _norm(text)
    for f in facilities:
        if _norm(f.name) in key:
            return f.name
    known = {n for f in facilities for n in re.findall(r"\d+", f.name)}
    return next((n for n in words.room_numbers if n in known), None)


def type_of_name(said: str) -> FacilityType | None:
    return next((t for t, name in FACILITY_TYPE_NAMES.items() if said.endswith(name[-2:])), None)



def room_list(rooms: list[Facility], limit: int = 5) -> str:
    return "、".join(f"{f.name}（{f.capacity}人）" for f in rooms[:limit])


def hours_of(f: Facility) -> str:
    return f"{f.open_from}-{f.open_to}"


def is_open(f: Facility, start: datetime, end: datetime, tz: ZoneInfo) -> bool:
    s, e = start.astimezone(tz), end.astimezone(tz)
    return s.date() == e.date() and f.is_open_for(s.time(), e.time())


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


def read_repeat(old: dict[str, Any], new: dict[str, Any], words: Words, today: date) -> None:
    """"每周一…到一月底" in the message (as nlp/words.py read it): mark the repeat, its end,
    and (when no day was said) the first such weekday. An end said alone counts when a
    repeat is in the draft."""
    until = words.until
    if not words.weekly and not (old.get("repeat") and until):
        return
    new["repeat"] = True
    if until is not None:
        new["repeat_until"] = until
        if "start" not in new:
            new.pop("date", None)  # a day said with no time is the repeat's end ("到12月31日")
    if words.weekly and words.weekday is not None and not (new.get("date") or old.get("date")):
        new["date"] = next_weekday(today, words.weekday)


async def advance(draft: Draft, ctx: Ctx, prefix: str = "") -> Reply:
    """The next step: a problem to fix, a question, or a room and the summary."""
    problem = await check_rules(draft.slots, ctx)
    if problem is not None:
        draft.awaiting = problem.awaiting
        return Reply(prefix + problem.message, state=draft.to_state())
    return await choose_room(draft, ctx, prefix)


@dataclass(frozen=True, slots=True)
class Checked:
    """Slots that keep every rule, and the room they would book."""

    room: Facility
    windows: list[tuple[datetime, datetime]]  # one, or one a week
    attendees: int


async def check_rules(slots: dict[str, Any], ctx: Ctx) -> Problem | None:
    """The first broken rule or missing slot; the slot that breaks a rule is dropped from
    `slots` (the chat asks for it again). A room given by id alone gets its type."""
    if slots.get("facility_id") and not slots.get("facility_type"):
        room = await active_facility(slots["facility_id"])
        if room is None:
            slots.pop("facility_id")
        else:
            slots.update(facility_type=str(room.type), named=True)
    before = set(slots)
    problem = check_slots(slots, ctx)
    missing = first_missing(slots)
    if problem is None and missing is None:
        return None
    dropped = next((k for k in ("start", "end", "attendees", "repeat_until")
                    if k in before and k not in slots), None)
    return Problem(
        text=problem or "", ask="" if missing is None else ask_for(missing, slots, ctx),
        field=dropped or missing, awaiting=missing,
    )


async def check_facility(slots: dict[str, Any], ctx: Ctx) -> Checked | Problem:
    """The rules of a reservation (not past, one day, people, repeats), then the room:
    the one named, or the smallest fitting one of the type — open at that time, big
    enough and free, else what to change (other rooms, the next free window)."""
    problem = await check_rules(slots, ctx)
    if problem is not None:
        return problem
    return await pick_room(slots, ctx)


def first_missing(slots: dict[str, Any]) -> str | None:
    if not (slots.get("facility_id") or slots.get("facility_type")):
        return PLACE
    for slot in REQUIRED[1:]:
        if not slots.get(slot):
            return slot
    if slots.get("repeat") and not slots.get("repeat_until"):
        return "repeat_until"
    return None


def ask_for(slot: str, slots: dict[str, Any], ctx: Ctx) -> str:
    if slot == "start" and slots.get("date"):
        day = datetime.combine(slots["date"], time(0), ctx.tz)
        return ASK["start_on_day"].format(day=fmt_day(day, ctx.tz))
    return ASK[slot]


def check_slots(slots: dict[str, Any], ctx: Ctx) -> str | None:
    """The first slot that breaks a rule is dropped (to be asked again) and explained."""
    tz = ctx.tz
    start, end = window_of(slots)
    if start is not None and start < ctx.now:
        if end is not None and end > start:  # the length said still holds for a new start
            slots["minutes"] = int((end - start).total_seconds() // 60)
        slots.pop("start", None)
        slots.pop("end", None)
        if start.date() < ctx.now.date():
            slots.pop("date", None)
        return PAST.format(when=fmt_window(start, None, tz))
    if start is not None and end is not None:
        if end <= start:
            slots.pop("end", None)
            return END_BEFORE_START.format(start=fmt_window(start, None, tz))
        if end.astimezone(tz).date() != start.astimezone(tz).date():
            slots.pop("end", None)
            return NOT_SAME_DAY.format(start=fmt_window(start, None, tz))
    n = slots.get("attendees")
    if n is not None and int(n) < 1:
        slots.pop("attendees")
        return NO_ATTENDEES
    if start is not None and slots.get("repeat_until"):
        until: date = slots["repeat_until"]
        first = start.astimezone(tz).date()
        if until < first:
            slots.pop("repeat_until")
            return UNTIL_BEFORE.format(until=f"{until.month}月{until.day}日", first=fmt_day(start, tz))
        count = len(weekly_dates(first, until))
        if count > MAX_REPEATS:
            slots.pop("repeat_until")
            return TOO_MANY_REPEATS.format(cap=MAX_REPEATS, n=count)
    return None


def windows_of(slots: dict[str, Any]) -> list[tuple[datetime, datetime]]:
    """Every occurrence: one window, or one a week until the repeat's end."""
    start, end = window_of(slots)
    assert start is not None and end is not None
    if not (slots.get("repeat") and slots.get("repeat_until")):
        return [(start, end)]
    days = weekly_dates(start.date(), slots["repeat_until"])
    return [(start + timedelta(days=7 * i), end + timedelta(days=7 * i)) for i in range(len(days))]


async def clashes_of(room: Facility, windows: list[tuple[datetime, datetime]]) -> list[datetime]:
    """Starts of the windows in which the room is already held."""
    out = []
    for s, e in windows:
        if not await free_facilities(s, e, ids=[room.id]):
            out.append(s)
    return out


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


async def pick_room(s: dict[str, Any], ctx: Ctx) -> Checked | Problem:
    """All slots are good: the named room or the smallest fitting one of the type, checked
    for hours, capacity and overlap (a room picked by type goes in `s["facility_id"]`)."""
    tz = ctx.tz
    n = int(s["attendees"])
    windows = windows_of(s)
    start, end = windows[0]
    when = fmt_window(start, end, tz)
    ftype = FacilityType(s["facility_type"])
    same_type = [f for f in await active_facilities() if f.type == ftype]

    if s.get("facility_id"):
        room = await active_facility(s["facility_id"])
        if room is None:
            s.pop("facility_id")
            s.pop("named", None)
            return Problem(ask=ASK[PLACE], field="facility", awaiting=PLACE)
        if not is_open(room, start, end, tz):
            s.pop("start")
            s.pop("end")
            return Problem(text=CLOSED.format(name=room.name, hours=hours_of(room), window=when),
                           field="start", awaiting="start")
        if room.capacity < n:
            s.pop("facility_id")
            s.pop("named", None)
            bigger = [f for f in same_type if f.capacity >= n] or await related_rooms(ftype, n)
            more = BIGGER.format(rooms=room_list(bigger)) if bigger else ""
            return Problem(text=TOO_SMALL.format(name=room.name, capacity=room.capacity, n=n) + more,
                           hint=NAME_HINT if bigger else "", field="facility", awaiting=PLACE)
        clashes = await clashes_of(room, windows)
        if clashes:
            text = await explain_taken(room, same_type, windows, clashes, n, tz)
            return Problem(text=text, hint=CHANGE_HINT, field="start", awaiting=CHANGE, taken=True)
    else:
        kind = FACILITY_TYPE_NAMES[ftype]
        big = [f for f in same_type if f.capacity >= n]
        if not big:
            others = await related_rooms(ftype, n)
            more = BIGGER.format(rooms=room_list(others)) if others else ""
            return Problem(text=NONE_BIG.format(n=n, kind=kind, others=more),
                           hint=NAME_HINT if others else "", field="facility", awaiting=PLACE)
        open_rooms = [f for f in big if is_open(f, start, end, tz)]
        if not open_rooms:
            s.pop("start")
            s.pop("end")
            hours = "；".join(f"{f.name} {hours_of(f)}" for f in big[:3])
            return Problem(text=TYPE_CLOSED.format(kind=kind, hours=hours, window=when),
                           field="start", awaiting="start")
        room = None
        for f in open_rooms:
            if not await clashes_of(f, windows):
                room = f
                break
        if room is None:
            first = open_rooms[0]
            if len(windows) > 1:
                clashes = await clashes_of(first, windows)
                text = await explain_taken(first, same_type, windows, clashes, n, tz)
                return Problem(text=text, hint=CHANGE_HINT, field="start", awaiting=CHANGE)
            options = []
            for f in open_rooms:
                at = await next_open_start(f, start, end - start, tz)
                if at is not None:
                    options.append((at, f))
            options.sort(key=lambda o: (o[0], o[1].capacity))
            text = ALL_TAKEN.format(window=when, n=n, kind=kind)
            text += "".join(
                NEXT_FREE.format(name=f.name, window=fmt_window(at, at + (end - start), tz))
                for at, f in options[:2]
            )
            return Problem(text=text, hint=CHANGE_HINT, field="start", awaiting=CHANGE)
        s["facility_id"] = room.id
    return Checked(room, windows, n)


async def related_rooms(ftype: FacilityType, n: int) -> list[Facility]:
    """Rooms of kindred types (a meeting may move to a hall) that seat `n`."""
    if ftype not in MEETING_LIKE:
        return []
    return [f for f in await active_facilities() if f.capacity >= n and f.type in MEETING_LIKE][:3]


async def explain_taken(room: Facility, same_type: list[Facility],
                        windows: list[tuple[datetime, datetime]], clashes: list[datetime],
                        n: int, tz: ZoneInfo) -> str:
    """The room is held: name the clashing dates (a series) or the window, then other
    rooms of the type free for every occurrence, and the room's next free window (the
    chat adds CHANGE_HINT)."""
    start, end = windows[0]
    kind = FACILITY_TYPE_NAMES[FacilityType(room.type)]
    others = [
        f for f in same_type
        if f.id != room.id and f.capacity >= n and all(is_open(f, s, e, tz) for s, e in windows)
        and not await clashes_of(f, windows)
    ]
    if len(windows) > 1:
        dates = "、".join(fmt_day(c, tz) for c in clashes)
        text = SERIES_CLASH.format(name=room.name, dates=dates)
        if others:
            text += SERIES_OTHERS.format(kind=kind, rooms=room_list(others))
        return text
    text = TAKEN.format(name=room.name, window=fmt_window(start, end, tz))
    if others:
        text += FREE_OTHERS.format(kind=kind, rooms=room_list(others))
    at = await next_open_start(room, start, end - start, tz)
    if at is not None:
        text += NEXT_FREE.format(name=room.name, window=fmt_window(at, at + (end - start), tz))
    return text


async def next_open_start(room: Facility, start: datetime, duration: timedelta,
                          tz: ZoneInfo, days: int = 7) -> datetime | None:
    """The room's first window of `duration` at or after `start` that is free and inside
    its opening hours, within `days`."""
    until = start + timedelta(days=days)
    moment = start
    for _ in range(days * 4):
        at = await next_free_start([facility_key(room.id)], moment, duration, until)
        if at is None:
            return None
        if is_open(room, at, at + duration, tz):
            return at.astimezone(tz)
        local = at.astimezone(tz)
        day = local.date() if local.time() < room.opens else local.date() + timedelta(days=1)
        moment = datetime.combine(day, room.opens, tzinfo=tz)
        if moment > until:
            return None
    return None


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
    created: list[Request] = []
    try:
        async with transaction():
            for start, end in windows:
                new = NewRequest(
                    type=RequestType.FACILITY_RESERVATION, applicant=ctx.user.user_id,
                    start=start, end=end, facility_id=room.id,
                    details=details_of(slots, n), series=series,
                )
                request = await create_request(new, ctx.now, str(ctx.channel))
                created.append(request)
                steps = ordered_steps(request)
                if steps:
                    await notify_approver(ctx.notifier, request, steps[0], ctx.user.name, tz,
                                      links=ctx.links)
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
