"""Declared dialogue states: every state a handler can write is declared for its flow and
comes back from storage as written; anything else is read as "no flow"."""

from __future__ import annotations

import ast
import json
import logging
from datetime import UTC, datetime
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
from tests.handlers.conftest import Talk

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


@pytest.mark.parametrize("flow", [f for f in FLOWS if f != "service_bundle"])
def test_each_declared_state_round_trips(flow: str) -> None:
    for awaiting in [None, *FLOWS[flow]]:
        draft = Draft(flow, {"start": "2026-12-01T09:00", "passengers": 3, "named": True}, awaiting, misses=1)
        stored = json.loads(json.dumps(write_state(draft.to_state())))
        assert stored["v"] == STATE_VERSION
        again = Draft.from_state(read_state(stored), flow)
        assert again == draft and again.awaiting is (None if awaiting is None else FLOWS[flow](awaiting))


def test_a_bundle_round_trips() -> None:
    parts = [{"intent": flow, "slots": {"start": "2026-12-01T09:00"}, "daypart": "上午", "awaiting": awaiting}
             for flow in PART_FLOWS for awaiting in [None, *FLOWS[flow]]]
    for current, awaiting in ((0, None), (None, "confirm"), (len(parts) - 1, None)):
        state = {"flow": "service_bundle", "note": "有代表团来访", "parts": parts, "current": current,
                 "awaiting": awaiting, "misses": 0}
        assert read_state(json.loads(json.dumps(write_state(state)))) == state


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
        assert read_state(state, user_id="zhangsan") == {}
    assert caplog.records[-1].getMessage() == "undeclared dialogue state dropped"
    assert caplog.records[-1].user == "zhangsan"  # type: ignore[attr-defined]


def test_another_version_is_no_flow_and_none_is_the_first(caplog: pytest.LogCaptureFixture) -> None:
    old = {"flow": "repair_request", "awaiting": "confirm", "slots": {"location": "3号楼"}}
    assert read_state(old) == old  # written before the version field: the same shape
    with caplog.at_level(logging.INFO, logger="handlers.states"):
        assert read_state({**old, "v": STATE_VERSION + 1}) == {}
    assert caplog.records[-1].getMessage() == "dialogue state of another version dropped"
    assert write_state({}) == {}


def test_only_primitives_are_written() -> None:
    with pytest.raises(TypeError):
        write_state({"flow": "vehicle_booking", "awaiting": "start",
                     "slots": {"start": datetime(2026, 12, 1, 9, tzinfo=UTC)}})


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
