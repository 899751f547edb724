"""A vehicle out of service is never given by the /m/ vehicle form either (issue 17 item
2), on SQLite and PostgreSQL: the form goes through the same use case as chat."""

from __future__ import annotations

from datetime import date, datetime

from aiohttp.test_utils import TestClient

from models.org import Vehicle
from models.requests import Request
from models.vehicle_state import DowntimeKind, VehicleDowntime
from tests.bot.test_pages import VEHICLE, client, login, post  # noqa: F401
from tests.conftest import TZ
from tests.fakewecom import FakeWeCom


async def test_the_vehicle_form_skips_vehicles_out_of_service(
        client: TestClient, fake_wecom: FakeWeCom, now: datetime) -> None:  # noqa: F811
    passat = await Vehicle.get(plate="沪A67890")  # the 5-seat car the form would give
    await VehicleDowntime.create(vehicle=passat, kind=DowntimeKind.REPAIR, reason="刹车异响", start=now,
                                 until=datetime(2026, 11, 29, tzinfo=TZ), created_by="wangke",
                                 created_at=now)
    await login(client, fake_wecom, "zhangsan")
    html = await post(client, "/m/new/vehicle", VEHICLE)
    assert "已提交 #1001：用车 11月28日(周六) 14:00-16:00，局机关→虹桥机场，3人，沪A12345。" in html
    # The GL8's 年检 lapses the day before the next trip: nothing is left to give.
    await Vehicle.filter(plate="沪A12345").update(inspection_due_on=date(2026, 11, 27))
    html = await post(client, "/m/new/vehicle", {**VEHICLE, "start": "17:00", "end": "18:00"})
    assert "抱歉，11月28日(周六) 17:00-18:00 没有能坐3人的空闲车辆。" in html
    assert await Request.all().count() == 1
