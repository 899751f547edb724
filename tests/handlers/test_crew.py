"""Crews in chat: drivers' trips (我的任务, 收到, 出发, 到达), workers' jobs (接单, 待料,
修好了 with a note, photos), dispatchers' 派给, and help per role."""

from __future__ import annotations

from handlers import crew
from handlers import help as help_
from handlers.base import InboundKind
from models.audit import AuditLog
from models.holds import Hold
from models.requests import RequestStatus, get_request
from tests.handlers.conftest import Talk
from tests.handlers.test_approval import book_vehicle
from tests.handlers.test_status import report_repair


async def approved_trip(talk: Talk, days: int = 0, hours: int = 2) -> int:
    """A trip of 赵师傅 (沪A12345) approved by both steps; today's at 14:00 unless `days`."""
    request = await book_vehicle(talk.now, days=days, hours=hours)
    await talk.say("lichu", f"同意{request.no}")
    await talk.say("wangke", f"同意{request.no}")
    await talk.deliver()
    return request.no


async def test_driver_sees_acknowledges_starts_and_finishes_a_trip(talk: Talk) -> None:
    no = await approved_trip(talk)
    later = await approved_trip(talk, days=1)
    assert "收到请回复“收到 #1001”" in talk.inbox("zhaoshifu")[0]

    tasks = await talk.say("zhaoshifu", "我的任务")
    assert tasks.startswith("赵师傅，您今天和近期的出车任务（2件）：\n")
    assert ("#1001 11月27日(周五) 14:00-16:00 局机关→浦东机场，2人，沪A12345，用车人：张三（办公室）【待确认】"
            in tasks)
    assert "#1002 11月28日(周六) 14:00-16:00" in tasks and tasks.endswith("停车费 15”。")
    tomorrow = await talk.say("zhaoshifu", "明天有什么任务")
    assert tomorrow.startswith("赵师傅，您11月28日(周六)的出车任务（1件）：") and "#1001" not in tomorrow

    # Two unacknowledged trips: the number is needed.
    assert await talk.say("zhaoshifu", "收到") == crew.WHICH.format(nos="#1001、#1002", example="收到 #1001")
    reply = await talk.say("zhaoshifu", "收到 #1001")
    assert reply == ("好的，已确认 #1001（11月27日(周五) 14:00-16:00 局机关→浦东机场），已告诉张三。"
                     "出发时回复“出发 #1001 里程 12345”。")
    assert await talk.say("zhaoshifu", "收到 1001") == crew.ACKED_BEFORE.format(no=1001)
    await talk.deliver()
    assert talk.inbox("zhangsan")[-1] == (
        "司机赵师傅已确认您的用车 #1001（11月27日(周五) 14:00-16:00 局机关→浦东机场），车辆：沪A12345。")
    # One left to acknowledge: the number may be left out.
    assert (await talk.say("zhaoshifu", "收到")).startswith(f"好的，已确认 #{later}")

    # Only today's trip can be the one setting off now.
    talk.advance(hours=3, minutes=50)
    reply = await talk.say("zhaoshifu", "出发 里程 12345")
    assert reply == ("好的，#1001 已出车，出发里程 12345 公里，已告诉张三。"
                     "回来后回复“到达 #1001 里程 12410 过路费 20 停车费 15”。")
    assert (await talk.say("zhaoshifu", "开始 #1001")).startswith("#1001 已经出发过了，出发里程 12345 公里。")
    await talk.deliver()
    assert talk.inbox("zhangsan")[-1] == "您的用车 #1001 司机赵师傅已出车（沪A12345），请留意。"

    talk.advance(hours=2)
    assert (await talk.say("zhaoshifu", "到达 里程 12000")).startswith(
        "回程里程 12000 公里和出发里程 12345 公里对不上")
    reply = await talk.say("zhaoshifu", "到达 #1001 里程 12410 过路费 20 停车费 15")
    assert reply == ("辛苦了！#1001 已结束：行驶 65 公里（12345→12410），过路费 20 元，停车费 15 元，"
                     "已记入申请单，已告诉张三。")
    await talk.deliver()
    assert talk.inbox("zhangsan")[-1].startswith(
        "您的用车 #1001（局机关→浦东机场）已结束：行驶 65 公里（12345→12410），过路费 20 元，停车费 15 元。\n"
        "请为这次用车服务打分")
    done = await get_request(no)
    assert done is not None and done.status is RequestStatus.COMPLETED
    d = done.details
    assert (d["odometer_out"], d["odometer_in"], d["distance"], d["tolls"], d["parking"]) == (
        12345, 12410, 65, 20, 15)
    assert d["acknowledged_at"] and d["started_at"] and d["finished_at"]
    assert await Hold.filter(request_id=done.id, active=True).count() == 0  # the car is free again
    actions = await AuditLog.filter(request_id=done.id).order_by("id").values_list("action", flat=True)
    assert actions[-3:] == ["trip_ack", "trip_start", "trip_finish"]
    assert await talk.say("zhaoshifu", "结束 #1001") == "#1001 目前已完成，不能再更新行程。"
    assert "【已完成】" in await talk.say("zhaoshifu", "今天的任务")


async def test_trip_commands_of_others(talk: Talk) -> None:
    no = await approved_trip(talk)
    assert await talk.say("liushifu", f"收到 #{no}") == crew.NOT_YOURS.format(no=no)
    assert await talk.say("liushifu", "收到") == crew.NOTHING[crew.Intent.CREW_ACK]
    assert await talk.say("liushifu", "我的任务") == "刘师傅，您今天和近期没有出车任务。"
    # Not a driver: "收到" is what it was (not understood), "收到 #1001" a status question.
    assert await talk.say("xiaoliu", "收到") == help_.NOT_UNDERSTOOD
    assert "#1001" in await talk.say("zhangsan", f"收到 #{no}")
    # Inside a booking dialogue a crew word of a non-driver goes to the dialogue.
    await talk.say("wuli", "明天下午用车")
    assert "去哪" in await talk.say("wuli", "收到") or "几点" in await talk.say("wuli", "收到")


async def test_worker_queue_take_parts_finish_with_note_and_photo(talk: Talk) -> None:
    first = await report_repair(talk)
    second = await report_repair(talk, applicant="wuli")
    assert await talk.say("sunwei", f"#{first} 派给钱力") == f"已将 #{first} 派给钱力，已通知钱力和报修人张三。"
    await talk.say("sunwei", f"#{second} 派给钱力")
    await talk.deliver()

    queue = await talk.say("qianli", "我的工单")
    assert queue.startswith("钱力，您手上的维修任务（2件）：\n")
    assert f"\n#{first} 1号楼207室空调吹热风，报修人：张三【已派工】\n" in queue
    assert await talk.say("qianli", "接单") == crew.WHICH.format(
        nos=f"#{first}、#{second}", example=f"收到 #{first}")
    assert (await talk.say("qianli", f"接单 #{first}")).startswith(f"好的，#{first} 已标记为维修中")
    # The one job not yet taken: "接单" alone takes it.
    assert (await talk.say("qianli", "接单")).startswith(f"好的，#{second} 已标记为维修中")

    reply = await talk.say("qianli", f"#{first} 待料 缺压缩机")
    assert reply == (f"好的，#{first} 已记下待料：缺压缩机，已告诉张三。"
                     f"配件到了继续修，修好后回复“修好了 #{first} 做了什么”。")
    await talk.deliver()
    assert talk.inbox("zhangsan")[-1] == f"您的报修 #{first}（1号楼207室）需要等配件：缺压缩机。配件到了钱力会继续维修。"
    request = await get_request(first)
    assert request is not None and request.status is RequestStatus.IN_PROGRESS
    assert request.details["notes"][0]["kind"] == "parts" and request.details["notes"][0]["text"] == "缺压缩机"

    # Two jobs in progress: a photo needs one of them to be the one.
    photo = await talk.say("qianli", "", kind=InboundKind.IMAGE, media_id="m-1", pic_url="http://p/1.jpg")
    assert photo.startswith("收到照片，但您手上有多个维修任务")
    assert (await talk.say("qianli", f"修好了 #{second}")).startswith(f"辛苦了！#{second} 已标记为修好")
    photo = await talk.say("qianli", "", kind=InboundKind.IMAGE, media_id="m-2", pic_url="http://p/2.jpg")
    assert photo == f"收到照片，已附到 #{first}（1号楼207室）的维修记录（共1张）。"

    reply = await talk.say("qianli", f"修好了 #{first} 更换了电容")
    assert reply == f"辛苦了！#{first} 已标记为修好，已请张三评价。"
    await talk.deliver()
    assert "维修说明：更换了电容。" in talk.inbox("zhangsan")[-1]
    request = await get_request(first)
    assert request is not None and request.status is RequestStatus.COMPLETED
    assert [n["kind"] for n in request.details["notes"]] == ["parts", "done"]
    assert request.details["notes"][1]["text"] == "更换了电容"
    assert request.details["attachments"] == [
        {"media_id": "m-2", "pic_url": "http://p/2.jpg", "by": "qianli",
         "at": request.details["attachments"][0]["at"]}]
    actions = await AuditLog.filter(request_id=request.id).order_by("id").values_list("action", flat=True)
    assert actions == ["create", "assign", "in_progress", "waiting_parts", "attach", "completed"]
    assert await talk.say("qianli", "我的任务") == "钱力，您手上暂时没有维修任务。"
    # No job open: a photo gets the usual hint.
    assert "如需报修" in await talk.say("qianli", "", kind=InboundKind.IMAGE, media_id="m-3")


async def test_dispatcher_dispatches_by_name_and_lists_undispatched(talk: Talk) -> None:
    assert await talk.say("sunwei", "派给钱力") == crew.NO_UNDISPATCHED_TO_ASSIGN.format(who="钱力")
    first = await report_repair(talk)
    listing = await talk.say("sunwei", "待派工")
    assert listing == (f"待派工的报修（1件）：\n#{first} 1号楼207室空调吹热风，报修人：张三\n"
                       f"派工回复“#{first} 派给钱力”（可派：钱力）。")
    assert await talk.say("sunwei", "派给钱力") == f"已将 #{first} 派给钱力，已通知钱力和报修人张三。"
    await talk.deliver()
    assert f"【维修任务】#{first}" in talk.inbox("qianli")[-1]
    request = await get_request(first)
    assert request is not None and request.status is RequestStatus.ASSIGNED

    second = await report_repair(talk)
    third = await report_repair(talk, applicant="wuli")
    reply = await talk.say("sunwei", "派给钱力去修")
    assert reply.startswith("待派工的报修有 2 件：\n") and f"请带上编号，例如“#{second} 派给钱力”" in reply
    assert await talk.say("sunwei", f"把#{third}派给钱力") == f"已将 #{third} 派给钱力，已通知钱力和报修人吴丽。"
    assert await talk.say("sunwei", "我的任务") == (
        f"待派工的报修（1件）：\n#{second} 1号楼207室空调吹热风，报修人：张三\n"
        f"派工回复“#{second} 派给钱力”（可派：钱力）。")
    assert await talk.say("sunwei", "派给王五") == "没有找到维修人员“王五”。可以派给：钱力。"
    assert await talk.say("zhangsan", "派给钱力") == "只有维修调度可以派工。如需报修，直接告诉我地点和问题即可。"


async def test_help_per_role(talk: Talk) -> None:
    staff = await talk.say("zhangsan", "帮助")
    assert staff.startswith("张三，您好") and "公务用车" in staff
    assert "审批" not in staff and "出车" not in staff and "派工" not in staff and "维修：" not in staff
    head = await talk.say("lichu", "帮助")
    assert "✅ 审批：“待我审批”看待办" in head and "出车" not in head
    driver = await talk.say("zhaoshifu", "帮助")
    assert "🚘 出车：“我的任务”" in driver and "只有一件进行中时，编号可以不说。" in driver
    assert "审批：" not in driver
    assert "📌 派工：“待派工”" in await talk.say("sunwei", "帮助")
    worker = await talk.say("qianli", "帮助")
    assert "🛠 维修：“我的任务”看工单；“接单 #1024”" in worker and worker.endswith("直接用一句话告诉我您要办的事即可。")


async def test_staff_my_tasks_shows_their_requests(talk: Talk) -> None:
    await report_repair(talk)
    assert (await talk.say("zhangsan", "我的任务")).startswith("您进行中的申请（1件）：")
