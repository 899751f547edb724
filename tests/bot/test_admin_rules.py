"""The asset kinds' approval rules on the admin rules page (issue 17 item 5): a kind's own
rule (`asset_request.disposal`) and `dept_head@<department>` steps edited in the browser,
checked, audited, in force at once, kept by a re-seed; cleared, the kind follows its
service's rule again."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from models import org
from models.org import AdminEdit, ApprovalRule, UserRole, approval_rule
from models.seed import seed_org
from tests.bot.test_admin import (  # noqa: F401  (the fixtures)
    admin_records,
    client,
    error_beside,
    followed,
    post,
    signed_admin,
)
from tests.bot.test_pages import page
from tests.handlers.test_asset_request import asset_org

DISPOSAL = "/admin/rules/asset_request.disposal"


@pytest.fixture
async def office(signed_admin: TestClient) -> TestClient:  # noqa: F811
    assert (await seed_org(asset_org())).ok
    org.forget_cached_org()
    return signed_admin


async def test_the_kinds_are_listed_with_their_own_rule_or_their_services(office: TestClient) -> None:
    listing = await page(office, "/admin/rules")
    assert "资产·处置" in listing and "部门负责人 → 资产管理员 → 房产管理处负责人" in listing
    assert "资产·领用" in listing and "沿用“资产”的流程" in listing
    form = await page(office, DISPOSAL)
    assert 'value="dept_head@13" selected' in form and "沿用“资产”的流程" in form


async def test_edit_a_kinds_rule_audited_in_force_and_kept_by_seed(office: TestClient) -> None:
    assert await approval_rule("asset_request", "disposal") == ["dept_head", "asset_manager", "dept_head@13"]
    location = await post(office, DISPOSAL, {"step1": "asset_manager", "step2": "dept_head@14",
                                             "step3": "", "step4": ""})
    assert ("部门负责人 → 资产管理员 → 房产管理处负责人 改为 资产管理员 → 财务处负责人"
            in await followed(office, location))
    assert await approval_rule("asset_request", "disposal") == ["asset_manager", "dept_head@14"]
    [record] = await admin_records()
    assert (record.action, record.actor) == ("rule_updated", "juzhang")
    assert record.details["key"] == "asset_request.disposal"
    assert await AdminEdit.filter(kind="rule", key="asset_request.disposal").exists()
    assert (await seed_org(asset_org())).ok  # the file still says dept_head → … → @13
    org.forget_cached_org()
    assert (await ApprovalRule.get(request_type="asset_request.disposal")).roles == [
        "asset_manager", "dept_head@14"]

    # a kind's rule of its own for the requisitions, then back to the service's
    location = await post(office, "/admin/rules/asset_request.requisition", {"step1": "asset_manager"})
    assert "沿用“资产”的流程 改为 资产管理员" in await followed(office, location)
    assert await approval_rule("asset_request", "requisition") == ["asset_manager"]
    location = await post(office, "/admin/rules/asset_request.requisition", {"step1": ""})
    assert "资产管理员 改为 沿用“资产”的流程" in await followed(office, location)
    assert await approval_rule("asset_request", "requisition") == ["dept_head", "asset_manager"]
    assert not await ApprovalRule.exists(request_type="asset_request.requisition")
    removed = await admin_records()
    assert removed[-1].details["changes"] == {"roles": [["asset_manager"], None]}
    # a removal is an edit too: the disposal cleared stays cleared after a re-seed
    await post(office, DISPOSAL, {"step1": ""})
    assert (await seed_org(asset_org())).ok
    org.forget_cached_org()
    assert not await ApprovalRule.exists(request_type="asset_request.disposal")
    assert await approval_rule("asset_request", "disposal") == ["dept_head", "asset_manager"]


async def test_a_bad_kind_rule_changes_nothing(office: TestClient) -> None:
    text = await post(office, DISPOSAL, {"step1": "dept_head@999"}, 400)
    assert error_beside(text, "step1") == "请从列表中选择角色。"
    text = await post(office, DISPOSAL, {"step1": "dept_head@13", "step2": "dept_head@13"}, 400)
    assert "不能在同一审批流程中出现两次" in error_beside(text, "step2")
    await UserRole.filter(role="dept_head").delete()
    text = await post(office, DISPOSAL, {"step1": "asset_manager", "step2": "dept_head@13"}, 400)
    assert "目前没有部门负责人" in error_beside(text, "step2")
    assert (await ApprovalRule.get(request_type="asset_request.disposal")).roles == [
        "dept_head", "asset_manager", "dept_head@13"]
    assert await admin_records() == []
    await page(office, "/admin/rules/asset_request.repair", 404)
