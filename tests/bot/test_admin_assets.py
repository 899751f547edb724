"""The admin pages of the asset register (bot/web/admin_assets.py) in the real app, on
SQLite and PostgreSQL: only for `admin`, CSRF on every POST, every problem beside its
field in Chinese with nothing written, each item added or changed audited (who, what,
old → new, channel web) with its AdminEdit mark, a delivery of stock numbered as the
seed numbers it, items held by a request (or under transfer, or disposed) not edited
here, and a re-seed that leaves the admin's edits alone.

The organisation is tests/models/org_good.yaml with the register of
tests/handlers/test_asset_request.py: 笔记本电脑 A-2024-01-001…003 and 办公椅
A-2023-05-001…002 in stock, 投影仪 A-2021-0107 and 打印机 A-2019-0032 in use by 办公室."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.web.dashboard import CLOCK
from models.assets import Asset, AssetKind, AssetState, create_asset_request
from models.org import AdminEdit, RequestType
from models.requests import NewRequest
from models.seed import seed_org
from nlp import Nlu
from settings import Settings
from tests.bot.test_admin import admin_records, error_beside, followed, post
from tests.bot.test_pages import ClientFactory, login, page
from tests.fakewecom import FakeWeCom
from tests.handlers.test_asset_request import asset_org

CHAIR = {"tag": "B-2026-0001", "category": "办公椅", "name": "网布办公椅", "location": "资产库房",
         "value": "380.5", "department": "", "keeper": "", "state": "in_stock"}
DELIVERY = {"category": "笔记本电脑", "name": "联想ThinkPad X13", "location": "资产库房",
            "value": "6800", "department": "", "quantity": "4", "prefix": "A-2024-01"}


@pytest.fixture
async def client(db: str, aiohttp_client: ClientFactory, wecom_settings: Settings,
                 shared_nlu: Nlu, now: datetime) -> TestClient:
    result = await seed_org(asset_org())
    assert result.ok, result.problems
    app = create_app(wecom_settings, manage_db=False, nlu=shared_nlu)
    app[CLOCK] = lambda: now
    return await aiohttp_client(app)


@pytest.fixture
async def signed_admin(client: TestClient, fake_wecom: FakeWeCom) -> TestClient:
    await login(client, fake_wecom, "juzhang")
    return client


def rows(html: str) -> list[str]:
    return re.findall(r'<tr[^>]* data-key="([^"]+)"', html)


async def test_only_admins(client: TestClient, fake_wecom: FakeWeCom) -> None:
    resp = await client.get("/admin/assets", allow_redirects=False)
    assert resp.status == 302  # to WeCom OAuth
    await login(client, fake_wecom, "zhangsan")
    assert "管理页面只对管理员开放" in await page(client, "/admin/assets", 403)
    for path, data in (("/admin/assets/new", CHAIR), ("/admin/assets/bulk", DELIVERY),
                       ("/admin/assets/A-2024-01-001", {**CHAIR, "name": "x"})):
        resp = await client.post(path, data=data)
        assert resp.status == 403
    assert not await Asset.filter(tag="B-2026-0001").exists()
    assert await Asset.all().count() == 7
    await login(client, fake_wecom, "juzhang")
    assert 'href="/admin/assets"' in await page(client, "/admin/")


async def test_every_post_needs_the_csrf_token(signed_admin: TestClient) -> None:
    for path, data in (("/admin/assets/new", CHAIR), ("/admin/assets/bulk", DELIVERY),
                       ("/admin/assets/A-2024-01-001", {**CHAIR, "name": "改名"})):
        for bad in (None, "forged"):
            assert "表单已过期" in await post(signed_admin, path, data, 403, csrf=bad)
    assert await Asset.all().count() == 7
    assert (await Asset.get(tag="A-2024-01-001")).name == "联想ThinkPad X13"
    assert await admin_records() == []
    assert await AdminEdit.all().count() == 0


async def test_the_register_filtered_and_paged(signed_admin: TestClient) -> None:
    client = signed_admin
    listing = await page(client, "/admin/assets")
    assert rows(listing) == ["A-2019-0032", "A-2021-0107", "A-2023-05-001", "A-2023-05-002",
                             "A-2024-01-001", "A-2024-01-002", "A-2024-01-003"]
    assert "6,800.00" in listing and "张三" in listing and "共 7 件" in listing
    assert rows(await page(client, "/admin/assets?category=办公椅")) == [
        "A-2023-05-001", "A-2023-05-002"]
    assert rows(await page(client, "/admin/assets?state=issued&department=11")) == [
        "A-2019-0032", "A-2021-0107"]
    assert rows(await page(client, "/admin/assets?department=14")) == []
    await post(client, "/admin/assets/bulk", {**DELIVERY, "quantity": "120", "prefix": "C-26"})
    first = await page(client, "/admin/assets?category=笔记本电脑")
    assert len(rows(first)) == 100 and "共 123 件，第 1/2 页" in first
    assert 'href="?category=%E7%AC%94%E8%AE%B0%E6%9C%AC%E7%94%B5%E8%84%91&amp;page=2"' in first
    second = await page(client, "/admin/assets?category=笔记本电脑&page=2")
    assert len(rows(second)) == 23 and rows(second)[-1] == "C-26-120"


async def test_add_an_item_audited(signed_admin: TestClient, now: datetime) -> None:
    client = signed_admin
    assert 'name="csrf"' in await page(client, "/admin/assets/new")
    location = await post(client, "/admin/assets/new", CHAIR)
    assert location.startswith("/admin/assets?ok=")
    assert "已添加资产 B-2026-0001（网布办公椅）。" in await followed(client, location)
    chair = await Asset.get(tag="B-2026-0001")
    assert (chair.category, chair.value, chair.state) == ("办公椅", Decimal("380.50"),
                                                          AssetState.IN_STOCK)
    [record] = await admin_records()
    assert (record.actor, record.action, record.channel) == ("juzhang", "asset_added", "web")
    assert record.details["key"] == "B-2026-0001"
    assert record.details["changes"]["value"] == [None, "380.50"]
    mark = await AdminEdit.get(kind="asset", key="B-2026-0001")
    assert mark.actor == "juzhang"
    await post(client, "/admin/assets/new", {**CHAIR, "tag": "B-2026-0002", "value": "0"})
    assert (await Asset.get(tag="B-2026-0002")).value == Decimal("0.00")  # 0 is a value
    # the register's own stock counts it at once (no cache to forget)
    assert "B-2026-0001" in rows(await page(client, "/admin/assets?category=办公椅"))


async def test_edit_an_item_audited_and_the_tag_fixed(signed_admin: TestClient) -> None:
    client = signed_admin
    form = await page(client, "/admin/assets/A-2024-01-002")
    assert 'value="A-2024-01-002" readonly' in form and 'value="6800.00"' in form
    location = await post(client, "/admin/assets/A-2024-01-002", {
        **CHAIR, "tag": "HACK-1", "category": "笔记本电脑", "name": "联想ThinkPad X13",
        "location": "3号楼502室", "value": "6500", "department": "11", "keeper": "zhangsan",
        "state": "issued"})
    shown = await followed(client, location)
    assert "已保存资产 A-2024-01-002（联想ThinkPad X13）：" in shown
    assert "存放地点 资产库房 → 3号楼502室" in shown and "原值（元） 6800.00 → 6500.00" in shown
    assert "使用部门 （无） → 办公室" in shown and "状态 在库 → 在用" in shown
    item = await Asset.get(tag="A-2024-01-002").prefetch_related("keeper")
    assert (item.location, item.value, item.state, item.department_id) == (
        "3号楼502室", Decimal("6500.00"), AssetState.ISSUED, 11)
    assert item.keeper is not None and item.keeper.userid == "zhangsan"
    assert not await Asset.filter(tag="HACK-1").exists()
    [record] = await admin_records()
    assert record.action == "asset_updated" and record.details["key"] == "A-2024-01-002"
    changes = record.details["changes"]
    assert changes["value"] == ["6800.00", "6500.00"]
    assert changes["keeper"] == [None, "zhangsan"]
    assert changes["department"] == [None, 11]
    assert changes["state"] == ["in_stock", "issued"]
    # the same form again changes nothing and records nothing
    again = await post(client, "/admin/assets/A-2024-01-002", {
        "category": "笔记本电脑", "name": "联想ThinkPad X13", "location": "3号楼502室",
        "value": "6500.00", "department": "11", "keeper": "zhangsan", "state": "issued"})
    assert "没有改动" in await followed(client, again)
    assert len(await admin_records()) == 1


async def test_bad_forms_say_why_beside_each_field(signed_admin: TestClient) -> None:
    client = signed_admin
    html = await post(client, "/admin/assets/new", {
        **CHAIR, "tag": "", "category": "", "value": "-5", "state": "issued"}, 400)
    assert error_beside(html, "tag") == "请填写资产编号。"
    assert error_beside(html, "category") == "请填写类别。"
    assert "金额" in error_beside(html, "value")
    assert error_beside(html, "department") == "“在用”的资产请选择使用部门。"
    assert 'value="网布办公椅"' in html  # the admin's own values, to correct
    for value in ("abc", "1.234", "1e3"):
        html = await post(client, "/admin/assets/new", {**CHAIR, "value": value}, 400)
        assert error_beside(html, "value") == (
            "原值（元）请填写0或以上的金额，最多两位小数，例如 6800 或 450.50。")
    html = await post(client, "/admin/assets/new", {**CHAIR, "value": "1,000,000,000"}, 400)
    assert error_beside(html, "value") == "原值（元）最多999,999,999元，请核对。"

    html = await post(client, "/admin/assets/new", {**CHAIR, "tag": "A-2024-01-001"}, 400)
    assert error_beside(html, "tag") == "A-2024-01-001 已经登记过了，请直接修改那一项。"
    html = await post(client, "/admin/assets/new", {**CHAIR, "tag": "bulk"}, 400)
    assert "格式不对" in error_beside(html, "tag")
    html = await post(client, "/admin/assets/new", {**CHAIR, "keeper": "nobody"}, 400)
    assert error_beside(html, "keeper") == "保管人不在可选范围内，请重新选择。"
    for state in ("transferring", "disposed"):
        html = await post(client, "/admin/assets/A-2024-01-001", {**CHAIR, "state": state}, 400)
        assert "请通过资产申请办理" in error_beside(html, "state")
        assert 'value="A-2024-01-001" readonly' in html
    html = await post(client, "/admin/assets/bulk", {**DELIVERY, "quantity": "0",
                                                      "prefix": "中文"}, 400)
    assert error_beside(html, "quantity") == "数量请填写1到200之间的整数。"
    assert "格式不对" in error_beside(html, "prefix")
    assert await Asset.all().count() == 7
    assert (await Asset.get(tag="A-2024-01-001")).state == AssetState.IN_STOCK
    assert await admin_records() == []
    assert await AdminEdit.all().count() == 0
    assert "没有找到" in await page(client, "/admin/assets/NO-SUCH", 404)


async def test_items_a_request_holds_are_not_edited_here(signed_admin: TestClient,
                                                         now: datetime) -> None:
    request = await create_asset_request(
        NewRequest(type=RequestType.ASSET_REQUEST, applicant="zhangsan",
                   details={"category": "笔记本电脑", "quantity": 1}),
        AssetKind.REQUISITION, now, "chat", category="笔记本电脑", quantity=1)
    held = await Asset.get(held_by_id=request.id)
    listing = await page(signed_admin, "/admin/assets?category=笔记本电脑")
    assert f"在库（#{request.id} 占用）" in listing
    html = await post(signed_admin, f"/admin/assets/{held.tag}",
                      {**CHAIR, "category": "笔记本电脑", "name": "别的"}, 400)
    assert error_beside(html, "state") == (
        f"这件资产已被申请 #{request.id} 占用，办结或退回之前不能在这里修改。")
    await Asset.filter(tag="A-2021-0107").update(state=AssetState.TRANSFERRING)
    await Asset.filter(tag="A-2019-0032").update(state=AssetState.DISPOSED)
    html = await post(signed_admin, "/admin/assets/A-2021-0107",
                      {**CHAIR, "department": "11", "state": "issued"}, 400)
    assert "正在调剂中" in error_beside(html, "state")
    html = await post(signed_admin, "/admin/assets/A-2019-0032",
                      {**CHAIR, "department": "11", "state": "issued"}, 400)
    assert "已处置" in error_beside(html, "state")
    assert (await Asset.get(id=held.id)).name == "联想ThinkPad X13"
    assert (await Asset.get(tag="A-2019-0032")).state == AssetState.DISPOSED
    assert await admin_records() == []


async def test_a_delivery_numbered_after_the_seeds_items(signed_admin: TestClient) -> None:
    client = signed_admin
    assert 'name="prefix"' in await page(client, "/admin/assets/bulk")
    location = await post(client, "/admin/assets/bulk", DELIVERY)
    assert "已入库 4 件笔记本电脑（联想ThinkPad X13），编号 A-2024-01-004 至 A-2024-01-007。" \
        in await followed(client, location)
    new = await Asset.filter(tag__in=[f"A-2024-01-00{i}" for i in range(4, 8)]).order_by("tag")
    assert [a.state for a in new] == [AssetState.IN_STOCK] * 4
    assert {a.value for a in new} == {Decimal("6800.00")}
    records = await admin_records()
    assert [r.details["key"] for r in records] == [f"A-2024-01-00{i}" for i in range(4, 8)]
    assert {r.action for r in records} == {"asset_added"}
    assert await AdminEdit.filter(kind="asset").count() == 4
    location = await post(client, "/admin/assets/bulk", {**DELIVERY, "quantity": "1",
                                                          "prefix": "NEW-9"})
    assert "编号 NEW-9-001。" in await followed(client, location)


async def test_a_reseed_keeps_the_admins_edits(signed_admin: TestClient) -> None:
    await post(signed_admin, "/admin/assets/A-2024-01-001", {
        "category": "笔记本电脑", "name": "联想ThinkPad X13 Gen2", "location": "资产库房",
        "value": "7000", "department": "", "keeper": "", "state": "in_stock"})
    result = await seed_org(asset_org())
    assert result.ok and result.counts["assets"].kept == 1
    item = await Asset.get(tag="A-2024-01-001")
    assert (item.name, item.value) == ("联想ThinkPad X13 Gen2", Decimal("7000.00"))
    assert (await seed_org(asset_org(), replace_edits=True)).ok
    item = await Asset.get(tag="A-2024-01-001")
    assert (item.name, item.value) == ("联想ThinkPad X13", Decimal("6800.00"))
