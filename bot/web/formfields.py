"""The /m/ forms' fields, as the web layer reads them (bot/web/pages.py renders and
submits): each service's reader turns its template's fields into the chat's slots (the
service's submit use case then checks them with the chat's rules), and gives its template
what else it shows (choices, limits). A service's slug, title and submit are its
declaration's (handlers/services/); a form template is the web layer's own, so its reader
is here, under the same slug."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from handlers import asset_request, facility_reservation, repair, vehicle_booking
from handlers.labels import FACILITY_TYPE_NAMES, FacilityType
from handlers.queries import active_facilities

BAD_DATE = "请按“年-月-日”填写{label}。"
BAD_TIME = "请按“时:分”填写{label}，例如 14:00。"
BAD_NUMBER = "{label}请填写一个整数。"
TOO_LONG = "{label}最多{n}个字。"

TEXT_LIMITS = {"origin": 60, "destination": 60, "purpose": 100, "equipment": 60}


class BadField(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2})?")


def field_value(form: Mapping[str, Any], name: str) -> str:
    """A posted field, stripped; "" when absent or a file."""
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def read_date(form: Mapping[str, str], name: str, label: str) -> date | None:
    raw = form.get(name, "")
    if not raw:
        return None
    try:
        if not _DATE_RE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise BadField(name, BAD_DATE.format(label=label)) from None


def read_time(form: Mapping[str, str], name: str, label: str) -> time | None:
    raw = form.get(name, "")
    if not raw:
        return None
    m = _TIME_RE.fullmatch(raw)
    if m is None or int(m[1]) > 23 or int(m[2]) > 59:
        raise BadField(name, BAD_TIME.format(label=label))
    return time(int(m[1]), int(m[2]))


def read_int(form: Mapping[str, str], name: str, label: str) -> int | None:
    raw = form.get(name, "")
    if not raw:
        return None
    if not re.fullmatch(r"-?\d{1,6}", raw):
        raise BadField(name, BAD_NUMBER.format(label=label))
    return int(raw)


def read_text(form: Mapping[str, str], name: str, label: str, limit: int) -> str | None:
    raw = form.get(name, "")
    if len(raw) > limit:
        raise BadField(name, TOO_LONG.format(label=label, n=limit))
    return raw or None


def window_slots(form: Mapping[str, str], tz: ZoneInfo, end_day_field: str | None = None) -> dict[str, Any]:
    """`date`, `start`, `end` as the NLU gives them: the day, aware datetimes in `tz`."""
    slots: dict[str, Any] = {}
    day = read_date(form, "date", "日期")
    start = read_time(form, "start", "开始时间")
    end = read_time(form, "end", "结束时间")
    end_day = read_date(form, end_day_field, "结束日期") if end_day_field else None
    if day is not None:
        slots["date"] = day
        if start is not None:
            slots["start"] = datetime.combine(day, start, tz)
        if end is not None:
            slots["end"] = datetime.combine(end_day or day, end, tz)
    return slots


def vehicle_slots(form: Mapping[str, str], tz: ZoneInfo) -> dict[str, Any]:
    slots = window_slots(form, tz, "end_date")
    passengers = read_int(form, "passengers", "乘车人数")
    if passengers is not None:
        slots["passengers"] = passengers
    for name, label in (("origin", "出发地"), ("destination", "目的地"), ("purpose", "事由")):
        value = read_text(form, name, label, TEXT_LIMITS[name])
        if value:
            slots[name] = value
    return slots


def facility_slots(form: Mapping[str, str], tz: ZoneInfo) -> dict[str, Any]:
    slots = window_slots(form, tz)
    place = form.get("place", "")
    kind, _, value = place.partition(":")
    if kind == "room" and value:
        slots["facility_id"] = value
    elif kind == "type" and value in set(FacilityType):
        slots.update(facility_type=value, named=False)
    attendees = read_int(form, "attendees", "人数")
    if attendees is not None:
        slots["attendees"] = attendees
    purpose = read_text(form, "purpose", "会议用途", TEXT_LIMITS["purpose"])
    if purpose:
        slots["purpose"] = purpose
    equipment = read_text(form, "equipment", "设备需求", TEXT_LIMITS["equipment"])
    if equipment:
        slots["equipment"] = [x for x in re.split(r"[、,，;；\s]+", equipment) if x]
    until = read_date(form, "repeat_until", "每周重复截止日期")
    if until is not None:
        slots.update(repeat=True, repeat_until=until)
    return slots


def repair_slots(form: Mapping[str, str], _tz: ZoneInfo) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    for name, slot in (("location", "location"), ("category", "repair_category"),
                       ("description", "description")):
        if form.get(name):
            slots[slot] = form[name]
    return slots


async def facility_places() -> list[tuple[str, list[tuple[str, str]]]]:
    """The 场地 choices: any room of a type (the use case picks one), then each room by type."""
    rooms = await active_facilities()
    names = FACILITY_TYPE_NAMES
    by_type = [(f"type:{t}", f"任一{names[t]}") for t in FacilityType
               if any(r.type == t for r in rooms)]
    groups: list[tuple[str, list[tuple[str, str]]]] = [("按类型（自动选合适的）", by_type)]
    for t in FacilityType:
        mine = [(f"room:{r.id}", f"{r.name}（{r.building}，{r.capacity}人"
                 f"{'，需审批' if r.needs_approval else ''}，{r.open_from}-{r.open_to}）")
                for r in rooms if r.type == t]
        if mine:
            groups.append((names[t], mine))
    return groups


async def vehicle_context() -> dict[str, Any]:
    return {"limits": TEXT_LIMITS, "origin_default": vehicle_booking.ORIGIN_DEFAULT}


async def facility_context() -> dict[str, Any]:
    return {"places": await facility_places(), "limits": TEXT_LIMITS,
            "max_repeats": facility_reservation.MAX_REPEATS}


async def repair_context() -> dict[str, Any]:
    return {"limits": repair.MAX_LENGTH, "categories": list(repair.CATEGORY_NAMES.items())}


def asset_slots(form: Mapping[str, str], _tz: ZoneInfo) -> dict[str, Any]:
    """The asset form: a requisition's category, quantity and place, or a transfer's or
    disposal's tag, receiving department and reason (the use case checks each kind's)."""
    slots: dict[str, Any] = {}
    kind = form.get("kind", "")
    if kind in asset_request.KIND_NAMES:
        slots["kind"] = kind
    if form.get("category"):
        slots["asset"] = form["category"]
    quantity = read_int(form, "quantity", "数量")
    if quantity is not None:
        slots["quantity"] = quantity
    limits = asset_request.MAX_LENGTH
    for name, label in (("location", "使用地点"), ("reason", "处置原因")):
        value = read_text(form, name, label, limits[name])
        if value:
            slots[name] = value
    tag = read_text(form, "tag", "资产编号", 32)
    if tag:
        slots["tag"] = tag.upper()
    if form.get("to_department"):
        slots["to_department"] = form["to_department"]
    return slots


async def asset_context() -> dict[str, Any]:
    return {**await asset_request.form_choices(), "limits": asset_request.MAX_LENGTH,
            "max_quantity": asset_request.MAX_QUANTITY}


@dataclass(frozen=True, slots=True)
class FormFields:
    """How the web layer reads a service's form (its slug, title and submit are the
    service's: handlers/services/): the reader of its template's fields into the chat's
    slots (times in the business zone given), and what else its template shows (choices,
    limits)."""

    read: Callable[[Mapping[str, str], ZoneInfo], dict[str, Any]]
    context: Callable[[], Awaitable[dict[str, Any]]]


FIELDS: dict[str, FormFields] = {
    "vehicle": FormFields(vehicle_slots, vehicle_context),
    "facility": FormFields(facility_slots, facility_context),
    "repair": FormFields(repair_slots, repair_context),
    "asset": FormFields(asset_slots, asset_context),
}
