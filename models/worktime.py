"""The bureau's working time, for reminders and deadlines counted in working hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

# The bureau's working hours, local time (`BOT_TIMEZONE`). Public holidays and the
# weekend days that are made working days (调休) are not modelled: a step waiting over
# 国庆 is reminded on the first weekday.
WORK_DAYS = frozenset(range(5))  # Monday–Friday
WORK_PERIODS = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))


def _work_periods(day: date, tz: Any) -> list[tuple[datetime, datetime]]:
    if day.weekday() not in WORK_DAYS:
        return []
    return [
        (datetime.combine(day, a, tzinfo=tz), datetime.combine(day, b, tzinfo=tz))
        for a, b in WORK_PERIODS
    ]


def working_time(start: datetime, end: datetime, tz: Any) -> timedelta:
    """The working time (WORK_DAYS × WORK_PERIODS in `tz`) inside [start, end)."""
    total = timedelta()
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    while day <= last:
        for a, b in _work_periods(day, tz):
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total


def add_working_time(start: datetime, amount: timedelta, tz: Any) -> datetime:
    """The moment `amount` of working time after `start` (a Friday 17:00 start plus four
    working hours is Monday 12:30); `start` itself when `amount` is not positive."""
    if amount <= timedelta():
        return start
    left = amount
    day = start.astimezone(tz).date()
    while True:
        for a, b in _work_periods(day, tz):
            lo = max(a, start)
            if b <= lo:
                continue
            if lo + left <= b:
                return (lo + left).astimezone(tz)
            left -= b - lo
        day += timedelta(days=1)
