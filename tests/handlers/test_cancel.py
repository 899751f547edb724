"""Cancel: leaving a flow, cancelling one's own request (and only one's own, and only
before it starts), who is told, and the resource free again at once."""

from __future__ import annotations

from datetime import timedelta

from models.holds import Hold, free_vehicles
from models.org import Facility, RequestType, User
from models.outbox import OutboxMessage
from models.requests import NewRequest, Request, RequestStatus, create_request, get_request
from tests.handlers.conftest import Talk
from tests.handlers.test_approval import book_vehicle, status_of


async def test_applicant_cancels_pending_booking(talk: Talk) -> None:
    r = await book_vehicle(talk.now)
    reply = await talk.say("zhangsan", "把#1001取消掉")
    assert reply == "好的，#1001 已取消。车辆和司机已释放。已通知审批人李处。"
    await talk.deliver()
    assert "【申请已撤回】张三已取消 #1001" in talk.inbox("lichu")[-1]
    assert talk.inbox("wangke") == []
    assert await status_of(1001) is RequestStatus.CANCELLED
    assert not await Hold.filter(request_id=r.id, active=True).exists()
    assert r.start is not None and r.end is not None
    assert "沪A12345" in [v.plate for v in await free_vehicles(r.start, r.end)]


async def test_cancel_of_approved_trip_tells_the_fleet_manager_and_the_driver(talk: Talk) -> None:
    await book_vehicle(talk.now)
    await talk.say("lichu", "同意1001")
    await talk.say("wangke", "同意1001")
    await talk.deliver()
    reply = await talk.say("zhangsan", "取消 1001")
    assert reply == "好的，#1001 已取消。车辆和司机已释放。已通知车辆管理王科、司机赵师傅。"
    await talk.deliver()
    assert "【出车取消】" in talk.inbox("zhaoshifu")[-1]
    assert talk.inbox("wangke")[-1].startswith("【用车取消】张三已取消已批准的 #1001 用车")
    assert "【申请已撤回】" not in talk.inbox("lichu")[-1]  # the dept head has nothing to do
    assert await status_of(1001) is RequestStatus.CANCELLED
    # Written with the cancel, in its transaction: the outbox rows carry the cancel's keys.
    keys = set(await OutboxMessage.filter(key__startswith="cancelled:1001:").values_list("key", flat=True))
    assert keys == {"cancelled:1001:wangke", "cancelled:1001:zhaoshifu"}


async def test_cancel_of_a_room_tells_its_manager_when_one_is_set(talk: Talk) -> None:
    """The room's manager (the admin pages set it) hears of a cancelled booking; a room
    without one tells nobody more."""
    await Facility.filter(id="mr-301").update(manager_id=(await User.get(userid="zhoujing")).id)
    start = talk.now.replace(hour=14) + timedelta(days=1)
    for _ in range(2):
        await create_request(NewRequest(RequestType.FACILITY_RESERVATION, "wuli", start,
                                        start + timedelta(hours=2), facility_id="mr-301"),
                             talk.now, "wecom")
        start += timedelta(days=1)
    reply = await talk.say("wuli", "取消1001")
    assert reply == "好的，#1001 已取消。场地已释放。已通知场地管理周静。"
    await talk.deliver()
    assert talk.inbox("zhoujing")[-1].startswith("【场地取消】吴丽已取消 #1001 场地预约")
    await Facility.filter(id="mr-301").update(manager_id=None)
    assert await talk.say("wuli", "取消1002") == "好的，#1002 已取消。场地已释放。"


async def test_cancel_finds_the_request_from_what_is_said(talk: Talk) -> None:
    airport = await book_vehicle(talk.now, days=1)  # tomorrow, to 浦东机场
    await book_vehicle(talk.now, days=2)
    other = await book_vehicle(talk.now, days=1, plate="沪A67890")
    await Request.filter(id=other.id).update(details={**other.details, "destination": "市政府"})
    # Kind, day and place: the one request, to confirm.
    reply = await talk.say("zhangsan", "把明天去浦东机场的车取消了")
    assert reply.startswith("您要取消这条申请吗？\n#1001 用车 11月28日(周六) 14:00-16:00 局机关→浦东机场")
    assert (await talk.say("zhangsan", "确认")).startswith("好的，#1001 已取消。")
    assert await status_of(airport.no) is RequestStatus.CANCELLED
    # The day alone leaves two: those two are listed.
    await book_vehicle(talk.now, days=1, plate="沪A12345")
    reply = await talk.say("zhangsan", "明天的用车不要了，取消")
    assert "#1003" in reply and "#1004" in reply and "#1002" not in reply
    await talk.say("zhangsan", "算了")
    # What fits none of them: said so, and all are listed.
    reply = await talk.say("zhangsan", "取消下周五的会议室")
    assert reply.startswith("没有找到和您说的相符的申请。您有这些申请可以取消：")
    assert "#1002" in reply and "#1003" in reply


async def test_someone_else_cannot_cancel(talk: Talk) -> None:
    await book_vehicle(talk.now)
    reply = await talk.say("wuli", "取消#1001")
    assert reply == "这不是您的申请，只有申请人本人可以取消 #1001。"
    assert "浦东" not in reply
    assert await status_of(1001) is RequestStatus.PENDING
    await talk.deliver()
    assert talk.inbox("lichu") == []


async def test_cannot_cancel_after_start(talk: Talk) -> None:
    r = await book_vehicle(talk.now)
    await talk.say("lichu", "同意1001")
    await talk.say("wangke", "同意1001")
    talk.advance(days=1, hours=4, minutes=30)  # Saturday 14:30, the trip is on
    reply = await talk.say("zhangsan", "取消1001")
    assert reply == "#1001 已经开始，不能再取消了。如有变化，请直接联系司机赵师傅。"
    assert await status_of(1001) is RequestStatus.APPROVED
    assert await Hold.filter(request_id=r.id, active=True).count() == 2


async def test_cancel_twice_and_unknown(talk: Talk) -> None:
    await book_vehicle(talk.now)
    await talk.say("zhangsan", "取消1001")
    assert await talk.say("zhangsan", "取消1001") == "#1001 已经取消过了。"
    assert await talk.say("zhangsan", "取消1777") == "没有找到 #1777，请核对一下编号。"


async def test_cancel_leaves_an_open_flow(talk: Talk) -> None:
    await talk.say("zhangsan", "我要报修")
    reply = await talk.say("zhangsan", "算了")
    assert reply.startswith("好的，已取消本次填写")
    # The flow is gone: a place alone no longer fills a repair draft.
    assert "请确认报修" not in await talk.say("zhangsan", "5号楼302室")
    assert await get_request(1001) is None


async def test_bare_cancel_with_one_request_asks_then_cancels(talk: Talk) -> None:
    await book_vehicle(talk.now)
    reply = await talk.say("zhangsan", "取消")
    assert reply.startswith("您要取消这条申请吗？") and "#1001" in reply
    assert await status_of(1001) is RequestStatus.PENDING
    assert (await talk.say("zhangsan", "确认")).startswith("好的，#1001 已取消")
    assert await status_of(1001) is RequestStatus.CANCELLED


async def test_bare_cancel_can_be_called_off(talk: Talk) -> None:
    await book_vehicle(talk.now)
    await talk.say("zhangsan", "取消")
    assert await talk.say("zhangsan", "不用了") == "好的，不取消了，#1001 保持不变。"
    assert await status_of(1001) is RequestStatus.PENDING


async def test_bare_cancel_with_several_lists_them(talk: Talk) -> None:
    await book_vehicle(talk.now)
    await book_vehicle(talk.now, days=3)
    reply = await talk.say("zhangsan", "取消")
    assert "#1001" in reply and "#1002" in reply and "请回复要取消的编号" in reply
    assert (await talk.say("zhangsan", "1002")).startswith("好的，#1002 已取消")
    assert await status_of(1001) is RequestStatus.PENDING
    assert await status_of(1002) is RequestStatus.CANCELLED


async def test_bare_cancel_with_nothing_open(talk: Talk) -> None:
    assert await talk.say("wuli", "取消") == "您目前没有可以取消的申请。"
