"""Vehicle booking (公务用车): when, until when, where to, how many — then the smallest free
vehicle with enough seats is proposed, and "确认" submits the request for approval.

```mermaid
flowchart LR
    A[message] --> B[merge slots]
    B --> C{a slot invalid?}
    C -- yes --> D[say what to change]
    C -- no --> E{a slot missing?}
    E -- yes --> F[ask for it]
    E -- no --> G{free vehicle?}
    G -- no --> H[nearest free windows]
    G -- yes --> I[summary + 确认?]
    I -- 确认 --> J[request + hold + approver told]
    I -- 改成四点 --> B
    D & F & H --> A
```

Required slots: start (with its day), end (or a duration), destination, passengers;
origin defaults to the bureau, purpose (事由) is kept when said. The request holds the
vehicle and its driver from creation (models.requests), so a pending booking cannot be
overbooked; the first approver is told in the same transaction (the outbox).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from handlers.base import Ctx, Inbound, Reply, Router
from handlers.common import fmt_window, notify_approver
from handlers.forms import (
    CONFIRM,
    Draft,
    day_said,
    duration_text,
    fill_end,
    is_yes,
    merge_slots,
    read_times,
    window_of,
)
from models.org import RequestType, Vehicle
from models.requests import (
    Conflict,
    NewRequest,
    NoApprover,
    RequestError,
    create_request,
    driver_key,
    free_vehicles,
    get_request,
    next_free_start,
    ordered_steps,
    vehicle_key,
)
from nlp.types import Intent, Parse

log = logging.getLogger("handlers.vehicle_booking")
router = Router("vehicle_booking")
FLOW = Intent.VEHICLE_BOOKING.value

ORIGIN_DEFAULT = "局机关"
# A business rule tighter than models.requests.MAX_WINDOW: trips longer than three days
# are planned with the fleet office, not booked in chat.
MAX_TRIP = timedelta(days=3)
REQUIRED = ("start", "end", "destination", "passengers")
CHANGE = "change"  # awaiting a change after "nothing free"

ASK = {
    "start": "请问哪天几点出发？比如“明天上午9点”。",
    "start_on_day": "{day}几点出发？",
    "end": "大概用到几点，或者用多长时间？比如“到下午5点”或“用两个小时”。",
    "destination": "请问要去哪里？",
    "passengers": "一共几个人乘车？",
}
PAST = "出发时间 {when} 已经过了，请换一个以后的时间。"
END_BEFORE_START = "结束时间要晚于出发时间（{start}），请重新说结束时间或用多久，比如“用两个小时”。"
TOO_LONG = "单次用车最长3天（您说的是{length}），请缩短时间，或分几次申请。"
NO_PASSENGERS = "乘车人数至少1人，请告诉我一共几个人。"
TOO_MANY = "车队最大的车只能坐{seats}人，{n}人坐不下，请分成几辆车分别申请，或联系车队。"
NO_FLEET = "目前没有可派的车辆，请联系车队。"
SUMMARY = (
    "请确认用车申请：\n"
    "时间：{window}\n"
    "路线：{origin} → {destination}\n"
    "人数：{passengers}人{purpose}\n"
    "车辆：{plate} {model}（{seats}座，{driver}）\n"
    "回复“确认”提交，或告诉我要改什么（如“改成四点”“改成4个人”“改成后天”）。"
)
TAKEN_MEANWHILE = "刚才那辆车已被别人订走了。\n"
NOTHING_FREE = "抱歉，{window} 没有能坐{n}人的空闲车辆。"
NEAREST = "离得最近的空档：\n{options}\n要改时间直接说，比如“改成{hint}”；不用了就说“算了”。"
NO_WINDOW = "这一天前后也都排满了，请换一天，或联系车队。"
SUBMITTED = "已提交 #{no}：用车 {window}，{origin}→{destination}，{passengers}人，{plate}。\n等待{approver}审批，结果会通知您。"
NO_APPROVER = "暂时找不到能审批这份用车申请的人（{role}），申请没有提交。请联系局办公室。"
REFUSED = "申请没有提交，请检查时间后再试，或联系局办公室。"
NOT_UNDERSTOOD = "没听清要改什么。回复“确认”提交，或说“改成四点”“改成4个人”；不用了就说“算了”。"

PURPOSE_RE = re.compile(r"(?:事由|用途|目的|原因)\s*(?:是|为|:|：)?\s*(?P<p>[^，,。；;！!？?\s]{1,30})")
ACTIVITY_RE = re.compile(
    r"(?:去|到|赴)[^，,。；;\s]{1,15}?(?P<p>开会|参会|办事|调研|检查|培训|汇报|座谈|考察|接人|送人|接待|"
    r"送[^，,。；;\s]{1,8}|接[^，,。；;\s]{1,8}|参加[^，,。；;\s]{1,12})"
)


def purpose_in(text: str) -> str | None:
    """The trip's purpose when said: "事由：送材料", or the activity after the place
    ("去市政府开会" → "开会")."""
    m = PURPOSE_RE.search(text) or ACTIVITY_RE.search(text)
    return m["p"] if m else None


def zone(ctx: Ctx) -> ZoneInfo:
    tz = ctx.now.tzinfo
    assert isinstance(tz, ZoneInfo), "the dispatcher gives an aware now in the business zone"
    return tz


@router.intent(Intent.VEHICLE_BOOKING)
async def book_vehicle(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """Any message of the vehicle dialogue: fill and check the slots, propose a vehicle,
    submit on “确认”."""
    draft = Draft.from_state(ctx.state, FLOW)
    if is_yes(msg.text) and draft.awaiting == CONFIRM:
        return await confirm_booking(draft, ctx)
    new = read_times(draft.slots, parse.slots, msg.text,
                     day_named=day_said(parse, msg.text), awaiting=draft.awaiting)
    if (purpose := purpose_in(msg.text)) is not None:
        new["purpose"] = purpose
    if not new and draft.awaiting == CONFIRM:
        return Reply(NOT_UNDERSTOOD)
    draft.slots = merge_slots(draft.slots, new)
    fill_end(draft.slots)
    draft.slots.pop("vehicle_id", None)
    return await advance(draft, ctx)


async def advance(draft: Draft, ctx: Ctx, prefix: str = "") -> Reply:
    """The next step for the draft: a problem to fix, a question, or the summary."""
    problem = await check_slots(draft.slots, ctx)
    missing = next((s for s in REQUIRED if not draft.slots.get(s)), None)
    if problem is not None or missing is not None:
        draft.awaiting = missing
        question = "" if missing is None else ask_for(missing, draft.slots, ctx)
        text = problem if problem and not question else "\n".join(x for x in (problem, question) if x)
        return Reply(prefix + text, state=draft.to_state())
    return await propose_vehicle(draft, ctx, prefix)


def ask_for(slot: str, slots: dict[str, Any], ctx: Ctx) -> str:
    if slot == "start" and slots.get("date"):
        day = datetime.fromisoformat(slots["date"]).replace(tzinfo=zone(ctx))
        return ASK["start_on_day"].format(day=fmt_window(day, None, zone(ctx)).split(" ")[0])
    return ASK[slot]


async def check_slots(slots: dict[str, Any], ctx: Ctx) -> str | None:
    """The first slot that breaks a rule is dropped (to be asked again) and explained."""
    tz = zone(ctx)
    start, end = window_of(slots, tz)
    if start is not None and start < ctx.now:
        if end is not None and end > start:  # the length said still holds for a new start
            slots["minutes"] = int((end - start).total_seconds() // 60)
        slots.pop("start", None)
        slots.pop("end", None)
        if start.date() < ctx.now.date():
            slots.pop("date", None)
        return PAST.format(when=fmt_window(start, None, tz))
    if start is not None and end is not None:
        if end <= start:
            slots.pop("end", None)
            return END_BEFORE_START.format(start=fmt_window(start, None, tz))
        if end - start > MAX_TRIP:
            slots.pop("end", None)
            return TOO_LONG.format(length=length_text(end - start))
    n = slots.get("passengers")
    if n is not None:
        if int(n) < 1:
            slots.pop("passengers")
            return NO_PASSENGERS
        seats = await max_seats()
        if seats == 0:
            return NO_FLEET
        if int(n) > seats:
            slots.pop("passengers")
            return TOO_MANY.format(seats=seats, n=n)
    return None


def length_text(delta: timedelta) -> str:
    """"3天4小时", "5小时30分钟"."""
    if delta.days:
        rest = delta - timedelta(days=delta.days)
        return f"{delta.days}天" + (duration_text(rest) if rest >= timedelta(minutes=1) else "")
    return duration_text(delta)


async def max_seats() -> int:
    """Seats of the biggest vehicle that can be sent (in service, with a driver)."""
    biggest = await (
        Vehicle.filter(in_service=True, driver_id__isnull=False).order_by("-seats").first()
    )
    return biggest.seats if biggest is not None else 0


async def propose_vehicle(draft: Draft, ctx: Ctx, prefix: str = "") -> Reply:
    """All slots are good: the smallest free vehicle with enough seats, and the summary."""
    tz = zone(ctx)
    start, end = window_of(draft.slots, tz)
    assert start is not None and end is not None
    n = int(draft.slots["passengers"])
    vehicles = await free_vehicles(start, end, n)
    if not vehicles:
        draft.awaiting = CHANGE
        draft.slots.pop("vehicle_id", None)
        return Reply(prefix + await nothing_free(start, end, n, ctx), state=draft.to_state())
    vehicle = vehicles[0]
    draft.slots["vehicle_id"] = vehicle.id
    draft.awaiting = CONFIRM
    s = draft.slots
    purpose = f"（事由：{s['purpose']}）" if s.get("purpose") else ""
    text = SUMMARY.format(
        window=fmt_window(start, end, tz), origin=s.get("origin") or ORIGIN_DEFAULT,
        destination=s["destination"], passengers=n, purpose=purpose, plate=vehicle.plate,
        model=vehicle.model, seats=vehicle.seats, driver=vehicle.driver.name if vehicle.driver else "",
    )
    return Reply(prefix + text, state=draft.to_state())


async def nothing_free(start: datetime, end: datetime, n: int, ctx: Ctx) -> str:
    """Nothing fits: say so and offer the two free windows nearest to the one asked for
    (earlier the same day, or later that day or the next), with the vehicle for each."""
    tz = zone(ctx)
    duration = end - start
    vehicles = await (
        Vehicle.filter(in_service=True, seats__gte=n, driver_id__isnull=False)
        .order_by("seats", "plate")
        .prefetch_related("driver")
    )
    earliest = max(round_up(ctx.now), start.astimezone(tz).replace(hour=7, minute=0))
    found: dict[datetime, Vehicle] = {}
    for v in vehicles:
        if v.driver is None:
            continue
        keys = [vehicle_key(v.id), driver_key(v.driver.userid)]
        tries = [(start, start + timedelta(days=1))]
        if earliest < start:
            tries.append((earliest, start))
        for lo, until in tries:
            at = await next_free_start(keys, lo, duration, until)
            if at is not None and at.astimezone(tz) not in found:
                found[at.astimezone(tz)] = v
    text = NOTHING_FREE.format(window=fmt_window(start, end, tz), n=n)
    if not found:
        return text + NO_WINDOW
    nearest = sorted(sorted(found, key=lambda t: abs(t - start))[:2])
    options = "\n".join(
        f"· {fmt_window(t, t + duration, tz)}（{found[t].plate}）" for t in nearest
    )
    closest = min(nearest, key=lambda t: abs(t - start))
    hint = f"{closest.astimezone(tz):%H:%M}".lstrip("0")
    return text + "\n" + NEAREST.format(options=options, hint=hint)


def round_up(moment: datetime, minutes: int = 30) -> datetime:
    """The next whole `minutes` at or after `moment`."""
    moment = moment.replace(second=0, microsecond=0)
    extra = -moment.minute % minutes
    return moment + timedelta(minutes=extra)


async def confirm_booking(draft: Draft, ctx: Ctx) -> Reply:
    """“确认”: create the request holding the vehicle and driver, tell the first approver
    in the same transaction, and give the user the number."""
    problem = await check_slots(draft.slots, ctx)
    if problem is not None:
        return await advance(draft, ctx)
    tz = zone(ctx)
    start, end = window_of(draft.slots, tz)
    assert start is not None and end is not None
    s = draft.slots
    vehicle = await Vehicle.get_or_none(id=s.get("vehicle_id"), in_service=True).prefetch_related("driver")
    if vehicle is None or vehicle.driver is None:
        return await propose_vehicle(draft, ctx, TAKEN_MEANWHILE)
    details = {
        "origin": s.get("origin") or ORIGIN_DEFAULT,
        "destination": s["destination"],
        "passengers": int(s["passengers"]),
        "purpose": s.get("purpose") or "",
    }
    new = NewRequest(
        type=RequestType.VEHICLE_BOOKING, applicant=ctx.user.user_id, start=start, end=end,
        vehicle_id=vehicle.id, driver=vehicle.driver.userid, details=details,
    )
    try:
        async with in_transaction():
            created = await create_request(new, ctx.now, str(ctx.channel))
            request = await get_request(created.no)
            assert request is not None
            steps = ordered_steps(request)
            if steps:
                await notify_approver(ctx.notifier, request, steps[0], ctx.user.name, tz)
    except Conflict:
        draft.slots.pop("vehicle_id", None)
        return await propose_vehicle(draft, ctx, TAKEN_MEANWHILE)
    except NoApprover as e:
        return Reply(NO_APPROVER.format(role=e.role), state={})
    except RequestError:
        log.warning("vehicle booking refused", exc_info=True, extra={"user": ctx.user.user_id})
        return Reply(REFUSED, state={})
    approver = steps[0].approver.name if steps else "车队"
    return Reply(SUBMITTED.format(
        no=request.no, window=fmt_window(start, end, tz), origin=details["origin"],
        destination=details["destination"], passengers=details["passengers"],
        plate=vehicle.plate, approver=approver,
    ), state={})
