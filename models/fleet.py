"""The fleet office's side of the vehicles (公务用车平台化管理, issue 17 item 2): taking a
vehicle out of service and back (送修 / 停用 / 恢复使用), a 保养 done, the dates that come
due (保养, 交强险, 商业险, 年检), and the bookings a downtime leaves without a vehicle.

```mermaid
flowchart LR
    O["沪A12345 送修 到12月10日"] --> D[downtime from now] --> C[bookings holding it then: to reassign]
    R["沪A12345 恢复使用"] --> E[downtime ended now]
    M["沪A12345 保养完成 里程 45000"] --> N[odometer, next 保养 by km and date, maintenance downtime ended]
    S[sweep, working days] --> T[dates due in 30 / 7 / 0 days: fleet managers told once]
```

Each change is one transaction with its audit record (request None: the record is the
vehicle's, its plate in the details). What is told once — a due date's reminder, a
booking left without its vehicle — is claimed by inserting its key into `fleet_notice`
(`INSERT … ON CONFLICT DO NOTHING RETURNING`, on both databases): of several processes sweeping at
once one inserts the row and the others match nothing, and a rollback un-claims.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from tortoise import connections, fields
from tortoise.expressions import Q
from tortoise.models import Model

from models.audit import audit
from models.errors import InvalidState, NotAllowed, NotFound, OutOfService, RequestError
from models.holds import driver_key, hold_resources, lock_resources, release_holds, vehicle_key
from models.org import RequestType, User, Vehicle
from models.requests import Request, RequestStatus, locked_request
from models.sql import in_dialect, transaction, utc
from models.vehicle_state import (
    PAPER_FIELDS,
    DowntimeKind,
    PaperKind,
    VehicleDowntime,
    downtimes_over,
    why_unusable,
)

DEFAULT_EVERY_KM = 10000  # 保养 interval when the organisation file names none
DEFAULT_EVERY_MONTHS = 6
LEAD_DAYS = (30, 7, 0)  # reminders this many days before a date (0: on the day, or past it)
LEAD_KM = (1000, 0)  # …and this many km before the 保养 reading


class DueKind(StrEnum):
    MAINTENANCE = "maintenance"  # 保养 by date
    MAINTENANCE_KM = "maintenance_km"  # 保养 by odometer
    INSURANCE_COMPULSORY = PaperKind.INSURANCE_COMPULSORY.value
    INSURANCE_COMMERCIAL = PaperKind.INSURANCE_COMMERCIAL.value
    INSPECTION = PaperKind.INSPECTION.value


class FleetNotice(Model):
    """Something told once (a reminder, a clash): its key, claimed by inserting it."""

    key = fields.CharField(max_length=120, primary_key=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "fleet_notice"


class NotAVehicle(RequestError):
    def __init__(self, plate: str) -> None:
        super().__init__(f"no vehicle {plate}")
        self.plate = plate


_CLAIM_SQL = ("INSERT INTO fleet_notice (key, created_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"
              " RETURNING key")


async def claim_notice(key: str, now: datetime) -> bool:
    """Claim `key` for this transaction; False when it was claimed before (by anyone)."""
    conn = connections.get("default")
    rows = await conn.execute_query_dict(in_dialect(conn, _CLAIM_SQL), [key[:120], utc(now)])
    return bool(rows)


async def vehicle_by_plate(plate: str) -> Vehicle | None:
    return await Vehicle.filter(plate=plate.upper(), in_service=True).select_related("driver").first()


async def _vehicle(plate: str) -> Vehicle:
    vehicle = await vehicle_by_plate(plate)
    if vehicle is None:
        raise NotAVehicle(plate)
    return vehicle


# ---------------------------------------------------------------------------------------
# Out of service and back


@dataclass(frozen=True, slots=True)
class TakenOut:
    vehicle: Vehicle
    downtime: VehicleDowntime
    clashes: list[Request]  # live bookings holding it inside the downtime


async def take_out_of_service(
    plate: str, kind: DowntimeKind, reason: str, until: datetime | None,
    by: str, now: datetime, channel: str,
) -> TakenOut:
    """The vehicle is out of service from now until `until` (None: until 恢复使用). A
    downtime already running is replaced (its end moved to now). The live bookings
    holding the vehicle inside the new downtime come back, to be reassigned."""
    if until is not None and until <= now:
        raise RequestError("until must be ahead")
    async with transaction():
        vehicle = await _vehicle(plate)
        await lock_resources([vehicle_key(vehicle.id)])  # SQLite: serialised with bookings
        await _end_running(vehicle.id, by, now)
        downtime = await VehicleDowntime.create(
            vehicle=vehicle, kind=kind, reason=reason[:200], start=utc(now),
            until=utc(until) if until else None, created_by=by, created_at=utc(now),
        )
        await audit(None, by, "vehicle_out_of_service", channel, now, plate=vehicle.plate,
                    kind=str(kind), reason=reason, until=until.isoformat() if until else None)
        clashes = await clashing_bookings(vehicle.id, now, until)
    return TakenOut(vehicle, downtime, clashes)


async def _end_running(vehicle_id: int, by: str, now: datetime) -> int:
    return await VehicleDowntime.filter(
        Q(until__isnull=True) | Q(until__gt=utc(now)), vehicle_id=vehicle_id, start__lte=utc(now),
    ).update(until=utc(now), ended_at=utc(now), ended_by=by)


async def return_to_service(plate: str, by: str, now: datetime, channel: str) -> tuple[Vehicle, bool]:
    """The vehicle is back in service from now; False when it was not out of service."""
    async with transaction():
        vehicle = await _vehicle(plate)
        ended = await _end_running(vehicle.id, by, now)
        if ended:
            await audit(None, by, "vehicle_back_in_service", channel, now, plate=vehicle.plate)
    return vehicle, bool(ended)


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class MaintenanceDone:
    vehicle: Vehicle  # with the new odometer and next due
    ended_downtime: bool


async def record_maintenance(
    plate: str, km: int | None, today: date, by: str, now: datetime, channel: str,
) -> MaintenanceDone:
    """A 保养 done today at `km`: the odometer follows, the next one is due `every_km`
    and `every_months` later, and a maintenance (or repair) downtime running ends."""
    async with transaction():
        vehicle = await _vehicle(plate)
        if km is not None and vehicle.odometer is not None and km < vehicle.odometer:
            raise RequestError(f"odometer {km} below {vehicle.odometer}")
        reading = km if km is not None else vehicle.odometer
        values: dict[str, object] = {
            "maintenance_due_on": add_months(today, vehicle.maintenance_every_months or DEFAULT_EVERY_MONTHS),
        }
        if reading is not None:
            values["odometer"] = reading
            values["maintenance_due_km"] = reading + (vehicle.maintenance_every_km or DEFAULT_EVERY_KM)
        await Vehicle.filter(id=vehicle.id).update(**values)
        for k, v in values.items():
            setattr(vehicle, k, v)
        ended = await VehicleDowntime.filter(
            Q(until__isnull=True) | Q(until__gt=utc(now)), vehicle_id=vehicle.id,
            start__lte=utc(now), kind__in=[DowntimeKind.MAINTENANCE, DowntimeKind.REPAIR],
        ).update(until=utc(now), ended_at=utc(now), ended_by=by)
        await audit(None, by, "vehicle_maintained", channel, now, plate=vehicle.plate, odometer=km,
                    next_km=values.get("maintenance_due_km"), next_on=values["maintenance_due_on"])
    return MaintenanceDone(vehicle, bool(ended))


async def renew_papers(plate: str, kinds: list[PaperKind], valid_to: date, by: str, now: datetime,
                       channel: str) -> Vehicle:
    """交强险 / 商业险 renewed, or 年检 passed: valid through `valid_to` (a local day)."""
    async with transaction():
        vehicle = await _vehicle(plate)
        values = {PAPER_FIELDS[k]: valid_to for k in kinds}
        await Vehicle.filter(id=vehicle.id).update(**values)
        for k, v in values.items():
            setattr(vehicle, k, v)
        await audit(None, by, "vehicle_papers", channel, now, plate=vehicle.plate,
                    kinds=[str(k) for k in kinds], valid_to=valid_to.isoformat())
    return vehicle


async def advance_odometer(vehicle_id: int, km: int) -> None:
    """The vehicle's reading follows its trips (never backwards)."""
    await Vehicle.filter(Q(odometer__isnull=True) | Q(odometer__lt=km), id=vehicle_id).update(odometer=km)


# ---------------------------------------------------------------------------------------
# Bookings a downtime leaves without their vehicle


async def clashing_bookings(vehicle_id: int, start: datetime, until: datetime | None) -> list[Request]:
    """Live bookings (waiting or approved, not set off) of the vehicle overlapping
    [start, until), soonest first, applicant, vehicle and driver fetched."""
    q = Request.filter(type=RequestType.VEHICLE_BOOKING, vehicle_id=vehicle_id,
                       status__in=[RequestStatus.PENDING, RequestStatus.APPROVED], end__gt=utc(start))
    if until is not None:
        q = q.filter(start__lt=utc(until))
    found = await q.order_by("start", "id").select_related("applicant", "vehicle", "driver")
    return [r for r in found if not (r.details or {}).get("started_at")]


async def open_clashes(now: datetime) -> list[tuple[VehicleDowntime, Request]]:
    """Every (downtime, booking) pair of a downtime not over and a booking it leaves
    without its vehicle; the sweeper tells the fleet managers of each once."""
    out = []
    for d in await downtimes_over(None, now):
        for r in await clashing_bookings(d.vehicle_id, max(utc(d.start), utc(now)), d.until):
            out.append((d, r))
    return out


@dataclass(frozen=True, slots=True)
class Reassigned:
    request: Request  # applicant, vehicle, driver fetched (the new ones)
    old_plate: str
    old_driver: User | None


async def reassign_vehicle(no: int, plate: str, by: str, now: datetime, channel: str) -> Reassigned:
    """The fleet office gives a booking not yet set off another vehicle (and its driver):
    holds moved in one transaction. Conflict when the vehicle or its driver is taken
    then, OutOfService when it cannot go, InvalidState when the booking is not live."""
    async with transaction():
        request = await locked_request(no, now)
        if request.type is not RequestType.VEHICLE_BOOKING:
            raise NotFound(no)
        if request.status not in (RequestStatus.PENDING, RequestStatus.APPROVED) \
                or (request.details or {}).get("started_at") or request.start is None \
                or request.end is None:
            raise InvalidState(request, "reassign")
        vehicle = await _vehicle(plate)
        driver = vehicle.driver
        if driver is None or not driver.active:
            raise NotAllowed(f"{vehicle.plate} has no driver")
        why = await why_unusable(vehicle, request.start, request.end)
        if why is not None:
            raise OutOfService(vehicle.plate, why)
        old_plate = request.vehicle.plate if request.vehicle else ""
        old_driver = request.driver
        await release_holds(request)
        await hold_resources(request, [vehicle_key(vehicle.id), driver_key(driver.userid)],
                             request.start, request.end)
        await Request.filter(id=request.id).update(vehicle_id=vehicle.id, driver_id=driver.id,
                                                   updated_at=utc(now))
        request.vehicle, request.driver = vehicle, driver
        await audit(request, by, "change_vehicle", channel, now, vehicle=vehicle.plate,
                    driver=driver.userid, from_vehicle=old_plate)
    return Reassigned(request, old_plate, old_driver)


# ---------------------------------------------------------------------------------------
# The fleet at a glance, and what comes due


@dataclass(frozen=True, slots=True)
class Due:
    vehicle: Vehicle
    kind: DueKind
    due_on: date | None = None  # a date
    due_km: int | None = None  # an odometer reading


async def fleet(now: datetime) -> list[tuple[Vehicle, VehicleDowntime | None]]:
    """Every vehicle in service by plate (driver fetched) with the downtime it is in now,
    or the next planned."""
    vehicles = await Vehicle.filter(in_service=True).order_by("plate").select_related("driver")
    downs: dict[int, VehicleDowntime] = {}
    for d in await downtimes_over([v.id for v in vehicles], now):
        downs.setdefault(d.vehicle_id, d)
    return [(v, downs.get(v.id)) for v in vehicles]


def dues_of(vehicle: Vehicle) -> list[Due]:
    """The dates and reading this vehicle has coming (known ones only)."""
    out = []
    if vehicle.maintenance_due_on is not None:
        out.append(Due(vehicle, DueKind.MAINTENANCE, due_on=vehicle.maintenance_due_on))
    if vehicle.maintenance_due_km is not None:
        out.append(Due(vehicle, DueKind.MAINTENANCE_KM, due_km=vehicle.maintenance_due_km))
    for kind, col in PAPER_FIELDS.items():
        day = getattr(vehicle, col)
        if day is not None:
            out.append(Due(vehicle, DueKind(kind.value), due_on=day))
    return out


def reminder_lead(due: Due, today: date) -> int | None:
    """The reminder this due thing has reached today: the smallest of LEAD_DAYS (dates)
    or LEAD_KM (the 保养 reading) whose moment has come; None: not yet."""
    if due.due_on is not None:
        passed = [lead for lead in LEAD_DAYS if (due.due_on - today).days <= lead]
    else:
        odometer = due.vehicle.odometer
        if odometer is None or due.due_km is None:
            return None
        passed = [lead for lead in LEAD_KM if due.due_km - odometer <= lead]
    return min(passed) if passed else None


def notice_key(due: Due, lead: int) -> str:
    mark = due.due_on.isoformat() if due.due_on is not None else str(due.due_km)
    return f"due:{due.vehicle.id}:{due.kind}:{mark}:{lead}"


async def dues_reached(today: date) -> list[tuple[Due, int]]:
    """(due thing, lead) of every vehicle in service whose reminder moment has come."""
    out = []
    for v in await Vehicle.filter(in_service=True).order_by("plate").select_related("driver"):
        for due in dues_of(v):
            lead = reminder_lead(due, today)
            if lead is not None:
                out.append((due, lead))
    return out
