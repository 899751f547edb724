"""The NLU's times are typed once (nlp/types.py): a date and aware datetimes in the zone of
the `now` it is given, rendered as CONTRACT §6's strings only by `to_dict`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nlp import Nlu
from nlp.types import Intent, Parse
from tests.nlp.conftest import NOW, TZ


def test_a_parse_in_the_bureaus_zone_gives_aware_datetimes(nlu: Nlu) -> None:
    p = nlu.parse("明天下午两点到四点用车去虹桥机场，3个人", NOW)
    assert p.day == date(2026, 11, 28)
    assert p.start == datetime(2026, 11, 28, 14, tzinfo=TZ) and p.end == datetime(2026, 11, 28, 16, tzinfo=TZ)
    assert p.start is not None and p.start.tzinfo is TZ and p.start.utcoffset() == timedelta(hours=8)
    assert p.start.astimezone(UTC) == datetime(2026, 11, 28, 6, tzinfo=UTC)
    assert p.to_dict()["slots"] == {"date": "2026-11-28", "start": "2026-11-28T14:00", "end": "2026-11-28T16:00",
                                    "destination": "虹桥机场", "passengers": 3}


@pytest.mark.parametrize("zone", ["Asia/Urumqi", "Europe/Berlin", "America/New_York"])
def test_the_zone_is_the_one_now_carries(nlu: Nlu, zone: str) -> None:
    """Another BOT_TIMEZONE: the same clock time in that zone, and the same §6 strings."""
    tz = ZoneInfo(zone)
    p = nlu.parse("明天下午两点到四点用车去虹桥机场，3个人", NOW.replace(tzinfo=tz))
    assert p.start == datetime(2026, 11, 28, 14, tzinfo=tz) and p.start is not None and p.start.tzinfo is tz
    assert p.to_dict() == nlu.parse("明天下午两点到四点用车去虹桥机场，3个人", NOW).to_dict()


def test_to_dict_renders_the_contracts_strings() -> None:
    start = datetime(2026, 11, 28, 14, 30, tzinfo=TZ)
    p = Parse(Intent.FACILITY_RESERVATION, {"date": start.date(), "start": start, "end": start + timedelta(hours=1),
                                            "attendees": 6})
    assert p.to_dict() == {"intent": "facility_reservation",
                           "slots": {"date": "2026-11-28", "start": "2026-11-28T14:30", "end": "2026-11-28T15:30",
                                     "attendees": 6}}
    assert Parse(Intent.HELP).start is None and Parse(Intent.HELP).day is None
