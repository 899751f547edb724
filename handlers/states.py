"""The dialogue states, declared: what each flow can wait for, as aiogram's `StatesGroup`
(one `StrEnum` per flow), and the one way a state is read from and written to storage.

A state is a JSON object of primitives (STYLE.md, "Dialogue state"), written with its
format's version:

    {"v": 2, "flow": <flow>, "awaiting": <a state of the flow> | null, "slots": {...},
     "misses": n}                               # the forms (handlers/forms.py `Draft`)
    {"v": 2, "flow": "service_bundle", "awaiting": "confirm" | null, "current": i | null,
     "note": "...", "parts": [{"intent", "slots", "daypart", "awaiting"}], "misses": n}

The handlers' slots carry the NLU's typed times (nlp/types.py); in storage a moment
(`start`, `end`) is ISO 8601 with its offset (`2026-12-01T09:00:00+08:00`) and a day
(`date`, `repeat_until`) `YYYY-MM-DD`, read back as an aware datetime in the business
zone and a date. Version 1 (also a state without "v", written before the field) kept the
moments as the NLU's local `YYYY-MM-DDTHH:MM`: read in the business zone, so a draft
open across an upgrade goes on.

`write_state` refuses a state that is not declared (a handler's bug, found by the tests
that talk through the dispatcher, and by tests/handlers/test_states.py); `read_state`
reads one written by another version, or naming a flow or state no longer declared, as
"no flow" with a log line: the user starts again rather than meets a half-understood
draft. A state without "v" is of the same shape as version 1 (written before the field).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from nlp.types import Intent

log = logging.getLogger("handlers.states")

STATE_VERSION = 2
READABLE_VERSIONS = frozenset({1, STATE_VERSION})  # 1: moments as naive local strings
VERSION = "v"
MOMENT_SLOTS = ("start", "end")  # aware datetimes in the handlers, ISO with offset stored
DAY_SLOTS = ("date", "repeat_until")  # dates in the handlers, YYYY-MM-DD stored
REASON_FLOW = "reject_reason"  # the 驳回 reason asked for after a tapped card


class VehicleBookingStates(StrEnum):
    """handlers/vehicle_booking.py: a required slot, the read-back, a change after "no car"."""

    START = "start"
    END = "end"
    DESTINATION = "destination"
    PASSENGERS = "passengers"
    PURPOSE = "purpose"
    CONFIRM = "confirm"
    CHANGE = "change"


class FacilityReservationStates(StrEnum):
    """handlers/facility_reservation.py: a room, the window, how many, a series' end, the
    purpose of a room that needs approval, the read-back, a change after "taken"."""

    PLACE = "place"
    START = "start"
    END = "end"
    ATTENDEES = "attendees"
    REPEAT_UNTIL = "repeat_until"
    PURPOSE = "purpose"
    CONFIRM = "confirm"
    CHANGE = "change"


class RepairStates(StrEnum):
    """handlers/repair.py: where, what kind, the description, the read-back."""

    LOCATION = "location"
    REPAIR_CATEGORY = "repair_category"
    DESCRIPTION = "description"
    CONFIRM = "confirm"


class CancelStates(StrEnum):
    """handlers/cancel.py: which request, then "确认" for the one found."""

    REQUEST_NO = "request_no"
    CONFIRM = "confirm"


class RejectReasonStates(StrEnum):
    """handlers/rejection.py: the reason of a 驳回 tapped on a card."""

    REASON = "reason"


class AssetRequestStates(StrEnum):
    """handlers/asset_request.py: what, how many, where (a requisition), which tagged item
    (a transfer or disposal), to which department, why (a disposal), the read-back."""

    ASSET = "asset"
    QUANTITY = "quantity"
    LOCATION = "location"
    TAG = "tag"
    TO_DEPARTMENT = "to_department"
    REASON = "reason"
    CONFIRM = "confirm"


class BundleStates(StrEnum):
    """handlers/bundle.py: the read-back of the whole (a part's own question is its part's
    state, of its service's group)."""

    CONFIRM = "confirm"


FLOWS: Mapping[str, type[StrEnum]] = {
    Intent.VEHICLE_BOOKING.value: VehicleBookingStates,
    Intent.FACILITY_RESERVATION.value: FacilityReservationStates,
    Intent.REPAIR_REQUEST.value: RepairStates,
    Intent.ASSET_REQUEST.value: AssetRequestStates,
    Intent.CANCEL.value: CancelStates,
    REASON_FLOW: RejectReasonStates,
    Intent.SERVICE_BUNDLE.value: BundleStates,
}
# The services a bundle's part can be of.
PART_FLOWS = (Intent.VEHICLE_BOOKING.value, Intent.FACILITY_RESERVATION.value, Intent.ASSET_REQUEST.value)


class UndeclaredState(ValueError):
    """A handler wrote a state its flow does not declare."""


def state_of(flow: str, awaiting: str | None) -> StrEnum | None:
    """The declared state `awaiting` of `flow` (None: nothing awaited); UndeclaredState
    when the flow or the state is not declared."""
    group = FLOWS.get(flow)
    if group is None:
        raise UndeclaredState(f"flow {flow!r} is not declared")
    if awaiting is None:
        return None
    try:
        return group(awaiting)
    except ValueError:
        raise UndeclaredState(f"state {awaiting!r} is not declared for flow {flow!r}") from None


def _check(state: Mapping[str, Any]) -> None:
    flow = state.get("flow")
    if not isinstance(flow, str):
        raise UndeclaredState(f"no flow in {sorted(state)}")
    state_of(flow, state.get("awaiting"))
    if not isinstance(state.get("slots", {}), dict) or not isinstance(state.get("misses", 0), int):
        raise UndeclaredState(f"slots or misses of flow {flow!r} malformed")
    if flow == Intent.SERVICE_BUNDLE.value:
        parts = state.get("parts")
        if not isinstance(parts, list) or not parts:
            raise UndeclaredState("a bundle without parts")
        for part in parts:
            if not isinstance(part, dict) or part.get("intent") not in PART_FLOWS:
                raise UndeclaredState(f"a bundle part of {part!r}")
            state_of(part["intent"], part.get("awaiting"))
            if not isinstance(part.get("slots"), dict):
                raise UndeclaredState("a bundle part without slots")
        current = state.get("current")
        if current is not None and not (isinstance(current, int) and 0 <= current < len(parts)):
            raise UndeclaredState(f"a bundle's current part {current!r}")


def write_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """What goes to storage: {} ends the flow; otherwise the declared state with its
    version, its time slots as ISO strings (UndeclaredState, or TypeError for a value
    JSON cannot hold)."""
    if not state:
        return {}
    _check(state)
    out = _with_slots({k: v for k, v in state.items() if k != VERSION}, _stored_slots)
    out = {VERSION: STATE_VERSION, **out}
    json.dumps(out, ensure_ascii=False)  # primitives only: an ORM object (or a time elsewhere) fails here
    return out


def read_state(stored: Mapping[str, Any], *, tz: ZoneInfo, user_id: str = "") -> dict[str, Any]:
    """What the handlers see of a stored state: it without its version, its time slots
    typed (moments in `tz`), or {} ("no flow", logged) when it is of a version this one
    cannot read or not declared."""
    if not stored:
        return {}
    version = stored.get(VERSION, 1)
    if version not in READABLE_VERSIONS:
        log.info("dialogue state of another version dropped",
                 extra={"user": user_id, "version": version, "flow": stored.get("flow")})
        return {}
    state = {k: v for k, v in stored.items() if k != VERSION}
    try:
        _check(state)
        return _with_slots(state, lambda slots: _typed_slots(slots, tz))
    except (UndeclaredState, TypeError, ValueError) as e:
        log.info("undeclared dialogue state dropped",
                 extra={"user": user_id, "flow": stored.get("flow"), "error": str(e)})
        return {}


def _with_slots(state: dict[str, Any], convert: Callable[[Mapping[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """`state` with `convert` applied to its slots and to each bundle part's."""
    out = dict(state)
    if isinstance(out.get("slots"), dict):
        out["slots"] = convert(out["slots"])
    if isinstance(out.get("parts"), list):
        out["parts"] = [{**part, "slots": convert(part["slots"])} for part in out["parts"]]
    return out


def _stored_slots(slots: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(slots)
    for key in MOMENT_SLOTS:
        if isinstance(out.get(key), datetime):
            out[key] = out[key].isoformat()
    for key in DAY_SLOTS:
        if isinstance(out.get(key), date) and not isinstance(out[key], datetime):
            out[key] = out[key].isoformat()
    return out


def _typed_slots(slots: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """Stored slots typed again (ValueError or TypeError for a value that is no time)."""
    out = dict(slots)
    for key in MOMENT_SLOTS:
        if out.get(key) is not None:
            moment = datetime.fromisoformat(out[key])
            # version 1: the local clock time; version 2: its offset, kept as the zone's
            out[key] = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
    for key in DAY_SLOTS:
        if out.get(key) is not None:
            out[key] = date.fromisoformat(out[key])
    return out
