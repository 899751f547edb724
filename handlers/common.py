"""What every use case says about a request: names, times, one-line summaries and the
notifications to approvers and applicants. Issue-specific wording stays in the handler
modules; what two modules would otherwise both write lives here."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.base import Message, Notifier
from models.org import RequestType
from models.requests import ApprovalStep, Request, RequestStatus

TYPE_NAMES = {
    RequestType.VEHICLE_BOOKING: "用车",
    RequestType.FACILITY_RESERVATION: "场地预约",
    RequestType.REPAIR_REQUEST: "报修",
}
STATUS_NAMES = {
    RequestStatus.PENDING: "待审批",
    RequestStatus.APPROVED: "已通过",
    RequestStatus.REJECTED: "已驳回",
    RequestStatus.CANCELLED: "已取消",
    RequestStatus.ASSIGNED: "已派工",
    RequestStatus.IN_PROGRESS: "维修中",
    RequestStatus.COMPLETED: "已完成",
}
WEEKDAYS = "一二三四五六日"


def status_name(request: Request) -> str:
    if request.type is RequestType.REPAIR_REQUEST and request.status is RequestStatus.PENDING:
        return "待派工"
    return STATUS_NAMES[request.status]


def fmt_day(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日(周{WEEKDAYS[local.weekday()]})"


def fmt_window(start: datetime | None, end: datetime | None, tz: ZoneInfo) -> str:
    """`11月28日(周六) 14:00-16:00`; a window over midnight names both days."""
    if start is None:
        return ""
    s = start.astimezone(tz)
    text = f"{fmt_day(s, tz)} {s:%H:%M}"
    if end is not None:
        e = end.astimezone(tz)
        text += f"-{e:%H:%M}" if e.date() == s.date() else f" 至 {fmt_day(e, tz)} {e:%H:%M}"
    return text


def describe(request: Request, tz: ZoneInfo) -> str:
    """One line: number, what, when, where. Relations used must be fetched."""
    d = request.details or {}
    parts = [f"#{request.no}", TYPE_NAMES[request.type]]
    if request.start is not None:
        parts.append(fmt_window(request.start, request.end, tz))
    if request.type is RequestType.VEHICLE_BOOKING:
        parts.append(f"{d.get('origin', '局机关')}→{d.get('destination', '')}")
        if d.get("passengers"):
            parts.append(f"{d['passengers']}人")
        if request.vehicle is not None:
            parts.append(request.vehicle.plate)
    elif request.type is RequestType.FACILITY_RESERVATION:
        if request.facility is not None:
            parts.append(request.facility.name)
        if d.get("attendees"):
            parts.append(f"{d['attendees']}人")
    else:
        parts.append(" ".join(str(x) for x in (d.get("location"), d.get("description")) if x))
    return " ".join(p for p in parts if p)


async def notify_approver(notifier: Notifier, request: Request, step: ApprovalStep,
                          applicant_name: str, tz: ZoneInfo) -> None:
    """Tell the approver of `step` that the request waits for them."""
    text = (
        f"【待您审批】{applicant_name}的申请：{describe(request, tz)}\n"
        f"回复“同意{request.no}”通过，或“驳回{request.no}，理由：…”。"
    )
    await notifier.notify(step.approver.userid, Message.text(text),
                          key=f"approve:{request.no}:{step.seq}")


async def notify_applicant(notifier: Notifier, request: Request, text: str, *, key: str) -> None:
    """Tell the applicant how their request moved (`key` makes it once only)."""
    await notifier.notify(request.applicant.userid, Message.text(text), key=key)


def business_tz(now: datetime) -> ZoneInfo:
    """The business time zone a handler works in: the one `ctx.now` carries (the
    dispatcher gives an aware `now` in `BOT_TIMEZONE`)."""
    tz = now.tzinfo
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo("Asia/Shanghai")
