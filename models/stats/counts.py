"""Requests created in the range (models/stats): per department of the scope's tree and
per request type; per type with how they stand now."""

from __future__ import annotations

from dataclasses import dataclass

from models.org import RequestType
from models.requests import RequestStatus
from models.stats.scope import Scope, department_filter, department_tree, fetch_rows

# ---------------------------------------------------------------------------------------
# Requests per department and per service

TYPES = tuple(RequestType)  # every type counts, zero when it has no requests


@dataclass(frozen=True, slots=True)
class DepartmentCount:
    id: int
    name: str
    depth: int
    own: dict[str, int]  # request type → requests filed from this department itself
    subtree_total: int  # all requests from it and its sub-departments

    @property
    def own_total(self) -> int:
        return sum(self.own.values())


async def requests_by_department(scope: Scope) -> list[DepartmentCount]:
    """Requests created in the range, per department of the scope's tree (in tree order),
    per request type; `subtree_total` adds the sub-departments."""
    tree = await department_tree(scope.department_id)
    dept_sql, dept_params = await department_filter(scope.department_id, "department_id_at")
    rows = await fetch_rows(
        "SELECT department_id_at AS d, type AS t, COUNT(*) AS n FROM request "  # noqa: S608
        f"WHERE created_at >= ? AND created_at < ?{dept_sql} GROUP BY department_id_at, type",
        [scope.since, scope.until, *dept_params])
    own: dict[int, dict[str, int]] = {n.id: dict.fromkeys(map(str, TYPES), 0) for n in tree}
    for r in rows:
        counts = own.get(int(r["d"]))
        if counts is not None:
            counts[str(r["t"])] = counts.get(str(r["t"]), 0) + int(r["n"])
    totals = {n.id: sum(own[n.id].values()) for n in tree}
    for node in reversed(tree):  # children come after their parent: add upwards
        if node.parent_id in totals and node.depth > 0:
            totals[node.parent_id] += totals[node.id]
    return [DepartmentCount(n.id, n.name, n.depth, own[n.id], totals[n.id]) for n in tree]


@dataclass(frozen=True, slots=True)
class ServiceCount:
    type: str
    total: int
    by_status: dict[str, int]  # every RequestStatus, 0 when none


async def requests_by_service(scope: Scope) -> list[ServiceCount]:
    """Requests created in the range per request type, with how they stand now."""
    dept_sql, dept_params = await department_filter(scope.department_id, "department_id_at")
    rows = await fetch_rows(
        "SELECT type AS t, status AS s, COUNT(*) AS n FROM request "  # noqa: S608
        f"WHERE created_at >= ? AND created_at < ?{dept_sql} GROUP BY type, status",
        [scope.since, scope.until, *dept_params])
    counts: dict[str, dict[str, int]] = {
        str(t): dict.fromkeys(map(str, RequestStatus), 0) for t in TYPES
    }
    for r in rows:
        counts.setdefault(str(r["t"]), dict.fromkeys(map(str, RequestStatus), 0))
        counts[str(r["t"])][str(r["s"])] += int(r["n"])
    return [ServiceCount(t, sum(c.values()), c) for t, c in counts.items()]
