"""The admin pages (bot/web/admin.py) in the real app, on SQLite and PostgreSQL: only for
`admin` (OAuth, as /m/), CSRF on every POST, every problem beside its field in Chinese
with nothing written, each change audited (who, what, old → new, channel web) and in
force at once for new requests; a re-seed leaves the admin's edits alone.

The organisation is tests/models/org_good.yaml: 王局长 (juzhang) is the admin; 沪A12345
(7 seats, 赵师傅) and 沪A67890 (5 seats, 刘师傅) in service, 沪B11223 (20 seats) not."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import unquote

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.web.dashboard import CLOCK
from models.audit import AuditLog
from models.org import (
    AdminEdit,
    ApprovalRule,
    Facility,
    User,
    Vehicle,
    approval_chain,
    max_vehicle_seats,
)
from models.seed import seed_org
from nlp import Nlu
from settings import Settings
from tests.bot.test_pages import ORG, ClientFactory, login, page
from tests.fakewecom import FakeWeCom


@pytest.fixture
async def client(db: str, aiohttp_client: ClientFactory, wecom_settings: Settings,
                 shared_nlu: Nlu, now: datetime) -> TestClient:
    """The real app on the test organisation, its clock at `now` (as tests/bot/test_pages.py)."""
    assert (await seed_org(ORG)).ok
    app = create_app(wecom_settings, manage_db=False, nlu=shared_nlu)
    app[CLOCK] = lambda: now
    return await aiohttp_client(app)

TOKEN_RE = re.compile(r'name="csrf" value="([^"]+)"')
CAR = {"model": "别克GL8", "seats": "7", "driver": "zhaoshifu", "in_service": "on"}


async def token(client: TestClient, path: str) -> str:
    m = TOKEN_RE.search(await page(client, path))
    assert m is not None
    return m[1]


async def post(client: TestClient, path: str, data: dict[str, Any] | list[tuple[str, str]],
               status: int = 303, *, csrf: str | None = "") -> str:
    """POST a form (with the page's own CSRF token unless `csrf` says otherwise); the
    Location for a redirect, else the page."""
    fields = list(data.items()) if isinstance(data, dict) else list(data)
    if csrf == "":
        csrf = await token(client, path)
    if csrf is not None:
        fields.append(("csrf", csrf))
    resp = await client.post(path, data=fields, allow_redirects=False)
    text = await resp.text()
    assert resp.status == status, text
    return unquote(resp.headers.get("Location", "")) if status == 303 else text


async def followed(client: TestClient, location: str) -> str:
    return await page(client, location)


def error_beside(html: str, name: str) -> str:
    m = re.search(rf'<div class="err" id="e-{name}">([^<]+)</div>', html)
    assert m is not None, html
    return m[1]


async def admin_records() -> list[AuditLog]:
    return await AuditLog.filter(channel="web").order_by("id")


@pytest.fixture
async def signed_admin(client: TestClient, fake_wecom: FakeWeCom) -> TestClient:
    await login(client, fake_wecom, "juzhang")
    return client


# ---------------------------------------------------------------------------------------
# Who may


async def test_only_admins(client: TestClient, fake_wecom: FakeWeCom) -> None:
    resp = await client.get("/admin/vehicles", allow_redirects=False)
    assert resp.status == 302  # to WeCom OAuth
    await login(client, fake_wecom, "zhangsan")
    text = await page(client, "/admin/vehicles", 403)
    assert "管理页面只对管理员开放" in text
    resp = await client.post("/admin/vehicles/new", data={"plate": "沪C00001"})
    assert resp.status == 403
    assert not await Vehicle.filter(plate="沪C00001").exists()


async def test_home_links_to_admin_only_for_admins(client: TestClient, fake_wecom: FakeWeCom) -> None:
    await login(client, fake_wecom, "zhangsan")
    assert "/admin/" not in await page(client, "/m/")
    assert 'href="/m/services"' in await page(client, "/m/")
    await login(client, fake_wecom, "juzhang")
    assert 'href="/admin/"' in await page(client, "/m/")


async def test_every_post_needs_the_csrf_token(signed_admin: TestClient) -> None:
    client = signed_admin
    for path, data in (("/admin/vehicles/沪A12345", {**CAR, "seats": "9"}),
                       ("/admin/vehicles/new", {**CAR, "plate": "沪C00001"}),
                       ("/admin/facilities/mr-301", {"name": "x"}),
                       ("/admin/rules/vehicle_booking", {"step1": "fleet_manager"}),
                       ("/admin/roles/zhangsan", {"role": "admin"}),
                       ("/admin/drivers", {"userid": "wuli"})):
        for bad in (None, "forged", "令牌"):
            text = await post(client, path, data, 403, csrf=bad)
            assert "表单已过期" in text
    assert (await Vehicle.get(plate="沪A12345")).seats == 7
    assert await admin_records() == []
    assert await AdminEdit.all().count() == 0


# ---------------------------------------------------------------------------------------
# Vehicles


async def test_edit_a_vehicle_audited_and_in_force(signed_admin: TestClient,
                                                   now: datetime) -> None:
    client = signed_admin
    assert await max_vehicle_seats() == 7  # read, and kept in the cache
    listing = await page(client, "/admin/vehicles")
    assert "沪A12345" in listing and "赵师傅" in listing
    form = await page(client, "/admin/vehicles/沪A12345")
    assert 'value="别克GL8"' in form and 'readonly' in form
    location = await post(client, "/admin/vehicles/沪A12345",
                          {**CAR, "seats": "9", "driver": "liushifu"})
    assert location.startswith("/admin/vehicles?ok=")
    shown = await followed(client, location)
    assert "已保存车辆 沪A12345：座位数 7 → 9；司机 赵师傅 → 刘师傅" in shown
    car = await Vehicle.get(plate="沪A12345").prefetch_related("driver")
    assert car.seats == 9 and car.driver is not None and car.driver.userid == "liushifu"
    assert await max_vehicle_seats() == 9  # in force at once for the next booking
    [record] = await admin_records()
    assert record.actor == "juzhang" and record.action == "vehicle_updated"
    assert record.details == {"kind": "vehicle", "key": "沪A12345",
                              "changes": {"seats": [7, 9], "driver": ["zhaoshifu", "liushifu"]}}
    assert await AdminEdit.filter(kind="vehicle", key="沪A12345").exists()

    # Taking it out of service: no request is offered it from now on.
    await post(client, "/admin/vehicles/沪A12345", {**CAR, "seats": "9", "driver": "liushifu",
                                                    "in_service": ""})
    assert not (await Vehicle.get(plate="沪A12345")).in_service
    assert await max_vehicle_seats() == 5
    # The same form again: nothing changes, nothing recorded.
    location = await post(client, "/admin/vehicles/沪A12345",
                          {**CAR, "seats": "9", "driver": "liushifu", "in_service": ""})
    assert "没有改动" in await followed(client, location)
    assert len(await admin_records()) == 2


async def test_a_bad_vehicle_form_says_why_beside_each_field(signed_admin: TestClient) -> None:
    client = signed_admin
    text = await post(client, "/admin/vehicles/new",
                      {"plate": "12345", "model": "", "seats": "120", "driver": "nobody"}, 400)
    assert "没有保存" in text
    assert "车牌号格式不对" in error_beside(text, "plate")
    assert error_beside(text, "model") == "请填写车型。"
    assert error_beside(text, "seats") == "座位数请填写1到99之间的整数。"
    assert error_beside(text, "driver") == "司机不在可选范围内，请重新选择。"
    assert 'value="12345"' in text  # the admin's own values stay
    # A person without the driver role (a forged option), a plate already there.
    text = await post(client, "/admin/vehicles/new",
                      {**CAR, "plate": "沪A67890"}, 400)
    assert "已经登记过了" in error_beside(text, "plate")
    assert await Vehicle.all().count() == 3
    assert await admin_records() == []


async def test_add_a_vehicle(signed_admin: TestClient) -> None:
    client = signed_admin
    location = await post(client, "/admin/vehicles/new",
                          {"plate": "沪c88888", "model": "红旗H9", "seats": "5", "driver": "",
                           "in_service": "on"})
    assert "已添加车辆 沪C88888" in await followed(client, location)
    car = await Vehicle.get(plate="沪C88888")
    assert (car.model, car.seats, car.driver_id, car.in_service) == ("红旗H9", 5, None, True)
    [record] = await admin_records()
    assert record.action == "vehicle_added"
    assert record.details["changes"]["plate"] == [None, "沪C88888"]


# ---------------------------------------------------------------------------------------
# Drivers


async def test_make_someone_a_driver(signed_admin: TestClient) -> None:
    client = signed_admin
    listing = await page(client, "/admin/drivers")
    assert "赵师傅" in listing and "沪A12345" in listing
    location = await post(client, "/admin/drivers", {"userid": "wuli"})
    assert "吴丽的角色" in await followed(client, location)
    assert (await User.get(userid="wuli").prefetch_related("role_links")).has_role("driver")
    text = await post(client, "/admin/drivers", {"userid": "nobody"}, 400)
    assert error_beside(text, "userid") == "请选择一位在职人员。"


# ---------------------------------------------------------------------------------------
# Facilities


FACILITY = {"name": "302会议室", "type": "meeting_room", "building": "1号楼", "floor": "3楼",
            "capacity": "20", "equipment": "投影仪、话筒，白板", "manager": "zhoujing",
            "open_from": "08:00", "open_to": "20:00", "needs_approval": "", "active": "on"}


async def test_add_and_edit_a_facility(signed_admin: TestClient) -> None:
    client = signed_admin
    location = await post(client, "/admin/facilities/new", {**FACILITY, "id": "mr-302"})
    assert "已添加场地“302会议室”" in await followed(client, location)
    room = await Facility.get(id="mr-302").prefetch_related("manager")
    assert room.equipment == ["投影仪", "话筒", "白板"] and room.floor == "3楼"
    assert room.manager is not None and room.manager.userid == "zhoujing"
    location = await post(client, "/admin/facilities/mr-302",
                          {**FACILITY, "capacity": "24", "needs_approval": "on"})
    shown = await followed(client, location)
    assert "容纳人数 20 → 24；预约需要审批 否 → 是" in shown
    assert (await Facility.get(id="mr-302")).needs_approval


async def test_a_bad_facility_form(signed_admin: TestClient) -> None:
    client = signed_admin
    text = await post(client, "/admin/facilities/new",
                      {**FACILITY, "id": "Room 1", "name": "301会议室", "capacity": "0",
                       "open_from": "20:00", "open_to": "08:00", "type": "ballroom"}, 400)
    assert "编号格式不对" in error_beside(text, "id")
    assert error_beside(text, "capacity") == "容纳人数请填写1到100000之间的整数。"
    assert error_beside(text, "open_to") == "开放结束须晚于开放开始。"
    assert error_beside(text, "type") == "类型不在可选范围内，请重新选择。"
    # The name of another room.
    text = await post(client, "/admin/facilities/new",
                      {**FACILITY, "id": "mr-999", "name": "301会议室"}, 400)
    assert "已经登记过了" in error_beside(text, "name")
    assert await Facility.all().count() == 5
    assert await admin_records() == []


# ---------------------------------------------------------------------------------------
# Approval rules


async def test_change_an_approval_rule(signed_admin: TestClient) -> None:
    client = signed_admin
    assert len(await approval_chain("vehicle_booking")) == 2  # read, and kept in the cache
    assert "部门负责人 → 车辆管理" in await page(client, "/admin/rules")
    location = await post(client, "/admin/rules/vehicle_booking",
                          {"step1": "fleet_manager", "step2": "", "step3": "", "step4": ""})
    assert "部门负责人 → 车辆管理 改为 车辆管理" in await followed(client, location)
    # In force at once: the next booking asks only the fleet manager.
    assert [str(r) for r in await approval_chain("vehicle_booking")] == ["fleet_manager"]
    [record] = await admin_records()
    assert record.details["changes"] == {"roles": [["dept_head", "fleet_manager"],
                                                   ["fleet_manager"]]}


async def test_a_rule_nobody_could_approve_is_refused(signed_admin: TestClient) -> None:
    client = signed_admin
    text = await post(client, "/admin/rules/repair_request", {"step1": "", "step2": "admin"}, 400)
    assert error_beside(text, "step1") == "请从第1步起依次填写，中间不要留空。"
    await User.filter(userid="wangke").update(active=False)
    text = await post(client, "/admin/rules/repair_request", {"step1": "fleet_manager"}, 400)
    assert "目前没有人担任“车辆管理”" in error_beside(text, "step1")
    text = await post(client, "/admin/rules/repair_request",
                      {"step1": "admin", "step2": "admin"}, 400)
    assert "不能在同一审批流程中出现两次" in error_beside(text, "step2")
    assert (await ApprovalRule.get(request_type="repair_request")).roles == []
    await page(client, "/admin/rules/no_such_type", 404)


# ---------------------------------------------------------------------------------------
# Role grants


async def test_grant_and_revoke_roles(signed_admin: TestClient) -> None:
    client = signed_admin
    assert "王局长" in await page(client, "/admin/roles?role=admin")
    assert "张三" not in await page(client, "/admin/roles?role=admin")
    location = await post(client, "/admin/roles/zhangsan", [("role", "staff"), ("role", "admin")])
    assert "张三的角色：职员 → 职员、管理员" in await followed(client, location)
    [record] = await admin_records()
    assert (record.action, record.actor) == ("roles_updated", "juzhang")
    assert record.details["changes"] == {"roles": [["staff"], ["admin", "staff"]]}


async def test_roles_that_others_need_are_kept(signed_admin: TestClient) -> None:
    client = signed_admin
    text = await post(client, "/admin/roles/zhaoshifu", [("role", "staff")], 400)
    assert "仍是 沪A12345 的司机" in error_beside(text, "roles")
    text = await post(client, "/admin/roles/wangke", [("role", "staff")], 400)
    assert "王科是唯一的“车辆管理”，“用车”的审批需要这个角色" in error_beside(text, "roles")
    text = await post(client, "/admin/roles/juzhang", [("role", "staff"), ("role", "dept_head")], 400)
    assert "最后一位管理员" in error_beside(text, "roles")
    text = await post(client, "/admin/roles/zhangsan", [], 400)
    assert "至少保留一个角色" in error_beside(text, "roles")
    text = await post(client, "/admin/roles/zhangsan", [("role", "emperor")], 400)
    assert "请从列表中勾选角色" in error_beside(text, "roles")
    assert await admin_records() == []


# ---------------------------------------------------------------------------------------
# The seed after the admin


async def test_a_reseed_keeps_the_admins_edits(signed_admin: TestClient) -> None:
    client = signed_admin
    await post(client, "/admin/vehicles/沪A12345", {**CAR, "seats": "9"})
    await post(client, "/admin/roles/zhangsan", [("role", "staff"), ("role", "admin")])
    await post(client, "/admin/facilities/new", {**FACILITY, "id": "mr-302"})
    result = await seed_org(ORG)
    assert result.ok and result.counts["vehicles"].kept == 1
    assert (await Vehicle.get(plate="沪A12345")).seats == 9
    assert (await User.get(userid="zhangsan").prefetch_related("role_links")).has_role("admin")
    assert (await Facility.get(id="mr-302")).active  # not in the file, yet not switched off
    # …unless the bureau says so.
    assert (await seed_org(ORG, replace_edits=True)).ok
    assert (await Vehicle.get(plate="沪A12345")).seats == 7
    assert not (await Facility.get(id="mr-302")).active
    assert await AdminEdit.all().count() == 0


async def test_pages_escape_what_admins_typed(signed_admin: TestClient) -> None:
    client = signed_admin
    await post(client, "/admin/vehicles/沪A12345", {**CAR, "model": "<script>x</script>"})
    text = await page(client, "/admin/vehicles")
    assert "<script>x" not in text and "&lt;script&gt;x" in text
