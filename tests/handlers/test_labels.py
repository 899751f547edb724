"""One wording per type, status and role (handlers/labels.py), the chat's."""

from __future__ import annotations

from handlers.labels import (
    ROLE_NAMES,
    STATUS_NAMES,
    TYPE_NAMES,
    RequestStatus,
    RequestType,
    Role,
    role_name,
    status_label,
)


def test_every_value_has_a_name() -> None:
    assert set(STATUS_NAMES) == set(RequestStatus)
    assert set(TYPE_NAMES) == set(RequestType)
    assert set(ROLE_NAMES) == set(Role)


def test_a_pending_repair_waits_for_dispatch_not_approval() -> None:
    assert status_label(RequestType.REPAIR_REQUEST, RequestStatus.PENDING) == "待派工"
    assert status_label("vehicle_booking", "pending") == "待审批"
    assert status_label("vehicle_booking", "cancelled") == "已取消"
    assert status_label("vehicle_booking", "approved") == "已通过"


def test_unknown_values_are_shown_as_themselves() -> None:
    assert status_label("vehicle_booking", "archived") == "archived"
    assert role_name("auditor") == "auditor"
    assert role_name("fleet_manager") == "车辆管理"
