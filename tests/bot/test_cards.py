"""Interactive approval cards end to end: the `button_interaction` card reaches the
approver through `message/send`, a tap comes back as a real encrypted
`template_card_event`, the step is decided for whoever tapped, and the card is replaced
through `message/update_template_card` with its single-use response_code."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from itertools import count
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from tortoise.transactions import in_transaction

from bot.app import WORKER, create_app
from bot.chat.ratelimit import MemoryLimiter
from bot.web.links import SignedLinks
from bot.wecom.client import WeComClient, WeComError
from bot.wecom.notifier import OutboxNotifier, OutboxWorker
from bot.wecom.transport import WeComTransport
from handlers.base import Message
from handlers.common import notify_approver
from models.audit import AuditLog
from models.outbox import MessageKind, OutboxMessage, OutboxStatus
from models.requests import Request, RequestStatus, get_request, ordered_steps
from models.seed import seed_org
from nlp import Nlu
from settings import Settings
from tests.bot.test_app import ORG, post, settle
from tests.bot.test_approve_links import booking, decisions
from tests.bot.wecomsim import WeComSim
from tests.drain import drained
from tests.fakewecom import FakeWeCom
from tests.handlers.test_approval import PAGE_1001

ClientFactory = Callable[..., Awaitable[TestClient]]
_times = count(1_795_000_000)  # distinct CreateTime per tap: events dedup on it


@pytest.fixture
async def client(db: str, aiohttp_client: ClientFactory, wecom_settings: Settings,
                 shared_nlu: Nlu) -> TestClient:
    assert (await seed_org(ORG)).ok
    return await aiohttp_client(create_app(wecom_settings, manage_db=False, nlu=shared_nlu))


def tap_xml(sim: WeComSim, user: str, action: str, request: Request, seq: int,
            code: str, create_time: int | None = None) -> str:
    step = ordered_steps(request)[seq - 1]
    return sim.event(user, "template_card_event", {
        "EventKey": f"{action}:{request.no}:{step.id}",
        "TaskId": f"req{request.no}s{step.id}",
        "CardType": "button_interaction",
        "ResponseCode": code,
    }, create_time=create_time or next(_times))


async def tap(client: TestClient, sim: WeComSim, *args: Any, **kw: Any) -> None:
    assert await post(client, sim, tap_xml(sim, *args, **kw)) == 200
    await settle(client)


async def cards_for(fake: FakeWeCom, n: int) -> list[dict[str, Any]]:
    for _ in range(500):  # up to 10 s
        if len(fake.cards) >= n:
            return fake.cards
        await asyncio.sleep(0.02)
    raise AssertionError(f"{len(fake.cards)} card updates, expected {n}")


async def texts_to(fake: FakeWeCom, user: str, n: int = 1) -> list[str]:
    for _ in range(500):  # up to 10 s
        texts = [m.text for m in fake.sent_to(user) if m.msgtype == "text"]
        if len(texts) >= n:
            return texts
        await asyncio.sleep(0.02)
    raise AssertionError(f"{user} got {fake.sent_to(user)}")


async def sent_row(key: str) -> OutboxMessage:
    """The outbox row once the worker marked it sent (after WeCom's answer)."""
    for _ in range(500):  # up to 10 s
        row = await OutboxMessage.get(key=key)
        if row.status is OutboxStatus.SENT:
            return row
        await asyncio.sleep(0.02)
    raise AssertionError(f"{key} never sent")


async def test_the_approver_gets_a_button_card(client: TestClient, fake_wecom: FakeWeCom,
                                               wecom_settings: Settings) -> None:
    request = await booking()
    step = ordered_steps(request)[0]
    async with in_transaction():
        await notify_approver(OutboxNotifier(), request, step, "张三", wecom_settings.tz,
                              links=SignedLinks(wecom_settings))
    client.app[WORKER].wake()
    [sent] = await fake_wecom.wait_sent(1)
    assert sent.touser == "lichu" and sent.msgtype == "template_card"
    card = sent.content
    assert card["card_type"] == "button_interaction"
    assert card["task_id"] == f"req1001s{step.id}"
    assert [b["key"] for b in card["button_list"]] == [f"approve:1001:{step.id}",
                                                        f"reject:1001:{step.id}"]
    assert [b["text"] for b in card["button_list"]] == ["同意", "驳回"]
    assert {f["keyname"] for f in card["horizontal_content_list"]} >= {"申请人", "时间", "行程", "人数"}
    assert card["card_action"]["url"].startswith(f"{wecom_settings.public_base_url}/approve/")
    assert len(card["horizontal_content_list"]) <= 6


async def test_tap_approve_decides_and_replaces_the_card(
    client: TestClient, sim: WeComSim, fake_wecom: FakeWeCom
) -> None:
    request = await booking()
    await tap(client, sim, "lichu", "approve", request, 1, "rc-approve")
    [update] = await cards_for(fake_wecom, 1)
    assert update["userids"] == ["lichu"] and update["response_code"] == "rc-approve"
    assert update["template_card"]["replace_text"] == "已同意"
    assert update["template_card"]["task_id"] == f"req1001s{ordered_steps(request)[0].id}"
    assert await decisions(1001) == [("approve", None, "wecom"), (None, None, None)]
    assert (await texts_to(fake_wecom, "lichu"))[-1] == "已同意 #1001，已转王科审批。" + PAGE_1001
    await fake_wecom.wait_sent(3)
    [card] = [m for m in fake_wecom.sent_to("wangke") if m.msgtype == "template_card"]
    assert card.content["task_id"] == f"req1001s{ordered_steps(request)[1].id}"
    assert "现等待王科审批" in (await texts_to(fake_wecom, "zhangsan"))[-1]


async def test_tap_reject_asks_the_reason_and_only_the_answer_rejects(
    client: TestClient, sim: WeComSim, fake_wecom: FakeWeCom
) -> None:
    request = await booking()
    await tap(client, sim, "lichu", "reject", request, 1, "rc-reject")
    asked = (await texts_to(fake_wecom, "lichu"))[-1]
    assert asked.startswith("要驳回 #1001，请回复驳回理由") and "“无”" in asked and "“算了”" in asked
    assert await decisions(1001) == [(None, None, None), (None, None, None)]
    assert fake_wecom.cards == []  # the card keeps its buttons while the reason is asked

    assert await post(client, sim, sim.text("lichu", "时间冲突，请改期")) == 200
    await settle(client)
    [update] = await cards_for(fake_wecom, 1)
    assert update["response_code"] == "rc-reject"  # the tap's code, kept while asking
    assert update["template_card"]["replace_text"] == "已驳回"
    assert update["template_card"]["main_title"]["title"] == "用车申请 #1001 已驳回（李处）"
    assert await decisions(1001) == [("reject", "时间冲突，请改期", "wecom"), (None, None, None)]
    told = (await texts_to(fake_wecom, "zhangsan"))[-1]
    assert "未获通过（李处驳回）" in told and "理由：时间冲突，请改期" in told
    fresh = await get_request(1001)
    assert fresh is not None and fresh.status is RequestStatus.REJECTED


async def test_a_reject_without_a_reason_says_so(client: TestClient, sim: WeComSim,
                                                  fake_wecom: FakeWeCom) -> None:
    request = await booking()
    await tap(client, sim, "lichu", "reject", request, 1, "rc-none")
    assert await post(client, sim, sim.text("lichu", "无")) == 200
    await settle(client)
    await cards_for(fake_wecom, 1)
    told = (await texts_to(fake_wecom, "zhangsan"))[-1]
    assert "审批人未说明理由。" in told and "理由：" not in told
    assert await decisions(1001) == [("reject", None, "wecom"), (None, None, None)]


async def test_a_mis_tapped_reject_is_undone_by_suanle(client: TestClient, sim: WeComSim,
                                                       fake_wecom: FakeWeCom) -> None:
    request = await booking()
    await tap(client, sim, "lichu", "reject", request, 1, "rc-oops")
    assert await post(client, sim, sim.text("lichu", "算了")) == 200
    await settle(client)
    assert (await texts_to(fake_wecom, "lichu", 2))[-1] == "好的，#1001 没有驳回，仍等您审批。"
    assert await decisions(1001) == [(None, None, None), (None, None, None)]
    [reopened] = await cards_for(fake_wecom, 1)  # live buttons again, with the tap's code
    assert reopened["response_code"] == "rc-oops" and "replace_text" not in reopened["template_card"]
    # the card still works: 同意 decides
    await tap(client, sim, "lichu", "approve", request, 1, "rc-then")
    update = (await cards_for(fake_wecom, 2))[1]
    assert update["template_card"]["replace_text"] == "已同意"
    assert await decisions(1001) == [("approve", None, "wecom"), (None, None, None)]


async def test_a_decision_in_chat_updates_every_card_of_the_step_in_place(
    client: TestClient, sim: WeComSim, fake_wecom: FakeWeCom, wecom_settings: Settings
) -> None:
    """No tap: the card is replaced with the response_code its own message/send returned,
    the title and the chain included; the next approver's card shows who approved when."""
    request = await booking()
    first, second = ordered_steps(request)
    async with in_transaction():
        await notify_approver(OutboxNotifier(), request, first, "张三", wecom_settings.tz,
                              links=SignedLinks(wecom_settings))
    client.app[WORKER].wake()
    [sent] = await fake_wecom.wait_sent(1)
    assert sent.content["main_title"]["title"] == "用车申请待您审批 #1001"
    assert sent.content["quote_area"]["quote_text"] == "部门负责人 李处 审批中\n车辆管理 王科 待审批"
    facts = {f["keyname"]: f["value"] for f in sent.content["horizontal_content_list"]}
    assert facts["事由"] == "接外宾" and facts["行程"] == "局机关→浦东机场" and facts["人数"] == "2人"
    row = await sent_row("approve:1001:1")
    assert row.task_id == f"req1001s{first.id}" and row.response_code

    assert await post(client, sim, sim.text("lichu", "同意 #1001")) == 200
    await settle(client)
    [update] = await cards_for(fake_wecom, 1)
    assert update["userids"] == ["lichu"] and update["response_code"] == row.response_code
    card = update["template_card"]
    assert card["main_title"]["title"] == "用车申请 #1001 已同意（李处）"
    assert card["replace_text"] == "已同意" and card["task_id"] == f"req1001s{first.id}"
    assert card["quote_area"]["quote_text"].startswith("部门负责人 李处 已同意 ")
    assert (await OutboxMessage.get(key="approve:1001:1")).response_code is None  # spent

    await fake_wecom.wait_sent(3)
    [nxt] = [m for m in fake_wecom.sent_to("wangke") if m.msgtype == "template_card"]
    chain = nxt.content["quote_area"]["quote_text"].split("\n")
    assert chain[0].startswith("部门负责人 李处 已同意 ") and chain[1] == "车辆管理 王科 审批中"
    # the fleet manager decides on the approve page: his card follows
    assert await post(client, sim, sim.text("wangke", "同意1001")) == 200
    await settle(client)
    updates = await cards_for(fake_wecom, 2)
    assert updates[1]["userids"] == ["wangke"]
    assert updates[1]["template_card"]["main_title"]["title"] == "用车申请 #1001 已同意（王科）"
    assert fake_wecom.refused_cards == []


async def test_second_tap_is_told_already_decided(client: TestClient, sim: WeComSim,
                                                  fake_wecom: FakeWeCom) -> None:
    request = await booking()
    await tap(client, sim, "lichu", "approve", request, 1, "rc-1")
    await tap(client, sim, "lichu", "reject", request, 1, "rc-2")
    updates = await cards_for(fake_wecom, 2)
    assert [u["response_code"] for u in updates] == ["rc-1", "rc-2"]
    assert [u["template_card"]["replace_text"] for u in updates] == ["已同意", "已同意"]
    assert (await texts_to(fake_wecom, "lichu", 2))[-1] == "#1001 您已审批过，现在等待王科审批，无需再审批。" + PAGE_1001
    assert await decisions(1001) == [("approve", None, "wecom"), (None, None, None)]


async def test_only_the_steps_approver_decides(client: TestClient, sim: WeComSim,
                                               fake_wecom: FakeWeCom) -> None:
    request = await booking()
    await tap(client, sim, "wuli", "approve", request, 1, "rc-x")
    assert (await texts_to(fake_wecom, "wuli"))[-1] == "您不是 #1001 当前的审批人，无法审批。"
    assert await decisions(1001) == [(None, None, None), (None, None, None)]
    assert fake_wecom.cards == []  # a refused tap changes no card and spends no code
    # The real approver's tap with the same response code still updates the card.
    await tap(client, sim, "lichu", "approve", request, 1, "rc-x")
    [update] = await cards_for(fake_wecom, 1)
    assert update["userids"] == ["lichu"] and update["template_card"]["replace_text"] == "已同意"
    assert await decisions(1001) == [("approve", None, "wecom"), (None, None, None)]


async def test_wecom_retries_of_a_tap_decide_once(client: TestClient, sim: WeComSim,
                                                  fake_wecom: FakeWeCom) -> None:
    request = await booking()
    xml = tap_xml(sim, "lichu", "approve", request, 1, "rc-retry")
    for _ in range(3):
        assert await post(client, sim, xml) == 200
    await cards_for(fake_wecom, 1)
    await drained(client.app)
    assert len(fake_wecom.cards) == 1
    assert await AuditLog.filter(action="approve").count() == 1


async def test_chat_and_card_at_once_make_one_decision(
    client: TestClient, sim: WeComSim, fake_wecom: FakeWeCom
) -> None:
    """"驳回1001" typed by the dept head while his tap on 同意 arrives: one decision."""
    request = await booking()
    await asyncio.gather(
        post(client, sim, sim.text("lichu", "驳回1001，理由：时间不合适")),
        post(client, sim, tap_xml(sim, "lichu", "approve", request, 1, "rc-both")),
    )
    await settle(client)
    await cards_for(fake_wecom, 1)
    replies = await texts_to(fake_wecom, "lichu", 2)
    assert await AuditLog.filter(action__in=["approve", "reject"]).count() == 1
    assert sum(r.startswith(("已同意 #1001", "已驳回 #1001")) for r in replies) == 1
    assert sum("已审批过" in r or "已处理过" in r for r in replies) == 1


# --- delivery of card updates ---------------------------------------------------------


class StubClient:
    """update_template_card answering with a WeCom errcode."""

    def __init__(self, errcode: int) -> None:
        self.errcode = errcode
        self.calls = 0

    async def update_template_card(self, userids: list[str], response_code: str,
                                   card: Mapping[str, Any]) -> dict[str, Any]:
        self.calls += 1
        raise WeComError(self.errcode, "response_code invalid", "message/update_template_card")


async def test_card_update_through_the_real_client(wecom_settings: Settings,
                                                   fake_wecom: FakeWeCom) -> None:
    async with aiohttp.ClientSession() as session:
        transport = WeComTransport(WeComClient(session, wecom_settings))
        await transport.deliver("lichu", MessageKind.CARD_UPDATE,
                                {"response_code": "rc", "template_card": {"card_type": "button_interaction"}})
    assert fake_wecom.cards == [{"userids": ["lichu"], "agentid": wecom_settings.agent_id,
                                 "response_code": "rc",
                                 "template_card": {"card_type": "button_interaction"}}]
    assert fake_wecom.sent == []


@pytest.mark.parametrize(("errcode", "dead"), [(40058, True), (-1, False)])
async def test_a_used_or_expired_response_code_is_not_retried(
    db: str, errcode: int, dead: bool
) -> None:
    stub = StubClient(errcode)
    worker = OutboxWorker(WeComTransport(stub),  # type: ignore[arg-type]
                          MemoryLimiter(per_minute=10**6, per_hour=10**6),
                          retry_delay=lambda n: 3600)
    async with in_transaction():
        await OutboxNotifier().notify("lichu", _update("rc-old"), key="card:x")
    await worker.run_once()
    row = await OutboxMessage.get(key="card:x")
    assert row.attempts == 1 and stub.calls == 1
    assert row.status is (OutboxStatus.DEAD if dead else OutboxStatus.PENDING)
    assert row.next_attempt_at > datetime.now(UTC) or dead


def _update(code: str) -> Message:
    return Message(MessageKind.CARD_UPDATE, {"response_code": code, "template_card": {}})
