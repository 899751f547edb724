"""The bureau's dashboard (bot/web/dashboard.py) in the real app, on SQLite and PostgreSQL:
who may see it, the filters, the charts' data, the escaping and the CSV exports."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.web import dashboard
from bot.web.dashboard import CLOCK
from bot.web.dashboard_tables import repair_list_table, to_csv
from handlers import stats
from handlers.stats import Scope
from models.decisions import decide
from models.org import Department, RequestType, Vehicle
from models.ratings import rate_request
from models.repairs import assign_repair, progress_repair
from models.requests import Decision, NewRequest, Request, RequestStatus, create_request
from models.seed import seed_org
from nlp import Nlu
from settings import Settings
from tests.conftest import TZ
from tests.fakewecom import FakeWeCom

ORG = Path(__file__).resolve().parent.parent / "models" / "org_good.yaml"
ClientFactory = Callable[..., Awaitable[TestClient]]
CHAT = "chat"
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


@pytest.fixture
async def client(db: str, aiohttp_client: ClientFactory, wecom_settings: Settings,
                 shared_nlu: Nlu, now: datetime) -> TestClient:
    assert (await seed_org(ORG)).ok
    app = create_app(wecom_settings, manage_db=False, nlu=shared_nlu)
    app[CLOCK] = lambda: now
    return await aiohttp_client(app)


@pytest.fixture
def admin(wecom_settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {wecom_settings.admin_token}"}


async def some_history(now: datetime) -> None:
    """A vehicle trip, a room, two repairs (one with a hostile location) and a late step."""
    plate = await Vehicle.get(plate="沪A12345")
    trip = await create_request(NewRequest(
        RequestType.VEHICLE_BOOKING, "zhangsan", at(25, 9), at(25, 12), vehicle_id=plate.id,
        details={"destination": "虹桥机场"}), at(24, 9), CHAT)
    await decide(trip.no, "lichu", Decision.APPROVE, at(24, 10), CHAT)
    await decide(trip.no, "wangke", Decision.APPROVE, at(24, 12), CHAT)
    await create_request(NewRequest(
        RequestType.FACILITY_RESERVATION, "xiaoliu", at(26, 14), at(26, 16),
        facility_id="mr-301"), at(25, 9), CHAT)
    fix = await create_request(NewRequest(
        RequestType.REPAIR_REQUEST, "xiaoliu",
        details={"location": '<script>alert("x")</script>3号楼'}), at(20, 9), CHAT)
    await Request.filter(id=fix.id).update(details={**fix.details, "category": "hvac"})
    await assign_repair(fix.no, "sunwei", "qianli", at(20, 9, 20), CHAT)
    await progress_repair(fix.no, "qianli", RequestStatus.COMPLETED, at(20, 15), CHAT)
    await rate_request(fix.no, "xiaoliu", 4, at(20, 16), CHAT, "还不错，就是来得晚")
    await create_request(NewRequest(
        RequestType.REPAIR_REQUEST, "wuli", details={"location": "=HYPERLINK(\"x\")"}),
        now - timedelta(hours=1), CHAT)
    await create_request(NewRequest(
        RequestType.VEHICLE_BOOKING, "zhangsan", at(29, 9), at(29, 10),
        details={"destination": "市政府", "purpose": "接外宾"}), now - timedelta(hours=6), CHAT)


async def sign_in(client: TestClient, fake: FakeWeCom, userid: str) -> None:
    resp = await client.get("/dashboard", allow_redirects=False)
    assert resp.status == 302
    query = parse_qs(urlsplit(resp.headers["Location"]).query)
    fake.add_code(f"code-{userid}", userid)
    back = urlsplit(query["redirect_uri"][0])
    resp = await client.get(back.path, params={"code": f"code-{userid}",
                                               "state": query["state"][0]},
                            allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/dashboard"


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    text = body.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text)))


# ---------------------------------------------------------------------------------------


async def test_who_may_see_it(client: TestClient, fake_wecom: FakeWeCom,
                              admin: dict[str, str], wecom_settings: Settings) -> None:
    for path in ("/dashboard", "/dashboard/overdue.csv"):
        resp = await client.get(path, allow_redirects=False)
        assert resp.status == 302
        assert resp.headers["Location"].startswith(wecom_settings.oauth_url)
        resp = await client.get(path, headers={"Authorization": "Bearer wrong"},
                                allow_redirects=False)
        assert resp.status == 401
        assert (await client.get(path, headers=admin)).status == 200
    await sign_in(client, fake_wecom, "zhangsan")  # staff
    assert (await client.get("/dashboard", allow_redirects=False)).status == 403
    assert (await client.get("/dashboard/vehicles.csv", allow_redirects=False)).status == 403
    client.session.cookie_jar.clear()
    await sign_in(client, fake_wecom, "juzhang")  # admin role
    resp = await client.get("/dashboard", allow_redirects=False)
    assert resp.status == 200
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"  # the app's middleware


def chart_data(page: str) -> dict[str, Any]:
    """The charts' JSON the page carries for static/dashboard.js."""
    found = re.findall(r'<script type="application/json" id="chart-data">(.*?)</script>', page,
                       flags=re.S)
    assert len(found) == 1
    return json.loads(found[0])


CHARTS = {"per_day", "per_vehicle", "per_department", "per_service", "lead_times",
          "repair_assign", "repair_finish", "occupancy", "asset_stock", "asset_departments"}
FLEET_CHARTS = {"fleet_distance", "fleet_cost"}  # no completed trip here: tests/bot/test_fleet_dashboard.py


async def test_page_carries_the_chart_data_and_escapes(client: TestClient,
                                                       admin: dict[str, str],
                                                       now: datetime) -> None:
    await some_history(now)
    resp = await client.get("/dashboard", params=NOVEMBER, headers=admin)
    assert resp.status == 200 and resp.content_type == "text/html"
    page = await resp.text()
    # ECharts and our script, vendored (no CDN); each chart has its place on the page.
    # Versioned by the file's hash, so a browser never keeps last version's script.
    assert re.search(r'<script src="/static/echarts\.min\.js\?v=[\w%-]+" defer></script>', page)
    assert re.search(r'<script src="/static/dashboard\.js\?v=[\w%-]+" defer></script>', page)
    assert "<svg" not in page  # drawn in the browser now, not here
    charts = chart_data(page)
    assert set(charts) == CHARTS | FLEET_CHARTS
    for key, chart in charts.items():
        if key in FLEET_CHARTS:
            continue
        if key.startswith("asset_"):
            continue  # this history has no register: tests/bot/test_dashboard_assets.py
        assert not chart["empty"], key
        assert f'<div class="chart" id="chart-{key}" data-chart="{key}" role="img"' in page
    # The numbers: 3 h of vehicle use on the 25th, on the axis as 11/25.
    per_day = charts["per_day"]
    assert per_day["kind"] == "columns" and len(per_day["categories"]) == 30
    i = per_day["categories"].index("2026-11-25 周三")
    assert per_day["labels"][i] == "11/25"
    assert per_day["series"][0]["values"][i] == 3.0 and sum(per_day["series"][0]["values"]) == 3.0
    assert charts["per_vehicle"]["categories"] == ["沪A12345", "沪A67890"]
    assert charts["per_vehicle"]["series"][0]["values"] == [3.0, 0.0]
    depts = charts["per_department"]
    assert depts["stacked"] and [s["name"] for s in depts["series"]] == ["用车", "场地预约", "报修", "资产"]
    assert dict(zip(depts["categories"], depts["series"][0]["values"], strict=True))["办公室"] == 2
    assert charts["per_service"]["series"][0]["values"] == [2, 1, 2, 0]
    # Three time limits: 4 h per approval step, 30 min to assign, 24 h to finish.
    limits = {k: c["limit"]["value"] for k, c in charts.items() if c.get("limit")}
    assert limits == {"lead_times": 4.0, "repair_assign": 30.0, "repair_finish": 24.0}
    assert charts["repair_assign"]["series"][1] == {"name": "中位数", "color": "#d4892a",
                                                    "values": [20.0]}
    assert charts["repair_finish"]["series"][1]["values"] == [6.0]  # hours
    # The heat map: 7 weekdays × 24 hours, the room on Thursday 14:00–16:00.
    occupancy = charts["occupancy"]
    assert occupancy["rows"][0] == "周一" and len(occupancy["columns"]) == 24
    assert [len(row) for row in occupancy["values"]] == [24] * 7
    lit = [(r, h) for r, row in enumerate(occupancy["values"]) for h, v in enumerate(row) if v]
    assert lit == [(3, 14), (3, 15)] and occupancy["peak"] == 1.0
    # Hostile text is escaped, never markup.
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;3号楼" in page  # markupsafe's escapes
    # The same numbers in the tables, which work without JavaScript.
    assert "当前超时（2）" in page
    day = re.search(r"<tr><td>2026-11-25</td><td>周三</td>(.*?)</tr>", page)
    assert day is not None and '<td class="n">3.0</td>' in day.group(1)
    # Every table links its CSV with the same filters.
    for key in dashboard.TABLES:
        assert f"/dashboard/{key}.csv?from=2026-11-01&amp;to=2026-11-30" in page
    # The filter form keeps what was asked.
    assert 'name="from" value="2026-11-01"' in page and 'name="to" value="2026-11-30"' in page


async def test_chart_text_cannot_leave_its_script_element(client: TestClient,
                                                          admin: dict[str, str],
                                                          now: datetime) -> None:
    hostile = "</script><script>alert('x')</script>&<!--"
    await Department.filter(id=11).update(name=hostile)  # an organisation file's name
    page = await (await client.get("/dashboard", params=NOVEMBER, headers=admin)).text()
    assert "<script>alert" not in page and "<!--" not in page
    assert hostile in chart_data(page)["per_department"]["categories"]


async def test_duration_headers_agree_with_their_cells(client: TestClient,
                                                       admin: dict[str, str],
                                                       now: datetime) -> None:
    await some_history(now)
    page = await (await client.get("/dashboard", headers=admin)).text()
    table = re.search(r'<table id="t-overdue">(.*?)</table>', page, flags=re.S)
    assert table is not None
    heads = re.findall(r"<th>(.*?)</th>", table.group(1))
    assert heads[7:] == ["已等待", "时限", "事由"]  # the cells carry their unit
    assert '<td class="n">6.0小时</td><td class="n">4.0小时</td>' in table.group(1)
    assert '<td class="n">1.0小时</td><td class="n">30分钟</td>' in table.group(1)
    assert "(分钟)</th>" not in page  # on the page no duration header names one unit
    rows = read_csv(await (await client.get("/dashboard/overdue.csv", headers=admin)).read())
    assert rows[0][7:] == ["已等待(分钟)", "时限(分钟)", "事由"]  # the CSV keeps raw minutes
    assert rows[1][7:9] == ["360.0", "240.0"]


async def test_messages_given_up_are_shown(client: TestClient, admin: dict[str, str],
                                          now: datetime) -> None:
    """A message the outbox gave up is an operator's business: counted on the page, marked."""
    from models import outbox as rows
    from models.sql import transaction

    async with transaction():
        await rows.enqueue("zhangsan", "text", {"content": "一"}, key="k1", now=now)
        await rows.enqueue("lisi", "text", {"content": "二"}, key="k2", now=now)
    claimed = await rows.claim_due("w", now + timedelta(minutes=1), 10, 60)
    assert await rows.mark_dead(claimed[0].id, "w", "wecom error 81013")
    page = await (await client.get("/dashboard", headers=admin)).text()
    assert re.search(r'<div class="kpi bad"><span class="muted">未送达消息</span><b>1</b>', page)
    assert re.search(r'<span class="muted">待发送消息</span><b>1</b>', page)


async def test_default_range_is_the_last_30_days(client: TestClient, admin: dict[str, str],
                                                 now: datetime) -> None:
    page = await (await client.get("/dashboard", headers=admin)).text()
    assert "2026-10-29 至 2026-11-27（含）" in page
    assert "暂无数据" in page  # an empty bureau renders, it does not fail
    charts = chart_data(page)
    assert all(c["empty"] for c in charts.values())
    assert 'data-chart="' not in page  # nothing to draw: a line of text in each chart's place
    assert page.count("：暂无数据</p>") == len(CHARTS | FLEET_CHARTS)


async def test_department_filter_counts_sub_departments(client: TestClient,
                                                        admin: dict[str, str],
                                                        now: datetime) -> None:
    await some_history(now)
    resp = await client.get("/dashboard/departments.csv",
                            params={**NOVEMBER, "department": "13"}, headers=admin)
    assert resp.status == 200
    rows = read_csv(await resp.read())
    assert rows[0] == ["部门编号", "部门", "层级", "用车", "场地预约", "报修", "资产",
                       "本部门合计", "含下级合计"]
    assert rows[1:] == [["13", "房产管理处", "0", "0", "0", "0", "0", "0", "2"],
                        ["131", "物业管理科", "1", "0", "1", "1", "0", "2", "2"]]
    page = await (await client.get("/dashboard", params={**NOVEMBER, "department": "13"},
                                   headers=admin)).text()
    assert '<option value="13" selected>' in page
    assert "当前超时（0）" in page  # the late items are from 11 and 14


async def test_csv_exports(client: TestClient, admin: dict[str, str], now: datetime) -> None:
    await some_history(now)
    names: dict[str, str] = {}
    for key in dashboard.TABLES:
        resp = await client.get(f"/dashboard/{key}.csv", params=NOVEMBER, headers=admin)
        assert resp.status == 200, key
        assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
        disposition = resp.headers["Content-Disposition"]
        # An ASCII name for any client, the Chinese one (RFC 6266) for browsers.
        assert disposition.startswith(f'attachment; filename="{key}_2026-11-01_2026-11-30.csv"; ')
        chinese = unquote(disposition.split("filename*=UTF-8''")[1])
        assert chinese.endswith("_2026-11-01_2026-11-30.csv") and not chinese.isascii(), chinese
        names[key] = chinese.split("_")[0]
        rows = read_csv(await resp.read())
        assert len({len(r) for r in rows}) == 1, key  # a header and rows of the same width
    overdue = read_csv(await (await client.get("/dashboard/overdue.csv", headers=admin)).read())
    assert [r[2] for r in overdue[1:]] == ["审批超时", "报修未派单"]
    assert overdue[1][5] == "李处" and overdue[1][7] == "360.0"
    assert overdue[1][9] == "接外宾" and overdue[2][9] == "—"  # the approver's 事由
    repairs = read_csv(await (await client.get("/dashboard/repairs.csv", params=NOVEMBER,
                                               headers=admin)).read())
    assert repairs[1][:8] == ["报修→派单", "30.0", "1", "20.0", "20.0", "20.0", "1", "0"]
    assert repairs[2][:4] == ["报修→完成", "1440.0", "1", "360.0"]
    services = read_csv(await (await client.get("/dashboard/services.csv", params=NOVEMBER,
                                                headers=admin)).read())
    # the statuses as the chat names them (handlers/labels.py)
    assert services[0][2:] == ["待审批", "已通过", "已驳回", "已取消", "已派工", "维修中", "已完成"]
    body = await (await client.get("/dashboard/repair_list.csv", params=NOVEMBER,
                                   headers=admin)).read()
    listing = read_csv(body)
    # Written straight from the rows: the bytes of the table's own CSV (as the page's table).
    report = await stats.repair_times(Scope(date(2026, 11, 1), date(2026, 12, 1), TZ), now)
    assert report.item_count == len(report.items) == len(listing) - 1 == 2
    assert body == to_csv(repair_list_table(report, TZ))
    assert names["repair_list"] == "报修明细" and names["worker_ratings"] == "维修人员评分"
    assert listing[0] == ["单号", "报修时间", "状态", "地点", "类别", "维修人员", "派单用时(分钟)",
                          "完成用时(分钟)", "评分", "评价意见"]
    assert listing[1][4:6] == ["空调暖通", "钱力"] and listing[1][8:] == ["4", "还不错，就是来得晚"]
    assert {r[2] for r in listing[1:]} <= {"待派工", "已派工", "维修中", "已完成", "已取消"}
    locations = [r[3] for r in listing[1:]]
    assert "'=HYPERLINK(\"x\")" in locations  # a formula is defused for spreadsheets
    vehicles = read_csv(await (await client.get("/dashboard/vehicles.csv", params=NOVEMBER,
                                                headers=admin)).read())
    assert vehicles[1] == ["沪A12345", "别克GL8", "3.0", "1"]
    workers = read_csv(await (await client.get("/dashboard/worker_ratings.csv", params=NOVEMBER,
                                               headers=admin)).read())
    assert workers == [["维修人员", "评价数", "平均分"], ["钱力", "1", "4.0"]]
    drivers = read_csv(await (await client.get("/dashboard/driver_ratings.csv", params=NOVEMBER,
                                               headers=admin)).read())
    assert drivers == [["司机", "评价数", "平均分"]]
    resp = await client.get("/dashboard/nope.csv", headers=admin)
    assert resp.status == 404
    assert "没有名为「nope」的表" in await resp.text()
    # one row per request: a month at a time (a year of a large bureau is a million rows)
    resp = await client.get("/dashboard/repair_list.csv", headers=admin,
                            params={"from": "2026-10-01", "to": "2026-11-30"})
    assert resp.status == 400
    assert "每张明细表一次最多导出 31 天" in await resp.text()
    resp = await client.get("/dashboard/services.csv", headers=admin,
                            params={"from": "2026-01-01", "to": "2026-11-30"})
    assert resp.status == 200


async def test_errors_are_in_chinese(client: TestClient, fake_wecom: FakeWeCom) -> None:
    """No English in any answer: a wrong token, a staff member, a path or method unknown."""
    resp = await client.get("/dashboard/x.csv", headers={"Authorization": "Bearer wrong"})
    assert resp.status == 401 and "令牌无效" in await resp.text()
    for path, status in (("/dashboard/x", 404), ("/nothing/here", 404), ("/m/requests/abc", 404)):
        resp = await client.get(path, allow_redirects=False)
        assert resp.status == status and await resp.text() == "页面不存在，请核对地址。", path
    resp = await client.delete("/dashboard")
    assert resp.status == 405 and await resp.text() == "不支持这种访问方式。"
    await sign_in(client, fake_wecom, "zhangsan")  # staff
    resp = await client.get("/dashboard/x.csv", allow_redirects=False)
    assert resp.status == 403 and await resp.text() == "只有管理员可以查看。"


async def test_bad_filters_are_400(client: TestClient, admin: dict[str, str]) -> None:
    bad = [
        {"from": "2026-13-01"},
        {"from": "yesterday"},
        {"to": "2026-02-30"},
        {"from": "26-11-01"},
        {"from": "0001-01-01", "to": "0001-01-02"},
        {"from": "2026-11-30", "to": "2026-11-01"},
        {"from": "2024-01-01", "to": "2026-11-01"},
        {"department": "abc"},
        {"department": "-1"},
        {"department": "999"},
        {"department": "1" * 30},
        {"from": "２０２６-11-01"},
    ]
    for params in bad:
        for path in ("/dashboard", "/dashboard/vehicles.csv"):
            resp = await client.get(path, params=params, headers=admin)
            assert resp.status == 400, (path, params)
            assert "查询条件有误" in await resp.text()


async def test_the_charts_scripts_are_served_from_here(client: TestClient) -> None:
    """ECharts is vendored (an intranet has no CDN), its licence beside it."""
    for name in ("echarts.min.js", "dashboard.js"):
        resp = await client.get(f"/static/{name}")
        assert resp.status == 200, name
        assert resp.content_type in ("application/javascript", "text/javascript")
    assert "echarts" in (await (await client.get("/static/echarts.min.js")).text())[:2000].lower()
    assert "document.getElementById(\"chart-data\")" in await (
        await client.get("/static/dashboard.js")).text()
    licence = await (await client.get("/static/echarts.LICENSE")).text()
    assert "Apache License" in licence and "Version 2.0" in licence
    assert (await client.get("/static/dashboard.css")).status == 200


async def test_messages_waiting_in_the_inbox_are_shown(client: TestClient, admin: dict[str, str],
                                                       now: datetime) -> None:
    """What WeCom delivered and is not yet handled, and how long the oldest has waited
    (issue 12): marked once it waits longer than half a minute."""
    from models.inbox import NewRow, insert_new

    received = now.timestamp() - 95
    await insert_new([NewRow("msg:1", "zhangsan", {"text": "一"}, received, None),
                      NewRow("msg:2", "lisi", {"text": "二"}, now.timestamp(), "p1")])
    page = await (await client.get("/dashboard", headers=admin)).text()
    assert re.search(r'<div class="kpi bad"><span class="muted">待处理消息</span><b>2</b>', page)
    assert re.search(r'<div class="kpi bad"><span class="muted">最久等待</span><b>95秒</b>', page)


def test_the_late_list_of_a_large_bureau_is_tabled_from_the_rows_shown_counting_them_all() -> None:
    from bot.web.dashboard import _page_table
    from bot.web.dashboard_tables import PAGE_ROWS, overdue_table
    from models.stats.overdue import OverdueItem

    since = datetime(2026, 12, 1, 9, tzinfo=TZ)
    items = [OverdueItem(no=1001 + i, type="repair_request", kind="repair_unassigned",
                         applicant=f"申请人{i}", department="办公室", waiting_for="",
                         since=since + timedelta(minutes=i), waited_min=600.0 - i, limit_min=120.0)
             for i in range(PAGE_ROWS + 37)]
    whole = overdue_table(items, TZ)
    page = _page_table("overdue", items, overdue_table, TZ)
    assert len(page.rows) == PAGE_ROWS  # only what the page shows was tabled
    assert page.shown_rows() == whole.shown_rows()
    assert (page.total, page.shown_count, page.cut) == (whole.total, whole.shown_count, whole.cut)
    assert page.total == PAGE_ROWS + 37 and page.cut
    few = items[:3]
    assert _page_table("overdue", few, overdue_table, TZ).rows == overdue_table(few, TZ).rows
