"""The admin API (CONTRACT §4): `GET /api/v1/requests/{no}` behind the bearer token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.keys import SETTINGS
from bot.web.api import setup_api
from models.decisions import decide
from models.org import RequestType, Vehicle
from models.requests import Decision, NewRequest, create_request
from models.seed import seed_org
from nlp import Nlu
from settings import Settings

ORG = Path(__file__).resolve().parent.parent / "models" / "org_good.yaml"
ClientFactory = Callable[..., Awaitable[TestClient]]
AUTH = {"Authorization": "Bearer test-admin-token"}


def api_app(settings: Settings) -> web.Application:
    app = web.Application()
    app[SETTINGS] = settings
    setup_api(app)
    return app


@pytest.fixture
async def client(db: str, settings: Settings, aiohttp_client: ClientFactory) -> TestClient:
    assert (await seed_org(ORG)).ok
    return await aiohttp_client(api_app(settings))


async def vehicle_booking(now: datetime) -> int:
    vehicle = await Vehicle.get(plate="沪A12345")
    start = now + timedelta(days=1)
    request = await create_request(
        NewRequest(type=RequestType.VEHICLE_BOOKING, applicant="zhangsan", start=start,
                   end=start + timedelta(hours=2), vehicle_id=vehicle.id, driver="zhaoshifu",
                   details={"destination": "市政府"}),
        now, "wecom",
    )
    return request.no


async def test_request_as_json(client: TestClient, now: datetime) -> None:
    no = await vehicle_booking(now)
    await decide(no, "lichu", Decision.APPROVE, now + timedelta(minutes=5), "wecom")
    resp = await client.get(f"/api/v1/requests/{no}", headers=AUTH)
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("application/json")
    body = await resp.json()
    assert body["no"] == no
    assert body["type"] == "vehicle_booking"
    assert body["status"] == "pending"
    assert body["applicant"] == "zhangsan"
    steps = body["steps"]
    assert [(s["approver"], s["decision"]) for s in steps] == [
        ("lichu", "approve"), ("wangke", None)]
    assert datetime.fromisoformat(steps[0]["decided_at"]) == now + timedelta(minutes=5)
    assert steps[1]["decided_at"] is None


async def test_repair_request_has_no_steps(client: TestClient, now: datetime) -> None:
    request = await create_request(
        NewRequest(type=RequestType.REPAIR_REQUEST, applicant="wuli",
                   details={"location": "财务处", "category": "it", "description": "网断了"}),
        now, "wecom",
    )
    body = await (await client.get(f"/api/v1/requests/{request.no}", headers=AUTH)).json()
    assert (body["type"], body["status"], body["steps"]) == ("repair_request", "pending", [])


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": "test-admin-token"},
    {"Authorization": "Basic test-admin-token"},
    {"Authorization": "Bearer "},
])
async def test_token_required(client: TestClient, now: datetime, headers: dict[str, str]) -> None:
    no = await vehicle_booking(now)
    resp = await client.get(f"/api/v1/requests/{no}", headers=headers)
    assert resp.status == 401
    assert "zhangsan" not in await resp.text()


async def test_unknown_and_malformed_numbers(client: TestClient) -> None:
    assert (await client.get("/api/v1/requests/1999", headers=AUTH)).status == 404
    assert (await client.get("/api/v1/requests/5", headers=AUTH)).status == 404
    assert (await client.get("/api/v1/requests/99999999999", headers=AUTH)).status == 404
    for bad in ["abc", "10x1", "-1001", "１００１", "1001.0"]:
        assert (await client.get(f"/api/v1/requests/{bad}", headers=AUTH)).status == 400, bad


async def test_off_without_admin_token(
    db: str, settings: Settings, aiohttp_client: ClientFactory, now: datetime
) -> None:
    assert (await seed_org(ORG)).ok
    client = await aiohttp_client(api_app(replace(settings, admin_token=None)))
    no = await vehicle_booking(now)
    assert (await client.get(f"/api/v1/requests/{no}", headers=AUTH)).status == 404
    assert (await client.get(f"/api/v1/requests/{no}")).status == 404


async def test_served_by_the_real_app(
    db: str, wecom_settings: Settings, aiohttp_client: ClientFactory, shared_nlu: Nlu,
    now: datetime,
) -> None:
    assert (await seed_org(ORG)).ok
    client = await aiohttp_client(create_app(wecom_settings, manage_db=False, nlu=shared_nlu))
    no = await vehicle_booking(now)
    resp = await client.get(f"/api/v1/requests/{no}", headers=AUTH)
    assert resp.status == 200 and (await resp.json())["applicant"] == "zhangsan"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert (await client.get(f"/api/v1/requests/{no}")).status == 401
