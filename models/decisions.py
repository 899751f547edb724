"""Deciding and cancelling: an approver's decision on the current step (and the fleet
manager's change of vehicle or driver), and the applicant's cancel. Each runs in one
transaction that first locks the request's row, so changes of one request run one after
the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from models.assets import release_assets
from models.audit import audit
from models.errors import AlreadyDecided, InvalidState, NotAllowed, NotFound, OutOfService
from models.holds import driver_key, hold_resources, release_holds, vehicle_key
from models.org import RequestType, Role, User, Vehicle
from models.requests import (
    ApprovalStep,
    Decision,
    Request,
    RequestStatus,
    current_step,
    locked_request,
    ordered_steps,
    set_status,
)
from models.sql import utc
from models.vehicle_state import why_unusable


@dataclass(frozen=True, slots=True)
class DecisionResult:
    request: Request
    step: ApprovalStep
    next_step: ApprovalStep | None  # the step now waiting, if any
    final: bool  # the request is approved or rejected


async def decide(
    no: int,
    approver: str,
    decision: Decision,
    now: datetime,
    channel: str,
    *,
    comment: str | None = None,
    step_id: int | None = None,
    vehicle_id: int | None = None,
    driver: str | None = None,
) -> DecisionResult:
    """The current step's approver approves or rejects. `step_id` binds a decision to the
    step a link or card was made for. The fleet manager may change vehicle and driver."""
    async with in_transaction():
        # Lock the request row first: it serialises this decision with a cancel or another
        # decision of the same request before anything is read.
        request = await locked_request(no, now)
        step = current_step(request)
        mine = [s for s in ordered_steps(request) if s.approver.userid == approver and s.decision]
        if step_id is not None:
            bound = next((s for s in request.steps if s.id == step_id), None)
            if bound is None:
                raise NotFound(no)
            if bound.decision is not None:
                raise AlreadyDecided(bound)
            if step is None or step.id != step_id:
                raise InvalidState(request, "decide")
        if step is None:
            # Nothing waits: cancelled, or decided to the end (perhaps by this approver).
            if request.status in (RequestStatus.APPROVED, RequestStatus.REJECTED) and mine:
                raise AlreadyDecided(mine[-1])
            raise InvalidState(request, "decide")
        if step.approver.userid != approver:
            if mine:  # "同意 1024" again after deciding an earlier step
                raise AlreadyDecided(mine[-1])
            raise NotAllowed(f"#{no} waits for {step.approver.userid}, not {approver}")
        if (vehicle_id is not None or driver) and step.role != Role.FLEET_MANAGER:
            raise NotAllowed("only the fleet manager's step may change the vehicle or driver")
        n = await ApprovalStep.filter(id=step.id, decision__isnull=True).update(
            decision=str(decision), decided_at=utc(now), comment=comment, channel=channel
        )
        if not n:
            raise AlreadyDecided(step)
        step.decision, step.decided_at, step.comment = str(decision), utc(now), comment
        if (vehicle_id is not None or driver) and decision is Decision.APPROVE:
            await _change_vehicle(request, vehicle_id, driver, approver, channel, now)
        rest = [s for s in ordered_steps(request) if s.decision is None]
        next_step = rest[0] if decision is Decision.APPROVE and rest else None
        final = next_step is None
        if decision is Decision.APPROVE and (step.role == Role.FLEET_MANAGER or final):
            await _check_vehicle_usable(request)  # the vehicle went 送修/停用 since booking
        before = request.status
        if decision is Decision.REJECT:
            if not await set_status(request, RequestStatus.REJECTED, [RequestStatus.PENDING], now):
                raise InvalidState(request, "decide")
            await release_holds(request)
            if request.type is RequestType.ASSET_REQUEST:
                await release_assets(request)  # the items reserved on submit go back
        elif final:
            if not await set_status(request, RequestStatus.APPROVED, [RequestStatus.PENDING], now):
                raise InvalidState(request, "decide")
        await audit(
            request,
            approver,
            str(decision),
            channel,
            now,
            from_status=before,
            to_status=request.status,
            step=step.seq,
            comment=comment,
        )
    return DecisionResult(request, step, next_step, final)


async def _check_vehicle_usable(request: Request) -> None:
    """OutOfService when the booking's vehicle is out of service for its window: the fleet
    manager approves with another vehicle ("同意1024，改派沪A67890") instead."""
    vehicle_id = request.vehicle_id  # type: ignore[attr-defined]
    if request.type is not RequestType.VEHICLE_BOOKING or vehicle_id is None \
            or request.start is None or request.end is None:
        return
    vehicle = await Vehicle.get(id=vehicle_id)
    unusable = await why_unusable(vehicle, request.start, request.end)
    if unusable is not None:
        raise OutOfService(vehicle.plate, unusable)


async def _change_vehicle(
    request: Request,
    vehicle_id: int | None,
    driver: str | None,
    actor: str,
    channel: str,
    now: datetime,
) -> None:
    if (
        request.type is not RequestType.VEHICLE_BOOKING
        or request.start is None
        or request.end is None
    ):
        raise NotAllowed("only a vehicle booking has a vehicle to change")
    vehicle = await Vehicle.get_or_none(id=vehicle_id or request.vehicle_id, in_service=True)  # type: ignore[attr-defined]
    if vehicle is None:
        raise NotAllowed("no such vehicle in service")
    unusable = await why_unusable(vehicle, request.start, request.end)
    if unusable is not None:
        raise OutOfService(vehicle.plate, unusable)
    new_driver = (
        await User.get_or_none(userid=driver, active=True)
        if driver
        else (await User.get_or_none(id=vehicle.driver_id) if vehicle_id else request.driver)
    )  # type: ignore[attr-defined]
    if new_driver is None or not await new_driver.role_links.filter(role=Role.DRIVER).exists():
        raise NotAllowed("no such driver")
    await release_holds(request)
    request.vehicle, request.driver = vehicle, new_driver
    await hold_resources(
        request,
        [vehicle_key(vehicle.id), driver_key(new_driver.userid)],
        request.start,
        request.end,
    )
    await Request.filter(id=request.id).update(
        vehicle_id=vehicle.id, driver_id=new_driver.id, updated_at=utc(now)
    )
    await audit(
        request,
        actor,
        "change_vehicle",
        channel,
        now,
        vehicle=vehicle.plate,
        driver=new_driver.userid,
    )


def cancellable(request: Request, now: datetime) -> bool:
    if request.status not in (
        RequestStatus.PENDING,
        RequestStatus.APPROVED,
        RequestStatus.ASSIGNED,
    ):
        return False
    return request.start is None or request.start > now


async def cancel(no: int, userid: str, now: datetime, channel: str) -> Request:
    """The applicant cancels a request that has not started; its holds are freed."""
    async with in_transaction():
        request = await locked_request(no, now)
        if request.applicant.userid != userid:
            raise NotAllowed(f"#{no} belongs to {request.applicant.userid}")
        if not cancellable(request, now):
            raise InvalidState(request, "cancel")
        before = request.status
        if not await set_status(request, RequestStatus.CANCELLED, [before], now):
            raise InvalidState(request, "cancel")
        await release_holds(request)
        if request.type is RequestType.ASSET_REQUEST:
            await release_assets(request)
        await audit(
            request,
            userid,
            "cancel",
            channel,
            now,
            from_status=before,
            to_status=RequestStatus.CANCELLED,
        )
    return request
