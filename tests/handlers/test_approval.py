"""Approvals in chat: the chain dept head → fleet manager, rejections, refusals, changes of
vehicle, decisions that come too late."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

import pytest

from bot.web.links import SignedLinks
from handlers.approval import OutcomeKind, apply_decision
from handlers.base import Channel, InboundKind
from handlers.common import notify_approver
from models.audit import AuditLog
from models.holds import Hold, free_vehicles
from models.org import RequestType, Vehicle
from models.requests import (
    Decision,
    NewRequest,
    Request,
    RequestStatus,
    create_request,
    get_request,
    ordered_steps,
)
from models.sql import transaction
from settings import Settings
from tests.handlers.conftest import Talk

PAGE_1001 = '\n<a href="http://127.0.0.1:8080/m/requests/1001">查看详情</a>'  # every reply about a request ends with its page


async def book_vehicle(
    now: datetime, *, applicant: str = "zhangsan", plate: str = "沪A12345", days: int = 1,
    hours: int = 2,
) -> Request:
    """A pending vehicle booking made directly (the booking dialogue is tested elsewhere)."""
    vehicle = await Vehicle.get(plate=plate).prefetch_related("driver")
    start = (now + timedelta(days=days)).replace(hour=14, minute=0)
    return await create_request(
        NewRequest(
            type=RequestType.VEHICLE_BOOKING, applicant=applicant, start=start,
            end=start + timedelta(hours=hours), vehicle_id=vehicle.id,
            driver=vehicle.driver.userid,
            details={"origin": "局机关", "destination": "浦东机场", "passengers": 2,
                     "purpose": "接外宾"},
        ),
        now, "wecom",
    )


async def status_of(no: int) -> RequestStatus:
    request = await get_request(no)
    assert request is not None
    return request.status


async def test_dept_head_then_fleet_manager_approve(talk: Talk) -> None:
    r = await book_vehicle(talk.now)
    assert r.no == 1001

    reply = await talk.say("lichu", "同意 1001")
    assert reply == "已同意 #1001，已转王科审批。"
    await talk.deliver()
    assert any("【待您审批】张三" in m and "#1001" in m for m in talk.inbox("wangke"))
    assert await status_of(1001) is RequestStatus.PENDING

    reply = await talk.say("wangke", "#1001同意")
    assert "已同意 #1001" in reply and "张三" in reply and "赵师傅" in reply
    await talk.deliver()
    told = talk.inbox("zhangsan")[-1]
    assert "#1001 已批准" in told and "沪A12345" in told and "赵师傅" in told
    trip = talk.inbox("zhaoshifu")[-1]
    assert "【出车任务】#1001" in trip and "局机关→浦东机场" in trip and "2人" in trip
    assert "张三（办公室）" in trip and "14:00-16:00" in trip

    done = await get_request(1001)
    assert done is not None and done.status is RequestStatus.APPROVED
    assert [s.decision for s in ordered_steps(done)] == ["approve", "approve"]
    assert talk.inbox("liushifu") == []


async def test_reject_with_reason_tells_applicant_and_frees_the_car(talk: Talk) -> None:
    r = await book_vehicle(talk.now)
    reply = await talk.say("lichu", "驳回1001，理由：当天有全局会议")
    assert reply == "已驳回 #1001（理由：当天有全局会议），已通知张三。"
    await talk.deliver()
    told = talk.inbox("zhangsan")[-1]
    assert "未获通过" in told and "李处驳回" in told and "理由：当天有全局会议" in told
    assert told.startswith("很抱歉，您的申请 #1001 未获通过（李处驳回）。\n用车 11月28日(周六) 14:00-16:00 ")
    assert talk.inbox("wangke") == []  # the chain stops
    assert await status_of(1001) is RequestStatus.REJECTED
    assert not await Hold.filter(request_id=r.id, active=True).exists()
    assert r.start is not None and r.end is not None
    assert "沪A12345" in [v.plate for v in await free_vehicles(r.start, r.end)]


async def test_someone_else_cannot_decide_and_nothing_changes(talk: Talk) -> None:
    await book_vehicle(talk.now)
    reply = await talk.say("wuli", "同意1001")
    assert reply == "您不是 #1001 当前的审批人，无法审批。"
    assert "浦东" not in reply
    # The fleet manager's turn has not come yet.
    reply = await talk.say("wangke", "同意1001")
    assert reply.startswith("您不是 #1001 当前的审批人") and "李处" in reply
    reply = await talk.say("zhangsan", "驳回1001 理由：不想去了")
    assert reply.startswith("您不是 #1001 当前的审批人")
    request = await get_request(1001)
    assert request is not None and request.status is RequestStatus.PENDING
    assert [s.decision for s in ordered_steps(request)] == [None, None]
    await talk.deliver()
    assert talk.inbox("zhangsan") == [reply]


async def test_unknown_number(talk: Talk) -> None:
    assert await talk.say("lichu", "同意 1999") == "没有找到 #1999，请核对一下编号。"


async def test_second_decision_is_told_already_decided(talk: Talk) -> None:
    await book_vehicle(talk.now)
    await talk.say("lichu", "同意1001")
    again = await talk.say("lichu", "驳回1001，理由：看错了")
    assert again == "#1001 您已审批过，现在等待王科审批，无需再审批。"
    await talk.say("wangke", "同意1001")
    again = await talk.say("wangke", "同意1001")
    assert again == "#1001 已处理过（已通过），无需再审批。"
    request = await get_request(1001)
    assert request is not None and request.status is RequestStatus.APPROVED


async def test_decision_on_a_cancelled_request(talk: Talk) -> None:
    await book_vehicle(talk.now)
    assert (await talk.say("zhangsan", "取消1001")).startswith("好的，#1001 已取消")
    reply = await talk.say("lichu", "同意1001")
    assert reply == "#1001 已处理过（已取消），无需再审批。"
    assert await status_of(1001) is RequestStatus.CANCELLED


async def test_without_number_one_waiting_is_decided(talk: Talk) -> None:
    await book_vehicle(talk.now)
    assert await talk.say("lichu", "同意") == "已同意 #1001，已转王科审批。"


async def test_without_number_several_waiting_are_listed(talk: Talk) -> None:
    await book_vehicle(talk.now)
    await book_vehicle(talk.now, days=2)
    reply = await talk.say("lichu", "同意")
    assert "有 2 件申请等您审批" in reply and "#1001" in reply and "#1002" in reply
    assert await status_of(1001) is RequestStatus.PENDING
    assert await talk.say("wuli", "同意") == "目前没有等您审批的申请。"


async def test_fleet_manager_changes_vehicle_when_approving(talk: Talk) -> None:
    await book_vehicle(talk.now)
    await talk.say("lichu", "同意1001")
    reply = await talk.say("wangke", "同意1001，改派沪A67890")
    assert "已同意 #1001" in reply and "刘师傅" in reply
    await talk.deliver()
    request = await get_request(1001)
    assert request is not None and request.vehicle is not None and request.driver is not None
    assert (request.vehicle.plate, request.driver.userid) == ("沪A67890", "liushifu")
    assert "【出车任务】#1001" in talk.inbox("liushifu")[-1]
    assert talk.inbox("zhaoshifu") == []
    assert "沪A67890" in talk.inbox("zhangsan")[-1]
    assert set(await Hold.filter(request_id=request.id, active=True).values_list(
        "resource", flat=True)) == {f"vehicle:{request.vehicle.id}", "driver:liushifu"}


async def test_fleet_manager_changes_driver_only(talk: Talk) -> None:
    await book_vehicle(talk.now)
    await talk.say("lichu", "同意1001")
    await talk.say("wangke", "同意1001 换刘师傅开")
    request = await get_request(1001)
    assert request is not None and request.vehicle is not None and request.driver is not None
    assert (request.vehicle.plate, request.driver.userid) == ("沪A12345", "liushifu")


async def test_change_to_a_busy_car_changes_nothing(talk: Talk) -> None:
    await book_vehicle(talk.now)
    await book_vehicle(talk.now, applicant="wuli", plate="沪A67890")
    await talk.say("lichu", "同意1001")
    reply = await talk.say("wangke", "同意1001，改派沪A67890")
    assert "改派不成" in reply and "#1001 未处理" in reply
    request = await get_request(1001)
    assert request is not None and request.vehicle is not None
    assert request.vehicle.plate == "沪A12345" and request.status is RequestStatus.PENDING
    assert [s.decision for s in ordered_steps(request)] == ["approve", None]


async def test_only_the_fleet_manager_changes_vehicles(talk: Talk) -> None:
    await book_vehicle(talk.now)
    reply = await talk.say("lichu", "同意1001 换刘师傅")
    assert reply == "只有车辆管理员可以在审批时改派车辆或司机，#1001 未处理。"
    assert await status_of(1001) is RequestStatus.PENDING
    reply = await talk.say("lichu", "同意1001")
    await talk.say("wangke", "同意1001，改派沪Z00000")
    assert await status_of(1001) is RequestStatus.PENDING


async def test_facility_admin_approves_room(talk: Talk) -> None:
    start = (talk.now + timedelta(days=4)).replace(hour=9)
    r = await create_request(
        NewRequest(type=RequestType.FACILITY_RESERVATION, applicant="wuli", start=start,
                   end=start + timedelta(hours=3), facility_id="aud-1",
                   details={"attendees": 120}),
        talk.now, "wecom",
    )
    assert r.status is RequestStatus.PENDING
    assert await talk.say("zhoujing", f"同意{r.no}") == f"已同意 #{r.no}，已通知吴丽。"
    await talk.deliver()
    told = talk.inbox("wuli")[-1]
    assert f"场地预约 #{r.no} 已批准" in told and "大礼堂（2号楼）" in told
    assert "12月1日(周二) 09:00-12:00" in told
    assert await status_of(r.no) is RequestStatus.APPROVED


async def test_booked_in_chat_then_approved_in_chat(talk: Talk) -> None:
    """The whole way through the booking dialogue (vehicle_booking.py) and this one."""
    asked = await talk.say("zhangsan", "下周二上午9点到11点用车去市档案馆，两个人")
    assert "用车事由" in asked
    # "开会" alone reads as a room booking; as the answer to the question it is the purpose
    assert "\n事由：开会\n" in await talk.say("zhangsan", "开会")
    await talk.say("zhangsan", "确认")
    request = await get_request(1001)
    assert request is not None and request.status is RequestStatus.PENDING
    assert request.details["purpose"] == "开会"
    await talk.deliver()
    [asked_lichu] = [m for m in talk.inbox("lichu") if "#1001" in m]
    assert "\n事由：开会\n" in asked_lichu
    assert await talk.say("lichu", "同意") == "已同意 #1001，已转王科审批。"
    await talk.deliver()
    [asked_wangke] = talk.inbox("wangke")
    assert "\n事由：开会\n部门负责人 李处 已同意 " in asked_wangke
    assert "刘师傅" in await talk.say("wangke", "同意 换刘师傅")
    await talk.deliver()
    assert "市档案馆" in talk.inbox("liushifu")[-1]
    assert "12月1日(周二) 09:00-11:00" in talk.inbox("liushifu")[-1]


# --- one decision use case for chat, link and card; feedback to the applicant -------------


async def test_applicant_hears_of_each_step(talk: Talk) -> None:
    await book_vehicle(talk.now)
    await talk.say("lichu", "同意1001")
    await talk.deliver()
    assert talk.inbox("zhangsan") == [
        "您的用车申请 #1001 已由李处同意，现等待王科审批，有结果会再告诉您。"]
    await talk.say("wangke", "同意1001")
    await talk.deliver()
    assert "#1001 已批准" in talk.inbox("zhangsan")[-1]


async def test_without_links_the_approver_gets_the_chat_hint(talk: Talk) -> None:
    await book_vehicle(talk.now)
    await talk.say("lichu", "同意1001")
    await talk.deliver()
    assert talk.cards("wangke") == []
    assert "回复“同意1001”通过" in talk.inbox("wangke")[-1]


async def step_ids(no: int) -> list[int]:
    request = await get_request(no)
    assert request is not None
    return [s.id for s in ordered_steps(request)]


async def tap(talk: Talk, user: str, key: str, code: str = "rc-1") -> str:
    """The user taps a button of an approval card (the dispatcher gets a CARD_EVENT)."""
    return await talk.say(user, "", kind=InboundKind.CARD_EVENT, event_key=key,
                          task_id="req", response_code=code)


async def test_next_approver_gets_a_card_with_the_link(linked_talk: Talk, settings: Settings
                                                       ) -> None:
    talk = linked_talk
    await book_vehicle(talk.now)
    first, second = await step_ids(1001)
    await talk.say("lichu", "同意1001")
    await talk.deliver()
    [card] = talk.cards("wangke")
    assert card["kind"] == "template_card" and card["card_type"] == "button_interaction"
    assert card["task_id"] == f"req1001s{second}"
    assert re.fullmatch(r"[A-Za-z0-9_\-@]{1,128}", card["task_id"])
    assert [(b["text"], b["key"]) for b in card["button_list"]] == [
        ("同意", f"approve:1001:{second}"), ("驳回", f"reject:1001:{second}")]
    assert card["main_title"]["title"] == "用车申请待您审批 #1001"
    facts = {f["keyname"]: f["value"] for f in card["horizontal_content_list"]}
    assert facts["申请人"] == "张三" and facts["行程"] == "局机关→浦东机场"
    assert facts["人数"] == "2人" and "14:00-16:00" in facts["时间"]
    url = card["card_action"]["url"]
    assert card["card_action"]["type"] == 1 and "/approve/" in url
    assert card["jump_list"][0]["url"] == url
    token = url.rsplit("/", 1)[1]
    assert url.startswith(f"{settings.public_base_url}/approve/")
    assert SignedLinks(settings).read_approve_token(token) == {
        "n": 1001, "s": second, "a": "wangke"}
    assert first != second


async def test_card_tap_decides_and_updates_the_card(linked_talk: Talk) -> None:
    talk = linked_talk
    await book_vehicle(talk.now)
    first, _ = await step_ids(1001)
    reply = await tap(talk, "lichu", f"approve:1001:{first}", "rc-a")
    assert reply == "已同意 #1001，已转王科审批。" + PAGE_1001
    await talk.deliver()
    [update] = talk.cards("lichu")
    assert update["kind"] == "card_update" and update["response_code"] == "rc-a"
    assert update["template_card"]["replace_text"] == "已同意"
    assert update["template_card"]["task_id"] == f"req1001s{first}"
    assert len(talk.cards("wangke")) == 1
    # The same card tapped again (驳回 this time): already decided, nothing changes.
    again = await tap(talk, "lichu", f"reject:1001:{first}", "rc-b")
    assert again == "#1001 您已审批过，现在等待王科审批，无需再审批。" + PAGE_1001
    await talk.deliver()
    assert talk.cards("lichu")[-1]["template_card"]["replace_text"] == "已同意"
    request = await get_request(1001)
    assert request is not None and request.status is RequestStatus.PENDING
    assert [s.decision for s in ordered_steps(request)] == ["approve", None]
    assert ordered_steps(request)[0].channel == "wecom"


async def test_card_reject_asks_for_the_reason_first(linked_talk: Talk) -> None:
    talk = linked_talk
    await book_vehicle(talk.now)
    first, _ = await step_ids(1001)
    asked = await tap(talk, "lichu", f"reject:1001:{first}", "rc-r")
    assert asked == ("要驳回 #1001，请回复驳回理由（申请人会看到），例如“时间冲突，请改期”；不便说明请回复“无”。\n"
                     "点错了请回复“算了”，#1001 仍等您审批。")
    assert await status_of(1001) is RequestStatus.PENDING
    # a question in between is answered as such, the reason is still awaited
    assert "等您审批" in await talk.say("lichu", "待我审批")
    assert await talk.say("lichu", "理由：当天车辆已满，请改乘地铁") == "已驳回 #1001（理由：当天车辆已满，请改乘地铁），已通知张三。" + PAGE_1001
    await talk.deliver()
    told = talk.inbox("zhangsan")[-1]
    assert "未获通过（李处驳回）" in told and "理由：当天车辆已满，请改乘地铁" in told
    assert "，" in told and "," not in told
    updates = [c for c in talk.cards("lichu") if c["kind"] == "card_update"]
    assert [u["response_code"] for u in updates] == ["rc-r"]  # the tap's code, not the send's
    card = updates[0]["template_card"]
    assert card["replace_text"] == "已驳回"
    assert card["main_title"]["title"] == "用车申请 #1001 已驳回（李处）"
    assert card["quote_area"]["quote_text"].split("\n")[1] == "车辆管理 王科 无需审批"
    assert await status_of(1001) is RequestStatus.REJECTED
    assert talk.cards("wangke") == []


@pytest.mark.parametrize("answer", ["无", "没有。"])
async def test_card_reject_without_a_reason(linked_talk: Talk, answer: str) -> None:
    talk = linked_talk
    await book_vehicle(talk.now)
    first, _ = await step_ids(1001)
    await tap(talk, "lichu", f"reject:1001:{first}")
    assert await talk.say("lichu", answer) == "已驳回 #1001，已通知张三。" + PAGE_1001
    await talk.deliver()
    told = talk.inbox("zhangsan")[-1]
    assert "审批人未说明理由。" in told and "理由：" not in told
    assert await status_of(1001) is RequestStatus.REJECTED


@pytest.mark.parametrize("undo", ["算了", "点错了"])
async def test_a_mis_tapped_reject_is_undone(linked_talk: Talk, undo: str) -> None:
    talk = linked_talk
    await book_vehicle(talk.now)
    first, _ = await step_ids(1001)
    await tap(talk, "lichu", f"reject:1001:{first}")
    assert await talk.say("lichu", undo) == "好的，#1001 没有驳回，仍等您审批。"
    await talk.deliver()
    assert await status_of(1001) is RequestStatus.PENDING
    assert talk.inbox("zhangsan") == []
    [reopened] = talk.cards("lichu")  # the tapped card gets its live buttons back
    assert reopened["kind"] == "card_update" and reopened["response_code"] == "rc-1"
    assert "replace_text" not in reopened["template_card"]
    assert reopened["template_card"]["sub_title_text"] == "没有驳回，仍等您审批：点“同意”或“驳回”。"
    # the next message is not taken as a reason any more
    assert "没有听懂" not in await talk.say("lichu", "同意")
    assert [s.decision for s in ordered_steps(await get_request(1001))] == ["approve", None]


async def test_agree_instead_while_the_reason_is_asked(linked_talk: Talk) -> None:
    talk = linked_talk
    await book_vehicle(talk.now)
    await book_vehicle(talk.now, days=2)
    first, _ = await step_ids(1001)
    await tap(talk, "lichu", f"reject:1001:{first}")
    assert await talk.say("lichu", "同意") == "已同意 #1001，已转王科审批。" + PAGE_1001
    assert await status_of(1002) is RequestStatus.PENDING


async def test_a_decision_anywhere_updates_the_sent_cards_in_place(linked_talk: Talk,
                                                                   settings: Settings) -> None:
    """Decided in chat and on the approve page, never tapped: each card of the step is
    replaced with the response_code its send returned, titles and chain included."""
    talk = linked_talk
    r = await book_vehicle(talk.now)
    first, second = await step_ids(1001)
    ctx = await talk.dispatcher.context_for("zhangsan", Channel.WECOM)
    assert ctx is not None
    async with transaction():
        await notify_approver(ctx.notifier, await get_request(1001), ordered_steps(r)[0], "张三",
                              ctx.tz, links=ctx.links)
    await talk.deliver()
    [card] = talk.cards("lichu")
    assert card["main_title"]["title"] == "用车申请待您审批 #1001"
    assert card["quote_area"]["quote_text"] == "部门负责人 李处 审批中\n车辆管理 王科 待审批"

    await talk.say("lichu", "同意 #1001")
    await talk.deliver()
    [_, update] = talk.cards("lichu")
    assert update["kind"] == "card_update" and update["response_code"] == "sent-rc-1"
    done = update["template_card"]
    assert done["main_title"]["title"] == "用车申请 #1001 已同意（李处）"
    assert done["replace_text"] == "已同意" and done["task_id"] == f"req1001s{first}"
    assert re.fullmatch(r"部门负责人 李处 已同意 \d\d-\d\d \d\d:\d\d\n车辆管理 王科 审批中",
                        done["quote_area"]["quote_text"])
    [nxt] = talk.cards("wangke")
    assert nxt["quote_area"]["quote_text"].startswith("部门负责人 李处 已同意 ")

    web = await talk.dispatcher.context_for("wangke", Channel.WEB)
    assert web is not None
    outcome = await apply_decision(1001, Decision.REJECT, web, step_id=second, comment="车辆检修")
    assert outcome.decided
    await talk.deliver()
    [_, update] = talk.cards("wangke")
    assert update["kind"] == "card_update" and update["response_code"] == "sent-rc-2"
    assert update["template_card"]["main_title"]["title"] == "用车申请 #1001 已驳回（王科）"
    assert re.search(r"\n车辆管理 王科 已驳回 \d\d-\d\d \d\d:\d\d（车辆检修）$",
                     update["template_card"]["quote_area"]["quote_text"])
    # nothing more to update: the codes were spent once
    await talk.say("lichu", "同意 #1001")
    await talk.deliver()
    assert len(talk.cards("lichu")) == 2


async def test_card_tapped_by_someone_else_changes_nothing(linked_talk: Talk) -> None:
    talk = linked_talk
    await book_vehicle(talk.now)
    first, second = await step_ids(1001)
    assert await tap(talk, "wuli", f"approve:1001:{first}") == "您不是 #1001 当前的审批人，无法审批。"
    # The fleet manager holding the first step's key, before his turn: refused too.
    assert (await tap(talk, "wangke", f"approve:1001:{first}")).startswith("您不是 #1001")
    assert (await tap(talk, "wangke", f"approve:1001:{second}")).startswith("您不是 #1001")
    await talk.deliver()
    assert talk.cards("wuli") == [] and talk.cards("wangke") == []  # no card changed
    request = await get_request(1001)
    assert request is not None and [s.decision for s in ordered_steps(request)] == [None, None]


async def test_card_of_a_withdrawn_request(linked_talk: Talk) -> None:
    talk = linked_talk
    await book_vehicle(talk.now)
    first, _ = await step_ids(1001)
    await talk.say("zhangsan", "取消1001")
    assert await tap(talk, "lichu", f"approve:1001:{first}") == "#1001 已处理过（已取消），无需再审批。" + PAGE_1001
    await talk.deliver()
    assert talk.cards("lichu")[-1]["template_card"]["replace_text"] == "申请已撤回"
    assert talk.cards("lichu")[-1]["template_card"]["main_title"]["title"] == "用车申请 #1001 已由申请人撤回"
    assert await status_of(1001) is RequestStatus.CANCELLED


async def test_unknown_card_keys_are_ignored(linked_talk: Talk) -> None:
    talk = linked_talk
    await book_vehicle(talk.now)
    for key in ("", "approve", "approve:1001", "approve:abc:1", "delete:1001:1", "approve:1001:1:x"):
        assert await tap(talk, "lichu", key) == ""
    await talk.deliver()
    assert talk.phones.get("lichu") is None
    assert await status_of(1001) is RequestStatus.PENDING


@pytest.mark.parametrize("second_channel", [Channel.WECOM, Channel.WEB])
async def test_one_decision_through_two_channels_at_once(talk: Talk, second_channel: Channel
                                                         ) -> None:
    """A link POST (step-bound) and a chat "驳回1001" (or a second link) at the same moment:
    exactly one decides, the other is told it was already decided."""
    await book_vehicle(talk.now)
    first, _ = await step_ids(1001)
    web = await talk.dispatcher.context_for("lichu", Channel.WEB)
    other = await talk.dispatcher.context_for("lichu", second_channel)
    assert web is not None and other is not None
    step = first if second_channel is Channel.WEB else None
    outcomes = await asyncio.gather(
        apply_decision(1001, Decision.APPROVE, web, step_id=first, comment="同意"),
        apply_decision(1001, Decision.REJECT, other, step_id=step, comment="不行"),
    )
    kinds = sorted(o.kind for o in outcomes)
    assert kinds == [OutcomeKind.ALREADY, OutcomeKind.DECIDED]
    loser = next(o for o in outcomes if not o.decided)
    assert "已审批过" in loser.text or "已处理过" in loser.text
    request = await get_request(1001)
    assert request is not None
    decided = [s for s in ordered_steps(request) if s.decision]
    assert len(decided) == 1
    assert await AuditLog.filter(action__in=["approve", "reject"]).count() == 1
    await talk.deliver()
    told = talk.inbox("zhangsan")
    assert len(told) == 1  # the applicant hears of one decision only
