"""One window for several services (issue 17 item 3), through the real dispatcher, NLU and
database (SQLite, then PostgreSQL). Friday 2026-11-27 10:00; 101接待室 (8 seats) and
食堂二楼包间 (16) need 周静's approval, a car needs 李处's then 王科's."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.timers import sweep
from handlers import bundle_after
from handlers.base import Channel, InboundKind
from models.audit import AuditLog
from models.bundles import Bundle
from models.holds import Hold
from models.requests import Request, RequestStatus

TZ = ZoneInfo("Asia/Shanghai")
VISIT = "下周二上午有客人来访，要一间能坐6人的接待室、一辆车去火车站接站，3个人、中午食堂包间10人"


async def fill_visit(talk) -> str:
    reply = await talk.say("zhangsan", VISIT)
    assert "3件事" in reply and "①接待室" in reply and "②用车" in reply and "③食堂包间" in reply
    assert "【接待室】" in reply and "12月1日(周二)上午几点开始" in reply
    reply = await talk.say("zhangsan", "9点到11点")
    assert "【用车】" in reply and "几点出发" in reply
    reply = await talk.say("zhangsan", "8点出发，用一个小时")
    assert "【食堂包间】" in reply
    reply = await talk.say("zhangsan", "12点到1点半")
    return reply


async def test_one_message_three_services_one_confirm(talk):
    reply = await fill_visit(talk)
    assert "请确认这次一站式申请（共3项）" in reply and "事由：下周二上午有客人来访" in reply
    assert "101接待室" in reply and "12月1日(周二) 09:00-11:00" in reply
    assert "局机关→火车站" in reply and "08:00-09:00" in reply
    assert "食堂二楼包间" in reply and "12:00-13:30" in reply
    assert await Request.all().count() == 0  # nothing before the whole is confirmed

    reply = await talk.say("zhangsan", "确认")
    assert reply.startswith("已提交一站式申请 #1001（共3项）")
    assert "（周静一并审批①③）" in reply
    parts = await Request.all().order_by("id")
    assert [p.type.value for p in parts] == ["facility_reservation", "vehicle_booking",
                                             "facility_reservation"]
    bundle = await Bundle.get()
    assert all(p.bundle_id == bundle.id for p in parts)  # type: ignore[attr-defined]
    assert all(p.status is RequestStatus.PENDING for p in parts)
    assert await Hold.filter(active=True).count() == 4  # room, car + driver, canteen room
    creates = await AuditLog.filter(action="create").order_by("id")
    assert [(a.actor, a.details.get("bundle")) for a in creates] == [("zhangsan", bundle.id)] * 3
    await talk.deliver()
    zhoujing = talk.inbox("zhoujing")
    assert len(zhoujing) == 1 and "一站式申请 #1001，其中2项等您审批" in zhoujing[0]
    assert "同意1001" in zhoujing[0]
    assert len(talk.inbox("lichu")) == 1 and "#1002" in talk.inbox("lichu")[0]

    reply = await talk.say("zhoujing", "同意1001")
    assert "已同意 #1001" in reply and "已同意 #1003" in reply
    assert [p.status for p in await Request.all().order_by("id")] == [
        RequestStatus.APPROVED, RequestStatus.PENDING, RequestStatus.APPROVED]

    reply = await talk.say("zhangsan", "#1002 到哪了")
    assert reply.startswith("一站式申请 #1001（共3项）")
    assert "① #1001" in reply and "② #1002" in reply and "等待李处审批" in reply

    reply = await talk.say("zhangsan", "取消#1001")
    assert "已全部取消" in reply and "#1001、#1002、#1003" in reply
    assert await Hold.filter(active=True).count() == 0
    assert {p.status for p in await Request.all()} == {RequestStatus.CANCELLED}
    assert await AuditLog.filter(action="cancel", actor="zhangsan").count() == 3


async def to_summary(talk, user: str = "zhangsan") -> str:
    reply = await talk.say(user, "下周二有客人来访，订101接待室，6人，上午9点到11点，还要一辆车8点去火车站，3个人，用一个小时")
    assert "请确认这次一站式申请（共2项）" in reply, reply
    return reply


async def book_room_alone(talk, user: str = "wuli") -> str:
    reply = await talk.say(user, "下周二上午10点到12点订101接待室，5人")
    assert "请确认场地预约" in reply, reply
    return reply


async def test_a_part_not_to_be_had_is_named_with_what_its_service_offers(talk):
    await book_room_alone(talk)
    assert "已提交" in await talk.say("wuli", "确认")
    reply = await talk.say("zhangsan", "下周二有客人来访，订101接待室，6人，上午9点到11点，还要一辆车8点去火车站，3个人，用一个小时")
    assert "【101接待室】101接待室 12月1日(周二) 09:00-11:00 已被预约" in reply
    assert "最近的空档" in reply
    assert await Request.filter(applicant__userid="zhangsan").count() == 0
    reply = await talk.say("zhangsan", "改成下午2点到4点")
    assert "请确认这次一站式申请（共2项）" in reply and "14:00-16:00" in reply
    assert "08:00-09:00" in reply  # the car keeps its morning
    reply = await talk.say("zhangsan", "用车改成7点半")
    assert "07:30-08:30" in reply and "14:00-16:00" in reply


async def test_taken_between_summary_and_confirm_nothing_is_created(talk):
    await to_summary(talk)
    await book_room_alone(talk)
    assert "已提交" in await talk.say("wuli", "确认")
    reply = await talk.say("zhangsan", "确认")
    assert reply.startswith("刚才有一项被别人订走了，整份申请没有提交")
    assert "【101接待室】" in reply and "已被预约" in reply
    assert await Request.filter(applicant__userid="zhangsan").count() == 0
    assert await Bundle.all().count() == 0


async def test_a_race_for_the_room_gives_it_once_and_the_bundle_all_or_nothing(talk):
    await to_summary(talk)
    await book_room_alone(talk)
    a, b = await asyncio.gather(talk.say("zhangsan", "确认"), talk.say("wuli", "确认"))
    room_holds = await Hold.filter(active=True, resource="facility:rr-101").count()
    assert room_holds == 1
    mine = await Request.filter(applicant__userid="zhangsan").count()
    if a.startswith("已提交一站式申请"):
        assert mine == 2 and "被别人订走" in b
    else:
        assert mine == 0 and a.startswith("刚才有一项被别人订走了") and "已提交" in b
        assert await Hold.filter(active=True).count() == 1  # the car was not held either


async def test_one_rejection_for_the_shared_approver_rejects_their_parts(talk):
    await fill_visit(talk)
    await talk.say("zhangsan", "确认")
    reply = await talk.say("zhoujing", "驳回1001，理由：当天有检查")
    assert "已驳回 #1001" in reply and "已驳回 #1003" in reply
    statuses = [p.status for p in await Request.all().order_by("id")]
    assert statuses == [RequestStatus.REJECTED, RequestStatus.PENDING, RequestStatus.REJECTED]
    assert await Hold.filter(active=True).count() == 2  # the car and its driver stay held
    # a part on its own number is decided alone, as any request
    reply = await talk.say("lichu", "同意1002")
    assert "已同意 #1002，已转王科审批" in reply


async def test_the_shared_approver_gets_one_card_for_the_bundle(linked_talk):
    talk = linked_talk
    await fill_visit(talk)
    await talk.say("zhangsan", "确认")
    await talk.deliver()
    cards = talk.cards("zhoujing")
    assert len(cards) == 1
    card = cards[0]
    assert card["main_title"]["title"] == "一站式申请待您审批 #1001"
    facts = [f["value"] for f in card["horizontal_content_list"]]
    assert facts == ["下周二上午有客人来访", "12月1日(周二)", "101接待室 09:00-11:00 6人",
                     "食堂二楼包间 12:00-13:30 10人"]
    keys = [b["key"] for b in card["button_list"]]
    assert keys[0].startswith("bundle:approve:1001:")
    reply = await talk.say("zhoujing", "", kind=InboundKind.CARD_EVENT, event_key=keys[0],
                           task_id=card["task_id"], response_code="rc-9")
    assert "已同意 #1001" in reply and "已同意 #1003" in reply
    await talk.deliver()
    update = talk.cards("zhoujing")[-1]
    assert update["kind"] == "card_update" and update["template_card"]["replace_text"] == "已同意"
    assert len(talk.cards("lichu")) == 1  # the car's first approver: the usual card
    # a second tap changes nothing
    reply = await talk.say("zhoujing", "", kind=InboundKind.CARD_EVENT, event_key=keys[0],
                           task_id=card["task_id"], response_code="rc-10")
    assert "没有等您审批" in reply


async def test_my_requests_and_the_one_feedback(talk):
    await fill_visit(talk)
    await talk.say("zhangsan", "确认")
    reply = await talk.say("zhangsan", "我的申请")
    assert "其中#1001（#1001、#1002、#1003）是一站式申请" in reply
    assert "还没有全部办完" in await talk.say("zhangsan", "评价#1001 5分")
    await talk.say("zhoujing", "同意1001")
    await talk.say("lichu", "同意1002")
    await talk.say("wangke", "同意1002")
    assert (await sweep(datetime(2026, 12, 1, 13, 0, tzinfo=TZ), tz=TZ)).feedback_asked == 0
    talk.now = datetime(2026, 12, 1, 15, 0, tzinfo=TZ)
    assert (await sweep(talk.now, tz=TZ)).feedback_asked == 1  # the canteen room ended 13:30
    assert (await sweep(talk.now, tz=TZ)).feedback_asked == 0  # once
    await talk.deliver()
    asked = [t for t in talk.inbox("zhangsan") if "已全部办完，欢迎评价" in t]
    assert asked == ["您的一站式申请 #1001（下周二上午有客人来访）已全部办完，欢迎评价这次服务："
                     "回复“评价#1001 5分”（1–5分），可以附上意见，例如“评价#1001 4分 包间有点小”。"]
    assert await AuditLog.filter(action="ask_feedback", request_id=1).count() == 1
    reply = await talk.say("zhangsan", "#1003 到哪了")
    assert "欢迎评价：回复“评价#1001 5分”" in reply
    reply = await talk.say("zhangsan", "评价#1002 2分 车来晚了")
    assert reply.startswith("抱歉这次没让您满意（2分）")
    bundle = await Bundle.get()
    assert bundle.rating == 2 and bundle.feedback == "车来晚了"
    await talk.deliver()
    assert any("打了2分（车来晚了）" in t for t in talk.inbox("wangke"))
    assert any("打了2分" in t for t in talk.inbox("zhoujing"))
    assert "已经评价过了" in await talk.say("zhangsan", "评价#1001 5分")
    assert "评价：2分（车来晚了）" in await talk.say("zhangsan", "#1001 到哪了")
    # another's bundle cannot be rated by them
    assert "只有申请人本人" in await talk.say("lichu", "评价#1001 5分")


async def test_one_service_messages_go_as_before(talk):
    reply = await talk.say("zhangsan", "下周二上午9点订301会议室，10人，两个小时")
    assert reply.startswith("请确认场地预约")
    reply = await talk.say("zhangsan", "确认")
    assert reply.startswith("已预约成功 #1001")
    assert await Bundle.all().count() == 0
    assert "取消" in await talk.say("zhangsan", "取消#1001")
    assert (await Request.get(id=1)).status is RequestStatus.CANCELLED


async def test_a_car_of_so_many_seats_is_looked_for_as_such(talk):
    reply = await talk.say("zhangsan", "下周二有客人来访，订101接待室，6人，上午9点到11点，"
                                       "还要一辆7座车8点去火车站，3个人，用一个小时")
    assert "局机关→火车站，3人" in reply and "沪A12345 别克GL8（7座" in reply
    await talk.say("zhangsan", "确认")
    car = await Request.get(id=2)
    assert car.vehicle_id == 1 and car.details["passengers"] == 3  # type: ignore[attr-defined]


async def test_leaving_and_asking_inside_the_dialogue(talk):
    await to_summary(talk)
    reply = await talk.say("zhangsan", "改成10点")
    assert reply.startswith("要改哪一项？") and "101接待室改成10点" in reply
    reply = await talk.say("zhangsan", "我的申请")
    assert "没有进行中的申请" in reply
    reply = await talk.say("zhangsan", "101接待室改成10点")
    assert "10:00-12:00" in reply and "请确认这次一站式申请" in reply  # the draft stayed
    reply = await talk.say("zhangsan", "算了")
    assert "已取消本次填写" in reply
    assert await Request.all().count() == 0
    await talk.say("zhangsan", "确认")  # nothing left to confirm
    assert await Request.all().count() == 0 and await Bundle.all().count() == 0


async def test_a_parts_page_names_its_bundle(talk):
    await fill_visit(talk)
    await talk.say("zhangsan", "确认")
    ctx = await talk.dispatcher.context_for("zhangsan", Channel.WEB)
    facts = await bundle_after.bundle_facts(1002, ctx)
    assert facts[0] == "属于一站式申请 #1001（共3项），其余各项："
    assert facts[1] == "事由：下周二上午有客人来访"
    assert facts[2].startswith("① #1001") and facts[3].startswith("③ #1003")
    outsider = await talk.dispatcher.context_for("wuli", Channel.WEB)
    assert await bundle_after.bundle_facts(1002, outsider) == []
    assert await bundle_after.bundle_facts(1004, ctx) == []


async def test_the_shared_words_are_the_cars_purpose_and_without_them_it_is_asked(talk):
    await fill_visit(talk)
    confirm_state = await talk.say("zhangsan", "确认")
    assert confirm_state.startswith("已提交一站式申请")
    car = await Request.get(type="vehicle_booking")
    assert car.details["purpose"] == "接站"  # its own words ("去火车站接站") first

    # No shared words: the car's 事由 is asked, and a bare answer is taken as it.
    reply = await talk.say("wuli", "下周三上午10点到11点订101接待室，5人，还要一辆车9点去火车站，2个人，用一个小时")
    assert "【用车】" in reply and "事由" in reply
    reply = await talk.say("wuli", "接外省考察组")
    assert "请确认这次一站式申请（共2项）" in reply and "事由：接外省考察组" in reply
