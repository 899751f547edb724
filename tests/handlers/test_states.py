"""Declared dialogue states: every state a handler can write is declared for its flow and
comes back from storage as written; anything else is read as "no flow"."""

from __future__ import annotations

import ast
import json
import logging
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

import pytest

from bot.chat.sessions import Session
from handlers import asset_request, cancel, facility_reservation, repair, vehicle_booking
from handlers.base import Channel, Inbound, InboundKind
from handlers.forms import Draft
from handlers.states import (
    FLOWS,
    PART_FLOWS,
    REASON_FLOW,
    STATE_VERSION,
    AssetRequestStates,
    BundleStates,
    CancelStates,
    FacilityReservationStates,
    RejectReasonStates,
    RepairStates,
    UndeclaredState,
    VehicleBookingStates,
    read_state,
    write_state,
)
from tests.handlers.conftest import TZ, Talk

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"

# The flows whose states each module writes.
WRITERS: dict[str, tuple[type[StrEnum], ...]] = {
    "vehicle_booking.py": (VehicleBookingStates,),
    "facility_reservation.py": (FacilityReservationStates,),
    "facility_rules.py": (FacilityReservationStates,),
    "facility_rooms.py": (FacilityReservationStates,),
    "repair.py": (RepairStates,),
    "cancel.py": (CancelStates,),
    "approval.py": (RejectReasonStates,),
    "rejection.py": (RejectReasonStates,),
    "bundle.py": (BundleStates, VehicleBookingStates, FacilityReservationStates),
    "asset_request.py": (AssetRequestStates,),
}


def _constants(tree: ast.Module) -> dict[str, str]:
    """The module's names bound to a string (`PLACE = "place"`)."""
    out = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            out[node.targets[0].id] = node.value.value
    return out


def _awaited(path: Path) -> set[str]:
    """Every state the module writes by name: `awaiting=X`, `"awaiting": X`,
    `….awaiting = X`, `x["awaiting"] = X` with X a string or a module constant."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = _constants(tree) | {"CONFIRM": "confirm"}  # handlers.forms.CONFIRM
    values: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "awaiting":
            values.append(node.value)
        elif isinstance(node, ast.Dict):
            values += [v for k, v in zip(node.keys, node.values, strict=True)
                       if isinstance(k, ast.Constant) and k.value == "awaiting"]
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if ((isinstance(target, ast.Attribute) and target.attr == "awaiting")
                        or (isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant)
                            and target.slice.value == "awaiting")):
                    values.append(node.value)
    out = set()
    for value in values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            out.add(value.value)
        elif isinstance(value, ast.Name) and value.id in names:
            out.add(names[value.id])
    return out


def test_every_state_a_handler_writes_is_declared() -> None:
    writers = {p.name for p in HANDLERS.rglob("*.py") if _awaited(p)}
    assert writers <= set(WRITERS), f"undeclared flows written in {writers - set(WRITERS)}"
    for name, groups in WRITERS.items():
        declared = {s.value for g in groups for s in g}
        assert _awaited(HANDLERS / name) <= declared, name
    # A form asks for its required slots in turn: each is a state of its flow.
    for module, group in ((vehicle_booking, VehicleBookingStates), (repair, RepairStates),
                          (facility_reservation, FacilityReservationStates)):
        assert set(module.REQUIRED) <= {s.value for s in group}, module.__name__
    assert {facility_reservation.first_missing({"facility_type": "meeting_room", "start": "x", "end": "y",
                                                "attendees": 3, "repeat": "weekly"})} <= {
        s.value for s in FacilityReservationStates}
    assert set(FLOWS) == {vehicle_booking.FLOW, facility_reservation.FLOW, repair.FLOW, cancel.FLOW,
                          REASON_FLOW, "service_bundle", asset_request.FLOW}


NINE = datetime(2026, 12, 1, 9, tzinfo=TZ)
ELEVEN = datetime(2026, 12, 1, 11, tzinfo=TZ)
TYPED = {"date": date(2026, 12, 1), "start": NINE, "end": ELEVEN, "repeat_until": date(2026, 12, 29),
         "passengers": 3, "named": True}


@pytest.mark.parametrize("flow", [f for f in FLOWS if f != "service_bundle"])
def test_each_declared_state_round_trips(flow: str) -> None:
    """A draft's typed times go to storage as ISO strings with their offset and come back
    as the same aware datetimes (in the business zone) and dates."""
    for awaiting in [None, *FLOWS[flow]]:
        draft = Draft(flow, dict(TYPED), awaiting, misses=1)
        stored = json.loads(json.dumps(write_state(draft.to_state())))
        assert stored["v"] == STATE_VERSION
        assert stored["slots"] == {**TYPED, "date": "2026-12-01", "start": "2026-12-01T09:00:00+08:00",
                                   "end": "2026-12-01T11:00:00+08:00", "repeat_until": "2026-12-29"}
        again = Draft.from_state(read_state(stored, tz=TZ), flow)
        assert again == draft and again.awaiting is (None if awaiting is None else FLOWS[flow](awaiting))
        assert again.slots["start"].tzinfo is TZ and again.slots["date"] == date(2026, 12, 1)
        assert draft.slots == TYPED  # writing did not change the draft itself


def test_a_bundle_round_trips() -> None:
    parts = [{"intent": flow, "slots": {"start": NINE, "end": ELEVEN}, "daypart": "上午", "awaiting": awaiting}
             for flow in PART_FLOWS for awaiting in [None, *FLOWS[flow]]]
    for current, awaiting in ((0, None), (None, "confirm"), (len(parts) - 1, None)):
        state = {"flow": "service_bundle", "note": "有代表团来访", "parts": parts, "current": current,
                 "awaiting": awaiting, "misses": 0}
        stored = json.loads(json.dumps(write_state(state)))
        assert stored["parts"][0]["slots"]["start"] == "2026-12-01T09:00:00+08:00"
        assert read_state(stored, tz=TZ) == state


def test_a_moment_stored_with_another_offset_is_read_in_the_business_zone() -> None:
    stored = {"v": STATE_VERSION, "flow": "vehicle_booking", "awaiting": "end",
              "slots": {"start": "2026-12-01T01:00:00+00:00"}}
    start = read_state(stored, tz=TZ)["slots"]["start"]
    assert start == NINE and start.tzinfo is TZ


def test_an_old_draft_still_loads() -> None:
    """A version-1 draft (or one without "v"), written by the code before this one: the
    NLU's naive local strings, read as that clock time in the business zone."""
    old = {"flow": "facility_reservation", "awaiting": "attendees",
           "slots": {"date": "2026-12-01", "start": "2026-12-01T09:00", "end": "2026-12-01T11:00",
                     "repeat": True, "repeat_until": "2026-12-29", "facility_type": "meeting_room"}}
    for stored in (old, {"v": 1, **old}):
        state = read_state(stored, tz=TZ)
        assert state["slots"] == {"date": date(2026, 12, 1), "start": NINE, "end": ELEVEN, "repeat": True,
                                  "repeat_until": date(2026, 12, 29), "facility_type": "meeting_room"}
        assert write_state(state)["slots"]["start"] == "2026-12-01T09:00:00+08:00"  # written anew as version 2
    bundle = {"v": 1, "flow": "service_bundle", "awaiting": None, "current": 0, "note": "",
              "parts": [{"intent": "vehicle_booking", "slots": {"start": "2026-12-01T09:00"}, "awaiting": "end"}]}
    assert read_state(bundle, tz=TZ)["parts"][0]["slots"] == {"start": NINE}


def test_a_time_that_is_no_time_is_no_flow(caplog: pytest.LogCaptureFixture) -> None:
    stored = {"v": STATE_VERSION, "flow": "vehicle_booking", "awaiting": "end", "slots": {"start": "下午"}}
    with caplog.at_level(logging.INFO, logger="handlers.states"):
        assert read_state(stored, tz=TZ, user_id="zhangsan") == {}
    assert caplog.records[-1].getMessage() == "undeclared dialogue state dropped"


@pytest.mark.parametrize("state", [
    {"flow": "vehicle_booking", "awaiting": "destiny", "slots": {}},
    {"flow": "parking", "awaiting": None, "slots": {}},
    {"flow": "repair_request", "awaiting": "confirm", "slots": []},
    {"flow": "service_bundle", "awaiting": None, "parts": [{"intent": "repair_request", "slots": {}}]},
    {"flow": "service_bundle", "awaiting": None, "current": 3,
     "parts": [{"intent": "vehicle_booking", "slots": {}, "awaiting": "purpose"}]},
    {"awaiting": "confirm"},
])
def test_undeclared_states_are_refused_and_read_as_no_flow(
        state: dict[str, object], caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(UndeclaredState):
        write_state(state)
    with caplog.at_level(logging.INFO, logger="handlers.states"):
        assert read_state(state, tz=TZ, user_id="zhangsan") == {}
    assert caplog.records[-1].getMessage() == "undeclared dialogue state dropped"
    assert caplog.records[-1].user == "zhangsan"  # type: ignore[attr-defined]


def test_another_version_is_no_flow_and_none_is_the_first(caplog: pytest.LogCaptureFixture) -> None:
    old = {"flow": "repair_request", "awaiting": "confirm", "slots": {"location": "3号楼"}}
    assert read_state(old, tz=TZ) == old  # written before the version field: version 1
    with caplog.at_level(logging.INFO, logger="handlers.states"):
        assert read_state({**old, "v": STATE_VERSION + 1}, tz=TZ) == {}
    assert caplog.records[-1].getMessage() == "dialogue state of another version dropped"
    assert write_state({}) == {}


def test_only_primitives_and_time_slots_are_written() -> None:
    with pytest.raises(TypeError):  # a moment outside the time slots
        write_state({"flow": "vehicle_booking", "awaiting": "start",
                     "slots": {"vehicle_id": datetime(2026, 12, 1, 9, tzinfo=UTC)}})
    with pytest.raises(TypeError):
        write_state({"flow": "vehicle_booking", "awaiting": "start", "slots": {"start": object()}})


async def test_a_dropped_state_starts_afresh(talk: Talk, caplog: pytest.LogCaptureFixture) -> None:
    """A draft the version no longer knows is no flow: "3个人" is not taken as its answer,
    it is read as a message of its own."""
    stored = {"v": STATE_VERSION + 1, "flow": "vehicle_booking", "awaiting": "passengers",
              "slots": {"start": "2026-12-01T09:00", "end": "2026-12-01T11:00", "destination": "市政府"}}
    session = Session("zhangsan", stored)
    inbound = Inbound(user_id="zhangsan", msg_id="m1", kind=InboundKind.TEXT, received_at=talk.now,
                      text="3个人", channel=Channel.WECOM)
    with caplog.at_level(logging.INFO, logger="handlers.states"):
        reply = await talk.dispatcher.handle(inbound, session)
    assert "dialogue state of another version dropped" in caplog.messages
    assert reply is not None and reply.text.startswith("抱歉，这句我没太明白")  # not the draft's answer
    assert session.new_state == {}  # the dropped draft is removed from storage


async def test_a_draft_of_the_old_version_goes_on(talk: Talk) -> None:
    """A vehicle draft written before the upgrade (version 1, naive local times) is read
    and answered: "3个人" completes it, and it is written back as version 2."""
    stored = {"v": 1, "flow": "vehicle_booking", "awaiting": "passengers",
              "slots": {"date": "2026-12-01", "start": "2026-12-01T09:00", "end": "2026-12-01T11:00",
                        "destination": "市政府", "purpose": "送材料"}}
    session = Session("zhangsan", stored)
    inbound = Inbound(user_id="zhangsan", msg_id="m1", kind=InboundKind.TEXT, received_at=talk.now,
                      text="3个人", channel=Channel.WECOM)
    reply = await talk.dispatcher.handle(inbound, session)
    assert reply is not None and "12月1日(周二) 09:00-11:00" in reply.text and "人数：3人" in reply.text
    assert session.new_state is not None and session.new_state["v"] == STATE_VERSION
    assert session.new_state["awaiting"] == "confirm"
    assert session.new_state["slots"]["start"] == "2026-12-01T09:00:00+08:00"
    assert session.new_state["slots"]["passengers"] == 3
