"""The fleet fields of the organisation file's vehicles (issue 17 item 2), all optional —
a file without them reads as before (CONTRACT §5 stays valid):

```yaml
vehicles:
  - {plate: 沪A12345, model: 别克GL8, seats: 7, driver: zhaoshifu,
     odometer: 42000,                       # km, the reading today
     maintenance_due_on: 2027-03-01,        # next 保养 by date …
     maintenance_due_km: 45000,             # … and/or by reading
     maintenance_every_km: 10000, maintenance_every_months: 6,   # how often
     insurance_compulsory_until: 2027-05-31,  # 交强险, last day covered
     insurance_commercial_until: 2027-05-31,  # 商业险, last day covered
     inspection_due_on: 2027-08-31}         # 年检, last day it is valid
```

Seeding stays idempotent and never undoes what the fleet office did since: on an
existing vehicle the odometer and the 保养 reading only move forward, and a date is
taken only when it is later than the one kept (a renewed insurance, a 保养 done in chat
stays); the intervals are the file's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from models.org import Vehicle

NUMBERS = ("odometer", "maintenance_due_km", "maintenance_every_km", "maintenance_every_months")
DATES = ("maintenance_due_on", "insurance_compulsory_until", "insurance_commercial_until",
         "inspection_due_on")
FORWARD = ("odometer", "maintenance_due_km")  # only ever move up
CONFIG = ("maintenance_every_km", "maintenance_every_months")
MAX = {"odometer": 9_999_999, "maintenance_due_km": 9_999_999, "maintenance_every_km": 100_000,
       "maintenance_every_months": 60}

OPTIONAL: dict[str, type | tuple[type, ...]] = {
    **{name: int for name in NUMBERS}, **{name: (date, str) for name in DATES},
}


def day_of(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def problems(v: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for fleet fields the checker's types let through but that are
    unusable: a text that is no date, a number out of range."""
    out = []
    for name in DATES:
        if isinstance(v.get(name), str) and day_of(v[name]) is None:
            out.append((name, f"must be a date YYYY-MM-DD, not {v[name]!r}"))
    for name in NUMBERS:
        value = v.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX[name]:
            out.append((name, f"must be at most {MAX[name]}, not {value}"))
    return out


def values_for(row: dict[str, Any], vehicle: Vehicle | None) -> dict[str, Any]:
    """The fleet columns to write for a file row (see the module's rule for updates)."""
    out: dict[str, Any] = {}
    for name in (*NUMBERS, *DATES):
        if name not in row or row[name] is None:
            continue
        value = day_of(row[name]) if name in DATES else row[name]
        kept = None if vehicle is None else getattr(vehicle, name)
        if vehicle is None or name in CONFIG or kept is None or value > kept:
            out[name] = value
    return out
