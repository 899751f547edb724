"""Which of the user's requests a sentence means, from what it says — the kind (车, 会议室,
报修), the day (明天, 周一, 12月5日) and the place (虹桥机场, 301会议室, 3号楼) — for cancel
and status when no number is given:

    "把明天去虹桥机场的车取消了" ──► the vehicle booking of tomorrow to 虹桥机场

The NLU reads the sentence (nlp/words.py: `kinds`, `day`, `norm`); each thing said
narrows the candidates; nothing said keeps them all. A kind, day or place said that
matches none of them gives none (the caller then lists them all)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from models.requests import Request
from nlp.normalize import normalize
from nlp.words import Words

MIN_COMMON = 2  # characters a place must share with what was said


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


def narrow(candidates: list[Request], said: Words, tz: ZoneInfo) -> list[Request] | None:
    """The candidates the sentence can mean (as the NLU read it: `Parse.words`), best
    first; None when it says nothing that tells them apart."""
    out = candidates
    if said.kinds:
        out = [r for r in out if r.type in said.kinds]
    if said.day is not None:
        out = [r for r in out if r.start is not None and r.start.astimezone(tz).date() == said.day]
    scores = {r.id: max((common_length(p, said.norm) for p in places(r)), default=0) for r in out}
    placed = [r for r in out if scores[r.id] >= MIN_COMMON]
    if placed:
        top = max(scores[r.id] for r in placed)
        return [r for r in placed if scores[r.id] == top]
    return out if said.kinds or said.day is not None else None
