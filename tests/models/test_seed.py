"""Seeding the organisation: a good file twice, and one bad file per kind of mistake."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from models.org import ApprovalRule, Department, Facility, User, UserRole, Vehicle, get_user
from models.seed import SeedProblem, load_org_text, parse_hours, run_seed, seed_org, validate_org

GOOD = Path(__file__).with_name("org_good.yaml")
GOOD_DATA: dict[str, Any] = yaml.safe_load(GOOD.read_text(encoding="utf-8"))
MODELS = (Department, User, UserRole, Vehicle, Facility, ApprovalRule)


def good() -> dict[str, Any]:
    return copy.deepcopy(GOOD_DATA)


async def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {m.__name__: await m.all().order_by(m._meta.pk_attr).values() for m in MODELS}


# --- a good file -------------------------------------------------------------------------


async def test_good_file_twice_changes_nothing(db: str) -> None:
    first = await seed_org(GOOD)
    assert first.ok, first.problems
    assert {t: c.created for t, c in first.counts.items()} == {
        "departments": 6,
        "users": 12,
        "vehicles": 3,
        "facilities": 5,
        "approval_rules": 3,
        "assets": 0,  # an older file, without the register: still valid
    }
    assert first.changed
    before = await snapshot()
    second = await seed_org(GOOD)
    assert second.ok and not second.changed
    assert {t: c.unchanged for t, c in second.counts.items()} == {
        "departments": 6,
        "users": 12,
        "vehicles": 3,
        "facilities": 5,
        "approval_rules": 3,
        "assets": 0,  # an older file, without the register: still valid
    }
    assert await snapshot() == before
    assert "users: 0 created, 0 updated, 12 unchanged" in second.summary()


async def test_changes_are_applied_and_absentees_switched_off(db: str) -> None:
    assert (await seed_org(GOOD)).ok
    data = good()
    data["users"] = [u for u in data["users"] if u["userid"] != "wuli"]
    zhangsan = next(u for u in data["users"] if u["userid"] == "zhangsan")
    zhangsan.update(department=12, roles=["staff", "fleet_manager"])
    data["departments"][4]["parent"] = 11  # 物业管理科 moves under 办公室
    data["vehicles"] = data["vehicles"][1:]  # 沪A12345 leaves
    data["facilities"][0]["open"] = "07:30-21:00"
    data["approval_rules"]["repair_request"] = ["dept_head"]
    result = await seed_org(data)
    assert result.ok, result.problems
    counts = result.counts
    assert (counts["users"].updated, counts["users"].deactivated) == (1, 1)
    assert counts["departments"].updated == 1
    assert counts["vehicles"].deactivated == 1
    assert counts["facilities"].updated == 1
    assert counts["approval_rules"].updated == 1

    assert await get_user("wuli") is None  # switched off, not deleted
    assert await User.filter(userid="wuli", active=False).exists()
    user = await get_user("zhangsan")
    assert user is not None and user.department.id == 12
    assert user.roles == {"staff", "fleet_manager"}
    assert (await Department.get(id=131)).parent_id == 11
    assert not (await Vehicle.get(plate="沪A12345")).in_service
    room = await Facility.get(id="mr-301")
    assert (room.open_from, room.open_to) == ("07:30", "21:00")

    # The original file brings everything back.
    back = await seed_org(GOOD)
    assert back.ok and back.changed
    assert await get_user("wuli") is not None
    assert (await Vehicle.get(plate="沪A12345")).in_service
    assert (await get_user("zhangsan")).roles == {"staff"}  # type: ignore[union-attr]


async def test_facility_leaving_the_file_is_switched_off(db: str) -> None:
    assert (await seed_org(GOOD)).ok
    data = good()
    data["facilities"] = [f for f in data["facilities"] if f["id"] != "gym-1"]
    result = await seed_org(data)
    assert result.counts["facilities"].deactivated == 1
    assert not (await Facility.get(id="gym-1")).active


# --- bad files ---------------------------------------------------------------------------


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return change


def _append(section: str, item: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data[section].append(item)


BAD: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    # (case, change to the good data, the expected problem as printed)
    ("missing section", _delete(("users",)), "users: missing"),
    ("unknown section", _set(("user",), []), "user: unknown section"),
    ("section not a list", _set(("vehicles",), {"plate": "x"}), "vehicles: must be a list"),
    ("item not a mapping", _append("users", "lisi"), "users[12]: must be a mapping, not a string"),
    ("missing field", _delete(("users", 2, "name")), "users[2].name: missing"),
    ("unknown field", _set(("users", 2, "dept"), 11), "users[2].dept: unknown field"),
    (
        "wrong type",
        _set(("departments", 1, "id"), "11"),
        "departments[1].id: must be an integer, not a string",
    ),
    (
        "yes/no is not a number",
        _set(("vehicles", 0, "seats"), True),
        "vehicles[0].seats: must be an integer, not true/false",
    ),
    ("empty name", _set(("users", 2, "name"), " "), "users[2].name: must not be empty"),
    (
        "unknown department",
        _set(("users", 3, "department"), 99),
        "users[3].department: unknown department 99",
    ),
    (
        "unknown parent",
        _set(("departments", 1, "parent"), 7),
        "departments[1].parent: unknown department 7",
    ),
    (
        "duplicate department",
        _append("departments", {"id": 11, "name": "又一个办公室", "parent": 1}),
        "departments[6].id: duplicate department id 11 (also departments[1])",
    ),
    (
        "self parent",
        _set(("departments", 1, "parent"), 11),
        "departments[1].parent: cycle in the department tree (each → its parent): 11 → 11",
    ),
    (
        "cycle",
        lambda d: d["departments"][0].update(parent=131),
        "departments[0].parent: cycle in the department tree (each → its parent): 1 → 131 → 13 → 1",
    ),
    (
        "duplicate userid",
        _set(("users", 2, "userid"), "lichu"),
        "users[2].userid: duplicate userid lichu (also users[1])",
    ),
    ("bad userid", _set(("users", 2, "userid"), "张三"), "users[2].userid: not a WeCom userid"),
    (
        "numeric userid",
        _set(("users", 2, "userid"), 13800138000),
        "users[2].userid: must be a string, not a number",
    ),
    (
        "unknown role",
        _set(("users", 2, "roles"), ["staff", "boss"]),
        "users[2].roles[1]: unknown role 'boss'",
    ),
    ("no role", _set(("users", 2, "roles"), []), "users[2].roles: must name at least one role"),
    (
        "role twice",
        _set(("users", 2, "roles"), ["staff", "staff"]),
        "users[2].roles[1]: role staff given twice",
    ),
    (
        "unknown driver",
        _set(("vehicles", 0, "driver"), "nobody"),
        "vehicles[0].driver: unknown driver nobody",
    ),
    (
        "driver without the role",
        _set(("vehicles", 0, "driver"), "zhangsan"),
        "vehicles[0].driver: zhangsan does not have the driver role",
    ),
    (
        "duplicate plate",
        _set(("vehicles", 1, "plate"), "沪A12345"),
        "vehicles[1].plate: duplicate plate 沪A12345 (also vehicles[0])",
    ),
    (
        "seats not positive",
        _set(("vehicles", 0, "seats"), 0),
        "vehicles[0].seats: must be a positive integer up to 99, not 0",
    ),
    (
        "unknown facility type",
        _set(("facilities", 0, "type"), "office"),
        "facilities[0].type: unknown facility type 'office'",
    ),
    (
        "duplicate facility id",
        _set(("facilities", 1, "id"), "mr-301"),
        "facilities[1].id: duplicate facility id mr-301 (also facilities[0])",
    ),
    (
        "duplicate facility name",
        _set(("facilities", 1, "name"), "301会议室"),
        "facilities[1].name: duplicate facility name 301会议室",
    ),
    (
        "capacity not positive",
        _set(("facilities", 0, "capacity"), -5),
        "facilities[0].capacity: must be a positive integer up to 100000, not -5",
    ),
    (
        "too many seats",
        _set(("vehicles", 0, "seats"), 700),
        "vehicles[0].seats: must be a positive integer up to 99, not 700",
    ),
    (
        "department id not positive",
        _set(("departments", 5, "id"), 0),
        "departments[5].id: must be a positive integer",
    ),
    (
        "name too long",
        _set(("users", 2, "name"), "张" * 65),
        "users[2].name: longer than 64 characters",
    ),
    (
        "hours not HH:MM",
        _set(("facilities", 0, "open"), "8:00-20:00"),
        "facilities[0].open: bad opening hours '8:00-20:00'",
    ),
    (
        "hours backwards",
        _set(("facilities", 0, "open"), "20:00-08:00"),
        "facilities[0].open: bad opening hours '20:00-08:00'",
    ),
    (
        "hours out of range",
        _set(("facilities", 0, "open"), "08:00-25:00"),
        "facilities[0].open: bad opening hours",
    ),
    (
        "unknown request type",
        _set(("approval_rules", "car"), []),
        "approval_rules.car: unknown request type 'car'",
    ),
    (
        "unknown approver role",
        _set(("approval_rules", "vehicle_booking"), ["dept_head", "boss"]),
        "approval_rules.vehicle_booking[1]: unknown role 'boss'",
    ),
    (
        "rule not a list",
        _set(("approval_rules", "repair_request"), "dept_head"),
        "approval_rules.repair_request: must be a list of roles",
    ),
    (
        "missing rule",
        _delete(("approval_rules", "repair_request")),
        "approval_rules: missing repair_request (use [] for no approval)",
    ),
    (
        "role nobody holds",
        lambda d: d["users"].__setitem__(3, {**d["users"][3], "roles": ["staff"]}),
        "approval_rules.vehicle_booking[1]: no user has the role fleet_manager",
    ),
]


@pytest.mark.parametrize(("change", "expected"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_each_mistake_is_reported_with_where_it_is(
    change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    data = good()
    change(data)
    problems = [str(p) for p in validate_org(data)]
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems


def test_good_data_is_clean() -> None:
    assert validate_org(good()) == []


@pytest.mark.parametrize("data", [None, [], "text", 3])
def test_not_a_mapping(data: Any) -> None:
    [problem] = validate_org(data)
    assert str(problem).startswith("file: must be a mapping")


def test_every_problem_is_reported_at_once() -> None:
    data = good()
    for change, _ in [
        (b[1], b[2])
        for b in BAD
        if b[0] in {"unknown department", "duplicate plate", "hours backwards", "unknown role"}
    ]:
        change(data)
    assert len(validate_org(data)) == 4


def test_yaml_syntax_error_has_its_line() -> None:
    text = GOOD.read_text(encoding="utf-8").replace("{userid: wuli,", "{userid: [wuli,", 1)
    data, [problem] = load_org_text(text)
    assert data is None
    assert problem.line is not None and problem.line > 20
    assert str(problem).startswith(f"line {problem.line}: file: not valid YAML")


def test_duplicate_yaml_key_is_an_error() -> None:
    text = GOOD.read_text(encoding="utf-8") + "\nusers: []\n"
    _, [problem] = load_org_text(text)
    assert "key 'users' given twice" in str(problem)
    assert problem.line == len(GOOD.read_text(encoding="utf-8").splitlines()) + 2


def test_problems_carry_yaml_lines() -> None:
    lines = GOOD.read_text(encoding="utf-8").splitlines()
    wuli = next(i for i, line in enumerate(lines, 1) if "userid: wuli" in line)
    text = "\n".join(lines).replace(
        "department: 14, roles: [staff]}", "department: 99, roles: [staff]}"
    )
    _, [problem] = load_org_text(text)
    assert problem == SeedProblem(("users", 11, "department"), "unknown department 99", wuli)
    assert str(problem) == f"line {wuli}: users[11].department: unknown department 99"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00-20:00", ("08:00", "20:00")),
        (" 06:30-21:30 ", ("06:30", "21:30")),
        ("00:00-24:00", ("00:00", "24:00")),
        ("08:00-08:00", None),
        ("8:00-20:00", None),
        ("08:60-20:00", None),
        ("08:00~20:00", None),
    ],
)
def test_parse_hours(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_hours(text) == expected


async def test_bad_file_writes_nothing(db: str, tmp_path: Path) -> None:
    assert (await seed_org(GOOD)).ok
    before = await snapshot()
    data = good()
    data["users"][0]["name"] = "改了名字"  # a good change beside the mistakes
    data["users"][2]["department"] = 99
    data["vehicles"][0]["driver"] = "zhangsan"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = await seed_org(path)
    assert not result.ok and len(result.problems) == 2
    assert all(p.line for p in result.problems)
    assert not result.changed
    assert await snapshot() == before


async def test_unreadable_file(db: str, tmp_path: Path) -> None:
    result = await seed_org(tmp_path / "missing.yaml")
    assert not result.ok and "cannot read" in str(result.problems[0])


async def test_run_seed_prints_summary_or_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI entry on SQLite (it opens and closes the database itself)."""
    url = f"sqlite://{tmp_path}/seed.sqlite3"
    assert await run_seed(str(GOOD), url) == 0
    out = capsys.readouterr().out
    assert "users: 12 created" in out and "organisation loaded" in out
    assert await run_seed(str(GOOD), url) == 0
    assert "organisation unchanged" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "departments: []\nusers: [{userid: a, name: A, department: 5, roles: [x]}]\n",
        encoding="utf-8",
    )
    assert await run_seed(str(bad), url) == 1
    err = capsys.readouterr().err.splitlines()
    assert f"{bad}: line 2: users[0].department: unknown department 5" in err
    assert err[-1] == "3 problem(s); nothing was written."


async def test_seed_is_one_transaction(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure half-way (after departments and users were written) leaves nothing."""
    import models.seed as seed

    async def fail(*args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(seed, "_upsert_facilities", fail)
    with pytest.raises(RuntimeError):
        await seed_org(GOOD)
    assert all(not rows for rows in (await snapshot()).values())


async def test_result_as_text(db: str) -> None:
    result = await seed_org(GOOD)
    assert str(result).startswith("departments: 6 created, 0 updated, 0 unchanged; users: 12")
    bad = await seed_org({"departments": []})
    assert str(bad) == "2 problem(s): users: missing; approval_rules: missing"
