"""The scope of every dashboard measure and what the measures share: the days [start,
end) in the business time zone and an optional department subtree, the limits, the
department tree, and the SQL helpers of both dialects (models/stats/__init__.py lists the
measures)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from tortoise import connections

from models.org import Department
from models.requests import Request, RequestStatus
from models.sql import in_dialect

ASSIGN_LIMIT = timedelta(minutes=30)  # a repair gets a worker within this
FINISH_LIMIT = timedelta(hours=24)  # a repair is done within this of being reported
STEP_LIMIT = timedelta(hours=4)  # an approval step waits no longer than this
MAX_DAYS = 366  # the longest range a query may cover

ZERO = timedelta(0)
BOOKED = (RequestStatus.APPROVED, RequestStatus.COMPLETED)  # what counts as use
CHUNK = 500  # ids per IN (...) query: far below SQLite's and asyncpg's parameter limits


class UnknownDepartment(LookupError):
    def __init__(self, department_id: int) -> None:
        super().__init__(f"no department {department_id}")
        self.department_id = department_id


@dataclass(frozen=True, slots=True)
class Scope:
    """Local days [start, end) in `tz`, optionally one department and its subtree."""

    start: date
    end: date
    tz: tzinfo
    department_id: int | None = None

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("the range must end after it starts")
        if (self.end - self.start).days > MAX_DAYS:
            raise ValueError(f"the range may cover at most {MAX_DAYS} days")

    @property
    def since(self) -> datetime:
        return local_midnight(self.start, self.tz)

    @property
    def until(self) -> datetime:
        return local_midnight(self.end, self.tz)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """The UTC moment a local day begins."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def as_utc(moment: datetime) -> datetime:
    """Stored moments are UTC; a naive one read back is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile (0 ≤ q ≤ 1) with linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield list(ids[i : i + CHUNK])


# ---------------------------------------------------------------------------------------
# SQL of both dialects: the aggregates run in the database (a year of a large bureau is a
# million requests); only fixed fragments are formatted in, every value is a parameter.


def db() -> Any:
    return connections.get("default")


def is_pg(conn: Any) -> bool:
    return bool(conn.capabilities.dialect == "postgres")


def hours_sql(conn: Any, a: str, b: str) -> str:
    """Hours from timestamp expression `a` to `b`."""
    if is_pg(conn):
        return f"(EXTRACT(EPOCH FROM ({b} - {a})) / 3600.0)"
    return f"((julianday({b}) - julianday({a})) * 24.0)"


def in_list(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    return f"{column} IN ({', '.join('?' * len(values))})", list(values)


async def department_filter(scope_department: int | None, column: str) -> tuple[str, list[Any]]:
    """(" AND column IN (...)", params) for the department's subtree; ("", []) for none."""
    ids = await department_ids(scope_department)
    if ids is None:
        return "", []
    sql, params = in_list(column, ids)
    return f" AND {sql}", params


async def fetch_rows(sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    conn = db()
    return list(await conn.execute_query_dict(in_dialect(conn, sql), list(params)))


def moment(value: Any) -> datetime:
    """A timestamp as the raw query returns it (SQLite: text) as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value)


# ---------------------------------------------------------------------------------------
# Departments


@dataclass(frozen=True, slots=True)
class DepartmentNode:
    id: int
    name: str
    parent_id: int | None
    depth: int  # 0 for the scope's root(s)


async def department_tree(root: int | None = None) -> list[DepartmentNode]:
    """Departments in tree order (parents before children, siblings by id); only the
    subtree of `root` when given. Raises UnknownDepartment for an unknown root."""
    rows = await Department.all().order_by("id").values("id", "name", "parent_id")
    by_id = {r["id"]: r for r in rows}
    children: dict[int | None, list[int]] = defaultdict(list)
    for r in rows:
        parent = r["parent_id"] if r["parent_id"] in by_id else None
        children[parent].append(r["id"])
    if root is not None and root not in by_id:
        raise UnknownDepartment(root)
    out: list[DepartmentNode] = []
    seen: set[int] = set()
    stack = [(i, 0) for i in reversed([root] if root is not None else children[None])]
    while stack:
        did, depth = stack.pop()
        if did in seen:  # a cycle cannot come from the seed, but never loop on one
            continue
        seen.add(did)
        r = by_id[did]
        out.append(DepartmentNode(did, r["name"], r["parent_id"], depth))
        stack.extend((c, depth + 1) for c in reversed(children[did]))
    return out


async def department_ids(department_id: int | None) -> list[int] | None:
    """The department and all below it; None (no filter) for None."""
    if department_id is None:
        return None
    return [n.id for n in await department_tree(department_id)]


async def requests_in(scope: Scope, **filters: Any) -> Any:
    """A Request queryset with the scope's department filter applied."""
    query = Request.filter(**filters)
    ids = await department_ids(scope.department_id)
    if ids is not None:
        query = query.filter(department_id_at__in=ids)
    return query
