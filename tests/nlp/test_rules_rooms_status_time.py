"""Tables for the rules added after the dialogue colleagues' reports: a number tied to a
room is not a request number, status questions about one's own or pending requests,
repairs said colloquially, ends and durations said apart from the start, years, and
"我和两个同事". Sentences are our own, worded apart from the dev set."""

from __future__ import annotations

from typing import Any

import pytest

from nlp import Intent, Nlu
from tests.nlp.conftest import NOW

V, R, F = Intent.VEHICLE_BOOKING, Intent.REPAIR_REQUEST, Intent.FACILITY_RESERVATION
S, A, J, C, U = Intent.APPROVAL_STATUS, Intent.APPROVE, Intent.REJECT, Intent.CANCEL, Intent.UNKNOWN

# -- 1. rooms are not request numbers ---------------------------------------------------

ROOM_NUMBERS: list[tuple[str, Intent]] = [
    ("那就302吧", U),  # a choice inside a flow: the dispatcher sends it to the open flow
    ("就503吧", U),
    ("换成305", U),
    ("改到601", U),
    ("选1102", U),
    ("我在综合楼1507", U),
    ("行政楼2201", U),
    ("订205", F),
    ("约405", F),
    ("下周二订１２０８", F),  # full-width digits
    ("明天订一下1106", F),
    ("预约6楼608", F),
    ("預約５樓６０８", F),  # traditional
]


@pytest.mark.parametrize(("text", "intent"), ROOM_NUMBERS)
def test_room_number_is_not_a_request_number(nlu: Nlu, text: str, intent: Intent) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent == intent
    assert "request_no" not in p.slots
    assert "facility" not in p.slots  # a bare number is not a named room (be conservative)


@pytest.mark.parametrize(
    ("text", "location"),
    [("5号楼1206漏水", "5号楼1206"), ("综合楼１３０２的灯不亮", "综合楼1302"), ("行政楼805空调不制冷", "行政楼805")],
)
def test_room_number_in_a_repair_is_the_location(nlu: Nlu, text: str, location: str) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent == R
    assert p.slots["location"] == location
    assert "request_no" not in p.slots


REQUEST_NUMBERS: list[tuple[str, Intent, int]] = [
    ("#1310到哪一步了", S, 1310),
    ("1311进度", S, 1311),
    ("1312", S, 1312),
    ("＃１３１３", S, 1313),
    ("同意1314", A, 1314),
    ("取消1315", C, 1315),
    ("就1316吧，批准", A, 1316),  # a decision word makes the number a request again
    ("1317号", S, 1317),
    ("查一下1318", S, 1318),
    ("1319怎么还没批", S, 1319),
    ("is 1320 approved", S, 1320),
    ("礼堂那个1321我不同意", J, 1321),
]


@pytest.mark.parametrize(("text", "intent", "number"), REQUEST_NUMBERS)
def test_request_numbers_still_read(nlu: Nlu, text: str, intent: Intent, number: int) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent == intent
    assert p.slots.get("request_no") == number


@pytest.mark.parametrize(
    ("text", "facility"),
    [("订会议室305，下周一上午", "会议室305"), ("后天借2号楼402会议室", "402会议室"), ("会议室A203明天上午有空吗", "会议室A203")],
)
def test_numbered_room_either_order(nlu: Nlu, text: str, facility: str) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent == F
    assert p.slots["facility"] == facility


# -- 2. status questions ----------------------------------------------------------------

STATUS: list[str] = [
    "待我审批的有几个",
    "现在有什么要我签的",
    "还有需要我处理的吗",
    "有没有等我批的单子",
    "我这个月订了哪些会议室",
    "我都约了什么",
    "我报过哪些修",
    "我的预订",
    "我叫的车呢",
    "我约的车怎么还没到",
    "师傅几点能来",
    "司机什么时候到",
    "还没处理的有哪些",
    "pending approvals",
    "anything waiting for me",
    "what did I reserve",
    "has 1402 been approved",
]


@pytest.mark.parametrize("text", STATUS)
def test_status_questions(nlu: Nlu, text: str) -> None:
    assert nlu.parse(text, NOW).intent == S


# -- 3. repairs said colloquially, and faults of a car ------------------------------------

REPAIRS: list[tuple[str, str | None, str | None]] = [
    ("茶水间的水龙头拧不紧", "plumbing", "茶水间"),
    ("洗手间水龙头关不住", "plumbing", "洗手间"),
    ("想报个修", None, None),
    ("报一下修，会议室的灯闪", "electrical", "会议室"),
    ("档案室门锁锁不上了", "other", "档案室"),
    ("打印机没墨了", "it", None),
    ("电脑太卡了", "it", None),
    ("办公室没网", "it", "办公室"),
    ("网速特别慢", "it", None),
    ("窗户推不开", "other", None),
    ("公务车刹车有点异响", "other", None),
    ("那辆商务车打不着火", "other", None),
    ("车胎没气了", "other", None),
    ("公车空调不制冷", "hvac", None),
    ("帮我找人修一下柜子", "furniture", None),
    ("会议室空调特别吵", "hvac", "会议室"),
]


@pytest.mark.parametrize(("text", "category", "location"), REPAIRS)
def test_colloquial_repairs(nlu: Nlu, text: str, category: str | None, location: str | None) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent == R
    assert p.slots.get("repair_category") == category
    assert p.slots.get("location") == location


@pytest.mark.parametrize("text", ["车坏了，再派一辆车去机场", "刚才那辆车坏了，明天换辆车用"])
def test_car_fault_with_a_booking_is_a_booking(nlu: Nlu, text: str) -> None:
    assert nlu.parse(text, NOW).intent == V


# -- 4. time ------------------------------------------------------------------------------

ENDS_APART: list[tuple[str, str, str]] = [
    ("明天9点订接待室，6个人，到11点", "2026-11-28T09:00", "2026-11-28T11:00"),
    ("后天下午2点用大会议室 20人 至5点", "2026-11-29T14:00", "2026-11-29T17:00"),  # part of day carried
    ("周五上午9点订报告厅，一直到12点", "2026-11-27T09:00", "2026-11-27T12:00"),
    ("下周一上午十点会议室，下午1点结束", "2026-11-30T10:00", "2026-11-30T13:00"),
    ("明天早上8点用车去临港，下午4点回来", "2026-11-28T08:00", "2026-11-28T16:00"),
    ("明天下午3点订包间，晚上8点散会", "2026-11-28T15:00", "2026-11-28T20:00"),
]


@pytest.mark.parametrize(("text", "start", "end"), ENDS_APART)
def test_end_said_apart_from_start(nlu: Nlu, text: str, start: str, end: str) -> None:
    p = nlu.parse(text, NOW)
    assert p.contract_slots()["start"] == start
    assert p.contract_slots()["end"] == end


def test_words_between_start_and_end_keep_their_meaning(nlu: Nlu) -> None:
    p = nlu.parse("明天9点订接待室 4个人 到11点", NOW)
    assert p.slots["facility_type"] == "reception_room"
    assert p.slots["attendees"] == 4


DURATIONS: list[tuple[str, int]] = [
    ("用三个小时", 180),
    ("两个半小时", 150),
    ("大概一个半钟头", 90),
    ("45分钟", 45),
    ("要用1.5小时", 90),
    ("半小时就够", 30),
    ("for 2 hours", 120),
]


@pytest.mark.parametrize(("text", "minutes"), DURATIONS)
def test_duration_alone_is_exposed(nlu: Nlu, text: str, minutes: int) -> None:
    p = nlu.parse(text, NOW)
    assert p.duration_minutes == minutes
    assert "end" not in p.slots and "start" not in p.slots
    assert "duration_minutes" not in p.to_dict() and set(p.to_dict()) == {"intent", "slots"}


@pytest.mark.parametrize("text", ["提前半小时到", "两个小时以后再说", "每半小时一班"])
def test_not_a_duration(nlu: Nlu, text: str) -> None:
    assert nlu.parse(text, NOW).duration_minutes is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("订个会议室，用两个小时，明天下午三点", "2026-11-28T15:00", "2026-11-28T17:00"),  # duration first
        ("明天上午10点会议室，开一个半小时", "2026-11-28T10:00", "2026-11-28T11:30"),
    ],
)
def test_duration_with_a_start_sets_the_end(nlu: Nlu, text: str, start: str, end: str) -> None:
    p = nlu.parse(text, NOW)
    assert (p.contract_slots()["start"], p.contract_slots()["end"]) == (start, end)
    assert p.duration_minutes is not None


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("明年12月31日用车", "2027-12-31"),
        ("明年1月5号上午九点用车", "2027-01-05"),
        ("今年12月30号订会议室", "2026-12-30"),
        ("後年2月3日用車", "2028-02-03"),
        ("下个月5号订礼堂", "2026-12-05"),
        ("下月10号用车", "2026-12-10"),
        ("下下个月1号订会议室", "2027-01-01"),
        ("本月29号订会议室", "2026-11-29"),
    ],
)
def test_year_and_month_words(nlu: Nlu, text: str, day: str) -> None:
    assert nlu.parse(text, NOW).contract_slots()["date"] == day


# -- 5. the speaker and companions --------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("我和两个同事明天下午用车去市委", 3),
        ("我跟一位领导后天去机场，要车", 2),
        ("我带3个人明天上午用车去区政府", 4),
        ("明天用车，我和四名专家去临港", 5),
    ],
)
def test_speaker_counts_as_a_passenger(nlu: Nlu, text: str, count: int) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent == V
    assert p.slots["passengers"] == count


# -- decisions ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("把1330撤了", C, {"request_no": 1330}),
        ("reject 1331 no drivers left", J, {"request_no": 1331, "comment": "no drivers left"}),
        ("驳回 1332 当天礼堂有活动", J, {"request_no": 1332, "comment": "当天礼堂有活动"}),
        ("我拒绝1333", J, {"request_no": 1333}),
    ],
)
def test_decisions(nlu: Nlu, text: str, intent: Intent, expected: dict[str, Any]) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent == intent
    assert p.contract_slots() == expected


@pytest.mark.parametrize(
    ("text", "destination"),
    [("下周三去苏州出差要派车", "苏州"), ("明天用车到区法院报到", "区法院"), ("后天派车去临港签约", "临港")],
)
def test_purpose_is_not_part_of_the_destination(nlu: Nlu, text: str, destination: str) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent == V
    assert p.slots["destination"] == destination
