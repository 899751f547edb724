"""The dashboard's asset figures: the register now (in stock, reserved, in use, by
category and by department, with their original value) and what was handed out in the
range (items issued by requisition, by the applicant's department)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from models.assets import Asset, AssetState, StockLine, stock
from models.audit import AuditLog
from models.org import Department
from models.stats import Scope, department_ids


@dataclass(frozen=True, slots=True)
class DepartmentAssets:
    id: int
    name: str
    in_use: int  # items held now (issued or under transfer)
    value: Decimal  # their original value
    issued_in_range: int  # items handed out to it by requisition in the range


@dataclass(frozen=True, slots=True)
class AssetReport:
    categories: list[StockLine]  # by category
    departments: list[DepartmentAssets] = field(default_factory=list)

    @property
    def in_stock(self) -> int:
        return sum(x.in_stock for x in self.categories)

    @property
    def in_use(self) -> int:
        return sum(x.issued for x in self.categories)


async def asset_report(scope: Scope) -> AssetReport:
    """The register now and the range's hand-outs; a department filter keeps it and the
    departments below it (the stock is the bureau's, shown whole)."""
    ids = await department_ids(scope.department_id)
    query = Asset.filter(state__in=[AssetState.ISSUED, AssetState.TRANSFERRING],
                         department_id__not_isnull=True)
    if ids is not None:
        query = query.filter(department_id__in=ids)
    held: dict[int, list[Decimal]] = defaultdict(list)
    for dept, value in await query.values_list("department_id", "value"):
        held[int(dept)].append(Decimal(value))
    given: dict[int, int] = defaultdict(int)
    handed = AuditLog.filter(action="hand_over", at__gte=scope.since, at__lt=scope.until,
                             request__type="asset_request")
    for dept, details in await handed.values_list("request__department_id_at", "details"):
        if (details or {}).get("kind") == "requisition" and (ids is None or dept in ids):
            given[int(dept)] += len((details or {}).get("tags") or [])
    names = dict(await Department.filter(id__in=list(held | given) or [0]).values_list("id", "name"))
    rows = [DepartmentAssets(d, str(names.get(d, d)), len(held.get(d, [])),
                             sum(held.get(d, []), Decimal(0)), given.get(d, 0))
            for d in sorted(held.keys() | given.keys())]
    rows.sort(key=lambda r: (-r.in_use, r.id))
    return AssetReport(await stock(), rows)
