"""Pages learn who opened them through WeCom OAuth2 and a signed session cookie
(CONTRACT §4); the admin token is checked in constant time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import ClientSession, CookieJar, web
from aiohttp.test_utils import TestClient
from itsdangerous import URLSafeTimedSerializer

from bot.app import create_app
from bot.web.auth import (
    NONCE_COOKIE,
    SESSION_COOKIE,
    STATE_SECONDS,
    require_admin,
    require_user,
    safe_next,
)
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


async def login_state(client: TestClient, path: str = "/whoami") -> str:
    """The state of the redirect to WeCom (this browser gets its nonce cookie with it)."""
    resp = await client.get(path, allow_redirects=False)
    assert resp.status == 302
    return parse_qs(urlsplit(resp.headers["Location"]).query)["state"][0]


async def test_a_code_works_once(client: TestClient, fake_wecom: FakeWeCom) -> None:
    fake_wecom.add_code("once", "zhangsan")
    first = await client.get("/auth/callback", params={"code": "once", "state": await login_state(client)},
                             allow_redirects=False)
    assert first.status == 302
    client.session.cookie_jar.clear()
    second = await client.get("/auth/callback", params={"code": "once", "state": await login_state(client)},
                              allow_redirects=False)
    assert second.status == 403
    assert "登录码无效或已使用" in await second.text()


# --- login CSRF (issue 12, item 6): the state is bound to the browser sent to WeCom ------


def other_browser(client: TestClient) -> ClientSession:
    """A second browser on the same site: its own cookie jar."""
    return ClientSession(base_url=client.make_url("/"), cookie_jar=CookieJar(unsafe=True))


def nonce_cookie(client: TestClient) -> str | None:
    for cookie in client.session.cookie_jar:
        if cookie.key == NONCE_COOKIE:
            return cookie.value
    return None


async def test_an_attackers_code_and_state_sign_nobody_in_elsewhere(
    client: TestClient, fake_wecom: FakeWeCom
) -> None:
    """The attacker takes a state (here: from their own browser, as from a shared link) and
    their own code, and makes the victim's browser open the callback with them: refused,
    whether the victim's browser has no nonce or one of its own."""
    async with other_browser(client) as attacker:
        resp = await attacker.get("/whoami", allow_redirects=False)
        attackers_state = parse_qs(urlsplit(resp.headers["Location"]).query)["state"][0]
    calls_before = list(fake_wecom.calls)
    for victim_has_own_nonce in (False, True):
        client.session.cookie_jar.clear()
        if victim_has_own_nonce:
            await login_state(client)  # the victim opened a page too: a nonce of their own
            assert nonce_cookie(client)
        fake_wecom.add_code("attackers-code", "wuli")
        resp = await client.get("/auth/callback",
                                params={"code": "attackers-code", "state": attackers_state},
                                allow_redirects=False)
        assert resp.status == 403
        page = await resp.text()
        assert "请回到企业微信" in page and "重新打开页面" in page
        assert page.startswith("<!doctype html>") and '<html lang="zh-CN">' in page
        assert SESSION_COOKIE not in resp.cookies
        assert (await client.get("/whoami", allow_redirects=False)).status == 302  # not signed in
    assert fake_wecom.calls == calls_before  # the code was never even tried


async def test_a_state_without_a_nonce_is_refused(client: TestClient, fake_wecom: FakeWeCom,
                                                  wecom_settings: Settings) -> None:
    await login_state(client)  # the browser has a nonce cookie
    old_style = URLSafeTimedSerializer(wecom_settings.secret_key, salt="jgbot:oauth-state").dumps(
        {"next": "/whoami"})
    fake_wecom.add_code("c1", "zhangsan")
    resp = await client.get("/auth/callback", params={"code": "c1", "state": old_style},
                            allow_redirects=False)
    assert resp.status == 403 and SESSION_COOKIE not in resp.cookies


async def test_the_nonce_cookie_and_state(client: TestClient, fake_wecom: FakeWeCom) -> None:
    resp = await client.get("/whoami", allow_redirects=False)
    morsel = resp.cookies[NONCE_COOKIE]
    assert morsel["httponly"] and morsel["samesite"] == "Lax" and not morsel["secure"]
    assert morsel["path"] == "/" and morsel["max-age"] == str(STATE_SECONDS)
    nonce = morsel.value
    assert len(nonce) == 64
    state = parse_qs(urlsplit(resp.headers["Location"]).query)["state"][0]
    assert nonce not in state  # only its hash is signed into the state
    # A second page opened before coming back keeps the nonce: the first link still works.
    await login_state(client, "/admin-only")
    assert nonce_cookie(client) == nonce
    fake_wecom.add_code("c2", "zhangsan")
    done = await client.get("/auth/callback", params={"code": "c2", "state": state},
                            allow_redirects=False)
    assert done.status == 302 and done.headers["Location"] == "/whoami"
    assert done.cookies[NONCE_COOKIE].value == ""  # spent: cleared
    assert nonce_cookie(client) is None
    # The same link again (the nonce is spent) signs nobody in anew.
    client.session.cookie_jar.clear()
    fake_wecom.add_code("c3", "zhangsan")
    again = await client.get("/auth/callback", params={"code": "c3", "state": state},
                             allow_redirects=False)
    assert again.status == 403


async def test_the_nonce_cookie_is_secure_over_https(
    db: str, aiohttp_client: ClientFactory, wecom_settings: Settings, shared_nlu: Nlu
) -> None:
    app = create_app(replace(wecom_settings, public_base_url="https://jg.example.gov.cn"),
                     manage_db=False, nlu=shared_nlu)
    app.router.add_get("/whoami", whoami)
    client = await aiohttp_client(app)
    resp = await client.get("/whoami", allow_redirects=False)
    assert resp.cookies[NONCE_COOKIE]["secure"]


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
