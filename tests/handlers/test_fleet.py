"""Vehicles managed, not only booked (issue 17 item 2), through the dispatcher on SQLite
and PostgreSQL: the driver's readings and costs, the fleet manager's 车况 / 送修 /
恢复使用 / 保养完成 / 改派, vehicles out of service never offered or assigned, and the
reminders of 保养, insurance and 年检 with the test's clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import yaml

from bot.timers import sweep
from models.audit import AuditLog
from models.decisions import decide
from models.errors import Conflict, OutOfService
from models.fleet import claim_notice
from models.holds import Hold, free_vehicles
from models.org import RequestType, Vehicle
from models.requests import Decision, NewRequest, RequestStatus, create_request, get_request
from models.seed import seed_org
from models.vehicle_state import DowntimeKind, VehicleDowntime, why_unusable
from tests.conftest import TZ
from tests.handlers.conftest import ORG_FILE, Talk
from tests.handlers.test_approval import book_vehicle
from tests.handlers.test_crew import approved_trip


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


async def seed_fleet(**per_plate: dict[str, Any]) -> None:
    """The test organisation again, its vehicles carrying fleet fields (a re-seed)."""
    data = yaml.safe_load(ORG_FILE.read_text(encoding="utf-8"))
    for v in data["vehicles"]:
        v.update(per_plate.get(v["plate"], {}))
    result = await seed_org(data)
    assert result.ok, result.problems


def said(talk: Talk, user: str, words: str) -> list[str]:
    return [m for m in talk.inbox(user) if words in m]


# ---------------------------------------------------------------------------------------
# The driver's readings and costs


async def test_readings_costs_and_the_vehicles_odometer(talk: Talk) -> None:
    await seed_fleet(**{"沪A12345": {"odometer": 12000}})
    no = await approved_trip(talk)
    talk.advance(hours=3, minutes=50)
    assert (await talk.say("zhaoshifu", f"出发 #{no} 里程 12345")).startswith(f"好的，#{no} 已出车")
    assert (await Vehicle.get(plate="沪A12345")).odometer == 12345  # the vehicle follows

    talk.advance(hours=2)
    # 2,555 km in a day: questioned, nothing written…
    reply = await talk.say("zhaoshifu", f"到达 #{no} 里程 14900 过路费 20 油费 300")
    assert reply == (f"回程里程 14900 公里比出发时（12345 公里）多了 2555 公里，超过了2000公里，"
                     f"请核对一下。如果没错，请再发一次“到达 #{no} 里程 14900”。")
    request = await get_request(no)
    assert request is not None and request.status is RequestStatus.APPROVED
    assert request.details["questioned_odometer_in"] == 14900
    # …a lower reading than at the start is refused outright…
    assert (await talk.say("zhaoshifu", f"到达 #{no} 里程 12000")).startswith("回程里程 12000 公里和出发里程")
    # …and the same reading sent again is the driver's checked one.
    reply = await talk.say("zhaoshifu", f"到达 #{no} 里程 14900 过路费 20 停车费 15 加油 300元")
    assert reply == (f"辛苦了！#{no} 已结束：行驶 2555 公里（12345→14900），过路费 20 元，停车费 15 元，"
                     "油费/充电费 300 元，已记入申请单，已告诉张三。")
    done = await get_request(no)
    assert done is not None and done.status is RequestStatus.COMPLETED
    d = done.details
    assert (d["odometer_out"], d["odometer_in"], d["distance"], d["tolls"], d["parking"], d["fuel"]) == (
        12345, 14900, 2555, 20, 15, 300)
    assert (await Vehicle.get(plate="沪A12345")).odometer == 14900
    actions = await AuditLog.filter(request_id=done.id).order_by("id").values_list("action", flat=True)
    assert actions[-2:] == ["trip_reading_questioned", "trip_finish"]

    # The next trip's start reading below the vehicle's odometer is questioned too.
    later = await approved_trip(talk, days=1)
    talk.advance(hours=20)
    reply = await talk.say("zhaoshifu", f"出发 #{later} 里程 1490")
    assert reply.startswith("出发里程 1490 公里和车辆上次记录的 14900 公里相差较大")
    assert (await talk.say("zhaoshifu", f"出发 #{later} 里程 14905")).startswith(f"好的，#{later} 已出车")


# ---------------------------------------------------------------------------------------
# The fleet manager


async def test_fleet_overview_out_of_service_reassign_and_back(talk: Talk) -> None:
    await seed_fleet(**{
        "沪A12345": {"odometer": 42000, "maintenance_due_on": date(2027, 3, 1), "maintenance_due_km": 45000,
                     "insurance_compulsory_until": date(2027, 5, 31),
                     "insurance_commercial_until": "2027-05-31", "inspection_due_on": date(2026, 12, 4)},
    })
    overview = await talk.say("wangke", "车况")
    assert overview.startswith("车辆情况（2辆，11月27日 10:00）：\n")
    assert ("沪A12345 别克GL8 7座，赵师傅【在用】里程 42,000 公里\n"
            "  保养 2027年3月1日前（还有94天）；保养里程 45,000 公里（还差3,000公里）；"
            "交强险 2027年5月31日到期（还有185天）；商业险 2027年5月31日到期（还有185天）；"
            "年检 2026年12月4日到期（还有7天）") in overview
    assert "沪A67890 大众帕萨特 5座，刘师傅【在用】里程未登记\n  保养、保险、年检日期未登记" in overview
    assert "沪B11223" not in overview  # not in service
    assert await talk.say("zhangsan", "沪A12345 送修") == "车辆停用、恢复和保养登记只有车辆管理员可以操作。"
    assert "🚙 车辆：“车况”看各车状态" in await talk.say("wangke", "帮助")
    assert "🚙" not in await talk.say("zhangsan", "帮助")

    booking = await book_vehicle(talk.now, plate="沪A67890")  # tomorrow 14:00-16:00
    await talk.say("lichu", f"同意{booking.no}")
    await talk.say("wangke", f"同意{booking.no}")
    reply = await talk.say("wangke", "沪A67890 送修 发动机异响，预计到11月30日")
    assert reply == (
        "好的，沪A67890 已送修（发动机异响），至11月30日(周一)，期间不再派车。期间已有 1 单用车需要改派：\n"
        f"#{booking.no} 11月28日(周六) 14:00-16:00 局机关→浦东机场，张三：可改派 沪A12345（回复“#{booking.no} 改派沪A12345”）")
    down = await VehicleDowntime.get(vehicle__plate="沪A67890")
    assert (down.kind, down.reason, down.until) == (DowntimeKind.REPAIR, "发动机异响", at(1, 0, month=12))
    assert await AuditLog.filter(action="vehicle_out_of_service").count() == 1

    # Never offered: the 5-seat Passat would be the first choice; the GL8 goes instead.
    reply = await talk.say("zhangsan", "明天上午9点到11点用车去虹桥机场，2人，事由：接站")
    assert "沪A12345" in reply and "沪A67890" not in reply
    overview = await talk.say("wangke", "车辆情况")
    assert "刘师傅【送修中（发动机异响），至11月30日(周一)】" in overview

    # The sweeper does not tell again what the reply listed.
    assert (await sweep(talk.now, tz=TZ)).fleet == 1  # only the 年检 due in 7 days
    reply = await talk.say("wangke", f"#{booking.no} 改派沪A12345")
    assert reply == f"好的，#{booking.no} 已改派 沪A12345（司机赵师傅），已告诉申请人张三。"
    await talk.deliver()
    assert talk.inbox("zhangsan")[-1].startswith(f"您的用车 #{booking.no}（11月28日(周六) 14:00-16:00）改由 沪A12345")
    assert said(talk, "liushifu", "【任务取消】")
    assert said(talk, "zhaoshifu", f"【新任务】#{booking.no}")
    moved = await get_request(booking.no)
    assert moved is not None and moved.vehicle is not None and moved.vehicle.plate == "沪A12345"
    held = await Hold.filter(request_id=moved.id, active=True).values_list("resource", flat=True)
    assert sorted(held) == sorted([f"vehicle:{moved.vehicle.id}", "driver:zhaoshifu"])
    assert (await talk.say("wangke", f"#{booking.no} 改派沪A67890")).startswith("改派不成：沪A67890 送修中")

    # A question is not a command: nothing changes.
    assert "已保养" not in await talk.say("wangke", "沪A67890 保养到期了吗？")
    assert await VehicleDowntime.filter(vehicle__plate="沪A67890").count() == 1
    assert await talk.say("wangke", "沪A67890 恢复使用") == "好的，沪A67890 已恢复使用，可以正常派车了。"
    assert await talk.say("wangke", "沪A67890 恢复使用") == "沪A67890 目前没有停用，一直在正常派车。"
    assert "刘师傅【在用】" in await talk.say("wangke", "车况")
    assert await talk.say("wangke", "沪C00000 停用") == "没有找到在册车辆 沪C00000，请核对车牌（回复“车况”看全部车辆）。"


async def test_maintenance_done_moves_the_next_one(talk: Talk) -> None:
    await seed_fleet(**{"沪A12345": {"odometer": 44000, "maintenance_due_km": 45000,
                                     "maintenance_every_km": 7500}})
    reply = await talk.say("wangke", "沪A12345 保养 到今天下午5点")
    assert reply.startswith("好的，沪A12345 已保养，至11月27日(周五) 17:00，期间不再派车。")
    assert await talk.say("wangke", "沪A12345 保养完成 里程 4000") == (
        "沪A12345 当前里程已是 44,000 公里，保养里程 4000 公里对不上，请核对后再发。")
    reply = await talk.say("wangke", "沪A12345 保养完成 里程 45100")
    assert reply == ("好的，沪A12345 保养已记录（里程 45,100 公里）。下次保养：保养 2027年5月27日前（还有181天），"
                     "或保养里程 52,600 公里（还差7,500公里）。车辆已恢复使用。")
    v = await Vehicle.get(plate="沪A12345")
    assert (v.odometer, v.maintenance_due_km, v.maintenance_due_on) == (45100, 52600, date(2027, 5, 27))
    # A re-seed of the same file keeps what the fleet office did since (idempotent).
    await seed_fleet(**{"沪A12345": {"odometer": 44000, "maintenance_due_km": 45000,
                                     "maintenance_every_km": 7500}})
    v = await Vehicle.get(plate="沪A12345")
    assert (v.odometer, v.maintenance_due_km) == (45100, 52600)
    assert await free_vehicles(at(27, 12), at(27, 13), 6) != []  # back in service

    assert await talk.say("wangke", "沪A12345 保险 至2027-06-30") == (
        "好的，沪A12345 保险已登记，有效期至2027年6月30日（还有215天）。")
    v = await Vehicle.get(plate="沪A12345")
    assert v.insurance_compulsory_until == v.insurance_commercial_until == date(2027, 6, 30)
    assert await talk.say("wangke", "沪A12345 年检 至2025年1月1日") == (
        "沪A12345 年检有效期2025年1月1日已经过了，请核对日期，例如“沪A12345 年检 至2027年12月31日”。")
    assert await AuditLog.filter(action="vehicle_papers").count() == 1


# ---------------------------------------------------------------------------------------
# Never offered, never assigned (SQLite and PostgreSQL: the `db` fixture runs both)


async def test_out_of_service_is_never_offered_nor_assigned(talk: Talk) -> None:
    tomorrow = (at(28, 9), at(28, 11))
    gl8 = await Vehicle.get(plate="沪A12345")
    assert [v.plate for v in await free_vehicles(*tomorrow, 6)] == ["沪A12345"]
    await seed_fleet(**{"沪A12345": {"insurance_compulsory_until": date(2026, 11, 27)}})
    assert await free_vehicles(*tomorrow, 6) == []  # 交强险 covers today only
    assert [v.plate for v in await free_vehicles(at(27, 14), at(27, 16), 6)] == ["沪A12345"]
    # The day is the bureau's, also for a window read back in UTC (06:00 local = 22:00 UTC the day before).
    gl8 = await Vehicle.get(plate="沪A12345")
    assert await why_unusable(gl8, at(28, 6).astimezone(UTC), at(28, 7).astimezone(UTC)) is not None
    assert await why_unusable(gl8, at(27, 22).astimezone(UTC), at(27, 23, 59).astimezone(UTC)) is None
    with pytest.raises(Conflict):
        await create_request(NewRequest(RequestType.VEHICLE_BOOKING, "zhangsan", start=tomorrow[0],
                                        end=tomorrow[1], vehicle_id=gl8.id), talk.now, "wecom")
    await seed_fleet(**{"沪A12345": {"insurance_compulsory_until": date(2027, 11, 27)}})

    # A booking waiting for approval whose vehicle goes out of service meanwhile: the fleet
    # manager cannot approve it with that vehicle, and approves with another.
    booking = await book_vehicle(talk.now, plate="沪A12345")
    await talk.say("lichu", f"同意{booking.no}")
    await talk.say("wangke", "沪A12345 停用 事故定损")
    reply = await talk.say("wangke", f"同意{booking.no}")
    assert reply == (f"沪A12345 停用中（事故定损），恢复使用前不派车，#{booking.no} 未处理。"
                     f"请改派后再同意，例如“同意{booking.no}，改派沪A67890”。")
    assert (await get_request(booking.no)).status is RequestStatus.PENDING  # type: ignore[union-attr]
    with pytest.raises(OutOfService):
        await decide(booking.no, "wangke", Decision.APPROVE, talk.now, "wecom", vehicle_id=gl8.id)
    reply = await talk.say("wangke", f"同意{booking.no}，改派沪A67890")
    assert reply == f"已同意 #{booking.no}，已通知张三和司机刘师傅。"
    done = await get_request(booking.no)
    assert done is not None and done.status is RequestStatus.APPROVED and done.vehicle.plate == "沪A67890"  # type: ignore[union-attr]
    # Nothing is left to offer for 7 passengers while the GL8 is stopped.
    reply = await talk.say("zhangsan", "明天上午9点到11点用车去虹桥机场，7人，事由：接站")
    assert "沪A12345" not in reply


async def test_a_booking_that_raced_the_downtime_is_told_once(talk: Talk) -> None:
    booking = await book_vehicle(talk.now, plate="沪A67890")
    passat = await Vehicle.get(plate="沪A67890")
    # As if the downtime committed while this booking was being written: the reply's
    # list did not have it, so the sweeper tells every fleet manager, once.
    await VehicleDowntime.create(vehicle=passat, kind=DowntimeKind.STOPPED, reason="年审", start=talk.now,
                                 until=None, created_by="wangke", created_at=talk.now)
    results = await asyncio.gather(*(sweep(talk.now, tz=TZ) for _ in range(3)))
    await talk.deliver()
    assert sum(r.fleet for r in results) == 1
    told = said(talk, "wangke", "【用车需改派】")
    assert told == [f"【用车需改派】沪A67890 停用中（年审），恢复使用前不派车，但 #{booking.no} 11月28日(周六) "
                    f"14:00-16:00 局机关→浦东机场（张三）仍安排了这辆车。请改派：回复“#{booking.no} 改派沪A67890”（换成可用车牌）。"]
    assert (await sweep(talk.now + timedelta(minutes=1), tz=TZ)).fleet == 0


# ---------------------------------------------------------------------------------------
# Reminders


async def test_dates_due_are_told_30_and_7_days_before_on_working_days(talk: Talk) -> None:
    await seed_fleet(**{
        "沪A12345": {"insurance_compulsory_until": date(2026, 12, 27), "inspection_due_on": date(2026, 12, 4),
                     "odometer": 12000, "maintenance_due_km": 12800},
        "沪A67890": {"insurance_commercial_until": date(2027, 1, 3)},  # 37 days: not yet
    })
    early = await sweep(at(27, 8, 30), tz=TZ)  # before the working day starts
    assert early.fleet == 0
    results = await asyncio.gather(*(sweep(at(27, 10), tz=TZ) for _ in range(3)))
    talk.now = at(27, 10)
    await talk.deliver()
    assert sum(r.fleet for r in results) == 3
    assert said(talk, "wangke", "交强险") == [
        "【车辆交强险提醒】沪A12345 别克GL8 7座，赵师傅：交强险 2026年12月27日到期（还有30天）。"
        "到期后该车不再派出。续保后回复“沪A12345 交强险 至2027年12月27日”。"]
    assert said(talk, "wangke", "年检") == [
        "【车辆年检提醒】沪A12345 别克GL8 7座，赵师傅：年检 2026年12月4日到期（还有7天）。"
        "过期后该车不再派出。年检后回复“沪A12345 年检 至2027年12月4日”。"]
    assert said(talk, "wangke", "保养") == [
        "【车辆保养提醒】沪A12345 别克GL8 7座，赵师傅：保养里程 12,800 公里（还差800公里）。"
        "保养后回复“沪A12345 保养完成 里程 12800”。"]
    assert (await sweep(at(27, 15), tz=TZ)).fleet == 0  # told once
    # 商业险 of 沪A67890 reaches 30 days on Friday 4 December: told that day…
    assert (await sweep(at(3, 10, month=12), tz=TZ)).fleet == 0
    assert (await sweep(at(4, 10, month=12), tz=TZ)).fleet == 2  # + the 年检 on its day
    # …and the 7-day reminder of the 交强险 (Sunday 20 December) on Monday the 21st.
    assert (await sweep(at(20, 10, month=12), tz=TZ)).fleet == 0
    assert (await sweep(at(21, 10, month=12), tz=TZ)).fleet == 1
    talk.now = at(21, 10, month=12)
    await talk.deliver()
    assert said(talk, "wangke", "交强险")[-1].endswith("交强险 2026年12月27日到期（还有6天）。"
                                                        "到期后该车不再派出。续保后回复“沪A12345 交强险 至2027年12月27日”。")
    # Renewed in chat: the new date's reminders come in their time, the old ones stop.
    assert await talk.say("wangke", "沪A12345 交强险 续保至2027年12月27日") == (
        "好的，沪A12345 交强险已登记，有效期至2027年12月27日（还有371天）。")
    assert (await sweep(at(27, 10, month=12), tz=TZ)).fleet == 0


async def test_a_notice_is_claimed_once(talk: Talk) -> None:
    assert await claim_notice("due:1:inspection:2026-12-04:7", talk.now)
    assert not await claim_notice("due:1:inspection:2026-12-04:7", talk.now)


async def test_a_booking_racing_the_downtime_is_refused_or_reported(talk: Talk) -> None:
    passat = await Vehicle.get(plate="沪A67890").prefetch_related("driver")
    start = at(28, 14)

    async def book() -> int | None:
        try:
            r = await create_request(NewRequest(RequestType.VEHICLE_BOOKING, "zhangsan", start=start,
                                                end=start + timedelta(hours=2), vehicle_id=passat.id),
                                     talk.now, "wecom")
        except Conflict:
            return None
        return r.no

    no, reply = await asyncio.gather(book(), talk.say("wangke", "沪A67890 停用 事故"))
    assert reply.startswith("好的，沪A67890 已停用（事故），恢复使用前不派车")
    listed = no is not None and f"#{no} " in reply
    swept = (await sweep(talk.now, tz=TZ)).fleet
    # Either the booking lost (refused), or the reply listed it, or the sweeper told it: once.
    assert swept == (1 if no is not None and not listed else 0)
