"""The NLU result (CONTRACT §6): an intent and its slots.

The text's times are read once, here in `nlp/`, into typed values: `date` (and a crew's
`date`) is a `datetime.date`, `start` and `end` are aware datetimes in the zone of the
`now` the NLU was given (the bureau's, `BOT_TIMEZONE`). Handlers and their drafts keep
them so; `to_dict` renders the contract's strings (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from nlp.words import Words


class Intent(StrEnum):
    VEHICLE_BOOKING = "vehicle_booking"
    REPAIR_REQUEST = "repair_request"
    FACILITY_RESERVATION = "facility_reservation"
    ASSET_REQUEST = "asset_request"
    APPROVAL_STATUS = "approval_status"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    HELP = "help"
    UNKNOWN = "unknown"
    # Crew commands (drivers, repair workers, dispatchers): internal extensions, not §6
    # intents. Their Parse carries `plain`, the message read with the §6 intents alone,
    # which is what `to_dict` (the `parse` command) shows.
    CREW_TASKS = "crew_tasks"  # 我的任务, 明天有什么任务, 我的工单, 待派工
    CREW_ACK = "crew_ack"  # 收到 #1065, 接单
    CREW_START = "crew_start"  # 出发 #1065 里程 12345, 开始
    CREW_FINISH = "crew_finish"  # 到达 #1065 里程 12410 过路费 20, 修好了 更换了电容
    CREW_PARTS = "crew_parts"  # #1065 待料 缺压缩机
    CREW_DISPATCH = "crew_dispatch"  # 派给钱力
    # The asset office's commands (nlp/assets.py), internal like the crew's: 待发放, 发放 #1065
    # / 办结 #1065, and anyone's stock question (笔记本还有几台, 在库查询).
    ASSET_QUEUE = "asset_queue"
    ASSET_HANDOVER = "asset_handover"
    ASSET_STOCK = "asset_stock"
    # Not read from text: a photo sent outside any dialogue (a worker's job photo).
    PHOTO = "photo"
    # One message naming several services (issue 17, 一口受理): an internal extension like
    # the crew commands; its Parse carries the parts, and `plain` is the first part.
    SERVICE_BUNDLE = "service_bundle"


CREW_INTENTS = frozenset({
    Intent.CREW_TASKS, Intent.CREW_ACK, Intent.CREW_START, Intent.CREW_FINISH,
    Intent.CREW_PARTS, Intent.CREW_DISPATCH,
})


def contract_value(value: Any) -> Any:
    """A slot's value as CONTRACT §6 writes it: a moment as local `YYYY-MM-DDTHH:MM` (in
    its own zone, the bureau's), a day as `YYYY-MM-DD`, anything else as it is."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class Parse:
    """What one message says: the intent and the slots present in the text (never guessed)."""

    intent: Intent
    # §6's slots; the times typed (module docstring), the rest as §6 writes them.
    slots: dict[str, Any] = field(default_factory=dict)
    confidence: float = 1.0
    # Whether the text named a day: "改成四点" inside a flow keeps the draft's day, while
    # the `date` slot alone cannot tell (a bare clock time gets the next such time).
    day_said: bool = False
    # A length said ("用三个小时", "两个半小时"), in minutes, whether or not a start was said:
    # a follow-up inside a flow may give the duration alone. Not a §6 slot (not in to_dict).
    duration_minutes: int | None = None
    # A crew command's ordinary reading (§6 intents only): what the contract output shows,
    # and where a handler sends the message when the command is not the speaker's.
    plain: Parse | None = None
    # The intent is the statistical model's reading (`nlp.intent_model`), the rules having
    # matched nothing: inside an open flow the message is that flow's follow-up. Not in to_dict.
    guessed: bool = False
    # What a service reads besides the §6 slots (not in to_dict): an asset request's kind,
    # the department it goes to and a tag number (nlp/assets.py).
    extra: dict[str, Any] = field(default_factory=dict)
    # A message of several services (nlp/multipart.py): each part as its own Parse. The
    # contract's top level stays the first part's; `to_dict` adds them as "parts".
    parts: tuple[Parse, ...] = ()
    # What a part was read from and the part of day it carries ({"text", "daypart"}); for
    # the whole message, the shared words ({"text"}). Not §6.
    context: dict[str, str] = field(default_factory=dict)
    # What else the text says for a dialogue that reads it as an answer (nlp/words.py:
    # a yes, the purpose, equipment, a weekly repeat, seats, an end, a duration). Not §6.
    words: Words = field(default_factory=Words)

    def to_dict(self) -> dict[str, Any]:
        if self.plain is not None:
            out = self.plain.to_dict()
            if self.intent is Intent.SERVICE_BUNDLE and self.parts:
                out["parts"] = [p.to_dict() for p in self.parts]
            return out
        return {"intent": str(self.intent), "slots": self.contract_slots()}

    def contract_slots(self) -> dict[str, Any]:
        """The slots as CONTRACT §6 writes them (the times as strings)."""
        return {k: contract_value(v) for k, v in self.slots.items()}

    @property
    def start(self) -> datetime | None:
        """The start said (aware, the bureau's zone), or None."""
        value = self.slots.get("start")
        return value if isinstance(value, datetime) else None

    @property
    def end(self) -> datetime | None:
        """The end said or implied by a duration (aware), or None."""
        value = self.slots.get("end")
        return value if isinstance(value, datetime) else None

    @property
    def day(self) -> date | None:
        """The `date` slot: the day the thing starts (or the day named), or None."""
        value = self.slots.get("date")
        return value if isinstance(value, date) else None
