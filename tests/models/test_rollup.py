"""The dashboard's daily rollup (models/stats/rollup.py) always gives what a direct query
over the requests gives (tests/models/stats_direct.py, the computation before the
rollup): after a random sequence of creates, approvals, rejections, cancels and
completions, with refreshes of a few days now and then, and with none; on SQLite and
PostgreSQL. The counts exactly; the approval and repair times' medians and 90th
percentiles within the histograms' bound (models/stats/waits.py), their counts, counts
over the limits and maxima exactly."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from models import stats
from models.decisions import cancel, decide
from models.errors import RequestError
from models.fleet_stats import trip_costs
from models.org import RequestType
from models.ratings import crew_ratings, rate_request
from models.repairs import assign_repair, complete_request, progress_repair
from models.requests import Decision, Request, RequestStatus, current_step, get_request
from models.stats import Scope, rollup
from models.stats.waits import GAMMA, MIN_MINUTES, StatsWait
from tests.conftest import TZ
from tests.models import stats_direct as direct
from tests.models.test_stats import CHAT, at, org, repair, room, vehicle_booking

__all__ = ["org"]  # the fixture, used by name

APPLICANTS = ["zhangsan", "lichu", "xiaoliu", "chenchu", "wuli", "juzhang"]
ROOMS = ["mr-301", "aud-1", "rr-101", "gym-1", "cr-2"]
PLATES = ["沪A12345", "沪A67890", None]
NOW = at(12, 6, 9)
SCOPES = [
    Scope(date(2026, 11, 1), date(2026, 12, 1), TZ),
    Scope(date(2026, 11, 10), date(2026, 11, 17), TZ),
    Scope(date(2026, 10, 28), date(2026, 12, 5), TZ),
    Scope(date(2026, 11, 12), date(2026, 11, 13), TZ),
    Scope(date(2026, 11, 1), date(2026, 12, 1), TZ, department_id=13),
    Scope(date(2026, 11, 5), date(2026, 11, 25), TZ, department_id=11),
]


async def assert_same_as_direct() -> None:
    for scope in SCOPES:
        assert await stats.vehicle_use(scope) == await direct.vehicle_use(scope), scope
        assert await stats.room_occupancy(scope) == await direct.room_occupancy(scope), scope
        assert await stats.requests_by_department(scope) == \
            await direct.requests_by_department(scope), scope
        assert await stats.requests_by_service(scope) == await direct.requests_by_service(scope), \
            scope
        for rtype in (RequestType.REPAIR_REQUEST, RequestType.VEHICLE_BOOKING):
            assert await crew_ratings(scope, rtype) == await direct.crew_ratings(scope, rtype)
        assert await trip_costs(scope) == await direct.trip_costs(scope), scope
        assert_close_steps(await stats.approval_lead_times(scope),
                           await direct.approval_lead_times(scope))
        got, want = await stats.repair_times(scope, NOW), await direct.repair_times(scope, NOW)
        # The list in the order reported now (by number before)
        assert got.items == sorted(want.items, key=lambda i: (i.created_at, i.no))
        assert got.item_count == len(want.items)
        for g, w in ((got.assign, want.assign), (got.finish, want.finish)):
            assert (g.name, g.limit_min, g.count, g.within_limit, g.over_limit,
                    g.open_over_limit) == (w.name, w.limit_min, w.count, w.within_limit,
                                           w.over_limit, w.open_over_limit), scope
            for a, b in ((g.median_min, w.median_min), (g.p90_min, w.p90_min),
                         (g.max_min, w.max_min)):
                assert (a is None) == (b is None) and close(a or 0.0, b or 0.0), (scope, g, w)


def close(got: float, want: float) -> bool:
    """Within the histograms' bound: GAMMA − 1 of the value, a second below that."""
    return abs(got - want) <= (GAMMA - 1) * abs(want) + MIN_MINUTES + 1e-3


def assert_close_steps(got: list[stats.StepLeadTime], want: list[stats.StepLeadTime]) -> None:
    assert [(s.type, s.seq, s.role, s.count, s.over_limit) for s in got] == \
        [(s.type, s.seq, s.role, s.count, s.over_limit) for s in want]
    for g, w in zip(got, want, strict=True):
        assert close(g.median_min, w.median_min) and close(g.p90_min, w.p90_min), (g, w)
        assert abs(g.max_min - w.max_min) < 1e-3, (g, w)


async def approve_next(no: int, moment: datetime, decision: Decision, vehicle: int) -> None:
    """The current step decided; the fleet manager gives a vehicle when none is named."""
    fresh = await get_request(no)
    assert fresh is not None
    step = current_step(fresh)
    if step is None:
        return
    given = vehicle if step.role == "fleet_manager" and fresh.vehicle_id is None else None
    await decide(no, step.approver.userid, decision, moment, CHAT, vehicle_id=given)


async def one_step(rng: random.Random, made: list[Request]) -> None:
    """A random create, decision, cancel or completion; one the rules refuse does nothing."""
    day = rng.randint(1, 30)
    start = at(11, day, rng.choice([0, 7, 9, 13, 20, 23]), rng.choice([0, 15, 30]))
    end = start + timedelta(minutes=30 * rng.randint(1, 12))  # some run past midnight
    created = start - timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 20))
    roll = rng.random()
    try:
        if roll < 0.25 or not made:
            made.append(await vehicle_booking(rng.choice(APPLICANTS), start, end, created,
                                              rng.choice(PLATES)))
        elif roll < 0.45:
            made.append(await room(rng.choice(APPLICANTS), rng.choice(ROOMS), start, end, created))
        elif roll < 0.55:
            made.append(await repair(rng.choice(APPLICANTS), created))
        else:
            target = rng.choice(made)
            fresh = await get_request(target.no)
            assert fresh is not None
            if fresh.status == RequestStatus.COMPLETED and rng.random() < 0.5:
                await rate_request(fresh.no, fresh.applicant.userid, rng.randint(1, 5),
                                   at(12, 3, 9), CHAT)
            elif roll < 0.75:
                await approve_next(fresh.no, created, Decision.APPROVE, rng.choice([1, 2]))
            elif roll < 0.79:
                await approve_next(fresh.no, created, Decision.REJECT, 1)
            elif roll < 0.87:
                await cancel(fresh.no, fresh.applicant.userid, at(10, 20, 9), CHAT)
            elif fresh.status == RequestStatus.COMPLETED:
                await rate_request(fresh.no, fresh.applicant.userid, rng.randint(1, 5),
                                   at(12, 3, 9), CHAT)
            elif fresh.type == "repair_request":
                if fresh.status == RequestStatus.PENDING:
                    await assign_repair(fresh.no, "sunwei", "qianli", created, CHAT)
                else:
                    await progress_repair(fresh.no, "qianli", RequestStatus.COMPLETED, created, CHAT)
            else:
                await complete_request(fresh, "system", at(12, 2, 9), "system")
                if fresh.type == "vehicle_booking" and rng.random() < 0.7:  # the trip's readings
                    readings = {"distance": rng.randint(3, 90), "tolls": rng.choice([0, 7.5, 20]),
                                "parking": rng.choice([None, 5.25, 10]), "fuel": 30.5}
                    await Request.filter(id=fresh.id).update(details={
                        **(fresh.details or {}), **{k: v for k, v in readings.items() if v is not None}})
    except RequestError:
        pass


@pytest.mark.parametrize("seed", [1, 2])
async def test_rollup_equals_the_direct_figures(org: str, seed: int) -> None:
    rng = random.Random(seed)
    made: list[Request] = []
    await assert_same_as_direct()  # nothing built yet: every day is read from the requests
    # One booking over midnight, approved, whatever the draw.
    night = await vehicle_booking("xiaoliu", at(11, 14, 22), at(11, 15, 1, 30), at(11, 10, 9))
    for _ in range(2):
        await approve_next(night.no, at(11, 10, 10), Decision.APPROVE, 2)
    made.append(night)
    # And one trip done, with its readings.
    trip = await vehicle_booking("wuli", at(11, 16, 9), at(11, 16, 11), at(11, 12, 9))
    for _ in range(2):
        await approve_next(trip.no, at(11, 12, 10), Decision.APPROVE, 1)
    done = await get_request(trip.no)
    assert done is not None
    await complete_request(done, "system", at(11, 16, 12), "system")
    await Request.filter(id=done.id).update(details={**(done.details or {}), "distance": 42,
                                                     "tolls": 15.5, "fuel": 60})
    for i in range(80):
        await one_step(rng, made)
        if rng.random() < 0.3:  # a refresh of a few days: some days clean, some dirty
            await rollup.refresh(TZ, max_days=rng.randint(1, 6))
        if i % 20 == 19:
            await assert_same_as_direct()
            await rollup.consistent(TZ, assert_same_as_direct)  # a page's way: marks once
    await assert_same_as_direct()
    await rollup.refresh_all(TZ)
    assert await rollup.StatsDirty.all().count() == 0  # every figure from the rollup now
    assert await rollup.StatsDay.filter(metric="veh").exists()
    assert await rollup.StatsDay.filter(metric="room").exists()
    assert await rollup.StatsDay.filter(metric__in=["wrate", "drate"]).exists()
    assert await StatsWait.filter(metric="step").exists()
    assert await rollup.StatsDay.filter(metric="fkm", total__gt=0).exists()
    # November is over (the clock is later): its month rows, read for the scopes that hold
    # it whole.
    assert await rollup.StatsDay.filter(metric="M", day=date(2026, 11, 1)).exists()
    assert await StatsWait.filter(metric="Mstep", day=date(2026, 11, 1)).exists()
    await assert_same_as_direct()
    # A change after the last refresh is seen at once: its days are read from the requests.
    late = await repair("wuli", at(11, 20, 10))
    await assert_same_as_direct()
    await rollup.refresh_all(TZ)
    assert await rollup.StatsDirty.all().count() == 0
    assert late.no and await stats.requests_by_service(SCOPES[0]) == \
        await direct.requests_by_service(SCOPES[0])


async def test_a_page_takes_the_marks_once_and_reads_again_when_they_move(
        org: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    made: list[Request] = []
    for _ in range(40):
        await one_step(rng, made)
    await rollup.refresh(TZ, max_days=3)  # some days clean, some dirty
    assert await rollup.StatsDirty.all().exists()
    taken = 0
    marks = rollup._marks

    async def counted() -> list[tuple[int, datetime, datetime]]:
        nonlocal taken
        taken += 1
        return await marks()

    monkeypatch.setattr(rollup, "_marks", counted)
    reads = 0

    async def page() -> list[object]:
        nonlocal reads
        reads += 1
        out: list[object] = []
        for scope in SCOPES:
            out += [await stats.vehicle_use(scope), await stats.room_occupancy(scope),
                    await stats.requests_by_service(scope), await trip_costs(scope)]
            if reads == 1 and scope is SCOPES[2]:  # a change in the middle of the page
                made.append(await repair("wuli", at(11, 20, 10)))
        return out

    got = await rollup.consistent(TZ, page)
    # The change moved the marks: the page was read again, 2 looks at the marks a reading
    # (each of ~50 reads alone takes 2).
    assert (reads, taken) == (2, 4)
    want: list[object] = []
    for scope in SCOPES:
        want += [await direct.vehicle_use(scope), await direct.room_occupancy(scope),
                 await direct.requests_by_service(scope), await direct.trip_costs(scope)]
    assert got == want
    # The marks that keep moving: at last each read checks its own.
    async def always_changing() -> object:
        made.append(await repair("wuli", at(11, 21, 10)))
        return await stats.requests_by_service(SCOPES[0])

    assert await rollup.consistent(TZ, always_changing) == \
        await direct.requests_by_service(SCOPES[0])


async def test_a_rollup_of_another_time_zone_is_rebuilt(org: str) -> None:
    from zoneinfo import ZoneInfo

    await vehicle_booking("zhangsan", at(11, 3, 23), at(11, 4, 2), at(11, 1, 9), "沪A12345")
    await rollup.refresh_all(ZoneInfo("UTC"))  # days local to UTC
    await assert_same_as_direct()  # not the scope's zone: read from the requests
    await rollup.refresh_all(TZ)
    assert (await rollup.StatsState.get(name=rollup.STATE)).tz == "Asia/Shanghai"
    await assert_same_as_direct()


async def test_every_write_to_a_request_marks_its_days(org: str) -> None:
    booking = await vehicle_booking("zhangsan", at(11, 3, 23), at(11, 4, 2), at(11, 1, 9),
                                    "沪A12345")
    await rollup.refresh_all(TZ)
    # A write no use case makes (a script, the database console) is marked too.
    await Request.filter(id=booking.id).update(status=RequestStatus.APPROVED)
    marks = await rollup.StatsDirty.all().values_list("lo", flat=True)
    assert len(marks) == 4  # old and new: the creation and the window
    await assert_same_as_direct()
    assert (await stats.vehicle_use(SCOPES[0])).total_hours == 3.0


def test_a_histograms_percentiles_within_its_bound() -> None:
    from models.stats.scope import percentile
    from models.stats.waits import bucket_of, merge

    rng = random.Random(5)
    values = [rng.expovariate(1 / 45) for _ in range(3000)] + [0.0, -3.0, 1e-4, 9000.0]
    # Cells as the days give them: one value each, merged in any order.
    h = merge([("k", bucket_of(v), 1, int(v > 30), v, v) for v in values])["k"]
    assert (h.count, h.over, h.max) == (len(values), sum(v > 30 for v in values), 9000.0)
    for q in (0.0, 0.1, 0.5, 0.9, 0.99, 1.0):
        want = percentile(values, q) or 0.0
        assert abs((h.quantile(q) or 0.0) - want) <= (GAMMA - 1) * abs(want) + MIN_MINUTES, q
    few = merge([("k", bucket_of(v), 1, 0, v, v) for v in (30.0, 60.0, 120.0, 300.0)])["k"]
    assert few.quantile(0.9) == percentile([30.0, 60.0, 120.0, 300.0], 0.9)  # exact


async def _statements_of(monkeypatch: pytest.MonkeyPatch, read: Any) -> list[tuple[str, list[Any]]]:
    """The statements (SQL in the database's dialect, parameters) `read()` sends."""
    from tortoise import connections

    conn = connections.get("default")
    seen: list[tuple[str, list[Any]]] = []
    original = type(conn).execute_query

    async def recorded(self: Any, query: str, values: list[Any] | None = None) -> Any:
        seen.append((query, list(values or [])))
        return await original(self, query, values)

    monkeypatch.setattr(type(conn), "execute_query", recorded)
    try:
        await read()
    finally:
        monkeypatch.undo()
    return seen


async def test_the_rollups_reads_search_its_covering_index_by_day(
        org: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A range of whole months and days on both sides (the year's page) reads each table
    from the index (department, metric, day, …) alone, searched for each day, with no
    statistics of the tables (SQLite read every day of a metric for OR-ed spans)."""
    from tortoise import connections

    await vehicle_booking("zhangsan", at(11, 3, 9), at(11, 3, 12), at(11, 1, 9), "沪A12345")
    await rollup.refresh_all(TZ)
    for month in (date(2026, 10, 1), date(2026, 11, 1)):
        assert await rollup.StatsDay.filter(metric="M", day=month).exists()
    scope = Scope(date(2026, 9, 20), date(2026, 12, 5), TZ)  # days, two months whole, days

    async def read() -> None:
        await rollup.sums(scope, "fkm", "month_key")
        await rollup.histograms(scope, "step")

    statements = [(q, p) for q, p in await _statements_of(monkeypatch, read)
                  if "stats_day" in q or "stats_wait" in q]
    reads = [(q, p) for q, p in statements if "GROUP BY" in q]
    assert len(reads) == 4  # day rows and month rows, of each table
    conn = connections.get("default")
    pg = conn.capabilities.dialect == "postgres"
    for query, params in reads:
        table = "stats_day" if "stats_day" in query else "stats_wait"
        if pg:  # the index holds every column read: an index-only scan, when one is forced
            async with in_transaction() as tx:
                await tx.execute_script("SET LOCAL enable_seqscan = off; "
                                        "SET LOCAL enable_bitmapscan = off")
                _, plan = await tx.execute_query(f"EXPLAIN {query}", params)
            text = "\n".join(str(r[0]) for r in plan)
            assert f"Index Only Scan using idx_{table}_departm" in text, text
        else:
            _, plan = await conn.execute_query(f"EXPLAIN QUERY PLAN {query}", params)
            text = "\n".join(str(r[3]) for r in plan)
            assert f"COVERING INDEX idx_{table}_departm" in text, text
            assert "metric=? AND day=?" in text, text


async def test_the_pages_first_repairs_are_the_lists_first(org: str) -> None:
    """The page's first rows of the repair list (the first by the index's order, read
    before anything else is) are the whole list's first, repairs of the same moment by
    number, on the whole bureau and on a department."""
    moment = at(11, 10, 9)
    made = [await repair(APPLICANTS[i % len(APPLICANTS)], moment + timedelta(minutes=i // 2))
            for i in range(9)]  # two at each minute
    await vehicle_booking("zhangsan", at(11, 12, 9), at(11, 12, 10), moment)  # not a repair
    await assign_repair(made[0].no, "sunwei", "qianli", moment + timedelta(minutes=5), CHAT)
    for scope, count in ((SCOPES[0], 9), (SCOPES[4], 3)):
        whole = await stats.repair_rows(scope)
        assert len(whole) == count, scope
        assert [r[0] for r in whole] == sorted(r[0] for r in whole)  # created in order
        for limit in range(len(whole) + 2):
            assert await stats.repair_rows(scope, limit) == whole[:limit], (scope, limit)
    report = await stats.repair_times(SCOPES[0], NOW, items=3)
    assert [i.no for i in report.items] == [m.no for m in made[:3]] and report.item_count == 9


async def test_postgres_sessions_compile_no_jit(db: str) -> None:
    """PostgreSQL's sessions of the app compile no query (models/db.py: the dashboard's
    month-long reads took longer compiling than running); SQLite has no such thing."""
    from tortoise import connections

    from models.db import tortoise_config

    conn = connections.get("default")
    credentials = tortoise_config(db)["connections"]["default"]["credentials"]
    if conn.capabilities.dialect == "postgres":
        assert credentials["server_settings"] == {"jit": "off"}
        _, rows = await conn.execute_query("SHOW jit")
        assert rows[0][0] == "off"
    else:
        assert "server_settings" not in credentials
