"""The WeCom callback `GET/POST /wecom/callback` (CONTRACT §4; STYLE "A message's way", step 1).

GET is WeCom's URL verification: check the signature, decrypt `echostr`, answer the
plaintext alone. POST: check the query and the body (size, UTF-8), read its XML with
defusedxml (bot/wecom/inbound.py: no DTD, entities or processing instructions), verify the
signature, decrypt `Encrypt` with wechatpy's cipher, read the inner XML the same way, parse
it to an `Inbound`, refuse another corp or agent, count it against the user's flood limit
(bot/wecom/flood.py: over the limit it is answered politely once and not processed; with Redis,
the count goes with Redis's dedup check, which keeps WeCom's retries from counting twice, in
one round trip), store it in the durable inbox (bot/chat/inbox.py: `INSERT … ON CONFLICT
(key) DO NOTHING`, gathered with the callbacks of the same moment into one statement) —
its unique key decides what is a duplicate, so that dedup survives a Redis flush and a
restart —, hand it to the dispatcher and answer an empty 200 — an empty body means "no
passive reply". A database that cannot store it gets a 503: WeCom sends it again. With
the dispatcher full, the message is stored for later and answered 200 all the same.
WeCom retries a callback that got no 200 within 5 s, three tries in all.

Bad input always gets a 4xx and changes nothing: 400 malformed, 403 signature, corp, agent
or timestamp, 408 too slow a body, 413 over 1 MiB.

https://developer.work.weixin.qq.com/document/path/90930 (callback, URL verification)
https://developer.work.weixin.qq.com/document/path/90968 (crypto)
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web
from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException

from bot.keys import DEDUP, DISPATCHER, INBOX, SETTINGS
from bot.wecom.dedup import DedupStore, RedisDedup
from bot.wecom.flood import FLOOD, TOO_FAST, FloodGuard, MemoryFloodGuard, RedisFloodGuard, Verdict
from bot.wecom.inbound import BadXml, parse_envelope, safe_fields
from handlers.base import Reply
from settings import Settings, valid_aes_key

log = logging.getLogger(__name__)

PATH = "/wecom/callback"
MAX_BODY = 1024 * 1024  # 1 MiB; WeCom's bodies are a few KiB at most
BODY_TIMEOUT = 3.0  # seconds to receive the body; WeCom sends it at once
# A callback whose `timestamp` is further than this from our clock is refused (403): honest
# retries come within minutes, while a captured body replayed later is stopped here (and
# within the window by dedup).
MAX_CLOCK_SKEW = 24 * 3600
MAX_NONCE_LEN = 128
MAX_ECHOSTR_LEN = 4096


@dataclass(frozen=True, slots=True)
class _Callback:
    settings: Settings
    crypto: WeChatCrypto | None  # None when the WeCom callback is not configured (e.g. demo)
    # wechatpy's cipher for the message bodies, made once: `decrypt_message` would build
    # it again for each message, check the signature a second time (ours is checked, in
    # constant time) and, handed XML, read it with xmltodict on plain expat.
    prp: PrpCrypto | None
    flood: FloodGuard  # used unless the app sets FLOOD (app.py: the Redis one)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)  # polite answers being sent


_CALLBACK = web.AppKey("wecom_callback", _Callback)


class _Refuse(Exception):
    """Answer with a 4xx; `reason` goes to the log only."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def setup_callback(app: web.Application) -> None:
    """Add the callback routes; `app[SETTINGS]` must be set, `app[DEDUP]`, `app[INBOX]`
    and `app[DISPATCHER]` must be there before the first POST."""
    settings = app[SETTINGS]
    crypto: WeChatCrypto | None = None
    if settings.token and settings.corp_id and valid_aes_key(settings.aes_key):
        crypto = WeChatCrypto(settings.token, settings.aes_key, settings.corp_id)
    else:
        log.warning("wecom callback not configured: it answers 503")
    prp = PrpCrypto(crypto.key) if crypto is not None else None
    app[_CALLBACK] = _Callback(settings, crypto, prp, MemoryFloodGuard())
    app.router.add_get(PATH, verify_url)
    app.router.add_post(PATH, receive)


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """WeCom's msg_signature: sha1 of the four values sorted and joined (as wechatpy)."""
    parts = sorted(p.encode() for p in (token, timestamp, nonce, encrypted))
    return hashlib.sha1(b"".join(parts)).hexdigest()  # noqa: S324 - WeCom's scheme, not ours


def _check_signature(token: str, sig: str, timestamp: str, nonce: str, encrypted: str) -> None:
    # Constant-time, before wechatpy's own (plain `!=`) comparison.
    expected = signature(token, timestamp, nonce, encrypted)
    if not hmac.compare_digest(expected.encode(), sig.encode("utf-8", "replace")):
        raise _Refuse(403, "bad signature")


def _query(request: web.Request, *, with_echostr: bool) -> tuple[str, str, str, str]:
    """msg_signature, timestamp, nonce (and echostr) from the query; refuse what is off."""
    q = request.query
    sig = q.get("msg_signature", "")
    if not sig:
        raise _Refuse(403, "missing msg_signature")
    timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
    echostr = q.get("echostr", "") if with_echostr else ""
    if not timestamp or not nonce or (with_echostr and not echostr):
        raise _Refuse(400, "missing parameter")
    if len(sig) != 40:
        raise _Refuse(403, "malformed msg_signature")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        raise _Refuse(400, "malformed timestamp")
    if len(nonce) > MAX_NONCE_LEN or len(echostr) > MAX_ECHOSTR_LEN:
        raise _Refuse(400, "parameter too long")
    if abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
        raise _Refuse(403, "timestamp outside the window")
    return sig, timestamp, nonce, echostr


def _configured(request: web.Request) -> tuple[_Callback, WeChatCrypto, PrpCrypto]:
    cb = request.config_dict[_CALLBACK]
    if cb.crypto is None or cb.prp is None:
        raise web.HTTPServiceUnavailable(text="企业微信回调未配置。")
    return cb, cb.crypto, cb.prp


def _refused(request: web.Request, refusal: _Refuse) -> web.Response:
    log.warning(
        "callback refused",
        extra={
            "method": request.method,
            "status": refusal.status,
            "reason": refusal.reason,
            "peer": request.remote,
        },
    )
    return web.Response(status=refusal.status)


async def verify_url(request: web.Request) -> web.Response:
    """WeCom's URL verification: answer the decrypted echostr alone (within 1 s)."""
    cb, crypto, _ = _configured(request)
    try:
        sig, timestamp, nonce, echostr = _query(request, with_echostr=True)
        if " " in echostr:
            # A raw '+' in base64 arrives as a space after form decoding.
            echostr = echostr.replace(" ", "+")
        _check_signature(cb.settings.token, sig, timestamp, nonce, echostr)
        plain = _decrypt(lambda: crypto.check_signature(sig, timestamp, nonce, echostr))
    except _Refuse as refusal:
        return _refused(request, refusal)
    log.info("callback url verified")
    return web.Response(body=plain.encode("utf-8"), content_type="text/plain")


def _decrypt(call: Callable[[], object]) -> str:
    """Run a wechatpy decryption; map its exceptions to refusals."""
    try:
        plain = call()
    except (InvalidSignatureException, InvalidCorpIdException) as exc:
        raise _Refuse(403, type(exc).__name__) from None
    except (ValueError, TypeError, KeyError, IndexError, struct.error) as exc:
        # Not base64, not whole AES blocks, bad padding or length: malformed, not forged.
        raise _Refuse(400, f"undecryptable: {type(exc).__name__}") from None
    if not isinstance(plain, str):
        raise _Refuse(400, "undecryptable")
    return plain


async def _read_body(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise _Refuse(413, "body over 1 MiB")
    content = request.content
    # WeCom's few KiB usually came with the headers: take them without a timer.
    body = content.read_nowait()
    if len(body) > MAX_BODY:
        raise _Refuse(413, "body over 1 MiB")
    if content.is_eof():
        return body
    chunks = [body]
    size = len(body)
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            while chunk := await content.readany():
                size += len(chunk)
                if size > MAX_BODY:
                    raise _Refuse(413, "body over 1 MiB")
                chunks.append(chunk)
    except TimeoutError:
        raise _Refuse(408, "body too slow") from None
    return b"".join(chunks)


def _text(body: bytes) -> str:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refuse(400, "body not UTF-8") from None
    return text.removeprefix("\ufeff")


def _fields(xml: str, where: str) -> dict[str, str]:
    try:
        return safe_fields(xml)
    except BadXml as exc:
        raise _Refuse(400, f"{where} xml refused: {exc}") from None


async def receive(request: web.Request) -> web.Response:
    """An encrypted message or event: check, store, dispatch in the background, answer empty."""
    cb, _, prp = _configured(request)
    settings = cb.settings
    try:
        sig, timestamp, nonce, _ = _query(request, with_echostr=False)
        outer = _fields(_text(await _read_body(request)), "outer")
        encrypted = outer.get("Encrypt", "")
        if not encrypted:
            raise _Refuse(400, "missing Encrypt")
        if outer.get("ToUserName") and outer["ToUserName"] != settings.corp_id:
            raise _Refuse(403, "outer ToUserName is not our corp")
        _check_signature(settings.token, sig, timestamp, nonce, encrypted)
        inner = _decrypt(lambda: prp.decrypt(encrypted, settings.corp_id))
        try:  # defusedxml reads it (DTD, entities, PIs refused); wechatpy gets the fields
            env = parse_envelope(inner, datetime.now(settings.tz))
        except BadXml as exc:
            raise _Refuse(400, f"inner message refused: {exc}") from None
        if env.to_user != settings.corp_id:
            raise _Refuse(403, "ToUserName is not our corp")
        if env.agent_id is not None and env.agent_id != settings.agent_id:
            raise _Refuse(403, "AgentID is not our agent")
    except _Refuse as refusal:
        return _refused(request, refusal)

    inbound = env.inbound
    config = request.config_dict
    dedup = config[DEDUP]
    inbox = config[INBOX]
    # Redis (dedup + flood count, one round trip) and the inbox's INSERT at the same time:
    # the callback waits for the slower of the two, not for both in turn. Stored whatever
    # Redis says: the inbox's unique key decides (a key Redis knows may be one whose
    # process died before storing it). A message over the flood limit (rare) is then
    # marked done before the 200, so that its retries are not handled either.
    admitting = asyncio.ensure_future(_admit(dedup, config.get(FLOOD, cb.flood), env.dedup_key,
                                             inbound.user_id))
    dispatcher = config[DISPATCHER]
    owned = dispatcher.has_room()
    try:
        stored = await inbox.store(env.dedup_key, inbound, owned=owned)
    except Exception as exc:
        # Not stored: WeCom must send it again (and Redis must not call that a duplicate).
        log.error("callback not stored: 503, WeCom retries",
                  extra={"dedup_key": env.dedup_key, "user": inbound.user_id, "error": type(exc).__name__})
        if await _verdict(admitting) is not None:
            await dedup.forget(env.dedup_key)
        return web.Response(status=503)
    verdict = await _verdict(admitting)
    refused = verdict is not None and verdict is not Verdict.OK
    if refused and stored is not None:
        try:
            await inbox.refuse(stored.id)
        except Exception as exc:  # stored, not marked: handled after all, rather than lost
            log.error("flood refusal not written: the message is handled",
                      extra={"dedup_key": env.dedup_key, "user": inbound.user_id,
                             "error": type(exc).__name__})
            refused = False
    if refused:
        # 200 all the same: a retry would only add to the flood.
        log.warning("callback flood: not processed", extra={"user": inbound.user_id,
                                                             "dedup_key": env.dedup_key})
        if verdict is Verdict.FIRST_OVER and stored is not None:
            _answer_flood(request, cb, inbound.user_id)
        return web.Response(status=200)
    if stored is None:
        log.info("callback duplicate", extra={"dedup_key": env.dedup_key, "user": inbound.user_id})
        return web.Response(status=200)
    if owned:
        # `behind`: an older message of the user is unfinished elsewhere (a process
        # that died with it, the overload): the dispatcher takes that one first.
        dispatcher.submit(inbound, stored.id, behind=stored.behind)
    else:  # the recovery takes it when there is room
        log.warning("callback stored for later: dispatcher full",
                    extra={"dedup_key": env.dedup_key, "user": inbound.user_id})
    if log.isEnabledFor(logging.DEBUG):  # the dispatcher's "handled" is the INFO line
        log.debug("callback accepted", extra={"dedup_key": env.dedup_key, "user": inbound.user_id,
                                              "kind": str(inbound.kind), "text_len": len(inbound.text)})
    return web.Response(status=200)


async def _verdict(admitting: asyncio.Future[Verdict | None]) -> Verdict | None:
    """`_admit`'s answer; Verdict.OK when it failed (the dedup and the flood guard fall
    back on their own; whatever else went wrong, the stored message is handled)."""
    try:
        return await admitting
    except Exception:
        log.exception("dedup and flood check failed: taken as new")
        return Verdict.OK


async def _admit(dedup: DedupStore, flood: FloodGuard, key: str, user_id: str) -> Verdict | None:
    """None for a delivery seen before; else the flood verdict, which counts new deliveries
    only. Dedup and flood guard on the same Redis do both in one round trip."""
    if (isinstance(dedup, RedisDedup) and isinstance(flood, RedisFloodGuard)
            and flood.redis is dedup.redis):
        count = await dedup.first_time_counted(key, *flood.counter(user_id))
        if count is None:
            return None
        return flood.verdict(count) if count else await flood.check(user_id)
    if not await dedup.first_time(key):
        return None
    return await flood.check(user_id)


def _answer_flood(request: web.Request, cb: _Callback, user_id: str) -> None:
    """Tell the user once per window, in the background (sending may take a while)."""

    async def send() -> None:
        try:
            await request.config_dict[DISPATCHER].send_reply(user_id, Reply(TOO_FAST))
        except Exception:
            log.exception("flood answer failed", extra={"user": user_id})

    task = asyncio.create_task(send(), name=f"flood:{user_id}")
    cb.tasks.add(task)
    task.add_done_callback(cb.tasks.discard)
