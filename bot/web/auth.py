"""Who is looking at a page: WeCom OAuth2, a signed session cookie, CSRF tokens, and the
admin bearer token.

    page ──no session──► 302 WECOM_OAUTH_URL?appid&redirect_uri=/auth/callback&…&state
         │                  + cookie jg_oauth = nonce (10 min); state signs next + sha256(nonce)
         ◄──────────────  /auth/callback?code&state ── nonce of this browser? ── auth/getuserinfo → userid
         ──cookie (signed, 8 h)──► the page again; jg_oauth cleared

The nonce binds the state to the browser that was sent to WeCom (login CSRF, issue 12
item 6): a link made of someone's own code and a state seen elsewhere signs nobody in
when opened in another browser. (OAuth 2.0 Security BCP, RFC 9700 §4.7.1; the state is
the CSRF token of RFC 6749 §10.12.)

(https://developer.work.weixin.qq.com/document/path/91022 and /91023: a code works once
and for 5 minutes; the redirect domain must be the app's trusted domain.)
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.keys import SETTINGS
from bot.web.templating import render
from bot.wecom.client import WECOM, WeComError, WeComUnavailable
from handlers.queries import get_user
from settings import Settings

log = logging.getLogger("bot.web.auth")

SESSION_COOKIE = "jg_session"
SESSION_SECONDS = 8 * 3600
STATE_SECONDS = 600
# The browser's half of the OAuth state. Path "/": the pages see it too, so that a second
# page opened before WeCom comes back keeps it (and the first link keeps working).
NONCE_COOKIE = "jg_oauth"
NONCE_BYTES = 32

# What the pages of the OAuth callback say (title, detail).
STATE_EXPIRED = ("登录链接已失效", "请回到企业微信重新打开页面。")
OTHER_BROWSER = ("登录未完成", "登录链接与当前浏览器不符（可能是别人转来的链接，或已经用过）。"
                 "为了您的账号安全，请回到企业微信，重新打开页面。")
NO_CODE = ("登录未完成", "请回到企业微信重新打开页面。")
WECOM_DOWN = ("暂时无法登录", "企业微信暂时无法访问，请稍后再试。")
CODE_REFUSED = ("登录未完成", "登录码无效或已使用，请回到企业微信重新打开页面。")
FORM_EXPIRED = ("表单已过期", "页面停留太久或来源不明，没有保存。请返回上一页刷新后重新提交。")
NOT_STAFF = ("无法使用", "您的账号不在本局人员名单中，如需开通请联系局办公室。")


def _serializer(settings: Settings, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=f"jgbot:{purpose}")


def session_user(request: web.Request) -> str | None:
    """The userid of the signed session cookie, if any and not expired."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(request.app[SETTINGS], "session").loads(raw, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    uid = data.get("uid") if isinstance(data, dict) else None
    return uid if isinstance(uid, str) and uid else None


def set_session(response: web.StreamResponse, settings: Settings, userid: str) -> None:
    value = _serializer(settings, "session").dumps({"uid": userid, "n": secrets.token_hex(4)})
    response.set_cookie(
        SESSION_COOKIE, value, max_age=SESSION_SECONDS, httponly=True, samesite="Lax",
        secure=_secure(settings), path="/",
    )


def _secure(settings: Settings) -> bool:
    return settings.public_base_url.startswith("https://")


def _nonce_hash(nonce: str) -> str:
    # The state shows in URLs (and may be copied from one); the nonce itself only in the cookie.
    return hashlib.sha256(nonce.encode("utf-8", "replace")).hexdigest()


def _browser_nonce(request: web.Request) -> str | None:
    """This browser's OAuth nonce, if it has a well-formed one."""
    nonce = request.cookies.get(NONCE_COOKIE, "")
    return nonce if len(nonce) == 2 * NONCE_BYTES and nonce.isascii() and nonce.isalnum() else None


def set_nonce(response: web.StreamResponse, settings: Settings, nonce: str) -> None:
    """The browser's half of the OAuth state: HttpOnly, SameSite=Lax (sent on the top-level
    navigation back from WeCom), Secure over https, for STATE_SECONDS."""
    response.set_cookie(
        NONCE_COOKIE, nonce, max_age=STATE_SECONDS, httponly=True, samesite="Lax",
        secure=_secure(settings), path="/",
    )


def clear_nonce(response: web.StreamResponse, settings: Settings) -> None:
    response.del_cookie(NONCE_COOKIE, path="/", secure=_secure(settings),
                        httponly=True, samesite="Lax")


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def login_url(settings: Settings, next_path: str, nonce: str) -> str:
    """WeCom's OAuth2 page, which comes back to /auth/callback with a code (CONTRACT §4);
    the state is signed and bound to `nonce`, the browser's cookie."""
    state = _serializer(settings, "oauth-state").dumps(
        {"next": safe_next(next_path), "nh": _nonce_hash(nonce)})
    query = urlencode({
        "appid": settings.corp_id,
        "redirect_uri": f"{settings.public_base_url}/auth/callback",
        "response_type": "code",
        "scope": "snsapi_base",
        "state": state,
        "agentid": str(settings.agent_id),
    })
    return f"{settings.oauth_url}?{query}#wechat_redirect"


def require_user(request: web.Request) -> str:
    """The signed-in userid, or a redirect through WeCom OAuth back to this page."""
    uid = session_user(request)
    if uid is None:
        settings = request.app[SETTINGS]
        # A nonce the browser already has is kept: two pages opened at once both come back.
        nonce = _browser_nonce(request) or secrets.token_hex(NONCE_BYTES)
        redirect = web.HTTPFound(login_url(settings, request.path_qs, nonce))
        set_nonce(redirect, settings, nonce)
        raise redirect
    return uid


async def oauth_callback(request: web.Request) -> web.StreamResponse:
    """WeCom comes back with `code` and our `state`: check that this browser was sent with
    that state, learn the userid, start a session."""
    settings = request.app[SETTINGS]
    code, state = request.query.get("code", ""), request.query.get("state", "")
    try:
        data = _serializer(settings, "oauth-state").loads(state, max_age=STATE_SECONDS)
    except BadSignature:
        return _login_error(request, STATE_EXPIRED, status=400)
    data = data if isinstance(data, dict) else {}
    next_path = safe_next(data.get("next"))
    expected, nonce = data.get("nh"), _browser_nonce(request)
    if (not isinstance(expected, str) or nonce is None
            or not hmac.compare_digest(_nonce_hash(nonce).encode(), expected.encode("utf-8", "replace"))):
        log.warning("oauth state not of this browser",
                    extra={"nonce_cookie": nonce is not None, "peer": request.remote})
        return _login_error(request, OTHER_BROWSER, status=403)
    if not code or len(code) > 512:
        return _login_error(request, NO_CODE, status=400)
    try:
        userid = await request.app[WECOM].get_user_info(code)
    except WeComUnavailable:
        return _login_error(request, WECOM_DOWN, status=503)
    except WeComError as e:
        log.info("oauth code refused", extra={"errcode": e.errcode})
        return _login_error(request, CODE_REFUSED, status=403)
    user = await get_user(userid)
    if user is None:
        return _login_error(request, NOT_STAFF, status=403)
    response = web.HTTPFound(next_path)
    set_session(response, settings, userid)
    clear_nonce(response, settings)
    log.info("signed in", extra={"user": userid})
    raise response


def _login_error(request: web.Request, what: tuple[str, str], *, status: int) -> web.Response:
    """The callback's error page (bot/web/templates/auth_error.html); signs nobody in."""
    return render("auth_error.html", request, {"title": what[0], "detail": what[1]},
                  status=status)


def bearer_ok(request: web.Request) -> bool:
    """`Authorization: Bearer $ADMIN_TOKEN`, compared in constant time; never when unset."""
    token = request.app[SETTINGS].admin_token
    header = request.headers.get("Authorization", "")
    if not token or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[7:].strip().encode(), token.encode())


async def require_admin(request: web.Request) -> str:
    """The admin token, or a signed-in user with the `admin` role; else 401/403 (or the
    OAuth redirect for a browser without a session)."""
    if bearer_ok(request):
        return "admin-token"
    if request.headers.get("Authorization"):
        raise web.HTTPUnauthorized(text="令牌无效，请核对 ADMIN_TOKEN。", headers={"WWW-Authenticate": "Bearer"})
    uid = require_user(request)
    user = await get_user(uid)
    if user is None or "admin" not in user.role_list:
        raise web.HTTPForbidden(text="只有管理员可以查看。")
    return uid


def csrf_token(request: web.Request, userid: str) -> str:
    """A form token bound to the signed-in user (the session cookie is SameSite=Lax too)."""
    key = request.app[SETTINGS].secret_key.encode()
    return hmac.new(key, f"csrf:{userid}".encode(), hashlib.sha256).hexdigest()[:32]


def check_csrf(request: web.Request, userid: str, token: str | None) -> None:
    # Bytes: compare_digest refuses str with non-ASCII characters (a 500, not a 403).
    given = token.encode("utf-8", "replace") if token else b""
    if not given or not hmac.compare_digest(given, csrf_token(request, userid).encode()):
        page = error_page(*FORM_EXPIRED, status=403)
        raise web.HTTPForbidden(text=page.text, content_type="text/html")


def error_page(title: str, detail: str, *, status: int) -> web.Response:
    from html import escape

    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head><body style=\"font-family:sans-serif;padding:24px\">"
        f"<h2>{escape(title)}</h2><p>{escape(detail)}</p></body></html>"
    )
    return web.Response(text=body, status=status, content_type="text/html")


def setup_auth(app: web.Application) -> None:
    app.router.add_get("/auth/callback", oauth_callback)
