"""One message, several services (一口受理): "下周二上午有代表团来访，要一间能坐20人的接待室、
一辆7座车去接站、中午食堂包间10人" → three parts, each read by the ordinary intent and slot
rules, with what the message says once carried into every part.

    text ──cheap gate──► clauses (，；、 还要 另外 以及 和一辆…) ──► each clause's intent
          clauses before the first service: the shared context (day, part of day, head count)
          a service clause opens a part (or joins the part of the same service)
          a clause of no service after a part belongs to that part ("…接待室，20人")
          ≥ 2 parts ──► each part re-read as its intent, the context's day and part of day
                        put before it when it says none ("中午" of the canteen part stays)

Things from the asset office are a part too ("订301会议室…，另外领两台笔记本电脑送到会议室",
"…和两台笔记本电脑"): read by the asset rules, with no day of their own (they are handed
over once approved); a clause saying where they go ("送到会议室") stays with them, and a
thing said bare inside a room's words ("需要投影仪") is that room's equipment.

The result keeps CONTRACT §6 at its top level (the first part's intent and slots) and
lists the parts in `Parse.parts`, the extension `parse` prints as "parts".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from nlp.assets import noun as asset_noun
from nlp.assets import quantity_said
from nlp.keywords import gate_all
from nlp.timeparse import PART_RE, parse_time
from nlp.types import Intent, Parse
from nlp.words import read_words

# The words of each service: a message must name two of them (or two kinds of room)
# before it is split, so that the one-service messages (nearly all) pay one regex.
_VEHICLE_RE = re.compile(r"车|辆|大巴|中巴|接站|送站|接机|送机|接送")
# A room said as where a trip goes ("送专家去报告厅") is a destination, not a room asked for.
_TO_ROOM_RE = re.compile(r"(?:去|到|送到|前往|赶到)\s*[^，,。；;\s点时:：]{0,6}?"
                         r"(?:会议室|会场|礼堂|报告厅|接待室|会客室|贵宾室|健身房|包间|包厢|食堂|餐厅)")
_ROOM_KINDS = (
    ("meeting_room", re.compile(r"会议室|会场|开会的地方")),
    ("auditorium", re.compile(r"礼堂|报告厅")),
    ("reception_room", re.compile(r"接待室|会客室|贵宾室")),
    ("gym", re.compile(r"健身房")),
    ("canteen_room", re.compile(r"包间|包厢|食堂|餐厅|用餐|就餐|工作餐")),
)
_SEP_RE = re.compile(
    r"[，,；;、。！!\n]|还要|还需要|还得|另外|另需|再要|再订|再来|以及|同时|并且"
    r"|和(?=[一两二三四五六七八九十\d]+\s*[辆间个桌台把套部])"
)
_DAY_RE = re.compile(r"[天日号周期拜月]|today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday",
                     re.I)
_TAKEN_BACK_RE = re.compile(r"不要|不用|不订|不去|不坐|取消|算了|改成|换成|改订|改为|换到")
SERVICES = (Intent.VEHICLE_BOOKING, Intent.FACILITY_RESERVATION, Intent.ASSET_REQUEST)
_TIMED = (Intent.VEHICLE_BOOKING, Intent.FACILITY_RESERVATION)
# A clause that says where the things of the asset part before it go ("送到会议室").
_DELIVERY = r"(?:送到|送去|送至|放到|放在|搬到|拿到|带到)"
_DELIVERY_RE = re.compile(rf"^(?:并|再|请|都|一起)?{_DELIVERY}")
_DELIVERY_IN_RE = re.compile(_DELIVERY)
# An asset part asks for things by count or by 领 ("两台笔记本电脑", "领一个投影仪"); a thing said
# bare inside a room's clause ("需要投影仪") is the room's equipment, not a requisition.
_TAKE_RE = re.compile(r"领|申领|借用|借")
MAX_PARTS = 6


def may_be_multi(text: str) -> bool:
    """A cheap test: two services (or two kinds of room) named and a place to split."""
    if _TAKEN_BACK_RE.search(text):
        return False  # "不要小会议室了，换成大礼堂" is one service corrected (nlp/corrections.py)
    kinds = sum(1 for _, r in _ROOM_KINDS if r.search(text)) + (1 if _VEHICLE_RE.search(text) else 0)
    if kinds == 1 and asset_noun(text) is not None:
        kinds = 2  # a room or a car, and things from the asset office
    return kinds >= 2 and _SEP_RE.search(text) is not None


def _service_named(piece: str) -> Intent | None:
    """The one service a clause names by its words (a room, or a car), None if both or none:
    inside a message already cut by service, "订贵宾接待室10人9点到11点" is a room."""
    car = _VEHICLE_RE.search(piece) is not None
    rest = _TO_ROOM_RE.sub("", piece)
    if rest != piece and not any(r.search(rest) for _, r in _ROOM_KINDS):
        return Intent.VEHICLE_BOOKING  # a trip to a room
    room = any(r.search(piece) for _, r in _ROOM_KINDS)
    if room == car:
        return None
    return Intent.FACILITY_RESERVATION if room else Intent.VEHICLE_BOOKING


def clauses(text: str) -> list[str]:
    """The message cut at its separators, empty pieces dropped."""
    return [c.strip() for c in _SEP_RE.split(text) if c and c.strip()]


@dataclass
class _Part:
    intent: Intent
    kind: str  # "vehicle" or the facility type / name said
    texts: list[str] = field(default_factory=list)


def _kind(p: Parse) -> str:
    if p.intent is Intent.VEHICLE_BOOKING:
        return "vehicle"
    if p.intent is Intent.ASSET_REQUEST:
        return f"asset:{p.slots.get('asset') or ''}"
    return str(p.slots.get("facility") or p.slots.get("facility_type") or "facility")


def _time_words(text: str, now: datetime) -> tuple[str, str]:
    """(day words, part-of-day words) said in `text`: "下周二", "上午"."""
    ts = parse_time(text, now)
    parts = "".join(m.group(0) for m in PART_RE.finditer(text))
    if not ts.day_said:
        return "", parts
    # the clock times are the clause's own; only a day and a part of day are shared
    day = "".join(w for s, e in ts.spans if _DAY_RE.search(w := PART_RE.sub("", text[s:e])))
    return day, parts


Reader = Callable[[str, datetime, Intent | None], Parse]


def _asset_or_not(piece: str, p: Parse, now: datetime, read: Reader, parts: list[_Part]) -> Parse:
    """A clause's reading as to the asset office: "两台笔记本电脑" (no verb) after a part is a
    requisition; "需要投影仪" after a room, with no count and no 领, is that room's equipment
    (read as no service, so that it stays with the room's words)."""
    if p.intent is Intent.UNKNOWN and parts and asset_noun(piece) is not None \
            and quantity_said(piece):
        return read(piece, now, Intent.ASSET_REQUEST)
    if p.intent is Intent.ASSET_REQUEST and parts and parts[-1].intent is Intent.FACILITY_RESERVATION \
            and not p.slots.get("quantity") and not _TAKE_RE.search(piece):
        return Parse(Intent.UNKNOWN, {}, p.confidence)
    return p


def _things_delivered(piece: str) -> bool:
    """"两台笔记本电脑送到会议室": counted things with where they go, in one clause — a
    requisition, not a trip to the room (a trip carries people: "送专家去报告厅")."""
    m = _DELIVERY_IN_RE.search(piece)
    if m is None or m.start() == 0:
        return False
    head = piece[:m.start()]
    return asset_noun(head) is not None and quantity_said(head) and _VEHICLE_RE.search(head) is None


def read_parts(text: str, now: datetime, read: Reader) -> Parse | None:
    """The parts of a message naming several services, or None (one service, or none).

    `read(text, now, intent)` is the ordinary NLU (intent None: classify; else the slots
    for that intent)."""
    if not may_be_multi(text):
        return None
    pieces = clauses(text)
    if len(pieces) < 2:
        return None
    context: list[str] = []
    parts: list[_Part] = []
    for piece in pieces:
        if parts and parts[-1].intent is Intent.ASSET_REQUEST and _DELIVERY_RE.search(piece):
            parts[-1].texts.append(piece)  # "…两台笔记本电脑，送到会议室": where they go
            continue
        if _things_delivered(piece):
            p = read(piece, now, Intent.ASSET_REQUEST)
        else:
            p = read(piece, now, None)
        if p.intent in _TIMED and (forced := _service_named(piece)) not in (None, p.intent):
            p = read(piece, now, forced)  # the clause names one service's words only
        p = _asset_or_not(piece, p, now, read, parts)
        if p.intent in SERVICES:
            kind = _kind(p)
            same = next((x for x in parts if x.intent is p.intent and x.kind == kind), None)
            if same is None:
                parts.append(_Part(p.intent, kind, [piece]))
            else:
                same.texts.append(piece)
        elif p.intent is Intent.UNKNOWN:
            (parts[-1].texts if parts else context).append(piece)
        else:
            return None  # a status question, a cancel, a repair...: not a bundle
    if len(parts) < 2 or len(parts) > MAX_PARTS:
        return None
    shared = "，".join(context)
    day, daypart = _time_words(shared, now) if shared else ("", "")
    shared_count = read(shared, now, Intent.FACILITY_RESERVATION).slots.get("attendees") if shared else None
    out: list[Parse] = []
    for part in parts:
        own = "，".join(part.texts)
        if part.intent is Intent.ASSET_REQUEST:  # no time of its own: handed over when approved
            p = read(own, now, part.intent)
            out.append(Parse(part.intent, dict(p.slots), p.confidence, extra=p.extra,
                             context={"text": own, "daypart": ""}, words=read_words(own, now)))
            continue
        own_day, own_part = _time_words(own, now)
        prefix = ("" if own_day else day) + ("" if own_part else daypart)
        p = read(prefix + own, now, part.intent)
        slots = dict(p.slots)
        count_slot = "passengers" if part.intent is Intent.VEHICLE_BOOKING else "attendees"
        if shared_count and count_slot not in slots:
            slots[count_slot] = shared_count
        if own_day:
            day = own_day  # a day said in a part goes on to the parts after it
        out.append(Parse(part.intent, slots, p.confidence, day_said=p.day_said or bool(day),
                         duration_minutes=p.duration_minutes,
                         context={"text": own, "daypart": own_part or daypart},
                         words=read_words(own, now)))
    first = out[0]
    return Parse(Intent.SERVICE_BUNDLE, {}, 0.9, parts=tuple(out), plain=first,
                 context={"text": shared}, words=read_words(text, now))


gate_all(globals())  # every pattern above behind its first-character gate (nlp/keywords.py)
