"""One message, several services (issue 17 item 3): the splitter, judged on sentences
written for it (none of the dev or held-out sets, and no rule names one of them)."""

from __future__ import annotations

import pytest

from nlp import Intent, Nlu
from nlp.multipart import clauses, may_be_multi
from tests.nlp.conftest import NOW

V, F, A = "vehicle_booking", "facility_reservation", "asset_request"

# (text, [(intent, {slot: value} that must be present, slots that must be absent)])
CASES = [
    ("下周二上午有代表团来访，要一间能坐20人的接待室、一辆7座车去接站、中午食堂包间10人", [
        (F, {"facility_type": "reception_room", "attendees": 20, "date": "2026-12-01"}, ["start"]),
        (V, {"date": "2026-12-01"}, ["start", "passengers"]),
        (F, {"facility_type": "canteen_room", "attendees": 10, "date": "2026-12-01"}, ["start"]),
    ]),
    ("下周一上午省里来人检查，订一间接待室坐15人，再要一辆车去高铁站接他们，中午安排食堂包间12人", [
        (F, {"facility_type": "reception_room", "attendees": 15, "date": "2026-11-30"}, []),
        (V, {"destination": "高铁站", "date": "2026-11-30"}, []),
        (F, {"facility_type": "canteen_room", "attendees": 12, "date": "2026-11-30"}, []),
    ]),
    ("明天下午两点第一会议室开会30人，另外要辆车四点送专家去虹桥机场，3个人", [
        (F, {"facility": "第一会议室", "attendees": 30, "start": "2026-11-28T14:00"}, []),
        (V, {"destination": "虹桥机场", "passengers": 3, "start": "2026-11-28T16:00"}, []),
    ]),
    ("周四中午食堂包间8个人，下午2点到5点301会议室", [
        (F, {"facility_type": "canteen_room", "attendees": 8, "date": "2026-12-03"}, []),
        (F, {"facility": "301会议室", "start": "2026-12-03T14:00", "end": "2026-12-03T17:00"}, []),
    ]),
    ("后天上午9点到11点要接待室，10人；还要一辆7座车8点去火车站接人，5个人", [
        (F, {"facility_type": "reception_room", "attendees": 10, "start": "2026-11-29T09:00",
             "end": "2026-11-29T11:00"}, []),
        (V, {"destination": "火车站", "passengers": 5, "start": "2026-11-29T08:00"}, []),
    ]),
    ("下周三有外宾，订贵宾接待室和一辆车", [
        (F, {"facility_type": "reception_room", "date": "2026-12-02"}, []),
        (V, {"date": "2026-12-02"}, []),
    ]),
    ("下周三上午有客人来访，订贵宾接待室10人9点到11点，另外中午食堂2号包间15人12点到1点", [
        (F, {"facility_type": "reception_room", "attendees": 10, "start": "2026-12-02T09:00",
             "end": "2026-12-02T11:00"}, []),
        (F, {"facility_type": "canteen_room", "attendees": 15, "start": "2026-12-02T12:00",
             "end": "2026-12-02T13:00"}, []),
    ]),
    ("周五一行6人来调研，下午订一个会议室，还要一辆车", [
        (F, {"facility_type": "meeting_room", "attendees": 6, "date": "2026-11-27"}, []),
        (V, {"passengers": 6, "date": "2026-11-27"}, []),
    ]),
]

ONE_SERVICE = [
    "明天去市政府开会，3个人，用车",
    "明天上午9点301会议室，12人",
    "不要小会议室了，换成大礼堂",
    "不订包间了，改订接待室，明天中午12点",
    "食堂包间的暖气不热，301会议室的灯也坏了",
    "#1024 到哪了，会议室和车都批了吗",
]


@pytest.mark.parametrize(("text", "parts"), CASES, ids=[c[0][:12] for c in CASES])
def test_several_services_become_parts(nlu: Nlu, text: str, parts: list) -> None:
    result = nlu.parse(text, NOW)
    assert result.intent is Intent.SERVICE_BUNDLE
    got = result.parts
    assert [str(p.intent) for p in got] == [p[0] for p in parts]
    for p, (_, present, absent) in zip(got, parts, strict=True):
        for slot, value in present.items():
            assert p.contract_slots().get(slot) == value, (text, p.slots)
        for slot in absent:
            assert slot not in p.slots, (text, p.slots)
    # CONTRACT §6 at the top level: the first part's intent and slots, the parts beside them
    out = result.to_dict()
    assert out["intent"] == parts[0][0]
    assert out["slots"] == got[0].contract_slots()
    assert [x["intent"] for x in out["parts"]] == [p[0] for p in parts]


@pytest.mark.parametrize("text", ONE_SERVICE)
def test_one_service_is_not_split(nlu: Nlu, text: str) -> None:
    result = nlu.parse(text, NOW)
    assert result.intent is not Intent.SERVICE_BUNDLE
    assert "parts" not in result.to_dict()


def test_the_shared_part_of_day_goes_to_parts_without_one(nlu: Nlu) -> None:
    result = nlu.parse("下周二上午有代表团来访，要一间能坐20人的接待室、一辆7座车去接站、中午食堂包间10人", NOW)
    assert [p.context["daypart"] for p in result.parts] == ["上午", "上午", "中午"]
    assert result.context["text"] == "下周二上午有代表团来访"


def test_the_gate_and_the_cut() -> None:
    assert not may_be_multi("明天上午9点301会议室，12人")
    assert may_be_multi("订会议室，还要一辆车")
    assert clauses("要接待室、一辆车还要包间") == ["要接待室", "一辆车", "包间"]


def test_a_follow_up_inside_a_bundle_reads_as_each_service(nlu: Nlu) -> None:
    result = nlu.parse_as("9点到11点", NOW, Intent.SERVICE_BUNDLE)
    assert [str(p.intent) for p in result.parts] == [V, F, A]
    assert all(p.contract_slots().get("start") == "2026-11-28T09:00" for p in result.parts[:2])
    assert nlu.parse_as("3台", NOW, Intent.SERVICE_BUNDLE).parts[2].slots.get("quantity") == 3


# Written after the splitter, to judge it (first reading: 9 of 10 split right, 2 of 10
# single-service messages wrongly split; then "辆/大巴" became vehicle words and a room
# said as a trip's destination stopped being a room asked for). Kept as a regression table.
JUDGED_MULTI = [
    ("后天上午市领导来视察，安排第二会议室30人，再派一辆车去机场接，4个人", "FV"),
    ("下周四要开座谈会，报告厅80人下午两点到五点，会后食堂包间12人", "FF"),
    ("明天中午订个包间6个人，下午还要一辆车去市政府，2个人", "FV"),
    ("12月3日专家评审，订一间会议室15人，另外订午餐包间15人", "FF"),
    ("周一上午接待外宾：贵宾接待室、一辆商务车、中午包间8人", "FVF"),
    ("下周五培训，需要大礼堂200人全天，还要两辆大巴送学员", "FV"),
    ("明天下午3点301会议室8人，以及一辆车5点送客人去火车站", "FV"),
    ("后天健身房10人晚上7点，和一辆车9点送大家回家", "FV"),
    ("周三上午有考察团，订接待室20人；用车去高铁站接人6人；中午食堂包间20人", "FVF"),
    ("下周二来检查组，会议室要一间10人的，还要安排中午工作餐包间", "FF"),
]
JUDGED_SINGLE = [
    "明天上午开车去会议中心开会，3个人",
    "帮我订301会议室，明天下午，车位够吗",
    "会议室的空调坏了，车库的灯也不亮",
    "我上周订的会议室和车都批了吗",
    "明天去火车站接人，一辆车，4个人，事由接待来访",
    "食堂包间明天中午10人",
    "取消明天的会议室和车",
    "明天用车，送专家去报告厅",
    "下周一上午10点第一会议室，40人，开会",
]


@pytest.mark.parametrize(("text", "kinds"), JUDGED_MULTI, ids=[t[:10] for t, _ in JUDGED_MULTI])
def test_judged_several(nlu: Nlu, text: str, kinds: str) -> None:
    got = "".join("V" if p.intent is Intent.VEHICLE_BOOKING else "F" for p in nlu.parse(text, NOW).parts)
    assert got == kinds


@pytest.mark.parametrize("text", JUDGED_SINGLE)
def test_judged_single(nlu: Nlu, text: str) -> None:
    assert not nlu.parse(text, NOW).parts


# Things from the asset office beside a room or a car (written for the asset parts; no rule
# names one of them).
ASSET_CASES = [
    ("下周一上午9点到11点订301会议室开培训会，10人，另外领两台笔记本电脑送到会议室", [
        (F, {"facility": "301会议室", "attendees": 10, "start": "2026-11-30T09:00"}, []),
        (A, {"asset": "笔记本电脑", "quantity": 2, "location": "会议室"}, ["date", "attendees"]),
    ]),
    ("后天上午订接待室10人，领三把办公椅到接待室", [
        (F, {"facility_type": "reception_room", "attendees": 10, "date": "2026-11-29"}, []),
        (A, {"asset": "办公椅", "quantity": 3, "location": "接待室"}, ["attendees"]),
    ]),
    ("明天订会议室和两台笔记本电脑", [
        (F, {"facility_type": "meeting_room", "date": "2026-11-28"}, []),
        (A, {"asset": "笔记本电脑", "quantity": 2}, ["location"]),
    ]),
    ("要一辆车明早8点去机场，2个人，再领一台投影仪", [
        (V, {"destination": "机场", "passengers": 2}, []),
        (A, {"asset": "投影仪", "quantity": 1}, ["passengers", "date"]),
    ]),
    ("周四下午2点第一会议室开会20人，还要一台投影仪和两台笔记本电脑，送到会议室", [
        (F, {"facility": "第一会议室", "attendees": 20, "start": "2026-12-03T14:00"}, []),
        (A, {"asset": "投影仪", "quantity": 1}, []),
        (A, {"asset": "笔记本电脑", "quantity": 2, "location": "会议室"}, []),
    ]),
    # counted things and where they go in one clause after 再要/还要: a requisition, not a
    # trip to the room (found trying the demo: "送到会议室" was read as a car's destination)
    ("下周二下午两点订个会议室，12个人，两个小时，再要两台笔记本电脑送到会议室", [
        (F, {"facility_type": "meeting_room", "attendees": 12, "start": "2026-12-01T14:00"}, []),
        (A, {"asset": "笔记本电脑", "quantity": 2, "location": "会议室"}, ["date"]),
    ]),
    ("明早九点接待室8人，还要三把椅子搬到接待室", [
        (F, {"facility_type": "reception_room", "attendees": 8, "start": "2026-11-28T09:00"}, []),
        (A, {"asset": "椅子", "quantity": 3, "location": "接待室"}, ["date"]),
    ]),
]
ASSET_SINGLE = [
    "明天上午9点301会议室，12人，需要投影仪",  # the room's equipment, not a requisition
    "领两台笔记本电脑送到3号楼502",
    "301会议室的投影仪坏了",
    "会议室里的两台电脑都开不了机",
]


@pytest.mark.parametrize(("text", "parts"), ASSET_CASES, ids=[c[0][:12] for c in ASSET_CASES])
def test_things_from_the_asset_office_are_a_part(nlu: Nlu, text: str, parts: list) -> None:
    test_several_services_become_parts(nlu, text, parts)


@pytest.mark.parametrize("text", ASSET_SINGLE)
def test_one_service_with_things_is_not_split(nlu: Nlu, text: str) -> None:
    assert not nlu.parse(text, NOW).parts
