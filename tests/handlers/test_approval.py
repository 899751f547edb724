"""Approvals in chat: the chain dept head → fleet manager, rejections, refusals, changes of
vehicle, decisions that come too late."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.org import RequestType, Vehicle
from models.requests import (
    Hold,
    NewRequest,
    Request,
    RequestStatus,
    create_request,
    free_vehicles,
    get_request,
    ordered_steps,
)
from tests.handlers.conftest import Talk


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
    await talk.say("zhangsan", "下周二上午9点到11点用车去市档案馆，两个人")
    await talk.say("zhangsan", "确认")
    request = await get_request(1001)
    assert request is not None and request.status is RequestStatus.PENDING
    await talk.deliver()
    assert any("#1001" in m for m in talk.inbox("lichu"))
    assert await talk.say("lichu", "同意") == "已同意 #1001，已转王科审批。"
    assert "刘师傅" in await talk.say("wangke", "同意 换刘师傅")
    await talk.deliver()
    assert "市档案馆" in talk.inbox("liushifu")[-1]
    assert "12月1日(周二) 09:00-11:00" in talk.inbox("liushifu")[-1]
