"""The organisation as WeCom's contacts hold it, applied to our tables (CONTRACT §3 `sync`).

    sync_org(departments, users, now)
      in one transaction:
        read what we hold ─► plan the changes ─► check the invariants of the result
          ├─ a problem: nothing written, the report lists it
          ├─ dry run:   nothing written, the report lists what would change
          └─ otherwise: departments (parents first), users, their roles, one audit
                        record per change; the org cache forgotten after commit

WeCom is the source of truth for who works here, where, and (through the role mapping
the caller applied) in which role — except the roles of a member granted in the admin
pages (`models.org.AdminEdit` kind `roles`): those stay as the admin left them, while
name, department and active still follow WeCom. Rows are never deleted: a user that left WeCom (or is
disabled there) is switched off, and comes back on if they return; a department absent
from WeCom stays (users and history point at it). Vehicles, facilities and approval
rules are the organisation file's; the sync only checks that they still hold: an
in-service vehicle's driver stays an active driver, every role an approval rule names is
held by someone active, and every active user has a `dept_head` above them when a rule
asks for one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from models.audit import audit
from models.org import (
    ApprovalRule,
    Department,
    Role,
    User,
    UserRole,
    Vehicle,
    admin_edited,
    forget_cached_org,
    org_changed,
    split_rule_role,
)

ACTOR = "sync"
CHANNEL = "system"
# WeCom userid: 1-64 letters, digits and _ - . @
# (https://developer.work.weixin.qq.com/document/path/90195)
_USERID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MAX_DEPTH = 64  # the org look-ups walk at most this far up the tree


@dataclass(frozen=True, slots=True)
class DeptIn:
    """A department as WeCom has it; `parent` None for a root of what the app sees."""

    id: int
    name: str
    parent: int | None


@dataclass(frozen=True, slots=True)
class UserIn:
    """A member as WeCom has it, with the roles the mapping gave; `active` False for a
    member disabled or gone in WeCom (kept, switched off)."""

    userid: str
    name: str
    department: int
    roles: frozenset[Role]
    active: bool = True


@dataclass(frozen=True, slots=True)
class Change:
    """One row added or changed: `kind` department or user, `action` added, updated,
    deactivated or reactivated, `fields` what changed as [old, new]."""

    kind: str
    action: str
    key: str
    name: str
    fields: dict[str, list[Any]] = field(default_factory=dict)

    def __str__(self) -> str:
        what = "; ".join(f"{k} {_show(v[0])} → {_show(v[1])}" for k, v in self.fields.items())
        return f"{self.name} ({self.key})" + (f": {what}" if what and self.action != "added" else "")


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


@dataclass(slots=True)
class SyncReport:
    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unchanged_departments: int = 0
    unchanged_users: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def of(self, kind: str, action: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind and c.action == action]

    def lines(self) -> list[str]:
        """What changed (or would), counts then names, one line each."""
        if self.problems:
            return [f"problem: {p}" for p in self.problems]
        out = []
        for kind, actions, unchanged in (
            ("department", ("added", "updated"), self.unchanged_departments),
            ("user", ("added", "updated", "deactivated", "reactivated"), self.unchanged_users),
        ):
            counts = ", ".join(f"{len(self.of(kind, a))} {a}" for a in actions)
            out.append(f"{kind}s: {counts}, {unchanged} unchanged")
            for action in actions:
                out.extend(f"  {action}: {c}" for c in self.of(kind, action))
        return out

    def __str__(self) -> str:
        return "; ".join(self.lines())


class _Rollback(Exception):
    """Leaves the transaction without writing (a problem found, or a dry run)."""


async def sync_org(
    departments: Sequence[DeptIn],
    users: Sequence[UserIn],
    now: datetime,
    *,
    dry_run: bool = False,
) -> SyncReport:
    """Bring departments and users in line with WeCom's, in one transaction; with any
    problem nothing is written and the report lists every one. Running it again with the
    same data changes nothing."""
    report = SyncReport(dry_run=dry_run)
    report.problems = _check_input(departments, users)
    if report.problems:
        return report
    try:
        async with in_transaction():
            plan = await _plan(departments, users, report)
            report.problems = await _check_result(plan)
            if report.problems or dry_run or not report.changes:
                raise _Rollback
            await _write(plan, report, now)
            await org_changed()
    except _Rollback:
        return report
    forget_cached_org()
    return report


def _check_input(departments: Sequence[DeptIn], users: Sequence[UserIn]) -> list[str]:
    """Problems WeCom's data has on its own: duplicates, names that do not fit, users
    in departments it did not list."""
    problems: list[str] = []
    dept_ids: set[int] = set()
    for d in departments:
        if d.id in dept_ids:
            problems.append(f"department {d.id} listed twice")
        dept_ids.add(d.id)
        if not d.name.strip() or len(d.name) > _max_length(Department, "name"):
            problems.append(f"department {d.id}: name {d.name!r} empty or too long")
    seen: set[str] = set()
    for u in users:
        if not _USERID.match(u.userid):
            problems.append(f"user {u.userid!r}: not a WeCom userid")
        if u.userid in seen:
            problems.append(f"user {u.userid} listed twice")
        seen.add(u.userid)
        if not u.name.strip() or len(u.name) > _max_length(User, "name"):
            problems.append(f"user {u.userid}: name {u.name!r} empty or too long")
        if u.department not in dept_ids:
            problems.append(f"user {u.userid}: department {u.department} is not in WeCom's department list")
        if u.active and not u.roles:
            problems.append(f"user {u.userid}: no role")
    return problems


def _max_length(model: type[Any], name: str) -> int:
    return int(getattr(model._meta.fields_map[name], "max_length", 10_000))


@dataclass(slots=True)
class _Plan:
    """The future state (every department and user, ours and WeCom's) and the rows to write."""

    parents: dict[int, int | None]
    dept_names: dict[int, str]
    users: dict[str, tuple[int, frozenset[Role], bool]]  # userid → (department, roles, active)
    dept_writes: list[tuple[DeptIn, bool]]  # (department, is new), parents before children
    user_writes: list[tuple[UserIn, User | None]]  # (wanted, existing row or None)
    changes_by_key: dict[tuple[str, str], Change]


async def _plan(departments: Sequence[DeptIn], users: Sequence[UserIn], report: SyncReport) -> _Plan:
    existing_depts = {d.id: d for d in await Department.all()}
    existing_users = {u.userid: u for u in await User.all().prefetch_related("role_links")}
    parents = {d.id: d.parent_id for d in existing_depts.values()}
    names = {d.id: d.name for d in existing_depts.values()}
    plan = _Plan(parents, names, {}, [], [], {})

    def note(change: Change) -> None:
        report.changes.append(change)
        plan.changes_by_key[(change.kind, change.key)] = change

    for d in _parents_first(departments):
        name = d.name.strip()
        old = existing_depts.get(d.id)
        if old is None:
            note(Change("department", "added", str(d.id), name, {"parent": [None, d.parent]}))
            plan.dept_writes.append((d, True))
        else:
            fields: dict[str, list[Any]] = {}
            if old.name != name:
                fields["name"] = [old.name, name]
            if old.parent_id != d.parent:
                fields["parent"] = [old.parent_id, d.parent]
            if fields:
                note(Change("department", "updated", str(d.id), name, fields))
                plan.dept_writes.append((d, False))
            else:
                report.unchanged_departments += 1
        parents[d.id], names[d.id] = d.parent, name

    roles_kept = await admin_edited("roles")
    for u in users:
        name = u.name.strip()
        row = existing_users.get(u.userid)
        if row is not None and u.userid in roles_kept:
            u = replace(u, roles=frozenset(Role(link.role) for link in row.role_links))
        plan.users[u.userid] = (u.department, u.roles, u.active)
        if row is None:
            if not u.active:  # never here, and gone or disabled in WeCom: nothing to keep
                continue
            note(Change("user", "added", u.userid, name, {
                "department": [None, u.department], "roles": [None, sorted(map(str, u.roles))]}))
            plan.user_writes.append((u, None))
            continue
        fields = _user_fields(row, u, name)
        if not fields:
            report.unchanged_users += 1
            continue
        if "active" in fields:
            action = "reactivated" if u.active else "deactivated"
        else:
            action = "updated"
        note(Change("user", action, u.userid, name, fields))
        plan.user_writes.append((u, row))

    listed = {u.userid for u in users}
    for userid, row in sorted(existing_users.items()):
        roles = frozenset(Role(link.role) for link in row.role_links)
        if userid in listed:
            continue
        plan.users[userid] = (row.department_id, roles, False)
        if row.active:
            note(Change("user", "deactivated", userid, row.name, {"active": [True, False]}))
            plan.user_writes.append(
                (UserIn(userid, row.name, row.department_id, roles, active=False), row))
    return plan


def _user_fields(row: User, u: UserIn, name: str) -> dict[str, list[Any]]:
    fields: dict[str, list[Any]] = {}
    if row.name != name:
        fields["name"] = [row.name, name]
    if row.department_id != u.department:
        fields["department"] = [row.department_id, u.department]
    old_roles = sorted(str(link.role) for link in row.role_links)
    # A member switched off keeps the roles they had: history reads them, and coming back
    # restores them unless WeCom says otherwise.
    new_roles = sorted(map(str, u.roles)) if u.active else old_roles
    if old_roles != new_roles:
        fields["roles"] = [old_roles, new_roles]
    if row.active != u.active:
        fields["active"] = [row.active, u.active]
    return fields


def _parents_first(departments: Iterable[DeptIn]) -> list[DeptIn]:
    """Departments ordered so that a parent listed comes before its children (the FK);
    a cycle is left for `_check_result` to report."""
    by_id = {d.id: d for d in departments}
    out: list[DeptIn] = []
    done: set[int] = set()

    def visit(d: DeptIn, path: set[int]) -> None:
        if d.id in done or d.id in path:
            return
        if d.parent in by_id:
            visit(by_id[d.parent], path | {d.id})
        done.add(d.id)
        out.append(d)

    for d in by_id.values():
        visit(d, set())
    return out


async def _check_result(plan: _Plan) -> list[str]:
    """What would break in the organisation after the sync, one clear line each."""
    problems: list[str] = []
    for dept_id, parent in sorted(plan.parents.items()):
        if parent is not None and parent not in plan.parents:
            problems.append(f"department {dept_id}: parent {parent} is unknown")
    problems.extend(_cycles(plan.parents))
    if problems:
        return problems

    active = {uid: (dept, roles) for uid, (dept, roles, on) in plan.users.items() if on}
    vehicles = await Vehicle.filter(in_service=True, driver_id__isnull=False).prefetch_related("driver")
    for v in sorted(vehicles, key=lambda v: v.plate):
        driver = v.driver.userid if v.driver is not None else ""
        if driver not in active:
            problems.append(f"vehicle {v.plate}: its driver {driver} would be switched off "
                            "(give the vehicle another driver first)")
        elif Role.DRIVER not in active[driver][1]:
            problems.append(f"vehicle {v.plate}: its driver {driver} would lose the driver role")

    held = {r for _, roles in active.values() for r in roles}
    rules = await ApprovalRule.all().order_by("request_type")
    needs_head = False
    for rule in rules:
        for entry in rule.roles:
            role = split_rule_role(entry)[0]  # dept_head@13: a head, of that department
            if role == Role.DEPT_HEAD:
                needs_head = True
            elif Role(role) not in held:
                problems.append(f"approval rule {rule.request_type}: nobody active would have "
                                f"the role {role}, so these requests could never be approved")
    if needs_head:
        heads = {dept for dept, roles in active.values() if Role.DEPT_HEAD in roles}
        headless = sorted({dept for dept, _ in active.values() if not _has_head(dept, heads, plan)})
        for dept in headless:
            problems.append(f"department {plan.dept_names.get(dept, '')} ({dept}): no dept_head "
                            "in it or above it, so its members' requests could never be approved")
    return problems


def _has_head(dept: int | None, heads: set[int], plan: _Plan) -> bool:
    for _ in range(MAX_DEPTH):
        if dept is None:
            return False
        if dept in heads:
            return True
        dept = plan.parents.get(dept)
    return False


def _cycles(parents: dict[int, int | None]) -> list[str]:
    problems: list[str] = []
    reported: set[int] = set()
    for start in sorted(parents):
        chain: list[int] = []
        node: int | None = start
        while node is not None and node in parents and node not in chain and node not in reported:
            chain.append(node)
            node = parents[node]
        if node is not None and node in chain:
            cycle = chain[chain.index(node):]
            problems.append("cycle in the department tree: " + " → ".join(map(str, [*cycle, node])))
            reported.update(cycle)
        reported.update(chain)
    return problems


async def _write(plan: _Plan, report: SyncReport, now: datetime) -> None:
    # New departments first with no parent, then every parent set: a new department may
    # hang under another new one, and an existing one may move under a new one.
    for d, new in plan.dept_writes:
        if new:
            await Department.create(id=d.id, name=d.name.strip(), parent_id=None)
    for d, _ in plan.dept_writes:
        await Department.filter(id=d.id).update(name=d.name.strip(), parent_id=d.parent)
        change = plan.changes_by_key[("department", str(d.id))]
        await audit(None, ACTOR, f"department_{change.action}", CHANNEL, now,
                    department=d.id, name=change.name, changes=change.fields)

    for u, row in plan.user_writes:
        change = plan.changes_by_key[("user", u.userid)]
        if row is None:
            row = await User.create(userid=u.userid, name=u.name.strip(),
                                    department_id=u.department, active=True)
            await UserRole.bulk_create([UserRole(user=row, role=r) for r in sorted(u.roles)])
        else:
            values: dict[str, Any] = {"name": u.name.strip(), "department_id": u.department,
                                      "active": u.active}
            await User.filter(id=row.id).update(**values)
            if "roles" in change.fields:
                before, after = set(change.fields["roles"][0]), set(change.fields["roles"][1])
                if before - after:
                    await UserRole.filter(user_id=row.id, role__in=sorted(before - after)).delete()
                if after - before:
                    await UserRole.bulk_create(
                        [UserRole(user_id=row.id, role=Role(r)) for r in sorted(after - before)])
        await audit(None, ACTOR, f"user_{change.action}", CHANNEL, now,
                    userid=u.userid, name=change.name, changes=change.fields)
