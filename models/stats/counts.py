"""Requests created in the range (models/stats): per department of the scope's tree and
per request type; per type with how they stand now. From the daily rollup
(models/stats/rollup.py: metrics `req` and `dtype`)."""

from __future__ import annotations

from dataclasses import dataclass

from models.org import RequestType
from models.requests import RequestStatus
from models.stats.rollup import sums
from models.stats.scope import Scope, department_tree

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
    found: list[tuple[int, str, int]] = []  # (department, type, requests)
    if scope.department_id is None:  # the whole bureau's rows, keyed "department|type"
        for key, (n, _, _) in (await sums(scope, "dtype", "key")).items():
            dept, _, rtype = key.partition("|")
            found.append((int(dept), rtype, int(n)))
    else:  # the subtree's own rows, keyed "type|status"
        for (dept, key), (n, _, _) in (await sums(scope, "req", "dept_key")).items():
            found.append((int(dept), key.partition("|")[0], int(n)))
    own: dict[int, dict[str, int]] = {n.id: dict.fromkeys(map(str, TYPES), 0) for n in tree}
    for dept, rtype, n in found:
        counts = own.get(dept)
        if counts is not None:
            counts[rtype] = counts.get(rtype, 0) + n
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
    counts: dict[str, dict[str, int]] = {
        str(t): dict.fromkeys(map(str, RequestStatus), 0) for t in TYPES
    }
    for key, (n, _, _) in (await sums(scope, "req", "key")).items():
        rtype, _, status = key.partition("|")
        counts.setdefault(rtype, dict.fromkeys(map(str, RequestStatus), 0))
        counts[rtype][status] = counts[rtype].get(status, 0) + int(n)
    return [ServiceCount(t, sum(c.values()), c) for t, c in counts.items()]
