"""Who is looking at a page: WeCom OAuth2, a signed session cookie, CSRF tokens, and the
admin bearer token.

    page ──no session──► 302 WECOM_OAUTH_URL?appid&redirect_uri=/auth/callback&…&state
         ◄──────────────  /auth/callback?code&state ── auth/getuserinfo → userid
         ──cookie (signed, 8 h)──► the page again

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
from bot.wecom.client import WECOM, WeComError, WeComUnavailable
from models import org
from settings import Settings

log = logging.getLogger("bot.web.auth")

SESSION_COOKIE = "jg_session"
SESSION_SECONDS = 8 * 3600
STATE_SECONDS = 600


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
        secure=settings.public_base_url.startswith("https://"), path="/",
    )


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def login_url(settings: Settings, next_path: str) -> str:
    """WeCom's OAuth2 page, which comes back to /auth/callback with a code (CONTRACT §4)."""
    state = _serializer(settings, "oauth-state").dumps({"next": safe_next(next_path)})
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
        raise web.HTTPFound(login_url(request.app[SETTINGS], request.path_qs))
    return uid


async def oauth_callback(request: web.Request) -> web.StreamResponse:
    """WeCom comes back with `code` and our `state`: learn the userid, start a session."""
    settings = request.app[SETTINGS]
    code, state = request.query.get("code", ""), request.query.get("state", "")
    try:
        data = _serializer(settings, "oauth-state").loads(state, max_age=STATE_SECONDS)
        next_path = safe_next(data.get("next") if isinstance(data, dict) else None)
    except BadSignature:
        return error_page("登录链接已失效", "请回到企业微信重新打开页面。", status=400)
    if not code or len(code) > 512:
        return error_page("登录未完成", "请回到企业微信重新打开页面。", status=400)
    try:
        userid = await request.app[WECOM].get_user_info(code)
    except WeComUnavailable:
        return error_page("暂时无法登录", "企业微信暂时无法访问，请稍后再试。", status=503)
    except WeComError as e:
        log.info("oauth code refused", extra={"errcode": e.errcode})
        return error_page("登录未完成", "登录码无效或已使用，请回到企业微信重新打开页面。", status=403)
    user = await org.get_user(userid)
    if user is None:
        return error_page("无法使用", "您的账号不在本局人员名单中，如需开通请联系局办公室。", status=403)
    response = web.HTTPFound(next_path)
    set_session(response, settings, userid)
    log.info("signed in", extra={"user": userid})
    raise response


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
        raise web.HTTPUnauthorized(text="bad token", headers={"WWW-Authenticate": "Bearer"})
    uid = require_user(request)
    user = await org.get_user(uid)
    if user is None or "admin" not in user.role_list:
        raise web.HTTPForbidden(text="admins only")
    return uid


def csrf_token(request: web.Request, userid: str) -> str:
    """A form token bound to the signed-in user (the session cookie is SameSite=Lax too)."""
    key = request.app[SETTINGS].secret_key.encode()
    return hmac.new(key, f"csrf:{userid}".encode(), hashlib.sha256).hexdigest()[:32]


def check_csrf(request: web.Request, userid: str, token: str | None) -> None:
    # Bytes: compare_digest refuses str with non-ASCII characters (a 500, not a 403).
    given = token.encode("utf-8", "replace") if token else b""
    if not given or not hmac.compare_digest(given, csrf_token(request, userid).encode()):
        raise web.HTTPForbidden(text="the form expired: reload the page")


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
