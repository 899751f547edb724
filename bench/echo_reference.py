"""The thin reference the callback is measured against: a bare aiohttp + wechatpy echo
callback, as wechatpy's own examples write one — verify the signature, decrypt,
`parse_message`, and answer the text back as WeCom's passive reply (`create_reply`,
rendered and encrypted with the callback's key).

`--empty` answers an empty 200 instead (no reply built or encrypted: lighter still, shown
for information). With `--api-base URL` it also echoes each text back through
`message/send` in a background task (one token fetched at start), so that its
end-to-end latency can be measured beside the real app's.

`--store FILE` (with `--api-base` and `--empty`: the bench's `ref-floor`) is the least any
app must do on this stack for the contract, and nothing more: each message is stored
durably before its 200 (SQLite in WAL, synchronous FULL, through aiosqlite's thread,
group-committed as the app's inbox does; a retried MsgId is stored once by its UNIQUE
key), its echo sent through `message/send`, and its row marked done in a later commit.
No NLU, no user, no session, no request, no audit: what the goal's ratio leaves for them
is what `ref-floor` leaves.

    python bench/echo_reference.py --port 18081 [--empty] [--api-base http://127.0.0.1:PORT/cgi-bin/]
        [--store FILE]

Reads WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_SECRET, WECOM_TOKEN and WECOM_AES_KEY.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import aiosqlite
from aiohttp import web
from wechatpy.enterprise import create_reply, parse_message
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException

CRYPTO = web.AppKey("crypto", WeChatCrypto)
EMPTY = web.AppKey("empty", bool)


class Store:
    """Messages stored durably before their 200: one writer connection, the INSERTs of the
    callbacks waiting at one moment committed together (one fsync), as the app's inbox
    gathers them; the done marks ride along in the next commit."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db
        self.waiting: list[tuple[str, str, str, asyncio.Future[bool]]] = []
        self.done: list[tuple[str]] = []
        self.wake = asyncio.Event()
        self.closing = False
        self.task = asyncio.create_task(self._run())

    @classmethod
    async def open(cls, path: str) -> Store:
        db = await aiosqlite.connect(path)
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=FULL")
        await db.execute("CREATE TABLE IF NOT EXISTS inbox (msg_id TEXT PRIMARY KEY, userid TEXT NOT NULL, "
                         "content TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0)")
        await db.commit()
        return cls(db)

    async def add(self, msg_id: str, user: str, content: str) -> bool:
        """True once stored and new; False for a MsgId stored before (WeCom's retry)."""
        fut = asyncio.get_running_loop().create_future()
        self.waiting.append((msg_id, user, content, fut))
        self.wake.set()
        return await fut

    def mark_done(self, msg_id: str) -> None:
        self.done.append((msg_id,))
        self.wake.set()

    async def _run(self) -> None:
        while not (self.closing and not self.waiting and not self.done):
            await self.wake.wait()
            self.wake.clear()
            batch, self.waiting = self.waiting[:1000], self.waiting[1000:]  # 3 × 1,000 of SQLite's 32,766 variables
            done, self.done = self.done, []
            if self.waiting:
                self.wake.set()
            try:
                fresh: set[str] = set()
                if batch:  # one statement for the batch; RETURNING names the rows it added
                    rows = await self.db.execute_fetchall(
                        "INSERT OR IGNORE INTO inbox (msg_id, userid, content) VALUES "
                        + ", ".join(["(?, ?, ?)"] * len(batch)) + " RETURNING msg_id",
                        [v for msg_id, user, content, _ in batch for v in (msg_id, user, content)])
                    fresh = {row[0] for row in rows}
                if done:
                    await self.db.executemany("UPDATE inbox SET done = 1 WHERE msg_id = ?", done)
                await self.db.commit()
            except Exception as exc:  # noqa: BLE001 - every waiting callback hears of it
                for *_, fut in batch:
                    fut.set_exception(exc)
                if not self.closing:
                    self.done[:0] = done  # the marks wait for the next commit
                continue
            seen: set[str] = set()
            for msg_id, _, _, fut in batch:  # a MsgId twice in one batch: its first is the new one
                fut.set_result(msg_id in fresh and msg_id not in seen)
                seen.add(msg_id)

    async def close(self) -> None:
        """Stop the writer once what waits is committed (the last echoes' done marks)."""
        self.closing = True
        self.wake.set()
        await self.task
        await self.db.close()


class Sender:
    """message/send with one token and tracked tasks."""

    def __init__(self, session: aiohttp.ClientSession, api_base: str, agent_id: int, token: str) -> None:
        self.session, self.api_base, self.agent_id, self.token = session, api_base, agent_id, token
        self.tasks: set[asyncio.Task[None]] = set()

    def echo(self, user: str, text: str, store: Store | None = None, msg_id: str = "") -> None:
        task = asyncio.create_task(self._send(user, text, store, msg_id))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _send(self, user: str, text: str, store: Store | None, msg_id: str) -> None:
        body = {"touser": user, "msgtype": "text", "agentid": self.agent_id, "text": {"content": text}}
        async with self.session.post(
            self.api_base + "message/send", params={"access_token": self.token}, json=body
        ) as resp:
            await resp.read()
        if store is not None:
            store.mark_done(msg_id)


SENDER = web.AppKey("sender", Sender)
STORE = web.AppKey("store", Store)


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
    store = request.app.get(STORE)
    if store is not None and message.type == "text":
        if not await store.add(str(message.id), message.source, message.content):
            return web.Response()  # a retry of a message stored before: answered, not echoed again
    if sender is not None and message.type == "text":
        sender.echo(message.source, message.content, store, str(message.id))
    if request.app[EMPTY] or message.type != "text":
        return web.Response()
    reply = create_reply(message.content, message).render()
    body = crypto.encrypt_message(reply, q["nonce"], q["timestamp"])
    return web.Response(text=body, content_type="application/xml")


def make_app(token: str, aes_key: str, corp_id: str, agent_id: int, secret: str, api_base: str | None,
             empty: bool = False, store: str | None = None) -> web.Application:
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

    if store:
        path = store

        async def store_ctx(app: web.Application) -> AsyncIterator[None]:
            app[STORE] = await Store.open(path)
            yield
            await app[STORE].close()

        app.cleanup_ctx.append(store_ctx)  # closed after the sender's last echoes have marked their rows
    app.cleanup_ctx.append(sender_ctx)
    return app


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=18081)
    p.add_argument("--api-base", default=None)
    p.add_argument("--empty", action="store_true", help="answer an empty 200, no passive reply")
    p.add_argument("--store", default=None, metavar="FILE",
                   help="store each message durably (SQLite, WAL, synchronous FULL) before its 200")
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
        args.store,
    )
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
