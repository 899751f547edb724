"""Loading the organisation file (CONTRACT §5): validate everything, then upsert.

`validate_org` checks the whole file without a database and returns every problem with
where it is (`users[3].department: unknown department 99`, plus the YAML line when the
data came from a file). `seed_org` writes nothing unless the file is clean; a clean file
is upserted in one transaction by natural key (department id, userid, plate, facility
id, request type), so running it twice changes nothing.

What leaves the file is switched off, never deleted (requests refer to it, and seeding
the right file again switches it back on): users become inactive, vehicles go out of
service, facilities become inactive. Departments stay; approval rules are replaced.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.org import (
    ApprovalRule,
    Department,
    Facility,
    FacilityType,
    RequestType,
    Role,
    User,
    UserRole,
    Vehicle,
    forget_cached_org,
    org_changed,
)

PathPart = str | int
MAX_NUMBER = {"seats": 99, "capacity": 100_000}  # beyond: a typo, not a vehicle or a room
_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
# WeCom userid: 1-64 letters, digits and _ - . @
# (https://developer.work.weixin.qq.com/document/path/90195)
_USERID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


@dataclass(frozen=True, slots=True)
class SeedProblem:
    """One mistake in the organisation file; `path` locates it in the data."""

    path: tuple[PathPart, ...]
    message: str
    line: int | None = None  # 1-based line in the YAML file, when known

    @property
    def where(self) -> str:
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text or "file"

    def __str__(self) -> str:
        prefix = f"line {self.line}: " if self.line else ""
        return f"{prefix}{self.where}: {self.message}"


@dataclass(slots=True)
class SeedCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0


TABLES = ("departments", "users", "vehicles", "facilities", "approval_rules")


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
            lines.append(f"{table}: " + ", ".join(parts))
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Validation (pure)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[SeedProblem] = []

    def add(self, path: tuple[PathPart, ...], message: str) -> None:
        self.problems.append(SeedProblem(path, message))

    def items(self, data: Mapping[str, Any], key: str, *, required: bool) -> list[dict[str, Any]]:
        """The list under `key`, keeping only its mappings (the others are reported)."""
        if key not in data or data[key] is None:
            if required:
                self.add((key,), "missing")
            return []
        value = data[key]
        if not isinstance(value, list):
            self.add((key,), f"must be a list, not {_kind(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, Mapping):
                out.append(dict(item))
            else:
                self.add((key, i), f"must be a mapping, not {_kind(item)}")
                out.append({})  # keeps indexes aligned; marked empty
        return out

    def fields(
        self,
        path: tuple[PathPart, ...],
        item: dict[str, Any],
        required: dict[str, type | tuple[type, ...]],
        optional: dict[str, type | tuple[type, ...]],
        model: type[Model],
    ) -> bool:
        """Report missing, unknown and wrong-typed fields, text longer than its column
        and numbers out of range; True when all are usable."""
        if not item:
            return False
        ok = True
        for name in item:
            if name not in required and name not in optional:
                self.add((*path, str(name)), "unknown field")
        for name, kind in (*required.items(), *optional.items()):
            if name not in item:
                if name in required:
                    self.add((*path, name), "missing")
                    ok = False
                continue
            value = item[name]
            if value is None and name in optional:
                continue
            if not _is(value, kind):
                self.add((*path, name), f"must be {_type_name(kind)}, not {_kind(value)}")
                ok = False
            elif isinstance(value, str) and not value.strip():
                self.add((*path, name), "must not be empty")
                ok = False
            elif isinstance(value, str) and len(value) > _max_length(model, name):
                self.add((*path, name), f"longer than {_max_length(model, name)} characters")
                ok = False
            elif _is(value, int) and not 0 < value <= MAX_NUMBER.get(name, 2**31 - 1):
                self.add(
                    (*path, name),
                    f"must be a positive integer up to {MAX_NUMBER.get(name, 2**31 - 1)}, not {value}",
                )
                ok = False
        return ok


def _max_length(model: type[Model], name: str) -> int:
    column = model._meta.fields_map.get(name)
    return getattr(column, "max_length", None) or 10_000


def _is(value: Any, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        return False  # YAML's yes/no are not numbers
    return isinstance(value, kinds)


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", bool: "true or false", list: "a list"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    return {
        str: "a string",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def parse_hours(text: str) -> tuple[str, str] | None:
    """ "08:00-20:00" → ("08:00", "20:00"); None unless HH:MM-HH:MM with start < end."""
    m = _HOURS.match(text.strip())
    if not m:
        return None
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if not (h1 <= 23 and m1 <= 59 and m2 <= 59 and (h2 <= 23 or (h2 == 24 and m2 == 0))):
        return None
    if (h1, m1) >= (h2, m2):
        return None
    return f"{h1:02}:{m1:02}", f"{h2:02}:{m2:02}"


def validate_org(data: Any) -> list[SeedProblem]:
    """Every problem in an organisation file's data (as loaded from YAML); [] when clean."""
    c = _Checker()
    if not isinstance(data, Mapping):
        c.add((), f"must be a mapping with departments, users, …, not {_kind(data)}")
        return c.problems
    for key in data:
        if key not in TABLES:
            c.add((str(key),), f"unknown section (expected one of {', '.join(TABLES)})")

    # departments ----------------------------------------------------------------------
    departments = c.items(data, "departments", required=True)
    # References are checked only against a readable section: one bad id must not turn
    # into an "unknown department" on every user of it.
    dept_index: dict[int, int] = {}  # id → index
    parents: dict[int, tuple[int, int | None]] = {}  # id → (index, parent id)
    for i, d in enumerate(departments):
        path = ("departments", i)
        if not c.fields(path, d, {"id": int, "name": str}, {"parent": int}, Department):
            if _is(d.get("id"), int):
                dept_index.setdefault(d["id"], i)
            continue
        if d["id"] in dept_index:
            c.add(
                (*path, "id"),
                f"duplicate department id {d['id']} (also departments[{dept_index[d['id']]}])",
            )
            continue
        dept_index[d["id"]] = i
        parents[d["id"]] = (i, d.get("parent"))
    depts_readable = isinstance(data.get("departments"), list) and not any(
        p.path[0] == "departments"
        and (len(p.path) == 2 or p.path[2:] == ("id",))
        and not p.message.startswith("duplicate")
        for p in c.problems
    )
    for i, parent in parents.values():
        if depts_readable and parent is not None and parent not in dept_index:
            c.add(("departments", i, "parent"), f"unknown department {parent}")
    _check_cycles(c, parents)

    # users ----------------------------------------------------------------------------
    users = c.items(data, "users", required=True)
    users_readable = isinstance(data.get("users"), list) and all(
        isinstance(u.get("userid"), str) and isinstance(u.get("roles"), list) for u in users
    )
    user_index: dict[str, int] = {}
    user_roles: dict[str, set[str]] = {}
    for i, u in enumerate(users):
        path = ("users", i)
        c.fields(path, u, {"userid": str, "name": str, "department": int, "roles": list}, {}, User)
        userid = u.get("userid")
        if isinstance(userid, str) and userid.strip():
            if not _USERID.match(userid):
                c.add(
                    (*path, "userid"),
                    f"not a WeCom userid: {userid!r} (letters, digits, _-.@; at most 64)",
                )
            if userid in user_index:
                c.add(
                    (*path, "userid"),
                    f"duplicate userid {userid} (also users[{user_index[userid]}])",
                )
            else:
                user_index[userid] = i
        dept = u.get("department")
        if depts_readable and _is(dept, int) and dept not in dept_index:
            c.add((*path, "department"), f"unknown department {dept}")
        roles = u.get("roles")
        if isinstance(roles, list):
            if not roles:
                c.add((*path, "roles"), "must name at least one role")
            seen: set[str] = set()
            for j, role in enumerate(roles):
                if not isinstance(role, str) or role not in Role.__members__.values():
                    c.add((*path, "roles", j), f"unknown role {role!r} (roles: {', '.join(Role)})")
                elif role in seen:
                    c.add((*path, "roles", j), f"role {role} given twice")
                seen.add(str(role))
            if isinstance(userid, str):
                user_roles.setdefault(userid, {r for r in seen if r in Role.__members__.values()})

    # vehicles -------------------------------------------------------------------------
    vehicles = c.items(data, "vehicles", required=False)
    plates: dict[str, int] = {}
    for i, v in enumerate(vehicles):
        path = ("vehicles", i)
        c.fields(
            path,
            v,
            {"plate": str, "model": str, "seats": int},
            {"driver": str, "in_service": bool},
            Vehicle,
        )
        plate = v.get("plate")
        if isinstance(plate, str) and plate.strip():
            if plate in plates:
                c.add((*path, "plate"), f"duplicate plate {plate} (also vehicles[{plates[plate]}])")
            else:
                plates[plate] = i
        driver = v.get("driver")
        if isinstance(driver, str) and users_readable:
            if driver not in user_index:
                c.add((*path, "driver"), f"unknown driver {driver} (not in users)")
            elif driver in user_roles and Role.DRIVER not in user_roles[driver]:
                c.add((*path, "driver"), f"{driver} does not have the driver role")

    # facilities -----------------------------------------------------------------------
    facilities = c.items(data, "facilities", required=False)
    facility_ids: dict[str, int] = {}
    facility_names: dict[str, int] = {}
    for i, f in enumerate(facilities):
        path = ("facilities", i)
        c.fields(
            path,
            f,
            {"id": str, "name": str, "type": str, "building": str, "capacity": int, "open": str},
            {"needs_approval": bool},
            Facility,
        )
        for key, seen_map, label in (
            ("id", facility_ids, "facility id"),
            ("name", facility_names, "facility name"),
        ):
            value = f.get(key)
            if isinstance(value, str) and value.strip():
                if value in seen_map:
                    c.add(
                        (*path, key),
                        f"duplicate {label} {value} (also facilities[{seen_map[value]}])",
                    )
                else:
                    seen_map[value] = i
        ftype = f.get("type")
        if isinstance(ftype, str) and ftype not in FacilityType.__members__.values():
            c.add(
                (*path, "type"),
                f"unknown facility type {ftype!r} (types: {', '.join(FacilityType)})",
            )
        hours = f.get("open")
        if isinstance(hours, str) and hours.strip() and parse_hours(hours) is None:
            c.add((*path, "open"), f"bad opening hours {hours!r} (HH:MM-HH:MM, start before end)")

    # approval rules -------------------------------------------------------------------
    rules = data.get("approval_rules")
    if rules is None:
        c.add(("approval_rules",), "missing")
    elif not isinstance(rules, Mapping):
        c.add(
            ("approval_rules",), f"must be a mapping of request type to roles, not {_kind(rules)}"
        )
    else:
        held = {r for roles in user_roles.values() for r in roles}
        for rtype, chain in rules.items():
            rpath: tuple[PathPart, ...] = ("approval_rules", str(rtype))
            if rtype not in RequestType.__members__.values():
                c.add(rpath, f"unknown request type {rtype!r} (types: {', '.join(RequestType)})")
                continue
            if not isinstance(chain, list):
                c.add(rpath, f"must be a list of roles, not {_kind(chain)}")
                continue
            for j, role in enumerate(chain):
                if not isinstance(role, str) or role not in Role.__members__.values():
                    c.add((*rpath, j), f"unknown role {role!r} (roles: {', '.join(Role)})")
                elif role in chain[:j]:
                    c.add((*rpath, j), f"role {role} given twice")
                elif users_readable and role not in held:
                    c.add(
                        (*rpath, j),
                        f"no user has the role {role}: these requests could never be approved",
                    )
        for rtype in RequestType:
            if rtype not in rules:
                c.add(("approval_rules",), f"missing {rtype} (use [] for no approval)")
    return c.problems


def _check_cycles(c: _Checker, parents: dict[int, tuple[int, int | None]]) -> None:
    """Report each cycle of the department tree once, at its smallest id."""
    reported: set[int] = set()
    for start in sorted(parents):
        chain: list[int] = []
        node: int | None = start
        while node is not None and node in parents and node not in chain and node not in reported:
            chain.append(node)
            node = parents[node][1]
        if node is not None and node in chain:
            cycle = chain[chain.index(node) :]
            reported.update(cycle)
            first = min(cycle)
            k = cycle.index(first)
            ordered = cycle[k:] + cycle[:k] + [first]
            c.add(
                ("departments", parents[first][0], "parent"),
                "cycle in the department tree (each → its parent): "
                + " → ".join(str(d) for d in ordered),
            )
        reported.update(chain)


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


async def seed_org(path_or_data: str | Path | Mapping[str, Any]) -> SeedResult:
    """Validate, then upsert the organisation in one transaction. With any problem the
    result lists them all and nothing is written."""
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
        await _upsert_departments(data["departments"], result.counts["departments"])
        users = await _upsert_users(data["users"], result.counts["users"])
        await _upsert_vehicles(data.get("vehicles") or [], users, result.counts["vehicles"])
        await _upsert_facilities(data.get("facilities") or [], result.counts["facilities"])
        await _upsert_rules(data["approval_rules"], result.counts["approval_rules"])
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


async def _upsert_users(rows: list[dict[str, Any]], counts: SeedCounts) -> dict[str, int]:
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
    rows: list[dict[str, Any]], users: dict[str, int], counts: SeedCounts
) -> None:
    existing = {v.plate: v for v in await Vehicle.all()}
    for row in rows:
        values = {
            "model": row["model"].strip(),
            "seats": row["seats"],
            "driver_id": users[row["driver"]] if row.get("driver") else None,
            "in_service": row.get("in_service", True) is not False,
        }
        vehicle = existing.get(row["plate"])
        if vehicle is None:
            await Vehicle.create(plate=row["plate"], **values)
            _tally(counts, True, True)
        else:
            _tally(counts, False, await _save_changes(vehicle, values))
    in_file = {row["plate"] for row in rows}
    for plate, vehicle in existing.items():
        if plate not in in_file and vehicle.in_service:
            await _save_changes(vehicle, {"in_service": False})
            counts.deactivated += 1


async def _upsert_facilities(rows: list[dict[str, Any]], counts: SeedCounts) -> None:
    existing = {f.id: f for f in await Facility.all()}
    for row in rows:
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
        }
        facility = existing.get(row["id"])
        if facility is None:
            await Facility.create(id=row["id"], **values)
            _tally(counts, True, True)
        else:
            _tally(counts, False, await _save_changes(facility, values))
    in_file = {row["id"] for row in rows}
    for facility_id, facility in existing.items():
        if facility_id not in in_file and facility.active:
            await _save_changes(facility, {"active": False})
            counts.deactivated += 1


async def _upsert_rules(rules: Mapping[str, list[str]], counts: SeedCounts) -> None:
    existing = {r.request_type: r for r in await ApprovalRule.all()}
    for rtype in RequestType:
        roles = [str(Role(r)) for r in rules[rtype]]
        rule = existing.get(rtype)
        if rule is None:
            await ApprovalRule.create(request_type=rtype, roles=roles)
            _tally(counts, True, True)
        else:
            _tally(counts, False, await _save_changes(rule, {"roles": roles}))


# ---------------------------------------------------------------------------------------
# Command line


async def run_seed(path: str, database_url: str) -> int:
    """`python main.py seed FILE`: validate and load; prints the summary (stdout) or every
    problem, one per line (stderr). Returns the exit code."""
    from models.db import close_db, init_db

    await init_db(database_url, create_schema=True)
    try:
        result = await seed_org(path)
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
