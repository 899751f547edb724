"""Loading the organisation file (CONTRACT §5): validate everything, then upsert.

`validate_org` (`models/seed_check.py`) checks the whole file without a database and
returns every problem with where it is (`users[3].department: unknown department 99`,
plus the YAML line when the data came from a file). `seed_org` writes nothing unless the
file is clean; a clean file is upserted in one transaction by natural key (department id, userid, plate, facility
id, request type), so running it twice changes nothing.

What leaves the file is switched off, never deleted (requests refer to it, and seeding
the right file again switches it back on): users become inactive, vehicles go out of
service, facilities become inactive. Departments stay; approval rules are replaced.

The file is for the first start. Once the admin pages changed a vehicle, a facility, an
approval rule or someone's roles (`models.org.AdminEdit`), the database is that row's
truth: seeding again leaves it as the admin left it (not updated, not switched off; a
user's name and department still follow the file, their roles do not) and counts it as
`kept`. `seed FILE --replace-edits` forgets the admin's edits and applies the file.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from tortoise.transactions import in_transaction

from models import seed_fleet
from models.assets import upsert_assets
from models.org import (
    AdminEdit,
    ApprovalRule,
    Department,
    Facility,
    FacilityType,
    Role,
    User,
    UserRole,
    Vehicle,
    admin_edited,
    forget_cached_org,
    org_changed,
)
from models.seed_check import TABLES, PathPart, SeedProblem, parse_hours, validate_org


@dataclass(slots=True)
class SeedCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    kept: int = 0  # edited in the admin pages: left as they are


@dataclass(slots=True)
class SeedResult:
    problems: list[SeedProblem] = field(default_factory=list)
    counts: dict[str, SeedCounts] = field(default_factory=lambda: {t: SeedCounts() for t in TABLES})

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.deactivated for c in self.counts.values())

    def __str__(self) -> str:
        if self.problems:
            return f"{len(self.problems)} problem(s): " + "; ".join(map(str, self.problems))
        return self.summary().replace("\n", "; ")

    def summary(self) -> str:
        """One line per table, e.g. `users: 2 created, 1 updated, 5 unchanged`."""
        lines = []
        for table, c in self.counts.items():
            parts = [f"{c.created} created", f"{c.updated} updated", f"{c.unchanged} unchanged"]
            if c.deactivated:
                parts.append(f"{c.deactivated} switched off")
            if c.kept:
                parts.append(f"{c.kept} kept as edited in the admin pages")
            lines.append(f"{table}: " + ", ".join(parts))
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Loading YAML with line numbers


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last
    silently, which would drop a whole `users:` section)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str | int] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if not isinstance(key, (str, int)):
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} given twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _line_of(node: yaml.Node | None, path: tuple[PathPart, ...]) -> int | None:
    """The 1-based line of `path` in the composed YAML tree (the deepest part found)."""
    line = None
    for part in path:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            match = [
                (k, v)
                for k, v in node.value
                if isinstance(k, yaml.ScalarNode) and k.value == str(part)
            ]
            if not match:
                return line
            key_node, node = match[0]
            line = key_node.start_mark.line + 1
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
        else:
            return line
    if node is not None:
        line = node.start_mark.line + 1
    return line


def load_org_text(text: str) -> tuple[Any, list[SeedProblem]]:
    """Parse YAML text; returns (data, problems) with YAML line numbers on the problems."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
        tree = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, [SeedProblem((), f"not valid YAML: {exc.problem or exc}", line)]
    except yaml.YAMLError as exc:
        return None, [SeedProblem((), f"not valid YAML: {exc}")]
    except RecursionError:  # hostile nesting ("[[[[…") or a self-referencing alias
        return None, [SeedProblem((), "not valid YAML: nested too deeply")]
    problems = [SeedProblem(p.path, p.message, _line_of(tree, p.path)) for p in validate_org(data)]
    return data, problems


# ---------------------------------------------------------------------------------------
# Writing


async def seed_org(path_or_data: str | Path | Mapping[str, Any], *,
                   replace_edits: bool = False) -> SeedResult:
    """Validate, then upsert the organisation in one transaction. With any problem the
    result lists them all and nothing is written. Rows edited in the admin pages are kept
    unless `replace_edits` (then their marks are dropped and the file applies)."""
    if isinstance(path_or_data, (str, Path)):
        try:
            text = await asyncio.to_thread(Path(path_or_data).read_text, encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return SeedResult(problems=[SeedProblem((), f"cannot read {path_or_data}: {exc}")])
        data, problems = load_org_text(text)
    else:
        data, problems = path_or_data, validate_org(path_or_data)
    if problems:
        return SeedResult(problems=problems)
    result = SeedResult()
    async with in_transaction():
        if replace_edits:
            await AdminEdit.all().delete()
        await _upsert_departments(data["departments"], result.counts["departments"])
        users = await _upsert_users(data["users"], result.counts["users"],
                                    await admin_edited("roles"))
        await _upsert_vehicles(data.get("vehicles") or [], users, result.counts["vehicles"],
                               await admin_edited("vehicle"))
        await _upsert_facilities(data.get("facilities") or [], users,
                                 result.counts["facilities"], await admin_edited("facility"))
        await _upsert_rules(data["approval_rules"], result.counts["approval_rules"],
                            await admin_edited("rule"))
        await upsert_assets(data.get("assets") or [], users, result.counts["assets"],
                            await admin_edited("asset"))
        await org_changed()
    forget_cached_org()
    return result


def _tally(counts: SeedCounts, created: bool, changed: bool) -> None:
    if created:
        counts.created += 1
    elif changed:
        counts.updated += 1
    else:
        counts.unchanged += 1


async def _save_changes(obj: Any, values: dict[str, Any]) -> bool:
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for k in changed:
        setattr(obj, k, values[k])
    if changed:
        await obj.save(update_fields=changed)
    return bool(changed)


async def _upsert_departments(rows: list[dict[str, Any]], counts: SeedCounts) -> None:
    existing = {d.id: d for d in await Department.all()}
    by_id = {r["id"]: r for r in rows}
    done: set[int] = set()

    async def upsert(dept_id: int) -> None:  # parents first: the FK needs them
        if dept_id in done:
            return
        row = by_id[dept_id]
        if row.get("parent") is not None:
            await upsert(row["parent"])
        values = {"name": row["name"].strip(), "parent_id": row.get("parent")}
        if dept_id in existing:
            _tally(counts, False, await _save_changes(existing[dept_id], values))
        else:
            await Department.create(id=dept_id, **values)
            _tally(counts, True, True)
        done.add(dept_id)

    for dept_id in by_id:
        await upsert(dept_id)


async def _upsert_users(rows: list[dict[str, Any]], counts: SeedCounts,
                        roles_kept: set[str]) -> dict[str, int]:
    existing = {u.userid: u for u in await User.all().prefetch_related("role_links")}
    ids: dict[str, int] = {}
    for row in rows:
        values = {"name": row["name"].strip(), "department_id": row["department"], "active": True}
        roles = {Role(r) for r in row["roles"]}
        user = existing.get(row["userid"])
        if user is None:
            user = await User.create(userid=row["userid"], **values)
            await UserRole.bulk_create([UserRole(user=user, role=r) for r in sorted(roles)])
            _tally(counts, True, True)
        elif user.userid in roles_kept:  # roles as the admin pages left them
            changed = await _save_changes(user, values)
            counts.kept += 1
        else:
            changed = await _save_changes(user, values)
            old = {Role(link.role): link for link in user.role_links}
            gone = [link.id for r, link in old.items() if r not in roles]
            new = sorted(roles - old.keys())
            if gone:
                await UserRole.filter(id__in=gone).delete()
            if new:
                await UserRole.bulk_create([UserRole(user=user, role=r) for r in new])
            _tally(counts, False, changed or bool(gone or new))
        ids[user.userid] = user.id
    in_file = set(ids)
    for userid, user in existing.items():
        if userid not in in_file and user.active:
            await _save_changes(user, {"active": False})
            counts.deactivated += 1
    return ids


async def _upsert_vehicles(
    rows: list[dict[str, Any]], users: dict[str, int], counts: SeedCounts, kept: set[str]
) -> None:
    existing = {v.plate: v for v in await Vehicle.all()}
    for row in rows:
        if row["plate"] in kept:
            counts.kept += 1
            continue
        values = {
            "model": row["model"].strip(),
            "seats": row["seats"],
            "driver_id": users[row["driver"]] if row.get("driver") else None,
            "in_service": row.get("in_service", True) is not False,
        }
        vehicle = existing.get(row["plate"])
        values.update(seed_fleet.values_for(row, vehicle))
        if vehicle is None:
            await Vehicle.create(plate=row["plate"], **values)
            _tally(counts, True, True)
        else:
            _tally(counts, False, await _save_changes(vehicle, values))
    in_file = {row["plate"] for row in rows}
    for plate, vehicle in existing.items():
        if plate not in in_file and plate not in kept and vehicle.in_service:
            await _save_changes(vehicle, {"in_service": False})
            counts.deactivated += 1


async def _upsert_facilities(rows: list[dict[str, Any]], users: dict[str, int],
                             counts: SeedCounts, kept: set[str]) -> None:
    existing = {f.id: f for f in await Facility.all()}
    for row in rows:
        if row["id"] in kept:
            counts.kept += 1
            continue
        open_from, open_to = parse_hours(row["open"]) or ("", "")
        values = {
            "name": row["name"].strip(),
            "type": FacilityType(row["type"]),
            "building": row["building"].strip(),
            "capacity": row["capacity"],
            "needs_approval": bool(row.get("needs_approval") or False),
            "open_from": open_from,
            "open_to": open_to,
            "active": True,
            "floor": (row.get("floor") or "").strip(),
            "equipment": [str(e).strip() for e in row.get("equipment") or []],
            "manager_id": users[row["manager"]] if row.get("manager") else None,
        }
        facility = existing.get(row["id"])
        if facility is None:
            await Facility.create(id=row["id"], **values)
            _tally(counts, True, True)
        else:
            _tally(counts, False, await _save_changes(facility, values))
    in_file = {row["id"] for row in rows}
    for facility_id, facility in existing.items():
        if facility_id not in in_file and facility_id not in kept and facility.active:
            await _save_changes(facility, {"active": False})
            counts.deactivated += 1


async def _upsert_rules(rules: Mapping[str, list[str]], counts: SeedCounts,
                        kept: set[str]) -> None:
    """The file's rules replace those in force, except those an admin edited (`kept`): a
    rule the file no longer has is removed (a type an older file leaves out then takes its
    default, `OPTIONAL_RULES`)."""
    existing = {r.request_type: r for r in await ApprovalRule.all()}
    for key, chain in rules.items():
        # a kind's rule an admin removed (its type's rule applies) stays removed
        if str(key) in kept and (str(key) in existing or "." in str(key)):
            counts.kept += 1
            continue
        roles = [str(r) for r in chain]
        rule = existing.get(str(key))
        if rule is None:
            await ApprovalRule.create(request_type=str(key), roles=roles)
            _tally(counts, True, True)
        else:
            _tally(counts, False, await _save_changes(rule, {"roles": roles}))
    gone = [k for k in existing if k not in rules and k not in kept]
    if gone:
        await ApprovalRule.filter(request_type__in=gone).delete()
        counts.deactivated += len(gone)


# ---------------------------------------------------------------------------------------
# Command line


async def run_seed(path: str, database_url: str, *, replace_edits: bool = False) -> int:
    """`python main.py seed FILE [--replace-edits]`: validate and load; prints the summary
    (stdout) or every problem, one per line (stderr). Returns the exit code."""
    from models.db import close_db, init_db

    await init_db(database_url, create_schema=True)
    try:
        result = await seed_org(path, replace_edits=replace_edits)
    finally:
        await close_db()
    if not result.ok:
        for problem in result.problems:
            print(f"{path}: {problem}", file=sys.stderr)
        print(f"{len(result.problems)} problem(s); nothing was written.", file=sys.stderr)
        return 1
    print(result.summary())
    print("organisation loaded" if result.changed else "organisation unchanged")
    return 0
