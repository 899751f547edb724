"""A local stand-in for the WeCom server API (`/cgi-bin/…`) that records what it is sent.

It answers like WeCom (https://developer.work.weixin.qq.com/document/path/90313 for the
error codes): `gettoken`, `message/send`, `message/update_template_card`,
`auth/getuserinfo`, `department/list`, `user/list`, `tag/list`, `tag/get`. Tests steer it:
fail the next calls (HTTP 500, errcode -1, 45009 or a dropped connection), answer one path
with an errcode (`errors`, e.g. 60011 no privilege), revoke or expire the token, be down
for a while, answer slowly, take a message and answer after the client gave up, refuse a
recipient (81013).

Like WeCom it drops silently what exceeds 30 messages a minute to one user and what
`enable_duplicate_check` finds identical within the interval; both are counted so that
tests can assert the bot stays clear of them.

Fixtures: `fake_wecom` (the running server) and `wecom_settings` (the `settings` fixture
pointed at it). The bench starts it with `FakeWeCom().start(port=…)`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pytest
from aiohttp import web

from settings import Settings

FailMode = Literal["http500", "busy", "ratelimit", "drop"]
PER_USER_PER_MINUTE = 30  # WeCom drops the excess silently (FACTS)
UPDATABLE_CARDS = ("button_interaction", "vote_interaction", "multiple_interaction")


@dataclass
class SentMessage:
    touser: str
    msgtype: str
    content: dict[str, Any]
    body: dict[str, Any]
    at: float  # time.monotonic() on arrival

    @property
    def text(self) -> str:
        """The text of a text or markdown message, the description of a textcard."""
        return str(
            self.content.get("content") or self.content.get("description") or json.dumps(self.content, ensure_ascii=False)
        )


@dataclass
class FakeWeCom:
    corp_id: str = "wwtestcorp0001"
    secret: str = "test-secret"
    agent_id: int = 1000002
    expires_in: int = 7200

    base_url: str = ""
    sent: list[SentMessage] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)  # accepted card updates
    refused_cards: list[dict[str, Any]] = field(default_factory=list)  # spent or foreign code
    token_calls: int = 0
    calls: list[str] = field(default_factory=list)  # path of every call, in order
    dropped_rate_limited: list[SentMessage] = field(default_factory=list)
    dropped_duplicates: list[SentMessage] = field(default_factory=list)
    invalid_users: set[str] = field(default_factory=set)
    departments: list[dict[str, Any]] = field(default_factory=list)
    users: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # department → members
    tags: dict[int, dict[str, Any]] = field(default_factory=dict)  # tagid → {tagname, userlist, partylist}
    errors: dict[str, int] = field(default_factory=dict)  # path (e.g. "user/list") → errcode
    delay: float = 0.0  # seconds before each answer
    # message/send: the next `late_answers` sends are taken (delivered to the user) and
    # answered only after `late_by` seconds — a client that times out cannot tell.
    late_answers: int = 0
    late_by: float = 0.0
    refuse_new_tokens: int = 0  # errcode that tokens issued from now on get (0: good tokens)
    # Called with each message accepted by message/send (the bench timestamps replies).
    on_sent: Callable[[SentMessage], None] | None = None

    def __post_init__(self) -> None:
        self._tokens: dict[str, int] = {}  # valid token → errcode to answer (0 = good)
        self._token_serial = 0
        self._fail: deque[FailMode] = deque()
        self._down_until = 0.0
        self._codes: dict[str, str] = {}
        self._per_user: dict[str, deque[float]] = defaultdict(deque)
        self._recent: dict[tuple[str, str], float] = {}
        self._sent_event = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._card_codes: dict[str, str] = {}  # response_code of a sent card → its user
        self._spent_codes: set[str] = set()

    # --- controls ----------------------------------------------------------------------

    def fail_next(self, n: int = 1, mode: FailMode = "http500") -> None:
        """The next `n` calls (any path) fail: HTTP 500, errcode -1 (busy), 45009 or a
        dropped connection."""
        self._fail.extend([mode] * n)

    def revoke_token(self, errcode: int = 40014) -> None:
        """Every token issued so far is refused with `errcode` (40014 revoked, 42001 expired)."""
        for token in self._tokens:
            self._tokens[token] = errcode

    def down_for(self, seconds: float) -> None:
        """Drop every connection for `seconds` (WeCom unreachable)."""
        self._down_until = time.monotonic() + seconds

    def up(self) -> None:
        self._down_until = 0.0
        self._fail.clear()

    def add_code(self, code: str, user_id: str) -> None:
        """An OAuth2 code that `auth/getuserinfo` turns into `user_id`, once."""
        self._codes[code] = user_id

    def time_passes(self, seconds: float) -> None:
        """As if `seconds` had passed for the duplicate check (what was sent is older)."""
        self._recent = {k: at - seconds for k, at in self._recent.items()}

    def sent_to(self, user_id: str) -> list[SentMessage]:
        return [m for m in self.sent if m.touser == user_id]

    async def wait_sent(self, n: int, timeout: float = 5.0) -> list[SentMessage]:  # noqa: ASYNC109 - a test helper that fails with a count
        """Wait until at least `n` messages were accepted; AssertionError after `timeout`."""
        try:
            async with asyncio.timeout(timeout):
                while len(self.sent) < n:
                    self._sent_event.clear()
                    await self._sent_event.wait()
        except TimeoutError:
            raise AssertionError(f"fake WeCom: {len(self.sent)} messages sent, expected {n}") from None
        return self.sent

    # --- server ------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        r = app.router
        r.add_get("/cgi-bin/gettoken", self._gettoken)
        r.add_post("/cgi-bin/message/send", self._send)
        r.add_post("/cgi-bin/message/update_template_card", self._update_card)
        r.add_get("/cgi-bin/auth/getuserinfo", self._getuserinfo)
        r.add_get("/cgi-bin/department/list", self._department_list)
        r.add_get("/cgi-bin/user/list", self._user_list)
        r.add_get("/cgi-bin/tag/list", self._tag_list)
        r.add_get("/cgi-bin/tag/get", self._tag_get)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0][1]
        self.base_url = f"http://{host}:{bound}/cgi-bin/"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- handlers ----------------------------------------------------------------------

    async def _prelude(self, request: web.Request) -> web.StreamResponse | None:
        """Delay, downtime and injected failures; a response (or a dropped connection)
        replaces the real answer."""
        self.calls.append(request.path.removeprefix("/cgi-bin/"))
        if self.delay:
            await asyncio.sleep(self.delay)
        if time.monotonic() < self._down_until:
            return _drop(request)
        if self._fail:
            mode = self._fail.popleft()
            if mode == "drop":
                return _drop(request)
            if mode == "http500":
                return web.Response(status=500, text="internal error")
            if mode == "busy":
                return _err(-1, "system busy")
            return _err(45009, "api freq out of limit")
        errcode = self.errors.get(request.path.removeprefix("/cgi-bin/"))
        if errcode:
            return _err(errcode, "no privilege to access/modify contact/party/agent" if errcode == 60011 else "error")
        return None

    def _check_token(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token", "")
        if not token:
            return _err(41001, "access_token missing")
        errcode = self._tokens.get(token)
        if errcode is None:
            return _err(40014, "invalid access_token")
        if errcode:
            return _err(errcode, "access_token expired" if errcode == 42001 else "invalid access_token")
        return None

    async def _gettoken(self, request: web.Request) -> web.StreamResponse:
        if (early := await self._prelude(request)) is not None:
            return early
        self.token_calls += 1
        if request.query.get("corpid") != self.corp_id:
            return _err(40013, "invalid corpid")
        if request.query.get("corpsecret") != self.secret:
            return _err(40001, "invalid credential")
        self._token_serial += 1
        token = f"fake-token-{self._token_serial}-{time.monotonic_ns()}"
        self._tokens[token] = self.refuse_new_tokens
        return web.json_response(
            {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.expires_in}
        )

    async def _json(self, request: web.Request) -> dict[str, Any] | None:
        try:
            body = await request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    async def _send(self, request: web.Request) -> web.StreamResponse:
        if (early := await self._prelude(request)) is not None:
            return early
        if (refused := self._check_token(request)) is not None:
            return refused
        body = await self._json(request)
        if body is None:
            return _err(47001, "data format error")
        if body.get("agentid") != self.agent_id:
            return _err(40056, "invalid agentid")
        kind = body.get("msgtype")
        touser = body.get("touser")
        if not isinstance(kind, str) or not isinstance(body.get(kind), dict):
            return _err(41002 if not kind else 44004, "missing or empty content")
        if not isinstance(touser, str) or not touser or touser in self.invalid_users:
            return _err(81013, "user & party & tag all invalid")
        msg = SentMessage(touser, kind, body[kind], body, time.monotonic())
        if self._is_duplicate(msg) or self._over_rate(msg):
            return _ok()
        self.sent.append(msg)
        self._sent_event.set()
        if self.on_sent is not None:
            self.on_sent(msg)
        if self.late_answers > 0:
            self.late_answers -= 1
            await asyncio.sleep(self.late_by)
        extra: dict[str, str] = {}
        if kind == "template_card" and body[kind].get("card_type") in UPDATABLE_CARDS:
            # WeCom answers a button (vote, multi-select) card's send with a response_code
            # that updates it once, within 72 h.
            code = f"send-rc-{len(self.sent)}-{time.monotonic_ns()}"
            self._card_codes[code] = touser
            extra["response_code"] = code
        return _ok(msgid=f"msg{len(self.sent)}", **extra)

    def _is_duplicate(self, msg: SentMessage) -> bool:
        if not msg.body.get("enable_duplicate_check"):
            return False
        interval = float(msg.body.get("duplicate_check_interval", 1800))
        key = (msg.touser, json.dumps([msg.msgtype, msg.content], sort_keys=True, ensure_ascii=False))
        last = self._recent.get(key)
        self._recent[key] = msg.at
        if last is not None and msg.at - last < interval:
            self.dropped_duplicates.append(msg)
            return True
        return False

    def _over_rate(self, msg: SentMessage) -> bool:
        window = self._per_user[msg.touser]
        while window and msg.at - window[0] >= 60:
            window.popleft()
        if len(window) >= PER_USER_PER_MINUTE:
            self.dropped_rate_limited.append(msg)
            return True
        window.append(msg.at)
        return False

    async def _update_card(self, request: web.Request) -> web.StreamResponse:
        if (early := await self._prelude(request)) is not None:
            return early
        if (refused := self._check_token(request)) is not None:
            return refused
        body = await self._json(request)
        if body is None or not body.get("response_code") or not isinstance(body.get("userids"), list):
            return _err(40058, "invalid parameter")
        code = str(body["response_code"])
        # A code works once; one from a send works for the card that send delivered. Codes
        # the fake did not issue stand for a tap's ResponseCode (the tests write taps).
        if code in self._spent_codes or (
                code in self._card_codes and self._card_codes[code] not in body["userids"]):
            self.refused_cards.append(body)
            return _err(40058, "invalid response_code")
        self._spent_codes.add(code)
        self.cards.append(body)
        return _ok()

    async def _getuserinfo(self, request: web.Request) -> web.StreamResponse:
        if (early := await self._prelude(request)) is not None:
            return early
        if (refused := self._check_token(request)) is not None:
            return refused
        user_id = self._codes.pop(request.query.get("code", ""), None)
        if user_id is None:
            return _err(40029, "invalid code")
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": user_id})

    async def _department_list(self, request: web.Request) -> web.StreamResponse:
        if (early := await self._prelude(request)) is not None:
            return early
        if (refused := self._check_token(request)) is not None:
            return refused
        return web.json_response({"errcode": 0, "errmsg": "ok", "department": self.departments})

    async def _user_list(self, request: web.Request) -> web.StreamResponse:
        if (early := await self._prelude(request)) is not None:
            return early
        if (refused := self._check_token(request)) is not None:
            return refused
        try:
            dept = int(request.query.get("department_id", ""))
        except ValueError:
            return _err(40058, "invalid department_id")
        if dept not in self.users and dept not in {d["id"] for d in self.departments}:
            return _err(60003, "department not found")
        depts = [dept]
        if request.query.get("fetch_child") == "1":  # the department's whole subtree
            for d in depts:
                depts.extend(c["id"] for c in self.departments if c.get("parentid") == d)
        members: dict[str, dict[str, Any]] = {}
        for d in depts:
            for u in self.users.get(d, []):
                members.setdefault(u["userid"], u)
        return web.json_response({"errcode": 0, "errmsg": "ok", "userlist": list(members.values())})

    async def _tag_list(self, request: web.Request) -> web.StreamResponse:
        if (early := await self._prelude(request)) is not None:
            return early
        if (refused := self._check_token(request)) is not None:
            return refused
        taglist = [{"tagid": i, "tagname": t["tagname"]} for i, t in sorted(self.tags.items())]
        return web.json_response({"errcode": 0, "errmsg": "ok", "taglist": taglist})

    async def _tag_get(self, request: web.Request) -> web.StreamResponse:
        if (early := await self._prelude(request)) is not None:
            return early
        if (refused := self._check_token(request)) is not None:
            return refused
        try:
            tag = self.tags[int(request.query.get("tagid", ""))]
        except (ValueError, KeyError):
            return _err(40068, "invalid tagid")
        return web.json_response({"errcode": 0, "errmsg": "ok", "tagname": tag["tagname"],
                                  "userlist": tag.get("userlist", []), "partylist": tag.get("partylist", [])})


def _ok(**extra: Any) -> web.Response:
    return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": "", **extra})


def _err(errcode: int, errmsg: str) -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg})


def _drop(request: web.Request) -> web.Response:
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=503)


@pytest.fixture
async def fake_wecom(settings: Settings) -> AsyncIterator[FakeWeCom]:
    """The fake WeCom API on 127.0.0.1 (ephemeral port) for the corp, secret and agent of
    the `settings` fixture; `.base_url` ends in /cgi-bin/."""
    fake = FakeWeCom(corp_id=settings.corp_id, secret=settings.secret, agent_id=settings.agent_id)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def wecom_settings(settings: Settings, fake_wecom: FakeWeCom) -> Settings:
    """The `settings` fixture with `api_base` pointing at the fake WeCom API."""
    return replace(settings, api_base=fake_wecom.base_url)
