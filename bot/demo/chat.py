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
from models import org
from models.db import close_db, init_db
from models.seed import seed_org
from settings import Settings

log = logging.getLogger("bot.demo.chat")

DEMO_ORG = Path(__file__).parent / "organisation.yaml"
DEFAULT_PUBLIC_BASE = "http://127.0.0.1:8080"
CLIENT = web.AppKey("devchat_client", aiohttp.ClientSession)
MAX_PER_USER = 500
MAX_TEXT = 2000
HEARTBEAT_SECONDS = 15.0
# Who the simulator's role buttons stand for (the first holder of the role otherwise).
FEATURED = {
    "staff": "zhangsan", "dept_head": "lichu", "fleet_manager": "wangke", "driver": "zhaoshifu",
    "repair_dispatcher": "sunwei", "repair_worker": "qianli", "facility_admin": "zhoujing",
    "admin": "admin",
}
CARD_UPDATE = "card_update"


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

    def deliver(self, user_id: str, kind: str, content: Mapping[str, Any]) -> None:
        """A message from the bot (`message/send`)."""
        self.add(user_id, "bot", kind, content)

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
    users = await org.list_users()
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
    if not user or await org.get_user(user) is None:
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
    return web.Response(text=CHAT_HTML.replace("{{cookie}}", SIMULATOR_COOKIE),
                        content_type="text/html", headers={"Cache-Control": "no-store"})


# --- the command ------------------------------------------------------------------------


async def prepare_demo_data(settings: Settings) -> tuple[str, int]:
    """Seed the organisation (idempotent) and, on a database without requests, the
    history; (what seeding said, how many past requests were made)."""
    from bot.demo.history import seed_history

    await init_db(settings.database_url, create_schema=True)
    try:
        result = await seed_org(DEMO_ORG)
        made = await seed_history(datetime.now(settings.tz), settings.tz)
    finally:
        await close_db()
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


CHAT_HTML = r"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>机关事务助手 · 演示</title>
<style>
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
background:#dfe3e8;color:#1f2937}
.wrap{display:flex;gap:28px;justify-content:center;align-items:flex-start;padding:20px}
.side{width:300px;background:#fff;border-radius:12px;padding:16px}
.side h1{font-size:18px;margin:0 0 4px}.side p{margin:6px 0;color:#4b5563;font-size:13px}
.roles{display:grid;grid-template-columns:1fr 1fr;gap:6px;margin:10px 0}
.roles button{font:inherit;font-size:13px;padding:6px;border:1px solid #cbd5e1;border-radius:8px;
background:#f8fafc;cursor:pointer;text-align:left;position:relative}
.roles button small{display:block;color:#6b7280;font-size:11px}
.roles button.on{border-color:#2b5aa8;background:#e8effa}
.dot{position:absolute;top:5px;right:6px;width:8px;height:8px;border-radius:4px;background:#e11d48}
.side select{width:100%;font:inherit;padding:6px;margin:4px 0 10px}
.side ul{padding-left:18px;margin:4px 0;font-size:13px;color:#374151}.side li{cursor:pointer}
.side a{color:#2b5aa8}
.phone{width:390px;height:min(780px,calc(100vh - 40px));border:10px solid #111;border-radius:36px;
background:#ededed;display:flex;flex-direction:column;overflow:hidden;box-shadow:0 10px 30px rgba(0,0,0,.25)}
.status{background:#f7f7f7;font-size:12px;padding:4px 18px;display:flex;justify-content:space-between}
.top{background:#f7f7f7;border-bottom:1px solid #ddd;padding:6px 12px 10px;text-align:center}
.top b{display:block;font-size:16px}.top small{color:#6b7280}
#log{flex:1;overflow-y:auto;padding:10px 10px 16px}
.row{display:flex;gap:8px;margin:10px 0;align-items:flex-start}
.row.me{flex-direction:row-reverse}
.av{flex:none;width:34px;height:34px;border-radius:6px;background:#2b5aa8;color:#fff;font-size:13px;
display:flex;align-items:center;justify-content:center}
.me .av{background:#6b7280}
.bubble{max-width:76%;padding:8px 11px;border-radius:6px;background:#fff;white-space:pre-wrap;
word-break:break-word}
.me .bubble{background:#95ec69}
.card{width:80%;background:#fff;border-radius:8px;overflow:hidden;border:1px solid #e5e7eb}
.card .src{font-size:12px;color:#6b7280;padding:8px 12px 0}
.card .ttl{padding:4px 12px 0;font-weight:600;font-size:16px}
.card a.ttl{display:block;color:inherit;text-decoration:none}
.card .desc{padding:0 12px;color:#9ca3af;font-size:12px}
.card .sub{padding:6px 12px;color:#4b5563;font-size:13px;white-space:pre-wrap}
.card dl{margin:4px 12px 8px;display:grid;grid-template-columns:4em 1fr;gap:2px 8px;font-size:13px}
.card dt{color:#6b7280}.card dd{margin:0}
.card .jump{display:block;padding:8px 12px;border-top:1px solid #f0f0f0;color:#2b5aa8;
text-decoration:none;font-size:14px}
.card .btns{display:flex;gap:8px;padding:8px 12px 12px}
.card .btns button{flex:1;font:inherit;padding:7px;border-radius:6px;border:1px solid #d1d5db;
background:#fff;cursor:pointer}
.card .btns button.s1{background:#2b5aa8;color:#fff;border-color:#2b5aa8}
.card .btns button:disabled{opacity:.5;cursor:default}
.card .done{margin:8px 12px 12px;padding:7px;text-align:center;background:#f3f4f6;color:#6b7280;
border-radius:6px}
.card .desc2{padding:6px 12px 10px;white-space:pre-wrap;font-size:13px;color:#374151}
.md b{font-weight:600}.md .info{color:#2b5aa8}.md .warning{color:#d97706}.md .comment{color:#9ca3af}
.hint{text-align:center;color:#9ca3af;font-size:12px;margin:14px 0}
form{display:flex;gap:6px;padding:8px;background:#f7f7f7;border-top:1px solid #ddd}
form input{flex:1;font:inherit;padding:8px;border:1px solid #ddd;border-radius:6px}
form button{font:inherit;padding:8px 14px;background:#07c160;color:#fff;border:0;border-radius:6px}
@media(max-width:760px){.wrap{flex-direction:column;align-items:center;padding:8px}.side{width:390px}}
</style></head><body><div class="wrap">
<section class="side">
<h1>机关事务助手 · 演示</h1>
<p>没有企业微信账号也能试：选一个人，用他的手机给助手发消息。消息按企业微信的方式加密后送到助手的回调地址；助手发给任何人的消息都会出现在那个人的手机里（红点表示有新消息）。</p>
<div class="roles" id="roles"></div>
<label>或者选任何人：<select id="who" data-testid="who"></select></label>
<p>试试这样说（点一下填入）：</p>
<ul id="tips">
<li>明天上午10点到12点用车去市政府，2人</li>
<li>后天下午2点到4点订301会议室，8人</li>
<li>3号楼502室空调不制冷</li>
<li>我的申请到哪了</li>
<li>帮助</li>
</ul>
<p><a href="/dashboard" target="_blank" rel="noopener">管理看板</a>（以“系统管理员”登录）</p>
</section>
<div class="phone">
<div class="status"><span id="clock"></span><span>企业微信</span></div>
<div class="top"><b>机关事务助手</b><small id="me"></small></div>
<div id="log" data-testid="log"></div>
<form id="f"><input id="t" data-testid="input" autocomplete="off" maxlength="2000"
placeholder="输入消息"><button id="send" data-testid="send">发送</button></form>
</div></div>
<script>
const $=id=>document.getElementById(id);
const who=$('who'),log=$('log'),t=$('t'),rolesBox=$('roles');
const ROLE={staff:'职员',dept_head:'处长',fleet_manager:'车队长',driver:'司机',repair_dispatcher:'报修调度',
repair_worker:'维修工',facility_admin:'场地管理员',admin:'管理员'};
let users={},after=0,es=null,pollTimer=null,lastSeqs={};
const seen=JSON.parse(localStorage.getItem('devchat_seen')||'{}');
function esc(s){return String(s??'').replace(/[&<>"']/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]))}
function safeUrl(u){u=String(u||'');return /^(https?:)?\/\//i.test(u)||u.startsWith('/')?u:'#'}
function md(s){let h=esc(s);
 h=h.replace(/&lt;font color=&quot;(info|warning|comment)&quot;&gt;([\s\S]*?)&lt;\/font&gt;/g,'<span class="$1">$2</span>');
 h=h.replace(/\*\*([^*]+)\*\*/g,'<b>$1</b>');
 h=h.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g,(m,a,u)=>'<a target="_blank" rel="noopener" href="'+esc(safeUrl(u.replace(/&amp;/g,'&')))+'">'+a+'</a>');
 h=h.replace(/^#{1,6} (.*)$/gm,'<b>$1</b>').replace(/^&gt; ?/gm,'│ ');return h}
function stripTags(s){return String(s||'').replace(/<br\s*\/?>/gi,'\n').replace(/<\/div>/gi,'\n').replace(/<[^>]*>/g,'').trim()}
function link(url,text,cls){return '<a class="'+cls+'" target="_blank" rel="noopener" href="'+esc(safeUrl(url))+'">'+esc(text)+'</a>'}
function cardHtml(m){const c=m.content,k=m.kind;let h='';
 if(k==='textcard'){h+='<div class="ttl">'+esc(c.title)+'</div><div class="desc2">'+esc(stripTags(c.description))+'</div>';
  if(c.url)h+=link(c.url,c.btntxt||'详情','jump');return h}
 if(k==='news'){for(const a of c.articles||[])h+=link(a.url,a.title,'ttl')+'<div class="desc2">'+esc(a.description)+'</div>';return h}
 if(c.source&&c.source.desc)h+='<div class="src">'+esc(c.source.desc)+'</div>';
 const mt=c.main_title||{},url=c.card_action&&c.card_action.url;
 h+=url?link(url,mt.title||'','ttl'):'<div class="ttl">'+esc(mt.title)+'</div>';
 if(mt.desc)h+='<div class="desc">'+esc(mt.desc)+'</div>';
 if(c.emphasis_content)h+='<div class="ttl">'+esc(c.emphasis_content.title)+'</div><div class="desc">'+esc(c.emphasis_content.desc)+'</div>';
 if(c.sub_title_text)h+='<div class="sub">'+esc(c.sub_title_text)+'</div>';
 const rows=c.horizontal_content_list||[];
 if(rows.length){h+='<dl>';for(const r of rows)h+='<dt>'+esc(r.keyname)+'</dt><dd>'+(r.url?link(r.url,r.value||'',''):esc(r.value))+'</dd>';h+='</dl>'}
 for(const j of c.jump_list||[])if(j.url)h+=link(j.url,j.title,'jump');
 if(c.replace_text)h+='<div class="done" data-testid="card-result">'+esc(c.replace_text)+'</div>';
 else if((c.button_list||[]).length){h+='<div class="btns">';for(const b of c.button_list)
  h+='<button class="s'+esc(b.style||1)+'" data-key="'+esc(b.key)+'"'+(m.tapped?' disabled':'')+'>'+esc(b.text)+'</button>';h+='</div>'}
 return h}
function render(m){
 if(m.kind==='card_update'){const el=log.querySelector('[data-seq="'+m.target+'"] .card');
  if(el){el.innerHTML=cardHtml({kind:'template_card',content:m.content});wire(el,m.target)}return}
 const row=document.createElement('div');const mine=m.from==='me';
 row.className='row'+(mine?' me':'');row.dataset.seq=m.seq;row.dataset.kind=m.kind;
 const av='<div class="av">'+(mine?esc((users[who.value]||{}).name||'我').slice(-2):'助手')+'</div>';
 if(m.kind==='text')row.innerHTML=av+'<div class="bubble">'+esc(m.content.content)+'</div>';
 else if(m.kind==='markdown')row.innerHTML=av+'<div class="bubble md">'+md(m.content.content)+'</div>';
 else if(['textcard','news','template_card'].includes(m.kind)){row.innerHTML=av+'<div class="card"></div>';
  const el=row.querySelector('.card');el.innerHTML=cardHtml(m);wire(el,m.seq)}
 else row.innerHTML=av+'<div class="bubble">'+esc(JSON.stringify(m.content))+'</div>';
 log.appendChild(row);log.scrollTop=log.scrollHeight}
function wire(el,seq){for(const b of el.querySelectorAll('.btns button'))b.onclick=async()=>{
 for(const x of el.querySelectorAll('.btns button'))x.disabled=true;
 const r=await fetch('/dev/chat/api/tap',{method:'POST',headers:{'Content-Type':'application/json'},
  body:JSON.stringify({user:who.value,seq:seq,key:b.dataset.key})});
 if(!r.ok)for(const x of el.querySelectorAll('.btns button'))x.disabled=false}}
function take(list){for(const m of list){render(m);after=Math.max(after,m.seq)}
 seen[who.value]=Math.max(seen[who.value]||0,after);localStorage.setItem('devchat_seen',JSON.stringify(seen));marks()}
function marks(){for(const o of who.options){const u=users[o.value];if(!u)continue;
  const unread=o.value!==who.value&&(lastSeqs[o.value]||0)>(seen[o.value]||0);
  o.textContent=(unread?'● ':'')+u.name+' · '+u.roles.map(r=>ROLE[r]||r).join('、')+' · '+u.department}
 for(const b of rolesBox.querySelectorAll('button')){const u=b.dataset.user;b.classList.toggle('on',u===who.value);
  const unread=u!==who.value&&(lastSeqs[u]||0)>(seen[u]||0);let d=b.querySelector('.dot');
  if(unread&&!d){d=document.createElement('span');d.className='dot';b.appendChild(d)}else if(!unread&&d)d.remove()}}
async function poll(){const r=await fetch('/dev/chat/api/messages?user='+encodeURIComponent(who.value)+'&after='+after);
 if(r.ok){const d=await r.json();lastSeqs=d.last;take(d.messages)}}
function startPolling(){if(!pollTimer)pollTimer=setInterval(poll,1000);poll()}
function connect(){if(es){es.close();es=null}
 if(!window.EventSource||location.hash==='#poll'){startPolling();return}
 es=new EventSource('/dev/chat/api/stream?user='+encodeURIComponent(who.value)+'&after='+after);
 es.onmessage=e=>take([JSON.parse(e.data)]);
 es.addEventListener('last',e=>{lastSeqs=JSON.parse(e.data);marks()});
 es.onerror=()=>{if(es&&es.readyState===EventSource.CLOSED){es=null;startPolling()}}}
function pick(uid){if(!users[uid])return;who.value=uid;log.innerHTML='<div class="hint">以 '+esc(users[uid].name)+' 的身份使用企业微信</div>';after=0;
 document.cookie='{{cookie}}='+encodeURIComponent(uid)+';path=/;SameSite=Lax';
 $('me').textContent=users[uid].name+' · '+users[uid].department;
 const q=new URLSearchParams(location.search);q.set('as',uid);history.replaceState(null,'','?'+q+location.hash);
 marks();if(pollTimer)poll();else connect()}
who.onchange=()=>pick(who.value);
$('f').onsubmit=async e=>{e.preventDefault();const text=t.value.trim();if(!text)return;t.value='';
 await fetch('/dev/chat/api/send',{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify({user:who.value,text})});
 if(pollTimer)poll()};
for(const li of document.querySelectorAll('#tips li'))li.onclick=()=>{t.value=li.textContent;t.focus()};
setInterval(()=>{const d=new Date();$('clock').textContent=d.toTimeString().slice(0,5)},1000);
fetch('/dev/chat/api/users').then(r=>r.json()).then(d=>{
 for(const u of d.users){users[u.userid]=u;const o=document.createElement('option');o.value=u.userid;who.appendChild(o)}
 for(const [role,uid] of Object.entries(d.featured)){const b=document.createElement('button');b.dataset.user=uid;
  b.dataset.role=role;b.innerHTML=esc(ROLE[role]||role)+'<small>'+esc(users[uid].name)+'</small>';b.onclick=()=>pick(uid);rolesBox.appendChild(b)}
 const want=new URLSearchParams(location.search).get('as');pick(users[want]?want:(d.featured.staff||d.users[0].userid))});
</script></body></html>"""
