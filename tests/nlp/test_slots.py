"""Slot tables by labelling rule (CONTRACT §6), worded apart from the dev set."""

from __future__ import annotations

from typing import Any

import pytest

from nlp import Intent, Nlu
from tests.nlp.conftest import NOW


def _slots(nlu: Nlu, text: str) -> dict[str, Any]:
    return nlu.parse(text, NOW).contract_slots()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("后天早上6点从局里出发去南通，两个人",
         {"date": "2026-11-29", "start": "2026-11-29T06:00", "origin": "局里", "destination": "南通",
          "passengers": 2}),
        ("明天上午八点送三位专家到国家会展中心",
         {"date": "2026-11-28", "start": "2026-11-28T08:00", "destination": "国家会展中心", "passengers": 3}),
        ("下周二早上派辆车去金山，我们四个",
         {"date": "2026-12-01", "destination": "金山", "passengers": 4}),
        ("后天晚上接客人回宾馆", {"date": "2026-11-29", "destination": "宾馆"}),
        ("明天从市政府到虹桥站，一人",
         {"date": "2026-11-28", "origin": "市政府", "destination": "虹桥站", "passengers": 1}),
        ("用车 外高桥 明天下午", {"date": "2026-11-28", "destination": "外高桥"}),
        ("目的地：长宁区政府，明天9点，乘车人数3",
         {"date": "2026-11-28", "start": "2026-11-28T09:00", "destination": "长宁区政府", "passengers": 3}),
        ("请安排车辆，由局机关前往宝山区政府", {"origin": "局机关", "destination": "宝山区政府"}),
        ("明天下午2点半用车，局办公室到市人大",
         {"date": "2026-11-28", "start": "2026-11-28T14:30", "origin": "局办公室", "destination": "市人大"}),
        ("要个车去一趟市档案局", {"destination": "市档案局"}),
        ("周四上午10点用车，往返奉贤", {"date": "2026-12-03", "start": "2026-12-03T10:00", "destination": "奉贤"}),
        ("派车：12/8 8:00 浦东新区人民政府 3人",
         {"date": "2026-12-08", "start": "2026-12-08T08:00", "destination": "浦东新区人民政府", "passengers": 3}),
        ("能派个车送我去市委吗", {"destination": "市委"}),
        ("明天下午3点到5点半用车去区法院",
         {"date": "2026-11-28", "start": "2026-11-28T15:00", "end": "2026-11-28T17:30", "destination": "区法院"}),
        ("need a car from the office to Pudong Airport at 6am tomorrow, 3 people",
         {"date": "2026-11-28", "start": "2026-11-28T06:00", "origin": "office", "destination": "Pudong Airport",
          "passengers": 3}),
        ("car to Hongqiao Railway Station tomorrow 2pm for 2",
         {"date": "2026-11-28", "start": "2026-11-28T14:00", "destination": "Hongqiao Railway Station",
          "passengers": 2}),
    ],
)
def test_vehicle_slots(nlu: Nlu, text: str, expected: dict[str, Any]) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent == Intent.VEHICLE_BOOKING
    assert p.contract_slots() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("订一下508会议室，明天上午，12人参会",
         {"date": "2026-11-28", "facility_type": "meeting_room", "facility": "508会议室", "attendees": 12}),
        ("第五会议室下周一下午2点到4点",
         {"date": "2026-11-30", "start": "2026-11-30T14:00", "end": "2026-11-30T16:00",
          "facility_type": "meeting_room", "facility": "第五会议室"}),
        ("明天用二号接待室接待来宾",
         {"date": "2026-11-28", "facility_type": "reception_room", "facility": "二号接待室"}),
        ("帮我留个大礼堂，周六全天，300人左右",
         {"date": "2026-11-28", "facility_type": "auditorium", "attendees": 300}),
        ("小会议室，下午两点，四五个人",
         {"date": "2026-11-27", "start": "2026-11-27T14:00", "facility_type": "meeting_room", "attendees": 5}),
        ("健身房下午5点，就我一个人",
         {"date": "2026-11-27", "start": "2026-11-27T17:00", "facility_type": "gym", "attendees": 1}),
        ("周三中午食堂包间两桌，共18人",
         {"date": "2026-12-02", "facility_type": "canteen_room", "attendees": 18}),
        ("会议室，下周四9点开始，开两个小时",
         {"date": "2026-12-03", "start": "2026-12-03T09:00", "end": "2026-12-03T11:00",
          "facility_type": "meeting_room"}),
        ("book meeting room 301 tomorrow 2pm to 4pm for 10 people",
         {"date": "2026-11-28", "start": "2026-11-28T14:00", "end": "2026-11-28T16:00",
          "facility_type": "meeting_room", "facility": "meeting room 301", "attendees": 10}),
    ],
)
def test_facility_slots(nlu: Nlu, text: str, expected: dict[str, Any]) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent == Intent.FACILITY_RESERVATION
    assert p.contract_slots() == expected


@pytest.mark.parametrize(
    "text", ["订个会议室", "礼堂下午要用", "包间还有吗，帮我订", "预约大会议室"],
)
def test_bare_room_gives_type_only(nlu: Nlu, text: str) -> None:
    assert "facility" not in _slots(nlu, text)
    assert "facility_type" in _slots(nlu, text)


@pytest.mark.parametrize(
    ("text", "location", "category"),
    [
        ("会议室的投影仪坏了", "会议室", "it"),
        ("3楼东侧男卫生间的马桶一直在漏水", "3楼东侧男卫生间", "plumbing"),
        ("5号楼二层走廊的灯不亮了", "5号楼二层走廊", "electrical"),
        ("电脑蓝屏了，在902", "902", "it"),
        ("财务科的打印机卡纸", "财务科", "it"),
        ("608房间的暖气片漏水", "608房间", "hvac"),
        ("食堂后厨下水道堵了", "食堂后厨", "plumbing"),
        ("一楼大堂的玻璃门关不上了", "一楼大堂", "other"),
        ("办公桌抽屉坏了，1号楼303", "1号楼303", "furniture"),
        ("接待室沙发扶手断了", "接待室", "furniture"),
        ("空调不制冷，位于2号楼五楼", "2号楼五楼", "hvac"),
        ("the heater in room 508 is broken", "room 508", "hvac"),
        # after a greeting: the room said is the place; the office greeted is not
        ("你好，2号楼415室的日光灯不亮", "2号楼415室", "electrical"),
        ("您好 综合楼四楼茶水间水龙头漏水", "综合楼四楼茶水间", "plumbing"),
        ("您好，后勤处吗，6号楼301空调不制冷", "6号楼301", "hvac"),
    ],
)
def test_repair_slots(nlu: Nlu, text: str, location: str, category: str) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent == Intent.REPAIR_REQUEST
    assert p.slots == {"location": location, "repair_category": category}


@pytest.mark.parametrize(
    ("text", "category"),
    [("插座冒火花", "electrical"), ("水龙头关不紧一直滴水", "plumbing"), ("新风系统不出风", "hvac"),
     ("网络断了", "it"), ("椅子坏了", "furniture"), ("电梯停了有异响", "other"),
     ("墙上的瓷砖掉了", "other")],
)
def test_repair_category_from_fault(nlu: Nlu, text: str, category: str) -> None:
    assert _slots(nlu, text) == {"repair_category": category}


def test_repair_without_fault_has_no_category(nlu: Nlu) -> None:
    assert _slots(nlu, "我要报修") == {}


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("拒绝1212，理由：不符合规定", Intent.REJECT, {"request_no": 1212, "comment": "不符合规定"}),
        ("1210驳回，车辆已派完", Intent.REJECT, {"request_no": 1210, "comment": "车辆已派完"}),
        ("#1211不予批准", Intent.REJECT, {"request_no": 1211}),
        ("不行，1230，那天领导要用车", Intent.REJECT, {"request_no": 1230, "comment": "那天领导要用车"}),
        ("decline 1240, the room is under repair", Intent.REJECT,
         {"request_no": 1240, "comment": "the room is under repair"}),
        ("駁回#1250，原因：時間衝突", Intent.REJECT, {"request_no": 1250, "comment": "時間衝突"}),
        ("驳回，理由：人数太多，#1255", Intent.REJECT, {"request_no": 1255, "comment": "人数太多"}),
        ("同意 ＃１２６０", Intent.APPROVE, {"request_no": 1260}),
        ("批准1270号申请", Intent.APPROVE, {"request_no": 1270}),
        ("明天去会展中心的那个1280取消", Intent.CANCEL, {"request_no": 1280}),
        ("1290的会议室预约我不要了", Intent.CANCEL, {"request_no": 1290}),
        ("查一下#1300，明天下午的车", Intent.APPROVAL_STATUS, {"request_no": 1300}),
        ("单号 1310 批了没", Intent.APPROVAL_STATUS, {"request_no": 1310}),
    ],
)
def test_decisions_carry_only_request_no(nlu: Nlu, text: str, intent: Intent, expected: dict[str, Any]) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent == intent
    assert p.contract_slots() == expected


def test_slot_text_keeps_users_characters(nlu: Nlu) -> None:
    p = nlu.parse("明天派車去虹橋機場", NOW)
    assert p.slots["destination"] == "虹橋機場"
    p = nlu.parse("印表機壞了，在會計處", NOW)
    assert p.slots["location"] == "會計處"


def test_added_words_are_rooms_and_places(nlu: Nlu, nlu_cache: Any) -> None:
    local = Nlu(cache_dir=str(nlu_cache))  # its own tokenizer: the shared one stays as it was
    local.add_words([("青松厅", "facility"), ("综合楼", "building"), ("沪A12345", "plate"),
                     ("滨江基地", "place"), ("", "facility"), ("x", "nonsense")])
    p = local.parse("明天上午预约青松厅，会议室不够用", NOW)
    assert p.slots.get("facility") == "青松厅"
    p = local.parse("综合楼的灯坏了", NOW)
    assert p.slots == {"location": "综合楼", "repair_category": "electrical"}
    p = local.parse("用车，明天，滨江基地", NOW)
    assert p.slots.get("destination") == "滨江基地"
    assert "facility" not in nlu.parse("明天上午预约青松厅，会议室不够用", NOW).slots


def test_global_jieba_untouched(nlu: Nlu) -> None:
    import jieba

    nlu.add_words([("松柏厅", "facility")])
    assert "松柏厅" not in jieba.dt.FREQ
    assert "派车单" not in jieba.dt.FREQ  # our dictionary lives in our tokenizer only


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("下午三点", Intent.VEHICLE_BOOKING, {"date": "2026-11-27", "start": "2026-11-27T15:00"}),
        ("3个人", Intent.VEHICLE_BOOKING, {"passengers": 3}),
        ("改成四点", Intent.FACILITY_RESERVATION, {"date": "2026-11-27", "start": "2026-11-27T16:00"}),
        ("12个人", Intent.FACILITY_RESERVATION, {"attendees": 12}),
        ("在2号楼305", Intent.REPAIR_REQUEST, {"location": "2号楼305"}),
    ],
)
def test_follow_up_read_inside_a_flow(nlu: Nlu, text: str, intent: Intent, expected: dict[str, Any]) -> None:
    p = nlu.parse_as(text, NOW, intent)
    assert p.intent == intent
    assert p.contract_slots() == expected


@pytest.mark.parametrize(
    ("text", "destination"),
    [
        ("后天上午用车去区档案馆，2人，事由：报送年度材料", "区档案馆"),
        ("明天下午三点派车到市人大，理由：送审文件", "市人大"),
    ],
)
def test_the_word_for_a_reason_names_no_origin(nlu: Nlu, text: str, destination: str) -> None:
    """由 in 事由 / 理由 is not "from": the trip starts where the bureau's trips start."""
    slots = nlu.parse(text, NOW).slots
    assert "origin" not in slots
    assert slots["destination"] == destination
