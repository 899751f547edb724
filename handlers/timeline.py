"""A request's timeline (/m/requests/N): every step from its audit trail — created, each
decision with who and when, dispatch, start, finish, cancellation, rating — in the words of
handlers/labels.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from handlers.common import fmt_day
from handlers.labels import ACTION_NAMES, role_name
from models.audit import AuditLog, trail_of
from models.org import User
from models.requests import Request, ordered_steps

SYSTEM = "系统"
# Records that only say a timer looked at the request: kept in the trail, not shown.
QUIET = frozenset({"ask_checkin"})


@dataclass(frozen=True, slots=True)
class Moment:
    at: str  # "11月27日(周五) 14:05"
    text: str  # "李处（部门负责人）同意"


async def timeline(request: Request, tz: ZoneInfo) -> list[Moment]:
    """What happened to `request`, oldest first (its steps fetched)."""
    records = [r for r in await trail_of(request.id) if r.action in ACTION_NAMES
               and r.action not in QUIET]
    ids = {r.actor for r in records} | {str((r.details or {}).get(k) or "") for r in records
                                        for k in ("worker", "driver")}
    names = dict(await User.filter(userid__in=[i for i in ids if i]).values_list("userid", "name"))
    roles = {s.seq: s.role for s in ordered_steps(request)}
    out = []
    for r in records:
        at = r.at.astimezone(tz)
        out.append(Moment(f"{fmt_day(at, tz)} {at:%H:%M}", _say(r, names, roles)))
    return out


def _say(r: AuditLog, names: dict[str, str], roles: dict[int, str]) -> str:
    d: dict[str, Any] = r.details or {}
    who = SYSTEM if r.actor == "system" else names.get(r.actor, r.actor)
    what = ACTION_NAMES[r.action]
    extra = ""
    if r.action in ("approve", "reject") and d.get("step") in roles:
        who += f"（{role_name(roles[d['step']])}）"
    if r.action == "reject":
        extra = f"，理由：{d['comment']}" if d.get("comment") else "，未填写理由"
    elif r.action == "approve" and d.get("comment"):
        extra = f"，意见：{d['comment']}"
    elif r.action == "assign" and d.get("worker"):
        extra = f"给{names.get(d['worker'], d['worker'])}"
    elif r.action in ("completed", "waiting_parts") and d.get("note"):
        extra = f"：{d['note']}"
    elif r.action == "trip_start" and d.get("odometer") is not None:
        extra = f"，出发里程 {d['odometer']} 公里"
    elif r.action == "trip_finish":
        costs = [f"回程里程 {d['odometer']} 公里" if d.get("odometer") is not None else "",
                 f"过路费 {d['tolls']:g} 元" if d.get("tolls") is not None else "",
                 f"停车费 {d['parking']:g} 元" if d.get("parking") is not None else ""]
        extra = "，" + "，".join(c for c in costs if c) if any(costs) else ""
    elif r.action == "rate":
        extra = f" {d.get('score')} 分" + (f"：{d['comment']}" if d.get("comment") else "")
    elif r.action == "change_vehicle" and d.get("vehicle"):
        extra = f"为 {d['vehicle']}（司机{names.get(str(d.get('driver')), d.get('driver') or '')}）"
    if r.action in ("complete", "release"):  # the clock's doing: nobody to name
        return f"{what}{extra}"
    return f"{who}{what}{extra}"
