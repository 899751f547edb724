"""Organisation look-ups over the seeded test bureau (tests/models/org_good.yaml)."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction

from models.org import (
    Department,
    Facility,
    FacilityType,
    RequestType,
    Role,
    User,
    Vehicle,
    approval_chain,
    dept_head_for,
    dictionary_words,
    get_user,
    list_users,
    org_changed,
    users_with_role,
)
from models.seed import seed_org

GOOD = Path(__file__).with_name("org_good.yaml")


@pytest.fixture
async def org(db: str) -> str:
    result = await seed_org(GOOD)
    assert result.ok, result.problems
    return db


async def test_get_user_has_department_and_roles(org: str) -> None:
    user = await get_user("juzhang")
    assert user is not None
    assert user.name == "王局长"
    assert user.department.name == "市机关事务管理局"
    assert user.roles == {Role.STAFF, Role.DEPT_HEAD, Role.ADMIN}
    assert user.has_role("admin") and not user.has_role(Role.DRIVER)
    assert await get_user("nobody") is None


async def test_inactive_user_is_unknown_unless_asked(org: str) -> None:
    await User.filter(userid="wuli").update(active=False)
    assert await get_user("wuli") is None
    user = await get_user("wuli", include_inactive=True)
    assert user is not None and not user.active


@pytest.mark.parametrize(
    ("applicant", "expected"),
    [
        ("zhangsan", "lichu"),  # head of the own department
        ("lichu", "juzhang"),  # a head never approves their own request: one level up
        ("xiaoliu", "chenchu"),  # 物业管理科 has no head: its parent's
        ("qianli", "chenchu"),
        ("wuli", "juzhang"),  # 财务处 has no head: the root's
        ("juzhang", None),  # the top has nobody above
    ],
)
async def test_dept_head_for(org: str, applicant: str, expected: str | None) -> None:
    user = await get_user(applicant)
    assert user is not None
    head = await dept_head_for(user.department.id, exclude_userid=applicant)
    assert (head.userid if head else None) == expected
    if head is not None:
        assert Role.DEPT_HEAD in head.roles


async def test_dept_head_for_skips_inactive_heads(org: str) -> None:
    await User.filter(userid="lichu").update(active=False)
    head = await dept_head_for(11, exclude_userid="zhangsan")
    assert head is not None and head.userid == "juzhang"


async def test_users_with_role(org: str) -> None:
    drivers = await users_with_role(Role.DRIVER)
    assert [u.userid for u in drivers] == ["liushifu", "zhaoshifu"]
    assert [u.userid for u in await users_with_role("fleet_manager")] == ["wangke"]
    async with in_transaction():  # as the organisation's writers do
        await User.filter(userid="wangke").update(active=False)
        await org_changed()
    assert await users_with_role(Role.FLEET_MANAGER) == []
    with pytest.raises(ValueError):
        await users_with_role("pilot")


async def test_approval_chain(org: str) -> None:
    assert await approval_chain(RequestType.VEHICLE_BOOKING) == [Role.DEPT_HEAD, Role.FLEET_MANAGER]
    assert await approval_chain("facility_reservation") == ["facility_admin"]
    assert await approval_chain("repair_request") == []


async def test_approval_chain_unseeded_is_an_error(db: str) -> None:
    with pytest.raises(LookupError):
        await approval_chain(RequestType.VEHICLE_BOOKING)


async def test_dictionary_words(org: str) -> None:
    words = await dictionary_words()
    assert ("301会议室", "facility") in words
    assert ("食堂二楼包间", "facility") in words
    assert ("1号楼", "building") in words
    assert ("沪A12345", "plate") in words
    assert ("沪B11223", "plate") not in words  # out of service
    assert len(words) == len(set(words)) == 5 + 3 + 2
    assert words == sorted(words)


async def test_models_round_trip(org: str) -> None:
    room = await Facility.get(id="gym-1")
    assert room.type is FacilityType.GYM
    assert (room.opens, room.closes) == (time(6, 30), time(21, 30))
    assert room.is_open_for(time(6, 30), time(8, 0))
    assert not room.is_open_for(time(21, 0), time(22, 0))
    assert not room.is_open_for(time(9, 0), time(9, 0))
    car = await Vehicle.get(plate="沪A12345").prefetch_related("driver")
    assert car.seats == 7 and car.in_service and car.driver is not None
    assert car.driver.userid == "zhaoshifu"
    child = await Department.get(id=131).prefetch_related("parent")
    assert child.parent is not None and child.parent.id == 13


async def test_in_transaction_is_picked_up_by_queries(db: str) -> None:
    """Tortoise 1.1.9 keeps the open transaction in a contextvar: plain model calls
    inside `in_transaction()` use it, and an exception rolls all of them back."""
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await Department.create(id=1, name="局")
            assert await Department.filter(id=1).exists()  # sees its own write
            raise RuntimeError("boom")
    assert not await Department.exists()
    async with in_transaction():
        await Department.create(id=2, name="局")
    assert await Department.filter(id=2).exists()


async def test_list_users(org: str) -> None:
    await User.filter(userid="wuli").update(active=False)
    users = await list_users()
    assert [u.userid for u in users] == sorted(u.userid for u in users)
    assert "wuli" not in {u.userid for u in users} and len(users) == 11
    juzhang = next(u for u in users if u.userid == "juzhang")
    assert juzhang.role_list == ["admin", "dept_head", "staff"]
    assert juzhang.department.id == 1
    assert len(await list_users(include_inactive=True)) == 12


async def test_rules_and_fleet_are_kept_until_a_seed_changes_them(org: str) -> None:
    """Read by every booking, changed only by seeding: cached, and a seed here is seen at
    once (another process's within ORG_CACHE_SECONDS)."""
    import yaml

    from models.org import ApprovalRule, max_vehicle_seats

    assert await approval_chain("vehicle_booking") == [Role.DEPT_HEAD, Role.FLEET_MANAGER]
    seats = await max_vehicle_seats()
    assert seats == max(v.seats for v in await Vehicle.filter(in_service=True))
    await ApprovalRule.filter(request_type="vehicle_booking").update(roles=["fleet_manager"])
    await Vehicle.all().update(in_service=False)
    assert await approval_chain("vehicle_booking") == [Role.DEPT_HEAD, Role.FLEET_MANAGER]
    assert await max_vehicle_seats() == seats  # not read again yet

    data = yaml.safe_load(GOOD.read_text(encoding="utf-8"))
    data["approval_rules"]["vehicle_booking"] = ["fleet_manager"]
    assert (await seed_org(data)).ok
    assert await approval_chain("vehicle_booking") == [Role.FLEET_MANAGER]
    assert await max_vehicle_seats() == seats  # the seed put the vehicles back in service


async def test_rooms_are_kept_until_a_seed_changes_them(org: str) -> None:
    """The rooms every reservation message reads: cached like the rules; a room taken out
    of use by a seed is gone at once, a direct change waits for the cache's time."""
    import yaml

    from models.org import Facility, active_facilities, active_facility

    rooms = await active_facilities()
    assert [f.id for f in rooms] == [
        f.id for f in await Facility.filter(active=True).order_by("capacity", "id")]
    first = rooms[0]
    assert await active_facility(first.id) is first
    await Facility.filter(id=first.id).update(active=False)
    assert await active_facility(first.id) is first  # not read again yet

    data = yaml.safe_load(GOOD.read_text(encoding="utf-8"))
    data["facilities"] = [f for f in data["facilities"] if f["id"] != first.id]
    assert (await seed_org(data)).ok
    assert await active_facility(first.id) is None
    assert first.id not in {f.id for f in await active_facilities()}


async def test_another_process_change_is_seen_within_a_check(
    org: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's writer bumps the version row; this process keeps its copy until
    its next check (ORG_CHECK_SECONDS), then reads everything again."""
    from models import org as org_module
    from models.org import ORG_CHECK_SECONDS, ORG_VERSION_KEY, department_name

    clock = [1000.0]
    monkeypatch.setattr(org_module, "monotonic", lambda: clock[0])
    org_module.forget_cached_org()
    assert [u.userid for u in await users_with_role(Role.FLEET_MANAGER)] == ["wangke"]
    assert await department_name(1) is not None
    before = await org_module.org_version()
    # Another process: its change and its bump commit together; our copy is untouched.
    async with in_transaction() as conn:
        await User.filter(userid="wangke").update(active=False)
        await Department.filter(id=1).update(name="新名称")
        await conn.execute_query(
            "INSERT INTO resource_lock (key, version) VALUES ('org:version', 1) "
            "ON CONFLICT (key) DO UPDATE SET version = resource_lock.version + 1")
    assert ORG_VERSION_KEY == "org:version"
    clock[0] += ORG_CHECK_SECONDS / 2
    assert [u.userid for u in await users_with_role(Role.FLEET_MANAGER)] == ["wangke"]
    clock[0] += ORG_CHECK_SECONDS
    assert await users_with_role(Role.FLEET_MANAGER) == []
    assert await department_name(1) == "新名称"
    assert await org_module.org_version() == before + 1
