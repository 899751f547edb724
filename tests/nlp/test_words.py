"""The dialogue words a Parse carries beside its §6 slots (nlp/words.py): read once, with
the rest of the message, never shown by `to_dict`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nlp import Intent, Nlu
from nlp.words import until_date, weekly_repeat
from tests.nlp.conftest import NOW

TODAY = NOW.date()  # Friday 2026-11-27


@pytest.mark.parametrize(("text", "minutes"), [
    ("用两个小时", 120), ("1个半小时", 90), ("30分钟", 30), ("大概三天", 3 * 24 * 60),
    ("半小时", 30), ("3个人", None), ("三天后", None),
])
def test_a_duration(nlu: Nlu, text: str, minutes: int | None) -> None:
    got = nlu.parse(text, NOW).words.duration
    assert (None if got is None else got // timedelta(minutes=1)) == minutes


@pytest.mark.parametrize(("text", "said"), [
    ("改成四点", False), ("下午三点", False), ("改成后天", True), ("下周一上午", True),
    ("12月3号", True), ("周五九点", True), ("tomorrow 9am", True), ("3个人", False),
])
def test_a_day_said(nlu: Nlu, text: str, said: bool) -> None:
    assert nlu.parse(text, NOW).day_said is said


@pytest.mark.parametrize(("text", "purpose"), [
    ("事由：送材料", "送材料"), ("去市政府开会", "开会"), ("去机场接外宾", "接外宾"),
    ("去虹桥机场", None),
    # an errand right after a named place; a place after a place is no errand
    ("下周二用车去区档案馆复印材料", "复印材料"), ("到市局签合同", "签合同"),
    ("明天用车去区政府办公厅", None), ("去市委党校报到，3人", "报到"),
])
def test_a_purpose(nlu: Nlu, text: str, purpose: str | None) -> None:
    assert nlu.parse(text, NOW).words.purpose == purpose


@pytest.mark.parametrize(("text", "answer"), [
    ("接待来访", "接待来访"), ("事由是送文件", "送文件"), ("无", None), ("不知道", None),
    ("确认", None), ("asdfghjkl", None), ("部门例会，需要投影仪", "部门例会"),
])
def test_an_answer_to_the_purpose_question(nlu: Nlu, text: str, answer: str | None) -> None:
    assert nlu.parse(text, NOW).words.answer == answer


@pytest.mark.parametrize(("text", "yes"), [
    ("确认", True), ("好的", True), ("OK", True), ("确认提交。", True), ("确认一下时间", False), ("不", False),
])
def test_a_yes(nlu: Nlu, text: str, yes: bool) -> None:
    assert nlu.parse(text, NOW).words.yes is yes


def test_equipment_seats_ends_and_parts_of_day(nlu: Nlu) -> None:
    assert nlu.parse("明天下午开会，需要投影仪和话筒", NOW).words.equipment == ("投影仪", "话筒")
    assert nlu.parse("投影仪坏了", NOW).words.equipment == ()  # no need said
    assert nlu.parse("一辆7座车去接站", NOW).words.seats == 7
    assert nlu.parse("到五点", NOW).words.end_hint and nlu.parse("五点散会", NOW).words.end_hint
    assert not nlu.parse("五点", NOW).words.end_hint
    assert nlu.parse("下午3点到5点", NOW).words.part_of_day and not nlu.parse("3点到5点", NOW).words.part_of_day


def test_a_weekly_repeat_in_the_parse(nlu: Nlu) -> None:
    p = nlu.parse("每周一上午九点订一间会议室开例会，到一月底", NOW)
    assert p.intent is Intent.FACILITY_RESERVATION
    assert (p.words.weekly, p.words.weekday, p.words.until) == (True, 0, date(2027, 1, 31))
    assert "words" not in p.to_dict() and set(p.to_dict()) == {"intent", "slots"}  # §6 unchanged


def test_bundle_parts_read_their_own_words(nlu: Nlu) -> None:
    p = nlu.parse("下周二上午有代表团来访，要一间能坐20人的接待室、一辆7座车去接站", NOW)
    assert p.intent is Intent.SERVICE_BUNDLE
    car = next(x for x in p.parts if x.intent is Intent.VEHICLE_BOOKING)
    room = next(x for x in p.parts if x.intent is Intent.FACILITY_RESERVATION)
    assert car.words.seats == 7 and room.words.seats is None


@pytest.mark.parametrize(("text", "until"), [
    ("每周一上午九点例会，到一月底", date(2027, 1, 31)),
    ("到12月31日", date(2026, 12, 31)),
    ("至2027年3月5号", date(2027, 3, 5)),
    ("截止到明年2月", date(2027, 2, 28)),
    ("到月底", date(2026, 11, 30)),
    ("到年底", date(2026, 12, 31)),
    ("到15号", date(2026, 12, 15)),
    ("到下午三点", None),
    ("到2月30日", None),
])
def test_until_date(text: str, until: date | None) -> None:
    assert until_date(text, TODAY) == until


@pytest.mark.parametrize(("text", "weekday"), [
    ("每周一上午九点例会", 0), ("每个星期五下午", 4), ("每礼拜天早上", 6), ("每周例会", None),
])
def test_weekly_repeat(text: str, weekday: int | None) -> None:
    repeat = weekly_repeat(text, TODAY)
    assert repeat is not None and repeat.weekday == weekday


def test_no_weekly_repeat() -> None:
    assert weekly_repeat("下周一上午九点开会", TODAY) is None


def test_a_category_room_numbers_and_a_reason(nlu: Nlu) -> None:
    assert nlu.parse("空调", NOW).words.category == "hvac"
    assert nlu.parse("别的", NOW).words.category == "other"
    assert nlu.parse("那就301吧", NOW).words.room_numbers == ("301",)
    assert nlu.parse("12:30开始，10人", NOW).words.room_numbers == ()
    assert nlu.parse("点错了", NOW).words.undo and not nlu.parse("时间冲突", NOW).words.undo
    assert nlu.parse("理由：时间冲突，请改期", NOW).words.reason == "时间冲突，请改期"
    assert nlu.parse("不便说明", NOW).words.reason is None


def test_what_a_sentence_says_of_the_request_it_means(nlu: Nlu) -> None:
    words = nlu.parse("把明天去虹桥机场的车取消了", NOW).words
    assert words.kinds == ("vehicle_booking",) and words.day == date(2026, 11, 28)
    assert "虹桥机场" in words.norm
    assert nlu.parse("我上次的报修修好了没", NOW).words.kinds == ("repair_request",)
    assert nlu.parse("取消", NOW).words.day is None
