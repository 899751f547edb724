"""The confirmations' write path, prepared (issue 16): what the prepared INSERTs write is
what Tortoise's `save` / `bulk_create` wrote, row for row, on SQLite and PostgreSQL; the
steps' ids come back matched; a request made in the caller's transaction without a
savepoint rolls back whole; the downtime asked with the applicant still refuses; the
department heads kept in process follow the organisation's changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from tortoise import connections

from models.audit import AuditLog
from models.errors import Conflict
from models.holds import Hold, insert_holds, vehicle_key
from models.org import RequestType, Role, User, UserRole, org_changed
from models.requests import ApprovalStep, NewRequest, Request, create_request, get_request
from models.sql import insert_models, joined, transaction, utc
from models.vehicle_state import DowntimeKind, VehicleDowntime, why_unusable
from tests.models.test_requests import CHAT, at, book_vehicle, vid
from tests.models.test_requests import org as org  # noqa: PLC0414 - the fixture, on both databases


@pytest.fixture
async def bureau(org: str) -> AsyncIterator[str]:
    yield org


async def raw(table: str, row_id: int) -> dict[str, Any]:
    conn = connections.get("default")
    rows = await conn.execute_query_dict(f'SELECT * FROM "{table}" WHERE id = {int(row_id)}')  # noqa: S608
    row = dict(rows[0])
    row.pop("id")
    return row


async def test_prepared_inserts_write_the_rows_tortoise_wrote(bureau: str) -> None:
    zhangsan = await User.get(userid="zhangsan")
    lichu = await User.get(userid="lichu")
    fields: dict[str, Any] = {
        "type": RequestType.VEHICLE_BOOKING, "applicant": zhangsan, "department_id_at": 11,
        "start": utc(at(28, 9, 30)), "end": utc(at(28, 11)), "vehicle_id": await vid("沪A12345"),
        "details": {"destination": "虹桥机场", "passengers": 2, "note": 'a "quote"'},
        "series": "s1", "created_at": utc(at(27, 10, 0)) + timedelta(microseconds=123),
        "updated_at": utc(at(27, 10, 0)),
    }
    by_tortoise = await Request.create(**fields)
    ours = Request(**fields)
    rows = await insert_models(connections.get("default"), [ours], returning="id")
    ours.id = rows[0]["id"]
    assert ours._saved_in_db and ours.id != by_tortoise.id
    assert await raw("request", ours.id) == await raw("request", by_tortoise.id)
    assert (await Request.get(id=ours.id)).details == fields["details"]

    step = await ApprovalStep.create(request=by_tortoise, seq=1, role="dept_head", approver=lichu)
    steps = [ApprovalStep(request=ours, seq=s, role="dept_head", approver=lichu) for s in (1, 2)]
    got = await insert_models(connections.get("default"), steps, returning="id, seq")
    assert sorted(int(r["seq"]) for r in got) == [1, 2]
    first = next(r["id"] for r in got if int(r["seq"]) == 1)
    mine = await raw("approval_step", first)
    theirs = await raw("approval_step", step.id)
    assert mine == {**theirs, "request_id": ours.id}

    await Hold.bulk_create([Hold(request=by_tortoise, resource="vehicle:9", start=fields["start"],
                                 end=fields["end"])])
    # other resources (PostgreSQL's exclusion constraint would refuse the same window)
    await insert_holds(ours.id, ["vehicle:7", "vehicle:8"], fields["start"], fields["end"])
    conn = connections.get("default")
    held = await conn.execute_query_dict(
        'SELECT resource, start, "end", active, request_id FROM hold ORDER BY request_id, resource')
    theirs_hold = [dict(r) for r in held if r["request_id"] == by_tortoise.id]
    mine_hold = [dict(r) for r in held if r["request_id"] == ours.id]
    assert [r["resource"] for r in mine_hold] == ["vehicle:7", "vehicle:8"]
    assert {**mine_hold[0], "request_id": by_tortoise.id, "resource": "vehicle:9"} == theirs_hold[0]


async def test_a_request_comes_back_as_get_request_reads_it(bureau: str) -> None:
    made = await book_vehicle("zhangsan", at(28, 9), at(28, 11))
    read = await get_request(made.no)
    assert read is not None
    assert [(s.id, s.seq, s.role, s.approver.userid) for s in made.steps] == \
        [(s.id, s.seq, s.role, s.approver.userid) for s in sorted(read.steps, key=lambda s: s.seq)]
    assert (made.vehicle_id, made.driver_id, made.status, made.details) == \
        (read.vehicle_id, read.driver_id, read.status, read.details)  # type: ignore[attr-defined]
    assert await Hold.filter(request_id=made.id, active=True).count() == 2


async def test_without_a_savepoint_a_conflict_undoes_the_whole_transaction(bureau: str) -> None:
    with pytest.raises(RuntimeError):
        async with joined():
            pass
    await book_vehicle("zhangsan", at(28, 9), at(28, 11))
    before = (await Request.all().count(), await AuditLog.all().count(), await Hold.all().count())
    new = NewRequest(RequestType.VEHICLE_BOOKING, "xiaoliu", at(28, 10), at(28, 12),
                     vehicle_id=await vid("沪A12345"))
    with pytest.raises(Conflict):
        async with transaction():
            await create_request(NewRequest(RequestType.REPAIR_REQUEST, "wuli",
                                            details={"location": "1号楼"}), at(27, 9), CHAT,
                                 savepoint=False)
            await create_request(new, at(27, 9), CHAT, savepoint=False)
    assert (await Request.all().count(), await AuditLog.all().count(), await Hold.all().count()) == before


async def test_a_downtime_asked_with_the_applicant_refuses_the_vehicle(bureau: str) -> None:
    vehicle = await vid("沪A12345")
    down = await VehicleDowntime.create(
        vehicle_id=vehicle, kind=DowntimeKind.REPAIR, reason="发动机", start=utc(at(28, 10)),
        until=utc(at(28, 14)), created_by="wangke", created_at=utc(at(27, 9)))
    try:
        await refused_while_down(vehicle)
    finally:  # PostgreSQL's fixture empties only the request tables
        await down.delete()


async def refused_while_down(vehicle: int) -> None:
    with pytest.raises(Conflict) as caught:
        await book_vehicle("zhangsan", at(28, 9), at(28, 11))
    assert caught.value.resources == [vehicle_key(vehicle)]
    assert await Request.all().count() == 0
    ok = await book_vehicle("zhangsan", at(28, 14), at(28, 16))  # it ends at 14:00
    assert ok.vehicle_id == vehicle  # type: ignore[attr-defined]
    found = await why_unusable(await ok.vehicle, at(28, 13), at(28, 15))  # type: ignore[misc]
    assert found is not None and (found.kind, found.reason, found.until) == \
        (DowntimeKind.REPAIR, "发动机", utc(at(28, 14)))
    assert await why_unusable(await ok.vehicle, at(28, 14), at(28, 15)) is None  # type: ignore[misc]


async def test_the_heads_kept_follow_the_organisation(bureau: str) -> None:
    first = await book_vehicle("zhangsan", at(28, 9), at(28, 10))
    assert first.steps[0].approver.userid == "lichu"
    lichu = await User.get(userid="lichu")
    async with transaction():
        await UserRole.filter(user_id=lichu.id, role=Role.DEPT_HEAD).delete()
        await org_changed()
    try:
        second = await book_vehicle("zhangsan", at(28, 11), at(28, 12))
        assert second.steps[0].approver.userid == "juzhang"  # the next level up
    finally:
        async with transaction():
            await UserRole.create(user_id=lichu.id, role=Role.DEPT_HEAD)
            await org_changed()
    third = await book_vehicle("zhangsan", at(28, 13), at(28, 14))
    assert third.steps[0].approver.userid == "lichu"
