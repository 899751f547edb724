"""The replies about a decision (issue 17): every one ends with the request's page line, as
the other replies about a request do, and nobody is told that they themselves were told
(an asset manager approving, or withdrawing, his own office's hand-over)."""

from __future__ import annotations

import pytest

from models import org
from models.requests import Request
from models.seed import seed_org
from tests.handlers.conftest import Talk
from tests.handlers.test_asset_request import asset_org

BASE = "http://127.0.0.1:8080"


def page(no: int) -> str:
    return f'\n<a href="{BASE}/m/requests/{no}">查看详情</a>'


@pytest.fixture
async def office(linked_talk: Talk) -> Talk:
    data = asset_org()
    data["users"].append({"userid": "qianzi", "name": "钱资", "department": 13,
                          "roles": ["staff", "asset_manager"]})
    assert (await seed_org(data)).ok
    org.forget_cached_org()
    return linked_talk


async def requisition(talk: Talk, user: str = "zhangsan") -> int:
    await talk.say(user, "领一台笔记本电脑")
    await talk.say(user, "3号楼502室")
    reply = await talk.say(user, "确认")
    assert "已提交" in reply, reply
    request = await Request.filter(type="asset_request").order_by("-id").first()
    assert request is not None
    return request.no


async def test_the_approving_asset_manager_is_not_told_of_himself(office: Talk) -> None:
    talk = office
    no = await requisition(talk)
    reply = await talk.say("lichu", f"同意{no}")
    assert reply == f"已同意 #{no}，已转钱资审批。" + page(no)
    await talk.deliver()
    progress = [t for t in talk.inbox("zhangsan") if "现等待钱资审批" in t]
    assert progress and progress[0].endswith(page(no))
    before = len(talk.inbox("qianzi"))
    reply = await talk.say("qianzi", f"同意{no}")
    assert reply == f"已同意 #{no}，已通知张三和资产管理员赵资。请您发放：办完回复“发放#{no}”。" + page(no)
    await talk.deliver()
    assert not any("【待发放】" in t for t in talk.inbox("qianzi")[before:])  # his reply says it
    assert any("【待发放】" in t and f"发放#{no}" in t for t in talk.inbox("zhaozi"))
    approved = [t for t in talk.inbox("zhangsan") if "已审批通过" in t]
    assert approved and approved[0].endswith(page(no))
    reply = await talk.say("qianzi", f"发放#{no}")
    assert reply == f"已发放 #{no}：A-2024-01-001，登记在张三名下。已通知张三。" + page(no)
    await talk.deliver()
    issued = [t for t in talk.inbox("zhangsan") if "已发放" in t]
    assert issued and issued[0].endswith(page(no))


async def test_an_asset_manager_handing_over_his_own_is_not_told_of_himself(office: Talk) -> None:
    talk = office
    no = await requisition(talk, "zhaozi")
    await talk.say("chenchu", f"同意{no}")
    await talk.say("qianzi", f"同意{no}")
    reply = await talk.say("zhaozi", f"发放#{no}")
    assert reply == f"已发放 #{no}：A-2024-01-001，登记在赵资名下。" + page(no)


async def test_a_rejection_and_its_notice_carry_the_page(office: Talk) -> None:
    talk = office
    no = await requisition(talk)
    reply = await talk.say("lichu", f"驳回{no}，理由：本月已领过")
    assert reply == f"已驳回 #{no}（理由：本月已领过），已通知张三。" + page(no)
    await talk.deliver()
    notice = [t for t in talk.inbox("zhangsan") if "未获通过" in t]
    assert notice and notice[0].endswith(page(no))
    assert "无需再审批" in (again := await talk.say("lichu", f"同意{no}")) and again.endswith(page(no))
    refused = await talk.say("wuli", f"同意{no}")
    assert "查看详情" not in refused  # not theirs: no page to open


async def test_an_asset_manager_withdrawing_his_own_is_not_told_of_himself(office: Talk) -> None:
    talk = office
    no = await requisition(talk, "zhaozi")
    await talk.say("chenchu", f"同意{no}")
    reply = await talk.say("qianzi", f"同意{no}")
    assert "资产管理员赵资" not in reply
    reply = await talk.say("zhaozi", f"取消#{no}")
    assert "已取消" in reply and "资产管理员赵资" not in reply, reply
    assert "资产管理员钱资" in reply
