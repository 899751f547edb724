"""The organisation file's fleet fields (issue 17 item 2): optional, checked with their
place, idempotent, and never undoing what the fleet office did since."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from models.org import Vehicle
from models.seed import seed_org, validate_org

ORG = Path(__file__).resolve().parent / "org_good.yaml"


def org(**gl8: Any) -> dict[str, Any]:
    data = yaml.safe_load(ORG.read_text(encoding="utf-8"))
    data["vehicles"][0].update(gl8)
    return data


def test_an_old_file_without_fleet_fields_is_valid() -> None:
    assert validate_org(org()) == []


def test_fleet_fields_are_checked_where_they_are() -> None:
    problems = {(p.where, p.message) for p in validate_org(org(
        odometer="many", inspection_due_on="2027-13-01", maintenance_every_months=600,
        insurance_compulsory_until=20270101, maintenance_due_km=0))}
    assert problems == {
        ("vehicles[0].odometer", "must be an integer, not a string"),
        ("vehicles[0].inspection_due_on", "must be a date YYYY-MM-DD, not '2027-13-01'"),
        ("vehicles[0].maintenance_every_months", "must be at most 60, not 600"),
        ("vehicles[0].insurance_compulsory_until", "must be a date YYYY-MM-DD, not a number"),
        ("vehicles[0].maintenance_due_km", "must be a positive integer up to 2147483647, not 0"),
    }


async def test_seeding_twice_changes_nothing_and_keeps_the_fleet_offices_work(db: str) -> None:
    fields = dict(odometer=42000, maintenance_due_km=45000, maintenance_due_on=date(2027, 3, 1),
                  insurance_compulsory_until="2027-05-31", maintenance_every_km=7500)
    assert (await seed_org(org(**fields))).ok
    again = await seed_org(org(**fields))
    assert again.counts["vehicles"].updated == 0 and not again.changed
    gl8 = await Vehicle.get(plate="沪A12345")
    assert (gl8.odometer, gl8.insurance_compulsory_until, gl8.maintenance_every_km) == (
        42000, date(2027, 5, 31), 7500)
    # Trips moved the odometer and a 保养 the due date; the old file does not undo them…
    await Vehicle.filter(id=gl8.id).update(odometer=46000, maintenance_due_km=53500,
                                           maintenance_due_on=date(2027, 6, 1))
    assert (await seed_org(org(**fields))).counts["vehicles"].updated == 0
    gl8 = await Vehicle.get(plate="沪A12345")
    assert (gl8.odometer, gl8.maintenance_due_km, gl8.maintenance_due_on) == (46000, 53500, date(2027, 6, 1))
    # …while a renewal in the file is taken.
    assert (await seed_org(org(**{**fields, "insurance_compulsory_until": "2028-05-31"}))).ok
    assert (await Vehicle.get(plate="沪A12345")).insurance_compulsory_until == date(2028, 5, 31)
