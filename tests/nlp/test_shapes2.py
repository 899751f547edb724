"""The shapes added for the second development set (issue 14, nlp/README.md): each row is
a member of a family, not a sentence of a gold set, and the negatives keep a shape from
reaching past its family."""

from __future__ import annotations

import pytest

from nlp import Intent, Nlu, faults
from nlp.normalize import normalize
from tests.nlp.conftest import NOW


@pytest.mark.parametrize("text", [
    "制冷效果很差", "信号太差了", "画质不太好", "音量特别小", "水压有点低", "出风很弱", "温度太低",
    "画面模糊", "后排听不见", "冷得不行", "屏幕发白", "出来的水是凉的", "一直吞纸", "老是停", "不抽水",
    "电梯停在半路", "makes a weird noise", "the screen is very blurry",
])
def test_troubles_said_as_a_judgement_or_a_symptom(text: str) -> None:
    assert faults.has_trouble(normalize(text).norm)


@pytest.mark.parametrize("text", ["差不多", "出差", "差一点迟到", "温度低于零度", "声音小一点说话", "我们一行"])
def test_not_troubles(text: str) -> None:
    n = normalize(text).norm
    assert not (faults.has_trouble(n) and faults.thing(n))


@pytest.mark.parametrize(("text", "loc"), [
    ("地下二层车库漏水", "地下二层车库"), ("负1楼配电房跳闸了", "负1楼配电房"),
    ("-2层车库的灯不亮", "-2层车库"), ("B1停车场漏水", "B1停车场"), ("b3层电梯厅的灯坏了", "b3层电梯厅"),
    ("综合楼C区二层走廊灯坏了", "综合楼C区二层走廊"), ("北区5号楼3层厕所堵了", "北区5号楼3层厕所"),
    ("地下室的水管漏水", "地下室"),
])
def test_floors_below_ground_and_areas_stay_in_the_location(nlu: Nlu, text: str, loc: str) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent is Intent.REPAIR_REQUEST
    assert p.slots["location"] == loc


@pytest.mark.parametrize(("text", "intent"), [
    # a polite question asking for the ride is a booking, its question mark politeness
    ("could you drive the guests to Pudong Airport tomorrow at 9?", Intent.VEHICLE_BOOKING),
    ("can someone take us to the Expo Center on Monday at 2pm?", Intent.VEHICLE_BOOKING),
    ("能否周一上午九点去一趟市档案馆？", Intent.VEHICLE_BOOKING),
    # a question about the place or the car, asking for nothing, is not
    ("is the airport far from here?", Intent.UNKNOWN),
    ("明天下午三点去浦东机场吗", Intent.UNKNOWN),
    # status questions: A-not-A, who has it now, no news of it
    ("修空调的师傅到底来不来", Intent.APPROVAL_STATUS),
    ("我的订车申请谁在审", Intent.APPROVAL_STATUS),
    ("接待室那个申请一直没消息", Intent.APPROVAL_STATUS),
    ("2240的进度", Intent.APPROVAL_STATUS),
    ("投影仪的钥匙在谁那", Intent.UNKNOWN),
    ("遥控器放哪了", Intent.UNKNOWN),
    ("用户手册", Intent.HELP),
    ("what does this bot do", Intent.HELP),
])
def test_questions(nlu: Nlu, text: str, intent: Intent) -> None:
    assert nlu.parse(text, NOW).intent is intent


def test_an_english_no_corrects_the_hour(nlu: Nlu) -> None:
    p = nlu.parse("reserve the gym Sunday 7pm, no, 8pm", NOW)
    assert p.intent is Intent.FACILITY_RESERVATION
    assert p.contract_slots()["start"] == "2026-11-29T20:00"


def test_a_ministry_office_is_one_destination(nlu: Nlu) -> None:
    p = nlu.parse("下午三点用车送文件到区政府办公室", NOW)
    assert p.slots["destination"] == "区政府办公室"


@pytest.mark.parametrize(("text", "n"), [
    ("明天用车，我和科长", 2), ("我跟司机去", 2), ("我和两个同事", 3), ("我和科长们", None),
])
def test_me_and_one_person_named_by_a_title(text: str, n: int | None) -> None:
    from nlp.people import people

    assert people(normalize(text).norm) == n


@pytest.mark.parametrize("text", ["雨停了再出发，明天下午两点用车去机场", "一到就给我打电话，明天用车去机场"])
def test_a_clause_of_manner_is_no_place(nlu: Nlu, text: str) -> None:
    p = nlu.parse(text, NOW)
    assert p.slots.get("destination") == "机场"
    assert "origin" not in p.slots


@pytest.mark.parametrize(("text", "intent"), [
    ("司机态度很差", Intent.UNKNOWN),  # a judgement of a person, not of a thing
    ("差不多十个人，明天上午订会议室", Intent.FACILITY_RESERVATION),
    ("我想订一个音响效果好一点的会议室", Intent.FACILITY_RESERVATION),
    ("明天出差，需要用车去虹桥机场", Intent.VEHICLE_BOOKING),
    ("停车位怎么申请", Intent.UNKNOWN),
    ("取消预约2630", Intent.CANCEL),
])
def test_shapes_stay_in_their_family(nlu: Nlu, text: str, intent: Intent) -> None:
    assert nlu.parse(text, NOW).intent is intent
