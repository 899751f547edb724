"""Slot filling, as Rasa forms: a flow names its required slots, asks for the first
missing one, validates each, shows what it understood and writes only on "确认".

    first message ──► merge slots ──► missing? ──yes──► ask one question ─┐
                          ▲                 └─no──► summary + "确认？"     │
                          └──────────── follow-up ("下午三点", "3个人") ◄──┘
                                        "确认" ──► write;  "算了" ──► leave

The draft lives in the dialogue state (JSON of primitives, 15-minute TTL):
`{"flow": intent, "slots": {...}, "awaiting": slot name | "confirm"}`, where `awaiting`
is one of the flow's declared states (handlers/states.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.base import Links, Reply
from handlers.common import page_line
from handlers.states import UndeclaredState, state_of
from nlp.numbers import to_int

YES_RE = re.compile(
    r"^\s*(确认|确定|确认提交|提交|是|是的|对|对的|好|好的|行|可以|没问题|嗯|嗯嗯|ok|okay|yes|y|confirm)"
    r"\s*(提交|预订|预约|申请)?\s*[。.!！~～]*\s*$",
    re.I,
)
CONFIRM = "confirm"


def is_yes(text: str) -> bool:
    return bool(YES_RE.match(text))


@dataclass
class Draft:
    flow: str
    slots: dict[str, Any] = field(default_factory=dict)
    awaiting: str | None = None  # one of the flow's declared states (handlers/states.py)
    misses: int = 0  # answers in a row the flow could not use

    @classmethod
    def from_state(cls, state: Mapping[str, Any], flow: str) -> Draft:
        """The draft of `flow` kept in the state, or a new one (also when what it waits
        for is not declared)."""
        if state.get("flow") == flow:
            try:
                awaiting = state_of(flow, state.get("awaiting"))
            except UndeclaredState:
                return cls(flow)
            return cls(flow, dict(state.get("slots") or {}), awaiting,
                       int(state.get("misses") or 0))
        return cls(flow)

    def to_state(self) -> dict[str, Any]:
        """The state to keep; UndeclaredState when the flow does not declare `awaiting`."""
        awaiting = state_of(self.flow, self.awaiting)
        state: dict[str, Any] = {"flow": self.flow, "slots": self.slots,
                                 "awaiting": None if awaiting is None else awaiting.value}
        if self.misses:
            state["misses"] = self.misses
        return state

    def answered(self, useful: bool) -> None:
        """Count an answer to the open question: reset when it gave something."""
        self.misses = 0 if useful or self.awaiting is None else self.misses + 1

    def nudged(self, reply: Reply) -> Reply:
        """After two answers the flow could not use, the reply says it in other words and
        shows the ways out (what WeCom's own forms do: the question plus a way to stop)."""
        return replace(reply, text=reply.text + STILL_NEEDED) if self.misses >= 2 else reply


STILL_NEEDED = ("\n（这两次的回答我没能用上。直接说时间、地点或人数就行，比如“明天上午9点”“去市政府”"
                "“3个人”；不办了回复“算了”，想看例子回复“帮助”。）")


def merge_slots(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """What was said before, updated by what was said now. A change of day keeps the
    clock times ("改成后天"); a new start without an end keeps the duration ("改成四点")."""
    out = dict(old)
    new = dict(new)
    old_start, old_end = parse_local(old.get("start")), parse_local(old.get("end"))
    if "date" in new and "start" not in new and old_start is not None:
        day = datetime.fromisoformat(new["date"]).date()
        shift = datetime.combine(day, old_start.time()) - old_start
        out["start"] = fmt_local(old_start + shift)
        if old_end is not None:
            out["end"] = fmt_local(old_end + shift)
    if "start" in new and "end" not in new and old_start is not None and old_end is not None:
        duration = old_end - old_start
        start = parse_local(new["start"])
        assert start is not None
        out["end"] = fmt_local(start + duration)
    out.update(new)
    return out


def parse_local(value: Any) -> datetime | None:
    """A naive local datetime from the NLU's `YYYY-MM-DDTHH:MM`, or None."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        return None


def fmt_local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def aware(value: Any, tz: ZoneInfo) -> datetime | None:
    """The NLU's local `YYYY-MM-DDTHH:MM` as an aware datetime in the business zone."""
    local = parse_local(value)
    return local.replace(tzinfo=tz) if local is not None else None


def duration_text(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    h, m = divmod(minutes, 60)
    if h and m:
        return f"{h}小时{m}分钟"
    return f"{h}小时" if h else f"{m}分钟"


# ---------------------------------------------------------------------------------------
# Reading a follow-up against the draft: the NLU reads each message alone, the draft knows
# what was said before.

# A day named in the text, for a parse without `day_said` (nlp.types.Parse has it): a clock
# time alone ("改成四点") comes back from the NLU with today's date (the next occurrence),
# which must not move a draft that already has its day.
DAY_WORD_RE = re.compile(
    r"今天|今日|今早|今晚|明天|明日|明早|明晚|后天|大后天|昨天"
    r"|(?:周|星期|礼拜)[一二三四五六日天1-7]"
    r"|\d{1,2}\s*[号日]|[一二三四五六七八九十]{1,3}\s*[号日]|\d{1,2}\s*月|\d{1,2}/\d{1,2}"
    r"|today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday",
    re.I,
)
# The end of a window said alone: "到五点", "开到十一点", "五点结束", "11点散会".
END_HINT_RE = re.compile(
    r"^\s*(?:改成|改到|改为)?\s*(?:到|至|用到|开到|截止|结束时间|结束于|结束在)"
    r"|(?:结束|散会|散场|回来|返回|为止)\s*[。.!！]?\s*$"
)
_CN = "[一二两三四五六七八九十]{1,3}"
DURATION_RE = re.compile(
    rf"(?P<h>\d+(?:\.\d+)?|{_CN}|半)\s*个?\s*(?P<half>半)?\s*(?:小时|钟头|个钟)"
    rf"|(?P<m>\d+|{_CN})\s*分钟"
    rf"|(?P<d>\d+|{_CN})\s*天(?![后前内以])"
)


def day_said(parse: Any, text: str) -> bool:
    """Whether the message names a day (the NLU's `day_said` when it has one)."""
    flag = getattr(parse, "day_said", None)
    if isinstance(flag, bool):
        return flag
    return bool(DAY_WORD_RE.search(text))


def duration_in(text: str) -> timedelta | None:
    """A length of time said in the text: "两个小时", "1个半小时", "30分钟", "两天"."""
    m = DURATION_RE.search(text)
    if m is None:
        return None
    if m["m"]:
        minutes = to_int(m["m"])
        return timedelta(minutes=minutes) if minutes else None
    if m["d"]:
        days = to_int(m["d"])
        return timedelta(days=days) if days else None
    raw = m["h"]
    hours = 0.5 if raw == "半" else (float(raw) if raw[0].isdigit() else float(to_int(raw) or 0))
    if m["half"]:
        hours += 0.5
    return timedelta(hours=hours) if hours > 0 else None


def read_times(old: Mapping[str, Any], new: Mapping[str, Any], text: str, *,
               day_named: bool, awaiting: str | None) -> dict[str, Any]:
    """The NLU's slots of one message, read as a follow-up to the draft `old`: a clock time
    with no day keeps the draft's day; a time said as an end ("到五点", or when the end was
    asked for) is the end; a duration alone ("用两个小时") ends the window after the start,
    or is kept as `minutes` until a start is known."""
    out = dict(new)
    old_start = parse_local(old.get("start"))
    base_day = old_start.date() if old_start else (
        datetime.fromisoformat(old["date"]).date() if old.get("date") else None)
    start = parse_local(out.get("start"))
    if base_day is not None and start is not None and not day_named:
        shift = datetime.combine(base_day, start.time()) - start
        out["start"] = fmt_local(start + shift)
        if (end := parse_local(out.get("end"))) is not None:
            out["end"] = fmt_local(end + shift)
        out["date"] = base_day.isoformat()
    if ("start" in out and "end" not in out and old_start is not None
            and (awaiting == "end" or END_HINT_RE.search(text))):
        end = parse_local(out.pop("start"))
        assert end is not None
        out.pop("date", None)
        out["end"] = fmt_local(datetime.combine(old_start.date(), end.time())
                               if not day_named else end)
    if "end" not in out and (delta := duration_in(text)) is not None:
        begin = parse_local(out.get("start")) or old_start
        if begin is not None:
            out["end"] = fmt_local(begin + delta)
        else:
            out["minutes"] = int(delta.total_seconds() // 60)
    return out


def fill_end(slots: dict[str, Any]) -> None:
    """A duration said before the start ("用两个小时", then "下午三点") sets the end."""
    start = parse_local(slots.get("start"))
    if start is not None and slots.get("minutes"):
        minutes = int(slots.pop("minutes"))
        if not slots.get("end"):
            slots["end"] = fmt_local(start + timedelta(minutes=minutes))


def window_of(slots: Mapping[str, Any], tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    return aware(slots.get("start"), tz), aware(slots.get("end"), tz)


# ---------------------------------------------------------------------------------------
# The outcome of checking or submitting a draft, shared by the chat flows and the web forms
# (bot/web/pages.py): one set of rules, one set of messages.


@dataclass(frozen=True, slots=True)
class Problem:
    """Why the slots cannot be submitted as they are; nothing was written.

    `text` names the rule broken (or what is free instead), `hint` tells a chat user how
    to answer (a form has its fields instead), `ask` asks for the first missing slot.
    `field` is the slot to change (a form marks it), `awaiting` what the chat waits for
    next, `taken` that the resource went to someone else meanwhile, `final` that the flow
    is over (changing the slots will not help)."""

    text: str = ""
    ask: str = ""
    hint: str = ""
    field: str | None = None
    awaiting: str | None = None
    taken: bool = False
    final: bool = False

    @property
    def message(self) -> str:
        """What the chat says."""
        return "\n".join(x for x in (self.text + self.hint, self.ask) if x)

    @property
    def form_message(self) -> str:
        """What a form shows above its fields."""
        return self.text.strip() or self.ask


@dataclass(frozen=True, slots=True)
class Submitted:
    """A request (or a weekly series) was created and whoever acts next was told."""

    text: str
    numbers: tuple[int, ...]

    def chat_text(self, links: Links) -> str:
        """What the chat says: the text and the link of the request's page (of the list,
        for a series)."""
        if len(self.numbers) == 1:
            return self.text + page_line(links, self.numbers[0])
        url = links.page_url("/m/requests")
        return self.text + (f"\n查看全部：{url}" if url and self.numbers else "")
