"""The thin reference the callback is measured against: a bare aiohttp + wechatpy echo
callback, as wechatpy's own examples write one — verify the signature, decrypt,
`parse_message`, and answer the text back as WeCom's passive reply (`create_reply`,
rendered and encrypted with the callback's key).

`--empty` answers an empty 200 instead (no reply built or encrypted: lighter still, shown
for information). With `--api-base URL` it also echoes each text back through
`message/send` in a background task (one token fetched at start), so that its
end-to-end latency can be measured beside the real app's.

    python bench/echo_reference.py --port 18081 [--empty] [--api-base http://127.0.0.1:PORT/cgi-bin/]

Reads WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_SECRET, WECOM_TOKEN and WECOM_AES_KEY.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web
from wechatpy.enterprise import create_reply, parse_message
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException

CRYPTO = web.AppKey("crypto", WeChatCrypto)
EMPTY = web.AppKey("empty", bool)
SENDER = web.AppKey("sender", "Sender")


class Sender:
    """message/send with one token and tracked tasks."""

    def __init__(self, session: aiohttp.ClientSession, api_base: str, agent_id: int, token: str) -> None:
        self.session, self.api_base, self.agent_id, self.token = session, api_base, agent_id, token
        self.tasks: set[asyncio.Task[None]] = set()

    def echo(self, user: str, text: str) -> None:
        task = asyncio.create_task(self._send(user, text))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _send(self, user: str, text: str) -> None:
        body = {"touser": user, "msgtype": "text", "agentid": self.agent_id, "text": {"content": text}}
        async with self.session.post(
            self.api_base + "message/send", params={"access_token": self.token}, json=body
        ) as resp:
            await resp.read()


async def handle(request: web.Request) -> web.Response:
    crypto = request.app[CRYPTO]
    q = request.query
    try:
        if request.method == "GET":
            plain = crypto.check_signature(q["msg_signature"], q["timestamp"], q["nonce"], q["echostr"])
            return web.Response(text=plain)
        xml = crypto.decrypt_message(await request.read(), q["msg_signature"], q["timestamp"], q["nonce"])
    except (KeyError, InvalidSignatureException):
        return web.Response(status=403)
    message: Any = parse_message(xml)
    sender = request.app.get(SENDER)
    if sender is not None and message.type == "text":
        sender.echo(message.source, message.content)
    if request.app[EMPTY] or message.type != "text":
        return web.Response()
    reply = create_reply(message.content, message).render()
    body = crypto.encrypt_message(reply, q["nonce"], q["timestamp"])
    return web.Response(text=body, content_type="application/xml")


def make_app(token: str, aes_key: str, corp_id: str, agent_id: int, secret: str, api_base: str | None,
             empty: bool = False) -> web.Application:
    app = web.Application()
    app[CRYPTO] = WeChatCrypto(token, aes_key, corp_id)
    app[EMPTY] = empty
    app.router.add_route("*", "/wecom/callback", handle)

    async def sender_ctx(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            if api_base:
                async with session.get(api_base + "gettoken", params={"corpid": corp_id, "corpsecret": secret}) as r:
                    token_value = (await r.json())["access_token"]
                app[SENDER] = Sender(session, api_base, agent_id, token_value)
            yield
            if api_base:
                await asyncio.gather(*app[SENDER].tasks, return_exceptions=True)

    app.cleanup_ctx.append(sender_ctx)
    return app


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=18081)
    p.add_argument("--api-base", default=None)
    p.add_argument("--empty", action="store_true", help="answer an empty 200, no passive reply")
    args = p.parse_args()
    env = os.environ
    app = make_app(
        env["WECOM_TOKEN"],
        env["WECOM_AES_KEY"],
        env["WECOM_CORP_ID"],
        int(env["WECOM_AGENT_ID"]),
        env.get("WECOM_SECRET", ""),
        args.api_base,
        args.empty,
    )
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
