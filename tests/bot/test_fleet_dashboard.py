"""The dashboard's fleet section (issue 17 item 2) in the real app, on SQLite and
PostgreSQL: distance and cost per vehicle and department, per month, as chart data, tables
and CSV with Chinese headers and file name."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from aiohttp.test_utils import TestClient

from models.decisions import decide
from models.org import RequestType, Vehicle
from models.requests import Decision, NewRequest, create_request
from models.trips import finish_trip, start_trip
from tests.bot.test_dashboard import CHAT, admin, chart_data, client, read_csv  # noqa: F401
from tests.conftest import TZ

RANGE = {"from": "2026-10-15", "to": "2026-11-30"}


async def trip(applicant: str, plate: str, start: datetime, km: tuple[int, int], *,
               tolls: float | None = None, parking: float | None = None, fuel: float | None = None) -> None:
    """A trip booked, approved by both steps, driven and finished with its readings."""
    vehicle = await Vehicle.get(plate=plate).prefetch_related("driver")
    booked = start.replace(hour=8)
    r = await create_request(NewRequest(
        RequestType.VEHICLE_BOOKING, applicant, start, start.replace(hour=start.hour + 2),
        vehicle_id=vehicle.id, details={"destination": "虹桥机场"}), booked, CHAT)
    for step in r.steps:
        await decide(r.no, step.approver.userid, Decision.APPROVE, booked, CHAT)
    assert vehicle.driver is not None
    await start_trip(r.no, vehicle.driver.userid, km[0], start, CHAT)
    await finish_trip(r.no, vehicle.driver.userid, start.replace(hour=start.hour + 2), CHAT,
                      odometer=km[1], tolls=tolls, parking=parking, fuel=fuel)


def on(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ)


async def some_trips() -> None:
    await trip("zhangsan", "沪A12345", on(10, 20), (1000, 1080), tolls=30, parking=10)  # 办公室
    await trip("zhangsan", "沪A12345", on(11, 3), (1080, 1200), fuel=250.5)  # 办公室
    await trip("xiaoliu", "沪A67890", on(11, 5), (5000, 5040), parking=20)  # 物业管理科
    await trip("xiaoliu", "沪A12345", on(11, 6), (1200, 1230))  # 物业管理科


async def test_distance_and_cost_per_vehicle_and_department_per_month(
        client: TestClient, admin: dict[str, str]) -> None:  # noqa: F811
    await some_trips()
    page = await (await client.get("/dashboard", params=RANGE, headers=admin)).text()
    assert '<section id="fleet">' in page and "车辆里程和费用" in page
    assert '<span class="muted">行驶里程(公里)</span><b>270</b>' in page
    charts = chart_data(page)
    distance = charts["fleet_distance"]
    assert distance["kind"] == "bars" and distance["unit"] == "公里" and not distance["empty"]
    assert distance["categories"] == ["沪A12345", "沪A67890"]
    assert [(s["name"], s["values"]) for s in distance["series"]] == [
        ("2026年10月", [80.0, 0.0]), ("2026年11月", [150.0, 40.0])]
    cost = charts["fleet_cost"]
    assert cost["categories"] == ["办公室", "物业管理科"] and cost["unit"] == "元"
    assert [(s["name"], s["values"]) for s in cost["series"]] == [
        ("2026年10月", [40.0, 0.0]), ("2026年11月", [250.5, 20.0])]
    assert '<div class="chart" id="chart-fleet_cost" data-chart="fleet_cost" role="img"' in page
    assert "各车里程和费用（按月）（3行）" in page

    resp = await client.get("/dashboard/fleet_vehicles.csv", params=RANGE, headers=admin)
    assert resp.status == 200
    assert resp.headers["Content-Disposition"] == (
        'attachment; filename="fleet_vehicles_2026-10-15_2026-11-30.csv"; '
        f"filename*=UTF-8''{quote('各车里程费用_2026-10-15_2026-11-30.csv')}")
    assert read_csv(await resp.read()) == [
        ["月份", "车牌", "车型", "趟次", "里程(公里)", "过路费(元)", "停车费(元)", "油费/充电费(元)", "费用合计(元)"],
        ["2026-10", "沪A12345", "别克GL8", "1", "80", "30.0", "10.0", "0.0", "40.0"],
        ["2026-11", "沪A12345", "别克GL8", "2", "150", "0.0", "0.0", "250.5", "250.5"],
        ["2026-11", "沪A67890", "大众帕萨特", "1", "40", "0.0", "20.0", "0.0", "20.0"],
    ]
    resp = await client.get("/dashboard/fleet_departments.csv",
                            params={**RANGE, "department": "13"}, headers=admin)
    assert quote("各部门里程费用_2026-10-15_2026-11-30_部门13.csv") in resp.headers["Content-Disposition"]
    assert read_csv(await resp.read()) == [  # 房产管理处 and below: 物业管理科's trips
        ["月份", "部门编号", "部门", "趟次", "里程(公里)", "过路费(元)", "停车费(元)", "油费/充电费(元)", "费用合计(元)"],
        ["2026-11", "131", "物业管理科", "2", "70", "0.0", "20.0", "0.0", "20.0"],
    ]
