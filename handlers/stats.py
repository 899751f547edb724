"""The dashboard's figures (bot/web/dashboard.py): the reports of models/stats.py for a
date range and department, the department tree of its filter, and whether a department
exists. The sums and limits are the models'; the dashboard only lays them out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import tzinfo
from typing import TypeVar

from models.asset_stats import AssetReport, DepartmentAssets, asset_report
from models.org import Department, RequestType
from models.ratings import CrewRating, crew_ratings
from models.stats import (
    MAX_DAYS,
    STEP_LIMIT,
    DepartmentCount,
    DepartmentNode,
    OccupancyReport,
    OverdueItem,
    RepairReport,
    RepairRow,
    Scope,
    ServiceCount,
    StepLeadTime,
    VehicleReport,
    approval_lead_times,
    department_tree,
    overdue,
    repair_rows,
    repair_times,
    requests_by_department,
    requests_by_service,
    rollup,
    room_occupancy,
    vehicle_use,
)

__all__ = [
    "CrewRating",
    "RequestType",
    "crew_ratings",
    "MAX_DAYS",
    "AssetReport",
    "DepartmentAssets",
    "asset_report",
    "STEP_LIMIT",
    "DepartmentCount",
    "DepartmentNode",
    "OccupancyReport",
    "OverdueItem",
    "RepairReport",
    "RepairRow",
    "Scope",
    "ServiceCount",
    "StepLeadTime",
    "VehicleReport",
    "approval_lead_times",
    "consistent",
    "department_exists",
    "refresh_rollup",
    "department_tree",
    "overdue",
    "repair_rows",
    "repair_times",
    "requests_by_department",
    "requests_by_service",
    "room_occupancy",
    "vehicle_use",
]


T = TypeVar("T")


async def consistent(tz: tzinfo, read: Callable[[], Awaitable[T]]) -> T:
    """`read()`, a page's or a CSV's figures, with the rollup's dirty marks taken once for
    all its reads (models/stats/rollup.py `consistent`): a few statements, not three more
    a figure, and the same figures as a query over the requests."""
    return await rollup.consistent(tz, read)


async def refresh_rollup(tz: tzinfo) -> int:
    """Bring the dashboard's daily rollup up to date by a batch of dirty days (the timers
    call it every few seconds); returns the days recomputed."""
    return max(await rollup.refresh(tz), 0)


async def department_exists(department_id: int) -> bool:
    return await Department.exists(id=department_id)
