"""The admin JSON API (CONTRACT §4): `GET /api/v1/requests/{no}` with
`Authorization: Bearer $ADMIN_TOKEN`. Without an `ADMIN_TOKEN` the API does not exist (404)."""

from __future__ import annotations

import functools
import hmac
import json

from aiohttp import web

from bot.keys import SETTINGS
from handlers.queries import get_request, to_api

_dumps = functools.partial(json.dumps, ensure_ascii=False)


def setup_api(app: web.Application) -> None:
    app.router.add_get("/api/v1/requests/{no}", request_detail)


def _error(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers, dumps=_dumps)


def authorized(request: web.Request, token: str) -> bool:
    """A bearer token equal to `token`, compared in constant time."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


async def request_detail(request: web.Request) -> web.Response:
    """One request with its approval steps, for the bureau's other systems."""
    token = request.app[SETTINGS].admin_token
    if not token:
        raise web.HTTPNotFound()  # the admin API is off
    if not authorized(request, token):
        return _error(401, "unauthorized", **{"WWW-Authenticate": 'Bearer realm="api"'})
    raw = request.match_info["no"].removeprefix("#")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        return _error(400, "request number must be digits")
    found = await get_request(int(raw))
    if found is None:
        return _error(404, "no such request")
    return web.json_response(to_api(found), dumps=_dumps, headers={"Cache-Control": "no-store"})
