"""The bureau's working time, for reminders and deadlines counted in working hours.

A day is a working day as the State Council's holiday notice makes it — public holidays
off, the weekend days made working days (调休) on — read from `chinese-calendar`, which
carries each year's notice. Where it has no data yet (a year whose notice came after
the installed release) or the bureau keeps a day of its own, the override file decides:
`{DATA_DIR}/workdays.yaml`, e.g.

    holidays: [2027-01-01, 2027-02-15]   # days off
    workdays: [2027-02-07]               # weekend days worked

Past the library's data and without an override, Monday–Friday are the working days.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

log = logging.getLogger("models.worktime")

WORK_DAYS = frozenset(range(5))  # Monday–Friday, where nothing else says
WORK_PERIODS = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))  # local time


class CalendarFileError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Overrides:
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


_overrides = Overrides()


def read_overrides(path: Path) -> Overrides:
    """The bureau's override file; no file is no overrides. A malformed file raises
    CalendarFileError naming what is wrong (the server does not start on a bad one)."""
    if not path.exists():
        return Overrides()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise CalendarFileError(f"{path}: not YAML: {e}") from e
    if not isinstance(data, dict) or set(data) - {"holidays", "workdays"}:
        raise CalendarFileError(f"{path}: only the keys holidays and workdays are allowed")
    days: dict[str, frozenset[date]] = {}
    for key in ("holidays", "workdays"):
        values = data.get(key) or []
        if not isinstance(values, list) or not all(
            isinstance(v, date) and not isinstance(v, datetime) for v in values
        ):
            raise CalendarFileError(f"{path}: {key} must be a list of dates (2027-01-01)")
        days[key] = frozenset(values)
    both = days["holidays"] & days["workdays"]
    if both:
        raise CalendarFileError(f"{path}: both a holiday and a workday: {min(both)}")
    return Overrides(days["holidays"], days["workdays"])


def use_overrides(overrides: Overrides) -> None:
    """Set the process's overrides (at start-up, from `read_overrides`)."""
    global _overrides
    _overrides = overrides
    if overrides.holidays or overrides.workdays:
        log.info("work calendar overrides", extra={
            "holidays": len(overrides.holidays), "workdays": len(overrides.workdays)})


def is_workday(day: date) -> bool:
    if day in _overrides.holidays:
        return False
    if day in _overrides.workdays:
        return True
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the installed release has no notice for
        return day.weekday() in WORK_DAYS


def _work_periods(day: date, tz: Any) -> list[tuple[datetime, datetime]]:
    if not is_workday(day):
        return []
    return [
        (datetime.combine(day, a, tzinfo=tz), datetime.combine(day, b, tzinfo=tz))
        for a, b in WORK_PERIODS
    ]


def working_time(start: datetime, end: datetime, tz: Any) -> timedelta:
    """The working time (working days × WORK_PERIODS in `tz`) inside [start, end)."""
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
