"""Ratings per repair worker and per driver (models/ratings.py), in a range and department."""

from __future__ import annotations

from datetime import date, datetime

from models.org import RequestType
from models.ratings import CrewRating, crew_ratings, rate_request
from models.repairs import assign_repair, progress_repair
from models.requests import NewRequest, RequestStatus, create_request
from models.stats import Scope
from tests.conftest import TZ
from tests.models.test_stats import org  # noqa: F401 - the fixture

CHAT = "wecom"


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=TZ)


async def rated_repair(applicant: str, worker: str, score: int, day: int) -> None:
    r = await create_request(NewRequest(RequestType.REPAIR_REQUEST, applicant,
                                        details={"location": "1号楼", "description": "灯不亮"}),
                             at(day, 9), CHAT)
    await assign_repair(r.no, "sunwei", worker, at(day, 10), CHAT)
    await progress_repair(r.no, worker, RequestStatus.COMPLETED, at(day, 11), CHAT)
    await rate_request(r.no, applicant, score, at(day, 12), CHAT)


async def test_averages_per_worker_in_range_and_department(org: str) -> None:  # noqa: F811
    await rated_repair("xiaoliu", "qianli", 5, 10)
    await rated_repair("zhangsan", "qianli", 2, 11)
    await rated_repair("xiaoliu", "qianli", 4, 25)
    november = Scope(date(2026, 11, 1), date(2026, 12, 1), TZ)
    assert await crew_ratings(november, RequestType.REPAIR_REQUEST) == [
        CrewRating("qianli", "钱力", 3.67, 3)]
    assert await crew_ratings(Scope(date(2026, 11, 1), date(2026, 11, 20), TZ),
                              RequestType.REPAIR_REQUEST) == [CrewRating("qianli", "钱力", 3.5, 2)]
    office = Scope(date(2026, 11, 1), date(2026, 12, 1), TZ, department_id=11)  # 张三's
    assert await crew_ratings(office, RequestType.REPAIR_REQUEST) == [CrewRating("qianli", "钱力", 2.0, 1)]
    assert await crew_ratings(november, RequestType.VEHICLE_BOOKING) == []
