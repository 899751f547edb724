"""Facility reservation dialogues through the real dispatcher and NLU, on both databases.
The clock stands at Friday 2026-11-27 10:00 (Shanghai). 301会议室 (12 seats, 08:00-20:00)
needs no approval; 大礼堂 and 101接待室 (8 seats, 09:00-18:00) go to 周静."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from handlers.base import Channel
from handlers.facility_reservation import (
    Checked,
    check_facility,
    match_facility,
    room_said,
    submit_facility,
    weekly_dates,
)
from handlers.forms import Problem, Submitted
from models.holds import Hold
from models.org import Facility, FacilityType
from models.requests import ApprovalStep, Request, RequestStatus
from nlp.words import read_words

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 27)


async def add_room_302() -> None:
    await Facility.create(id="mr-302", name="302会议室", type=FacilityType.MEETING_ROOM,
                          building="1号楼", capacity=20, needs_approval=False,
                          open_from="08:00", open_to="20:00")


async def test_a_room_without_approval_is_booked_at_once(talk):
    reply = await talk.say("zhangsan", "下周一上午9点到11点订301会议室，10人")
    assert "301会议室" in reply and "11月30日(周一) 09:00-11:00" in reply and "10人" in reply
    assert "确认后即预约成功" in reply
    assert await Request.all().count() == 0

    reply = await talk.say("zhangsan", "确认")
    assert reply.startswith("已预约成功 #1001") and "301会议室" in reply
    request = await Request.get(id=1)
    assert request.status is RequestStatus.APPROVED
    assert request.facility_id == "mr-301" and request.details == {"attendees": 10}  # type: ignore[attr-defined]
    assert request.start is not None and request.start.astimezone(TZ) == datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
    assert await ApprovalStep.filter(request_id=1).count() == 0
    assert await Hold.filter(request_id=1, active=True, resource="facility:mr-301").count() == 1
    await talk.deliver()
    assert talk.inbox("zhoujing") == []


async def test_a_room_needing_approval_waits_for_the_facility_admin(talk):
    reply = await talk.say("wuli", "明天上午十点借用大礼堂开大会，120人，两个小时")
    assert reply == "大礼堂需要管理员审批，请简单说一下会议用途，比如“部门例会”“接待来访”。"
    assert (await talk.say("wuli", "不知道")).startswith("用途要写上")
    reply = await talk.say("wuli", "全局干部大会，需要话筒和投影仪")
    assert "大礼堂" in reply and "需管理员审批" in reply
    assert "\n人数：120人\n用途：全局干部大会\n设备：话筒、投影仪\n" in reply
    reply = await talk.say("wuli", "确认")
    assert "已提交 #1001" in reply and "周静" in reply
    request = await Request.get(id=1)
    assert request.status is RequestStatus.PENDING
    assert request.details == {"attendees": 120, "purpose": "全局干部大会",
                               "equipment": ["话筒", "投影仪"]}
    step = await ApprovalStep.get(request_id=1).prefetch_related("approver")
    assert step.approver.userid == "zhoujing"
    assert await Hold.filter(request_id=1, active=True).count() == 1  # held while pending
    await talk.deliver()
    [asked] = [m for m in talk.inbox("zhoujing") if "#1001" in m and "大礼堂" in m]
    assert "\n用途：全局干部大会\n设备：话筒、投影仪\n" in asked


async def test_purpose_and_equipment_said_at_once(talk):
    reply = await talk.say("xiaoliu", "明天下午两点订301会议室，两个小时，8人，要投影仪，用途：项目评审")
    assert "\n用途：项目评审\n设备：投影仪\n" in reply and "确认后即预约成功" in reply
    reply = await talk.say("xiaoliu", "还要话筒")
    assert "设备：投影仪、话筒" in reply
    assert "已预约成功 #1001" in await talk.say("xiaoliu", "确认")
    request = await Request.get(id=1)
    assert request.details["equipment"] == ["投影仪", "话筒"]


async def test_by_type_step_by_step(talk):
    reply = await talk.say("xiaoliu", "明天订个会议室")
    assert "11月28日(周六)几点开始" in reply
    reply = await talk.say("xiaoliu", "下午两点")
    assert "结束" in reply
    reply = await talk.say("xiaoliu", "两个小时")
    assert "多少人" in reply
    reply = await talk.say("xiaoliu", "8人")
    assert "301会议室" in reply and "11月28日(周六) 14:00-16:00" in reply
    reply = await talk.say("xiaoliu", "改成三点")
    assert "15:00-17:00" in reply
    assert "已预约成功 #1001" in await talk.say("xiaoliu", "确认")


async def test_over_capacity(talk):
    reply = await talk.say("zhangsan", "明天下午两点订101接待室，两个小时，15人")
    assert "101接待室最多容纳8人" in reply and "大礼堂" in reply
    assert "职工健身房" not in reply  # a meeting is never sent to the gym
    reply = await talk.say("zhangsan", "那换成大礼堂")
    assert "大礼堂需要管理员审批" in reply and "会议用途" in reply
    reply = await talk.say("zhangsan", "接待来访")
    assert "大礼堂" in reply and "15人" in reply and "14:00-16:00" in reply
    assert await Request.all().count() == 0


async def test_the_form_path_uses_the_same_rules_and_messages(talk):
    """check_facility / submit_facility, as bot/web/pages.py calls them: a room by id alone
    gets its type; by type the smallest fitting room; the chat's messages."""
    ctx = await talk.dispatcher.context_for("wuli", Channel.WEB)
    assert ctx is not None
    when = {"date": date(2026, 11, 30), "start": datetime(2026, 11, 30, 9, tzinfo=TZ),
            "end": datetime(2026, 11, 30, 11, tzinfo=TZ)}
    checked = await check_facility({**when, "facility_type": "meeting_room", "attendees": 6}, ctx)
    assert isinstance(checked, Checked) and checked.room.id == "mr-301"

    small = await check_facility({**when, "facility_id": "rr-101", "attendees": 15}, ctx)
    assert isinstance(small, Problem) and small.field == "facility"
    assert small.form_message.startswith("101接待室最多容纳8人，您说的是15人。可以换成：")
    assert "直接说名称即可" in small.message and "直接说名称" not in small.form_message

    done = await submit_facility({**when, "facility_id": "rr-101", "attendees": 6}, ctx)
    assert isinstance(done, Submitted) and done.numbers == (1001,)
    assert done.text.startswith("已提交 #1001：101接待室") and "周静" in done.text
    taken = await submit_facility({**when, "facility_id": "rr-101", "attendees": 6}, ctx)
    assert isinstance(taken, Problem) and taken.taken
    assert "已被预约" in taken.form_message
    assert await Request.all().count() == 1
    await talk.deliver()
    assert any("#1001" in m for m in talk.inbox("zhoujing"))


async def test_outside_opening_hours(talk):
    reply = await talk.say("zhangsan", "明天早上7点订301会议室，一个小时，5人")
    assert "开放时间是08:00-20:00" in reply
    assert await Request.all().count() == 0
    reply = await talk.say("zhangsan", "上午九点到十点")
    assert "09:00-10:00" in reply and "确认" in reply


async def test_unknown_room(talk):
    reply = await talk.say("chenchu", "明天下午3点订505会议室，5人，两小时")
    assert "没有找到“505会议室”" in reply and "301会议室" in reply
    assert await Request.all().count() == 0
    reply = await talk.say("chenchu", "那就301会议室吧")
    assert "301会议室" in reply and "15:00-17:00" in reply


async def test_a_taken_room_offers_other_rooms_and_its_next_free_window(talk):
    await add_room_302()
    await talk.say("zhangsan", "明天下午两点到四点订301会议室，10人")
    assert "#1001" in await talk.say("zhangsan", "确认")

    reply = await talk.say("wuli", "明天下午三点订301会议室，开一个小时，6人")
    assert "已被预约" in reply
    assert "302会议室" in reply
    assert "11月28日(周六) 16:00-17:00" in reply  # 301's next free hour
    assert await Request.all().count() == 1
    reply = await talk.say("wuli", "换成302会议室")
    assert "302会议室" in reply and "15:00-16:00" in reply
    assert "已预约成功" in await talk.say("wuli", "确认")
    assert await Request.filter(facility_id="mr-302").count() == 1


async def test_by_type_when_every_room_is_taken(talk):
    await talk.say("zhangsan", "明天下午两点到四点订301会议室，10人")
    await talk.say("zhangsan", "确认")
    reply = await talk.say("wuli", "明天下午三点要个会议室，一个小时，6人")
    assert "都已被预约" in reply and "16:00-17:00" in reply
    assert await Request.all().count() == 1


async def test_weekly_repeat_is_all_or_none(talk):
    await talk.say("zhangsan", "12月14日上午9点到10点订301会议室，5人")
    assert "#1001" in await talk.say("zhangsan", "确认")

    reply = await talk.say("lichu", "每周一上午9点到11点在301会议室开例会，到一月底，8人")
    assert "12月14日(周一)" in reply and "要么全部订上" in reply
    assert await Request.all().count() == 1

    reply = await talk.say("lichu", "每周二上午九点到十一点订301会议室，8人，到12月29日")
    assert "每周二" in reply and "共5次" in reply
    reply = await talk.say("lichu", "确认")
    assert "共5次" in reply and "已预约成功" in reply
    series = await Request.filter(applicant__userid="lichu").order_by("start")
    assert len(series) == 5 and len({r.series for r in series}) == 1 and series[0].series
    assert [r.start.astimezone(TZ).date() for r in series if r.start] == [
        date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15), date(2026, 12, 22),
        date(2026, 12, 29)]
    assert all(r.status is RequestStatus.APPROVED for r in series)
    assert await Hold.filter(active=True, resource="facility:mr-301").count() == 6


async def test_weekly_repeat_asks_its_end_and_caps_the_count(talk):
    reply = await talk.say("lichu", "每周三下午两点到三点订301会议室，6人")
    assert "到哪天为止" in reply
    reply = await talk.say("lichu", "到明年12月31日")
    assert "最多预约26次" in reply
    reply = await talk.say("lichu", "到12月底")
    assert "共5次" in reply  # 12月2日 … 12月30日
    assert await Request.all().count() == 0


def test_weekly_dates() -> None:
    assert weekly_dates(date(2026, 11, 30), date(2026, 12, 14)) == [
        date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14)]


ROOMS = [SimpleNamespace(name=n) for n in ("301会议室", "302会议室", "大礼堂", "101接待室")]


@pytest.mark.parametrize(("said", "name"), [
    ("301会议室", "301会议室"), ("301", "301会议室"), ("302室", "302会议室"),
    ("礼堂", "大礼堂"), ("505会议室", None), ("食堂", None),
])
def test_match_facility(said: str, name: str | None) -> None:
    found = match_facility(said, ROOMS)  # type: ignore[arg-type]
    assert (found.name if found else None) == name


@pytest.mark.parametrize(("text", "said"), [
    ("那就301吧", "301"), ("换成大礼堂", "大礼堂"), ("改成10人", None), ("12:30开始", None),
    ("那就505吧", None),  # no such room
])
def test_room_said(text: str, said: str | None) -> None:
    assert room_said(text, read_words(text, datetime(2026, 11, 27, 10, tzinfo=TZ)), ROOMS) == said  # type: ignore[arg-type]
