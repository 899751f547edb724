"""What the admin pages change (issue 17 item 5): vehicles, facilities, approval rules and
who holds which role — each change one transaction with its audit record (who, what,
old → new, channel `web`) and its `AdminEdit` mark, so that a later `seed` or `sync`
leaves it as the admin left it (models/seed.py, models/sync.py).

The values come checked for form (handlers/admin.py: required, lengths, numbers); here
are the rules that need the database: a natural key not taken twice, a driver who is an
active driver, an approval step someone can take, a role not taken from the last person
a rule or a vehicle needs. A refusal raises `AdminRefused` (the field and why) before
anything is written, or rolls the transaction back. Forgetting cached reference data is
the caller's (handlers.reference.reference_changed), once the change is committed.

Values are keyed by column name, so a new column (a vehicle's insurance date, say) is one
more key: `save_vehicle` writes and audits whatever it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError

from models.audit import audit
from models.org import (
    AdminEdit,
    ApprovalRule,
    Department,
    Facility,
    RequestType,
    Role,
    User,
    UserRole,
    Vehicle,
    dept_head_userid,
    org_changed,
    split_rule_role,
)
from models.seed_check import RULE_KINDS
from models.sql import in_dialect, transaction

CHANNEL = "web"


class AdminRefused(Exception):
    """A rule refused the change; nothing was written. `field` is the form field it is
    about, `code` why (handlers/admin.py words it), `params` what the words need."""

    def __init__(self, field: str, code: str, **params: Any) -> None:
        super().__init__(f"{field}: {code} {params}")
        self.field = field
        self.code = code
        self.params = params


# ---------------------------------------------------------------------------------------
# Reading


async def all_vehicles() -> list[Vehicle]:
    """Every vehicle, in service first, then by plate; drivers fetched."""
    return await Vehicle.all().order_by("-in_service", "plate").prefetch_related("driver")


async def find_vehicle(plate: str) -> Vehicle | None:
    return await Vehicle.filter(plate=plate).prefetch_related("driver").first()


async def all_facilities() -> list[Facility]:
    """Every facility, in use first, then by id; managers fetched."""
    return await Facility.all().order_by("-active", "id").prefetch_related("manager")


async def find_facility(facility_id: str) -> Facility | None:
    return await Facility.filter(id=facility_id).prefetch_related("manager").first()


async def all_rules() -> dict[str, list[str]]:
    """Request type → its ordered approver roles, as in force."""
    return {str(t): list(r) for t, r in await ApprovalRule.all().values_list("request_type", "roles")}


async def departments() -> list[tuple[int, str]]:
    """(id, name) of every department, by id."""
    return [(int(i), str(n)) for i, n in await Department.all().order_by("id").values_list("id", "name")]


async def all_users() -> list[User]:
    """Everyone, active first, then by userid; department, roles and vehicles fetched."""
    return (await User.all().order_by("-active", "userid")
            .prefetch_related("department", "role_links", "vehicles"))


async def role_holders() -> dict[str, list[User]]:
    """Role → the active users holding it (by userid)."""
    links = (await UserRole.filter(user__active=True).order_by("user__userid")
             .prefetch_related("user"))
    out: dict[str, list[User]] = {}
    for link in links:
        out.setdefault(str(link.role), []).append(link.user)
    return out


# ---------------------------------------------------------------------------------------
# Writing


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Role | RequestType) else value


async def _changed(obj: Any, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set what differs and save it; {column: [old, new]}."""
    changes = {k: [_plain(getattr(obj, k)), _plain(v)] for k, v in values.items()
               if getattr(obj, k) != v}
    for k in changes:
        setattr(obj, k, values[k])
    if changes:
        await obj.save(update_fields=list(changes))
    return changes


async def _as_userids(changes: dict[str, list[Any]], column: str, name: str) -> None:
    """The audit says who (userid), not which row: `driver_id` [3, 5] → `driver` [a, b]."""
    if column not in changes:
        return
    ids = [i for i in changes[column] if i is not None]
    found = dict(await User.filter(id__in=ids).values_list("id", "userid")) if ids else {}
    changes[name] = [found.get(i) for i in changes.pop(column)]


async def _mark(kind: str, key: str, actor: str, now: datetime) -> None:
    row = await AdminEdit.filter(kind=kind, key=key).first()
    if row is None:
        await AdminEdit.create(kind=kind, key=key, actor=actor, at=now)
    else:
        await AdminEdit.filter(id=row.id).update(actor=actor, at=now)


async def _record(kind: str, key: str, created: bool, changes: dict[str, list[Any]],
                  actor: str, now: datetime) -> None:
    await audit(None, actor, f"{kind}_{'added' if created else 'updated'}", CHANNEL, now,
                kind=kind, key=key, changes=changes)
    await _mark(kind, key, actor, now)


# One lock row (models.holds' table) for every change of roles and rules: the second of
# two at once waits for the first to commit, then sees it.
_ORG_LOCK = ("INSERT INTO resource_lock (key, version) VALUES (?, 1) "
             "ON CONFLICT (key) DO UPDATE SET version = resource_lock.version + 1")


async def _lock_rules() -> None:
    """Take the organisation's lock row for the rest of the transaction (both databases)."""
    conn = connections.get("default")
    await conn.execute_query(in_dialect(conn, _ORG_LOCK), ["admin:roles-and-rules"])


async def _user_id(userid: str | None, field: str, role: Role | None = None) -> int | None:
    """The row id of an active user (holding `role` when given); None for no one."""
    if not userid:
        return None
    user = await User.filter(userid=userid).prefetch_related("role_links").first()
    if user is None or not user.active:
        raise AdminRefused(field, "unknown_user", userid=userid)
    if role is not None and not user.has_role(role):
        raise AdminRefused(field, "lacks_role", name=user.name, role=str(role))
    return user.id


async def save_vehicle(plate: str | None, values: Mapping[str, Any], actor: str,
                       now: datetime) -> dict[str, list[Any]]:
    """Add a vehicle (`plate` None; the plate in `values`) or change one (the plate stays:
    it is the natural key requests and the seed file use). `values["driver"]` is a
    userid or None. Returns what changed."""
    values = dict(values)
    async with transaction():
        await org_changed()  # every process forgets its cached organisation (models/org.py)
        if "driver" in values:
            values["driver_id"] = await _user_id(values.pop("driver"), "driver", Role.DRIVER)
        if plate is None:
            plate = str(values["plate"])
            if await Vehicle.filter(plate=plate).exists():
                raise AdminRefused("plate", "taken", value=plate)
            try:
                await Vehicle.create(**values)
            except IntegrityError:  # the same plate added at the same moment
                raise AdminRefused("plate", "taken", value=plate) from None
            changes = {k: [None, _plain(v)] for k, v in values.items()}
            await _as_userids(changes, "driver_id", "driver")
            await _record("vehicle", plate, True, changes, actor, now)
        else:
            vehicle = await Vehicle.filter(plate=plate).select_for_update().first()
            if vehicle is None:
                raise AdminRefused("plate", "gone", value=plate)
            values.pop("plate", None)
            changes = await _changed(vehicle, values)
            await _as_userids(changes, "driver_id", "driver")
            if changes:
                await _record("vehicle", plate, False, changes, actor, now)
    return changes


async def save_facility(facility_id: str | None, values: Mapping[str, Any], actor: str,
                        now: datetime) -> dict[str, list[Any]]:
    """Add a facility (`facility_id` None; the id in `values`) or change one (the id
    stays). `values["manager"]` is a userid or None; names are unique."""
    values = dict(values)
    async with transaction():
        await org_changed()  # every process forgets its cached organisation (models/org.py)
        if "manager" in values:
            values["manager_id"] = await _user_id(values.pop("manager"), "manager")
        key = facility_id if facility_id is not None else str(values["id"])
        if "name" in values and await Facility.filter(name=values["name"]).exclude(id=key).exists():
            raise AdminRefused("name", "taken", value=values["name"])
        if facility_id is None:
            if await Facility.filter(id=key).exists():
                raise AdminRefused("id", "taken", value=key)
            try:
                await Facility.create(**values)
            except IntegrityError:
                raise AdminRefused("id", "taken", value=key) from None
            changes = {k: [None, _plain(v)] for k, v in values.items()}
            await _as_userids(changes, "manager_id", "manager")
            await _record("facility", key, True, changes, actor, now)
        else:
            facility = await Facility.filter(id=key).select_for_update().first()
            if facility is None:
                raise AdminRefused("id", "gone", value=key)
            values.pop("id", None)
            changes = await _changed(facility, values)
            await _as_userids(changes, "manager_id", "manager")
            if changes:
                await _record("facility", key, False, changes, actor, now)
    return changes


def _rule_entry(entry: str) -> str:
    """A rule entry checked: a role, or `dept_head@<department id>` (ValueError else)."""
    role, dept = split_rule_role(entry)
    name = str(Role(role))
    if dept is None:
        if "@" in entry:
            raise ValueError(entry)
        return name
    if Role(role) is not Role.DEPT_HEAD:
        raise ValueError(entry)
    return f"{name}@{dept}"


async def save_rule(key: str, roles: list[str] | None, actor: str,
                    now: datetime) -> dict[str, list[Any]]:
    """Set the ordered approver entries of a rule key — a request type, or a type and one
    of its kinds (`asset_request.disposal`) — ([] = no approval; None, for a kind: no rule
    of its own, the type's applies). Each role must be held by someone active, and a
    `dept_head@N` department must have an active head, or such requests could never be
    approved. Audited; the key is marked edited (`seed` keeps it, even removed)."""
    base, _, kind = key.partition(".")
    rtype = RequestType(base)
    if kind and kind not in RULE_KINDS.get(rtype, ()):
        raise ValueError(key)
    if roles is None and not kind:
        raise ValueError(f"{key}: a type's rule cannot be removed")
    chain = None if roles is None else [_rule_entry(r) for r in roles]
    for i, entry in enumerate(chain or []):
        if entry in (chain or [])[:i]:
            raise AdminRefused(f"step{i + 1}", "twice", role=split_rule_role(entry)[0])
    async with transaction():
        await org_changed()  # every process forgets its cached organisation (models/org.py)
        await _lock_rules()
        held = {str(r) for r in await UserRole.filter(user__active=True).values_list("role", flat=True)}
        for i, entry in enumerate(chain or []):
            role, dept = split_rule_role(entry)
            if dept is not None:
                if not await Department.exists(id=dept):
                    raise AdminRefused(f"step{i + 1}", "no_department", value=dept)
                if await dept_head_userid(dept) is None:
                    raise AdminRefused(f"step{i + 1}", "no_head", value=dept)
            elif role not in held:
                raise AdminRefused(f"step{i + 1}", "nobody_holds", role=role)
        rule = await ApprovalRule.filter(request_type=key).select_for_update().first()
        changes: dict[str, list[Any]] = {}
        if rule is None and chain is not None:
            await ApprovalRule.create(request_type=key, roles=chain)
            changes = {"roles": [None, chain]}
            await _record("rule", key, True, changes, actor, now)
        elif rule is not None and chain is None:
            changes = {"roles": [list(rule.roles), None]}
            await rule.delete()
            await _record("rule", key, False, changes, actor, now)
        elif rule is not None:
            changes = await _changed(rule, {"roles": chain})
            if changes:
                await _record("rule", key, False, changes, actor, now)
    return changes


async def set_roles(userid: str, roles: set[str], actor: str,
                    now: datetime) -> dict[str, list[Any]]:
    """Grant and revoke roles so that `userid` holds exactly `roles`. Refused: no role at
    all; taking `driver` from the driver of a vehicle in service; taking the last active
    holder of a role an approval rule names; taking the last active `admin`."""
    wanted = {Role(r) for r in roles}
    if not wanted:
        raise AdminRefused("roles", "none")
    async with transaction():
        await org_changed()  # every process forgets its cached organisation (models/org.py)
        # Role changes and rule changes one at a time (the rule rows locked first): two
        # admins each taking the role from one of its last two holders cannot both pass.
        await _lock_rules()
        user = await User.filter(userid=userid).select_for_update().first()
        if user is None:
            raise AdminRefused("roles", "unknown_user", userid=userid)
        await user.fetch_related("role_links")
        old = set(user.roles)
        removed = old - wanted
        if Role.DRIVER in removed and user.active:
            plates = await Vehicle.filter(driver_id=user.id, in_service=True).values_list(
                "plate", flat=True)
            if plates:
                raise AdminRefused("roles", "still_driving", name=user.name,
                                   plates="、".join(sorted(map(str, plates))))
        if removed and user.active:
            rules = await all_rules()
            for role in sorted(removed):
                others = await UserRole.filter(role=role, user__active=True).exclude(
                    user_id=user.id).count()
                if others:
                    continue
                if role is Role.ADMIN:
                    raise AdminRefused("roles", "last_admin", name=user.name)
                needing = sorted(t for t, chain in rules.items()
                                 if str(role) in {split_rule_role(e)[0] for e in chain})
                if needing:
                    raise AdminRefused("roles", "last_holder", name=user.name, role=str(role),
                                       types=needing)
        if removed:
            await UserRole.filter(user_id=user.id, role__in=sorted(removed)).delete()
        if wanted - old:
            await UserRole.bulk_create([UserRole(user_id=user.id, role=r)
                                        for r in sorted(wanted - old)])
        changes: dict[str, list[Any]] = {}
        if removed or wanted - old:
            changes = {"roles": [sorted(map(str, old)), sorted(map(str, wanted))]}
            await _record("roles", userid, False, changes, actor, now)
    return changes
