"""The demo (bot/demo/chat.py, bot/demo/standin.py, handlers/demo_history.py) in-process: the
simulator's messages through the real encrypted callback, card taps as WeCom's
template_card_event, the WeCom stand-in's API and OAuth page, the SSE stream, and the
history seeded once. The browser drives the same thing in tests/e2e."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.demo.chat import DEMO_ORG, DevChatHub, build_demo_app, demo_settings
from bot.demo.standin import OAUTH_PATH, SIMULATOR_COOKIE
from handlers.demo_history import seed_history
from models import stats
from models.requests import Request, RequestStatus
from models.seed import seed_org
from nlp import Nlu
from settings import Settings
from tests.conftest import TZ

Factory = Callable[..., Awaitable[Any]]
API = "/dev/wecom/cgi-bin/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_settings_point_wecom_at_the_stand_in() -> None:
    s = demo_settings(Settings(port=18123))
    assert s.demo and s.redis_url is None
    assert s.public_base_url == "http://127.0.0.1:18123"
    assert s.api_base == "http://127.0.0.1:18123/dev/wecom/cgi-bin/"
    assert s.oauth_url == "http://127.0.0.1:18123" + OAUTH_PATH
    assert len(s.aes_key) == 43 and len(s.secret_key) >= 16 and s.admin_token
    s.require_serve()  # the made-up credentials are valid ones
    given = demo_settings(Settings(public_base_url="https://demo.example.org", admin_token="t" * 20))
    assert given.public_base_url == "https://demo.example.org" and given.admin_token == "t" * 20


async def test_history_is_seeded_once_and_feeds_the_dashboard(db: str) -> None:
    assert (await seed_org(DEMO_ORG)).ok
    now = datetime.now(TZ)
    made = await seed_history(now, TZ)
    assert 40 <= made <= 90
    assert await seed_history(now, TZ) == 0  # idempotent: a database with requests is left
    assert await Request.all().count() == made
    statuses = set(await Request.all().values_list("status", flat=True))
    assert {RequestStatus.COMPLETED, RequestStatus.APPROVED, RequestStatus.PENDING} <= statuses
    scope = stats.Scope((now - timedelta(days=30)).date(), (now + timedelta(days=1)).date(), TZ)
    services = {s.type: s.total for s in await stats.requests_by_service(scope)}
    assert set(services) == {"vehicle_booking", "facility_reservation", "repair_request",
                             "asset_request"}
    assert (await stats.vehicle_use(scope)).per_vehicle
    kinds = {o.kind for o in await stats.overdue(now)}
    assert {"approval", "repair_unassigned", "repair_unfinished"} <= kinds


@pytest.fixture
async def demo(db: str, aiohttp_server: Factory, aiohttp_client: Factory,
               shared_nlu: Nlu, tmp_path: Any) -> AsyncIterator[tuple[TestClient, DevChatHub, Settings]]:
    """The demo app listening on the port its settings name (the bot calls the stand-in
    and the simulator calls the callback over HTTP, as in `python main.py demo`)."""
    assert (await seed_org(DEMO_ORG)).ok
    settings = demo_settings(Settings(port=free_port(), database_url=db, data_dir=str(tmp_path)))
    app, hub = build_demo_app(settings, manage_db=False, nlu=shared_nlu)
    server = await aiohttp_server(app, port=settings.port)
    client = await aiohttp_client(server)
    yield client, hub, settings


async def wait_for(hub: DevChatHub, user: str, pred: Callable[[dict[str, Any]], bool],
                   timeout: float = 10.0) -> dict[str, Any]:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while True:
            changed = hub.changed
            found = [m for m in hub.after(user, 0) if pred(m)]
            if found:
                return found[-1]
            await changed.wait()


def says(fragment: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: m["from"] == "bot" and fragment in json.dumps(m["content"], ensure_ascii=False)


async def test_chat_and_card_tap_go_through_the_real_callback(demo: Any) -> None:
    client, hub, _ = demo
    send = "/dev/chat/api/send"
    r = await client.post(send, json={"user": "zhangsan", "text": "明天上午10点到12点用车去市政府，2人，事由：送文件"})
    assert r.status == 200 and (await r.json())["callback_status"] == 200
    await wait_for(hub, "zhangsan", says("确认"))
    await client.post(send, json={"user": "zhangsan", "text": "确认"})
    submitted = await wait_for(hub, "zhangsan", says("已提交"))
    no = submitted["content"]["content"].split("#")[1].split("：")[0]

    card = await wait_for(hub, "lichu", lambda m: m["kind"] == "template_card")
    assert f"#{no}" in card["content"]["main_title"]["title"]
    assert card["content"]["jump_list"][0]["url"].startswith("http://127.0.0.1:")
    approve = next(b["key"] for b in card["content"]["button_list"] if b["key"].startswith("approve"))
    tap = {"user": "lichu", "seq": card["seq"], "key": approve}
    r = await client.post("/dev/chat/api/tap", json=tap)
    assert r.status == 200, await r.text()
    update = await wait_for(hub, "lichu", lambda m: m["kind"] == "card_update")
    assert update["target"] == card["seq"] and update["content"]["replace_text"]
    assert hub.find("lichu", card["seq"])["content"]["replace_text"]  # type: ignore[index]
    assert (await client.post("/dev/chat/api/tap", json=tap)).status == 409  # tapped already
    await wait_for(hub, "wangke", lambda m: m["kind"] == "template_card" and f"#{no}" in str(m))
    await wait_for(hub, "zhangsan", says("已由李处同意"))


async def test_bad_simulator_input_is_400(demo: Any) -> None:
    client, _, _ = demo
    for body in ({"user": "nobody", "text": "你好"}, {"user": "zhangsan", "text": ""},
                 {"user": "zhangsan", "text": "长" * 2001}, ["zhangsan"]):
        assert (await client.post("/dev/chat/api/send", json=body)).status == 400
    assert (await client.post("/dev/chat/api/tap", json={"user": "zhangsan", "seq": "x"})).status == 400
    r = await client.post("/dev/chat/api/tap", json={"user": "zhangsan", "seq": 1, "key": "approve:1:1"})
    assert r.status == 409
    assert (await client.get("/dev/chat/api/messages?user=zhangsan&after=x")).status == 400


async def test_page_users_and_polling(demo: Any) -> None:
    client, hub, _ = demo
    page = await client.get("/dev/chat")
    html = await page.text()
    assert page.status == 200 and f'data-cookie="{SIMULATOR_COOKIE}"' in html
    script = re.search(r'<script src="(/dev/static/devchat\.js)"', html)
    assert script is not None  # the simulator's script, served with the page
    js = await client.get(script[1])
    assert js.status == 200 and "EventSource" in await js.text()
    assert js.content_type in ("application/javascript", "text/javascript")
    users = await (await client.get("/dev/chat/api/users")).json()
    assert len(users["users"]) >= 30
    assert users["featured"]["staff"] == "zhangsan" and users["featured"]["fleet_manager"] == "wangke"
    hub.deliver("lisi", "markdown", {"content": "**你好**"})
    polled = await (await client.get("/dev/chat/api/messages?user=lisi&after=0")).json()
    assert polled["messages"][-1]["kind"] == "markdown" and polled["last"]["lisi"] >= 1


async def test_sse_streams_new_messages(demo: Any) -> None:
    client, hub, _ = demo
    resp = await client.get("/dev/chat/api/stream?user=lisi&after=0")
    assert resp.headers["Content-Type"].startswith("text/event-stream")
    hub.deliver("lisi", "text", {"content": "第一条"})
    seen = ""
    async with asyncio.timeout(5):
        while "第一条" not in seen:
            seen += (await resp.content.readline()).decode()
    assert "id: " in seen
    resp.close()


async def test_stand_in_answers_like_wecom(demo: Any) -> None:
    client, hub, settings = demo
    bad = await (await client.get(API + "gettoken", params={"corpid": settings.corp_id,
                                                            "corpsecret": "wrong"})).json()
    assert bad["errcode"] == 40001
    good = await (await client.get(API + "gettoken", params={"corpid": settings.corp_id,
                                                             "corpsecret": settings.secret})).json()
    token = {"access_token": good["access_token"]}
    send = {"touser": "lisi", "msgtype": "text", "agentid": settings.agent_id,
            "text": {"content": "测试"}}
    stale = await (await client.post(API + "message/send", params={"access_token": "x"}, json=send)).json()
    assert stale["errcode"] == 40014
    ok = await (await client.post(API + "message/send", params=token, json=send)).json()
    assert ok["errcode"] == 0 and hub.after("lisi", 0)[-1]["content"] == {"content": "测试"}
    nobody = await (await client.post(API + "message/send", params=token,
                                      json={**send, "touser": "nobody"})).json()
    assert nobody["errcode"] == 81013
    update = {"userids": ["lisi"], "response_code": "unknown", "template_card": {}}
    assert (await (await client.post(API + "message/update_template_card", params=token,
                                     json=update)).json())["errcode"] == 40058
    info = await (await client.get(API + "auth/getuserinfo", params={**token, "code": "nope"})).json()
    assert info["errcode"] == 40029


async def test_demo_oauth_signs_the_admin_in_to_the_dashboard(demo: Any) -> None:
    client, _, settings = demo
    resp = await client.get("/dashboard", allow_redirects=False)
    assert resp.status == 302
    login = urlsplit(resp.headers["Location"])
    assert f"{login.scheme}://{login.netloc}{login.path}" == settings.oauth_url
    query = {k: v[0] for k, v in parse_qs(login.query).items()}
    client.session.cookie_jar.update_cookies({SIMULATOR_COOKIE: "admin"})
    page = await client.get(OAUTH_PATH, params=query)
    assert page.status == 200 and 'class="primary" name="userid" value="admin"' in await page.text()
    foreign = await client.get(OAUTH_PATH, params={**query, "redirect_uri": "https://evil.example/x"})
    assert foreign.status == 400
    chosen = await client.post(OAUTH_PATH, data={**query, "userid": "admin"}, allow_redirects=False)
    assert chosen.status == 302
    back = urlsplit(chosen.headers["Location"])
    assert back.path == "/auth/callback" and parse_qs(back.query)["state"] == [query["state"]]
    signed_in = await client.get(f"{back.path}?{back.query}", allow_redirects=False)
    assert signed_in.status == 302 and signed_in.headers["Location"] == "/dashboard"
    dashboard = await client.get("/dashboard")
    assert dashboard.status == 200 and 'id="chart-data"' in await dashboard.text()
    again = await client.get(f"{back.path}?{back.query}", allow_redirects=False)
    assert again.status == 403  # the nonce is spent (and a code works once)


async def test_simulator_is_not_there_outside_demo(aiohttp_client: Factory, settings: Settings,
                                                   shared_nlu: Nlu, db: str) -> None:
    client = await aiohttp_client(create_app(replace(settings, database_url=db),
                                             manage_db=False, nlu=shared_nlu))
    for path in ("/dev/chat", "/dev/chat/api/users", API + "gettoken", OAUTH_PATH,
                 "/dev/static/devchat.js"):
        assert (await client.get(path)).status == 404
