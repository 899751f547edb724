"""WeCom callback XML → the typed `Inbound` the dispatcher takes (STYLE "A message's way", step 1).

The XML is read once, by a refusing parser (`safe_fields`: expat with defusedxml's
refusals — no DOCTYPE, no entities — and no processing instructions, one flat `<xml>`
element); the fields then go through the class
registries of wechatpy's `wechatpy.enterprise.parse_message` (which would otherwise parse
the XML again with xmltodict). wechatpy 1.8.18 knows no `template_card_event` and gives
`UnknownMessage`: its fields are read from the raw XML.

Message and event fields: https://developer.work.weixin.qq.com/document/path/90239 (messages),
https://developer.work.weixin.qq.com/document/path/90240 (events).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.parsers import expat

from wechatpy.enterprise import events, messages
from wechatpy.enterprise.events import EVENT_TYPES
from wechatpy.enterprise.messages import MESSAGE_TYPES
from wechatpy.messages import BaseMessage, UnknownMessage

from handlers.base import Inbound, InboundKind

# Longest value accepted in a field that ends up in a key or a log line; WeCom's ids are short.
MAX_ID_LEN = 128


class BadXml(ValueError):
    """The XML is malformed, hostile (DOCTYPE, entities, processing instructions) or not a
    WeCom message; the callback answers 400."""


def _refuse(what: str) -> Callable[..., None]:
    def refuse(*args: Any) -> None:
        raise BadXml(what)

    return refuse


_refuse_pi = _refuse("processing instruction")


# The shape WeCom sends: `<xml>`, then flat fields, each holding one CDATA section or
# plain text without markup, entity references or "]", then `</xml>`. A document of
# exactly that shape (and no character XML forbids, no carriage return for expat to
# normalise) has no DOCTYPE, entity, processing instruction or nested element to refuse,
# and reads the same field by field with one regular expression as by expat; anything
# else goes to expat. The CDATA part is written out ("no ], or a ] not starting ]]>")
# rather than lazily (.*?): the 600-character Encrypt field is then read in one sweep.
_FIELD = (r"[ \t\n]*<([A-Za-z_][\w.-]{0,63})>"
          r"(?:<!\[CDATA\[([^\]]*(?:\](?!\]>)[^\]]*)*)\]\]>|([^<&\]]*))</\1>")
_NEXT_FIELD = re.compile(_FIELD, re.S).match
_OPEN = re.compile(r"[ \t\n]*<xml>").match
_CLOSE = re.compile(r"[ \t\n]*</xml>[ \t\n]*").fullmatch
_NOT_PLAIN = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]")


def safe_fields(xml: str) -> dict[str, str]:
    """The children of a flat `<xml>` document as tag → text, refusing anything hostile:
    WeCom's own shape read at once (`flat_fields`), anything else by `expat_fields`."""
    fields = flat_fields(xml)
    return expat_fields(xml) if fields is None else fields


def flat_fields(xml: str) -> dict[str, str] | None:
    """The fields of a document in WeCom's own shape (see `_FIELD`); None when it is not."""
    if _NOT_PLAIN.search(xml) is not None or (start := _OPEN(xml)) is None:
        return None
    fields: dict[str, str] = {}
    pos = start.end()
    while (field := _NEXT_FIELD(xml, pos)) is not None:
        tag, cdata, plain = field.groups("")
        if tag in fields:
            raise BadXml(f"repeated <{tag}>")
        fields[tag] = (cdata or plain).strip()
        pos = field.end()
    return fields if _CLOSE(xml, pos) is not None else None


def expat_fields(xml: str) -> dict[str, str]:
    """The children of a flat `<xml>` document as tag → text, refusing anything hostile.

    Read by expat directly, with the refusals defusedxml would make: a DOCTYPE (hence
    entity declarations and billion laughs), entity declarations, external references,
    and an undeclared entity (expat's own error, there being no DTD); also processing
    instructions, and a repeated top-level tag (wechatpy would have turned it into a
    list). Nothing else is built: no tree, one dict (a callback parses two documents).
    """
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse("DOCTYPE")
    parser.EntityDeclHandler = _refuse("entity declaration")
    parser.UnparsedEntityDeclHandler = _refuse("entity declaration")
    parser.ExternalEntityRefHandler = _refuse("external entity")
    parser.ProcessingInstructionHandler = _refuse_pi
    fields: dict[str, str] = {}
    text: list[str] = []
    depth = 0
    nested = False  # the current field has elements inside: its value is ""

    def start(tag: str, attrs: Any) -> None:
        nonlocal depth, nested
        depth += 1
        if depth == 1 and tag != "xml":
            raise BadXml("root is not <xml>")
        if depth == 2:
            if tag in fields:
                raise BadXml(f"repeated <{tag}>")
            text.clear()
            nested = False
        elif depth > 2:
            nested = True

    def end(tag: str) -> None:
        nonlocal depth
        if depth == 2:
            fields[tag] = "" if nested else "".join(text).strip()
        depth -= 1

    def chars(data: str) -> None:
        if depth == 2 and not nested:
            text.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        raise BadXml(f"malformed ({expat.ErrorString(exc.code)})") from None
    except UnicodeEncodeError:  # a lone surrogate: no document of ours has one
        raise BadXml("not encodable as UTF-8") from None
    return fields


def wechatpy_message(msg_type: str, event: str, fields: Mapping[str, str]) -> BaseMessage:
    """`wechatpy.enterprise.parse_message` on the already parsed fields: the same class
    registries, without handing the XML to xmltodict a second time."""
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
        return Inbound(kind=InboundKind.IMAGE, media_id=fields.get("MediaId", ""), **common)
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
