"""What a rule says when it refuses a change: each error carries what a handler needs to
tell the user what to do. Nothing was written when one is raised."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.requests import ApprovalStep, Request


class RequestError(Exception):
    """A rule refused the change; nothing was written."""


class NotFound(RequestError):
    def __init__(self, no: int) -> None:
        super().__init__(f"no request #{no}")
        self.no = no


class NotAllowed(RequestError):
    pass


class InvalidState(RequestError):
    def __init__(self, request: Request, wanted: str) -> None:
        super().__init__(f"#{request.no} is {request.status}, cannot {wanted}")
        self.request = request
        self.wanted = wanted


class AlreadyDecided(RequestError):
    def __init__(self, step: ApprovalStep) -> None:
        super().__init__(f"step {step.id} already decided: {step.decision}")
        self.step = step


class Conflict(RequestError):
    """`resources` are held for an overlapping time. `settled=False`: the hold lost a
    deadlock to another transaction still under way (PostgreSQL), whose outcome is not
    known yet — see `models.holds.retry_unsettled`."""

    def __init__(self, resources: Sequence[str], *, settled: bool = True) -> None:
        super().__init__(f"already held: {', '.join(resources)}")
        self.resources = list(resources)
        self.settled = settled


class OutOfService(NotAllowed):
    """The vehicle named is out of service for the window (models/vehicle_state.py);
    `why` is a `vehicle_state.Unusable`."""

    def __init__(self, plate: str, why: object) -> None:
        super().__init__(f"{plate} is out of service: {why}")
        self.plate = plate
        self.why = why


class NoApprover(RequestError):
    def __init__(self, role: str) -> None:
        super().__init__(f"nobody can approve as {role}")
        self.role = role
