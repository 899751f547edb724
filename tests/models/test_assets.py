"""The asset register's rules (issue 17 item 1): stock kept exact when requests arrive at
the same moment — never more than the stock, never one item to two requests — on SQLite
and on PostgreSQL (a pool of real connections), and from two processes at once; what
reject and cancel give back; the register from the organisation file."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from models.assets import (
    Asset,
    AssetKind,
    AssetState,
    AssetUnavailable,
    OutOfStock,
    create_asset_request,
    in_stock,
    stock,
)
from models.db import close_db, is_sqlite
from models.decisions import cancel, decide
from models.org import RequestType, forget_cached_org
from models.requests import Decision, NewRequest, Request, RequestStatus
from models.seed import seed_org, validate_org
from tests.handlers.test_asset_request import asset_org
from tests.models.test_requests_concurrency import _postgres_org, _sqlite_org, _wide_pool, outcomes

APPLICANTS = ["zhangsan", "wuli", "xiaoliu", "lichu", "chenchu", "sunwei", "zhoujing", "wangke"]
ROOT = Path(__file__).resolve().parents[2]


def stock_of(laptops: int, chairs: int = 0) -> dict[str, Any]:
    data = asset_org()
    data["assets"] = [
        {"tag": "T-2024-01", "category": "笔记本电脑", "name": "联想X13", "location": "库房",
         "value": 6800, "quantity": laptops},
        {"tag": "T-2019-0032", "category": "打印机", "name": "惠普1020", "location": "1号楼205室",
         "value": 1800, "keeper": "zhangsan", "department": 11},
    ]
    if chairs:
        data["assets"].append({"tag": "T-2023-05", "category": "办公椅", "name": "办公椅",
                               "location": "库房", "value": 450, "quantity": chairs})
    return data


@pytest.fixture
async def register(db_url: str) -> AsyncIterator[str]:
    url = await (_sqlite_org(db_url) if is_sqlite(db_url) else _postgres_org(db_url))
    try:
        url = await _wide_pool(url)
        await Asset.all().delete()
        result = await seed_org(stock_of(5))
        assert result.ok, result.problems
        forget_cached_org()
        yield url
    finally:
        await close_db()


def requisition(who: str, quantity: int, now: datetime) -> Any:
    return create_asset_request(
        NewRequest(type=RequestType.ASSET_REQUEST, applicant=who,
                   details={"category": "笔记本电脑", "quantity": quantity, "location": "3号楼"}),
        AssetKind.REQUISITION, now, "chat", category="笔记本电脑", quantity=quantity)


async def assert_register_consistent() -> None:
    """Each reserved item is held by a live request whose tags name it; no request holds
    more than it asked for."""
    live = {r.id: r for r in await Request.filter(type="asset_request",
                                                  status__in=["pending", "approved"])}
    for a in await Asset.filter(held_by_id__not_isnull=True):
        assert a.held_by_id in live, a.tag
        assert a.tag in live[a.held_by_id].details["tags"]
    for r in live.values():
        held = await Asset.filter(held_by_id=r.id).count()
        assert held == len(r.details["tags"]) == int(r.details.get("quantity") or 1)


async def test_concurrent_requisitions_never_exceed_the_stock(register: str, now: datetime) -> None:
    ok, errors = await outcomes([requisition(who, 2, now) for who in APPLICANTS])
    assert all(isinstance(e, OutOfStock) for e in errors), errors
    assert 1 <= len(ok) <= 2  # five laptops: two requests of two at most
    tags = [t for r in ok for t in r.details["tags"]]
    assert len(tags) == len(set(tags)) == 2 * len(ok)
    assert await in_stock("笔记本电脑") == 5 - 2 * len(ok)
    await assert_register_consistent()
    # what is left goes too, one by one, and then nothing more
    left = await in_stock("笔记本电脑")
    ok1, errors1 = await outcomes([requisition(who, 1, now) for who in APPLICANTS])
    assert len(ok1) == left and all(isinstance(e, OutOfStock) for e in errors1)
    assert await in_stock("笔记本电脑") == 0
    await assert_register_consistent()


async def test_one_item_goes_to_one_disposal(register: str, now: datetime) -> None:
    printer = await Asset.get(tag="T-2019-0032")

    def disposal(who: str) -> Any:
        return create_asset_request(
            NewRequest(type=RequestType.ASSET_REQUEST, applicant=who,
                       details={"tag": printer.tag, "reason": "坏了"}),
            AssetKind.DISPOSAL, now, "chat", asset=printer)

    ok, errors = await outcomes([disposal(who) for who in APPLICANTS])
    assert len(ok) == 1 and all(isinstance(e, AssetUnavailable) for e in errors), errors
    assert (await Asset.get(tag=printer.tag)).held_by_id == ok[0].id
    assert await Request.filter(type="asset_request").count() == 1  # the others left nothing


async def test_reject_and_cancel_give_back_what_was_reserved(register: str, now: datetime) -> None:
    first = await requisition("zhangsan", 2, now)
    second = await requisition("wuli", 3, now)
    assert await in_stock("笔记本电脑") == 0
    with pytest.raises(OutOfStock) as refused:
        await requisition("xiaoliu", 1, now)
    assert refused.value.available == 0
    step = sorted(first.steps, key=lambda s: s.seq)[0]
    await decide(first.no, step.approver.userid, Decision.REJECT, now, "chat", comment="不需要")
    assert await in_stock("笔记本电脑") == 2
    await cancel(second.no, "wuli", now, "chat")
    assert await in_stock("笔记本电脑") == 5
    assert await Asset.filter(held_by_id__not_isnull=True).count() == 0
    lines = {x.category: x for x in await stock()}
    assert lines["笔记本电脑"].in_stock == 5 and lines["打印机"].issued == 1


async def test_without_an_approval_step_it_waits_for_the_hand_over(register: str, now: datetime) -> None:
    data = stock_of(5)
    data["approval_rules"]["asset_request"] = []
    assert (await seed_org(data)).ok
    forget_cached_org()
    request = await requisition("zhangsan", 1, now)
    assert request.status is RequestStatus.APPROVED and not list(request.steps)


_WORKER = """
import asyncio, json, sys
from datetime import datetime
from zoneinfo import ZoneInfo
from models.db import close_db, init_db
from models.assets import AssetKind, OutOfStock, create_asset_request
from models.org import RequestType
from models.requests import NewRequest

async def main(url, who):
    await init_db(url + "?maxsize=10", create_schema=False)
    now = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    async def one(w):
        try:
            r = await create_asset_request(
                NewRequest(type=RequestType.ASSET_REQUEST, applicant=w,
                           details={"category": "笔记本电脑", "quantity": 1, "location": "3号楼"}),
                AssetKind.REQUISITION, now, "chat", category="笔记本电脑", quantity=1)
            return r.details["tags"]
        except OutOfStock:
            return None
    got = await asyncio.gather(*(one(w) for w in who))
    print(json.dumps(got))
    await close_db()

asyncio.run(main(sys.argv[1], sys.argv[2].split(",")))
"""


async def test_two_processes_share_the_stock_exactly(postgres_database: str) -> None:
    """PostgreSQL, two processes at once, eight requests each for five laptops."""
    url = await _postgres_org(postgres_database)
    await Asset.all().delete()
    assert (await seed_org(stock_of(5))).ok
    await close_db()
    procs = [await asyncio.create_subprocess_exec(
        sys.executable, "-c", _WORKER, url, ",".join(APPLICANTS), cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) for _ in range(2)]
    results = [await p.communicate() for p in procs]
    assert all(p.returncode == 0 for p in procs), [r[1].decode()[-2000:] for r in results]
    tags = [t for out, _ in results for got in json.loads(out) if got for t in got]
    assert len(tags) == len(set(tags)) == 5  # all five handed out, none twice
    from models.db import init_db

    await init_db(url, create_schema=False)
    try:
        assert await in_stock("笔记本电脑") == 0
        assert await Asset.filter(held_by_id__not_isnull=True).count() == 5
        await assert_register_consistent()
    finally:
        await close_db()


# ---------------------------------------------------------------------------------------
# The register in the organisation file


def test_the_assets_section_is_checked() -> None:
    data = stock_of(2)
    data["assets"] += [
        {"tag": "T-2024-01-001", "category": "笔记本电脑", "location": "库房"},  # made by quantity
        {"tag": "X-1", "category": "椅子", "location": "库房", "keeper": "nobody", "state": "lost"},
        {"tag": "X-2", "category": "椅子", "location": "库房", "department": 99, "quantity": 0},
    ]
    data["approval_rules"]["asset_request.loan"] = ["dept_head"]
    data["approval_rules"]["asset_request.transfer"] = ["dept_head@98"]
    problems = {str(p) for p in validate_org(data)}
    assert problems == {
        "assets[2].tag: duplicate tag T-2024-01-001 (also assets[0])",
        "assets[3].state: unknown state 'lost' (states: in_stock, issued, transferring, disposed)",
        "assets[3].keeper: unknown keeper nobody (not in users)",
        "assets[4].quantity: must be a positive integer up to 2147483647, not 0",
        "approval_rules.asset_request.loan: unknown kind 'loan' of asset_request "
        "(kinds with a rule: asset_request.requisition, asset_request.transfer, asset_request.disposal)",
        "approval_rules.asset_request.transfer[0]: unknown department 98",
    }


async def test_seeding_again_never_takes_back_an_item_handed_out(register: str, now: datetime) -> None:
    await Asset.filter(tag="T-2024-01-001").update(state=AssetState.ISSUED, location="3号楼502室")
    again = await seed_org(stock_of(5))
    assert again.ok and again.counts["assets"].unchanged == 6 and not again.changed
    item = await Asset.get(tag="T-2024-01-001")
    assert item.state is AssetState.ISSUED and item.location == "3号楼502室"
    more = await seed_org(stock_of(7))
    assert more.counts["assets"].created == 2


async def test_a_rule_dropped_from_the_file_gives_way_to_the_default(register: str) -> None:
    from models.org import ApprovalRule, approval_rule

    assert await approval_rule("asset_request", "disposal") == [
        "dept_head", "asset_manager", "dept_head@13"]
    data = stock_of(5)
    del data["approval_rules"]["asset_request"], data["approval_rules"]["asset_request.disposal"]
    result = await seed_org(data)
    assert result.ok and result.counts["approval_rules"].deactivated == 2
    forget_cached_org()
    assert not await ApprovalRule.filter(request_type__startswith="asset_request").exists()
    # not stored, so `sync` asks nobody to hold asset_manager; requests still have a rule
    assert await approval_rule("asset_request", "disposal") == ["dept_head", "asset_manager"]
