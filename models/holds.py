"""Holds and availability: a vehicle, driver or room is kept for [start, end) by one live
request at a time, and "what is free" is one query over the active holds.

No overlap, on both databases. On PostgreSQL an exclusion constraint over each
resource's time ranges (see `POSTGRES_CONSTRAINTS`) decides: a booking checks for
overlap, then inserts its holds; a concurrent insert of an overlapping hold waits for the
first transaction and is refused if it commits, while bookings of other windows of the
same vehicle or room never wait for each other. On SQLite a hold is taken only after
updating each resource's row in `resource_lock` (which takes the write lock that
serialises writers) and checking for overlap inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from tortoise import connections, fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from models.errors import Conflict
from models.org import Facility, User, Vehicle, active_facilities
from models.sql import as_models, in_dialect, utc
from models.vehicle_state import usable_sql

if TYPE_CHECKING:
    from models.requests import Request

T = TypeVar("T")

MAX_WINDOW = timedelta(days=7)  # no hold longer than this; also bounds the overlap index scan


class Hold(Model):
    """A resource kept for [start, end) by a live request: `vehicle:12`, `driver:zhaoshifu`,
    `facility:mr-301`."""

    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[Request] = fields.ForeignKeyField(
        "models.Request", related_name="holds", on_delete=fields.CASCADE
    )
    resource = fields.CharField(max_length=80)
    start = fields.DatetimeField()
    end = fields.DatetimeField()
    active = fields.BooleanField(default=True)

    class Meta:
        table = "hold"
        # (resource, active, start): one resource's holds near a window (the overlap
        # check of a booking). (active, start, end, resource): every active hold near a
        # window from the index alone (finding free vehicles and rooms).
        indexes = (("resource", "active", "start"), ("active", "start", "end", "resource"))


class ResourceLock(Model):
    """One row per resource; on SQLite, updating it first serialises bookings (PostgreSQL
    relies on its exclusion constraint instead)."""

    key = fields.CharField(max_length=80, primary_key=True)
    version = fields.IntField(default=0)

    class Meta:
        table = "resource_lock"


# PostgreSQL's last word on overlaps (applied by the migration; btree_gist is a trusted
# extension since PostgreSQL 13).
POSTGRES_CONSTRAINTS = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE hold DROP CONSTRAINT IF EXISTS hold_no_overlap;
ALTER TABLE hold ADD CONSTRAINT hold_no_overlap EXCLUDE USING gist
    (resource WITH =, tstzrange(start, "end", '[)') WITH &&) WHERE (active);
"""


def vehicle_key(vehicle_id: int) -> str:
    return f"vehicle:{vehicle_id}"


def driver_key(userid: str) -> str:
    return f"driver:{userid}"


def facility_key(facility_id: str) -> str:
    return f"facility:{facility_id}"


DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE

_LOCK_SQL = (
    "INSERT INTO resource_lock (key, version) VALUES {values} "
    "ON CONFLICT (key) DO UPDATE SET version = resource_lock.version + 1"
)


async def lock_resources(keys: Iterable[str]) -> None:
    """SQLite: take each resource's lock row for the rest of the transaction (one upsert,
    which takes the database write lock, so the overlap check after it sees every
    committed hold and no writer slips in between). PostgreSQL: nothing — its exclusion
    constraint serialises only overlapping holds (a lock row would queue every booking
    of a popular vehicle behind the one before, whatever its window)."""
    keys = sorted(set(keys))
    conn = connections.get("default")
    if not keys or conn.capabilities.dialect == "postgres":
        return
    values = ", ".join("(?, 1)" for _ in keys)
    await conn.execute_query(_LOCK_SQL.format(values=values), keys)


async def busy_resources(
    keys: Iterable[str], start: datetime, end: datetime, *, ignore_request: int | None = None
) -> set[str]:
    """Which of `keys` an active hold covers for some part of [start, end)."""
    keys = list(keys)
    if not keys:
        return set()
    # Prepared: every booking asks it in its transaction.
    params: list[Any] = [*keys, True, utc(end), utc(start), utc(start) - MAX_WINDOW]
    ignore = ""
    if ignore_request is not None:
        ignore = " AND h.request_id <> ?"
        params.append(ignore_request)
    conn = connections.get("default")
    sql = in_dialect(conn, _BUSY.format(keys=", ".join("?" * len(keys)), ignore=ignore))
    return {str(row["resource"]) for row in await conn.execute_query_dict(sql, params)}


_HOLD_INSERT = 'INSERT INTO hold (resource, start, "end", active, request_id) VALUES {values}'
_BUSY = ('SELECT h.resource FROM hold h WHERE h.resource IN ({keys}) AND h.active = ? '
         'AND h.start < ? AND h."end" > ? AND h.start > ?{ignore}')


async def hold_resources(
    request: Request, keys: Sequence[str], start: datetime, end: datetime
) -> None:
    """Hold every resource in `keys` for the request, or raise Conflict and hold none.

    Call it inside `in_transaction()` and let Conflict leave that block: on PostgreSQL a
    refused INSERT aborts the transaction, and leaving the block rolls it back (to its
    savepoint when nested in a caller's transaction, which then goes on), as
    `create_request` and `decide` do."""
    await lock_resources(keys)
    busy = await busy_resources(keys, start, end, ignore_request=request.id)
    if busy:
        raise Conflict(sorted(busy))
    try:
        await insert_holds(request.id, sorted(set(keys)), start, end)  # one order: waits never cross
    except IntegrityError as e:  # PostgreSQL's exclusion constraint: the last word
        raise Conflict(sorted(set(keys))) from e
    except Exception as e:
        # PostgreSQL: two transactions inserting overlapping holds at the same moment each
        # wait for the other's row; the deadlock detector refuses one (after a second)
        # and the other goes on — not committed yet, so what is free is not known until
        # it ends (`retry_unsettled`).
        if getattr(e, "sqlstate", None) == DEADLOCK_DETECTED:
            raise Conflict(sorted(set(keys)), settled=False) from e
        raise


async def retry_unsettled(book: Callable[[], Awaitable[T]]) -> T:
    """`await book()` (a booking's whole transaction), once more when it lost a deadlock
    (`Conflict(settled=False)`): the second try waits for the transaction it met and sees
    its outcome, so a refusal after it is settled — and what the user is offered instead
    leaves out what that transaction took (the first refusal came before its commit)."""
    try:
        return await book()
    except Conflict as e:
        if e.settled:
            raise
    return await book()


async def insert_holds(request_id: int, keys: Sequence[str], start: datetime, end: datetime) -> None:
    """The holds' rows, as Tortoise's `bulk_create` wrote them, in one prepared multi-row
    INSERT (it built a model a row and, on SQLite, sent a statement a row)."""
    params: list[Any] = []
    for k in keys:
        params += [k, utc(start), utc(end), True, request_id]
    conn = connections.get("default")
    values = ", ".join(["(?, ?, ?, ?, ?)"] * len(keys))
    await conn.execute_query(in_dialect(conn, _HOLD_INSERT.format(values=values)), params)


async def release_holds(request: Request) -> None:
    await Hold.filter(request_id=request.id, active=True).update(active=False)


# ---------------------------------------------------------------------------------------
# Finding free resources


# "Free" as one query: the active holds near the window are read once (a range of the
# (active, start, end, resource) index: start bounded below by MAX_WINDOW, so the cost
# grows with the bookings near the window, not with the history), then each candidate is
# looked up in that set; no key lists, no busy set in Python.
_HELD = """(SELECT h.resource FROM hold h WHERE h.active = ? AND h.start < ? AND h."end" > ?
    AND h.start > ?{ignore})"""


def _held(start: datetime, end: datetime, ignore_request: int | None) -> tuple[str, list[Any]]:
    """A subquery of the resources held for some part of [start, end), and its params."""
    params: list[Any] = [True, utc(end), utc(start), utc(start) - MAX_WINDOW]
    ignore = ""
    if ignore_request is not None:
        ignore = " AND h.request_id <> ?"
        params.append(ignore_request)
    return _HELD.format(ignore=ignore), params


async def _ids(sql: str, params: list[Any]) -> list[Any]:
    conn = connections.get("default")
    rows = await conn.execute_query_dict(in_dialect(conn, sql), params)
    return [row["id"] for row in rows]


async def free_vehicles(
    start: datetime,
    end: datetime,
    seats: int = 1,
    *,
    ignore_request: int | None = None,
    limit: int | None = None,
) -> list[Vehicle]:
    """Vehicles in service with at least `seats` seats whose vehicle and (active) driver
    are both free for [start, end), smallest first (none out of service for any of it:
    models/vehicle_state.py), at most `limit`; driver fetched."""
    held, p = _held(start, end, ignore_request)
    usable, u = usable_sql(connections.get("default"), start, end)  # no downtime, papers valid
    # Only fixed fragments are formatted in; every value is a parameter.
    sql = f"""SELECT v.id FROM vehicle v JOIN "user" d ON d.id = v.driver_id
        WHERE v.in_service = ? AND v.seats >= ? AND d.active = ? AND {usable}
        AND 'vehicle:' || v.id NOT IN {held} AND 'driver:' || d.userid NOT IN {held}
        ORDER BY v.seats, v.plate"""  # noqa: S608
    params: list[Any] = [True, seats, True, *u, *p, *p]  # the subquery appears twice
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    ids = await _ids(sql, params)
    if not ids:
        return []
    by_id = {v.id: v for v in await vehicles_with_drivers(ids)}
    return [by_id[i] for i in ids]


async def vehicles_with_drivers(ids: Sequence[int], *, in_service: bool | None = None) -> list[Vehicle]:
    """The vehicles of `ids` (only those in service or not, when said), driver fetched
    (None for none), in no given order: one prepared read, as `select_related("driver")`
    would make them (Tortoise's query cost ~1,000 Python calls to build and read)."""
    if not ids:
        return []
    where = f"v.id IN ({', '.join('?' * len(ids))})"
    params: list[Any] = list(ids)
    if in_service is not None:
        where += " AND v.in_service = ?"
        params.append(in_service)
    conn = connections.get("default")
    rows = await conn.execute_query_dict(in_dialect(conn, _with_driver_sql().format(where=where)), params)
    out = []
    for row in rows:
        driver_row = {name: row.pop(f"d_{name}") for name in User._meta.db_fields}
        vehicle = as_models(Vehicle, [row])[0]
        # As select_related leaves it: the relation's cache, the id untouched.
        vehicle._driver = as_models(User, [driver_row])[0] if driver_row["id"] is not None else None
        out.append(vehicle)
    return out


@cache
def _with_driver_sql() -> str:
    # Built once Tortoise is set up (a foreign key's column joins the model's then); only
    # the fixed condition is formatted in, every value is a parameter.
    cols = ", ".join(f'v."{n}"' for n in Vehicle._meta.db_fields)
    driver = ", ".join(f'd."{n}" AS "d_{n}"' for n in User._meta.db_fields)
    return (f'SELECT {cols}, {driver} FROM vehicle v LEFT JOIN "user" d ON d.id = v.driver_id'  # noqa: S608
            " WHERE {where}")


async def free_facilities(
    start: datetime,
    end: datetime,
    *,
    type: str | None = None,
    capacity: int = 0,
    ids: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[Facility]:
    """Active facilities (of a type, or among `ids`) with room for `capacity`, free for
    [start, end), smallest first, at most `limit`; opening hours are the caller's check
    (they depend on the local day)."""
    held, p = _held(start, end, None)
    where = ["f.active = ?", "f.capacity >= ?"]
    params: list[Any] = [True, capacity]
    if type:
        where.append("f.type = ?")
        params.append(str(type))
    if ids is not None:
        if not ids:
            return []
        where.append(f"f.id IN ({', '.join('?' * len(ids))})")
        params += list(ids)
    sql = (  # only fixed fragments are formatted in; every value is a parameter
        f"SELECT f.id FROM facility f WHERE {' AND '.join(where)}"  # noqa: S608
        f" AND 'facility:' || f.id NOT IN {held}"
        " ORDER BY f.capacity, f.id"
    )
    params += p
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    found = await _ids(sql, params)
    if not found:
        return []
    by_id = {f.id: f for f in await active_facilities()}  # kept in memory (models.org)
    missing = [i for i in found if i not in by_id]  # switched on since it was read
    if missing:
        by_id.update({f.id: f for f in await Facility.filter(id__in=missing)})
    return [by_id[i] for i in found]


async def next_free_start(
    keys: Sequence[str], start: datetime, duration: timedelta, until: datetime
) -> datetime | None:
    """The earliest moment at or after `start` when every resource in `keys` is free
    for `duration`, looking no further than `until`."""
    holds = await (
        Hold.filter(
            resource__in=list(keys),
            active=True,
            end__gt=utc(start),
            start__lt=utc(until) + duration,
        )
        .order_by("start")
        .values_list("start", "end")
    )
    candidate = utc(start)
    for h_start, h_end in holds:
        if utc(h_start) >= candidate + duration:
            break
        candidate = max(candidate, utc(h_end))
    return candidate if candidate <= utc(until) else None
