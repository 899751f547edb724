"""The dashboard's asset section (issue 17 item 1): in stock, reserved and in use by
category, in use by department with the range's hand-outs, each with its CSV (Chinese
headers), read through handlers/ like every other section."""

from __future__ import annotations

from datetime import datetime

from aiohttp.test_utils import TestClient

from models.assets import AssetKind, complete_asset_request, create_asset_request
from models.decisions import decide
from models.org import RequestType, forget_cached_org
from models.requests import Decision, NewRequest, ordered_steps
from models.seed import seed_org
from tests.bot.test_dashboard import NOVEMBER, admin, at, chart_data, client, read_csv
from tests.handlers.test_asset_request import asset_org

__all__ = ["admin", "client"]  # the fixtures


async def handed_out(who: str, quantity: int, day: int) -> None:
    request = await create_asset_request(
        NewRequest(type=RequestType.ASSET_REQUEST, applicant=who,
                   details={"category": "笔记本电脑", "quantity": quantity, "location": "3号楼502室"}),
        AssetKind.REQUISITION, at(day, 9), "chat", category="笔记本电脑", quantity=quantity)
    for step in ordered_steps(request):
        await decide(request.no, step.approver.userid, Decision.APPROVE, at(day, 10), "chat")
    await complete_asset_request(request.no, "zhaozi", at(day, 11), "chat")


async def test_the_asset_section_and_its_csv(client: TestClient, admin: dict[str, str],
                                             now: datetime) -> None:
    assert (await seed_org(asset_org())).ok
    forget_cached_org()
    await handed_out("zhangsan", 2, 20)
    await create_asset_request(  # waiting: reserved, not handed out
        NewRequest(type=RequestType.ASSET_REQUEST, applicant="wuli",
                   details={"category": "办公椅", "quantity": 1, "location": "财务处"}),
        AssetKind.REQUISITION, at(26, 9), "chat", category="办公椅", quantity=1)

    page = await (await client.get("/dashboard", params=NOVEMBER, headers=admin)).text()
    assert '<section id="assets">' in page and "资产在库" in page
    charts = chart_data(page)
    stock = charts["asset_stock"]
    assert stock["categories"] == ["办公椅", "打印机", "投影仪", "笔记本电脑"]
    assert [s["name"] for s in stock["series"]] == ["在库可领", "已预留", "在用"]
    assert stock["series"][0]["values"] == [1, 0, 0, 1]
    assert stock["series"][1]["values"] == [1, 0, 0, 0]
    assert stock["series"][2]["values"] == [0, 1, 1, 2]

    rows = read_csv(await (await client.get("/dashboard/asset_stock.csv", params=NOVEMBER,
                                            headers=admin)).read())
    assert rows[0] == ["类别", "在库可领", "已预留", "在用", "在库原值(元)"]
    assert ["笔记本电脑", "1", "0", "2", "6800.0"] in rows
    rows = read_csv(await (await client.get("/dashboard/asset_departments.csv", params=NOVEMBER,
                                            headers=admin)).read())
    assert rows[0] == ["部门编号", "部门", "在用件数", "原值合计(元)", "期内领用件数"]
    # 办公室 (11): the projector and the printer of the register, and the two laptops
    assert rows[1] == ["11", "办公室", "4", "19600.0", "2"]
    # another range: the hand-outs of November are not in it, the register is
    december = {"from": "2026-12-01", "to": "2026-12-05"}
    rows = read_csv(await (await client.get("/dashboard/asset_departments.csv", params=december,
                                            headers=admin)).read())
    assert rows[1] == ["11", "办公室", "4", "19600.0", "0"]
    # the department filter: 财务处 (14) holds nothing
    rows = read_csv(await (await client.get("/dashboard/asset_departments.csv",
                                            params={**NOVEMBER, "department": "14"},
                                            headers=admin)).read())
    assert rows[1:] == []


async def test_the_admin_api_gives_an_asset_request(client: TestClient, admin: dict[str, str]
                                                    ) -> None:
    """CONTRACT §4: the type is `asset_request`; its steps and status as for every type."""
    assert (await seed_org(asset_org())).ok
    forget_cached_org()
    request = await create_asset_request(
        NewRequest(type=RequestType.ASSET_REQUEST, applicant="zhangsan",
                   details={"category": "笔记本电脑", "quantity": 1, "location": "3号楼502室"}),
        AssetKind.REQUISITION, at(26, 9), "chat", category="笔记本电脑", quantity=1)
    body = await (await client.get(f"/api/v1/requests/{request.no}", headers=admin)).json()
    assert body["type"] == "asset_request" and body["status"] == "pending"
    assert body["applicant"] == "zhangsan"
    assert [(s["approver"], s["decision"]) for s in body["steps"]] == [("lichu", None), ("zhaozi", None)]
    assert body["details"]["tags"] == ["A-2024-01-001"] and body["details"]["kind"] == "requisition"
