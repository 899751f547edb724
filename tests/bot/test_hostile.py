"""Hostile input (issue 7, item 3) and secrets (item 6), against the real application:
whatever arrives — approve-link tokens, form fields, API paths, dashboard filters,
calendar paths, organisation files — the answer is never a 5xx, nothing changes that
should not, and nothing hangs. A flood from one user is answered politely once and not
processed beyond the limit. Secrets are compared in constant time and never shown in
logs or pages; every page, error page and 404 carries the security headers.

(The callback's own bodies, queries, XML bombs, timestamps and size cap are in
test_callback.py and test_callback_fuzz.py.)
"""

from __future__ import annotations

import ast
import asyncio
import hashlib
import hmac
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import yaml
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer
from tortoise import connections

from bot.app import create_app
from bot.keys import DISPATCHER, REDIS
from bot.redisguard import BATCHES
from bot.web.calendar import calendar_sig
from bot.web.links import SignedLinks
from bot.wecom.dedup import MemoryDedup
from bot.wecom.flood import FLOOD, TOO_FAST, MemoryFloodGuard, RedisFloodGuard, Verdict
from models.org import RequestType
from models.requests import NewRequest, Request, create_request, ordered_steps
from models.seed import load_org_text, seed_org, validate_org
from nlp import Nlu
from settings import Settings
from tests.bot.conftest import Replier, callback_app, drop_keys, log_text, polite_answers
from tests.bot.wecomsim import WeComSim
from tests.conftest import REDIS_URL
from tests.drain import drained
from tests.fakewecom import FakeWeCom

ORG = Path(__file__).resolve().parent.parent / "models" / "org_good.yaml"
ROOT = Path(__file__).resolve().parent.parent.parent
ClientFactory = Callable[..., Awaitable[TestClient]]
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HANG = 5.0  # seconds: any answer slower than this is a hang


# --- the application, a signed-in user, the database's state ----------------------------


@pytest.fixture
async def app_client(
    db: str, aiohttp_client: ClientFactory, wecom_settings: Settings, shared_nlu: Nlu
) -> TestClient:
    assert (await seed_org(ORG)).ok
    return await aiohttp_client(create_app(wecom_settings, manage_db=False, nlu=shared_nlu))


def session_cookie(settings: Settings, userid: str) -> dict[str, str]:
    value = URLSafeTimedSerializer(settings.secret_key, salt="jgbot:session").dumps(
        {"uid": userid, "n": "t"})
    return {"Cookie": f"jg_session={value}"}


def csrf(settings: Settings, userid: str) -> str:
    return hmac.new(settings.secret_key.encode(), f"csrf:{userid}".encode(),
                    hashlib.sha256).hexdigest()[:32]


async def state() -> tuple[Any, ...]:
    """What any change would move: row counts, decisions, holds, the audit chain's head."""
    conn = connections.get("default")
    out = []
    for sql in (
        "SELECT COUNT(*) AS n FROM request",
        "SELECT COUNT(*) AS n FROM request WHERE status <> 'pending'",
        "SELECT COUNT(*) AS n FROM approval_step WHERE decision IS NOT NULL",
        "SELECT COUNT(*) AS n FROM hold WHERE active",
        "SELECT COUNT(*) AS n FROM audit_log",
        "SELECT COUNT(*) AS n FROM outbox_message",
        'SELECT COUNT(*) AS n FROM "user"',
        "SELECT COUNT(*) AS n FROM department",
        "SELECT COUNT(*) AS n FROM facility",
        "SELECT COUNT(*) AS n FROM vehicle",
    ):
        out.append((await conn.execute_query_dict(sql))[0]["n"])
    return tuple(out)


async def fetch(client: TestClient, method: str, path: str, **kw: Any) -> tuple[int, str]:
    if isinstance(kw.get("data"), dict):  # encoded here: aiohttp's client refuses some keys
        kw["data"] = urlencode(kw["data"], encoding="utf-8", errors="surrogatepass").encode()
        kw["headers"] = {**kw.get("headers", {}),
                         "Content-Type": "application/x-www-form-urlencoded"}
    async with asyncio.timeout(HANG):
        resp = await client.request(method, path, allow_redirects=False, **kw)
        return resp.status, await resp.text()


async def the_booking(now: Any) -> tuple[int, int, str]:
    """A vehicle booking waiting for its first approver (made on first use): (no, step id,
    approver)."""
    from datetime import timedelta

    request = await Request.first()
    if request is not None:
        await request.fetch_related("steps__approver")
        step = ordered_steps(request)[0]
        return request.no, step.id, step.approver.userid
    request = await create_request(
        NewRequest(RequestType.VEHICLE_BOOKING, "zhangsan", now + timedelta(days=1),
                   now + timedelta(days=1, hours=2), details={"destination": "虹桥机场"}),
        now, "chat")
    await request.fetch_related("steps__approver")
    step = ordered_steps(request)[0]
    return request.no, step.id, step.approver.userid


segment = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", max_size=200),
    st.from_regex(r"\d{1,25}", fullmatch=True),
    st.sampled_from(["..", ".", "%00", "%2e%2e", "'; DROP TABLE request; --", "<script>", "\x00",
                     "1001", "-1", "99999999999999999999", "eyJuIjoxMDAxfQ.x.y", "a" * 5000]),
)
values = st.one_of(
    st.text(max_size=120),
    st.sampled_from(["", "2026-11-28", "2026-02-30", "9999-12-31", "0000-00-00", "14:00", "25:61",
                     "-1", "0", "999999", "1e9", "room:mr-301", "room:nope", "type:meeting_room",
                     "type:x", "approve", "reject", "x" * 3000, "\u0000", "<b>", "明天"]),
)


def path_of(value: str) -> str:
    return quote(value, safe="")


# --- approve links -----------------------------------------------------------------------


@FUZZ
@given(token=segment, signed_in=st.booleans(), action=values, comment=values, form_csrf=values)
async def test_random_approve_tokens_never_5xx_nor_change(
    app_client: TestClient, wecom_settings: Settings, token: str, signed_in: bool,
    action: str, comment: str, form_csrf: str,
) -> None:
    headers = session_cookie(wecom_settings, "lichu") if signed_in else {}
    before = await state()
    status, _ = await fetch(app_client, "GET", f"/approve/{path_of(token)}", headers=headers)
    assert status < 500
    status, _ = await fetch(app_client, "POST", f"/approve/{path_of(token)}", headers=headers,
                            data={"action": action, "comment": comment, "csrf": form_csrf})
    assert status < 500
    assert await state() == before


@FUZZ
@given(action=values, comment=values, form_csrf=values,
       extra=st.dictionaries(values, values, max_size=3))
async def test_a_real_link_with_random_fields_changes_nothing(
    app_client: TestClient, wecom_settings: Settings, now: Any, action: str, comment: str,
    form_csrf: str, extra: dict[str, str],
) -> None:
    no, step_id, approver = await the_booking(now)
    token = SignedLinks(wecom_settings).approve_token(no, step_id, approver)
    before = await state()
    status, _ = await fetch(app_client, "POST", f"/approve/{token}",
                            headers=session_cookie(wecom_settings, approver),
                            data={**extra, "action": action, "comment": comment, "csrf": form_csrf})
    assert status < 500
    assert await state() == before


async def test_a_real_link_with_the_right_csrf_works(
    app_client: TestClient, wecom_settings: Settings, now: Any
) -> None:
    no, step_id, approver = await the_booking(now)
    token = SignedLinks(wecom_settings).approve_token(no, step_id, approver)
    before = await state()
    status, _ = await fetch(app_client, "POST", f"/approve/{token}",
                            headers=session_cookie(wecom_settings, approver),
                            data={"action": "approve", "csrf": csrf(wecom_settings, approver)})
    assert status == 200 and await state() != before


# --- forms on /m/new/* ---------------------------------------------------------------------

FORM_FIELDS = ["date", "start", "end", "end_date", "passengers", "origin", "destination", "purpose",
               "place", "attendees", "repeat_until", "equipment", "location", "category", "description"]


@FUZZ
@given(service=st.sampled_from(["vehicle", "facility", "repair"]),
       fields=st.dictionaries(st.one_of(st.sampled_from(FORM_FIELDS), st.text(max_size=10)), values,
                              max_size=8))
async def test_random_form_fields_never_5xx(
    app_client: TestClient, wecom_settings: Settings, service: str, fields: dict[str, str]
) -> None:
    """A valid session and CSRF token, anything in the fields: the form again with a
    message, or — when the values happen to make a valid request — the request."""
    headers = session_cookie(wecom_settings, "zhangsan")
    before = await state()
    data = {**fields, "csrf": csrf(wecom_settings, "zhangsan")}
    status, body = await fetch(app_client, "POST", f"/m/new/{service}", headers=headers, data=data)
    assert status < 500
    if await state() != before:
        assert status == 200 and "/m/requests/" in body  # submitted: the page says so


@FUZZ
@given(service=st.sampled_from(["vehicle", "facility", "repair"]), form_csrf=values,
       fields=st.dictionaries(st.sampled_from(FORM_FIELDS), values, max_size=6))
async def test_forms_without_the_right_csrf_change_nothing(
    app_client: TestClient, wecom_settings: Settings, service: str, form_csrf: str,
    fields: dict[str, str],
) -> None:
    before = await state()
    for headers in ({}, session_cookie(wecom_settings, "zhangsan")):
        status, _ = await fetch(app_client, "POST", f"/m/new/{service}", headers=headers,
                                data={**fields, "csrf": form_csrf})
        assert status < 500 and status != 200
    assert await state() == before


# --- API, dashboard, calendar, pages -------------------------------------------------------


@FUZZ
@given(no=segment, bearer=st.booleans(), junk=st.dictionaries(st.text(max_size=8), values, max_size=3))
async def test_random_api_paths_never_5xx(
    app_client: TestClient, wecom_settings: Settings, no: str, bearer: bool, junk: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {wecom_settings.admin_token}"} if bearer else {}
    before = await state()
    status, _ = await fetch(app_client, "GET", f"/api/v1/requests/{path_of(no)}", headers=headers,
                            params=junk)
    assert status < 500
    if not bearer:
        assert status in (401, 403, 404)  # 404: no route (an empty or slashed number)
    for path in (f"/m/requests/{path_of(no)}", f"/m/requests/{path_of(no)}/cancel"):
        status, _ = await fetch(app_client, "GET", path,
                                headers=session_cookie(wecom_settings, "zhangsan"))
        assert status < 500
    assert await state() == before


dashboard_keys = st.sampled_from(["from", "to", "department", "type", "status", "page", "sort", "x"])


@FUZZ
@given(query=st.dictionaries(dashboard_keys, values, max_size=5),
       table=st.one_of(st.sampled_from(["requests", "vehicles", "rooms", "repairs", "approvals"]), segment))
async def test_random_dashboard_filters_never_5xx(
    app_client: TestClient, wecom_settings: Settings, query: dict[str, str], table: str
) -> None:
    headers = {"Authorization": f"Bearer {wecom_settings.admin_token}"}
    before = await state()
    status, _ = await fetch(app_client, "GET", "/dashboard", headers=headers, params=query)
    assert status < 500
    status, _ = await fetch(app_client, "GET", f"/dashboard/{path_of(table)}.csv", headers=headers,
                            params=query)
    assert status < 500
    assert await state() == before


@FUZZ
@given(kind=st.sampled_from(["user", "room", "x"]), ident=segment, sig=st.one_of(values, st.just("")),
       right_sig=st.booleans())
async def test_random_calendar_paths_never_5xx(
    app_client: TestClient, wecom_settings: Settings, kind: str, ident: str, sig: str, right_sig: bool
) -> None:
    if right_sig and kind in ("user", "room"):
        sig = calendar_sig(wecom_settings, kind, ident)
    status, _ = await fetch(app_client, "GET", f"/calendar/{kind}/{path_of(ident)}.ics",
                            params={"sig": sig})
    assert status < 500


# --- organisation files --------------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=20), st.sampled_from(["staff", "dept_head", "meeting_room",
                                                            "08:00-20:00", "25:00-26:00"]))
trees = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=25)
SECTIONS = ["departments", "users", "vehicles", "facilities", "approval_rules"]
org_like = st.fixed_dictionaries({}, optional={
    "departments": st.lists(st.fixed_dictionaries({}, optional={
        "id": scalars, "name": scalars, "parent": scalars}), max_size=3),
    "users": st.lists(st.fixed_dictionaries({}, optional={
        "userid": scalars, "name": scalars, "department": scalars,
        "roles": st.one_of(trees, st.lists(scalars, max_size=3))}), max_size=3),
    "vehicles": trees, "facilities": trees,
    "approval_rules": st.one_of(trees, st.dictionaries(st.sampled_from(
        ["vehicle_booking", "repair_request", "facility_reservation", "x"]), trees, max_size=3)),
})


@FUZZ
@given(data=st.one_of(trees, org_like, st.dictionaries(st.sampled_from(SECTIONS), trees, max_size=5)))
async def test_random_org_files_never_crash_nor_half_write(app_client: TestClient, data: Any) -> None:
    problems = validate_org(data)
    assert isinstance(problems, list)
    _, text_problems = load_org_text(yaml.safe_dump(data, allow_unicode=True))
    assert isinstance(text_problems, list)
    before = await state()
    result = await seed_org(data if isinstance(data, dict) else {"x": data})
    if result.problems:
        assert await state() == before


@pytest.mark.parametrize("text", [
    "a: &a [*a]",  # a recursive alias
    "x: " + "[" * 2000,
    "!!python/object/apply:os.system ['true']",
    "departments: !!binary aGVsbG8=",
    "a: &x " + "[*x, *x, *x, " * 1 + "1]",
    "\t\x00",
    "- - - - -",
    "departments: [{id: 1, name: a, parent: null}]\nusers: [{userid: u, name: U, department: 1, roles: [staff]}]\nusers: []",
])
async def test_hostile_yaml_is_refused_cleanly(db: str, text: str, tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    async with asyncio.timeout(HANG):
        result = await seed_org(path)
    assert result.problems


async def test_yaml_billion_laughs_is_refused_quickly(db: str, tmp_path: Path) -> None:
    lol = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lol.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    path = tmp_path / "lol.yaml"
    path.write_text("\n".join(lol), encoding="utf-8")
    started = time.monotonic()
    result = await seed_org(path)
    assert result.problems and time.monotonic() - started < HANG


# --- a flood from one user ---------------------------------------------------------------


@pytest.mark.parametrize("store", ["memory", "redis"])
async def test_a_flood_is_answered_once_and_not_processed(
    store: str, aiohttp_client: ClientFactory, settings: Settings, sim: WeComSim,
    redis_client: Any, redis_prefix: str,
) -> None:
    replier = Replier()
    app = callback_app(settings, MemoryDedup(), replier)  # type: ignore[arg-type]
    if store == "redis":
        app[FLOOD] = RedisFloodGuard(redis_client, redis_prefix, limit=20)
    client = await aiohttp_client(app)
    try:
        for i in range(30):
            params, body = sim.post(sim.text("zhangsan", f"第{i}条", msg_id=str(9000 + i)))
            resp = await client.post("/wecom/callback", params=params, data=body)
            assert resp.status == 200
        params, body = sim.post(sim.text("wuli", "帮助", msg_id="9999"))
        assert (await client.post("/wecom/callback", params=params, data=body)).status == 200
        replies = await polite_answers(replier)
        texts = [m.text for m in replier.inbound if m.user_id == "zhangsan"]
        assert texts == [f"第{i}条" for i in range(20)]  # the first 20, in order; no more
        assert [m.user_id for m in replier.inbound].count("wuli") == 1  # others unaffected
        assert replies == [("zhangsan", TOO_FAST)]  # once, politely
    finally:
        await drop_keys(redis_client, redis_prefix)


async def test_the_flood_window_moves_on() -> None:
    clock = [1000.0]
    guard = MemoryFloodGuard(limit=2, window=60, clock=lambda: clock[0])
    assert [await guard.check("u") for _ in range(4)] == [
        Verdict.OK, Verdict.OK, Verdict.FIRST_OVER, Verdict.OVER]
    clock[0] += 60
    assert await guard.check("u") is Verdict.OK


async def test_a_flood_through_the_whole_service(
    db: str, aiohttp_client: ClientFactory, wecom_settings: Settings, shared_nlu: Nlu,
    fake_wecom: FakeWeCom, sim: WeComSim, redis_prefix: str, redis_client: Any,
) -> None:
    assert (await seed_org(ORG)).ok
    settings = replace(wecom_settings, redis_url=REDIS_URL, key_prefix=redis_prefix)
    client = await aiohttp_client(create_app(settings, manage_db=False, nlu=shared_nlu))
    # On the app's own client and batches, as redis_ctx builds it: dedup and count in one trip.
    client.app[FLOOD] = RedisFloodGuard(client.app[REDIS], redis_prefix, limit=3,
                                        batches=client.app[BATCHES])
    try:
        for i in range(6):
            params, body = sim.post(sim.text("zhangsan", "帮助", msg_id=str(8000 + i)))
            assert (await client.post("/wecom/callback", params=params, data=body)).status == 200
        sent = await fake_wecom.wait_sent(4)
        await drained(client.app)
        texts = [m.text for m in fake_wecom.sent_to("zhangsan")]
        assert len(texts) == 4 and texts.count(TOO_FAST) == 1, texts
        assert sent
    finally:
        await drop_keys(redis_client, redis_prefix)


# --- secrets -------------------------------------------------------------------------------

SECRET_WORD = re.compile(r"(^|_)(token|sig|signature|csrf|secret|password|aes_key|digest)s?($|_)",
                         re.I)
# Comparisons with `==`/`!=` that are not secret checks.
ALLOWED = {
    ("bot/wecom/client.py", "token"), ("bot/wecom/client.py", "_token"),  # our access token vs the one that failed
    ("bot/demo/standin.py", "secret"),  # the demo's stand-in for WeCom's own server
}


def _names(node: ast.AST) -> set[str]:
    """Names and attributes in `node`, leaving out what is only measured (`len(sig)`)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
        return set()
    out = set()
    if isinstance(node, ast.Name):
        out.add(node.id)
    elif isinstance(node, ast.Attribute):
        out.add(node.attr)
    for child in ast.iter_child_nodes(node):
        out |= _names(child)
    return out


def test_secrets_are_compared_in_constant_time() -> None:
    """No `==`/`!=` on a token, signature, CSRF token or secret anywhere in the service:
    `hmac.compare_digest` does it without leaking, through timing, how much matched."""
    found = []
    for path in sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/**/*.py"),
                        *ROOT.glob("models/**/*.py"), ROOT / "settings.py"]):
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Compare):
                continue
            if not any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
                continue
            if any(isinstance(c, ast.Constant) and c.value in ("", None) for c in node.comparators):
                continue  # emptiness checks leak nothing
            hits = {n for n in _names(node) if SECRET_WORD.search(n) and (rel, n) not in ALLOWED}
            if hits:
                found.append(f"{rel}:{node.lineno} {sorted(hits)}")
    assert not found, found


async def test_no_secret_in_logs_or_error_pages(
    app_client: TestClient, wecom_settings: Settings, sim: WeComSim, fake_wecom: FakeWeCom,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    s = wecom_settings
    bodies: list[str] = []

    async def hit(method: str, path: str, **kw: Any) -> None:
        status, body = await fetch(app_client, method, path, **kw)
        bodies.append(body)

    # The callback: verification, a message handled through WeCom (access_token), refusals.
    await hit("GET", "/wecom/callback", params=sim.verify("echo-1234567"))
    assert bodies.pop() == "echo-1234567"  # the one place it belongs: WeCom's answer
    params, body = sim.post(sim.text("zhangsan", "帮助"))
    await hit("POST", "/wecom/callback", params=params, data=body)
    await hit("POST", "/wecom/callback", params={**params, "msg_signature": "0" * 40}, data=body)
    await fake_wecom.wait_sent(1)
    # Pages and links: bad tokens, bad CSRF, the OAuth callback, a forged session.
    await hit("GET", "/approve/not-a-token")
    await hit("POST", "/m/new/repair", headers=session_cookie(s, "zhangsan"), data={"csrf": "x"})
    await hit("GET", "/auth/callback", params={"code": "c", "state": "bad"})
    await hit("GET", "/m/", headers={"Cookie": "jg_session=forged.value.sig"})
    # The admin API and dashboard with wrong and right tokens; a calendar with a bad sig.
    await hit("GET", "/api/v1/requests/1001", headers={"Authorization": "Bearer wrong-token-value"})
    await hit("GET", "/api/v1/requests/1001", headers={"Authorization": f"Bearer {s.admin_token}"})
    await hit("GET", "/dashboard", headers={"Authorization": "Bearer wrong-token-value"})
    await hit("GET", "/calendar/user/zhangsan.ics", params={"sig": "0" * 16})
    await app_client.app[DISPATCHER].join(timeout=5)

    text = log_text(caplog.records) + "\n".join(bodies)
    assert "callback refused" in text
    access_tokens = list(fake_wecom._tokens)  # what WeCom handed out for message/send
    assert access_tokens
    for secret in (s.secret, s.token, s.aes_key, s.secret_key, s.admin_token or "",
                   csrf(s, "zhangsan"), calendar_sig(s, "user", "zhangsan"), "echo-1234567",
                   *access_tokens):
        assert secret and secret not in text, secret


async def test_the_admin_api_refuses_without_the_token(
    app_client: TestClient, wecom_settings: Settings
) -> None:
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer wrong"},
                    {"Authorization": f"Basic {wecom_settings.admin_token}"},
                    {"Authorization": f"Bearer {wecom_settings.admin_token}x"}):
        status, body = await fetch(app_client, "GET", "/api/v1/requests/1001", headers=headers)
        assert status in (401, 403), headers
        assert wecom_settings.admin_token not in body
    status, _ = await fetch(app_client, "GET", "/api/v1/requests/1001",
                            headers={"Authorization": f"Bearer {wecom_settings.admin_token}"})
    assert status == 404  # the token works: there is just no such request


async def test_the_admin_api_is_off_without_a_configured_token(
    db: str, aiohttp_client: ClientFactory, wecom_settings: Settings, shared_nlu: Nlu
) -> None:
    client = await aiohttp_client(create_app(replace(wecom_settings, admin_token=None),
                                             manage_db=False, nlu=shared_nlu))
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer None"}):
        status, _ = await fetch(client, "GET", "/api/v1/requests/1001", headers=headers)
        assert status in (401, 403, 404)


@pytest.mark.parametrize(("path", "expected"), [
    ("/m/", 200),  # a page
    ("/approve/not-a-token", 400),  # an error page
    ("/no/such/page", 404),  # the router's 404
    ("/api/v1/requests/1001", 401),  # the API's refusal
    ("/healthz", 200),
])
async def test_security_headers_everywhere(
    app_client: TestClient, wecom_settings: Settings, path: str, expected: int
) -> None:
    resp = await app_client.get(path, headers=session_cookie(wecom_settings, "zhangsan"),
                                allow_redirects=False)
    assert resp.status == expected
    assert resp.headers.get("X-Content-Type-Options") == "nosniff"
    assert resp.headers.get("X-Frame-Options") == "DENY"
    assert "frame-ancestors 'none'" in resp.headers.get("Content-Security-Policy", "")
    assert resp.headers.get("Referrer-Policy") == "no-referrer"
