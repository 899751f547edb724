"""WeCom callback XML → the typed `Inbound` the dispatcher takes (STYLE "A message's way", step 1).

Both documents of a callback — the outer envelope (`ToUserName`, `Encrypt`, `AgentID`) and
the decrypted message — are read once, by defusedxml (`safe_fields`): no DTD, no entity
declaration or expansion, no external reference; also no processing instruction, one flat
`<xml>` element and a size limit. wechatpy is then fed what defusedxml read, never the raw
XML: wechatpy 1.8.18 would read both documents with xmltodict on the standard library's
expat (`WeChatCrypto.decrypt_message` parses the envelope unless handed a dict,
`wechatpy.enterprise.parse_message` the message), so the callback hands the `Encrypt`
field to wechatpy's cipher and the message fields to the class registries of
`parse_message` (`wechatpy_message`). wechatpy 1.8.18 knows no `template_card_event` and
gives `UnknownMessage`: its fields are read from the raw fields.

Message and event fields: https://developer.work.weixin.qq.com/document/path/90239 (messages),
https://developer.work.weixin.qq.com/document/path/90240 (events).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from wechatpy.enterprise import events, messages
from wechatpy.enterprise.events import EVENT_TYPES
from wechatpy.enterprise.messages import MESSAGE_TYPES
from wechatpy.messages import BaseMessage, UnknownMessage

from handlers.base import Inbound, InboundKind

# Longest value accepted in a field that ends up in a key or a log line; WeCom's ids are short.
MAX_ID_LEN = 128
# Longest document read, in characters; WeCom's are a few KiB (the callback also caps the
# body at 1 MiB before reading it).
MAX_XML_LEN = 1024 * 1024


class BadXml(ValueError):
    """The XML is malformed, hostile (DTD, entities, processing instructions), too long or
    not a WeCom message; the callback answers 400."""


class _NoPiTreeBuilder(TreeBuilder):
    """ElementTree's own tree builder, refusing processing instructions (which it would
    drop silently): WeCom sends none."""

    def pi(self, target: str, text: str | None = None) -> Element:
        raise BadXml("processing instruction")


def safe_fields(xml: str) -> dict[str, str]:
    """The children of a flat `<xml>` document as tag → text, read by defusedxml; raises
    BadXml for anything malformed or hostile, and for a repeated child (wechatpy would make
    it a list). A child with elements inside has the value "" (wechatpy would hand back a
    dict)."""
    if len(xml) > MAX_XML_LEN:
        raise BadXml("too long")
    parser = DefusedXMLParser(target=_NoPiTreeBuilder(), forbid_dtd=True,
                              forbid_entities=True, forbid_external=True)
    try:
        parser.feed(xml)
        root: Element = parser.close()
    except DefusedXmlException as exc:  # DTDForbidden, EntitiesForbidden, ExternalReference…
        raise BadXml(type(exc).__name__) from None
    except ParseError as exc:  # not well-formed, an undeclared entity, no root
        raise BadXml(f"malformed ({exc})") from None
    except UnicodeEncodeError:  # a lone surrogate: no document of ours has one
        raise BadXml("not encodable as UTF-8") from None
    if root.tag != "xml":
        raise BadXml("root is not <xml>")
    fields: dict[str, str] = {}
    for child in root:
        if child.tag in fields:
            raise BadXml(f"repeated <{child.tag[:MAX_ID_LEN]}>")
        fields[child.tag] = "" if len(child) else (child.text or "").strip()
    return fields


def wechatpy_message(msg_type: str, event: str, fields: Mapping[str, str]) -> BaseMessage:
    """`wechatpy.enterprise.parse_message` on the fields defusedxml read: the same class
    registries, without handing the XML to xmltodict (which reads it with plain expat)."""
    if msg_type == "event":
        return EVENT_TYPES.get(event, UnknownMessage)(dict(fields))
    return MESSAGE_TYPES.get(msg_type, UnknownMessage)(dict(fields))


@dataclass(frozen=True, slots=True)
class Envelope:
    """A parsed callback: the inbound value plus what the view checks before dispatching."""

    inbound: Inbound
    dedup_key: str
    to_user: str  # ToUserName: must be our corp id
    agent_id: int | None  # AgentID when present: must be our agent
    create_time: int
    msg_type: str
    event: str = ""


def dedup_key(fields: Mapping[str, str]) -> str:
    """`msg:{MsgId}` for messages; events carry no MsgId (FACTS), so
    `evt:{FromUserName}:{CreateTime}:{Event}`, plus `:{EventKey}` when there is one so that
    two different menu taps or card buttons in the same second stay two events."""
    msg_id = fields.get("MsgId", "")
    if msg_id:
        return f"msg:{msg_id}"
    key = f"evt:{fields.get('FromUserName', '')}:{fields.get('CreateTime', '')}:{fields.get('Event', '').lower()}"
    event_key = fields.get("EventKey", "")
    return f"{key}:{event_key}" if event_key else key


def _require_id(fields: Mapping[str, str], name: str, *, digits: bool = False) -> str:
    value = fields.get(name, "")
    if not value:
        raise BadXml(f"missing {name}")
    if len(value) > MAX_ID_LEN or (digits and not value.isdigit()):
        raise BadXml(f"malformed {name}")
    return value


def _coordinate(value: str | None, low: float, high: float) -> float | None:
    try:
        number = float(value or "")
    except ValueError:
        return None
    return number if low <= number <= high else None


def parse_envelope(xml: str, received_at: datetime) -> Envelope:
    """Parse a decrypted callback body; raises BadXml for anything that is not a sane message."""
    fields = safe_fields(xml)
    user_id = _require_id(fields, "FromUserName")
    to_user = _require_id(fields, "ToUserName")
    create_time = int(_require_id(fields, "CreateTime", digits=True))
    msg_type = _require_id(fields, "MsgType").lower()
    event = fields.get("Event", "").lower() if msg_type == "event" else ""
    if msg_type == "event" and not event:
        raise BadXml("event without Event")
    if fields.get("MsgId") and (len(fields["MsgId"]) > MAX_ID_LEN):
        raise BadXml("malformed MsgId")
    raw_agent = fields.get("AgentID", "")
    if raw_agent and not raw_agent.isdigit():
        raise BadXml("malformed AgentID")
    agent_id = int(raw_agent) if raw_agent else None

    message = wechatpy_message(msg_type, event, fields)
    key = dedup_key(fields)
    msg_id = fields.get("MsgId") or key.removeprefix("evt:")
    common: dict[str, Any] = {"user_id": user_id, "msg_id": msg_id, "received_at": received_at}
    inbound = _to_inbound(msg_type, event, message, fields, common)
    return Envelope(
        inbound=inbound,
        dedup_key=key,
        to_user=to_user,
        agent_id=agent_id,
        create_time=create_time,
        msg_type=msg_type,
        event=event,
    )


def _to_inbound(
    msg_type: str, event: str, message: object, fields: Mapping[str, str], common: dict[str, Any]
) -> Inbound:
    """The kind comes from wechatpy's message class; the values from `fields`, which are
    always plain strings (wechatpy would hand back a dict for a nested element)."""
    if isinstance(message, messages.TextMessage):
        return Inbound(kind=InboundKind.TEXT, text=fields.get("Content", ""), **common)
    if isinstance(message, messages.ImageMessage):
        return Inbound(kind=InboundKind.IMAGE, media_id=fields.get("MediaId", ""),
                       pic_url=fields.get("PicUrl", ""), **common)
    if isinstance(message, messages.VoiceMessage):
        # Recognition is present only when the app has speech recognition turned on.
        return Inbound(
            kind=InboundKind.VOICE,
            media_id=fields.get("MediaId", ""),
            text=fields.get("Recognition", ""),
            **common,
        )
    if isinstance(message, messages.LocationMessage):
        return Inbound(
            kind=InboundKind.LOCATION,
            latitude=_coordinate(fields.get("Location_X"), -90.0, 90.0),
            longitude=_coordinate(fields.get("Location_Y"), -180.0, 180.0),
            label=fields.get("Label", ""),
            **common,
        )
    if isinstance(message, events.ClickEvent):
        return Inbound(kind=InboundKind.MENU_CLICK, event_key=fields.get("EventKey", ""), **common)
    if isinstance(message, events.EnterAgentEvent):
        return Inbound(kind=InboundKind.ENTER_AGENT, **common)
    if isinstance(message, UnknownMessage) and event == "template_card_event":
        # wechatpy 1.8.18 knows no template_card_event: read the raw fields.
        return Inbound(
            kind=InboundKind.CARD_EVENT,
            event_key=fields.get("EventKey", ""),
            task_id=fields.get("TaskId", ""),
            response_code=fields.get("ResponseCode", ""),
            **common,
        )
    return Inbound(kind=InboundKind.OTHER, event_key=fields.get("EventKey", ""), **common)


def parse_inbound(xml: str, received_at: datetime) -> Inbound:
    """The typed inbound value of a decrypted callback body (see `parse_envelope`)."""
    return parse_envelope(xml, received_at).inbound
