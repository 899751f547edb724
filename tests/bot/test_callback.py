"""The callback as WeCom drives it: URL verification, encrypted POSTs, retries, and every
hostile body getting a 4xx with nothing dispatched."""

from __future__ import annotations

import asyncio
import base64
import time
from dataclasses import replace

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient
from wechatpy.crypto import _get_signature

from bot.wecom import callback
from bot.wecom.dedup import DedupStore, MemoryDedup, RedisDedup
from handlers.base import InboundKind
from settings import Settings
from tests.bot.conftest import ClientFactory, KeyedInbox, Recorder, callback_app, log_text
from tests.bot.wecomsim import WeComSim
from tests.conftest import TEST_AES_KEY, TEST_AGENT_ID, TEST_CORP_ID, TEST_TOKEN

URL = "/wecom/callback"
OTHER_AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"


# --- URL verification -----------------------------------------------------------------


async def test_verification_answers_the_plaintext_alone(client: TestClient, sim: WeComSim) -> None:
    resp = await client.get(URL, params=sim.verify("1616140317555161061"))
    assert resp.status == 200
    assert await resp.read() == b"1616140317555161061"
    assert resp.content_type == "text/plain"


async def test_verification_with_a_raw_plus_in_echostr(client: TestClient, sim: WeComSim) -> None:
    # Find an echo whose ciphertext has a '+', and send it unencoded: it arrives as a space.
    for i in range(200):
        query = sim.verify(f"echo{i}")
        if "+" in query["echostr"]:
            break
    else:
        pytest.skip("no '+' in 200 ciphertexts")
    raw = "&".join(f"{k}={v}" for k, v in query.items())
    resp = await client.get(f"{URL}?{raw}")
    assert resp.status == 200
    assert await resp.text() == f"echo{i}"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"msg_signature": "0" * 40}, 403),
        ({"msg_signature": None}, 403),
        ({"msg_signature": "short"}, 403),
        ({"echostr": None}, 400),
        ({"nonce": None}, 400),
        ({"timestamp": None}, 400),
        ({"timestamp": "12ab"}, 400),
        ({"echostr": "x" * 5000}, 400),
    ],
)
async def test_verification_refused(
    client: TestClient, sim: WeComSim, change: dict[str, str | None], status: int
) -> None:
    query = sim.verify("hello")
    for key, value in change.items():
        if value is None:
            query.pop(key)
        else:
            query[key] = value
    resp = await client.get(URL, params=query)
    assert resp.status == status
    assert await resp.read() == b""


async def test_verification_with_another_token_is_403(client: TestClient, settings: Settings) -> None:
    other = WeComSim("othertoken", settings.aes_key, settings.corp_id, settings.agent_id)
    resp = await client.get(URL, params=other.verify("hello"))
    assert resp.status == 403


async def test_verification_of_another_corp_is_403(client: TestClient, settings: Settings) -> None:
    other = WeComSim(settings.token, settings.aes_key, "wwothercorp", settings.agent_id)
    resp = await client.get(URL, params=other.verify("hello"))
    assert resp.status == 403


async def test_verification_with_an_old_timestamp_is_403(client: TestClient, sim: WeComSim) -> None:
    old = int(time.time()) - callback.MAX_CLOCK_SKEW - 60
    resp = await client.get(URL, params=sim.verify("hello", timestamp=old))
    assert resp.status == 403


async def test_verification_is_fast(client: TestClient, sim: WeComSim) -> None:
    started = time.perf_counter()
    for i in range(20):
        assert (await client.get(URL, params=sim.verify(f"e{i}"))).status == 200
    assert (time.perf_counter() - started) / 20 < 0.05  # WeCom allows 1 s


# --- messages ---------------------------------------------------------------------------


async def post(client: TestClient, query: dict[str, str], body: str | bytes) -> tuple[int, bytes]:
    resp = await client.post(URL, params=query, data=body, headers={"Content-Type": "text/xml"})
    return resp.status, await resp.read()


async def test_text_message_is_dispatched_and_answered_empty(
    client: TestClient, sim: WeComSim, recorder: Recorder, settings: Settings
) -> None:
    query, body = sim.post(sim.text("zhangsan", "帮我订明天下午的车", msg_id="1234567"))
    status, answer = await post(client, query, body)
    assert (status, answer) == (200, b"")
    [inbound] = recorder.inbound
    assert inbound.user_id == "zhangsan"
    assert inbound.kind is InboundKind.TEXT
    assert inbound.text == "帮我订明天下午的车"
    assert inbound.msg_id == "1234567"
    assert inbound.received_at.tzinfo is not None
    assert inbound.received_at.utcoffset() == settings.tz.utcoffset(inbound.received_at)


async def test_same_message_three_times_is_handled_once(
    aiohttp_client: ClientFactory, settings: Settings, sim: WeComSim, dedup: DedupStore
) -> None:
    recorder = Recorder()
    client = await aiohttp_client(callback_app(settings, dedup, recorder))
    xml = sim.text("zhangsan", "你好")
    # WeCom retries with a new timestamp and nonce, the same inner message.
    for attempt in range(3):
        query, body = sim.post(xml, nonce=f"n{attempt}")
        assert await post(client, query, body) == (200, b"")
    assert len(recorder.inbound) == 1


async def test_same_message_at_once_is_handled_once(
    aiohttp_client: ClientFactory, settings: Settings, sim: WeComSim, dedup: DedupStore
) -> None:
    recorder = Recorder()
    client = await aiohttp_client(callback_app(settings, dedup, recorder))
    xml = sim.text("zhangsan", "你好")
    results = await asyncio.gather(*(post(client, *sim.post(xml)) for _ in range(5)))
    assert all(r == (200, b"") for r in results)
    assert len(recorder.inbound) == 1


async def test_two_processes_sharing_redis_handle_a_retry_once(
    aiohttp_client: ClientFactory,
    settings: Settings,
    sim: WeComSim,
    redis_client: aioredis.Redis,
    redis_prefix: str,
) -> None:
    first, second = Recorder(), Recorder()
    shared = KeyedInbox()  # one database
    a = await aiohttp_client(callback_app(settings, RedisDedup(redis_client, redis_prefix), first, shared))
    b = await aiohttp_client(callback_app(settings, RedisDedup(redis_client, redis_prefix), second, shared))
    xml = sim.text("zhangsan", "你好")
    assert await post(a, *sim.post(xml)) == (200, b"")
    assert await post(b, *sim.post(xml)) == (200, b"")
    assert len(first.inbound) + len(second.inbound) == 1


async def test_distinct_messages_are_all_dispatched_in_order(
    client: TestClient, sim: WeComSim, recorder: Recorder
) -> None:
    for i in range(5):
        assert await post(client, *sim.post(sim.text("zhangsan", f"m{i}"))) == (200, b"")
    assert [m.text for m in recorder.inbound] == [f"m{i}" for i in range(5)]


async def test_events_dedup_by_user_and_create_time(client: TestClient, sim: WeComSim, recorder: Recorder) -> None:
    created = int(time.time())
    enter = sim.event("zhangsan", "enter_agent", create_time=created)
    click = sim.event("zhangsan", "click", {"EventKey": "help"}, create_time=created)
    other_user = sim.event("lisi", "enter_agent", create_time=created)
    for xml in (enter, enter, click, click, other_user):
        assert await post(client, *sim.post(xml)) == (200, b"")
    assert [(m.user_id, m.kind) for m in recorder.inbound] == [
        ("zhangsan", InboundKind.ENTER_AGENT),
        ("zhangsan", InboundKind.MENU_CLICK),
        ("lisi", InboundKind.ENTER_AGENT),
    ]


async def test_template_card_event_reaches_the_dispatcher(
    client: TestClient, sim: WeComSim, recorder: Recorder
) -> None:
    xml = sim.event(
        "lichu",
        "template_card_event",
        {"EventKey": "approve:1024", "TaskId": "task-1024", "CardType": "button_interaction", "ResponseCode": "rc-abc"},
    )
    assert await post(client, *sim.post(xml)) == (200, b"")
    [inbound] = recorder.inbound
    assert (inbound.kind, inbound.event_key, inbound.task_id, inbound.response_code) == (
        InboundKind.CARD_EVENT,
        "approve:1024",
        "task-1024",
        "rc-abc",
    )


@pytest.mark.parametrize("store", ["memory", "redis"])
async def test_a_message_not_stored_is_503_and_retried_by_wecom(
    aiohttp_client: ClientFactory, settings: Settings, sim: WeComSim, store: str,
    redis_client: aioredis.Redis, redis_prefix: str,
) -> None:
    recorder, inbox = Recorder(), KeyedInbox()
    dedup = MemoryDedup() if store == "memory" else RedisDedup(redis_client, redis_prefix)
    client = await aiohttp_client(callback_app(settings, dedup, recorder, inbox))
    xml = sim.text("zhangsan", "你好")
    inbox.fail = True  # the database cannot store it
    status, _ = await post(client, *sim.post(xml))
    assert status == 503  # WeCom sends it again
    assert recorder.inbound == []  # nothing dispatched
    inbox.fail = False
    assert await post(client, *sim.post(xml)) == (200, b"")
    assert len(recorder.inbound) == 1 and recorder.ids == [1]


async def test_a_key_redis_knows_but_the_inbox_does_not_is_stored_and_handled(
    aiohttp_client: ClientFactory, settings: Settings, sim: WeComSim,
    redis_client: aioredis.Redis, redis_prefix: str,
) -> None:
    """A process that set the Redis key and died before storing: the retry is handled."""
    recorder = Recorder()
    dedup = RedisDedup(redis_client, redis_prefix)
    client = await aiohttp_client(callback_app(settings, dedup, recorder))
    xml = sim.text("zhangsan", "你好", msg_id="777001")
    assert await dedup.first_time("777001")  # as the dead process did
    assert await post(client, *sim.post(xml)) == (200, b"")
    assert len(recorder.inbound) == 1


async def test_with_the_dispatcher_full_the_message_is_stored_for_later_and_answered(
    client: TestClient, sim: WeComSim, recorder: Recorder
) -> None:
    recorder.full = True
    assert await post(client, *sim.post(sim.text("zhangsan", "你好"))) == (200, b"")
    assert recorder.inbound == []  # left to the inbox's recovery


async def test_unconfigured_callback_answers_503(
    aiohttp_client: ClientFactory, settings: Settings, sim: WeComSim
) -> None:
    recorder = Recorder()
    from bot.wecom.dedup import MemoryDedup

    client = await aiohttp_client(callback_app(replace(settings, aes_key=""), MemoryDedup(), recorder))
    assert (await client.get(URL, params=sim.verify("x"))).status == 503
    assert (await post(client, *sim.post(sim.text("u", "x"))))[0] == 503
    assert recorder.inbound == []


# --- hostile and malformed bodies -------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
"""
EXTERNAL = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def signed_outer(sim: WeComSim, encrypted: str, prologue: str = "", inner_field: str = "") -> tuple[dict[str, str], str]:
    ts, nonce = str(int(time.time())), "nonce1"
    sig = _get_signature(sim.token, ts, nonce, encrypted)
    body = (
        f"{prologue}<xml><ToUserName><![CDATA[{sim.corp_id}]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt>{inner_field}<AgentID>{sim.agent_id}</AgentID></xml>"
    )
    return {"msg_signature": sig, "timestamp": ts, "nonce": nonce}, body


def hostile_cases(sim: WeComSim, settings: Settings) -> dict[str, tuple[dict[str, str], str | bytes, int]]:
    good_xml = sim.text("zhangsan", "你好")
    good_query, good_body = sim.post(good_xml)
    encrypted = sim.encrypt(good_xml)[0]
    inner_ok = good_xml.removeprefix("<xml>")
    cases: dict[str, tuple[dict[str, str], str | bytes, int]] = {}

    q, b = signed_outer(sim, encrypted, BILLION_LAUGHS, "<Lol>&lol3;</Lol>")
    cases["outer billion laughs"] = (q, b, 400)
    q, b = signed_outer(sim, encrypted, EXTERNAL, "<X>&xxe;</X>")
    cases["outer external entity"] = (q, b, 400)
    q, b = signed_outer(sim, encrypted, '<!DOCTYPE xml>\n')
    cases["outer bare doctype"] = (q, b, 400)
    q, b = signed_outer(sim, encrypted, '<?xml-stylesheet href="x"?>')
    cases["outer processing instruction"] = (q, b, 400)
    q, b = signed_outer(sim, encrypted, "", "<Y>&undeclared;</Y>")
    cases["outer undeclared entity"] = (q, b, 400)

    inner_hostile = {
        "inner billion laughs": BILLION_LAUGHS + "<xml><Lol>&lol3;</Lol>" + inner_ok,
        "inner external entity": EXTERNAL + "<xml><X>&xxe;</X>" + inner_ok,
        "inner doctype": "<!DOCTYPE xml>" + good_xml,
        "inner processing instruction": "<?php echo 1; ?>" + good_xml,
        "inner undeclared entity": "<xml><Content>&amp;&foo;</Content>" + inner_ok,
        "inner not xml": "not xml at all",
        "inner wrong root": good_xml.replace("<xml>", "<root>").replace("</xml>", "</root>"),
        "inner repeated MsgType": good_xml.replace("</xml>", "<MsgType>voice</MsgType></xml>"),
        "inner without FromUserName": good_xml.replace("<FromUserName><![CDATA[zhangsan]]></FromUserName>", ""),
        "inner without MsgType": good_xml.replace("<MsgType><![CDATA[text]]></MsgType>", ""),
        "inner bad CreateTime": good_xml.replace("<CreateTime>", "<CreateTime>x"),
        "inner bad AgentID": good_xml.replace(f"<AgentID>{sim.agent_id}", "<AgentID>x"),
    }
    for name, xml in inner_hostile.items():
        q, b = sim.post(xml)
        cases[name] = (q, b, 400)

    cases["over 1 MiB"] = (good_query, good_body + " " * (callback.MAX_BODY + 1), 413)
    cases["non-UTF-8"] = (good_query, good_body.replace("<xml>", "<xml><N>\u4e2d</N>").encode("gbk"), 400)
    cases["garbage"] = (good_query, b"\x00\x01garbage<<<", 400)
    cases["empty body"] = (good_query, b"", 400)
    cases["missing Encrypt"] = (good_query, f"<xml><ToUserName>{sim.corp_id}</ToUserName></xml>", 400)
    cases["json body"] = (good_query, '{"Encrypt": "abc"}', 400)
    q, b = signed_outer(sim, "not-base64!!")
    cases["signed garbage ciphertext"] = (q, b, 400)
    q, b = signed_outer(sim, base64.b64encode(b"x" * 33).decode())
    cases["signed ciphertext of a partial block"] = (q, b, 400)

    other_corp = WeComSim(settings.token, settings.aes_key, "wwothercorp", settings.agent_id)
    q, b = other_corp.post(good_xml)
    cases["encrypted for another corp"] = (q, b, 403)
    other_key = WeComSim(settings.token, OTHER_AES_KEY, settings.corp_id, settings.agent_id)
    q, b = other_key.post(good_xml)
    cases["encrypted with another key"] = (q, b, 0)  # garbage after decryption: 400 or 403
    q, b = sim.post(good_xml.replace(f"<![CDATA[{sim.corp_id}]]>", "<![CDATA[wwothercorp]]>"))
    cases["wrong inner ToUserName"] = (q, b, 403)
    q, b = sim.post(good_xml, outer_to="wwothercorp")
    cases["wrong outer ToUserName"] = (q, b, 403)
    q, b = sim.post(good_xml.replace(f"<AgentID>{sim.agent_id}", "<AgentID>1000099"))
    cases["wrong AgentID"] = (q, b, 403)

    cases["wrong signature"] = ({**good_query, "msg_signature": "f" * 40}, good_body, 403)
    cases["signature of another token"] = (
        WeComSim("othertoken", settings.aes_key, settings.corp_id, settings.agent_id).post(good_xml)[0],
        good_body,
        403,
    )
    cases["missing msg_signature"] = ({k: v for k, v in good_query.items() if k != "msg_signature"}, good_body, 403)
    cases["missing timestamp"] = ({k: v for k, v in good_query.items() if k != "timestamp"}, good_body, 400)
    cases["missing nonce"] = ({k: v for k, v in good_query.items() if k != "nonce"}, good_body, 400)
    cases["no query at all"] = ({}, good_body, 403)
    q, b = sim.post(good_xml, timestamp=int(time.time()) - callback.MAX_CLOCK_SKEW - 60)
    cases["old timestamp"] = (q, b, 403)
    q, b = sim.post(good_xml, timestamp=int(time.time()) + callback.MAX_CLOCK_SKEW + 60)
    cases["future timestamp"] = (q, b, 403)
    return cases


_NAMING = Settings(corp_id=TEST_CORP_ID, agent_id=TEST_AGENT_ID, token=TEST_TOKEN, aes_key=TEST_AES_KEY)
CASE_NAMES = sorted(hostile_cases(WeComSim(TEST_TOKEN, TEST_AES_KEY, TEST_CORP_ID, TEST_AGENT_ID), _NAMING))


@pytest.mark.parametrize("case", CASE_NAMES)
async def test_hostile_body_is_refused_and_changes_nothing(
    aiohttp_client: ClientFactory, settings: Settings, sim: WeComSim, case: str
) -> None:
    from bot.wecom.dedup import MemoryDedup

    recorder, dedup = Recorder(), MemoryDedup()
    client = await aiohttp_client(callback_app(settings, dedup, recorder))
    query, body, expected = hostile_cases(sim, settings)[case]
    status, answer = await post(client, query, body)
    assert status == expected if expected else status in (400, 403), case
    assert recorder.inbound == []
    assert len(dedup) == 0  # nothing was marked as seen either


async def test_body_of_exactly_1_mib_is_read(client: TestClient, sim: WeComSim, recorder: Recorder) -> None:
    query, body = sim.post(sim.text("zhangsan", "你好"))
    padded = body + " " * (callback.MAX_BODY - len(body.encode()))
    assert len(padded.encode()) == callback.MAX_BODY
    assert await post(client, query, padded) == (200, b"")
    assert len(recorder.inbound) == 1


async def test_wrong_agent_of_the_same_corp_is_refused_then_ours_accepted(
    client: TestClient, sim: WeComSim, recorder: Recorder
) -> None:
    xml = sim.text("zhangsan", "你好", msg_id="42")
    wrong = xml.replace(f"<AgentID>{sim.agent_id}", "<AgentID>1000099")
    assert (await post(client, *sim.post(wrong)))[0] == 403
    # The refused copy did not mark the MsgId as seen.
    assert await post(client, *sim.post(xml)) == (200, b"")
    assert len(recorder.inbound) == 1


async def test_message_without_agent_id_is_accepted(client: TestClient, settings: Settings, recorder: Recorder) -> None:
    sim = WeComSim(settings.token, settings.aes_key, settings.corp_id, settings.agent_id)
    from tests.bot.wecomsim import message_xml

    xml = message_xml("text", "zhangsan", settings.corp_id, None, {"Content": "hi"})
    assert await post(client, *sim.post(xml)) == (200, b"")
    assert len(recorder.inbound) == 1


# --- logs -------------------------------------------------------------------------------


async def test_logs_carry_no_secret_nor_content(
    client: TestClient, sim: WeComSim, settings: Settings, logs: pytest.LogCaptureFixture
) -> None:
    secret_text = "我的身份证号是310101199001011234"
    await client.get(URL, params=sim.verify("echo-plaintext-9876"))
    xml = sim.text("zhangsan", secret_text)
    await post(client, *sim.post(xml))
    await post(client, *sim.post(xml))  # duplicate
    await post(client, {"msg_signature": "0" * 40, "timestamp": str(int(time.time())), "nonce": "n"}, "<xml/>")
    text = log_text(logs.records)
    assert "callback accepted" in text and "callback duplicate" in text and "callback refused" in text
    for forbidden in (settings.token, settings.aes_key, settings.secret, "echo-plaintext-9876", "310101199001011234", "身份证"):
        assert forbidden not in text
