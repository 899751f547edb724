"""Slot filling, as Rasa forms: a flow names its required slots, asks for the first
missing one, validates each, shows what it understood and writes only on "确认".

```mermaid
flowchart LR
    A[first message] --> B[merge slots]
    B --> C{a slot missing?}
    C -- yes --> D[ask one question]
    C -- no --> E["summary + 确认？"]
    D -- "下午三点" / "3个人" --> B
    E -- 确认 --> F[write]
    E -- 改成四点 --> B
    D & E -- 算了 --> G[leave]
```

The draft lives in the dialogue state (15-minute TTL):
`{"flow": intent, "slots": {...}, "awaiting": slot name | "confirm"}`, where `awaiting`
is one of the flow's declared states (handlers/states.py). Its time slots are the NLU's
typed values (nlp/types.py: `date`, `repeat_until` days, `start`, `end` aware datetimes)
from the first message to the submit; handlers/states.py writes them to storage as ISO
strings and reads them back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.base import Links, Reply
from handlers.common import fmt_window, page_line
from handlers.states import UndeclaredState, state_of
from nlp.types import Parse

CONFIRM = "confirm"


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
    old_start, old_end = moment(old, "start"), moment(old, "end")
    if isinstance(day := new.get("date"), date) and "start" not in new and old_start is not None:
        shift = datetime.combine(day, old_start.timetz()) - old_start
        out["start"] = old_start + shift
        if old_end is not None:
            out["end"] = old_end + shift
    if (start := moment(new, "start")) is not None and "end" not in new and old_start is not None \
            and old_end is not None:
        out["end"] = start + (old_end - old_start)
    out.update(new)
    return out


CHANGED = "好的，{what}改为{value}。"


def changed_note(before: Mapping[str, Any], after: Mapping[str, Any], tz: ZoneInfo,
                 names: Mapping[str, str]) -> str:
    """What a correction changed in a draft ("哦不对，改成大后天" while the bot asks for the
    return time): "好的，出发时间改为12月10日(周四) 09:00。", so the user sees it was heard
    before the next question; "" when nothing said before was changed. `names`: the
    service's names of the slots worth saying, in the order looked at."""
    for key, what in names.items():
        old, new = before.get(key), after.get(key)
        if old is None or new is None or old == new:
            continue
        value = fmt_window(new, None, tz) if isinstance(new, datetime) else \
            f"{new}人" if key == "passengers" else str(new)
        return CHANGED.format(what=what, value=value)
    return ""


def moment(slots: Mapping[str, Any], key: str) -> datetime | None:
    """The aware datetime of a time slot (`start`, `end`: the NLU's, a form's, a draft's), or None."""
    value = slots.get(key)
    return value if isinstance(value, datetime) else None


def day_of(slots: Mapping[str, Any], key: str = "date") -> date | None:
    """The day of a day slot (`date`, `repeat_until`), or None."""
    value = slots.get(key)
    return value if isinstance(value, date) and not isinstance(value, datetime) else None


def duration_text(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    h, m = divmod(minutes, 60)
    if h and m:
        return f"{h}小时{m}分钟"
    return f"{h}小时" if h else f"{m}分钟"


# ---------------------------------------------------------------------------------------
# Reading a follow-up against the draft: the NLU reads each message alone (its slots and
# `Parse.words`, nlp/words.py), the draft knows what was said before.

def read_times(old: Mapping[str, Any], parse: Parse, *, awaiting: str | None,
               day_named: bool | None = None) -> dict[str, Any]:
    """The NLU's slots of one message, read as a follow-up to the draft `old`: a clock time
    with no day keeps the draft's day (`day_named`: the parse's `day_said` unless told);
    a time said as an end ("到五点", or when the end was asked for) is the end; a duration
    alone ("用两个小时") ends the window after the start, or is kept as `minutes` until a
    start is known."""
    out = dict(parse.slots)
    words = parse.words
    if day_named is None:
        day_named = parse.day_said
    old_start = moment(old, "start")
    base_day = old_start.date() if old_start else day_of(old)
    start = moment(out, "start")
    if base_day is not None and start is not None and not day_named:
        shift = datetime.combine(base_day, start.timetz()) - start
        out["start"] = start + shift
        if (end := moment(out, "end")) is not None:
            out["end"] = end + shift
        out["date"] = base_day
    if ((said := moment(out, "start")) is not None and "end" not in out and old_start is not None
            and (awaiting == "end" or words.end_hint)):
        out.pop("start")
        out.pop("date", None)
        out["end"] = datetime.combine(old_start.date(), said.timetz()) if not day_named else said
    if "end" not in out and (delta := words.duration) is not None:
        begin = moment(out, "start") or old_start
        if begin is not None:
            out["end"] = begin + delta
        else:
            out["minutes"] = int(delta.total_seconds() // 60)
    return out


def fill_end(slots: dict[str, Any]) -> None:
    """A duration said before the start ("用两个小时", then "下午三点") sets the end."""
    start = moment(slots, "start")
    if start is not None and slots.get("minutes"):
        minutes = int(slots.pop("minutes"))
        if not slots.get("end"):
            slots["end"] = start + timedelta(minutes=minutes)


def window_of(slots: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """The draft's window: its aware start and end (either None when not known yet)."""
    return moment(slots, "start"), moment(slots, "end")


def drop_bad_window(slots: dict[str, Any], now: datetime) -> str | None:
    """The window rule every timed service keeps, its slots dropped to be asked again:
    "past" when it starts before `now` (a length said is kept for the new start; the day
    too when it is today), "end" when it ends at or before its start; None when neither."""
    start, end = window_of(slots)
    if start is None:
        return None
    if start < now:
        if end is not None and end > start:
            slots["minutes"] = int((end - start).total_seconds() // 60)
        slots.pop("start", None)
        slots.pop("end", None)
        if start.date() < now.date():
            slots.pop("date", None)
        return "past"
    if end is not None and end <= start:
        slots.pop("end", None)
        return "end"
    return None


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
        return self.text + (f'\n<a href="{url}">查看全部</a>' if url and self.numbers else "")
