"""The async WeCom server API client, on aiohttp against `WECOM_API_BASE` (CONTRACT §4).

wechatpy's own client is synchronous (`requests`) and has no lock around the token: it
must not run on the event loop. This one makes the few calls the bot needs.

The access token (https://developer.work.weixin.qq.com/document/path/91039) lives 7,200 s,
one per app secret, and `gettoken` is throttled: it is cached in Redis (TTL = expires_in
minus a margin) and refreshed once for all processes — an in-process lock, then a Redis
lock (`SET NX PX`) whose losers poll the cache. Without Redis the in-process lock alone.
On 40014/42001/42009 (revoked or expired early) the refused token is dropped and the
call made again with the next one (up to TOKEN_TRIES calls); a message is never given
up over a token.

No secret and no token is ever logged: log lines carry the API path and the errcode, and
error messages are scrubbed of `access_token=`/`corpsecret=`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from redis.exceptions import RedisError

from bot.keys import REDIS, SETTINGS
from settings import Settings

if TYPE_CHECKING:
    import redis.asyncio as aioredis

log = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=10, connect=3)
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
_to_json = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps would build one per call
TOKEN_MARGIN = 300  # seconds before WeCom's expiry that the cached token is dropped
TOKEN_MIN_TTL = 60
LOCK_LEASE_MS = 15_000  # longer than one gettoken with its timeout
LOCK_POLL = 0.05
REFRESH_WAIT = 20.0  # longest a caller waits for another process's refresh

# https://developer.work.weixin.qq.com/document/path/90313 (global error codes)
TOKEN_ERRORS = frozenset({40014, 42001, 42009})  # invalid / expired token: refetch
TOKEN_TRIES = 3  # the refused token, another process's (as stale), a fresh one
RETRYABLE_ERRORS = frozenset({-1, 45009, 45033, 45035})  # busy, rate limits
CONFIG_ERRORS = frozenset({40001, 40013, 40056, 48002, 60020, 301002})
INVALID_RECIPIENT = 81013
BAD_OAUTH_CODE = 40029

_RELEASE_IF_OURS = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_SECRET_PARAMS = re.compile(r"(access_token|corpsecret)=[^&\s'\"]*", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with the values of access_token= and corpsecret= replaced."""
    return _SECRET_PARAMS.sub(r"\1=***", text)


class WeComError(Exception):
    """WeCom answered with a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str, path: str = "") -> None:
        super().__init__(f"{path}: errcode {errcode}: {redact(errmsg)[:200]}")
        self.errcode = errcode
        self.errmsg = redact(errmsg)
        self.path = path

    @property
    def retryable(self) -> bool:
        """Busy (-1), rate limits (45009, …) and a token refused even after refetching
        pass; a bad secret or recipient does not."""
        return self.errcode in RETRYABLE_ERRORS or self.errcode in TOKEN_ERRORS


class WeComConfigError(WeComError):
    """Our configuration is wrong (bad secret 40001, corp id, IP not allowed, API not
    granted): not retryable as such, but no message is at fault either."""


class WeComInvalidRecipient(WeComError):
    """81013: the user is not a valid recipient of this app (left, or outside its scope)."""


class WeComBadCode(WeComError):
    """40029 (or no userid): the OAuth code is unknown, used or expired, or not a member."""


class WeComUnavailable(Exception):
    """Network error, timeout, HTTP 5xx or an unreadable answer: try again later."""

    retryable = True

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {redact(reason)[:200]}")
        self.path = path


def _error(errcode: int, errmsg: str, path: str) -> WeComError:
    if errcode == INVALID_RECIPIENT:
        return WeComInvalidRecipient(errcode, errmsg, path)
    if errcode == BAD_OAUTH_CODE:
        return WeComBadCode(errcode, errmsg, path)
    if errcode in CONFIG_ERRORS:
        return WeComConfigError(errcode, errmsg, path)
    return WeComError(errcode, errmsg, path)


class WeComClient:
    """The calls the bot makes; one per process, sharing the token through Redis."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        settings: Settings,
        redis: aioredis.Redis | None = None,
        *,
        timeout: aiohttp.ClientTimeout = TIMEOUT,
    ) -> None:
        self._session = session
        self._timeout = timeout
        self._settings = settings
        self._redis = redis
        self._base = settings.api_base if settings.api_base.endswith("/") else settings.api_base + "/"
        self._token_key = f"{settings.key_prefix}wecom:token:{settings.corp_id}:{settings.agent_id}"
        self._lock = asyncio.Lock()
        self._token = ""
        self._token_expires = 0.0  # time.monotonic() after which the memo is not used

    # --- token -------------------------------------------------------------------------

    async def get_token(self, force: bool = False, *, stale: str | None = None) -> str:
        """The access token, from memory, Redis or `gettoken`, in that order.

        `force` drops the cached token. `stale` is the token WeCom just refused: only that
        one is dropped, so that many callers refused at once cause one refetch.
        """
        if force and stale is None:
            stale = self._token or await self._shared_token() or ""
        if self._memo_ok(stale):
            return self._token
        async with self._lock:
            if self._memo_ok(stale):  # refreshed while we waited
                return self._token
            token, ttl = await self._refresh(stale)
            self._token, self._token_expires = token, time.monotonic() + ttl
            return token

    def _memo_ok(self, stale: str | None) -> bool:
        return bool(self._token) and self._token != stale and time.monotonic() < self._token_expires

    async def _shared_token(self) -> str | None:
        if self._redis is None:
            return None
        try:
            value = await self._redis.get(self._token_key)
        except (RedisError, OSError):
            return None
        return value.decode() if isinstance(value, bytes) else value

    async def _refresh(self, stale: str | None) -> tuple[str, float]:
        """(token, seconds to keep it); single flight across processes when Redis is there."""
        if self._redis is None:
            return await self._fetch_token()
        try:
            return await self._refresh_shared(self._redis, stale)
        except (RedisError, OSError) as exc:
            log.warning("wecom token: redis unavailable, fetching directly", extra={"error": type(exc).__name__})
            return await self._fetch_token()

    async def _refresh_shared(self, redis: aioredis.Redis, stale: str | None) -> tuple[str, float]:
        lock_key = self._token_key + ":lock"
        owner = uuid.uuid4().hex
        deadline = time.monotonic() + REFRESH_WAIT
        if stale:
            # Drop the refused token, unless another process has already replaced it.
            await redis.eval(_RELEASE_IF_OURS, 1, self._token_key, stale)  # type: ignore[misc]
        while True:
            cached = await self._cached(redis, stale)
            if cached is not None:
                return cached
            if await redis.set(lock_key, owner, nx=True, px=LOCK_LEASE_MS):
                try:
                    cached = await self._cached(redis, stale)  # filled just before we locked
                    if cached is not None:
                        return cached
                    token, ttl = await self._fetch_token()
                    await redis.set(self._token_key, token, ex=int(ttl))
                    return token, ttl
                finally:
                    await redis.eval(_RELEASE_IF_OURS, 1, lock_key, owner)  # type: ignore[misc]
            if time.monotonic() > deadline:
                raise WeComUnavailable("gettoken", "timed out waiting for another process's refresh")
            await asyncio.sleep(LOCK_POLL)

    async def _cached(self, redis: aioredis.Redis, stale: str | None) -> tuple[str, float] | None:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.get(self._token_key)
            pipe.pttl(self._token_key)
            value, pttl = await pipe.execute()
        if not value or pttl is None or pttl <= 0:
            return None
        token = value.decode() if isinstance(value, bytes) else str(value)
        if token == stale:
            return None
        return token, pttl / 1000

    async def _fetch_token(self) -> tuple[str, float]:
        s = self._settings
        data = await self._request("GET", "gettoken", {"corpid": s.corp_id, "corpsecret": s.secret})
        errcode = int(data.get("errcode", 0) or 0)
        if errcode:
            raise _error(errcode, str(data.get("errmsg", "")), "gettoken")
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise WeComUnavailable("gettoken", "no access_token in the answer")
        try:
            expires_in = int(data.get("expires_in", 7200))
        except (TypeError, ValueError):
            expires_in = 7200
        log.info("wecom gettoken", extra={"expires_in": expires_in})
        return token, float(max(expires_in - TOKEN_MARGIN, TOKEN_MIN_TTL))

    # --- transport ---------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str],
        body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One HTTP call; never raises anything but WeComUnavailable for transport trouble."""
        started = time.monotonic()
        try:
            payload = None if body is None else _to_json(body).encode()
            async with self._session.request(
                method, self._base + path, params=dict(params), data=payload,
                headers=JSON_HEADERS if payload is not None else None, timeout=self._timeout,
            ) as resp:
                if resp.status != 200:
                    raise WeComUnavailable(path, f"HTTP {resp.status}")
                data = json.loads(await resp.read())
        except WeComUnavailable as exc:
            log.warning("wecom call failed", extra={"path": path, "error": str(exc)})
            raise
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            # `from None`: aiohttp's exceptions may carry the URL with the token or secret.
            log.warning("wecom call failed", extra={"path": path, "error": type(exc).__name__})
            raise WeComUnavailable(path, type(exc).__name__) from None
        if not isinstance(data, dict):
            raise WeComUnavailable(path, "answer is not a JSON object")
        log.debug(
            "wecom call",
            extra={
                "path": path,
                "errcode": data.get("errcode", 0),
                "ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        return data

    async def call(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An API call with the token. When WeCom refuses the token, the refused one is
        dropped and the call made again with the next (single flight across processes):
        the first retry may get a token another process cached that is just as expired,
        so up to TOKEN_TRIES calls; a token still refused after them is retryable."""
        stale: str | None = None
        for attempt in range(TOKEN_TRIES):
            token = await self.get_token(stale=stale)
            data = await self._request(method, path, {**(params or {}), "access_token": token}, body)
            errcode = int(data.get("errcode", 0) or 0)
            if errcode in TOKEN_ERRORS and attempt < TOKEN_TRIES - 1:
                log.info("wecom token refused: refetching", extra={"path": path, "errcode": errcode})
                stale = token
                continue
            if errcode:
                log.warning("wecom error", extra={"path": path, "errcode": errcode})
                raise _error(errcode, str(data.get("errmsg", "")), path)
            return data
        raise AssertionError("unreachable")  # pragma: no cover

    # --- API ---------------------------------------------------------------------------

    async def send_message(
        self,
        user_id: str,
        kind: str,
        content: Mapping[str, Any],
        *,
        duplicate_check_interval: int | None = None,
    ) -> dict[str, Any]:
        """`message/send` of one `kind` (text, textcard, markdown, template_card, …) to one
        user (https://developer.work.weixin.qq.com/document/path/90236). Raises
        WeComInvalidRecipient when the user cannot receive it."""
        body: dict[str, Any] = {
            "touser": user_id,
            "msgtype": kind,
            "agentid": self._settings.agent_id,
            kind: dict(content),
        }
        if duplicate_check_interval is not None:
            body["enable_duplicate_check"] = 1
            body["duplicate_check_interval"] = duplicate_check_interval
        data = await self.call("POST", "message/send", body=body)
        invalid = str(data.get("invaliduser", "") or "")
        if invalid and user_id in invalid.split("|"):
            raise WeComInvalidRecipient(INVALID_RECIPIENT, "invaliduser", "message/send")
        return data

    async def update_template_card(
        self, userids: Sequence[str], response_code: str, card: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Replace a tapped card for these users; `response_code` comes from the
        template_card_event, works once and for 72 h
        (https://developer.work.weixin.qq.com/document/path/94888)."""
        body = {
            "userids": list(userids),
            "agentid": self._settings.agent_id,
            "response_code": response_code,
            "template_card": dict(card),
        }
        return await self.call("POST", "message/update_template_card", body=body)

    async def get_user_info(self, code: str) -> str:
        """The userid behind an OAuth2 `code` (works once, 5 minutes); WeComBadCode if none."""
        data = await self.call("GET", "auth/getuserinfo", {"code": code})
        user_id = data.get("userid") or data.get("UserId")
        if not isinstance(user_id, str) or not user_id:
            raise WeComBadCode(BAD_OAUTH_CODE, "not a member of the corp", "auth/getuserinfo")
        return user_id

    async def list_departments(self, department_id: int | None = None) -> list[dict[str, Any]]:
        """`department/list`: the department and its sub-departments (all when None)."""
        params = {} if department_id is None else {"id": str(department_id)}
        data = await self.call("GET", "department/list", params)
        return list(data.get("department", []))

    async def list_users(self, department_id: int, *, fetch_child: bool = False) -> list[dict[str, Any]]:
        """`user/list`: the members of a department, with their details."""
        params = {"department_id": str(department_id), "fetch_child": "1" if fetch_child else "0"}
        data = await self.call("GET", "user/list", params)
        return list(data.get("userlist", []))

    async def list_tags(self) -> list[dict[str, Any]]:
        """`tag/list`: the corp's tags, `{tagid, tagname}` each
        (https://developer.work.weixin.qq.com/document/path/90216)."""
        data = await self.call("GET", "tag/list")
        return list(data.get("taglist", []))

    async def get_tag(self, tag_id: int) -> dict[str, Any]:
        """`tag/get`: a tag's members (`userlist`) and departments (`partylist`), within
        the app's visible scope (https://developer.work.weixin.qq.com/document/path/90213)."""
        return await self.call("GET", "tag/get", {"tagid": str(tag_id)})


WECOM: web.AppKey[WeComClient] = web.AppKey("wecom")


async def wecom_ctx(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: one ClientSession and WeComClient for the app (after redis_ctx)."""
    # No cookie jar: the API sets none, and every request would pay for looking.
    async with aiohttp.ClientSession(timeout=TIMEOUT, cookie_jar=aiohttp.DummyCookieJar()) as session:
        app[WECOM] = WeComClient(session, app[SETTINGS], app.get(REDIS))
        yield
