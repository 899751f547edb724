"""The rules of a room reservation's slots (issue 15: split from facility_reservation.py):
what is missing and how it is asked, a start not past, one day, at least one person, and
weekly repeats ("每周一上午九点例会，到一月底") — the NLU reads the first occurrence, the
repeat and its end (`Parse.words`: nlp/words.py); the dates of the series are counted here.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from handlers.base import Ctx
from handlers.common import fmt_day, fmt_window
from handlers.forms import Problem, drop_bad_window, window_of
from models.org import active_facility
from nlp.words import Words

MAX_REPEATS = 26  # half a year of weekly meetings; longer series go through the office
CHANGE = "change"  # awaiting a change after "taken" or "closed"
PLACE = "place"
REQUIRED = (PLACE, "start", "end", "attendees")  # a room (or its type), the window, how many
PURPOSE = "purpose"  # asked for a room that needs approval: its admin decides on it

ASK = {
    PLACE: "请问要预约哪里？可以说名称（如“301会议室”），或类型：会议室、礼堂、接待室、健身房、食堂包间。",
    "start": "请问哪天几点开始？比如“下周一上午9点”。",
    "start_on_day": "{day}几点开始？",
    "end": "到几点结束，或者用多长时间？比如“到11点”或“两个小时”。",
    "attendees": "大概多少人参加？",
    "repeat_until": "每周重复到哪天为止？比如“到一月底”或“到12月31日”。",
    PURPOSE: "{name}需要管理员审批，请简单说一下会议用途，比如“部门例会”“接待来访”。",
}
PAST = "开始时间 {when} 已经过了，请换一个以后的时间。"
END_BEFORE_START = "结束时间要晚于开始时间（{start}），请重新说结束时间或用多久。"
NOT_SAME_DAY = "场地按天预约，请在开始当天结束（开始于{start}）。"
NO_ATTENDEES = "人数至少1人，请告诉我大概多少人。"
UNTIL_BEFORE = "截止日期{until}早于第一次（{first}），请重新说到哪天为止。"
TOO_MANY_REPEATS = "每周重复最多预约{cap}次（约半年），您说的有{n}次，请把截止日期提前。"


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
    broken = drop_bad_window(slots, ctx.now)
    if start is not None and broken == "past":
        return PAST.format(when=fmt_window(start, None, tz))
    if start is not None and broken == "end":
        return END_BEFORE_START.format(start=fmt_window(start, None, tz))
    if start is not None and end is not None:
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

