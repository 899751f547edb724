"""The mini-service pages (bot/web/pages.py) in the real app, on SQLite and PostgreSQL: signed
in through the fake WeCom OAuth, the lists and the detail (and who may see it), the three
forms through the chat's use cases (rules, messages, one transaction with the
notifications), CSRF, cancelling, escaping.

The clock stands at Friday 2026-11-27 10:00 (Shanghai). 沪A67890 seats 5 (刘师傅),
沪A12345 seats 7 (赵师傅); 张三's approvers are 李处, then 王科. 301会议室 (12 seats,
08:00-20:00) needs no approval; 大礼堂 and 101接待室 (8 seats, 09:00-18:00) go to 周静."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.web.dashboard import CLOCK
from bot.web.links import SignedLinks
from models.audit import AuditLog
from models.decisions import decide
from models.holds import Hold
from models.org import RequestType, User, Vehicle
from models.outbox import OutboxMessage
from models.requests import (
    ApprovalStep,
    Decision,
    NewRequest,
    Request,
    RequestStatus,
    create_request,
)
from models.seed import seed_org
from nlp import Nlu
from settings import Settings
from tests.bot.test_auth import sign_in
from tests.conftest import TZ
from tests.fakewecom import FakeWeCom

ORG = Path(__file__).resolve().parent.parent / "models" / "org_good.yaml"
ClientFactory = Callable[..., Awaitable[TestClient]]
TOKEN_RE = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
async def client(db: str, aiohttp_client: ClientFactory, wecom_settings: Settings,
                 shared_nlu: Nlu, now: datetime) -> TestClient:
    assert (await seed_org(ORG)).ok
    app = create_app(wecom_settings, manage_db=False, nlu=shared_nlu)
    app[CLOCK] = lambda: now
    return await aiohttp_client(app)


async def login(client: TestClient, fake: FakeWeCom, userid: str) -> None:
    client.session.cookie_jar.clear()
    assert await sign_in(client, fake, userid, "/m/") == "/m/"


async def page(client: TestClient, path: str, status: int = 200) -> str:
    resp = await client.get(path, allow_redirects=False)
    text = await resp.text()
    assert resp.status == status, text
    return text


async def token_of(client: TestClient, path: str) -> str:
    m = TOKEN_RE.search(await page(client, path))
    assert m is not None
    return m[1]


async def post(client: TestClient, path: str, fields: dict[str, Any], *,
               token: str | None = "", status: int = 200) -> str:
    """POST the form; token "" means the page's own token, None none at all."""
    data = {k: str(v) for k, v in fields.items()}
    if token == "":
        token = await token_of(client, path if "/cancel" not in path else path.removesuffix("/cancel"))
    if token is not None:
        data["csrf"] = token
    resp = await client.post(path, data=data, allow_redirects=False)
    text = await resp.text()
    assert resp.status == status, text
    return text


async def outbox_to(userid: str) -> list[str]:
    rows = await OutboxMessage.filter(user_id=userid).order_by("id")
    return [json.dumps(r.content, ensure_ascii=False) for r in rows]


async def nothing_written() -> None:
    assert await Request.all().count() == 0
    assert await Hold.all().count() == 0
    assert await OutboxMessage.all().count() == 0


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


async def book_for_zhangsan(now: datetime) -> Request:
    """#1001: 张三's trip tomorrow 14:00-16:00 in 沪A12345, waiting for 李处."""
    car = await Vehicle.get(plate="沪A12345")
    return await create_request(NewRequest(
        RequestType.VEHICLE_BOOKING, "zhangsan", at(28, 14), at(28, 16), vehicle_id=car.id,
        details={"origin": "局机关", "destination": "虹桥机场", "passengers": 3, "purpose": "接人"},
    ), now, "chat")


VEHICLE = {"date": "2026-11-28", "start": "14:00", "end": "16:00", "origin": "",
           "destination": "虹桥机场", "passengers": "3", "purpose": "送材料"}


# ---------------------------------------------------------------------------------------
# Who


async def test_every_page_needs_a_session(client: TestClient, wecom_settings: Settings) -> None:
    for path in ["/m/", "/m/requests", "/m/requests/1001", "/m/pending", "/m/new/vehicle",
                 "/m/new/facility", "/m/new/repair"]:
        resp = await client.get(path, allow_redirects=False)
        assert resp.status == 302, path
        assert resp.headers["Location"].startswith(wecom_settings.oauth_url + "?")
    resp = await client.post("/m/new/repair", data={"location": "1号楼", "category": "it",
                                                    "description": "断网"}, allow_redirects=False)
    assert resp.status == 302
    await nothing_written()


async def test_home_is_a_plain_mobile_page(client: TestClient, fake_wecom: FakeWeCom,
                                           now: datetime, wecom_settings: Settings) -> None:
    await book_for_zhangsan(now)
    await login(client, fake_wecom, "zhangsan")
    html = await page(client, "/m/")
    assert 'name="viewport"' in html and "张三" in html
    for href in ["/m/requests", "/m/pending", "/m/new/vehicle", "/m/new/facility", "/m/new/repair"]:
        assert f'href="{href}"' in html
    assert "<b>1</b>" in html  # one open request
    # The user's own calendar feed, signed, to paste into a phone's calendar.
    feed = SignedLinks(wecom_settings).calendar_url("user", "zhangsan")
    assert f'<a href="{feed}">' in html and "添加订阅日历" in html
    for page_ in ["/m/", "/m/new/vehicle", "/m/new/facility", "/m/new/repair"]:
        html = (await page(client, page_)).replace(feed, "")
        assert "<script" not in html and "src=" not in html and "http" not in html.replace(
            'http-equiv', '')


async def test_someone_switched_off_after_signing_in_is_refused(
    client: TestClient, fake_wecom: FakeWeCom
) -> None:
    await login(client, fake_wecom, "wuli")
    assert (await client.get("/m", allow_redirects=False)).headers["Location"] == "/m/"
    # switched off before any page asked (bot/chat/users.py caches who is who for 30 s)
    await User.filter(userid="wuli").update(active=False)
    assert "不在本局人员名单中" in await page(client, "/m/", 403)
    await post(client, "/m/new/repair", {"location": "1号楼", "category": "it", "description": "断网"},
               token=None, status=403)
    await nothing_written()


# ---------------------------------------------------------------------------------------
# Lists and detail


async def test_my_requests_detail_and_who_may_see(client: TestClient, fake_wecom: FakeWeCom,
                                                  now: datetime) -> None:
    await book_for_zhangsan(now)
    await create_request(NewRequest(
        RequestType.REPAIR_REQUEST, "zhangsan",
        details={"location": '<script>alert("x")</script>3号楼', "category": "it",
                 "description": "断网"}), now, "chat")
    await login(client, fake_wecom, "zhangsan")
    html = await page(client, "/m/requests")
    assert "#1001 用车" in html and "#1002 报修" in html
    assert "11月28日(周六) 14:00-16:00" in html and "虹桥机场" in html
    assert "待审批" in html and "等待李处审批" in html and "待派工" in html
    assert "<script>" not in html and "&lt;script&gt;" in html

    html = await page(client, "/m/requests/1001")
    assert "部门负责人 李处：待审批" in html and "车辆管理 王科：待审批" in html
    assert "事由：接人" in html and "司机：赵师傅" in html
    assert 'action="/m/requests/1001/cancel"' in html and 'name="csrf"' in html
    assert "/approve/" not in html  # not 张三's to decide

    await login(client, fake_wecom, "wuli")  # not involved: as if it did not exist
    html = await page(client, "/m/requests/1001", 404)
    assert "没有找到您的 #1001" in html and "虹桥机场" not in html
    assert "没有找到" in await page(client, "/m/requests/99999999", 404)
    assert "#1001" not in await page(client, "/m/requests")

    await login(client, fake_wecom, "lichu")  # the approver sees it, with the way to decide
    html = await page(client, "/m/requests/1001")
    assert "虹桥机场" in html and "/approve/" in html and "/cancel" not in html


async def test_pending_links_to_the_approve_page(client: TestClient, fake_wecom: FakeWeCom,
                                                 wecom_settings: Settings, now: datetime) -> None:
    await book_for_zhangsan(now)
    await login(client, fake_wecom, "zhangsan")
    assert "目前没有等您审批的申请" in await page(client, "/m/pending")

    await login(client, fake_wecom, "lichu")
    html = await page(client, "/m/pending")
    assert "#1001 用车" in html and "申请人：张三" in html
    m = re.search(r'href="[^"]*/approve/([^"]+)"', html)
    assert m is not None
    step = await ApprovalStep.get(request_id=1, seq=1)
    assert SignedLinks(wecom_settings).read_approve_token(m[1]) == {
        "n": 1001, "s": step.id, "a": "lichu"}
    await login(client, fake_wecom, "wangke")  # the second step is not due yet
    assert "#1001" not in await page(client, "/m/pending")


async def test_cancel_from_the_detail_page(client: TestClient, fake_wecom: FakeWeCom,
                                           now: datetime) -> None:
    await book_for_zhangsan(now)
    await login(client, fake_wecom, "wuli")  # someone else, with a valid token of their own
    await post(client, "/m/requests/1001/cancel", {}, token=await token_of(client, "/m/new/repair"),
               status=404)
    await login(client, fake_wecom, "zhangsan")
    await post(client, "/m/requests/1001/cancel", {}, token=None, status=403)
    await post(client, "/m/requests/1001/cancel", {}, token="forged", status=403)
    assert (await Request.get(id=1)).status is RequestStatus.PENDING

    html = await post(client, "/m/requests/1001/cancel", {})
    assert "好的，#1001 已取消。车辆和司机已释放。已通知审批人李处。" in html
    assert "已取消" in html and "/cancel" not in html  # no second cancel button
    assert (await Request.get(id=1)).status is RequestStatus.CANCELLED
    assert not await Hold.filter(request_id=1, active=True).exists()
    assert any("【申请已撤回】张三已取消 #1001" in m for m in await outbox_to("lichu"))
    assert await AuditLog.filter(request_id=1, action="cancel", channel="web").exists()


async def test_detail_shows_the_whole_timeline(client: TestClient, fake_wecom: FakeWeCom,
                                                now: datetime) -> None:
    """Created, each decision with who and when, the cancellation: from the audit trail."""
    request = await book_for_zhangsan(at(27, 8, 30))
    await decide(request.no, "lichu", Decision.APPROVE, at(27, 9, 5), "wecom")
    await decide(request.no, "wangke", Decision.APPROVE, at(27, 9, 40), "web")
    await login(client, fake_wecom, "zhangsan")
    html = await post(client, "/m/requests/1001/cancel", {})
    timeline = html[html.index('data-testid="timeline"'):]
    items = re.findall(r"<li><span class=\"muted\">([^<]+)</span> ([^<]+)</li>", timeline)
    assert items == [
        ("11月27日(周五) 08:30", "张三提交申请"),
        ("11月27日(周五) 09:05", "李处（部门负责人）同意"),
        ("11月27日(周五) 09:40", "王科（车辆管理）同意"),
        ("11月27日(周五) 10:00", "张三取消申请"),
    ]


# ---------------------------------------------------------------------------------------
# Forms


async def test_vehicle_form_submits_through_the_use_case(client: TestClient,
                                                        fake_wecom: FakeWeCom) -> None:
    await login(client, fake_wecom, "zhangsan")
    html = await page(client, "/m/new/vehicle")
    assert '<form method="post"' in html and 'type="date" name="date"' in html
    html = await post(client, "/m/new/vehicle", VEHICLE)
    assert "已提交 #1001：用车 11月28日(周六) 14:00-16:00，局机关→虹桥机场，3人，沪A67890。" in html
    assert "等待李处审批" in html and 'href="/m/requests/1001"' in html

    request = await Request.get(id=1).prefetch_related("vehicle", "driver", "applicant")
    assert request.status is RequestStatus.PENDING and request.applicant.userid == "zhangsan"
    assert request.vehicle.plate == "沪A67890" and request.driver.userid == "liushifu"
    assert (request.start, request.end) == (at(28, 14), at(28, 16))
    assert request.details == {"origin": "局机关", "destination": "虹桥机场", "passengers": 3,
                               "purpose": "送材料"}
    steps = await ApprovalStep.filter(request_id=1).order_by("seq").prefetch_related("approver")
    assert [s.approver.userid for s in steps] == ["lichu", "wangke"]
    assert await Hold.filter(request_id=1, active=True).count() == 2
    assert await AuditLog.filter(request_id=1, action="create", channel="web").exists()
    told = await outbox_to("lichu")
    assert len(told) == 1 and "1001" in told[0] and "虹桥机场" in told[0]
    assert await outbox_to("wangke") == []


# One app for every case (each writes nothing, so they cannot disturb each other).
VEHICLE_PROBLEMS = [
    ({"date": "2026-11-27", "start": "08:00", "end": "09:00"},
     "出发时间 11月27日(周五) 08:00 已经过了，请换一个以后的时间。"),
    ({"end": "13:00"}, "结束时间要晚于出发时间（11月28日(周六) 14:00）"),
    ({"end_date": "2026-12-03"}, "单次用车最长3天（您说的是5天2小时）"),
    ({"passengers": "12"}, "车队最大的车只能坐7人，12人坐不下"),
    ({"passengers": "0"}, "乘车人数至少1人"),
    ({"destination": ""}, "请问要去哪里？"),
    ({"start": "25:00"}, "请按“时:分”填写开始时间"),
    ({"passengers": "三"}, "乘车人数请填写一个整数。"),
    ({"destination": "远" * 61}, "目的地最多60个字。"),
]


async def test_vehicle_form_problems(client: TestClient, fake_wecom: FakeWeCom) -> None:
    await login(client, fake_wecom, "zhangsan")
    for change, message in VEHICLE_PROBLEMS:
        html = await post(client, "/m/new/vehicle", {**VEHICLE, **change})
        assert message in html, change
        assert '<form method="post"' in html and 'class="bad"' in html, change
        assert 'value="送材料"' in html, change  # the user's values come back
        await nothing_written()


async def test_vehicle_form_nothing_free_offers_windows(client: TestClient,
                                                        fake_wecom: FakeWeCom) -> None:
    await login(client, fake_wecom, "zhangsan")
    assert "已提交 #1001" in await post(client, "/m/new/vehicle", {**VEHICLE, "passengers": "6"})
    await login(client, fake_wecom, "wuli")
    html = await post(client, "/m/new/vehicle",
                      {**VEHICLE, "start": "15:00", "end": "17:00", "passengers": "6"})
    assert "抱歉，11月28日(周六) 15:00-17:00 没有能坐6人的空闲车辆。" in html
    assert "11月28日(周六) 16:00-18:00（沪A12345）" in html
    assert "算了" not in html  # the chat's hint is not for forms
    assert await Request.all().count() == 1


async def test_facility_form(client: TestClient, fake_wecom: FakeWeCom) -> None:
    await login(client, fake_wecom, "zhangsan")
    html = await page(client, "/m/new/facility")
    assert 'value="room:mr-301"' in html and 'value="type:meeting_room"' in html

    base = {"date": "2026-11-30", "start": "09:00", "end": "11:00", "attendees": "10"}
    html = await post(client, "/m/new/facility", {**base, "place": "type:meeting_room"})
    assert "已预约成功 #1001：301会议室 11月30日(周一) 09:00-11:00，10人。" in html
    request = await Request.get(id=1)
    assert request.status is RequestStatus.APPROVED and request.facility_id == "mr-301"  # type: ignore[attr-defined]
    assert await ApprovalStep.filter(request_id=1).count() == 0

    html = await post(client, "/m/new/facility", {**base, "place": "room:aud-1", "attendees": "120"})
    assert "已提交 #1002：大礼堂 11月30日(周一) 09:00-11:00，120人。" in html and "周静" in html
    request = await Request.get(id=2)
    assert request.status is RequestStatus.PENDING
    assert await Hold.filter(request_id=2, active=True, resource="facility:aud-1").exists()
    told = await outbox_to("zhoujing")
    assert len(told) == 1 and "1002" in told[0] and "大礼堂" in told[0]

    html = await post(client, "/m/new/facility", {**base, "place": "room:mr-301", "date": "2026-12-07",
                                                  "repeat_until": "2026-12-21"})
    assert "已预约成功，每周一共3次（#1003–#1005）" in html
    assert await Request.filter(series__isnull=False).count() == 3


async def test_vehicle_form_needs_a_purpose(client: TestClient, fake_wecom: FakeWeCom) -> None:
    await login(client, fake_wecom, "zhangsan")
    html = await page(client, "/m/new/vehicle")
    assert re.search(r'<input id="f-purpose"[^>]* required', html)
    html = await post(client, "/m/new/vehicle", {**VEHICLE, "purpose": ""})
    assert "请说一下用车事由（审批人要看）" in html and 'class="bad"' in html
    await nothing_written()


async def test_facility_form_keeps_purpose_and_equipment(client: TestClient,
                                                         fake_wecom: FakeWeCom) -> None:
    await login(client, fake_wecom, "zhangsan")
    form = {"date": "2026-11-30", "start": "09:00", "end": "11:00", "attendees": "120",
            "place": "room:aud-1", "purpose": "全局干部大会", "equipment": "话筒、投影仪"}
    assert "已提交 #1001：大礼堂" in await post(client, "/m/new/facility", form)
    request = await Request.get(id=1)
    assert request.details == {"attendees": 120, "purpose": "全局干部大会",
                               "equipment": ["话筒", "投影仪"]}
    told = await outbox_to("zhoujing")
    assert len(told) == 1 and "全局干部大会" in told[0] and "话筒、投影仪" in told[0]
    html = await page(client, "/m/requests/1001")
    assert "<div>用途：全局干部大会</div>" in html and "<div>设备：话筒、投影仪</div>" in html


FACILITY_PROBLEMS = [
    ({"place": "room:rr-101", "start": "18:00", "end": "19:00"},
     "101接待室的开放时间是09:00-18:00，11月30日(周一) 18:00-19:00不在开放时间内"),
    ({"place": "room:rr-101", "attendees": "15"}, "101接待室最多容纳8人，您说的是15人。可以换成："),
    ({"end": "08:00"}, "结束时间要晚于开始时间"),
    ({"date": "2026-11-26"}, "已经过了"),
    ({"place": ""}, "请问要预约哪里？"),
    ({"place": "room:nowhere"}, "请问要预约哪里？"),
    ({"attendees": ""}, "大概多少人参加？"),
    ({"repeat_until": "2027-12-31"}, "每周重复最多预约26次"),
]


async def test_facility_form_problems(client: TestClient, fake_wecom: FakeWeCom) -> None:
    await login(client, fake_wecom, "zhangsan")
    for change, message in FACILITY_PROBLEMS:
        fields = {"date": "2026-11-30", "start": "09:00", "end": "11:00", "attendees": "6",
                  "place": "room:mr-301", **change}
        html = await post(client, "/m/new/facility", fields)
        assert message in html and '<form method="post"' in html, change
        assert 'class="bad"' in html and "直接说名称" not in html, change
        await nothing_written()


async def test_facility_form_taken_names_alternatives(client: TestClient,
                                                      fake_wecom: FakeWeCom) -> None:
    await login(client, fake_wecom, "zhangsan")
    fields = {"date": "2026-11-30", "start": "09:00", "end": "11:00", "attendees": "6",
              "place": "room:mr-301"}
    assert "已预约成功 #1001" in await post(client, "/m/new/facility", fields)
    await login(client, fake_wecom, "wuli")
    html = await post(client, "/m/new/facility", fields)
    assert "301会议室 11月30日(周一) 09:00-11:00 已被预约。" in html
    assert "301会议室最近的空档：11月30日(周一) 11:00-13:00" in html
    assert "算了" not in html and await Request.all().count() == 1


async def test_repair_form(client: TestClient, fake_wecom: FakeWeCom) -> None:
    await login(client, fake_wecom, "zhangsan")
    html = await page(client, "/m/new/repair")
    assert 'value="hvac"' in html and "<textarea" in html
    fields = {"location": "2号楼408室", "category": "hvac", "description": "空调一直滴水"}
    for change, message in [({"category": ""}, "是什么问题？"), ({"category": "magic"}, "是什么问题？"),
                            ({"location": ""}, "请问在哪里？"),
                            ({"description": "水" * 501}, "故障描述太长了，请控制在500个字以内。")]:
        html = await post(client, "/m/new/repair", {**fields, **change})
        assert message in html and 'class="bad"' in html
        assert "空调一直滴水" in html or "description" in change  # the user's values come back
        await nothing_written()
    html = await post(client, "/m/new/repair", fields)
    assert "已提交报修 #1001：2号楼408室 空调暖通。已通知维修调度" in html
    request = await Request.get(id=1)
    assert request.status is RequestStatus.PENDING and request.type is RequestType.REPAIR_REQUEST
    assert request.details["description"] == "空调一直滴水"
    told = await outbox_to("sunwei")
    assert len(told) == 1 and "【新报修】#1001 张三（办公室）" in told[0]


async def test_forms_refuse_a_missing_or_foreign_csrf_token(client: TestClient,
                                                           fake_wecom: FakeWeCom) -> None:
    await login(client, fake_wecom, "wuli")
    wuli_token = await token_of(client, "/m/new/vehicle")
    await login(client, fake_wecom, "zhangsan")
    for path, fields in [("/m/new/vehicle", VEHICLE),
                         ("/m/new/facility", {"date": "2026-11-30", "start": "09:00", "end": "11:00",
                                              "attendees": "6", "place": "room:mr-301"}),
                         ("/m/new/repair", {"location": "1号楼", "category": "it",
                                            "description": "断网"})]:
        await post(client, path, fields, token=None, status=403)
        await post(client, path, fields, token="0" * 32, status=403)
        await post(client, path, fields, token=wuli_token, status=403)
    await nothing_written()
