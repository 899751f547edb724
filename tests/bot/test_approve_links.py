"""Approve links (CONTRACT §4) in the real app with the fake WeCom API: who opens the page
is learned through OAuth; the link is signed, bound to its approver and step, expires,
works once; GET never changes anything; one decision whatever the channel."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from itsdangerous import TimestampSigner

from bot.app import create_app
from bot.web import auth
from bot.web.links import SignedLinks
from models.audit import AuditLog
from models.decisions import cancel
from models.org import RequestType, Vehicle
from models.outbox import OutboxMessage
from models.requests import (
    NewRequest,
    Request,
    RequestStatus,
    create_request,
    get_request,
    ordered_steps,
)
from models.seed import seed_org
from nlp import Nlu
from settings import Settings
from tests.bot.test_app import ORG, post, settle
from tests.bot.test_auth import sign_in
from tests.bot.wecomsim import WeComSim
from tests.fakewecom import FakeWeCom

ClientFactory = Callable[..., Awaitable[TestClient]]
CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def csrf_token(app: web.Application, userid: str) -> str:
    return auth.csrf_token(SimpleNamespace(app=app), userid)  # type: ignore[arg-type]


@pytest.fixture
async def client(db: str, aiohttp_client: ClientFactory, wecom_settings: Settings,
                 shared_nlu: Nlu) -> TestClient:
    assert (await seed_org(ORG)).ok
    return await aiohttp_client(create_app(wecom_settings, manage_db=False, nlu=shared_nlu))


@pytest.fixture
def links(wecom_settings: Settings) -> SignedLinks:
    return SignedLinks(wecom_settings)


async def booking(now: datetime | None = None) -> Request:
    """A pending vehicle booking: 李处 (dept head) then 王科 (fleet manager) approve."""
    from zoneinfo import ZoneInfo

    now = now or datetime.now(ZoneInfo("Asia/Shanghai"))
    vehicle = await Vehicle.get(plate="沪A12345").prefetch_related("driver")
    start = (now + timedelta(days=1)).replace(hour=14, minute=0, second=0, microsecond=0)
    created = await create_request(NewRequest(
        type=RequestType.VEHICLE_BOOKING, applicant="zhangsan", start=start,
        end=start + timedelta(hours=2), vehicle_id=vehicle.id, driver=vehicle.driver.userid,
        details={"origin": "局机关", "destination": "浦东机场", "passengers": 2, "purpose": "接外宾"},
    ), now, "wecom")
    request = await get_request(created.no)
    assert request is not None
    return request


def path_of(links: SignedLinks, request: Request, seq: int = 1, approver: str | None = None) -> str:
    step = ordered_steps(request)[seq - 1]
    url = links.approve_url(request.no, step.id, approver or step.approver.userid)
    return "/" + url.split("/", 3)[3]


async def page(client: TestClient, path: str) -> tuple[int, str]:
    resp = await client.get(path, allow_redirects=False)
    return resp.status, await resp.text()


async def submit(client: TestClient, path: str, action: str, comment: str = "",
                 csrf: str | None = None) -> tuple[int, str]:
    if csrf is None:
        status, html = await page(client, path)
        assert status == 200, html
        found = CSRF_RE.search(html)
        assert found, "no form on the page"
        csrf = found.group(1)
    resp = await client.post(path, data={"csrf": csrf, "action": action, "comment": comment},
                             allow_redirects=False)
    return resp.status, await resp.text()


async def decisions(no: int) -> list[tuple[str | None, str | None, str | None]]:
    request = await get_request(no)
    assert request is not None
    return [(s.decision, s.comment, s.channel) for s in ordered_steps(request)]


async def unchanged(no: int) -> None:
    request = await get_request(no)
    assert request is not None and request.status is RequestStatus.PENDING
    assert await decisions(no) == [(None, None, None), (None, None, None)]
    assert not await AuditLog.filter(action__in=["approve", "reject"]).exists()


async def test_get_shows_the_request_and_the_form_and_changes_nothing(
    client: TestClient, fake_wecom: FakeWeCom, links: SignedLinks
) -> None:
    request = await booking()
    path = path_of(links, request)
    assert await sign_in(client, fake_wecom, "lichu", path) == path
    for _ in range(2):
        status, html = await page(client, path)
        assert status == 200
        assert '<form method="post"' in html and "<script" not in html
        assert 'name="action" value="approve"' in html and 'name="action" value="reject"' in html
        assert re.search(r'<textarea[^>]* name="comment"', html)
        assert "用车申请 #1001" in html and "张三（办公室）" in html and "浦东机场" in html
        assert "部门负责人 李处：审批中" in html and "车辆管理 王科：待审批" in html
        assert "<dt>事由</dt><dd>接外宾</dd>" in html  # what the approver decides on
    resp = await client.get(path)
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Cache-Control"] == "no-store"
    await unchanged(1001)
    assert not await OutboxMessage.exists()


async def test_approve_by_link(client: TestClient, fake_wecom: FakeWeCom,
                               links: SignedLinks, wecom_settings: Settings) -> None:
    request = await booking()
    path = path_of(links, request)
    await sign_in(client, fake_wecom, "lichu", path)
    status, html = await submit(client, path, "approve")
    assert status == 200, html
    assert "已同意 #1001，已转王科审批。" in html
    assert await decisions(1001) == [("approve", None, "web"), (None, None, None)]
    # The next approver gets a card whose link opens the page for the second step.
    sent = await fake_wecom.wait_sent(2)
    card = next(m for m in sent if m.touser == "wangke")
    assert card.msgtype == "template_card" and card.content["card_type"] == "button_interaction"
    second = ordered_steps(request)[1].id
    assert card.content["task_id"] == f"req1001s{second}"
    url = card.content["card_action"]["url"]
    assert url.startswith(f"{wecom_settings.public_base_url}/approve/")
    assert links.read_approve_token(url.rsplit("/", 1)[1]) == {"n": 1001, "s": second, "a": "wangke"}
    # who approved when, and what is still needed
    chain = card.content["quote_area"]["quote_text"].split("\n")
    assert re.fullmatch(r"部门负责人 李处 已同意 \d\d-\d\d \d\d:\d\d", chain[0])
    assert chain[1] == "车辆管理 王科 审批中"
    told = next(m for m in sent if m.touser == "zhangsan")
    assert "已由李处同意，现等待王科审批" in told.text


async def test_reject_by_link_with_a_reason(client: TestClient, fake_wecom: FakeWeCom,
                                            links: SignedLinks) -> None:
    request = await booking()
    path = path_of(links, request)
    await sign_in(client, fake_wecom, "lichu", path)
    status, html = await submit(client, path, "reject", "  当天有全局会议 <b>  ")
    assert status == 200
    assert "已驳回 #1001（理由：当天有全局会议 &lt;b&gt;），已通知张三。" in html
    assert await decisions(1001) == [("reject", "当天有全局会议 <b>", "web"), (None, None, None)]
    assert (await get_request(1001)).status is RequestStatus.REJECTED  # type: ignore[union-attr]
    [told] = (await fake_wecom.wait_sent(1))
    assert told.touser == "zhangsan" and "理由：当天有全局会议 <b>" in told.text


async def test_a_link_works_once(client: TestClient, fake_wecom: FakeWeCom,
                                 links: SignedLinks) -> None:
    request = await booking()
    path = path_of(links, request)
    await sign_in(client, fake_wecom, "lichu", path)
    status, html = await page(client, path)
    csrf = CSRF_RE.search(html).group(1)  # type: ignore[union-attr]
    assert (await submit(client, path, "approve", csrf=csrf))[0] == 200
    # The same form sent again (a double tap, the back button): refused, nothing changes.
    status, html = await submit(client, path, "reject", "改主意了", csrf=csrf)
    assert status == 409 and "已审批过" in html
    status, html = await page(client, path)
    assert status == 200 and "<form" not in html and "已经审批过（已同意）" in html
    assert await decisions(1001) == [("approve", None, "web"), (None, None, None)]
    assert await AuditLog.filter(action__in=["approve", "reject"]).count() == 1


async def test_tampered_links_are_refused(client: TestClient, fake_wecom: FakeWeCom,
                                          links: SignedLinks, wecom_settings: Settings) -> None:
    from dataclasses import replace

    request = await booking()
    path = path_of(links, request)
    await sign_in(client, fake_wecom, "lichu", path)
    payload, stamp, sig = path.removeprefix("/approve/").split(".")
    other = path_of(links, request, seq=2).removeprefix("/approve/").split(".")[0]
    forged = [
        f"/approve/{other}.{stamp}.{sig}",  # another step's payload under this signature
        f"/approve/{payload}.{stamp}.{sig[:-2]}xx",
        "/approve/" + SignedLinks(replace(wecom_settings, secret_key="another-key-0123456789"))
        .approve_token(1001, ordered_steps(request)[0].id, "lichu"),
        "/approve/garbage",
    ]
    for bad in forged:
        status, html = await page(client, bad)
        assert status == 400 and "链接无效" in html, bad
        resp = await client.post(bad, data={"action": "approve"}, allow_redirects=False)
        assert resp.status == 400
    await unchanged(1001)


async def test_someone_else_cannot_use_a_forwarded_link(
    client: TestClient, fake_wecom: FakeWeCom, links: SignedLinks
) -> None:
    request = await booking()
    path = path_of(links, request)
    await sign_in(client, fake_wecom, "wuli", path)
    status, html = await page(client, path)
    assert status == 403 and "此链接仅限审批人本人使用" in html and "浦东机场" not in html
    # Even the request's next approver cannot use the first approver's link.
    client.session.cookie_jar.clear()
    await sign_in(client, fake_wecom, "wangke", path)
    status, html = await page(client, path)
    assert status == 403 and "此链接仅限审批人本人使用" in html
    status, html = await page(client, path_of(links, request, seq=2))  # his own, not yet due
    assert status == 200 and "<form" not in html and "现在等待李处审批" in html
    csrf = csrf_token(client.app, "wangke")  # a valid form token of his session
    status, html = await submit(client, path, "approve", csrf=csrf)
    assert status == 403 and "此链接仅限审批人本人使用" in html
    await unchanged(1001)


async def test_a_link_signed_for_another_user_is_theirs_only(
    client: TestClient, fake_wecom: FakeWeCom, links: SignedLinks
) -> None:
    """A token naming wuli for lichu's step: signed, but wuli is not that step's approver."""
    request = await booking()
    path = path_of(links, request, approver="wuli")
    await sign_in(client, fake_wecom, "wuli", path)
    status, html = await submit(client, path, "approve")
    assert status == 403 and "不是 #1001 当前的审批人" in html
    await unchanged(1001)


async def test_expired_link(client: TestClient, fake_wecom: FakeWeCom, links: SignedLinks,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    request = await booking()
    with monkeypatch.context() as m:  # signed 72 h and a minute ago
        m.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 72 * 3600 - 60)
        old = path_of(links, request)
    fresh = path_of(links, request)
    await sign_in(client, fake_wecom, "lichu", fresh)
    status, html = await page(client, old)
    assert status == 410 and "链接已过期" in html
    resp = await client.post(old, data={"action": "approve"}, allow_redirects=False)
    assert resp.status == 410
    await unchanged(1001)


async def test_without_session_oauth_first_and_nothing_changes(
    client: TestClient, links: SignedLinks, wecom_settings: Settings
) -> None:
    request = await booking()
    path = path_of(links, request)
    for method in ("GET", "POST"):
        resp = await client.request(method, path, data={"action": "approve"}, allow_redirects=False)
        assert resp.status == 302
        assert resp.headers["Location"].startswith(wecom_settings.oauth_url)
    await unchanged(1001)


async def test_post_needs_the_csrf_token_and_an_action(
    client: TestClient, fake_wecom: FakeWeCom, links: SignedLinks
) -> None:
    request = await booking()
    path = path_of(links, request)
    await sign_in(client, fake_wecom, "lichu", path)
    resp = await client.post(path, data={"action": "approve"}, allow_redirects=False)
    assert resp.status == 403 and "页面已过期" in await resp.text()
    status, _ = await submit(client, path, "approve", csrf="0" * 32)
    assert status == 403
    status, _ = await submit(client, path, "delete")
    assert status == 400
    await unchanged(1001)


async def test_link_of_a_withdrawn_request(client: TestClient, fake_wecom: FakeWeCom,
                                           links: SignedLinks) -> None:
    request = await booking()
    path = path_of(links, request)
    await sign_in(client, fake_wecom, "lichu", path)
    status, html = await page(client, path)
    csrf = CSRF_RE.search(html).group(1)  # type: ignore[union-attr]
    await cancel(1001, "zhangsan", datetime.now(request.created_at.tzinfo), "wecom")
    status, html = await page(client, path)
    assert status == 200 and "<form" not in html and "这件申请已取消，无需再审批" in html
    status, html = await submit(client, path, "approve", csrf=csrf)
    assert status == 409 and "已取消" in html
    assert (await get_request(1001)).status is RequestStatus.CANCELLED  # type: ignore[union-attr]


async def test_link_and_card_at_once_make_one_decision(
    client: TestClient, fake_wecom: FakeWeCom, links: SignedLinks, sim: WeComSim
) -> None:
    """The approver taps 同意 on the card and submits 驳回 on the page at the same moment."""
    request = await booking()
    path = path_of(links, request)
    first = ordered_steps(request)[0].id
    await sign_in(client, fake_wecom, "lichu", path)
    status, html = await page(client, path)
    csrf = CSRF_RE.search(html).group(1)  # type: ignore[union-attr]
    event = sim.event("lichu", "template_card_event", {
        "EventKey": f"approve:1001:{first}", "TaskId": f"req1001s{first}",
        "CardType": "button_interaction", "ResponseCode": "rc-race"})
    (status, html), _ = await asyncio.gather(
        submit(client, path, "reject", "不行", csrf=csrf),
        post(client, sim, event),
    )
    await settle(client)
    assert await AuditLog.filter(action__in=["approve", "reject"]).count() == 1
    decided = [d for d in await decisions(1001) if d[0]]
    assert len(decided) == 1
    reply = await _reply_to(fake_wecom, "lichu")
    if decided[0][2] == "web":  # the page won: the card is told it was already decided
        assert status == 200 and "已驳回 #1001" in html
        assert "已处理过" in reply
        assert fake_wecom.cards[-1]["template_card"]["replace_text"] == "已驳回"
    else:  # the card won
        assert status == 409 and ("已审批过" in html or "已处理过" in html)
        assert reply.startswith("已同意 #1001")
        assert fake_wecom.cards[-1]["template_card"]["replace_text"] == "已同意"


async def _reply_to(fake: FakeWeCom, user: str) -> str:
    for _ in range(200):  # up to 10 s
        texts = [m.text for m in fake.sent_to(user) if m.msgtype == "text"]
        if texts and fake.cards:
            return texts[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no reply to {user}: {fake.sent_to(user)}; cards {fake.cards}")
