"""Pages learn who opened them through WeCom OAuth2 and a signed session cookie
(CONTRACT §4); the admin token is checked in constant time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.web.auth import SESSION_COOKIE, require_admin, require_user, safe_next
from models.seed import seed_org
from nlp import Nlu
from settings import Settings
from tests.fakewecom import FakeWeCom

ORG = Path(__file__).resolve().parent.parent / "models" / "org_good.yaml"
ClientFactory = Callable[..., Awaitable[TestClient]]


async def whoami(request: web.Request) -> web.Response:
    return web.Response(text=require_user(request))


async def admin_only(request: web.Request) -> web.Response:
    return web.Response(text=await require_admin(request))


@pytest.fixture
async def client(db: str, aiohttp_client: ClientFactory, wecom_settings: Settings,
                 shared_nlu: Nlu) -> TestClient:
    assert (await seed_org(ORG)).ok
    app = create_app(wecom_settings, manage_db=False, nlu=shared_nlu)
    app.router.add_get("/whoami", whoami)
    app.router.add_get("/admin-only", admin_only)
    return await aiohttp_client(app)


async def sign_in(client: TestClient, fake: FakeWeCom, userid: str, path: str = "/whoami") -> str:
    resp = await client.get(path, allow_redirects=False)
    assert resp.status == 302
    location = resp.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    code = f"code-{userid}"
    fake.add_code(code, userid)
    back = urlsplit(query["redirect_uri"][0])
    resp = await client.get(back.path, params={"code": code, "state": query["state"][0]},
                            allow_redirects=False)
    assert resp.status == 302, await resp.text()
    return resp.headers["Location"]


async def test_redirect_follows_the_contract(client: TestClient, wecom_settings: Settings) -> None:
    resp = await client.get("/whoami?x=1", allow_redirects=False)
    assert resp.status == 302
    location = resp.headers["Location"]
    assert location.startswith(wecom_settings.oauth_url + "?")
    assert location.endswith("#wechat_redirect")
    query = parse_qs(urlsplit(location.removesuffix("#wechat_redirect")).query)
    assert query["appid"] == [wecom_settings.corp_id]
    assert query["response_type"] == ["code"]
    assert query["scope"] == ["snsapi_base"]
    assert query["agentid"] == [str(wecom_settings.agent_id)]
    assert query["redirect_uri"][0].startswith(wecom_settings.public_base_url)
    assert query["state"][0]


async def test_code_gives_a_session(client: TestClient, fake_wecom: FakeWeCom) -> None:
    assert await sign_in(client, fake_wecom, "zhangsan", "/whoami?x=1") == "/whoami?x=1"
    resp = await client.get("/whoami", allow_redirects=False)
    assert resp.status == 200 and await resp.text() == "zhangsan"
    cookie = resp.cookies.get(SESSION_COOKIE) or client.session.cookie_jar.filter_cookies(
        client.make_url("/"))[SESSION_COOKIE]
    assert "zhangsan" not in cookie.value.split(".")[-1]  # signed, not a bare userid


async def test_a_code_works_once(client: TestClient, fake_wecom: FakeWeCom) -> None:
    resp = await client.get("/whoami", allow_redirects=False)
    state = parse_qs(urlsplit(resp.headers["Location"]).query)["state"][0]
    fake_wecom.add_code("once", "zhangsan")
    first = await client.get("/auth/callback", params={"code": "once", "state": state},
                             allow_redirects=False)
    assert first.status == 302
    client.session.cookie_jar.clear()
    second = await client.get("/auth/callback", params={"code": "once", "state": state},
                              allow_redirects=False)
    assert second.status == 403


async def test_tampered_state_or_cookie_is_refused(client: TestClient) -> None:
    resp = await client.get("/auth/callback", params={"code": "x", "state": "forged"},
                            allow_redirects=False)
    assert resp.status == 400
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: "eyJ1aWQiOiJqdXpoYW5nIn0.forged"})
    resp = await client.get("/whoami", allow_redirects=False)
    assert resp.status == 302  # back to OAuth, not signed in


async def test_someone_outside_the_organisation_gets_no_session(
    client: TestClient, fake_wecom: FakeWeCom
) -> None:
    resp = await client.get("/whoami", allow_redirects=False)
    state = parse_qs(urlsplit(resp.headers["Location"]).query)["state"][0]
    fake_wecom.add_code("outsider", "stranger")
    resp = await client.get("/auth/callback", params={"code": "outsider", "state": state},
                            allow_redirects=False)
    assert resp.status == 403
    assert SESSION_COOKIE not in resp.cookies


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil", ""])
def test_next_is_never_an_open_redirect(target: str) -> None:
    assert safe_next(target) == "/"


async def test_admin_by_token_or_role(client: TestClient, fake_wecom: FakeWeCom,
                                      wecom_settings: Settings) -> None:
    ok = await client.get("/admin-only", headers={"Authorization": f"Bearer {wecom_settings.admin_token}"})
    assert ok.status == 200
    bad = await client.get("/admin-only", headers={"Authorization": "Bearer wrong"})
    assert bad.status == 401
    await sign_in(client, fake_wecom, "zhangsan", "/admin-only")
    assert (await client.get("/admin-only", allow_redirects=False)).status == 403
    client.session.cookie_jar.clear()
    await sign_in(client, fake_wecom, "juzhang", "/admin-only")
    assert (await client.get("/admin-only", allow_redirects=False)).status == 200
