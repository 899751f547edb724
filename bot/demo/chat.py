"""`python main.py demo`: the demo organisation with some history, served with
`/dev/chat`, a phone simulator, and an in-process stand-in for WeCom (bot/demo/standin.py).
Only mounted in demo mode.

    browser /dev/chat ──type──► /dev/chat/api/send ──encrypted XML, as WeCom──► /wecom/callback
                      ──tap a card button──► /dev/chat/api/tap ──template_card_event──►  ↑
    bot ──message/send, update_template_card──► /dev/wecom/cgi-bin/… ──► DevChatHub
    browser ◄──SSE /dev/chat/api/stream (or polling /dev/chat/api/messages)── DevChatHub

What a person types is encrypted and signed exactly as WeCom does and posted to our own
callback; a tapped card button becomes the `template_card_event` WeCom would send
(https://developer.work.weixin.qq.com/document/path/90240#模板卡片事件推送), with a
fresh single-use `ResponseCode` that `update_template_card` must name. What the bot sends
goes through its real WeCom client to the stand-in and lands in that person's phone.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.demo.standin import API_PREFIX, OAUTH_PATH, SIMULATOR_COOKIE, setup_demo_wecom
from bot.keys import SETTINGS
from bot.web.templating import render
from handlers import queries, system
from settings import Settings

log = logging.getLogger("bot.demo.chat")

DEMO_ORG = Path(__file__).parent / "organisation.yaml"
STATIC = Path(__file__).parent / "static"
STATIC_PREFIX = "/dev/static/"
DEFAULT_PUBLIC_BASE = "http://127.0.0.1:8080"
CLIENT = web.AppKey("devchat_client", aiohttp.ClientSession)
MAX_PER_USER = 500
MAX_TEXT = 2000
HEARTBEAT_SECONDS = 15.0
# Who the simulator's role buttons stand for (the first holder of the role otherwise).
FEATURED = {
    "staff": "zhangsan", "dept_head": "lichu", "fleet_manager": "wangke", "driver": "zhaoshifu",
    "repair_dispatcher": "sunwei", "repair_worker": "qianli", "facility_admin": "zhoujing",
    "asset_manager": "wujiu", "admin": "admin",
}
CARD_UPDATE = "card_update"
# The cards whose send returns a response_code (https://developer.work.weixin.qq.com/document/path/90236).
UPDATABLE_CARDS = ("button_interaction", "vote_interaction", "multiple_interaction")


class DevChatHub:
    """Every simulated phone's messages, in one sequence; streams wait on `changed`."""

    def __init__(self) -> None:
        self._seq = itertools.count(1)
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self._codes: dict[str, tuple[str, int]] = {}  # ResponseCode → (user, card's seq)
        self.changed = asyncio.Event()
        self.closing = False

    def _wake(self) -> None:
        event, self.changed = self.changed, asyncio.Event()
        event.set()

    def add(self, user_id: str, sender: str, kind: str, content: Mapping[str, Any],
            **extra: Any) -> int:
        items = self.messages.setdefault(user_id, [])
        seq = next(self._seq)
        items.append({"seq": seq, "from": sender, "kind": kind, "content": dict(content),
                      "ts": time.time(), **extra})
        del items[:-MAX_PER_USER]
        self._wake()
        return seq

    def deliver(self, user_id: str, kind: str, content: Mapping[str, Any]) -> str | None:
        """A message from the bot (`message/send`): for a card with buttons, the
        response_code WeCom returns, which updates that card once later."""
        seq = self.add(user_id, "bot", kind, content)
        if kind != "template_card" or content.get("card_type") not in UPDATABLE_CARDS:
            return None
        code = secrets.token_urlsafe(24)
        self._codes[code] = (user_id, seq)
        return code

    def after(self, user_id: str, seq: int) -> list[dict[str, Any]]:
        return [m for m in self.messages.get(user_id, []) if m["seq"] > seq]

    def last_seqs(self) -> dict[str, int]:
        return {u: items[-1]["seq"] for u, items in self.messages.items() if items}

    def find(self, user_id: str, seq: int) -> dict[str, Any] | None:
        return next((m for m in self.messages.get(user_id, []) if m["seq"] == seq), None)

    def tap(self, user_id: str, seq: int, key: str) -> tuple[dict[str, Any], str] | None:
        """`user_id` taps the button `key` of their card `seq`: (the card, a fresh
        ResponseCode), or None when there is no such button to tap (any more)."""
        message = self.find(user_id, seq)
        if message is None or message["kind"] != "template_card":
            return None
        card = message["content"]
        keys = {b.get("key") for b in card.get("button_list") or [] if isinstance(b, Mapping)}
        if key not in keys or card.get("replace_text") or message.get("tapped"):
            return None
        code = secrets.token_urlsafe(24)
        self._codes[code] = (user_id, seq)
        message["tapped"] = key
        return card, code

    def untap(self, user_id: str, seq: int) -> None:
        """The tap did not reach the bot: the buttons work again."""
        message = self.find(user_id, seq)
        if message is not None:
            message.pop("tapped", None)

    def update_card(self, user_ids: Sequence[str], response_code: str,
                    card: Mapping[str, Any]) -> bool:
        """`message/update_template_card`: the ResponseCode works once, for its card."""
        found = self._codes.pop(response_code, None)
        if found is None:
            return False
        user_id, seq = found
        if user_id not in user_ids:
            return False
        message = self.find(user_id, seq)
        if message is None:
            return False
        message["content"] = dict(card)
        message.pop("tapped", None)
        self.add(user_id, "bot", CARD_UPDATE, card, target=seq)
        return True

    def close(self) -> None:
        self.closing = True
        self._wake()


HUB: web.AppKey[DevChatHub] = web.AppKey("devchat_hub")


# --- settings and the WeCom side --------------------------------------------------------


def _loopback(host: str) -> str:
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 - a comparison


def demo_settings(settings: Settings) -> Settings:
    """Demo credentials made up on the spot, and WeCom's API and OAuth page pointed at the
    stand-in in this process: no WeCom account is needed, nothing leaves the machine."""
    aes_key = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    host = _loopback(settings.host)
    public = settings.public_base_url.rstrip("/")
    if public == DEFAULT_PUBLIC_BASE:  # not set: wherever this demo listens
        public = f"http://{host}:{settings.port}"
    return replace(
        settings,
        demo=True,
        corp_id=settings.corp_id or "wwdemo00000001",
        agent_id=settings.agent_id or 1000002,
        secret=settings.secret or secrets.token_hex(16),
        token=settings.token or secrets.token_hex(8),
        aes_key=settings.aes_key or aes_key,
        secret_key=settings.secret_key or secrets.token_hex(24),
        admin_token=settings.admin_token or secrets.token_urlsafe(18),
        public_base_url=public,
        api_base=f"http://{host}:{settings.port}{API_PREFIX}",
        oauth_url=f"{public}{OAUTH_PATH}",
        redis_url=None,
    )


def encrypt_as_wecom(settings: Settings, inner_xml: str) -> tuple[dict[str, str], str]:
    """Query string and body of a callback POST, built the way WeCom builds them."""
    crypto = WeChatCrypto(settings.token, settings.aes_key, settings.corp_id)
    nonce = secrets.token_hex(8)
    timestamp = str(int(time.time()))
    reply = crypto.encrypt_message(inner_xml, nonce, timestamp)
    encrypt = reply.split("<Encrypt><![CDATA[")[1].split("]]></Encrypt>")[0]
    signature = hashlib.sha1(  # noqa: S324 - WeCom's signature is SHA-1 by definition
        "".join(sorted([settings.token, timestamp, nonce, encrypt])).encode()
    ).hexdigest()
    body = (
        f"<xml><ToUserName><![CDATA[{settings.corp_id}]]></ToUserName>"
        f"<AgentID><![CDATA[{settings.agent_id}]]></AgentID>"
        f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    )
    return {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}, body


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_message_xml(settings: Settings, user_id: str, text: str, msg_id: int) -> str:
    return (
        f"<xml><ToUserName>{_cdata(settings.corp_id)}</ToUserName>"
        f"<FromUserName>{_cdata(user_id)}</FromUserName><CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content>{_cdata(text)}</Content>"
        f"<MsgId>{msg_id}</MsgId><AgentID>{settings.agent_id}</AgentID></xml>"
    )


def card_event_xml(settings: Settings, user_id: str, *, event_key: str, task_id: str,
                   card_type: str, response_code: str) -> str:
    """The `template_card_event` WeCom sends when a card's button is tapped."""
    return (
        f"<xml><ToUserName>{_cdata(settings.corp_id)}</ToUserName>"
        f"<FromUserName>{_cdata(user_id)}</FromUserName><CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>"
        f"<EventKey>{_cdata(event_key)}</EventKey><TaskId>{_cdata(task_id)}</TaskId>"
        f"<CardType>{_cdata(card_type)}</CardType><ResponseCode>{_cdata(response_code)}</ResponseCode>"
        f"<AgentID>{settings.agent_id}</AgentID></xml>"
    )


# --- routes -----------------------------------------------------------------------------


def setup_devchat(app: web.Application, hub: DevChatHub) -> None:
    app[HUB] = hub
    app.cleanup_ctx.append(client_ctx)
    app.on_shutdown.append(close_streams)  # open SSE streams would hold shutdown up
    r = app.router
    r.add_get("/dev/chat", chat_page)
    # The demo's own script and style sheets, served in demo mode only (as /dev/chat is).
    r.add_static(STATIC_PREFIX, STATIC)
    r.add_get("/dev/chat/api/users", list_users)
    r.add_get("/dev/chat/api/messages", poll_messages)
    r.add_get("/dev/chat/api/stream", stream_messages)
    r.add_post("/dev/chat/api/send", send_message)
    r.add_post("/dev/chat/api/tap", tap_button)


async def client_ctx(app: web.Application) -> AsyncIterator[None]:
    """The session that posts to our own callback, as WeCom would."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        app[CLIENT] = session
        yield


async def close_streams(app: web.Application) -> None:
    app[HUB].close()


async def list_users(request: web.Request) -> web.Response:
    users = await queries.list_users()
    featured: dict[str, str] = {}
    for role, userid in FEATURED.items():
        holder = next((u for u in users if u.userid == userid and role in u.role_list), None)
        holder = holder or next((u for u in users if role in u.role_list), None)
        if holder is not None:
            featured[role] = holder.userid
    return web.json_response({
        "users": [{"userid": u.userid, "name": u.name, "roles": u.role_list,
                   "department": u.department.name} for u in users],
        "featured": featured,
    })


def _after(request: web.Request) -> int:
    raw = request.headers.get("Last-Event-ID") or request.query.get("after", "0")
    try:
        return max(0, int(raw))
    except ValueError:
        raise web.HTTPBadRequest(text="after must be an integer") from None


async def poll_messages(request: web.Request) -> web.Response:
    """The polling fallback: this phone's messages after `after`, and every phone's last
    sequence number (for unread marks)."""
    hub = request.app[HUB]
    user = request.query.get("user", "")
    return web.json_response({"messages": hub.after(user, _after(request)),
                              "last": hub.last_seqs()})


async def stream_messages(request: web.Request) -> web.StreamResponse:
    """Server-sent events: each new message of this phone (`id` = its sequence number,
    so that EventSource resumes where it left off) and `last` events for unread marks."""
    hub = request.app[HUB]
    user = request.query.get("user", "")
    after = _after(request)
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache",
        "X-Accel-Buffering": "no",
    })
    await response.prepare(request)
    sent_last: dict[str, int] | None = None
    try:
        await response.write(b"retry: 2000\n\n")
        while not hub.closing:
            changed = hub.changed  # taken before reading: nothing slips between the two
            for message in hub.after(user, after):
                data = json.dumps(message, ensure_ascii=False)
                await response.write(f"id: {message['seq']}\ndata: {data}\n\n".encode())
                after = message["seq"]
            last = hub.last_seqs()
            if last != sent_last:
                await response.write(f"event: last\ndata: {json.dumps(last)}\n\n".encode())
                sent_last = last
            try:
                await asyncio.wait_for(changed.wait(), HEARTBEAT_SECONDS)
            except TimeoutError:
                await response.write(b": ping\n\n")
    except (ConnectionResetError, asyncio.CancelledError):
        pass  # the browser went away, or the server is stopping
    return response


async def _read_json(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="expected a JSON object") from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="expected a JSON object")
    return data


async def _known_user(user: str) -> None:
    if not user or await queries.get_user(user) is None:
        raise web.HTTPBadRequest(text="pick a person of the demo organisation")


async def _post_callback(request: web.Request, inner_xml: str) -> int:
    """POST the encrypted XML to our own callback, as WeCom does; its HTTP status."""
    settings = request.app[SETTINGS]
    params, body = encrypt_as_wecom(settings, inner_xml)
    url = f"http://{_loopback(settings.host)}:{settings.port}/wecom/callback"
    try:
        async with request.app[CLIENT].post(url, params=params, data=body.encode()) as r:
            return r.status
    except (aiohttp.ClientError, TimeoutError) as e:
        log.warning("devchat: callback not reached", extra={"error": type(e).__name__})
        return 599


_msg_ids = itertools.count(int(time.time() * 1000))


async def send_message(request: web.Request) -> web.Response:
    """Type as a person: the text goes through the real, encrypted callback."""
    data = await _read_json(request)
    user, text = str(data.get("user", "")), str(data.get("text", "")).strip()
    if not text or len(text) > MAX_TEXT:
        raise web.HTTPBadRequest(text=f"text of 1 to {MAX_TEXT} characters is required")
    await _known_user(user)
    settings = request.app[SETTINGS]
    request.app[HUB].add(user, "me", "text", {"content": text})
    status = await _post_callback(request, text_message_xml(settings, user, text, next(_msg_ids)))
    return web.json_response({"callback_status": status}, status=200 if status == 200 else 502)


async def tap_button(request: web.Request) -> web.Response:
    """Tap a button of a card in this person's phone: WeCom's template_card_event."""
    data = await _read_json(request)
    user, key = str(data.get("user", "")), str(data.get("key", ""))
    try:
        seq = int(data.get("seq", 0))
    except (TypeError, ValueError):
        raise web.HTTPBadRequest(text="seq must be an integer") from None
    await _known_user(user)
    hub = request.app[HUB]
    tapped = hub.tap(user, seq, key)
    if tapped is None:
        raise web.HTTPConflict(text="no such button to tap (any more)")
    card, code = tapped
    xml = card_event_xml(request.app[SETTINGS], user, event_key=key,
                         task_id=str(card.get("task_id", "")),
                         card_type=str(card.get("card_type", "")), response_code=code)
    status = await _post_callback(request, xml)
    if status != 200:
        hub.untap(user, seq)
    return web.json_response({"callback_status": status}, status=200 if status == 200 else 502)


async def chat_page(request: web.Request) -> web.Response:
    """The simulator: templates/demo/chat.html, its script and style in bot/demo/static/."""
    return render("demo/chat.html", request, {"cookie": SIMULATOR_COOKIE})


# --- the command ------------------------------------------------------------------------


async def prepare_demo_data(settings: Settings) -> tuple[str, int]:
    """Seed the organisation (idempotent) and, on a database without requests, the
    history; (what seeding said, how many past requests were made)."""
    from handlers.demo_history import seed_history

    await system.open_database(settings.database_url, create_schema=True)
    try:
        result = await system.seed_org(DEMO_ORG)
        made = await seed_history(datetime.now(settings.tz), settings.tz)
    finally:
        await system.close_database()
    return str(result), made


def build_demo_app(settings: Settings, **options: Any) -> tuple[web.Application, DevChatHub]:
    """The real app (`options` as create_app's) with the simulator and the WeCom
    stand-in mounted in it."""
    from bot.app import create_app

    hub = DevChatHub()
    app = create_app(settings, **options)
    setup_devchat(app, hub)
    setup_demo_wecom(app, hub)
    return app, hub


async def run_demo(settings: Settings) -> int:
    from bot.serving import serve

    given_token = settings.admin_token is not None  # then it is not printed
    settings = demo_settings(settings)
    seeded, made = await prepare_demo_data(settings)
    print(f"demo organisation loaded: {seeded}", flush=True)
    print(f"demo history: {made} past and upcoming requests added"
          if made else "demo history: the database already has requests, none added", flush=True)
    app, _ = build_demo_app(settings)
    base = settings.public_base_url
    token_note = "$ADMIN_TOKEN" if given_token else settings.admin_token
    print(
        f"open {base}/dev/chat\n"
        f"dashboard: {base}/dashboard — sign in as 系统管理员 on the demo login page, "
        f"or send Authorization: Bearer {token_note}",
        flush=True,
    )
    return await serve(settings, app)

