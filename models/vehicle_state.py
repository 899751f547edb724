"""Whether a vehicle can be sent for a window (公务用车平台化管理, issue 17 item 2).

A vehicle is out of service for [start, end) when

- a downtime covers part of the window: 送修/维修 (`repair`), 保养 in progress
  (`maintenance`) or 停用 (`stopped`), each from its `start` until its `until` (open when
  null: until "恢复使用"); ending one early sets `until` to that moment; or
- its 交强险 or 商业险 covers no day the trip reaches, or its 年检 has lapsed by then
  (the dates are the last day covered, a local day of the business time zone).

`free_vehicles` (models/holds.py) leaves such vehicles out in its one query (the
`usable_sql` fragment); `create_request` and a fleet manager's change of vehicle
(models/decisions.py) ask `why_unusable` inside their transaction, so a vehicle out of
service is never offered and never assigned. A booking that already holds a vehicle
when it goes out of service is the fleet office's to reassign (models/fleet.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import connections, fields
from tortoise.expressions import Q
from tortoise.models import Model

from models.org import Vehicle
from models.sql import in_dialect, utc


class DowntimeKind(StrEnum):
    REPAIR = "repair"  # 送修 / 维修
    MAINTENANCE = "maintenance"  # 保养
    STOPPED = "stopped"  # 停用


class PaperKind(StrEnum):
    """A date kept per vehicle; past it the vehicle may not be on the road."""

    INSURANCE_COMPULSORY = "insurance_compulsory"  # 交强险
    INSURANCE_COMMERCIAL = "insurance_commercial"  # 商业险
    INSPECTION = "inspection"  # 年检


PAPER_FIELDS: dict[PaperKind, str] = {
    PaperKind.INSURANCE_COMPULSORY: "insurance_compulsory_until",
    PaperKind.INSURANCE_COMMERCIAL: "insurance_commercial_until",
    PaperKind.INSPECTION: "inspection_due_on",
}


class VehicleDowntime(Model):
    """A vehicle out of service for [start, until): who said so, why, and until when."""

    id = fields.IntField(primary_key=True)
    vehicle: fields.ForeignKeyRelation[Vehicle] = fields.ForeignKeyField(
        "models.Vehicle", related_name="downtimes", on_delete=fields.RESTRICT
    )
    vehicle_id: int
    kind = fields.CharEnumField(DowntimeKind, max_length=16)
    reason = fields.CharField(max_length=200, default="")
    start = fields.DatetimeField()
    until = fields.DatetimeField(null=True)  # null: until 恢复使用
    ended_at = fields.DatetimeField(null=True)  # when it was ended (恢复使用 / 保养完成)
    ended_by = fields.CharField(max_length=64, null=True)
    created_by = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()

    class Meta:
        table = "vehicle_downtime"
        indexes = (("vehicle_id", "start"),)


@dataclass(frozen=True, slots=True)
class Unusable:
    """Why a vehicle cannot go: a downtime (kind, reason, until) or a lapsed date."""

    kind: DowntimeKind | PaperKind
    reason: str = ""
    until: datetime | None = None  # a downtime's end, if known
    lapsed_on: date | None = None  # a paper's last valid day


# The business time zone the papers' days are in (BOT_TIMEZONE: `use_zone` at start-up;
# windows read back from the database are UTC, so their own zone cannot tell the day).
_zone: tzinfo = ZoneInfo("Asia/Shanghai")


def use_zone(tz: tzinfo) -> None:
    global _zone  # noqa: PLW0603 - one setting per process, as models/worktime.py's overrides
    _zone = tz


def last_day(start: datetime, end: datetime) -> date:
    """The last local day [start, end) reaches, in the business time zone."""
    last = max(utc(end), utc(start) + timedelta(microseconds=1)) - timedelta(microseconds=1)
    return last.astimezone(_zone).date()


def _day_param(conn: Any, day: date) -> Any:
    # asyncpg takes a date for a DATE column; SQLite keeps it as ISO text.
    return day if conn.capabilities.dialect == "postgres" else day.isoformat()


def usable_sql(conn: Any, start: datetime, end: datetime, alias: str = "v") -> tuple[str, list[Any]]:
    """An SQL condition (with its parameters) true for a vehicle `alias` that is in
    service for all of [start, end): no downtime overlaps, and no paper lapses."""
    day = _day_param(conn, last_day(start, end))
    papers = " ".join(f"AND ({alias}.{col} IS NULL OR {alias}.{col} >= ?)" for col in PAPER_FIELDS.values())
    sql = (
        f"{alias}.id NOT IN (SELECT t.vehicle_id FROM vehicle_downtime t"  # noqa: S608
        f" WHERE t.start < ? AND (t.until IS NULL OR t.until > ?)) {papers}"
    )
    return sql, [utc(end), utc(start), *([day] * len(PAPER_FIELDS))]


def paper_lapse(vehicle: Vehicle, day: date) -> Unusable | None:
    """The first of 交强险 / 商业险 / 年检 no longer valid on `day`."""
    for kind, col in PAPER_FIELDS.items():
        valid_to: date | None = getattr(vehicle, col)
        if valid_to is not None and valid_to < day:
            return Unusable(kind, lapsed_on=valid_to)
    return None


async def downtimes_over(vehicle_ids: list[int] | None, start: datetime,
                         end: datetime | None = None) -> list[VehicleDowntime]:
    """Downtimes covering part of [start, end) (end None: from `start` on), by start."""
    query = VehicleDowntime.filter(Q(until__isnull=True) | Q(until__gt=utc(start)))
    if end is not None:
        query = query.filter(start__lt=utc(end))
    if vehicle_ids is not None:
        query = query.filter(vehicle_id__in=vehicle_ids)
    return list(await query.order_by("start", "id"))


# A downtime `t` of the vehicle covering part of the window (parameters: `downtime_params`).
_COVERS = "t.vehicle_id = ? AND t.start < ? AND (t.until IS NULL OR t.until > ?)"
_COVERING = f"EXISTS (SELECT 1 FROM vehicle_downtime t WHERE {_COVERS})"  # noqa: S608 - fixed text


def downtime_sql() -> str:
    """An SQL condition true when a downtime covers part of a vehicle's window (the
    parameters: `downtime_params`), for a statement that reads something else too."""
    return _COVERING


def downtime_params(vehicle_id: int, start: datetime, end: datetime) -> list[Any]:
    return [vehicle_id, utc(end), utc(start)]


# `downtimes_over` for one vehicle's first downtime, prepared (asked in the transactions
# that assign a vehicle: a Tortoise query cost ~1,000 Python calls to build and read).
_FIRST_DOWNTIME = f"SELECT t.kind, t.reason, t.until FROM vehicle_downtime t WHERE {_COVERS} ORDER BY t.start, t.id LIMIT 1"  # noqa: S608
_UNTIL = VehicleDowntime._meta.fields_map["until"]


async def why_unusable(vehicle: Vehicle, start: datetime, end: datetime) -> Unusable | None:
    """Why `vehicle` cannot go for [start, end), or None when it can."""
    conn = connections.get("default")
    rows = await conn.execute_query_dict(in_dialect(conn, _FIRST_DOWNTIME),
                                         downtime_params(vehicle.id, start, end))
    for d in rows:
        return Unusable(DowntimeKind(d["kind"]), str(d["reason"]), _UNTIL.to_python_value(d["until"]))
    return paper_lapse(vehicle, last_day(start, end))


async def unusable_ids(start: datetime, end: datetime) -> set[int]:
    """Ids of the vehicles out of service for some part of [start, end)."""
    ids = {d.vehicle_id for d in await downtimes_over(None, start, end)}
    for v in await Vehicle.filter(in_service=True):
        if paper_lapse(v, last_day(start, end)) is not None:
            ids.add(v.id)
    return ids


async def current_downtime(vehicle_id: int, now: datetime) -> VehicleDowntime | None:
    """The downtime the vehicle is in at `now`, or the next one already planned."""
    found = await downtimes_over([vehicle_id], now)
    return found[0] if found else None
