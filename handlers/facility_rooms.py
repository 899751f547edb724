"""Which room a reservation books (issue 15: split from facility_reservation.py): the one
the user named (tolerant matching), or the smallest fitting one of the type — open at that
time, big enough and free for every occurrence — else what to change: other rooms, kindred
types, the next free window, the clashing dates of a series.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.base import Ctx
from handlers.common import fmt_day, fmt_window
from handlers.facility_rules import ASK, CHANGE, PLACE, check_rules, windows_of
from handlers.forms import Problem
from handlers.labels import FACILITY_TYPE_NAMES
from models.holds import facility_key, free_facilities, next_free_start
from models.org import Facility, FacilityType, active_facilities, active_facility
from nlp.words import Words

# Rooms a meeting can move to when its own type is full or too small; a gym or a canteen
# room is never offered for a meeting, nor a meeting room for a workout.
MEETING_LIKE = frozenset({FacilityType.MEETING_ROOM, FacilityType.AUDITORIUM,
                          FacilityType.RECEPTION_ROOM})

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


@dataclass(frozen=True, slots=True)
class Checked:
    """Slots that keep every rule, and the room they would book."""

    room: Facility
    windows: list[tuple[datetime, datetime]]  # one, or one a week
    attendees: int



async def check_facility(slots: dict[str, Any], ctx: Ctx) -> Checked | Problem:
    """The rules of a reservation (not past, one day, people, repeats), then the room:
    the one named, or the smallest fitting one of the type — open at that time, big
    enough and free, else what to change (other rooms, the next free window)."""
    problem = await check_rules(slots, ctx)
    if problem is not None:
        return problem
    return await pick_room(slots, ctx)



async def clashes_of(room: Facility, windows: list[tuple[datetime, datetime]]) -> list[datetime]:
    """Starts of the windows in which the room is already held."""
    out = []
    for s, e in windows:
        if not await free_facilities(s, e, ids=[room.id]):
            out.append(s)
    return out



async def free_in_all(ids: list[str], windows: list[tuple[datetime, datetime]]) -> set[str]:
    """Which of the rooms `ids` are free in every window: `clashes_of` for several rooms
    at once, one query a window rather than one a room and window."""
    free = set(ids)
    for s, e in windows:
        if not free:
            break
        free &= {f.id for f in await free_facilities(s, e, ids=sorted(free))}
    return free


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
        free = await free_in_all([f.id for f in open_rooms], windows)
        room = next((f for f in open_rooms if f.id in free), None)  # the smallest free
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
    fitting = [f for f in same_type
               if f.id != room.id and f.capacity >= n and all(is_open(f, s, e, tz) for s, e in windows)]
    free = await free_in_all([f.id for f in fitting], windows)
    others = [f for f in fitting if f.id in free]
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

