"""场地预约 as a service: what the generic modules say about a room reservation (its flow
is handlers/facility_reservation.py, its holds models/holds.py, check-in and release
handlers/reminders.py)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers import facility_reservation as flow
from handlers.common import fmt_window
from handlers.registry import CalendarEntry, Facts, Form, Service, WebForm
from models.org import RequestType
from models.requests import Request
from nlp.types import Intent

TO_APPLICANT_APPROVED = "您的场地预约 #{no} 已批准 ✅\n{room}（{building}），{window}。请按时使用。"


def describe(request: Request, tz: ZoneInfo) -> list[str]:
    d = request.details or {}
    parts = []
    if request.facility is not None:
        parts.append(request.facility.name)
    if d.get("attendees"):
        parts.append(f"{d['attendees']}人")
    return parts


def facts(request: Request, tz: ZoneInfo) -> Facts:
    d = request.details or {}
    rows = []
    if request.facility is not None:
        rows.append(("地点", f"{request.facility.name}（{request.facility.building}）"))
    if d.get("attendees"):
        rows.append(("人数", f"{d['attendees']}人"))
    return rows


def approved_notice(request: Request, tz: ZoneInfo) -> str:
    if request.facility is None:
        return ""
    return TO_APPLICANT_APPROVED.format(
        no=request.no, room=request.facility.name, building=request.facility.building,
        window=fmt_window(request.start, request.end, tz),
    )


def calendar(request: Request) -> CalendarEntry:
    d = request.details or {}
    room = request.facility
    lines = [f"申请人：{request.applicant.name if request.applicant else ''}"]
    if d.get("attendees"):
        lines.append(f"人数：{d['attendees']}")
    if d.get("subject"):
        lines.append(f"会议：{d['subject']}")
    return CalendarEntry(f"{room.name if room else '场地'} #{request.no}",
                         f"{room.building} {room.name}" if room else "", lines)


SERVICE = Service(
    type=RequestType.FACILITY_RESERVATION,
    intent=Intent.FACILITY_RESERVATION,
    name="场地预约",
    icon="🏢",
    help_line="预约场地：如“下周一上午9点到11点订301会议室，10人”",
    color="#2e9d6a",
    approval_rule=RequestType.FACILITY_RESERVATION.value,
    form=Form(required=flow.REQUIRED, questions=flow.ASK, summary=flow.SUMMARY,
              submit=flow.submit_facility,
              web=WebForm("facility", "场地预约", field_of_slot={
                  "facility": "place", "facility_type": "place", "facility_id": "place",
              })),
    describe=describe,
    facts=facts,
    freed_on_cancel="场地已释放",
    freed_on_reject="预留的场地已释放。",
    approved_notice=approved_notice,
    calendar=calendar,
)
