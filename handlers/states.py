"""The dialogue states, declared: what each flow can wait for, as aiogram's `StatesGroup`
(one `StrEnum` per flow), and the one way a state is read from and written to storage.

A state is a JSON object of primitives (STYLE.md, "Dialogue state"), written with its
format's version:

    {"v": 1, "flow": <flow>, "awaiting": <a state of the flow> | null, "slots": {...},
     "misses": n}                               # the forms (handlers/forms.py `Draft`)
    {"v": 1, "flow": "service_bundle", "awaiting": "confirm" | null, "current": i | null,
     "note": "...", "parts": [{"intent", "slots", "daypart", "awaiting"}], "misses": n}

`write_state` refuses a state that is not declared (a handler's bug, found by the tests
that talk through the dispatcher, and by tests/handlers/test_states.py); `read_state`
reads one written by another version, or naming a flow or state no longer declared, as
"no flow" with a log line: the user starts again rather than meets a half-understood
draft. A state without "v" is of the same shape as version 1 (written before the field).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from nlp.types import Intent

log = logging.getLogger("handlers.states")

STATE_VERSION = 1
VERSION = "v"
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
    version (UndeclaredState, or TypeError for a value JSON cannot hold)."""
    if not state:
        return {}
    _check(state)
    out = {VERSION: STATE_VERSION, **{k: v for k, v in state.items() if k != VERSION}}
    json.dumps(out, ensure_ascii=False)  # primitives only: a datetime or an ORM object fails here
    return out


def read_state(stored: Mapping[str, Any], *, user_id: str = "") -> dict[str, Any]:
    """What the handlers see of a stored state: it without its version, or {} ("no
    flow", logged) when it is of another version or not declared."""
    if not stored:
        return {}
    version = stored.get(VERSION, STATE_VERSION)
    if version != STATE_VERSION:
        log.info("dialogue state of another version dropped",
                 extra={"user": user_id, "version": version, "flow": stored.get("flow")})
        return {}
    state = {k: v for k, v in stored.items() if k != VERSION}
    try:
        _check(state)
    except UndeclaredState as e:
        log.info("undeclared dialogue state dropped",
                 extra={"user": user_id, "flow": stored.get("flow"), "error": str(e)})
        return {}
    return state
