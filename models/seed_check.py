"""Checking the organisation file (CONTRACT §5) before anything is written: pure.

`validate_org` checks the whole file without a database and returns every problem with
where it is (`users[3].department: unknown department 99`); `models.seed` adds the YAML
line of each and writes a file only when this finds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.models import Model

from models import seed_fleet
from models.assets import Asset, AssetKind, AssetState, expand_entries
from models.org import (
    DEFAULT_RULES,
    Department,
    Facility,
    FacilityType,
    RequestType,
    Role,
    User,
    Vehicle,
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


TABLES = ("departments", "users", "vehicles", "facilities", "approval_rules", "assets")
# Request types an older file may leave out of `approval_rules` (added after the file
# format was first set), with the rule they then get; and the kinds that may carry a rule
# of their own (`asset_request.disposal`).
OPTIONAL_RULES = DEFAULT_RULES  # not stored: models.org.approval_rule falls back to them
RULE_KINDS: dict[str, tuple[str, ...]] = {RequestType.ASSET_REQUEST: tuple(AssetKind)}
ASSET_STATES = tuple(AssetState)


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
    if date in kinds:  # a YAML date, or its text (the fleet's dates: models/seed_fleet.py)
        return "a date YYYY-MM-DD"
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
            {"driver": str, "in_service": bool, **seed_fleet.OPTIONAL},
            Vehicle,
        )
        for name, message in seed_fleet.problems(v):
            c.add((*path, name), message)
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
            {"needs_approval": bool, "floor": str, "equipment": list, "manager": str},
            Facility,
        )
        equipment = f.get("equipment")
        if isinstance(equipment, list):
            for j, item in enumerate(equipment):
                if not isinstance(item, str) or not item.strip():
                    c.add((*path, "equipment", j), "must be a non-empty string")
        manager = f.get("manager")
        if isinstance(manager, str) and users_readable and manager not in user_index:
            c.add((*path, "manager"), f"unknown manager {manager} (not in users)")
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
            base, _, kind = str(rtype).partition(".")
            if base not in RequestType.__members__.values():
                c.add(rpath, f"unknown request type {rtype!r} (types: {', '.join(RequestType)})")
                continue
            if kind and kind not in RULE_KINDS.get(base, ()):
                kinds = ", ".join(f"{base}.{k}" for k in RULE_KINDS.get(base, ())) or "none"
                c.add(rpath, f"unknown kind {kind!r} of {base} (kinds with a rule: {kinds})")
                continue
            if not isinstance(chain, list):
                c.add(rpath, f"must be a list of roles, not {_kind(chain)}")
                continue
            for j, entry in enumerate(chain):
                role, _, in_dept = entry.partition("@") if isinstance(entry, str) else ("", "", "")
                if not isinstance(entry, str) or role not in Role.__members__.values():
                    c.add((*rpath, j), f"unknown role {entry!r} (roles: {', '.join(Role)})")
                elif entry in chain[:j]:
                    c.add((*rpath, j), f"role {entry} given twice")
                elif in_dept and (role != Role.DEPT_HEAD or not in_dept.isdigit()):
                    c.add((*rpath, j), f"{entry!r}: only dept_head@<department id> names a department")
                elif in_dept and depts_readable and int(in_dept) not in dept_index:
                    c.add((*rpath, j), f"unknown department {in_dept}")
                elif users_readable and role not in held:
                    c.add(
                        (*rpath, j),
                        f"no user has the role {role}: these requests could never be approved",
                    )
        for rtype in RequestType:
            if rtype not in rules and rtype not in OPTIONAL_RULES:
                c.add(("approval_rules",), f"missing {rtype} (use [] for no approval)")

    _check_assets(c, data, dept_index if depts_readable else None,
                  user_index if users_readable else None)
    return c.problems


def _check_assets(c: _Checker, data: Mapping[str, Any], depts: dict[int, int] | None,
                  users: dict[str, int] | None) -> None:
    """The optional `assets:` section: the register's items (one per tag, or `quantity`
    numbered items from one tag)."""
    tags: dict[str, int] = {}
    for i, a in enumerate(c.items(data, "assets", required=False)):
        path = ("assets", i)
        if not c.fields(path, a, {"tag": str, "category": str, "location": str},
                        {"name": str, "value": (int, float), "keeper": str, "department": int,
                         "state": str, "quantity": int}, Asset):
            continue
        if a.get("quantity") is not None and not 1 <= a["quantity"] <= 500:
            c.add((*path, "quantity"), "must be 1-500")
            continue
        if a.get("value") is not None and not 0 <= a["value"] < 10**9:
            c.add((*path, "value"), "must be 0 or more (yuan)")
        state = a.get("state")
        if state is not None and state not in ASSET_STATES:
            c.add((*path, "state"), f"unknown state {state!r} (states: {', '.join(ASSET_STATES)})")
        if state == AssetState.TRANSFERRING:
            c.add((*path, "state"), "an item is under transfer only through a request")
        if users is not None and a.get("keeper") is not None and a["keeper"] not in users:
            c.add((*path, "keeper"), f"unknown keeper {a['keeper']} (not in users)")
        if depts is not None and a.get("department") is not None and a["department"] not in depts:
            c.add((*path, "department"), f"unknown department {a['department']}")
        for item in expand_entries([a]):
            if len(item["tag"]) > 32:
                c.add((*path, "tag"), "longer than 32 characters")
                break
            if item["tag"] in tags:
                c.add((*path, "tag"), f"duplicate tag {item['tag']} (also assets[{tags[item['tag']]}])")
                break
            tags[item["tag"]] = i


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
