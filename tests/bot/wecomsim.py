"""What WeCom sends to the callback, built with wechatpy's own crypto.

`WeComSim.post(xml)` gives the query string and body of a POST exactly as WeCom makes it
(https://developer.work.weixin.qq.com/document/path/90930): the inner XML encrypted with
the EncodingAESKey and the corp id, `msg_signature` = sha1 of token, timestamp, nonce and
ciphertext, and the outer `<xml>` with ToUserName, Encrypt and AgentID.
`WeComSim.verify(echo)` gives the query of a URL verification.

Used by tests/bot and by bench/bench_callback.py.
"""

from __future__ import annotations

import time
import uuid
import xml.etree.ElementTree as ET
from itertools import count

from wechatpy.crypto import _get_signature  # wechatpy's own signer, as WeCom signs
from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto

_serial = count(1)


def cdata(value: str) -> str:
    return f"<![CDATA[{value}]]>"


def message_xml(
    msg_type: str,
    user: str,
    corp_id: str,
    agent_id: int | None,
    fields: dict[str, str | int | float] | None = None,
    *,
    create_time: int | None = None,
    msg_id: str | None = None,
) -> str:
    """The decrypted XML of a message (`msg_id` is generated) or an event (`msg_id` "")."""
    created = int(time.time()) if create_time is None else create_time
    parts = [
        f"<ToUserName>{cdata(corp_id)}</ToUserName>",
        f"<FromUserName>{cdata(user)}</FromUserName>",
        f"<CreateTime>{created}</CreateTime>",
        f"<MsgType>{cdata(msg_type)}</MsgType>",
    ]
    for name, value in (fields or {}).items():
        text = cdata(value) if isinstance(value, str) else str(value)
        parts.append(f"<{name}>{text}</{name}>")
    if msg_type != "event":
        parts.append(f"<MsgId>{msg_id or str(7_000_000_000_000_000_000 + next(_serial))}</MsgId>")
    if agent_id is not None:
        parts.append(f"<AgentID>{agent_id}</AgentID>")
    return "<xml>" + "".join(parts) + "</xml>"


class WeComSim:
    """Encrypts and signs as WeCom does, for one corp/app."""

    def __init__(self, token: str, aes_key: str, corp_id: str, agent_id: int) -> None:
        self.token, self.aes_key, self.corp_id, self.agent_id = token, aes_key, corp_id, agent_id
        self.crypto = WeChatCrypto(token, aes_key, corp_id)

    def text(self, user: str, content: str, **kw: object) -> str:
        return message_xml("text", user, self.corp_id, self.agent_id, {"Content": content}, **kw)  # type: ignore[arg-type]

    def event(self, user: str, event: str, fields: dict[str, str | int | float] | None = None, **kw: object) -> str:
        return message_xml(
            "event", user, self.corp_id, self.agent_id, {"Event": event, **(fields or {})}, **kw  # type: ignore[arg-type]
        )

    def encrypt(self, xml: str, *, timestamp: int | None = None, nonce: str | None = None) -> tuple[str, str, str, str]:
        """(ciphertext, msg_signature, timestamp, nonce) via wechatpy's encrypt_message."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or uuid.uuid4().hex[:10]
        root = ET.fromstring(self.crypto.encrypt_message(xml, nonce, ts))  # noqa: S314 - our own output
        return root.findtext("Encrypt", ""), root.findtext("MsgSignature", ""), ts, nonce

    def post(
        self,
        xml: str,
        *,
        timestamp: int | None = None,
        nonce: str | None = None,
        outer_to: str | None = None,
        outer_agent: int | None = None,
    ) -> tuple[dict[str, str], str]:
        """(query, body) of the POST WeCom makes for this inner XML."""
        encrypted, sig, ts, nonce = self.encrypt(xml, timestamp=timestamp, nonce=nonce)
        to = self.corp_id if outer_to is None else outer_to
        agent = self.agent_id if outer_agent is None else outer_agent
        body = (
            f"<xml><ToUserName>{cdata(to)}</ToUserName><Encrypt>{cdata(encrypted)}</Encrypt>"
            f"<AgentID>{cdata(str(agent))}</AgentID></xml>"
        )
        return {"msg_signature": sig, "timestamp": ts, "nonce": nonce}, body

    def verify(self, echo: str, *, timestamp: int | None = None, nonce: str = "1372623149") -> dict[str, str]:
        """The query of WeCom's URL verification GET whose plaintext answer is `echo`."""
        echostr = PrpCrypto(self.crypto.key).encrypt(echo, self.corp_id).decode()
        ts = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "msg_signature": _get_signature(self.token, ts, nonce, echostr),
            "timestamp": ts,
            "nonce": nonce,
            "echostr": echostr,
        }
