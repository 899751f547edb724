"""Each kind of WeCom message or event becomes the right typed `Inbound`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.wecom.inbound import (
    MAX_XML_LEN,
    BadXml,
    dedup_key,
    parse_envelope,
    parse_inbound,
    safe_fields,
    wechatpy_message,
)
from handlers.base import Channel, InboundKind
from tests.bot.wecomsim import message_xml
from tests.conftest import TEST_AGENT_ID, TEST_CORP_ID


def xml(msg_type: str, fields: dict[str, str | int | float], **kw: object) -> str:
    return message_xml(msg_type, "zhangsan", TEST_CORP_ID, TEST_AGENT_ID, fields, create_time=1795000000, **kw)  # type: ignore[arg-type]


def test_text(now: datetime) -> None:
    msg = parse_inbound(xml("text", {"Content": "明天下午两点要车"}, msg_id="1001"), now)
    assert (msg.kind, msg.text, msg.user_id, msg.msg_id) == (InboundKind.TEXT, "明天下午两点要车", "zhangsan", "1001")
    assert msg.received_at == now and msg.channel is Channel.WECOM


def test_image(now: datetime) -> None:
    msg = parse_inbound(xml("image", {"PicUrl": "http://x/p.jpg", "MediaId": "media-1"}), now)
    assert (msg.kind, msg.media_id, msg.pic_url, msg.text) == (
        InboundKind.IMAGE, "media-1", "http://x/p.jpg", "")


def test_voice_with_recognition(now: datetime) -> None:
    msg = parse_inbound(xml("voice", {"MediaId": "v-1", "Format": "amr", "Recognition": "帮助"}), now)
    assert (msg.kind, msg.media_id, msg.text) == (InboundKind.VOICE, "v-1", "帮助")


def test_voice_without_recognition(now: datetime) -> None:
    msg = parse_inbound(xml("voice", {"MediaId": "v-2", "Format": "amr"}), now)
    assert (msg.kind, msg.media_id, msg.text) == (InboundKind.VOICE, "v-2", "")


def test_location(now: datetime) -> None:
    msg = parse_inbound(
        xml("location", {"Location_X": 31.2304, "Location_Y": 121.4737, "Scale": 15, "Label": "上海市黄浦区"}), now
    )
    assert msg.kind is InboundKind.LOCATION
    assert (msg.latitude, msg.longitude, msg.label) == (31.2304, 121.4737, "上海市黄浦区")


def test_location_out_of_range_is_dropped(now: datetime) -> None:
    msg = parse_inbound(xml("location", {"Location_X": "999", "Location_Y": "abc", "Label": ""}), now)
    assert (msg.kind, msg.latitude, msg.longitude) == (InboundKind.LOCATION, None, None)


def test_menu_click(now: datetime) -> None:
    env = parse_envelope(xml("event", {"Event": "click", "EventKey": "menu_help"}), now)
    assert (env.inbound.kind, env.inbound.event_key) == (InboundKind.MENU_CLICK, "menu_help")
    assert env.dedup_key == "evt:zhangsan:1795000000:click:menu_help"
    assert env.inbound.msg_id == "zhangsan:1795000000:click:menu_help"


def test_enter_agent(now: datetime) -> None:
    env = parse_envelope(xml("event", {"Event": "enter_agent", "EventKey": ""}), now)
    assert env.inbound.kind is InboundKind.ENTER_AGENT
    assert env.dedup_key == "evt:zhangsan:1795000000:enter_agent"


def test_template_card_event(now: datetime) -> None:
    fields: dict[str, str | int | float] = {
        "Event": "template_card_event",
        "EventKey": "approve",
        "TaskId": "req-1024-step-1",
        "CardType": "button_interaction",
        "ResponseCode": "REsp0nseC0de",
    }
    env = parse_envelope(xml("event", fields) .replace("</xml>", "<SelectedItems><SelectedItem><QuestionKey>q</QuestionKey></SelectedItem></SelectedItems></xml>"), now)
    msg = env.inbound
    assert (msg.kind, msg.event_key, msg.task_id, msg.response_code) == (
        InboundKind.CARD_EVENT,
        "approve",
        "req-1024-step-1",
        "REsp0nseC0de",
    )
    assert env.dedup_key.startswith("evt:zhangsan:1795000000:template_card_event")


@pytest.mark.parametrize(
    ("msg_type", "fields"),
    [
        ("video", {"MediaId": "m", "ThumbMediaId": "t"}),
        ("link", {"Title": "t", "Description": "d", "Url": "http://x", "PicUrl": "http://p"}),
        ("event", {"Event": "LOCATION", "Latitude": 23.1, "Longitude": 113.3, "Precision": 30}),
        ("event", {"Event": "view", "EventKey": "http://x"}),
        ("event", {"Event": "subscribe"}),
        ("event", {"Event": "some_future_event"}),
        ("mystery", {"Whatever": "x"}),
    ],
)
def test_others_are_other(now: datetime, msg_type: str, fields: dict[str, str | int | float]) -> None:
    assert parse_inbound(xml(msg_type, fields), now).kind is InboundKind.OTHER


def test_envelope_carries_corp_and_agent(now: datetime) -> None:
    env = parse_envelope(xml("text", {"Content": "x"}, msg_id="77"), now)
    assert (env.to_user, env.agent_id, env.create_time, env.dedup_key) == (TEST_CORP_ID, TEST_AGENT_ID, 1795000000, "msg:77")
    no_agent = message_xml("text", "u", TEST_CORP_ID, None, {"Content": "x"})
    assert parse_envelope(no_agent, now).agent_id is None


def test_dedup_key() -> None:
    assert dedup_key({"MsgId": "5", "FromUserName": "u", "CreateTime": "1"}) == "msg:5"
    assert dedup_key({"FromUserName": "u", "CreateTime": "1", "Event": "ENTER_AGENT"}) == "evt:u:1:enter_agent"


@pytest.mark.parametrize(
    "bad",
    [
        '<!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>',
        "<xml><A>&undeclared;</A></xml>",
        '<?xml-stylesheet href="x"?><xml/>',
        "<xml><?pi x?></xml>",
        "<root/>",
        "<xml><A>1</A><A>2</A></xml>",
        "<xml>",
        "",
    ],
)
def test_safe_fields_refuses(bad: str) -> None:
    with pytest.raises(BadXml):
        safe_fields(bad)


def test_safe_fields_keeps_cdata_that_looks_hostile() -> None:
    fields = safe_fields('<?xml version="1.0" encoding="utf-8"?><xml><Content><![CDATA[<!DOCTYPE x> <?php ?> &lol;]]></Content></xml>')
    assert fields == {"Content": "<!DOCTYPE x> <?php ?> &lol;"}


@pytest.mark.parametrize(
    "fields",
    [
        {"Content": "x", "FromUserName": ""},
        {"Content": "x", "FromUserName": "u" * 200},
    ],
)
def test_parse_refuses_bad_ids(now: datetime, fields: dict[str, str]) -> None:
    body = message_xml("text", "placeholder", TEST_CORP_ID, TEST_AGENT_ID, {"Content": "x"})
    body = body.replace("<![CDATA[placeholder]]>", f"<![CDATA[{fields['FromUserName']}]]>")
    with pytest.raises(BadXml):
        parse_envelope(body, now)


def test_nested_elements_give_plain_strings(now: datetime) -> None:
    body = xml("text", {"Content": "x"}).replace("<Content><![CDATA[x]]></Content>", "<Content><a>1</a></Content>")
    msg = parse_inbound(body, now)
    assert (msg.kind, msg.text) == (InboundKind.TEXT, "")


SAMPLES = [
    ("text", {"Content": "x"}),
    ("image", {"MediaId": "m", "PicUrl": "p"}),
    ("voice", {"MediaId": "m", "Format": "amr"}),
    ("location", {"Location_X": 1.0, "Location_Y": 2.0, "Label": "l"}),
    ("video", {"MediaId": "m"}),
    ("event", {"Event": "click", "EventKey": "k"}),
    ("event", {"Event": "enter_agent"}),
    ("event", {"Event": "template_card_event", "EventKey": "k"}),
    ("event", {"Event": "LOCATION", "Latitude": 1.0}),
    ("mystery", {}),
]


@pytest.mark.parametrize(("msg_type", "fields"), SAMPLES)
def test_same_class_as_wechatpy_parse_message(msg_type: str, fields: dict[str, str | int | float]) -> None:
    from wechatpy.enterprise import parse_message

    body = xml(msg_type, fields)
    parsed = safe_fields(body)
    ours = wechatpy_message(msg_type, str(parsed.get("Event", "")).lower(), parsed)
    assert type(ours) is type(parse_message(body))


# --- what defusedxml reads is what wechatpy would have read, and nothing hostile -------


_tags = st.sampled_from(["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content",
                         "MsgId", "AgentID", "Event", "xml", "a.b", "_x", "A-1"])
_texts = st.one_of(st.text(max_size=30), st.sampled_from(
    ["", " ", "帮助", "a]]>b", "]]", "]", "&amp;", "&lt;", "&#20013;", "<b>", "a\r\nb", "\x00",
     "\x0b", "\t", "\u3000", "\ufffe", "</Content>", "<![CDATA[", "1795800113"]))
_leads = st.sampled_from(["", " ", "\n", "<?xml version='1.0'?>", '<?xml version="1.0" encoding="utf-8"?>\n'])
_seps = st.sampled_from(["", " ", "\n  ", "\u3000"])


def _field(tag: str, text: str, cdata: bool) -> str:
    return f"<{tag}><![CDATA[{text}]]></{tag}>" if cdata else f"<{tag}>{text}</{tag}>"


def _outcome(read: Any, xml: str) -> Any:
    try:
        return read(xml)
    except BadXml:
        return "refused"


def _as_wechatpy_reads(xml: str) -> Any:
    """What wechatpy's own reading (xmltodict, as `parse_message` does) gives, as plain
    strings; "refused" where it fails, or where it would make a list of a repeated tag."""
    import xmltodict

    try:
        root = xmltodict.parse(xml)
    except Exception:
        return "refused"
    if list(root) != ["xml"]:
        return "refused"
    fields = root["xml"] or {}
    if isinstance(fields, str) or any(isinstance(v, list) for v in fields.values()):
        return "refused"
    return {k: v or "" for k, v in fields.items()}


@hsettings(max_examples=400, deadline=None)
@given(fields=st.lists(st.tuples(_tags, _texts, st.booleans()), max_size=6), lead=_leads, sep=_seps)
def test_reads_what_wechatpy_reads(fields: list[tuple[str, str, bool]], lead: str, sep: str) -> None:
    """On documents without any DTD, safe_fields gives the values wechatpy's own xmltodict
    reading would, refuses what that refuses, and refuses a repeated field."""
    xml = lead + "<xml>" + sep.join(_field(t, v, c) for t, v, c in fields) + "</xml>"
    assert _outcome(safe_fields, xml) == _as_wechatpy_reads(xml)


_hostile_prologues = st.sampled_from([
    "<!DOCTYPE xml>",
    '<!DOCTYPE xml [<!ENTITY a "b">]>',
    '<!DOCTYPE xml [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>',
    '<!DOCTYPE xml SYSTEM "http://127.0.0.1:1/x.dtd">',
    '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://127.0.0.1:1/p.dtd"> %p;]>',
    '<?xml-stylesheet href="x"?>',
    "<?php echo 1; ?>",
])
_hostile_refs = st.sampled_from(["", "&a;", "&lol2;", "&xxe;", "&undeclared;"])


@hsettings(max_examples=200, deadline=None)
@given(prologue=_hostile_prologues, ref=_hostile_refs, fields=st.lists(st.tuples(_tags, _texts, st.booleans()), max_size=4),
       lead=st.sampled_from(["", '<?xml version="1.0"?>\n']))
def test_any_dtd_entity_or_pi_is_refused(prologue: str, ref: str, fields: list[tuple[str, str, bool]],
                                         lead: str) -> None:
    xml = lead + prologue + "<xml>" + "".join(_field(t, v, c) for t, v, c in fields) + f"<X>{ref}</X></xml>"
    assert _outcome(safe_fields, xml) == "refused"


@pytest.mark.parametrize("bad", ["<xml><A>&undeclared;</A></xml>", "<xml><A>&lol;</A></xml>",
                                 "<xml><?pi x?><A>1</A></xml>", "<xml><A>1</A></xml><?pi x?>"])
def test_undeclared_entities_and_pis_anywhere_are_refused(bad: str) -> None:
    with pytest.raises(BadXml):
        safe_fields(bad)


def test_a_wecom_message_is_read_whole() -> None:
    xml = ("<xml><ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[zhangsan]]>"
           "</FromUserName><CreateTime>1795800113</CreateTime><MsgType><![CDATA[text]]></MsgType>"
           "<Content><![CDATA[帮助 </Content> ]]></Content><MsgId>7000000000000000001</MsgId>"
           "<AgentID>1000002</AgentID></xml>")
    assert safe_fields(xml) == {"ToUserName": "ww1", "FromUserName": "zhangsan",
                                "CreateTime": "1795800113", "MsgType": "text",
                                "Content": "帮助 </Content>", "MsgId": "7000000000000000001",
                                "AgentID": "1000002"}
    assert safe_fields(xml) == _as_wechatpy_reads(xml)


def test_size_limit() -> None:
    filler = " " * (MAX_XML_LEN - len("<xml><A>x</A></xml>"))
    assert safe_fields("<xml><A>x</A>" + filler + "</xml>") == {"A": "x"}
    with pytest.raises(BadXml, match="too long"):
        safe_fields("<xml><A>x</A>" + filler + " </xml>")
