"""Time expressions by the conventions of CONTRACT §6 (now = Friday 2026-11-27 10:00)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from nlp.normalize import normalize
from nlp.timeparse import parse_time
from tests.nlp.conftest import NOW, TZ


def _t(text: str, now: datetime = NOW) -> tuple[str | None, str | None, str | None]:
    r = parse_time(normalize(text).norm, now)
    return (
        r.date.isoformat() if r.date else None,
        r.start.strftime("%Y-%m-%dT%H:%M") if r.start else None,
        r.end.strftime("%Y-%m-%dT%H:%M") if r.end else None,
    )


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("今天开会", "2026-11-27"), ("明天要用", "2026-11-28"), ("后天出发", "2026-11-29"),
        ("大后天去", "2026-11-30"), ("明早出发", "2026-11-28"), ("今晚聚餐", "2026-11-27"),
        ("明晚有空", "2026-11-28"), ("tomorrow please", "2026-11-28"), ("today", "2026-11-27"),
        ("the day after tomorrow", "2026-11-29"),
    ],
)
def test_relative_days(text: str, day: str) -> None:
    assert _t(text)[0] == day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("周五去", "2026-11-27"),  # on or after today: today itself
        ("周六", "2026-11-28"), ("星期天", "2026-11-29"), ("礼拜一", "2026-11-30"),
        ("周四", "2026-12-03"), ("星期三上午", "2026-12-02"),
        ("本周日", "2026-11-29"), ("这周三", "2026-11-25"), ("这周周四", "2026-11-26"),
        ("下周一", "2026-11-30"), ("下周五", "2026-12-04"), ("下礼拜二", "2026-12-01"),
        ("下星期日", "2026-12-06"), ("下下周三", "2026-12-09"), ("下週四", "2026-12-03"),
        ("next monday", "2026-11-30"), ("on Saturday", "2026-11-28"), ("Wednesday", "2026-12-02"),
    ],
)
def test_weekdays(text: str, day: str) -> None:
    assert _t(text)[0] == day


# The weekday said on that same weekday is today (CONTRACT §6: "on or after today"), also
# when the verb before it ends in 一下 (约一下周五 is not 下周五) or 早上/晚上 precedes it;
# 下周五 after 一下 (订一下下周五) stays next week's. Checked on every day of a week.
@pytest.mark.parametrize("offset", range(7))
@pytest.mark.parametrize("lead", ["", "麻烦约一下", "看一下", "问一下", "帮我订", "晚上"])
def test_weekday_said_on_that_weekday_is_today(offset: int, lead: str) -> None:
    now = NOW + timedelta(days=offset)
    name = "一二三四五六日"[now.weekday()]
    today = now.date()
    assert _t(f"{lead}周{name}下午三点", now)[:2] == (today.isoformat(), f"{today.isoformat()}T15:00")
    assert _t(f"{lead}星期{name}", now)[0] == today.isoformat()
    monday_next = today + timedelta(days=7 - today.weekday())
    assert _t(f"{lead}下周{name}", now)[0] == (monday_next + timedelta(days=now.weekday())).isoformat()
    assert _t(f"订一下下周{name}", now)[0] == (monday_next + timedelta(days=now.weekday())).isoformat()
    # the day before today's weekday is six days ahead, never yesterday
    before = "一二三四五六日"[(now.weekday() - 1) % 7]
    assert _t(f"{lead}周{before}", now)[0] == (today + timedelta(days=6)).isoformat()


def test_weekday_said_today_keeps_its_clock_even_when_past() -> None:
    """周五上午九点 said at 10:00 on a Friday names today's 9:00 (the day is said: never moved)."""
    assert _t("周五上午九点") == ("2026-11-27", "2026-11-27T09:00", None)
    assert _t("上周五") == ("2026-11-20", None, None)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("27号", "2026-11-27"), ("30号", "2026-11-30"), ("5号", "2026-12-05"),
        ("26日", "2026-12-26"), ("十五号", "2026-12-15"),
        ("12月3日", "2026-12-03"), ("12月3号", "2026-12-03"), ("十二月八号", "2026-12-08"),
        ("11月27日", "2026-11-27"), ("11月20日", "2027-11-20"), ("1月8号", "2027-01-08"),
        ("２月１４日", "2027-02-14"), ("2027年3月1日", "2027-03-01"), ("2026-12-24", "2026-12-24"),
        ("12/5", "2026-12-05"), ("Dec 8", "2026-12-08"), ("8th December", "2026-12-08"),
        ("January 3rd", "2027-01-03"),
    ],
)
def test_dates(text: str, day: str) -> None:
    assert _t(text)[0] == day


@pytest.mark.parametrize(
    "text",
    ["3号楼", "1号会议室", "二号报告厅", "1024号申请", "人民大道200号", "一周一次", "周末"],
)
def test_not_dates(text: str) -> None:
    assert _t(text)[0] is None


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("明天上午9点", "2026-11-28T09:00"), ("明天早上七点", "2026-11-28T07:00"),
        ("明天下午3点", "2026-11-28T15:00"), ("明天晚上8点", "2026-11-28T20:00"),
        ("明天傍晚6点", "2026-11-28T18:00"), ("明天中午12点", "2026-11-28T12:00"),
        ("明天中午1点", "2026-11-28T13:00"), ("明天中午十一点半", "2026-11-28T11:30"),
        ("明天3点", "2026-11-28T15:00"), ("明天6点", "2026-11-28T18:00"),
        ("明天7点", "2026-11-28T07:00"), ("明天12点", "2026-11-28T12:00"),
        ("明天两点半", "2026-11-28T14:30"), ("明天九点一刻", "2026-11-28T09:15"),
        ("明天三点三刻", "2026-11-28T15:45"), ("明天8点30分", "2026-11-28T08:30"),
        ("明天8时整", "2026-11-28T08:00"), ("明天十点零五分", "2026-11-28T10:05"),
        ("明天14:00", "2026-11-28T14:00"), ("明天１４：３０", "2026-11-28T14:30"),
        ("明天08:05", "2026-11-28T08:05"), ("明早八点", "2026-11-28T08:00"),
        ("今晚7点", "2026-11-27T19:00"), ("明晚六点半", "2026-11-28T18:30"),
        ("明天早8点", "2026-11-28T08:00"), ("明天晚7点", "2026-11-28T19:00"),
        ("tomorrow 9am", "2026-11-28T09:00"), ("at 2pm tomorrow", "2026-11-28T14:00"),
        ("tomorrow at 8:45am", "2026-11-28T08:45"), ("today 4 pm", "2026-11-27T16:00"),
        ("tomorrow 12pm", "2026-11-28T12:00"), ("tomorrow at noon", "2026-11-28T12:00"),
        ("下午用车，3点出发", "2026-11-27T15:00"),  # part of day said before, in another clause
        ("周六晚上的饭局，7点", "2026-11-28T19:00"),
    ],
)
def test_clock_times(text: str, start: str) -> None:
    day, s, _ = _t(text)
    assert s == start
    assert day == start[:10]  # date is present whenever start is


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("11点", "2026-11-27T11:00"),  # still ahead today
        ("9点", "2026-11-28T09:00"),  # already past: tomorrow
        ("10点", "2026-11-27T10:00"),
        ("下午4点", "2026-11-27T16:00"),
        ("两点", "2026-11-27T14:00"),
        ("上午8点", "2026-11-28T08:00"),
        ("晚上9点", "2026-11-27T21:00"),
    ],
)
def test_clock_without_day_is_next_occurrence(text: str, start: str) -> None:
    assert _t(text)[1] == start


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("明天两点到四点", "2026-11-28T14:00", "2026-11-28T16:00"),
        ("明天下午2点到5点", "2026-11-28T14:00", "2026-11-28T17:00"),
        ("明天14:00-16:00", "2026-11-28T14:00", "2026-11-28T16:00"),
        ("明天9点至11点半", "2026-11-28T09:00", "2026-11-28T11:30"),
        ("明天上午10点到下午3点", "2026-11-28T10:00", "2026-11-28T15:00"),
        ("明天上午十点到十二点", "2026-11-28T10:00", "2026-11-28T12:00"),
        ("明天8点到17点", "2026-11-28T08:00", "2026-11-28T17:00"),
        ("明天4点到5点半", "2026-11-28T16:00", "2026-11-28T17:30"),
        ("明天下午2到4点", "2026-11-28T14:00", "2026-11-28T16:00"),
        ("明天晚上7点~9点", "2026-11-28T19:00", "2026-11-28T21:00"),
        ("明天晚上10点到12点", "2026-11-28T22:00", "2026-11-29T00:00"),
        ("下周二 9:30—11:00", "2026-12-01T09:30", "2026-12-01T11:00"),
        ("tomorrow from 9am to 11am", "2026-11-28T09:00", "2026-11-28T11:00"),
        ("tomorrow 2pm-4pm", "2026-11-28T14:00", "2026-11-28T16:00"),
        ("Dec 8 from 10am until 1pm", "2026-12-08T10:00", "2026-12-08T13:00"),
    ],
)
def test_ranges(text: str, start: str, end: str) -> None:
    _, s, e = _t(text)
    assert (s, e) == (start, end)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("明天下午2点，用两个小时", "2026-11-28T14:00", "2026-11-28T16:00"),
        ("明天9点开始，一个半小时", "2026-11-28T09:00", "2026-11-28T10:30"),
        ("明天3点，大概半小时", "2026-11-28T15:00", "2026-11-28T15:30"),
        ("明天10点起用3小时", "2026-11-28T10:00", "2026-11-28T13:00"),
        ("明天10点，90分钟", "2026-11-28T10:00", "2026-11-28T11:30"),
        ("tomorrow 9am for 2 hours", "2026-11-28T09:00", "2026-11-28T11:00"),
    ],
)
def test_durations(text: str, start: str, end: str) -> None:
    _, s, e = _t(text)
    assert (s, e) == (start, end)


@pytest.mark.parametrize(
    "text",
    ["明天上午", "下周三下午", "后天全天", "周四晚上"],
)
def test_part_of_day_alone_gives_no_start(text: str) -> None:
    day, s, e = _t(text)
    assert day is not None and s is None and e is None


@pytest.mark.parametrize(
    "text",
    ["快一点", "早一点到", "两个小时", "三个人", "几点上班", "有几个键坏了", "用两个小时", "3号楼", ""],
)
def test_no_clock(text: str) -> None:
    assert _t(text)[1] is None


@pytest.mark.parametrize(
    ("now", "text", "day"),
    [
        (datetime(2026, 12, 30, 9, 0, tzinfo=TZ), "后天", "2027-01-01"),
        (datetime(2026, 12, 30, 9, 0, tzinfo=TZ), "3号", "2027-01-03"),
        (datetime(2026, 12, 30, 9, 0, tzinfo=TZ), "下周一", "2027-01-04"),
        (datetime(2026, 12, 30, 9, 0, tzinfo=TZ), "1月2日", "2027-01-02"),
        (datetime(2027, 1, 31, 9, 0, tzinfo=TZ), "30号", "2027-03-30"),  # February has none
        (datetime(2028, 2, 28, 9, 0, tzinfo=TZ), "明天", "2028-02-29"),
        (datetime(2026, 11, 29, 9, 0, tzinfo=TZ), "周日", "2026-11-29"),  # Sunday: today
        (datetime(2026, 11, 29, 9, 0, tzinfo=TZ), "本周一", "2026-11-23"),
        (datetime(2026, 11, 29, 9, 0, tzinfo=TZ), "下周一", "2026-11-30"),
        (datetime(2026, 11, 30, 9, 0, tzinfo=TZ), "周一", "2026-11-30"),
        (datetime(2026, 11, 30, 9, 0, tzinfo=TZ), "下周一", "2026-12-07"),
    ],
)
def test_rollover(now: datetime, text: str, day: str) -> None:
    assert _t(text, now)[0] == day


def test_clock_after_evening_now_rolls_to_tomorrow() -> None:
    late = datetime(2026, 12, 31, 23, 30, tzinfo=TZ)
    assert _t("8点", late)[1] == "2027-01-01T08:00"
