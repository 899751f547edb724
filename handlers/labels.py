"""The Chinese names of request types, statuses, roles, decisions and room types: one
wording for each, the chat's, used by every surface — chat replies, the /m/ pages, the
approve page, the dashboard and its CSV, the iCalendar feeds and the demo's stand-in.

Also the enums and constants `bot/` needs to name things (bot reaches models only through
handlers, STYLE.md "One direction")."""

from __future__ import annotations

from collections.abc import Mapping

from handlers.registry import TypeNames, find_service
from models.org import FacilityType, RequestType, Role
from models.requests import LIVE, NUMBER_BASE, Decision, Request, RequestStatus

__all__ = [
    "DECISION_NAMES",
    "FACILITY_TYPE_NAMES",
    "LIVE",
    "NUMBER_BASE",
    "ROLE_NAMES",
    "STATUS_NAMES",
    "TYPE_NAMES",
    "Decision",
    "FacilityType",
    "RequestStatus",
    "RequestType",
    "Role",
    "ACTION_NAMES",
    "facility_type_name",
    "role_name",
    "status_label",
    "status_name",
    "type_color",
]

# request type → its name, as each service declares it (handlers/services/), in order
TYPE_NAMES: Mapping[str, str] = TypeNames()
STATUS_NAMES: dict[str, str] = {
    RequestStatus.PENDING: "待审批",
    RequestStatus.APPROVED: "已通过",
    RequestStatus.REJECTED: "已驳回",
    RequestStatus.CANCELLED: "已取消",
    RequestStatus.ASSIGNED: "已派工",
    RequestStatus.IN_PROGRESS: "维修中",
    RequestStatus.COMPLETED: "已完成",
}
ROLE_NAMES: dict[str, str] = {
    Role.STAFF: "职员",
    Role.DEPT_HEAD: "部门负责人",
    Role.FLEET_MANAGER: "车辆管理",
    Role.DRIVER: "司机",
    Role.REPAIR_DISPATCHER: "报修调度",
    Role.REPAIR_WORKER: "维修工",
    Role.FACILITY_ADMIN: "场地管理",
    Role.ASSET_MANAGER: "资产管理员",
    Role.ADMIN: "管理员",
}
DECISION_NAMES: dict[str | None, str] = {
    Decision.APPROVE: "已同意", Decision.REJECT: "已驳回", None: "待审批",
}
# What each audit action (models.audit) is called on a request's timeline.
ACTION_NAMES: dict[str, str] = {
    "create": "提交申请", "approve": "同意", "reject": "驳回", "cancel": "取消申请",
    "assign": "派工", "in_progress": "开始维修", "completed": "修好", "waiting_parts": "待料",
    "attach": "上传现场照片", "trip_ack": "确认出车任务", "trip_start": "出车",
    "trip_finish": "行程结束", "complete": "使用结束", "rate": "评价", "urge": "催办",
    "remind": "提醒审批", "escalate": "超时上报", "remind_dispatch": "提醒派工",
    "ask_checkin": "请申请人确认使用", "checkin": "确认使用", "release": "未确认使用，已释放",
    "change_vehicle": "改派车辆",
}
FACILITY_TYPE_NAMES: dict[FacilityType, str] = {
    FacilityType.MEETING_ROOM: "会议室",
    FacilityType.AUDITORIUM: "礼堂",
    FacilityType.RECEPTION_ROOM: "接待室",
    FacilityType.GYM: "健身房",
    FacilityType.CANTEEN_ROOM: "食堂包间",
}


def status_label(request_type: str, status: str) -> str:
    """The status as the chat names it (a service may word one its own way: a repair
    waiting for its dispatcher is 待派工); an unknown value as itself."""
    service = find_service(request_type)
    if service is not None and status in service.status_words:
        return service.status_words[status]
    return STATUS_NAMES.get(status, status)


def status_name(request: Request) -> str:
    return status_label(request.type, request.status)


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)


def facility_type_name(facility_type: str) -> str:
    return FACILITY_TYPE_NAMES.get(facility_type, facility_type)  # type: ignore[call-overload]


def type_color(request_type: str) -> str:
    """The dashboard's colour of a type (its service's), grey for a type no service has."""
    service = find_service(request_type)
    return service.color if service is not None else "#888"
