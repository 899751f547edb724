"""Repair: report (with photos), dispatch, work and completion; who may do what (the
rating: test_feedback.py)."""

from __future__ import annotations

from handlers import repair
from handlers.base import Channel, InboundKind
from handlers.forms import Problem, Submitted
from models.audit import AuditLog
from models.requests import RequestStatus, get_request
from tests.handlers.conftest import Talk
from tests.handlers.test_status import report_repair


async def test_full_repair_path(talk: Talk) -> None:
    reply = await talk.say("zhangsan", "2号楼408室的空调一直滴水")
    assert reply.startswith("请确认报修：")
    assert "地点：2号楼408室" in reply and "类别：" in reply and "描述：2号楼408室的空调一直滴水" in reply
    reply = await talk.say("zhangsan", "确认")
    assert reply.startswith("已提交报修 #1001：2号楼408室")
    request = await get_request(1001)
    assert request is not None and request.status is RequestStatus.PENDING
    assert request.details["location"] == "2号楼408室"
    assert request.details["description"] == "2号楼408室的空调一直滴水"
    await talk.deliver()
    assert "【新报修】#1001 张三（办公室）" in talk.inbox("sunwei")[-1]

    reply = await talk.say("sunwei", "#1001 派给钱力")
    assert reply == "已将 #1001 派给钱力，已通知钱力和报修人张三。"
    await talk.deliver()
    assert "【维修任务】#1001" in talk.inbox("qianli")[-1] and "报修人：张三" in talk.inbox("qianli")[-1]
    assert "已派给钱力" in talk.inbox("zhangsan")[-1]

    assert (await talk.say("qianli", "1001开始维修")).startswith("好的，#1001 已标记为维修中")
    request = await get_request(1001)
    assert request is not None and request.status is RequestStatus.IN_PROGRESS
    # Said twice: told it is already so, not that it cannot be.
    assert await talk.say("qianli", "1001开始维修") == "#1001 已经是维修中，无需重复标记。"
    # The location is said once when the description names it already.
    status = await talk.say("zhangsan", "#1001 进度")
    assert "2号楼408室的空调一直滴水" in status and "2号楼408室 2号楼408室" not in status

    assert await talk.say("qianli", "#1001 已修好") == "辛苦了！#1001 已标记为修好，已请张三评价。"
    await talk.deliver()
    asked = talk.inbox("zhangsan")[-1]
    assert "已由钱力修好" in asked and "回复 1–5 分" in asked
    assert "（2号楼408室的空调一直滴水）" in asked  # the location said once

    assert await talk.say("zhangsan", "5分") == "谢谢您的评价！#1001 报修评为 5 分。"
    request = await get_request(1001)
    assert request is not None
    assert (request.status, request.rating) == (RequestStatus.COMPLETED, 5)
    actions = await AuditLog.filter(request_id=request.id).order_by("id").values_list(
        "action", flat=True)
    assert actions == ["create", "assign", "in_progress", "completed", "rate"]


async def test_questions_one_at_a_time(talk: Talk) -> None:
    assert await talk.say("zhangsan", "我要报修") == repair.ASK["location"]
    assert await talk.say("zhangsan", "6号楼105室") == repair.ASK["repair_category"]
    reply = await talk.say("zhangsan", "灯管一闪一闪的")
    assert "地点：6号楼105室" in reply and "类别：电路/照明" in reply and "描述：灯管一闪一闪的" in reply
    reply = await talk.say("zhangsan", "改成6号楼107室")
    assert "地点：6号楼107室" in reply
    assert (await talk.say("zhangsan", "确认")).startswith("已提交报修 #1001：6号楼107室 电路/照明")


async def test_a_status_question_in_the_middle_is_answered_and_the_draft_kept(talk: Talk) -> None:
    """Asked where an earlier request is while a new one is half told: the question is
    answered as such, and the next answer still fills the draft."""
    await talk.say("zhangsan", "2号楼408室的空调一直滴水")
    await talk.say("zhangsan", "确认")
    assert await talk.say("zhangsan", "我要报修") == repair.ASK["location"]
    status = await talk.say("zhangsan", "我上次的报修修好了没")
    assert "#1001" in status and status != repair.ASK["location"]
    assert await talk.say("zhangsan", "6号楼105室") == repair.ASK["repair_category"]


async def test_category_chosen_by_word_then_description(talk: Talk) -> None:
    await talk.say("zhangsan", "我要报修")
    await talk.say("zhangsan", "4号楼档案室")
    assert await talk.say("zhangsan", "其他") == repair.ASK["description"]
    # a door's lock is "other" by its own description too (a cabinet's lock is furniture,
    # the trade of the thing it belongs to: nlp/faults.py)
    reply = await talk.say("zhangsan", "门锁打不开")
    assert "类别：其他" in reply and "描述：门锁打不开" in reply


async def test_photos_and_a_shared_location_join_the_draft(talk: Talk) -> None:
    """Images (and a location) sent while the repair draft is open reach it."""
    assert await talk.say("zhangsan", "我要报修") == repair.ASK["location"]
    reply = await talk.say("zhangsan", "", kind=InboundKind.LOCATION, label="市民中心B座",
                           latitude=31.2, longitude=121.5)
    assert reply == repair.ASK["repair_category"]
    await talk.say("zhangsan", "洗手池下水管漏水")
    for n, media in enumerate(["MEDIA_A", "MEDIA_B"], start=1):
        reply = await talk.say("zhangsan", "", kind=InboundKind.IMAGE, media_id=media)
        assert reply.startswith(f"收到照片（共{n}张）。请确认报修")
        assert "地点：市民中心B座" in reply and f"照片：{n}张" in reply
    assert (await talk.say("zhangsan", "确认")).startswith("已提交报修 #1001：市民中心B座")
    request = await get_request(1001)
    assert request is not None and request.details["photos"] == ["MEDIA_A", "MEDIA_B"]
    await talk.deliver()
    assert "照片：2张" in talk.inbox("sunwei")[-1]


async def test_a_photo_outside_any_flow_gets_a_hint(talk: Talk) -> None:
    reply = await talk.say("zhangsan", "", kind=InboundKind.IMAGE, media_id="MEDIA_X")
    assert "报修" in reply
    assert await get_request(1001) is None


async def test_only_the_dispatcher_assigns(talk: Talk) -> None:
    no = await report_repair(talk)
    assert await talk.say("zhangsan", f"#{no} 派给钱力") == repair.ONLY_DISPATCHER
    assert await talk.say("qianli", f"{no}派给钱力") == repair.ONLY_DISPATCHER
    request = await get_request(no)
    assert request is not None and request.status is RequestStatus.PENDING
    assert request.assignee is None
    await talk.deliver()
    assert talk.inbox("qianli") == [repair.ONLY_DISPATCHER]


async def test_assign_to_someone_who_is_not_a_worker(talk: Talk) -> None:
    no = await report_repair(talk)
    reply = await talk.say("sunwei", f"{no}派给小刘")
    assert reply == "没有找到维修人员“小刘”。可以派给：钱力。"
    assert await talk.say("sunwei", "1999派给qianli") == "没有找到报修 #1999，请核对一下编号。"
    request = await get_request(no)
    assert request is not None and request.status is RequestStatus.PENDING


async def test_only_the_assigned_worker_progresses(talk: Talk) -> None:
    no = await report_repair(talk)
    assert await talk.say("qianli", f"#{no} 已修好") == repair.NOT_ASSIGNED_TO_YOU.format(no=no)
    await talk.say("sunwei", f"#{no} 派给钱力")
    assert await talk.say("zhangsan", f"#{no} 已修好") == repair.NOT_ASSIGNED_TO_YOU.format(no=no)
    request = await get_request(no)
    assert request is not None and request.status is RequestStatus.ASSIGNED
    # The worker with one task in hand need not say its number.
    assert (await talk.say("qianli", "修好了")).startswith(f"辛苦了！#{no}")


async def test_agree_inside_a_draft_is_not_an_approval(talk: Talk) -> None:
    await talk.say("zhangsan", "7号楼门厅的灯坏了")
    assert "请回复“确认”" in await talk.say("zhangsan", "同意")
    assert (await talk.say("zhangsan", "确认")).startswith("已提交报修 #1001：7号楼")


async def test_the_form_path_uses_the_same_rules_and_messages(talk: Talk) -> None:
    """submit_repair, as bot/web/pages.py calls it: the chat's questions for what is missing,
    a length limit, then the request and the dispatchers told in one transaction."""
    ctx = await talk.dispatcher.context_for("zhangsan", Channel.WEB)
    assert ctx is not None
    slots = {"location": "2号楼408室", "repair_category": "hvac", "description": "空调滴水"}
    missing = await repair.submit_repair({**slots, "repair_category": "magic"}, ctx)
    assert isinstance(missing, Problem) and missing.field == "repair_category"
    assert missing.form_message == repair.ASK["repair_category"]
    long = await repair.submit_repair({**slots, "description": "水" * 501}, ctx)
    assert isinstance(long, Problem) and long.form_message == "故障描述太长了，请控制在500个字以内。"
    done = await repair.submit_repair(slots, ctx)
    assert isinstance(done, Submitted) and done.numbers == (1001,)
    assert done.text == "已提交报修 #1001：2号楼408室 空调暖通。已通知维修调度，派工后会告诉您。"
    await talk.deliver()
    assert "【新报修】#1001 张三（办公室）" in talk.inbox("sunwei")[-1]


async def test_a_description_too_long_is_asked_again(talk: Talk) -> None:
    await talk.say("zhangsan", "我要报修")
    await talk.say("zhangsan", "6号楼105室")
    assert await talk.say("zhangsan", "其他") == repair.ASK["description"]
    reply = await talk.say("zhangsan", "坏" * 501)
    assert reply == "故障描述太长了，请控制在500个字以内。"
    reply = await talk.say("zhangsan", "门锁坏了")
    assert reply.startswith("请确认报修：") and "描述：门锁坏了" in reply
