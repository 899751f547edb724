"""权力清单 (bot/web/powers.py, handlers/transparency.py): every service with who approves
each step, the time limits and the reminders, from the rules in force — for everyone
signed in; linked from /m/ and from 帮助 in chat."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.web.dashboard import CLOCK
from handlers.transparency import duration, working_hours
from models.org import ApprovalRule, Facility
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


def section(html: str, service: str) -> str:
    m = re.search(rf'<section class="card" data-service="{service}">(.*?)</section>', html, re.S)
    assert m is not None, html
    return m[1]


async def test_needs_a_sign_in(client: TestClient) -> None:
    resp = await client.get("/m/services", allow_redirects=False)
    assert resp.status == 302


async def test_every_service_with_its_approvers_and_limits(client: TestClient,
                                                           fake_wecom: FakeWeCom) -> None:
    await login(client, fake_wecom, "zhangsan")
    html = await page(client, "/m/services")
    car = section(html, "vehicle_booking")
    assert "<h2>用车</h2>" in car
    assert re.search(r"第1步 部门负责人</b><div class=\"muted\">申请人所在部门的负责人", car)
    assert "第2步 车辆管理</b><div class=\"muted\">王科</div>" in car
    # The reminder limit in force (settings: 4 working hours) and the escalation at twice it.
    assert "超过4小时（工作时间）未处理，提醒审批人一次" in car
    assert "超过8小时仍未处理，告知上一级负责人" in car
    room = section(html, "facility_reservation")
    assert "第1步 场地管理</b><div class=\"muted\">周静</div>" in room
    assert "需要审批的场地：大礼堂、食堂二楼包间、101接待室。" in room
    assert "预约即成功、无需审批的场地：职工健身房、301会议室。" in room
    assert "开始前15分钟请预约人回复“确认使用”" in room
    repair = section(html, "repair_request")
    assert "无需审批" in repair and "报修调度（孙伟）" in repair
    assert "超过30分钟（工作时间）未派工" in repair
    assert "09:00–12:00、13:30–17:30" in html


async def test_follows_the_rules_in_force(client: TestClient, fake_wecom: FakeWeCom) -> None:
    await ApprovalRule.filter(request_type="repair_request").update(roles=["dept_head"])
    await Facility.filter(id="aud-1").update(needs_approval=False)
    await login(client, fake_wecom, "zhangsan")
    html = await page(client, "/m/services")
    assert "第1步 部门负责人" in section(html, "repair_request")
    assert "需要审批的场地：食堂二楼包间、101接待室。" in section(html, "facility_reservation")


def test_words() -> None:
    from datetime import timedelta

    assert duration(timedelta(hours=4)) == "4小时"
    assert duration(timedelta(minutes=90)) == "1小时30分钟"
    assert duration(timedelta(minutes=15)) == "15分钟"
    assert working_hours().startswith("工作时间为周一至周五的 09:00–12:00、13:30–17:30")
