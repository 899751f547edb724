"""The fleet office's words (issue 17 item 2): why a vehicle cannot go, what comes due,
and a vehicle's state in one line — one wording for chat, reminders and pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.common import fmt_day
from models.fleet import Due, DueKind
from models.org import Vehicle
from models.vehicle_state import DowntimeKind, PaperKind, Unusable, VehicleDowntime

__all__ = ["DOWN_NAMES", "DUE_NAMES", "down_text", "due_text", "fmt_date", "km", "unusable_text",
           "until_text", "vehicle_head"]

DOWN_NAMES: dict[str, str] = {
    DowntimeKind.REPAIR: "送修",
    DowntimeKind.MAINTENANCE: "保养",
    DowntimeKind.STOPPED: "停用",
}
PAPER_NAMES: dict[str, str] = {
    PaperKind.INSURANCE_COMPULSORY: "交强险",
    PaperKind.INSURANCE_COMMERCIAL: "商业险",
    PaperKind.INSPECTION: "年检",
}
DUE_NAMES: dict[str, str] = {
    DueKind.MAINTENANCE: "保养",
    DueKind.MAINTENANCE_KM: "保养",
    DueKind.INSURANCE_COMPULSORY: "交强险",
    DueKind.INSURANCE_COMMERCIAL: "商业险",
    DueKind.INSPECTION: "年检",
}


def km(value: int) -> str:
    return f"{value:,}"


def fmt_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def until_text(until: datetime | None, tz: ZoneInfo) -> str:
    """"至12月10日(周四) 18:00" / "至12月10日(周四)" (a whole day) / "（恢复使用前）"."""
    if until is None:
        return "，恢复使用前不派车"
    local = until.astimezone(tz)
    if (local.hour, local.minute) == (0, 0):
        return f"，至{fmt_day(local - timedelta(days=1), tz)}"  # through the day before
    return f"，至{fmt_day(local, tz)} {local:%H:%M}"


def down_text(d: VehicleDowntime, tz: ZoneInfo) -> str:
    """"送修中（发动机异响），至12月10日(周四)"."""
    reason = f"（{d.reason}）" if d.reason else ""
    return f"{DOWN_NAMES[d.kind]}中{reason}{until_text(d.until, tz)}"


def unusable_text(plate: str, why: object, tz: ZoneInfo) -> str:
    """"沪A12345 送修中（发动机异响）" / "沪A12345 交强险已于2026年12月31日到期"."""
    if not isinstance(why, Unusable):
        return f"{plate} 暂停使用"
    if why.lapsed_on is not None:
        return f"{plate} {PAPER_NAMES[why.kind]}{fmt_date(why.lapsed_on)}到期，到期后不能派出"
    reason = f"（{why.reason}）" if why.reason else ""
    return f"{plate} {DOWN_NAMES[why.kind]}中{reason}{until_text(why.until, tz)}"


def due_text(due: Due, today: date) -> str:
    """"保养 2027年3月1日（还有30天）" / "交强险 2026年12月31日到期（已过期3天）" /
    "保养里程 45,000 公里（还差900公里）"."""
    name = DUE_NAMES[due.kind]
    if due.due_on is not None:
        left = (due.due_on - today).days
        when = "今天到期" if left == 0 else f"还有{left}天" if left > 0 else f"已过期{-left}天"
        verb = "前" if due.kind is DueKind.MAINTENANCE else "到期"
        return f"{name} {fmt_date(due.due_on)}{verb}（{when}）"
    assert due.due_km is not None
    odometer = due.vehicle.odometer
    if odometer is None:
        return f"{name}里程 {km(due.due_km)} 公里"
    left_km = due.due_km - odometer
    when = f"还差{km(left_km)}公里" if left_km > 0 else f"已超过{km(-left_km)}公里"
    return f"{name}里程 {km(due.due_km)} 公里（{when}）"


def vehicle_head(v: Vehicle) -> str:
    driver = f"，{v.driver.name}" if v.driver is not None else "，未配司机"
    return f"{v.plate} {v.model} {v.seats}座{driver}"
