"""The organisation from WeCom (身份识别, CONTRACT §3 `sync`): WeCom's departments, members
and tags, as bot/ fetched them (plain dicts, the API's own fields), mapped to our
departments, users and roles, then applied by `models.sync.sync_org`.

    WeComOrg (department/list, user/list, tag/get answers)
      + RoleMap (roles.yaml) ─► map_org ─► [DeptIn], [UserIn] ─► sync_org ─► SyncReport

The role mapping file (`{DATA_DIR}/roles.yaml` unless `SYNC_ROLES_FILE` names another):

    default: [staff]        # every member
    leaders: dept_head      # a leader (负责人) of their main department; null: none
    tags:                   # WeCom tag → roles, for its members and its departments' members
      驾驶员: [driver]
    positions:              # WeCom position (职务), as written → roles
      车队队长: [fleet_manager]
    users:                  # userid → roles on top
      wangke: [admin]

A member's roles are the union of every line that matches them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml

from models.org import Role
from models.sync import DeptIn, SyncReport, UserIn, sync_org

# user/list `status` (https://developer.work.weixin.qq.com/document/path/90201):
# 1 active, 2 disabled, 4 not yet activated, 5 left. Not yet activated members are
# kept on: they are in the bureau, and can use the app once they join.
GONE_STATUSES = frozenset({2, 5})
_SECTIONS = ("default", "leaders", "tags", "positions", "users")


class RoleMapError(ValueError):
    """The role mapping file is wrong; the message says where, in one line."""


@dataclass(frozen=True, slots=True)
class RoleMap:
    default: frozenset[Role] = frozenset({Role.STAFF})
    leaders: Role | None = Role.DEPT_HEAD
    tags: Mapping[str, frozenset[Role]] = field(default_factory=dict)
    positions: Mapping[str, frozenset[Role]] = field(default_factory=dict)
    users: Mapping[str, frozenset[Role]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WeComOrg:
    """What WeCom answered: `department/list`'s departments, `user/list`'s members (each
    once), and `tag/get`'s answer per tag name the mapping uses."""

    departments: list[dict[str, Any]]
    users: list[dict[str, Any]]
    tags: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def parse_role_map(text: str | None) -> RoleMap:
    """The mapping from the file's text; None (no file) gives the defaults. Raises
    RoleMapError naming the first mistake."""
    if text is None:
        return RoleMap()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RoleMapError(f"not valid YAML: {exc}") from None
    if data is None:
        return RoleMap()
    if not isinstance(data, Mapping):
        raise RoleMapError("must be a mapping with default, leaders, tags, positions, users")
    for key in data:
        if key not in _SECTIONS:
            raise RoleMapError(f"{key}: unknown section (expected one of {', '.join(_SECTIONS)})")
    leaders = data.get("leaders", str(Role.DEPT_HEAD))
    return RoleMap(
        default=_roles("default", data.get("default", [str(Role.STAFF)])),
        leaders=None if leaders is None else next(iter(_roles("leaders", [leaders]))),
        tags=_table("tags", data.get("tags")),
        positions=_table("positions", data.get("positions")),
        users=_table("users", data.get("users")),
    )


def _table(section: str, value: Any) -> dict[str, frozenset[Role]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RoleMapError(f"{section}: must be a mapping of name to roles")
    return {str(k): _roles(f"{section}.{k}", v) for k, v in value.items()}


def _roles(where: str, value: Any) -> frozenset[Role]:
    items = value if isinstance(value, list) else [value]
    roles = set()
    for item in items:
        if not isinstance(item, str) or item not in Role.__members__.values():
            raise RoleMapError(f"{where}: unknown role {item!r} (roles: {', '.join(Role)})")
        roles.add(Role(item))
    return frozenset(roles)


def map_org(org: WeComOrg, role_map: RoleMap) -> tuple[list[DeptIn], list[UserIn]]:
    """WeCom's answers as our departments and users with their roles."""
    ids = {int(d["id"]) for d in org.departments}
    departments = []
    leaders: dict[int, set[str]] = {}
    for d in org.departments:
        parent = int(d.get("parentid") or 0)
        # A root of what the app sees: WeCom's root has parent 0; the app's visible scope
        # may start lower down, under a department it cannot see.
        departments.append(DeptIn(int(d["id"]), str(d.get("name", "")), parent if parent in ids else None))
        leaders[int(d["id"])] = {str(u) for u in d.get("department_leader") or []}
    children: dict[int, list[int]] = {}
    for d_in in departments:
        if d_in.parent is not None:
            children.setdefault(d_in.parent, []).append(d_in.id)

    tagged: dict[str, set[Role]] = {}
    for tag, tag_roles in role_map.tags.items():
        answer = org.tags.get(tag) or {}
        members = {str(u.get("userid")) for u in answer.get("userlist") or []}
        for u in org.users:
            if _main_department(u) in _subtree(answer.get("partylist") or [], children):
                members.add(str(u.get("userid")))
        for userid in members:
            tagged.setdefault(userid, set()).update(tag_roles)

    users = []
    for u in org.users:
        userid = str(u.get("userid", ""))
        dept = _main_department(u)
        roles: set[Role] = set(role_map.default) | tagged.get(userid, set())
        roles |= role_map.positions.get(str(u.get("position") or "").strip(), frozenset())
        roles |= role_map.users.get(userid, frozenset())
        if role_map.leaders is not None and (_leads(u, dept) or userid in leaders.get(dept, set())):
            roles.add(role_map.leaders)
        active = int(u.get("status", 1) or 1) not in GONE_STATUSES
        users.append(UserIn(userid, str(u.get("name", "")), dept, frozenset(roles), active))
    return departments, users


def _main_department(user: Mapping[str, Any]) -> int:
    main = user.get("main_department")
    if main:
        return int(main)
    depts = user.get("department") or []
    return int(depts[0]) if depts else 0


def _leads(user: Mapping[str, Any], dept: int) -> bool:
    """`is_leader_in_dept` runs beside `department`: 1 where the member leads it."""
    depts = [int(d) for d in user.get("department") or []]
    flags = list(user.get("is_leader_in_dept") or [])
    return any(d == dept and i < len(flags) and int(flags[i]) == 1 for i, d in enumerate(depts))


def _subtree(roots: list[Any], children: Mapping[int, list[int]]) -> set[int]:
    out: set[int] = set()
    todo = [int(r) for r in roots]
    while todo:
        dept = todo.pop()
        if dept not in out:
            out.add(dept)
            todo.extend(children.get(dept, []))
    return out


async def sync_from_wecom(
    org: WeComOrg, role_map: RoleMap, now: datetime, *, dry_run: bool = False
) -> SyncReport:
    """Apply WeCom's organisation (or, with `dry_run`, only report what would change)."""
    departments, users = map_org(org, role_map)
    return await sync_org(departments, users, now, dry_run=dry_run)
