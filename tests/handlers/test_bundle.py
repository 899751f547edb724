"""One window for several services (issue 17 item 3), through the real dispatcher, NLU and
database (SQLite, then PostgreSQL). Friday 2026-11-27 10:00; 101接待室 (8 seats) and
食堂二楼包间 (16) need 周静's approval, a car needs 李处's then 王科's."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

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
