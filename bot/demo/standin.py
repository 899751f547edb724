"""The demo's in-process stand-in for WeCom (`python main.py demo` only): the few server
API calls the bot makes, and the OAuth2 authorize page, mounted in the bot's own app.

    /dev/wecom/cgi-bin/gettoken                       a token for the demo corp and secret
    /dev/wecom/cgi-bin/message/send                   lands in the person's simulated phone
    /dev/wecom/cgi-bin/message/update_template_card   replaces the tapped card there
    /dev/wecom/cgi-bin/auth/getuserinfo               the userid behind an OAuth code
    /dev/oauth/authorize                              "您是？" → redirect_uri?code&state

The bot talks to these through its real WeCom client (`WECOM_API_BASE` points here), so
the demo exercises the same outgoing path as production. Error codes as WeCom's
(https://developer.work.weixin.qq.com/document/path/90313); OAuth as /91022: a code works
once and for 5 minutes, the redirect must stay on the app's trusted domain (50001).
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from bot.keys import SETTINGS
from bot.web.templating import render
from handlers.labels import role_name
from handlers.queries import get_user, list_users

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

API_PREFIX = "/dev/wecom/cgi-bin/"
OAUTH_PATH = "/dev/oauth/authorize"
SIMULATOR_COOKIE = "devchat_user"  # the person picked in /dev/chat: who "holds the phone"
TOKEN_SECONDS = 7200
CODE_SECONDS = 300


class Phones(Protocol):
    """Where messages end up: the simulator's hub (bot.demo.chat.DevChatHub)."""

    def deliver(self, user_id: str, kind: str, content: Mapping[str, Any]) -> str | None:
        """Show a message; for a button card, the response_code its send returns."""
        ...

    def update_card(self, user_ids: Sequence[str], response_code: str,
                    card: Mapping[str, Any]) -> bool: ...


class DemoWeCom:
    """Tokens and OAuth codes of the stand-in; what is sent goes to `phones`."""

    def __init__(self, phones: Phones) -> None:
        self.phones = phones
        self._tokens: dict[str, float] = {}  # token → expiry (time.monotonic())
        self._codes: dict[str, tuple[str, float]] = {}  # code → (userid, expiry)

    def new_code(self, user_id: str) -> str:
        now = time.monotonic()
        self._codes = {c: v for c, v in self._codes.items() if v[1] > now}
        code = secrets.token_urlsafe(24)
        self._codes[code] = (user_id, now + CODE_SECONDS)
        return code

    def take_code(self, code: str) -> str | None:
        user_id, expires = self._codes.pop(code, ("", 0.0))
        return user_id if user_id and expires > time.monotonic() else None

    def new_token(self) -> str:
        token = secrets.token_urlsafe(32)
        self._tokens[token] = time.monotonic() + TOKEN_SECONDS
        return token

    def token_error(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token", "")
        if not token:
            return _err(41001, "access_token missing")
        expires = self._tokens.get(token)
        if expires is None:
            return _err(40014, "invalid access_token")
        if expires < time.monotonic():
            return _err(42001, "access_token expired")
        return None


DEMO_WECOM: web.AppKey[DemoWeCom] = web.AppKey("demo_wecom")


def setup_demo_wecom(app: web.Application, phones: Phones) -> DemoWeCom:
    fake = DemoWeCom(phones)
    app[DEMO_WECOM] = fake
    r = app.router
    r.add_get(API_PREFIX + "gettoken", gettoken)
    r.add_post(API_PREFIX + "message/send", message_send)
    r.add_post(API_PREFIX + "message/update_template_card", update_template_card)
    r.add_get(API_PREFIX + "auth/getuserinfo", getuserinfo)
    r.add_get(OAUTH_PATH, authorize_page)
    r.add_post(OAUTH_PATH, authorize_choose)
    return fake


def _ok(**extra: Any) -> web.Response:
    return web.json_response({"errcode": 0, "errmsg": "ok", **extra})


def _err(errcode: int, errmsg: str) -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg})


async def _body(request: web.Request) -> dict[str, Any] | None:
    try:
        data = await request.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


async def gettoken(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    if request.query.get("corpid") != settings.corp_id:
        return _err(40013, "invalid corpid")
    if request.query.get("corpsecret") != settings.secret:
        return _err(40001, "invalid credential")
    token = request.app[DEMO_WECOM].new_token()
    return _ok(access_token=token, expires_in=TOKEN_SECONDS)


async def message_send(request: web.Request) -> web.Response:
    fake = request.app[DEMO_WECOM]
    if (refused := fake.token_error(request)) is not None:
        return refused
    body = await _body(request)
    if body is None:
        return _err(47001, "data format error")
    if body.get("agentid") != request.app[SETTINGS].agent_id:
        return _err(40056, "invalid agentid")
    kind, touser = body.get("msgtype"), body.get("touser")
    if not isinstance(kind, str) or not isinstance(body.get(kind), dict):
        return _err(41002 if not kind else 44004, "missing or empty content")
    users = [u for u in str(touser or "").split("|") if u]
    known = [u for u in users if await get_user(u) is not None]
    if not known:
        return _err(81013, "user & party & tag all invalid")
    codes = [fake.phones.deliver(user, kind, body[kind]) for user in known]
    invalid = "|".join(u for u in users if u not in known)
    extra: dict[str, str] = {"response_code": codes[0]} if len(codes) == 1 and codes[0] else {}
    return _ok(invaliduser=invalid, msgid=secrets.token_hex(8), **extra)


async def update_template_card(request: web.Request) -> web.Response:
    fake = request.app[DEMO_WECOM]
    if (refused := fake.token_error(request)) is not None:
        return refused
    body = await _body(request)
    if body is None:
        return _err(47001, "data format error")
    code, userids, card = body.get("response_code"), body.get("userids"), body.get("template_card")
    if not isinstance(code, str) or not isinstance(userids, list) or not isinstance(card, dict):
        return _err(40058, "invalid parameter")
    if not fake.phones.update_card([str(u) for u in userids], code, card):
        return _err(40058, "invalid response_code")  # unknown or already used
    return _ok()


async def getuserinfo(request: web.Request) -> web.Response:
    fake = request.app[DEMO_WECOM]
    if (refused := fake.token_error(request)) is not None:
        return refused
    user_id = fake.take_code(request.query.get("code", ""))
    if user_id is None:
        return _err(40029, "invalid code")
    return _ok(userid=user_id)


# --- the OAuth2 authorize page -----------------------------------------------------------

OAUTH_PARAMS = ("appid", "redirect_uri", "response_type", "scope", "state", "agentid")


def _check(request: web.Request, params: Mapping[str, str]) -> str | None:
    """Why WeCom would refuse this authorize request, or None."""
    settings = request.app[SETTINGS]
    if params.get("appid") != settings.corp_id:
        return "appid 与企业 ID 不一致（40013）"
    redirect = params.get("redirect_uri", "")
    base = urlsplit(settings.public_base_url)
    target = urlsplit(redirect)
    if (target.scheme, target.netloc) != (base.scheme, base.netloc):
        return "redirect_uri 不在应用的可信域名内（50001）"
    if params.get("response_type") != "code" or params.get("scope") not in ("snsapi_base", "snsapi_privateinfo"):
        return "response_type 或 scope 不正确"
    return None


async def authorize_page(request: web.Request) -> web.Response:
    """"您是？": in WeCom the phone's owner is known; here the person picked in the
    simulator is offered first, and anyone else can be chosen."""
    params = {k: request.query.get(k, "") for k in OAUTH_PARAMS}
    if (why := _check(request, params)) is not None:
        return _refused(request, why)
    users = await list_users()
    current = request.cookies.get(SIMULATOR_COOKIE, "")
    return render("demo/oauth.html", request, {
        "title": "您是？",
        "refused": "",
        "action": OAUTH_PATH,
        "params": params,
        "current": next((u for u in users if u.userid == current), None),
        "users": [
            {"userid": u.userid, "name": u.name,
             "roles": "、".join(role_name(r) for r in u.role_list)}
            for u in users
        ],
    })


async def authorize_choose(request: web.Request) -> web.Response:
    """Back to `redirect_uri` with a one-time code for the chosen person, as WeCom does."""
    form = await request.post()
    params = {k: str(form.get(k, "")) for k in OAUTH_PARAMS}
    if (why := _check(request, params)) is not None:
        return _refused(request, why)
    user_id = str(form.get("userid", ""))
    if await get_user(user_id) is None:
        return _refused(request, "没有这个人。")
    code = request.app[DEMO_WECOM].new_code(user_id)
    redirect = params["redirect_uri"]
    sep = "&" if "?" in redirect else "?"
    raise web.HTTPFound(redirect + sep + urlencode({"code": code, "state": params["state"]}))


def _refused(request: web.Request, why: str) -> web.Response:
    return render("demo/oauth.html", request, {"title": "无法登录", "refused": why}, status=400)
