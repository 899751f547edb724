"""A driver's trips: the approved bookings they drive, acknowledged (收到), started with
the odometer reading and finished with the reading and the costs, which the request
keeps in its details:

    acknowledged_at, started_at, odometer_out, finished_at, odometer_in, distance (km),
    tolls, parking, fuel (yuan; fuel is 油费 or 充电费)

The readings are checked (issue 17 item 2): a return reading below the one at the start
is refused; one more than MAX_DAY_KM a day after it, or a start reading below the
vehicle's current odometer (or MAX_DAY_KM above it), is questioned (`ReadingQuestioned`):
the driver checks it, and the same reading sent again is taken (`question_reading`
keeps it as `questioned_odometer_out` / `questioned_odometer_in`). The vehicle's
odometer follows the readings taken (never backwards).

    approved ─收到─► (acknowledged) ─出发─► (started) ─到达─► completed (holds released)

Each change runs in a transaction on the locked request and writes its audit record.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from models.audit import audit
from models.errors import InvalidState, NotAllowed, NotFound, RequestError
from models.fleet import advance_odometer
from models.holds import release_holds
from models.org import RequestType, Vehicle
from models.requests import Request, RequestStatus, locked_request, set_status
from models.sql import transaction, utc

MAX_DAY_KM = 2000  # more than this a day is questioned: most likely a mistyped reading


class ReadingQuestioned(RequestError):
    """A reading that is possible but unlikely; nothing was written. `field` is
    "odometer_out" or "odometer_in", `against` the reading it was compared with."""

    def __init__(self, field: str, km: int, against: int, limit: int) -> None:
        super().__init__(f"{field} {km} against {against}")
        self.field, self.km, self.against, self.limit = field, km, against, limit


def _check_trip(request: Request, driver: str) -> None:
    if request.type is not RequestType.VEHICLE_BOOKING:
        raise NotFound(request.no)
    if request.driver is None or request.driver.userid != driver:
        raise NotAllowed(f"#{request.no} is not driven by {driver}")
    if request.status is not RequestStatus.APPROVED:
        raise InvalidState(request, "trip")


async def _save_details(request: Request, changes: dict[str, Any], now: datetime) -> None:
    details = {**(request.details or {}), **changes}
    await Request.filter(id=request.id).update(details=details, updated_at=utc(now))
    request.details = details


async def acknowledge_trip(no: int, driver: str, now: datetime, channel: str) -> tuple[Request, bool]:
    """The driver has seen the trip; False when it was acknowledged before (nothing changes)."""
    async with transaction():
        request = await locked_request(no, now)
        _check_trip(request, driver)
        if (request.details or {}).get("acknowledged_at"):
            return request, False
        await _save_details(request, {"acknowledged_at": utc(now).isoformat()}, now)
        await audit(request, driver, "trip_ack", channel, now)
    return request, True


async def start_trip(
    no: int, driver: str, odometer: int | None, now: datetime, channel: str
) -> Request:
    """The driver sets off; the reading (km) is kept as `odometer_out`."""
    async with transaction():
        request = await locked_request(no, now)
        _check_trip(request, driver)
        d = request.details or {}
        if d.get("started_at"):
            raise InvalidState(request, "start")
        changes: dict[str, Any] = {"started_at": utc(now).isoformat()}
        if not d.get("acknowledged_at"):
            changes["acknowledged_at"] = changes["started_at"]
        if odometer is not None:
            await _check_out(request, odometer)
            changes["odometer_out"] = odometer
            if request.vehicle_id is not None:  # type: ignore[attr-defined]
                await advance_odometer(request.vehicle_id, odometer)  # type: ignore[attr-defined]
        await _save_details(request, changes, now)
        await audit(request, driver, "trip_start", channel, now, odometer=odometer)
    return request


async def finish_trip(
    no: int,
    driver: str,
    now: datetime,
    channel: str,
    *,
    odometer: int | None = None,
    tolls: float | None = None,
    parking: float | None = None,
    fuel: float | None = None,
) -> Request:
    """The driver is back: the reading and costs are kept, the trip completed and its
    vehicle and driver free from now. RequestError when the reading is below the one at
    the start, ReadingQuestioned when it is implausibly far from it (and not questioned
    before)."""
    async with transaction():
        request = await locked_request(no, now)
        _check_trip(request, driver)
        d = request.details or {}
        changes: dict[str, Any] = {"finished_at": utc(now).isoformat()}
        out = d.get("odometer_out")
        if odometer is not None:
            if out is not None:
                if odometer < int(out):
                    raise RequestError(f"odometer {odometer} after {out}")
                days = _days(d.get("started_at"), now)
                if odometer - int(out) > MAX_DAY_KM * days \
                        and d.get("questioned_odometer_in") != odometer:
                    raise ReadingQuestioned("odometer_in", odometer, int(out), MAX_DAY_KM * days)
            changes["odometer_in"] = odometer
            if out is not None:
                changes["distance"] = odometer - int(out)
            if request.vehicle_id is not None:  # type: ignore[attr-defined]
                await advance_odometer(request.vehicle_id, odometer)  # type: ignore[attr-defined]
        for key, value in (("tolls", tolls), ("parking", parking), ("fuel", fuel)):
            if value is not None:
                changes[key] = value
        await _save_details(request, changes, now)
        before = request.status
        if not await set_status(request, RequestStatus.COMPLETED, [RequestStatus.APPROVED], now):
            raise InvalidState(request, "finish")
        await release_holds(request)
        await audit(request, driver, "trip_finish", channel, now, from_status=before,
                    to_status=RequestStatus.COMPLETED, odometer=odometer, tolls=tolls,
                    parking=parking, fuel=fuel)
    return request


def _days(started_at: str | None, now: datetime) -> int:
    """Days a trip has run (started → now), at least one: the allowance for its km."""
    if not started_at:
        return 1
    hours = (utc(now) - datetime.fromisoformat(started_at)).total_seconds() / 3600
    return max(1, math.ceil(hours / 24))


async def _check_out(request: Request, odometer: int) -> None:
    """A start reading below the vehicle's odometer, or far above it, is questioned."""
    if request.vehicle_id is None:  # type: ignore[attr-defined]
        return
    vehicle = await Vehicle.get_or_none(id=request.vehicle_id)  # type: ignore[attr-defined]
    known = vehicle.odometer if vehicle is not None else None
    if known is None or (request.details or {}).get("questioned_odometer_out") == odometer:
        return
    if not 0 <= odometer - known <= MAX_DAY_KM:
        raise ReadingQuestioned("odometer_out", odometer, known, MAX_DAY_KM)


async def question_reading(no: int, driver: str, field: str, km: int, now: datetime,
                           channel: str) -> None:
    """Keep a questioned reading: sent again, it is taken as the driver's checked one."""
    async with transaction():
        request = await locked_request(no, now)
        _check_trip(request, driver)
        await _save_details(request, {f"questioned_{field}": km}, now)
        await audit(request, driver, "trip_reading_questioned", channel, now, field=field, km=km)


async def trips_of(driver: str, since: datetime, until: datetime | None = None,
                   limit: int = 10) -> list[Request]:
    """The driver's approved and completed trips ending after `since` (and starting before
    `until`), soonest first."""
    q = Request.filter(
        driver__userid=driver, type=RequestType.VEHICLE_BOOKING,
        status__in=[RequestStatus.APPROVED, RequestStatus.COMPLETED], end__gt=utc(since),
    )
    if until is not None:
        q = q.filter(start__lt=utc(until))
    return await q.order_by("start", "id").limit(limit).select_related(
        "applicant", "vehicle", "driver")


async def open_trips(driver: str, now: datetime) -> list[Request]:
    """The driver's approved trips not over yet, or started and not finished."""
    started = await Request.filter(
        driver__userid=driver, type=RequestType.VEHICLE_BOOKING, status=RequestStatus.APPROVED,
    ).order_by("start", "id").select_related("applicant", "vehicle", "driver")
    return [r for r in started
            if (r.end is not None and r.end > utc(now)) or (r.details or {}).get("started_at")]
