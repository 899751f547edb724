"""`python main.py demo`: the demo organisation, served with `/dev/chat`, a phone
simulator. What a person types there is encrypted and signed exactly as WeCom does and
posted to our own `/wecom/callback`; what the assistant sends to anyone lands in that
person's phone in the simulator instead of WeCom. Only mounted in demo mode."""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import secrets
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.keys import SETTINGS
from bot.transport import CallbackTransport
from models import org
from models.db import close_db, init_db
from models.seed import seed_org
from settings import Settings

DEMO_ORG = Path(__file__).parent / "demo" / "organisation.yaml"
HUB = web.AppKey("devchat_hub", "DevChatHub")
MAX_PER_USER = 500


class DevChatHub:
    """Every simulated phone's message list."""

    def __init__(self) -> None:
        self._seq = itertools.count(1)
        self.messages: dict[str, list[dict[str, Any]]] = {}

    def add(self, user_id: str, sender: str, kind: str, content: Mapping[str, Any]) -> None:
        items = self.messages.setdefault(user_id, [])
        items.append({"seq": next(self._seq), "from": sender, "kind": kind,
                      "content": dict(content), "ts": time.time()})
        del items[:-MAX_PER_USER]

    def deliver(self, user_id: str, kind: str, content: Mapping[str, Any]) -> None:
        self.add(user_id, "bot", kind, content)

    def after(self, user_id: str, seq: int) -> list[dict[str, Any]]:
        return [m for m in self.messages.get(user_id, []) if m["seq"] > seq]


def demo_settings(settings: Settings) -> Settings:
    """Demo credentials made up on the spot: no WeCom account is needed."""
    aes_key = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return replace(
        settings,
        demo=True,
        corp_id=settings.corp_id or "wwdemo00000001",
        agent_id=settings.agent_id or 1000002,
        secret=settings.secret or secrets.token_hex(16),
        token=settings.token or secrets.token_hex(8),
        aes_key=settings.aes_key or aes_key,
        secret_key=settings.secret_key or secrets.token_hex(24),
        database_url=settings.database_url,
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


def setup_devchat(app: web.Application, hub: DevChatHub) -> None:
    app[HUB] = hub
    app.router.add_get("/dev/chat", chat_page)
    app.router.add_get("/dev/chat/api/users", list_users)
    app.router.add_get("/dev/chat/api/messages", poll_messages)
    app.router.add_post("/dev/chat/api/send", send_message)


async def list_users(request: web.Request) -> web.Response:
    users = await org.list_users()
    return web.json_response(
        [{"userid": u.userid, "name": u.name, "roles": u.role_list} for u in users]
    )


async def poll_messages(request: web.Request) -> web.Response:
    user = request.query.get("user", "")
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        raise web.HTTPBadRequest(text="after must be an integer") from None
    return web.json_response(request.app[HUB].after(user, after))


_msg_ids = itertools.count(int(time.time() * 1000))


async def send_message(request: web.Request) -> web.Response:
    """Type as a user: the text goes through the real, encrypted callback."""
    try:
        data = await request.json()
        user, text = str(data["user"]), str(data["text"]).strip()
    except (ValueError, KeyError, TypeError):
        raise web.HTTPBadRequest(text="expected JSON {user, text}") from None
    if not user or not text or len(text) > 2000:
        raise web.HTTPBadRequest(text="user and text (at most 2000 characters) are required")
    settings = request.app[SETTINGS]
    request.app[HUB].add(user, "me", "text", {"content": text})
    params, body = encrypt_as_wecom(settings, text_message_xml(settings, user, text, next(_msg_ids)))
    url = f"http://{request.host}/wecom/callback"
    async with aiohttp.ClientSession() as session, session.post(url, params=params, data=body.encode()) as r:
        status = r.status
    return web.json_response({"callback_status": status}, status=200 if status == 200 else 502)


async def chat_page(request: web.Request) -> web.Response:
    return web.Response(text=CHAT_HTML.replace("{{title}}", html.escape("机关事务助手 · 演示")),
                        content_type="text/html")


async def run_demo(settings: Settings) -> int:
    from bot.app import create_app
    from bot.cli import serve

    settings = demo_settings(settings)
    await init_db(settings.database_url, create_schema=True)
    try:
        result = await seed_org(DEMO_ORG)
        print(f"demo organisation loaded: {result}", flush=True)
    finally:
        await close_db()
    hub = DevChatHub()
    app = create_app(settings, transport=CallbackTransport(hub.deliver))
    setup_devchat(app, hub)
    print(f"open http://{settings.host}:{settings.port}/dev/chat", flush=True)
    return await serve(settings, app)


CHAT_HTML = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>
body{margin:0;font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#e9ecef}
.phone{max-width:420px;margin:0 auto;height:100vh;display:flex;flex-direction:column;background:#f5f5f5}
header{background:#2b5aa8;color:#fff;padding:10px 12px;display:flex;gap:8px;align-items:center}
header select{flex:1;font-size:15px;padding:4px}
#log{flex:1;overflow-y:auto;padding:10px}
.m{max-width:80%;margin:6px 0;padding:8px 10px;border-radius:8px;white-space:pre-wrap;word-break:break-all;font-size:15px}
.me{background:#95ec69;margin-left:auto}
.bot{background:#fff}
.card{border:1px solid #cdd;background:#fff}
.card b{display:block;margin-bottom:4px}
form{display:flex;gap:6px;padding:8px;background:#fff;border-top:1px solid #ddd}
form input{flex:1;font-size:16px;padding:8px}
form button{font-size:16px;padding:8px 14px;background:#2b5aa8;color:#fff;border:0;border-radius:4px}
</style></head><body><div class="phone">
<header><span>我是</span><select id="who"></select></header>
<div id="log"></div>
<form id="f"><input id="t" autocomplete="off" placeholder="例如：明天下午两点用车去虹桥机场"><button>发送</button></form>
</div>
<script>
const who=document.getElementById('who'),log=document.getElementById('log'),t=document.getElementById('t');
let after=0;
const ROLE={staff:'职员',dept_head:'处长',fleet_manager:'车队长',driver:'司机',repair_dispatcher:'报修调度',repair_worker:'维修工',facility_admin:'场地管理员',admin:'管理员'};
function esc(s){return String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]))}
function render(m){const d=document.createElement('div');const c=m.content;
 if(m.kind==='text'||m.kind==='markdown'){d.className='m '+(m.from==='me'?'me':'bot');d.textContent=c.content}
 else if(m.kind==='textcard'){d.className='m card';d.innerHTML='<b>'+esc(c.title)+'</b>'+esc(c.description).replace(/&lt;[^&]*&gt;/g,'')+(c.url?'<br><a href="'+esc(c.url)+'">'+esc(c.btntxt||'详情')+'</a>':'')}
 else{d.className='m card';d.textContent=JSON.stringify(c)}
 log.appendChild(d);log.scrollTop=log.scrollHeight}
async function poll(){if(!who.value)return;const r=await fetch('/dev/chat/api/messages?user='+encodeURIComponent(who.value)+'&after='+after);
 if(r.ok){for(const m of await r.json()){render(m);after=m.seq}}}
who.onchange=()=>{log.innerHTML='';after=0;poll()};
document.getElementById('f').onsubmit=async e=>{e.preventDefault();const text=t.value.trim();if(!text)return;t.value='';
 await fetch('/dev/chat/api/send',{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify({user:who.value,text})});poll()};
fetch('/dev/chat/api/users').then(r=>r.json()).then(us=>{for(const u of us){const o=document.createElement('option');o.value=u.userid;
 o.textContent=u.name+'（'+u.roles.map(r=>ROLE[r]||r).join('、')+'）';who.appendChild(o)}poll()});
setInterval(poll,1000);
</script></body></html>"""
