"""models/admin.py beyond the pages: two admins adding the same plate at once (one wins,
the other is told, nothing half-written), the seed file's facility fields."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest

from models.admin import AdminRefused, save_vehicle
from models.audit import AuditLog
from models.org import Facility, Vehicle
from models.seed import seed_org, validate_org

ORG = Path(__file__).resolve().parent / "org_good.yaml"


async def test_the_same_plate_added_twice_at_once(db: str, now: datetime) -> None:
    assert (await seed_org(ORG)).ok
    car = {"plate": "沪C12121", "model": "红旗H9", "seats": 5, "in_service": True, "driver": None}
    results = await asyncio.gather(save_vehicle(None, car, "juzhang", now),
                                   save_vehicle(None, car, "lichu", now), return_exceptions=True)
    refused = [r for r in results if isinstance(r, AdminRefused)]
    assert len(refused) == 1 and refused[0].code == "taken", results
    assert await Vehicle.filter(plate="沪C12121").count() == 1
    assert await AuditLog.filter(action="vehicle_added").count() == 1


async def test_facility_floor_equipment_manager_from_the_file(db: str) -> None:
    import yaml

    data = yaml.safe_load(ORG.read_text(encoding="utf-8"))
    data["facilities"][0].update(floor="3楼", equipment=["投影仪", "话筒"], manager="zhoujing")
    assert (await seed_org(data)).ok
    room = await Facility.get(id="mr-301").prefetch_related("manager")
    assert (room.floor, room.equipment) == ("3楼", ["投影仪", "话筒"])
    assert room.manager is not None and room.manager.userid == "zhoujing"


@pytest.mark.parametrize(("extra", "problem"), [
    ({"manager": "nobody"}, "facilities[0].manager: unknown manager nobody"),
    ({"equipment": ["投影仪", ""]}, "facilities[0].equipment[1]: must be a non-empty string"),
    ({"equipment": "投影仪"}, "facilities[0].equipment: must be a list"),
])
def test_facility_fields_checked(extra: dict[str, object], problem: str) -> None:
    import yaml

    data = yaml.safe_load(ORG.read_text(encoding="utf-8"))
    data["facilities"][0].update(extra)
    assert any(str(p).startswith(problem) for p in validate_org(data)), validate_org(data)


async def test_the_last_two_holders_of_a_role_taken_at_once(db: str, now: datetime) -> None:
    """Two admins each take `fleet_manager` from one of its two holders at the same moment:
    one passes, the other is told the role is needed — never nobody left to approve."""
    from models.admin import set_roles
    from models.org import User, UserRole

    assert (await seed_org(ORG)).ok
    lichu = await User.get(userid="lichu")
    await UserRole.create(user=lichu, role="fleet_manager")
    results = await asyncio.gather(set_roles("wangke", {"staff"}, "juzhang", now),
                                   set_roles("lichu", {"staff", "dept_head"}, "juzhang", now),
                                   return_exceptions=True)
    refused = [r for r in results if isinstance(r, AdminRefused)]
    assert len(refused) == 1 and refused[0].code == "last_holder", results
    assert await UserRole.filter(role="fleet_manager").count() == 1
