"""What the sweeper tells the fleet managers (issue 17 item 2):

- a vehicle's 保养 (by date or reading), 交强险, 商业险 or 年检 coming due: 30 and 7 days
  before, and on the day (or once past it, if missed), told on working days from 09:00
  (models/worktime.py: a date falling on a weekend or holiday is told on the next
  working day); the 保养 reading 1,000 km before and once reached;
- a booking holding a vehicle inside its downtime that the fleet manager's 送修 reply
  did not list (a booking that raced the downtime): told at once.

Each is claimed once across processes by its `fleet_notice` key (models/fleet.py) in the
transaction that writes the notifications, so several sweepers send it once.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from handlers.approval import route_of
from handlers.base import Message, Notifier
from handlers.common import fmt_window
from handlers.fleet_labels import DUE_NAMES, down_text, due_text, fmt_date, vehicle_head
from models.fleet import (
    Due,
    DueKind,
    add_months,
    claim_notice,
    dues_reached,
    notice_key,
    open_clashes,
)
from models.org import Role, users_with_role
from models.sql import transaction
from models.worktime import is_workday

log = logging.getLogger("handlers.fleet_reminders")

TELL_FROM = time(9, 0)  # reminders of dates go out from this local time on working days

DUE = "【车辆{what}提醒】{vehicle}：{due}。{after}"
AFTER = {
    DueKind.MAINTENANCE: "保养后回复“{plate} 保养完成 里程 45000”。",
    DueKind.MAINTENANCE_KM: "保养后回复“{plate} 保养完成 里程 {km}”。",
    DueKind.INSURANCE_COMPULSORY: "到期后该车不再派出。续保后回复“{plate} 交强险 至{next}”。",
    DueKind.INSURANCE_COMMERCIAL: "到期后该车不再派出。续保后回复“{plate} 商业险 至{next}”。",
    DueKind.INSPECTION: "过期后该车不再派出。年检后回复“{plate} 年检 至{next}”。",
}
CLASH = ("【用车需改派】{plate} {down}，但 #{no} {window} {route}（{applicant}）仍安排了这辆车。"
         "请改派：回复“#{no} 改派沪A67890”（换成可用车牌）。")


def due_message(due: Due, today: date) -> str:
    v = due.vehicle
    return DUE.format(
        what=DUE_NAMES[due.kind], vehicle=vehicle_head(v), due=due_text(due, today),
        after=AFTER[due.kind].format(plate=v.plate, km=due.due_km or v.odometer or 45000,
                                     next=fmt_date(add_months(due.due_on, 12)) if due.due_on else ""),
    )


async def remind_fleet(now: datetime, notifier: Notifier, tz: ZoneInfo) -> int:
    """Tell the fleet managers, once each, of what has come due and of bookings left
    without their vehicle; returns how many things were told."""
    managers = [u.userid for u in await users_with_role(Role.FLEET_MANAGER)]
    if not managers:
        return 0
    done = 0
    local = now.astimezone(tz)
    if is_workday(local.date()) and local.time() >= TELL_FROM:
        for due, lead in await dues_reached(local.date()):
            key = notice_key(due, lead)
            try:
                async with transaction():
                    if not await claim_notice(key, now):
                        continue
                    text = due_message(due, local.date())
                    for m in managers:
                        await notifier.notify(m, Message.text(text), key=f"fleet:{key}:{m}")
                done += 1
            except Exception:
                log.exception("fleet reminder failed", extra={"key": key})
    done += await tell_clashes(now, notifier, tz, managers)
    return done


async def tell_clashes(now: datetime, notifier: Notifier, tz: ZoneInfo, managers: list[str]) -> int:
    done = 0
    for d, r in await open_clashes(now):
        key = f"clash:{d.id}:{r.id}"
        try:
            async with transaction():
                if not await claim_notice(key, now):
                    continue
                assert r.vehicle is not None
                text = CLASH.format(plate=r.vehicle.plate, down=down_text(d, tz), no=r.no,
                                    window=fmt_window(r.start, r.end, tz), route=route_of(r),
                                    applicant=r.applicant.name)
                for m in managers:
                    await notifier.notify(m, Message.text(text), key=f"fleet:{key}:{m}")
            done += 1
        except Exception:
            log.exception("clash notice failed", extra={"key": key})
    return done
