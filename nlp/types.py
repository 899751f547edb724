"""The NLU result (CONTRACT §6): an intent and its slots."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Intent(StrEnum):
    VEHICLE_BOOKING = "vehicle_booking"
    REPAIR_REQUEST = "repair_request"
    FACILITY_RESERVATION = "facility_reservation"
    APPROVAL_STATUS = "approval_status"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    HELP = "help"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Parse:
    """What one message says: the intent and the slots present in the text (never guessed)."""

    intent: Intent
    slots: dict[str, Any] = field(default_factory=dict)
    confidence: float = 1.0
    # Whether the text named a day: "改成四点" inside a flow keeps the draft's day, while
    # the `date` slot alone cannot tell (a bare clock time gets the next such time).
    day_said: bool = False
    # A length said ("用三个小时", "两个半小时"), in minutes, whether or not a start was said:
    # a follow-up inside a flow may give the duration alone. Not a §6 slot (not in to_dict).
    duration_minutes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"intent": str(self.intent), "slots": dict(self.slots)}
