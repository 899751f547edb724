"""Which of the user's requests a sentence means, from what it says — the kind (车, 会议室,
报修), the day (明天, 周一, 12月5日) and the place (虹桥机场, 301会议室, 3号楼) — for cancel
and status when no number is given:

    "把明天去虹桥机场的车取消了" ──► the vehicle booking of tomorrow to 虹桥机场

Each thing said narrows the candidates; nothing said keeps them all. A kind, day or place
said that matches none of them gives none (the caller then lists them all)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from models.org import RequestType
from models.requests import Request
from nlp.normalize import normalize
from nlp.timeparse import parse_time

KIND_WORDS: tuple[tuple[RequestType, re.Pattern[str]], ...] = (
    (RequestType.REPAIR_REQUEST, re.compile(r"报修|维修|修")),
    (RequestType.VEHICLE_BOOKING, re.compile(r"用车|派车|叫车|车|接机|送机")),
    (RequestType.FACILITY_RESERVATION,
     re.compile(r"会议室|场地|礼堂|接待室|健身房|包间|订房|会场|房间")),
)
MIN_COMMON = 2  # characters a place must share with what was said


@dataclass(frozen=True, slots=True)
class Said:
    """What a sentence says about the request it means."""

    kinds: frozenset[RequestType]
    day: date | None
    text: str  # normalised, for the place

    @property
    def anything(self) -> bool:
        return bool(self.kinds) or self.day is not None


def read_said(text: str, now: datetime) -> Said:
    norm = normalize(text).norm
    kinds = frozenset(k for k, pattern in KIND_WORDS if pattern.search(norm))
    ts = parse_time(norm, now)
    return Said(kinds, ts.date if ts.day_said else None, norm)


def places(request: Request) -> list[str]:
    """Where the request is: destination and origin, the room, the repair's location."""
    d = request.details or {}
    out = [str(d.get(k) or "") for k in ("destination", "origin", "location")]
    if request.facility is not None:
        out += [request.facility.name, request.facility.building]
    return [normalize(p).norm for p in out if p]


def common_length(a: str, b: str) -> int:
    """The length of the longest run of characters `a` and `b` share."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def narrow(candidates: list[Request], text: str, now: datetime, tz: ZoneInfo) -> list[Request] | None:
    """The candidates the sentence can mean, best first; None when it says nothing that
    tells them apart."""
    said = read_said(text, now)
    out = candidates
    if said.kinds:
        out = [r for r in out if r.type in said.kinds]
    if said.day is not None:
        out = [r for r in out if r.start is not None and r.start.astimezone(tz).date() == said.day]
    scores = {r.id: max((common_length(p, said.text) for p in places(r)), default=0) for r in out}
    placed = [r for r in out if scores[r.id] >= MIN_COMMON]
    if placed:
        top = max(scores[r.id] for r in placed)
        return [r for r in placed if scores[r.id] == top]
    return out if said.anything else None
