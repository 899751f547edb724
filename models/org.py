"""The organisation (CONTRACT §5): departments (a tree), users and their roles, vehicles,
facilities and the approval rules, plus the look-ups handlers need.

The tables are filled by `models.seed.seed_org` from the organisation file at first
start, by `models.sync` from WeCom's contacts, and by the admin pages (models/admin.py),
whose edits neither overwrites (`AdminEdit`). Rows are never deleted (requests will point at them): a user,
vehicle or facility that leaves the file is switched off (`active` / `in_service`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import time
from enum import StrEnum
from functools import cache
from time import monotonic
from typing import Any

from tortoise import connections, fields
from tortoise.models import Model

from models.sql import as_models, in_dialect


class Role(StrEnum):
    STAFF = "staff"
    DEPT_HEAD = "dept_head"
    FLEET_MANAGER = "fleet_manager"
    DRIVER = "driver"
    REPAIR_DISPATCHER = "repair_dispatcher"
    REPAIR_WORKER = "repair_worker"
    FACILITY_ADMIN = "facility_admin"
    ASSET_MANAGER = "asset_manager"  # the bureau's asset office: issues stock, keeps the register
    ADMIN = "admin"


class FacilityType(StrEnum):
    MEETING_ROOM = "meeting_room"
    AUDITORIUM = "auditorium"
    RECEPTION_ROOM = "reception_room"
    GYM = "gym"
    CANTEEN_ROOM = "canteen_room"


class RequestType(StrEnum):
    VEHICLE_BOOKING = "vehicle_booking"
    FACILITY_RESERVATION = "facility_reservation"
    REPAIR_REQUEST = "repair_request"
    ASSET_REQUEST = "asset_request"


class Department(Model):
    id = fields.IntField(primary_key=True, generated=False)  # given by the file (WeCom's id)
    name = fields.CharField(max_length=100)
    parent: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: int | None  # set by Tortoise; declared for type checkers

    class Meta:
        table = "department"

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class User(Model):
    """A member of the bureau. `userid` is the WeCom userid (the natural key)."""

    id = fields.IntField(primary_key=True)
    userid = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=64)
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="users", on_delete=fields.RESTRICT
    )
    department_id: int
    active = fields.BooleanField(default=True)

    role_links: fields.ReverseRelation[UserRole]
    vehicles: fields.ReverseRelation[Vehicle]

    class Meta:
        table = "user"

    @property
    def roles(self) -> frozenset[Role]:
        """The user's roles; needs `role_links` fetched (as `get_user` does)."""
        return frozenset(Role(link.role) for link in self.role_links)

    @property
    def role_list(self) -> list[str]:
        """The roles as sorted plain strings (for JSON); needs `role_links` fetched."""
        return sorted(str(r) for r in self.roles)

    def has_role(self, role: Role | str) -> bool:
        return Role(role) in self.roles

    def __str__(self) -> str:
        return f"{self.name} ({self.userid})"


class UserRole(Model):
    """One role of one user: a table rather than a JSON list so that `users_with_role`
    is an indexed query on both databases."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="role_links", on_delete=fields.CASCADE
    )
    user_id: int
    role = fields.CharEnumField(Role, max_length=32, db_index=True)

    class Meta:
        table = "user_role"
        unique_together = (("user", "role"),)


class Vehicle(Model):
    id = fields.IntField(primary_key=True)
    plate = fields.CharField(max_length=16, unique=True)
    model = fields.CharField(max_length=64)
    seats = fields.SmallIntField()
    driver: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="vehicles", null=True, on_delete=fields.SET_NULL
    )
    driver_id: int | None
    in_service = fields.BooleanField(default=True)
    # Fleet management (issue 17 item 2): the latest odometer reading (trips move it
    # forward), the next 保养 by date and/or reading and how often it comes, and the last
    # day covered by 交强险 / 商业险 and the 年检 due date. Null: not known.
    odometer = fields.IntField(null=True)  # km
    maintenance_due_on = fields.DateField(null=True)
    maintenance_due_km = fields.IntField(null=True)
    maintenance_every_km = fields.IntField(null=True)
    maintenance_every_months = fields.SmallIntField(null=True)
    insurance_compulsory_until = fields.DateField(null=True)  # 交强险, last day covered
    insurance_commercial_until = fields.DateField(null=True)  # 商业险, last day covered
    inspection_due_on = fields.DateField(null=True)  # 年检, last day it is valid

    class Meta:
        table = "vehicle"

    def __str__(self) -> str:
        return f"{self.plate} {self.model}"


class Facility(Model):
    """A bookable place. Opening hours are local business time (`BOT_TIMEZONE`) kept as
    "HH:MM" text: a TIME column would drag Tortoise's UTC conversion into a wall-clock
    value."""

    id = fields.CharField(max_length=32, primary_key=True)  # e.g. "mr-301", given by the file
    name = fields.CharField(max_length=64)
    type = fields.CharEnumField(FacilityType, max_length=32)
    building = fields.CharField(max_length=64)
    capacity = fields.IntField()
    needs_approval = fields.BooleanField(default=False)
    open_from = fields.CharField(max_length=5)  # "HH:MM", local time
    open_to = fields.CharField(max_length=5)  # "HH:MM", local time, after open_from
    active = fields.BooleanField(default=True)
    floor = fields.CharField(max_length=16, default="")  # e.g. "3楼"; "" when not said
    equipment: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]
    manager: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="managed_facilities", null=True, on_delete=fields.SET_NULL
    )
    manager_id: int | None

    class Meta:
        table = "facility"

    @property
    def opens(self) -> time:
        return time.fromisoformat(self.open_from)

    @property
    def closes(self) -> time:
        return time.fromisoformat(self.open_to)

    def is_open_for(self, start: time, end: time) -> bool:
        """True when [start, end] (local wall-clock times of one day) lies in the hours."""
        return self.opens <= start < end <= self.closes

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class ApprovalRule(Model):
    """The ordered roles that approve a request type; [] means no approval step.

    The key is a request type, or a type and one of its kinds (`asset_request.disposal`):
    a kind with a rule of its own is approved by it, the others by the type's rule. A role
    may name the department it is taken from (`dept_head@13`: the head of department 13,
    e.g. the bureau's asset office) instead of the applicant's."""

    request_type = fields.CharField(max_length=32, primary_key=True)
    roles: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]

    class Meta:
        table = "approval_rule"


class AdminEdit(Model):
    """A row the admin pages changed (`kind` vehicle, facility, asset, rule or roles; `key`
    its plate, facility id, asset tag, request type or userid): from then on the database is its truth,
    and neither `seed` nor `sync` writes over it (models/seed.py, models/sync.py) unless
    told to (`seed FILE --replace-edits`)."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=16)
    key = fields.CharField(max_length=64)
    actor = fields.CharField(max_length=64)
    at = fields.DatetimeField()

    class Meta:
        table = "admin_edit"
        unique_together = (("kind", "key"),)


async def admin_edited(kind: str) -> set[str]:
    """The keys of `kind` the admin pages changed."""
    keys: list[Any] = await AdminEdit.filter(kind=kind).values_list("key", flat=True)
    return {str(k) for k in keys}


# ---------------------------------------------------------------------------------------
# Look-ups


async def get_user(userid: str, *, include_inactive: bool = False) -> User | None:
    """The user with this WeCom userid, department and roles fetched; None when unknown
    (or switched off, unless `include_inactive`)."""
    query = User.filter(userid=userid)
    if not include_inactive:
        query = query.filter(active=True)
    return await query.prefetch_related("department", "role_links").first()


async def list_users(*, include_inactive: bool = False) -> list[User]:
    """Users by userid, department and roles fetched (the demo's user picker, admin)."""
    query = User.all() if include_inactive else User.filter(active=True)
    return await query.order_by("userid").prefetch_related("department", "role_links")


# The department and its parents, nearest first (bounded: the seed refuses cycles), with
# the active dept heads at each level: one query on both databases.
_HEADS_UP_SQL = """WITH RECURSIVE up(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM department WHERE id = ?
    UNION ALL
    SELECT d.id, d.parent_id, up.depth + 1 FROM department d JOIN up ON d.id = up.parent_id
    WHERE up.depth < 64)
SELECT u.userid, up.depth FROM up JOIN "user" u ON u.department_id = up.id
    JOIN user_role r ON r.user_id = u.id
    WHERE r.role = ? AND u.active = ? ORDER BY up.depth, u.userid"""


@cache
def _heads_up_users_sql() -> str:
    # The heads as whole rows (one statement for the approver, not a second read); built
    # once Tortoise is set up, when a foreign key's column has joined the model's.
    cols = ", ".join(f'u."{name}"' for name in User._meta.db_fields)
    return _HEADS_UP_SQL.replace("SELECT u.userid, up.depth", f"SELECT {cols}, up.depth", 1)


async def dept_head_user(department_id: int, exclude_userid: str | None = None) -> User | None:
    """The `dept_head` `dept_head_userid` names, as a model (no relations fetched), read in
    the same one statement; the heads up from a department are kept like the rules (every
    booking's first step asks). Read-only: a caller must not change or save it."""

    async def load() -> list[list[User]]:
        conn = connections.get("default")
        rows = await conn.execute_query_dict(in_dialect(conn, _heads_up_users_sql()),
                                             [department_id, str(Role.DEPT_HEAD), True])
        levels: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            levels.setdefault(int(row.pop("depth")), []).append(row)
        return [as_models(User, levels[depth]) for depth in sorted(levels)]

    for heads in await _cached(f"heads:{department_id}", load):
        if all(h.userid != exclude_userid for h in heads):
            head: User = heads[0]
            return head
    return None


async def dept_head_userid(department_id: int, exclude_userid: str | None = None) -> str | None:
    """The userid of the `dept_head` who approves for someone in `department_id`: a head
    of that department, else of the nearest parent that has one. When `exclude_userid`
    (the applicant) is a head at a level, that level is skipped and the step goes to the
    next level up (CONTRACT §5: an applicant never approves their own request). Several
    heads at one level: the first by userid."""
    conn = connections.get("default")
    rows = await conn.execute_query_dict(in_dialect(conn, _HEADS_UP_SQL),
                                         [department_id, str(Role.DEPT_HEAD), True])
    levels: dict[int, list[str]] = {}
    for row in rows:
        levels.setdefault(int(row["depth"]), []).append(str(row["userid"]))
    for depth in sorted(levels):
        if exclude_userid not in levels[depth]:
            return levels[depth][0]
    return None


async def dept_head_for(department_id: int, exclude_userid: str | None = None) -> User | None:
    """The dept head `dept_head_userid` names, with department and roles fetched."""
    userid = await dept_head_userid(department_id, exclude_userid)
    if userid is None:
        return None
    return await User.filter(userid=userid).prefetch_related("department", "role_links").first()


async def users_with_role(role: Role | str) -> list[User]:
    """Active users holding `role`, by userid, with department and roles fetched: kept
    like the rules (see `org_changed`). Read-only: a caller must not change or save them."""
    role = Role(role)

    async def load() -> list[User]:
        return list(
            await User.filter(active=True, role_links__role=role)
            .order_by("userid")
            .prefetch_related("department", "role_links")
        )

    return list(await _cached(f"role:{role}", load))


async def department_name(department_id: int | None) -> str | None:
    """The department's name (kept like the rules); None for none or an unknown id."""
    if department_id is None:
        return None
    names: dict[int, str] = await _cached("departments", _load_department_names)
    return names.get(department_id)


async def _load_department_names() -> dict[int, str]:
    return {int(i): str(n) for i, n in await Department.all().values_list("id", "name")}


# What every message reads and only the organisation's writers change (the approval
# rules, the rooms, the biggest vehicle, who holds a role, the departments' names): kept
# in this process until the organisation's version changes. Every writer (`seed_org`,
# the directory sync) calls `org_changed()` in its transaction, which bumps one counter
# row in the database (`resource_lock`, key ORG_VERSION_KEY) and forgets this process's
# copy at once; other processes read the counter at most every ORG_CHECK_SECONDS (one
# indexed read of one row) and reload when it moved. The counter lives in the database,
# not in Redis: it commits with the change it announces (never ahead of it, never lost
# like a pub/sub message while a subscriber reconnects), and the CLI's seed, which runs
# without Redis, bumps it too. ORG_CACHE_SECONDS bounds how long a change made behind
# the writers' back (an UPDATE by hand) stays unseen.
ORG_CACHE_SECONDS = 300.0
ORG_CHECK_SECONDS = 1.0
ORG_VERSION_KEY = "org:version"
_org_cache: dict[str, tuple[float, Any]] = {}
_org_seen: dict[str, Any] = {"version": None, "checked": float("-inf")}

_BUMP_SQL = ("INSERT INTO resource_lock (key, version) VALUES (?, 1) "
             "ON CONFLICT (key) DO UPDATE SET version = resource_lock.version + 1")
_VERSION_SQL = "SELECT version FROM resource_lock WHERE key = ?"


def forget_cached_org() -> None:
    _org_cache.clear()
    _org_seen["checked"] = float("-inf")


async def org_changed() -> None:
    """Tell every process that the organisation changed: call it inside the transaction
    that changes departments, users, roles, vehicles, facilities or rules."""
    conn = connections.get("default")
    await conn.execute_query(in_dialect(conn, _BUMP_SQL), [ORG_VERSION_KEY])
    forget_cached_org()


async def org_version() -> int:
    """The organisation's version as last read (at most ORG_CHECK_SECONDS ago); reading
    a moved one forgets what this process kept."""
    now = monotonic()
    if now - _org_seen["checked"] >= ORG_CHECK_SECONDS:
        _org_seen["checked"] = now  # the others meanwhile use the last value: one read
        conn = connections.get("default")
        try:
            rows = await conn.execute_query_dict(in_dialect(conn, _VERSION_SQL), [ORG_VERSION_KEY])
        except Exception:  # noqa: BLE001 - the database away: what was read holds meanwhile
            return int(_org_seen["version"] or 0)
        version = int(rows[0]["version"]) if rows else 0
        if version != _org_seen["version"]:
            _org_cache.clear()
            _org_seen["version"] = version
    return int(_org_seen["version"] or 0)


async def _cached(key: str, load: Callable[[], Awaitable[Any]]) -> Any:
    await org_version()
    now = monotonic()
    hit = _org_cache.get(key)
    if hit is not None and now - hit[0] < ORG_CACHE_SECONDS:
        return hit[1]
    value = await load()
    _org_cache[key] = (now, value)
    return value


async def approval_chain(request_type: RequestType | str, kind: str | None = None) -> list[Role]:
    """The ordered approver roles for a request type (of a kind with a rule of its own,
    `asset_request.disposal`, when `kind` names one). Raises LookupError when the
    organisation has not been seeded with a rule for it: never approve by default."""
    return [Role(split_rule_role(r)[0]) for r in await approval_rule(request_type, kind)]


# Rules of request types added after the file format was first set, for an organisation
# file written before them (it stays valid without the line): not stored, so that `sync`
# asks nobody to hold a role the bureau has not given out yet.
DEFAULT_RULES: dict[str, list[str]] = {"asset_request": ["dept_head", "asset_manager"]}


async def approval_rule(request_type: RequestType | str, kind: str | None = None) -> list[str]:
    """The rule's entries as written: roles, or `role@department` (`dept_head@13`)."""
    rules: dict[str, list[str]] = await _cached("rules", _load_rules)
    rtype = str(RequestType(request_type))
    roles = rules.get(f"{rtype}.{kind}") if kind else None
    if roles is None:
        roles = rules.get(rtype, DEFAULT_RULES.get(rtype))
    if roles is None:
        raise LookupError(f"no approval rule for {request_type}: seed the organisation file")
    return list(roles)


def split_rule_role(entry: str) -> tuple[str, int | None]:
    """`dept_head@13` → ("dept_head", 13); `asset_manager` → ("asset_manager", None)."""
    role, _, dept = entry.partition("@")
    return role, int(dept) if dept.isdigit() else None


async def _load_rules() -> dict[str, list[str]]:
    return {str(t): list(r) for t, r in await ApprovalRule.all().values_list("request_type", "roles")}


async def active_facilities() -> list[Facility]:
    """The rooms in use, smallest first (then by id): read by every message of a
    reservation dialogue, changed only by seeding — kept like the rules. Read-only: a
    caller must not change or save what it gets."""
    return list(await _cached("facilities", _load_facilities))


async def _load_facilities() -> list[Facility]:
    return list(await Facility.filter(active=True).order_by("capacity", "id"))


async def active_facility(facility_id: str) -> Facility | None:
    return next((f for f in await active_facilities() if f.id == facility_id), None)


async def max_vehicle_seats() -> int:
    """Seats of the biggest vehicle that can be sent (in service, with a driver); 0: none."""
    return int(await _cached("max_seats", _load_max_seats))


async def _load_max_seats() -> int:
    seats: list[Any] = await (Vehicle.filter(in_service=True, driver_id__isnull=False)
                   .order_by("-seats").limit(1).values_list("seats", flat=True))
    return int(seats[0]) if seats else 0


async def dictionary_words() -> list[tuple[str, str]]:
    """(word, kind) pairs for the NLU dictionary: facility names ("facility"), buildings
    ("building") and plates ("plate") of what is in use; sorted, without repeats."""
    facilities = await Facility.filter(active=True).values_list("name", "building")
    plates = await Vehicle.filter(in_service=True).values_list("plate", flat=True)
    words: set[tuple[str, str]] = set()
    for name, building in facilities:
        words.add((str(name), "facility"))
        words.add((str(building), "building"))
    words.update((str(p), "plate") for p in plates)
    return sorted(words)
