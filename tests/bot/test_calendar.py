"""iCalendar feeds (bot/web/calendar.py): RFC 5545 text read back with a small parser of
our own and with icalendar's, the signed URLs, user text that tries to start a property,
and which bookings each feed carries, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient
from icalendar import Calendar, Event

from bot.app import create_app
from bot.web.calendar import calendar_sig, calendar_url, clean_text, render_calendar
from bot.web.dashboard import CLOCK
from models.decisions import cancel, decide
from models.org import RequestType, Vehicle
from models.repairs import complete_request
from models.requests import Decision, NewRequest, create_request
from models.seed import seed_org
from nlp import Nlu
from settings import Settings
from tests.conftest import TZ

ORG = Path(__file__).resolve().parent.parent / "models" / "org_good.yaml"
ClientFactory = Callable[..., Awaitable[TestClient]]
CHAT = "chat"
PURPOSE = "陪同市领导赴机场迎接兄弟城市考察团，并沿途介绍城市建设与机关事务改革情况（返程另行安排）"


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ)


# ---------------------------------------------------------------------------------------
# A tiny RFC 5545 reader


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append({"n": "\n", "N": "\n"}.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def parse_ics(body: bytes) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(calendar properties, events); checks line endings and folding on the way."""
    text = body.decode("utf-8")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")
    for physical in text.split("\r\n"):
        assert len(physical.encode()) <= 75, physical
    lines = text.replace("\r\n ", "").split("\r\n")[:-1]  # unfold (§3.1)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    calendar: dict[str, str] = {}
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines[1:-1]:
        name, _, value = line.partition(":")
        name = name.split(";")[0]
        if line == "BEGIN:VEVENT":
            assert current is None
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif current is not None:
            assert name not in current, f"{name} twice"
            current[name] = value
        else:
            calendar[name] = value
    assert current is None
    return calendar, events


# ---------------------------------------------------------------------------------------
# Pure parts


def one_event(**text: str) -> bytes:
    event = Event()
    event.add("uid", "request-1@example.org")
    event.add("dtstamp", at(11, 27, 10))
    for name, value in text.items():
        event.add(name, clean_text(value))
    return render_calendar("测试", [event])


HOSTILE = [
    "line one\r\nATTENDEE:mailto:evil@example.org",
    "lone cr\rDTSTART:19700101T000000Z",
    "lf\nEND:VEVENT\nBEGIN:VEVENT\nUID:forged",
    "虹桥机场, T2; 到达\\层:门口",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_user_text_cannot_start_a_property(value: str) -> None:
    body = one_event(summary=value, location=value, description=value)
    _, events = parse_ics(body)
    assert len(events) == 1
    assert set(events[0]) == {"UID", "DTSTAMP", "SUMMARY", "LOCATION", "DESCRIPTION"}
    expected = value.replace("\r\n", "\n").replace("\r", "\n")
    assert unescape(events[0]["SUMMARY"]) == expected
    (parsed,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(parsed["SUMMARY"]) == str(parsed["LOCATION"]) == expected
    assert "ATTENDEE" not in parsed and parsed["UID"] == "request-1@example.org"


def test_text_escaping_and_control_characters() -> None:
    _, (event,) = parse_ics(one_event(summary="a,b;c\\d\ne\r\nf", location="bell\x07\x00"))
    assert event["SUMMARY"] == "a\\,b\\;c\\\\d\\ne\\nf"
    assert event["LOCATION"] == "bell"  # control characters are not allowed in TEXT


@pytest.mark.parametrize("text", [
    "事由：" * 40,
    "a" * 200,
    "é" * 80 + "𠀀" * 30,
    "ok",
])
def test_folding_is_utf8_safe(text: str) -> None:
    body = one_event(description=text)
    physical = body.split(b"\r\n")
    for piece in physical:
        assert len(piece) <= 75
        piece.decode("utf-8")  # no character split across lines
    _, (event,) = parse_ics(body)
    assert unescape(event["DESCRIPTION"]) == text
    if len(text.encode()) > 70:
        first = next(p for p in physical if p.startswith(b"DESCRIPTION:"))
        assert len(first) > 70  # lines are filled, not cut short


def test_signed_urls(settings: Settings) -> None:
    url = calendar_url(settings, "user", "zhangsan")
    assert url == (f"{settings.public_base_url}/calendar/user/zhangsan.ics"
                   f"?sig={calendar_sig(settings, 'user', 'zhangsan')}")
    sig = calendar_sig(settings, "user", "zhangsan")
    assert len(sig) == 32 and int(sig, 16) >= 0
    assert sig != calendar_sig(settings, "room", "zhangsan")
    assert sig != calendar_sig(replace(settings, secret_key="another-secret-key-123"), "user",
                               "zhangsan")
    with pytest.raises(ValueError):
        calendar_url(settings, "vehicle", "1")


# ---------------------------------------------------------------------------------------
# Feeds


@pytest.fixture
async def client(db: str, aiohttp_client: ClientFactory, settings: Settings,
                 shared_nlu: Nlu, now: datetime) -> TestClient:
    assert (await seed_org(ORG)).ok
    app = create_app(settings, manage_db=False, nlu=shared_nlu)
    app[CLOCK] = lambda: now
    return await aiohttp_client(app)


async def bookings(now: datetime) -> dict[str, Any]:
    gl8 = (await Vehicle.get(plate="沪A12345")).id
    trip = await create_request(NewRequest(
        RequestType.VEHICLE_BOOKING, "zhangsan", at(11, 28, 14), at(11, 28, 16), vehicle_id=gl8,
        details={"destination": "虹桥机场, T2; 到达\\层", "passengers": 3, "purpose": PURPOSE}),
        now, CHAT)
    meeting = await create_request(NewRequest(
        RequestType.FACILITY_RESERVATION, "zhangsan", at(11, 30, 9), at(11, 30, 10),
        facility_id="mr-301", details={"attendees": 8}), now, CHAT)
    other = await create_request(NewRequest(
        RequestType.FACILITY_RESERVATION, "wuli", at(12, 1, 9), at(12, 1, 10),
        facility_id="mr-301"), now, CHAT)
    dropped = await create_request(NewRequest(
        RequestType.VEHICLE_BOOKING, "zhangsan", at(11, 29, 9), at(11, 29, 10), vehicle_id=gl8),
        now, CHAT)
    await cancel(dropped.no, "zhangsan", now, CHAT)
    await create_request(NewRequest(RequestType.REPAIR_REQUEST, "zhangsan",
                                    details={"location": "3号楼"}), now, CHAT)
    done = []
    for month, day in ((11, 20), (10, 1)):  # a recent trip stays, an old one has gone
        past = await create_request(NewRequest(
            RequestType.VEHICLE_BOOKING, "zhangsan", at(month, day, 9), at(month, day, 11),
            vehicle_id=gl8), at(month, day - 1 if day > 1 else day, 8), CHAT)
        await decide(past.no, "lichu", Decision.APPROVE, at(month, day, 8), CHAT)
        await decide(past.no, "wangke", Decision.APPROVE, at(month, day, 8), CHAT)
        assert await complete_request(past, "system", at(month, day, 12), "system")
        done.append(past)
    return {"trip": trip, "meeting": meeting, "other": other, "recent": done[0], "old": done[1]}


def feed_path(settings: Settings, kind: str, ident: str) -> str:
    parts = urlsplit(calendar_url(settings, kind, ident))
    return f"{parts.path}?{parts.query}"


async def test_user_feed(client: TestClient, settings: Settings, now: datetime) -> None:
    made = await bookings(now)
    resp = await client.get(feed_path(settings, "user", "zhangsan"))
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = await resp.read()
    assert b"\r\n " in body  # the long description was folded
    calendar, events = parse_ics(body)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert calendar["REFRESH-INTERVAL"] == "PT30M" and calendar["X-PUBLISHED-TTL"] == "PT30M"
    parsed = Calendar.from_ical(body)
    assert [str(e["UID"]) for e in parsed.walk("VEVENT")] == [e["UID"] for e in events]
    (tentative,) = [e for e in parsed.walk("VEVENT") if e["STATUS"] == "TENTATIVE"]
    assert tentative.decoded("DTSTART") == at(11, 28, 14)
    assert tentative.decoded("DTEND") == at(11, 28, 16)
    assert str(tentative["DESCRIPTION"]).endswith("状态：待审批")
    assert unescape(calendar["X-WR-CALNAME"]) == "张三的预约"
    assert [e["UID"] for e in events] == [
        f"request-{made[k].no}@127.0.0.1" for k in ("recent", "trip", "meeting")]
    recent, trip, meeting = events
    assert trip["DTSTART"] == "20261128T060000Z" and trip["DTEND"] == "20261128T080000Z"
    assert trip["STATUS"] == "TENTATIVE"  # waiting for approval
    assert unescape(trip["SUMMARY"]) == f"用车 #{made['trip'].no} 局机关→虹桥机场, T2; 到达\\层"
    assert "虹桥机场\\, T2\\; 到达\\\\层" in trip["SUMMARY"]
    description = unescape(trip["DESCRIPTION"]).split("\n")
    assert "申请人：张三" in description and "驾驶员：赵师傅" in description
    assert f"事由：{PURPOSE}" in description and "状态：待审批" in description
    assert unescape(trip["LOCATION"]) == "局机关"
    assert meeting["STATUS"] == "CONFIRMED"  # a room without approval is approved at once
    assert unescape(meeting["SUMMARY"]) == f"301会议室 #{made['meeting'].no}"
    assert unescape(meeting["LOCATION"]) == "1号楼 301会议室"
    assert recent["STATUS"] == "CONFIRMED"
    assert "状态：已通过" in unescape(meeting["DESCRIPTION"]).split("\n")  # the chat's word
    for event in events:
        assert event["DTSTAMP"] == "20261127T020000Z"
        assert all(k in event for k in ("DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"))


async def test_driver_and_room_feeds(client: TestClient, settings: Settings,
                                     now: datetime) -> None:
    made = await bookings(now)
    _, driven = parse_ics(await (await client.get(feed_path(settings, "user", "zhaoshifu"))).read())
    assert [e["UID"].split("@")[0] for e in driven] == [
        f"request-{made['recent'].no}", f"request-{made['trip'].no}"]
    resp = await client.get(feed_path(settings, "room", "mr-301"))
    assert resp.status == 200
    calendar, held = parse_ics(await resp.read())
    assert unescape(calendar["X-WR-CALNAME"]) == "301会议室 预约"
    assert [e["UID"].split("@")[0] for e in held] == [
        f"request-{made['meeting'].no}", f"request-{made['other'].no}"]
    _, empty = parse_ics(await (await client.get(feed_path(settings, "room", "aud-1"))).read())
    assert empty == []


async def test_signature_and_unknown_feeds(client: TestClient, settings: Settings) -> None:
    good = calendar_sig(settings, "user", "zhangsan")
    for path in (
        "/calendar/user/zhangsan.ics",
        "/calendar/user/zhangsan.ics?sig=",
        f"/calendar/user/zhangsan.ics?sig={good[:-1]}0" if good[-1] != "0"
        else f"/calendar/user/zhangsan.ics?sig={good[:-1]}1",
        f"/calendar/user/lichu.ics?sig={good}",  # another person's feed
        f"/calendar/room/zhangsan.ics?sig={good}",  # another kind
        "/calendar/user/zhangsan.ics?sig=%E4%B8%AD",
    ):
        assert (await client.get(path)).status == 403, path
    assert (await client.get(feed_path(settings, "user", "nobody"))).status == 404
    assert (await client.get(feed_path(settings, "room", "no-such-room"))).status == 404
    assert (await client.get(feed_path(settings, "user", "zhangsan"))).status == 200


async def test_hostile_booking_text_in_the_feed(client: TestClient, settings: Settings,
                                                now: datetime) -> None:
    gl8 = (await Vehicle.get(plate="沪A12345")).id
    trip = await create_request(NewRequest(
        RequestType.VEHICLE_BOOKING, "zhangsan", at(11, 28, 14), at(11, 28, 16), vehicle_id=gl8,
        details={"destination": "机场\r\nATTENDEE:mailto:evil@example.org",
                 "origin": "局机关;X-EVIL:1,2", "purpose": "a\rSTATUS:CANCELLED\x07"}),
        now, CHAT)
    body = await (await client.get(feed_path(settings, "user", "zhangsan"))).read()
    _, (event,) = parse_ics(body)
    assert set(event) == {"UID", "DTSTAMP", "LAST-MODIFIED", "DTSTART", "DTEND", "SUMMARY",
                          "DESCRIPTION", "LOCATION", "STATUS", "TRANSP"}
    (parsed,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(parsed["SUMMARY"]) == (
        f"用车 #{trip.no} 局机关;X-EVIL:1,2→机场\nATTENDEE:mailto:evil@example.org")
    assert str(parsed["LOCATION"]) == "局机关;X-EVIL:1,2"
    assert "事由：a\nSTATUS:CANCELLED\n" in str(parsed["DESCRIPTION"])
    assert parsed["STATUS"] == "TENTATIVE" and "ATTENDEE" not in parsed
