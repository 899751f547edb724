"""What the bureau watches (issue 6, item 3): read-only measures for the dashboard, one
module by concern (scope, counts, use, times, overdue); this package names them all.

Every function takes a `Scope`: the days [start, end) in the business time zone and an
optional department, which counts the requests filed from it and from all its
sub-departments (`Request.department_id_at`, the applicant's department when applying).
Results are plain dataclasses; nothing here writes.

    vehicle_use           hours booked per local day and per vehicle (approved/completed)
    requests_by_department / requests_by_service   requests created in the range
    approval_lead_times   per step: from request creation (step 1) or the previous
                          step's decision to this step's decision; median and p90
    repair_times          create → first assign, create → completed, against the limits
    room_occupancy        hours held by approved reservations per weekday × hour, per room
    overdue               what is late *now* (the range does not apply)

Durations are measured on the stored UTC moments; only bucketing (day, weekday, hour)
uses the business time zone. Percentiles interpolate linearly between closest ranks
(numpy's default), so the median of an even count is the mean of the middle two.
"""

from models.stats.counts import (
    TYPES,
    DepartmentCount,
    ServiceCount,
    requests_by_department,
    requests_by_service,
)
from models.stats.overdue import OverdueItem, overdue
from models.stats.scope import (
    ASSIGN_LIMIT,
    BOOKED,
    FINISH_LIMIT,
    MAX_DAYS,
    STEP_LIMIT,
    DepartmentNode,
    Scope,
    UnknownDepartment,
    as_utc,
    department_ids,
    department_tree,
    local_midnight,
    percentile,
)
from models.stats.times import (
    RepairItem,
    RepairMeasure,
    RepairReport,
    RepairRow,
    StepLeadTime,
    approval_lead_times,
    repair_rows,
    repair_times,
)
from models.stats.use import (
    DayUse,
    OccupancyReport,
    RoomUse,
    VehicleReport,
    VehicleUse,
    room_occupancy,
    vehicle_use,
)

__all__ = [
    "ASSIGN_LIMIT", "BOOKED", "FINISH_LIMIT", "MAX_DAYS", "STEP_LIMIT", "TYPES",
    "DayUse", "DepartmentCount", "DepartmentNode", "OccupancyReport", "OverdueItem",
    "RepairItem", "RepairMeasure", "RepairReport", "RepairRow", "RoomUse", "Scope", "ServiceCount",
    "StepLeadTime", "UnknownDepartment", "VehicleReport", "VehicleUse",
    "approval_lead_times", "as_utc", "department_ids", "department_tree", "local_midnight",
    "overdue", "percentile", "repair_rows", "repair_times", "requests_by_department", "requests_by_service",
    "room_occupancy", "vehicle_use",
]
