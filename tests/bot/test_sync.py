"""`python main.py sync` (issue 17, item 4): the organisation from WeCom's contacts API,
through the async client against the WeCom stand-in, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sync import SyncFailed, run_scheduled, scheduled_pass, sync_once
from bot.wecom.client import WeComClient
from handlers.sync import RoleMap, RoleMapError, WeComOrg, map_org, parse_role_map
from models.audit import AuditLog
from models.org import Department, RequestType, Role, User
from models.requests import NewRequest, Request, create_request
from models.seed import seed_org
from settings import Settings
from tests.fakewecom import FakeWeCom

ROOT = Path(__file__).resolve().parent.parent.parent
ORG_FILE = ROOT / "tests" / "models" / "org_good.yaml"

ROLES_YAML = """\
default: [staff]
leaders: dept_head
tags:
  驾驶员: [driver]
positions:
  车队队长: [fleet_manager]
  报修调度: [repair_dispatcher]
  场地管理员: [facility_admin]
  维修工: [repair_worker]
users:
  juzhang: [admin]
"""

DEPARTMENTS = [
    {"id": 1, "name": "市机关事务管理局", "parentid": 0, "department_leader": ["juzhang"]},
    {"id": 11, "name": "办公室", "parentid": 1},
    {"id": 12, "name": "车辆管理处", "parentid": 1},
    {"id": 13, "name": "房产管理处", "parentid": 1},
    {"id": 131, "name": "物业管理科", "parentid": 13},
    {"id": 14, "name": "财务处", "parentid": 1},
]


def member(userid: str, name: str, dept: int, *, leader: bool = False, position: str = "",
           status: int = 1) -> dict[str, Any]:
    return {"userid": userid, "name": name, "department": [dept], "main_department": dept,
            "is_leader_in_dept": [1 if leader else 0], "position": position, "status": status}


def members() -> dict[int, list[dict[str, Any]]]:
    return {
        1: [member("juzhang", "王局长", 1)],
        11: [member("lichu", "李处", 11, leader=True), member("zhangsan", "张三", 11)],
        12: [member("wangke", "王科", 12, position="车队队长"), member("zhaoshifu", "赵师傅", 12),
             member("liushifu", "刘师傅", 12)],
        13: [member("chenchu", "陈处", 13, leader=True), member("sunwei", "孙伟", 13, position="报修调度"),
             member("zhoujing", "周静", 13, position="场地管理员")],
        131: [member("qianli", "钱力", 131, position="维修工"), member("xiaoliu", "小刘", 131)],
        14: [member("wuli", "吴丽", 14)],
    }


@pytest.fixture
def bureau(fake_wecom: FakeWeCom) -> FakeWeCom:
    """The stand-in holding the bureau of org_good.yaml, drivers by the tag 驾驶员."""
    fake_wecom.departments = [dict(d) for d in DEPARTMENTS]
    fake_wecom.users = members()
    fake_wecom.tags = {7: {"tagname": "驾驶员", "userlist": [{"userid": "zhaoshifu"}, {"userid": "liushifu"}]}}
    return fake_wecom


@pytest.fixture
def sync_settings(wecom_settings: Settings, tmp_path: Path) -> Settings:
    (tmp_path / "roles.yaml").write_text(ROLES_YAML, encoding="utf-8")
    return replace(wecom_settings, data_dir=str(tmp_path))


@pytest.fixture
async def client(sync_settings: Settings) -> AsyncIterator[WeComClient]:
    async with aiohttp.ClientSession() as session:
        yield WeComClient(session, sync_settings)


async def snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    depts = [(d.id, d.name, d.parent_id) for d in await Department.all().order_by("id")]
    users = [(u.userid, u.name, u.department_id, u.active, tuple(u.role_list))
             for u in await User.all().order_by("userid").prefetch_related("role_links")]
    return depts, users


async def roles_of(userid: str) -> list[str]:
    user = await User.get(userid=userid).prefetch_related("role_links")
    return user.role_list


async def test_first_sync_creates_then_nothing_changes(
    db: str, bureau: FakeWeCom, client: WeComClient, sync_settings: Settings, now: datetime
) -> None:
    report = await sync_once(client, sync_settings, now)
    assert report.ok, report.problems
    assert len(report.of("department", "added")) == 6
    assert len(report.of("user", "added")) == 12
    assert await Department.get(id=131).values_list("parent_id", flat=True) == 13
    assert await roles_of("juzhang") == ["admin", "dept_head", "staff"]  # leader + users
    assert await roles_of("lichu") == ["dept_head", "staff"]  # is_leader_in_dept
    assert await roles_of("zhaoshifu") == ["driver", "staff"]  # by tag
    assert await roles_of("wangke") == ["fleet_manager", "staff"]  # by position
    assert await AuditLog.filter(actor="sync", action="user_added").count() == 12
    assert await AuditLog.filter(actor="sync", action="department_added").count() == 6
    assert "users: 12 added, 0 updated, 0 deactivated, 0 reactivated, 0 unchanged" in report.lines()

    audits = await AuditLog.all().count()
    again = await sync_once(client, sync_settings, now + timedelta(hours=1))
    assert again.ok and not again.changed
    assert (again.unchanged_departments, again.unchanged_users) == (6, 12)
    assert await AuditLog.all().count() == audits


async def test_removed_user_is_deactivated_and_requests_kept(
    db: str, bureau: FakeWeCom, client: WeComClient, sync_settings: Settings, now: datetime
) -> None:
    assert (await seed_org(ORG_FILE)).ok  # vehicles, rooms and rules from the file
    first = await sync_once(client, sync_settings, now)
    assert first.ok, first.problems
    start = now + timedelta(days=1)
    request = await create_request(NewRequest(RequestType.FACILITY_RESERVATION, "xiaoliu", start,
                                              start + timedelta(hours=1), facility_id="mr-301"), now, "wecom")
    bureau.users[131] = [u for u in bureau.users[131] if u["userid"] != "xiaoliu"]
    bureau.users[14][0]["status"] = 5  # 吴丽 left: still listed, status 5

    report = await sync_once(client, sync_settings, now)
    assert report.ok, report.problems
    assert sorted(c.key for c in report.of("user", "deactivated")) == ["wuli", "xiaoliu"]
    xiaoliu = await User.get(userid="xiaoliu")
    assert not xiaoliu.active
    kept = await Request.get(id=request.id)
    assert kept.applicant_id == xiaoliu.id
    assert await AuditLog.filter(action="user_deactivated").count() == 2

    bureau.users[131].append(member("xiaoliu", "小刘", 131))  # back again
    back = await sync_once(client, sync_settings, now)
    assert [c.key for c in back.of("user", "reactivated")] == ["xiaoliu"]
    assert (await User.get(userid="xiaoliu")).active


async def test_renamed_and_moved_department(
    db: str, bureau: FakeWeCom, client: WeComClient, sync_settings: Settings, now: datetime
) -> None:
    await sync_once(client, sync_settings, now)
    bureau.departments[1]["name"] = "办公室（政策法规处）"
    bureau.departments[4]["parentid"] = 11  # 物业管理科 moves under 办公室
    report = await sync_once(client, sync_settings, now)
    assert report.ok, report.problems
    assert {c.key: c.fields for c in report.of("department", "updated")} == {
        "11": {"name": ["办公室", "办公室（政策法规处）"]},
        "131": {"parent": [13, 11]},
    }
    assert (await Department.get(id=11)).name == "办公室（政策法规处）"
    assert (await Department.get(id=131)).parent_id == 11
    assert await AuditLog.filter(action="department_updated").count() == 2
    assert "  updated: 办公室（政策法规处） (11): name 办公室 → 办公室（政策法规处）" in report.lines()


async def test_role_by_tag_added_and_taken_away(
    db: str, bureau: FakeWeCom, client: WeComClient, sync_settings: Settings, now: datetime
) -> None:
    await sync_once(client, sync_settings, now)
    bureau.tags[7]["userlist"] = [{"userid": "liushifu"}, {"userid": "xiaoliu"}]
    report = await sync_once(client, sync_settings, now)
    assert {c.key: c.fields for c in report.of("user", "updated")} == {
        "xiaoliu": {"roles": [["staff"], ["driver", "staff"]]},
        "zhaoshifu": {"roles": [["driver", "staff"], ["staff"]]},
    }
    assert await roles_of("xiaoliu") == ["driver", "staff"]
    assert await roles_of("zhaoshifu") == ["staff"]


async def test_dry_run_writes_nothing(
    db: str, bureau: FakeWeCom, client: WeComClient, sync_settings: Settings, now: datetime
) -> None:
    report = await sync_once(client, sync_settings, now, dry_run=True)
    assert report.ok and report.dry_run
    assert len(report.of("user", "added")) == 12
    assert await User.all().count() == 0
    assert await Department.all().count() == 0
    assert await AuditLog.all().count() == 0


@pytest.mark.parametrize("failure", ["60011", "http500", "tag"])
async def test_wecom_error_changes_nothing(
    db: str, bureau: FakeWeCom, client: WeComClient, sync_settings: Settings, now: datetime, failure: str
) -> None:
    await sync_once(client, sync_settings, now)
    before = await snapshot()
    audits = await AuditLog.all().count()
    bureau.departments[1]["name"] = "改名"
    bureau.users[14] = []
    if failure == "60011":
        bureau.errors["user/list"] = 60011
    elif failure == "http500":
        bureau.fail_next(3, "http500")
    else:
        bureau.tags = {}
    with pytest.raises(SyncFailed) as caught:
        await sync_once(client, sync_settings, now)
    message = str(caught.value)
    assert "\n" not in message
    assert {"60011": "errcode 60011", "http500": "HTTP 500", "tag": "驾驶员"}[failure] in message
    assert await snapshot() == before
    assert await AuditLog.all().count() == audits


async def test_broken_invariant_aborts(
    db: str, bureau: FakeWeCom, client: WeComClient, sync_settings: Settings, now: datetime
) -> None:
    assert (await seed_org(ORG_FILE)).ok
    await sync_once(client, sync_settings, now)
    before = await snapshot()
    bureau.tags[7]["userlist"] = [{"userid": "liushifu"}]  # 沪A12345's driver loses the role
    bureau.users[12] = [u for u in bureau.users[12] if u["userid"] != "wangke"]  # the only fleet manager
    bureau.users[12].append(member("newbie", "新人", 12))
    report = await sync_once(client, sync_settings, now)
    assert not report.ok
    assert report.problems == [
        "vehicle 沪A12345: its driver zhaoshifu would lose the driver role",
        "approval rule vehicle_booking: nobody active would have the role fleet_manager, "
        "so these requests could never be approved",
    ]
    assert await snapshot() == before
    assert not await User.filter(userid="newbie").exists()


async def test_bad_role_file_is_one_line(
    db: str, bureau: FakeWeCom, client: WeComClient, sync_settings: Settings, now: datetime
) -> None:
    await asyncio.to_thread(sync_settings.roles_path.write_text, "tags:\n  驾驶员: [chauffeur]\n",
                            encoding="utf-8")
    with pytest.raises(SyncFailed, match=r"roles.yaml: tags.驾驶员: unknown role 'chauffeur'"):
        await sync_once(client, sync_settings, now)
    assert bureau.calls == []  # WeCom not even asked


def test_role_map_defaults_and_party_tags() -> None:
    assert parse_role_map(None) == RoleMap()
    with pytest.raises(RoleMapError, match="unknown section"):
        parse_role_map("roles: {}")
    role_map = parse_role_map("default: [staff]\nleaders: null\ntags: {维修班: [repair_worker]}\n")
    org = WeComOrg(
        departments=[dict(d) for d in DEPARTMENTS],
        users=[u for us in members().values() for u in us],
        tags={"维修班": {"userlist": [], "partylist": [13]}},  # a department: its subtree too
    )
    _, users = map_org(org, role_map)
    workers = sorted(u.userid for u in users if Role.REPAIR_WORKER in u.roles)
    assert workers == ["chenchu", "qianli", "sunwei", "xiaoliu", "zhoujing"]
    assert not any(Role.DEPT_HEAD in u.roles for u in users)  # leaders: null


async def test_scheduled_pass_runs_once_across_processes(
    db: str, bureau: FakeWeCom, client: WeComClient, sync_settings: Settings, now: datetime,
    redis_client: Any, redis_prefix: str,
) -> None:
    key = f"{redis_prefix}sync:claim"
    first = await scheduled_pass(client, sync_settings, now, redis_client, key, 600)
    assert first is not None and first.changed
    assert await scheduled_pass(client, sync_settings, now, redis_client, key, 600) is None
    bureau.fail_next(3, "http500")
    await redis_client.delete(key)
    assert await scheduled_pass(client, sync_settings, now, redis_client, key, 600) is None  # logged
    await redis_client.delete(key)


async def test_cli_prints_the_report(db: str, bureau: FakeWeCom, sync_settings: Settings) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "REDIS", "DATABASE", "SYNC_"))}
    env |= {"DATABASE_URL": db, "WECOM_CORP_ID": sync_settings.corp_id, "WECOM_SECRET": sync_settings.secret,
            "WECOM_API_BASE": sync_settings.api_base, "DATA_DIR": sync_settings.data_dir}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(ROOT / "main.py"), "sync", *args], env=env,
                              cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)

    dry = await asyncio.to_thread(run, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "users: 12 added" in dry.stdout and "dry run: nothing was written" in dry.stdout
    assert "  added: 张三 (zhangsan)" in dry.stdout
    assert await User.all().count() == 0
    done = await asyncio.to_thread(run)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("organisation synced from WeCom")
    assert await User.all().count() == 12
    again = await asyncio.to_thread(run)
    assert again.stdout.strip().endswith("organisation unchanged")
    bureau.errors["department/list"] = 60011
    failed = await asyncio.to_thread(run)
    assert failed.returncode == 1
    assert len(failed.stderr.strip().splitlines()) == 1
    assert "errcode 60011" in failed.stderr and "nothing was written" in failed.stderr


async def test_scheduled_task_survives_a_failure(
    db: str, bureau: FakeWeCom, client: WeComClient, sync_settings: Settings, now: datetime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bureau.errors["department/list"] = 60011
    task = asyncio.create_task(run_scheduled(client, sync_settings, lambda: now, None, interval=0.05))
    try:
        for _ in range(100):
            await asyncio.sleep(0.05)
            if "scheduled sync failed" in caplog.text:
                break
        bureau.errors.clear()
        for _ in range(100):
            await asyncio.sleep(0.05)
            if await User.all().count() == 12:
                break
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert "scheduled sync failed" in caplog.text
    assert await User.all().count() == 12


async def test_roles_granted_in_the_admin_pages_survive_a_sync(
    db: str, bureau: FakeWeCom, client: WeComClient, sync_settings: Settings, now: datetime
) -> None:
    from models.admin import set_roles

    assert (await sync_once(client, sync_settings, now)).ok
    await set_roles("zhangsan", {"staff", "facility_admin"}, "juzhang", now)
    bureau.users[11][1]["name"] = "张三丰"  # WeCom still changes the name
    report = await sync_once(client, sync_settings, now + timedelta(minutes=5))
    assert report.ok, report.problems
    assert await roles_of("zhangsan") == ["facility_admin", "staff"]
    assert (await User.get(userid="zhangsan")).name == "张三丰"
