"""Asset requests (issue 17 item 1) through the real dispatcher: the applicant asks, the
dept head and the asset office approve, the asset manager hands over; stock and the
register stay exact, the audit trail and the outbox carry every step."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from models import org
from models.assets import Asset, AssetState, in_stock
from models.audit import AuditLog
from models.requests import Request, RequestStatus
from models.seed import seed_org
from tests.handlers.conftest import ORG_FILE, Talk

REGISTER = [
    {"tag": "A-2024-01", "category": "笔记本电脑", "name": "联想ThinkPad X13", "location": "资产库房",
     "value": 6800, "quantity": 3},
    {"tag": "A-2023-05", "category": "办公椅", "name": "人体工学办公椅", "location": "资产库房",
     "value": 450, "quantity": 2},
    {"tag": "A-2021-0107", "category": "投影仪", "name": "爱普生CB-X50", "location": "3号楼502室",
     "value": 4200, "keeper": "zhangsan", "department": 11},
    {"tag": "A-2019-0032", "category": "打印机", "name": "惠普LaserJet 1020", "location": "1号楼205室",
     "value": 1800, "keeper": "zhangsan", "department": 11},
]


def asset_org(**rules: Any) -> dict[str, Any]:
    data = yaml.safe_load(ORG_FILE.read_text(encoding="utf-8"))
    data["users"].append({"userid": "zhaozi", "name": "赵资", "department": 13,
                          "roles": ["staff", "asset_manager"]})
    data["assets"] = REGISTER
    data["approval_rules"]["asset_request"] = ["dept_head", "asset_manager"]
    data["approval_rules"]["asset_request.disposal"] = ["dept_head", "asset_manager", "dept_head@13"]
    data["approval_rules"].update(rules)
    return data


@pytest.fixture
async def office(talk: Talk) -> Talk:
    result = await seed_org(asset_org())
    assert result.ok, result.problems
    assert result.counts["assets"].created == 7
    org.forget_cached_org()
    return talk


async def test_requisition_through_dept_head_and_asset_manager(office: Talk) -> None:
    talk = office
    reply = await talk.say("zhangsan", "领两台笔记本电脑")
    assert reply.startswith("放在哪里使用")
    reply = await talk.say("zhangsan", "3号楼502室")
    assert "笔记本电脑 × 2（在库3件）" in reply and "部门负责人 → 资产管理员" in reply
    reply = await talk.say("zhangsan", "确认")
    request = await Request.filter(type="asset_request").order_by("-id").first()
    assert request is not None and request.status is RequestStatus.PENDING
    no = request.no
    assert f"#{no}" in reply and "A-2024-01-001、A-2024-01-002" in reply and "李处" in reply
    assert await in_stock("笔记本电脑") == 1  # reserved on submit
    await talk.deliver()
    assert any(f"同意{no}" in t for t in talk.inbox("lichu"))

    assert f"#{no}" in await talk.say("lichu", f"同意{no}")
    await talk.deliver()
    assert any(f"同意{no}" in t for t in talk.inbox("zhaozi"))
    reply = await talk.say("zhaozi", f"同意{no}")
    await talk.deliver()
    assert any(f"发放#{no}" in t for t in talk.inbox("zhaozi"))
    assert any("已审批通过" in t for t in talk.inbox("zhangsan"))

    reply = await talk.say("zhaozi", "待发放")
    assert f"#{no} 领用 笔记本电脑 × 2" in reply
    reply = await talk.say("zhaozi", f"发放#{no}")
    assert reply.startswith(f"已发放 #{no}：A-2024-01-001、A-2024-01-002")
    await talk.deliver()
    assert any("已发放" in t and "登记在您名下" in t for t in talk.inbox("zhangsan"))
    issued = await Asset.filter(tag__in=["A-2024-01-001", "A-2024-01-002"]).prefetch_related("keeper")
    assert {a.state for a in issued} == {AssetState.ISSUED}
    assert {a.keeper.userid for a in issued if a.keeper} == {"zhangsan"}
    assert {a.location for a in issued} == {"3号楼502室"} and {a.department_id for a in issued} == {11}
    actions = [a.action for a in await AuditLog.filter(request_id=request.id).order_by("id")]
    assert actions == ["create", "reserve", "approve", "approve", "hand_over"]
    # done: 已办结, not cancellable, and a second hand-over is refused
    assert "已办结" in await talk.say("zhangsan", f"#{no}进度")
    assert "不能发放" in await talk.say("zhaozi", f"发放#{no}")


async def test_more_than_the_stock_is_not_asked_for_and_cancel_gives_it_back(office: Talk) -> None:
    talk = office
    reply = await talk.say("zhangsan", "要三把办公椅到3号楼502")
    assert "在库只有2件" in reply
    reply = await talk.say("zhangsan", "2")
    assert "办公椅 × 2" in reply
    await talk.say("zhangsan", "确认")
    assert await in_stock("办公椅") == 0
    reply = await talk.say("wuli", "要一把办公椅到财务处")
    assert "已无库存" in reply and "2件已被其他申请预留" in reply
    request = await Request.filter(type="asset_request").order_by("-id").first()
    assert request is not None
    reply = await talk.say("zhangsan", f"取消{request.no}")
    assert "预留的资产已退回库存" in reply
    assert await in_stock("办公椅") == 2
    await talk.deliver()
    assert any("无需再审批" in t for t in talk.inbox("lichu"))


async def test_reject_gives_the_items_back(office: Talk) -> None:
    talk = office
    await talk.say("zhangsan", "领一台笔记本电脑到1号楼305")
    await talk.say("zhangsan", "确认")
    request = await Request.filter(type="asset_request").order_by("-id").first()
    assert request is not None
    assert await in_stock("笔记本电脑") == 2
    await talk.say("lichu", f"驳回{request.no}，理由：本月已领过")
    await talk.deliver()
    assert await in_stock("笔记本电脑") == 3
    assert any("预留的资产已退回库存" in t for t in talk.inbox("zhangsan"))


async def test_transfer_to_another_department(office: Talk) -> None:
    talk = office
    reply = await talk.say("zhangsan", "把3号楼502的投影仪调给财务处")
    assert "A-2021-0107" in reply and "调给：财务处" in reply
    await talk.say("zhangsan", "确认")
    item = await Asset.get(tag="A-2021-0107")
    assert item.state is AssetState.TRANSFERRING and item.held_by_id is not None
    request = await Request.get(id=item.held_by_id)
    no = request.no
    await talk.say("lichu", f"同意{no}")
    await talk.say("zhaozi", f"同意{no}")
    reply = await talk.say("zhaozi", f"办结#{no}")
    assert reply.startswith(f"已办结调剂 #{no}：A-2021-0107 转入财务处")
    item = await Asset.get(tag="A-2021-0107")
    assert item.state is AssetState.ISSUED and item.department_id == 14 and item.held_by_id is None
    # another department's item: only its own department asks for it
    reply = await talk.say("zhangsan", "把资产编号A-2021-0107的投影仪调给办公室")
    assert "登记在财务处名下" in reply


async def test_disposal_adds_the_asset_office(office: Talk) -> None:
    talk = office
    reply = await talk.say("zhangsan", "报废一台旧打印机 资产编号 A-2019-0032")
    assert reply.startswith("请说一下处置原因")
    reply = await talk.say("zhangsan", "已到使用年限，无法修复")
    assert "部门负责人 → 资产管理员 → 房产管理处负责人" in reply
    await talk.say("zhangsan", "确认")
    request = await Request.filter(type="asset_request").order_by("-id").prefetch_related(
        "steps__approver").first()
    assert request is not None
    assert [s.approver.userid for s in sorted(request.steps, key=lambda s: s.seq)] == [
        "lichu", "zhaozi", "chenchu"]  # 房产管理处 (13) is the asset office here
    for who in ("lichu", "zhaozi", "chenchu"):
        await talk.say(who, f"同意{request.no}")
    reply = await talk.say("zhaozi", f"办结#{request.no}")
    assert "已注销登记" in reply
    assert (await Asset.get(tag="A-2019-0032")).state is AssetState.DISPOSED
    reply = await talk.say("zhangsan", "报废资产编号A-2019-0032的打印机")
    assert "已处置" in reply


async def test_stock_question_and_only_the_manager_hands_over(office: Talk) -> None:
    talk = office
    assert "笔记本电脑：在库可领3件" in await talk.say("zhangsan", "笔记本还有几台")
    reply = await talk.say("zhaozi", "在库查询")
    assert "办公椅：可领2" in reply and "投影仪：可领0，在用1" in reply
    assert "只有资产管理员" in await talk.say("zhangsan", "发放#1001")
    reply = await talk.say("zhaozi", "帮助")
    assert "资产领用：如“领两台笔记本电脑”" in reply and "“待发放”" in reply
    assert "“待发放”" not in await talk.say("zhangsan", "帮助")


async def test_an_older_organisation_file_still_works(talk: Talk) -> None:
    """org_good.yaml has no register and no asset rule: valid; asset requests say so."""
    reply = await talk.say("zhangsan", "领两台笔记本电脑")
    assert "没有可以领用的物品" in reply
    assert await org.approval_chain("asset_request") == ["dept_head", "asset_manager"]


async def test_the_power_list_shows_the_asset_rules(office: Talk) -> None:
    """权力清单: the asset service's steps, the disposal's own chain with the asset office
    named, and who hands over."""
    from datetime import timedelta

    from handlers.transparency import power_list

    asset = next(s for s in await power_list(timedelta(hours=4)) if s.type == "asset_request")
    assert [(s.role, s.who) for s in asset.steps][1:] == [("资产管理员", "赵资")]
    assert "处置另按：部门负责人 → 资产管理员 → 房产管理处负责人。" in asset.notes
    assert any("资产管理员（赵资）发放或办结" in n for n in asset.notes)
