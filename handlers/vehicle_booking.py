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

Required slots: start (with its day), end (or a duration), destination, passengers and
the purpose (事由, asked for when not said, as WeCom's 审批 requires it); origin defaults
to the bureau. The request holds the
vehicle and its driver from creation (models.requests), so a pending booking cannot be
overbooked; the first approver is told in the same transaction (the outbox).

The chat and the form (bot/web/pages.py) share the use case: `check_vehicle(slots, ctx)` gives
the vehicle or a `Problem` (the same messages), `submit_vehicle(slots, ctx)` writes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from handlers.base import Ctx, Inbound, Reply, Router
from handlers.common import fmt_window, notify_approver
from handlers.forms import (
    CONFIRM,
    Draft,
    Problem,
    Submitted,
    changed_note,
    day_of,
    drop_bad_window,
    duration_text,
    fill_end,
    merge_slots,
    read_times,
    window_of,
)
from models.errors import Conflict, NoApprover, RequestError
from models.holds import (
    driver_key,
    free_vehicles,
    next_free_start,
    retry_unsettled,
    vehicle_key,
    vehicles_with_drivers,
)
from models.org import RequestType, Vehicle, max_vehicle_seats
from models.requests import NewRequest, create_request, ordered_steps
from models.sql import transaction
from models.vehicle_state import unusable_ids
from nlp.types import Intent, Parse

log = logging.getLogger("handlers.vehicle_booking")
router = Router("vehicle_booking")
FLOW = Intent.VEHICLE_BOOKING.value

ORIGIN_DEFAULT = "局机关"
# A business rule tighter than models.holds.MAX_WINDOW: trips longer than three days
# are planned with the fleet office, not booked in chat.
MAX_TRIP = timedelta(days=3)
# 事由 as in WeCom's 审批 forms: required, the approvers decide on it (nlp/words.py reads it).
REQUIRED = ("start", "end", "destination", "passengers", "purpose")
PURPOSE = "purpose"
# Slots a vehicle answer may carry when the NLU took it for another intent ("开会").
VEHICLE_SLOTS = ("date", "start", "end", "origin", "destination", "passengers", "purpose")
# Said while the purpose is asked, these are what they say, not a purpose.
NOT_AN_ANSWER = (Intent.CANCEL, Intent.HELP, Intent.APPROVAL_STATUS, Intent.APPROVE, Intent.REJECT)
CHANGE = "change"  # awaiting a change after "nothing free"

ASK = {
    "start": "请问哪天几点出发？比如“明天上午9点”。",
    "start_on_day": "{day}几点出发？",
    "end": "大概用到几点，或者用多长时间？比如“到下午5点”或“用两个小时”。",
    "destination": "请问要去哪里？",
    "passengers": "一共几个人乘车？",
    "purpose": "请说一下用车事由（审批人要看），比如“接待来访”“去市政府送材料”。",
}
# What a correction changed, said back before the next question (forms.changed_note).
CHANGE_NAMES = {"start": "出发时间", "destination": "目的地", "origin": "出发地", "passengers": "人数",
                "purpose": "事由"}
PURPOSE_NEEDED = "事由要写上，审批人要看，几个字就行，比如“接待来访”“送文件”。不用车了就说“算了”。"
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
    "人数：{passengers}人\n"
    "事由：{purpose}\n"
    "车辆：{plate} {model}（{seats}座，{driver}）\n"
    "回复“确认”提交，或告诉我要改什么（如“改成四点”“改成4个人”“改成后天”）。"
)
TAKEN_MEANWHILE = "刚才那辆车已被别人订走了。\n"
NOTHING_FREE = "抱歉，{window} 没有能坐{n}人的空闲车辆。"
NEAREST = "离得最近的空档：\n{options}\n"
TIME_HINT = "要改时间直接说，比如“改成{hint}”；不用了就说“算了”。"
NO_WINDOW = "这一天前后也都排满了，请换一天，或联系车队。"
SUBMITTED = "已提交 #{no}：用车 {window}，{origin}→{destination}，{passengers}人，{plate}。\n等待{approver}审批，结果会通知您。"
NO_APPROVER = "暂时找不到能审批这份用车申请的人（{role}），申请没有提交。请联系局办公室。"
REFUSED = "申请没有提交，请检查时间后再试，或联系局办公室。"
NOT_UNDERSTOOD = "没听清要改什么。回复“确认”提交，或说“改成四点”“改成4个人”；不用了就说“算了”。"

@router.text(r"\S")
async def answer_purpose(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """The answer to "用车事由？" goes to the booking whatever the NLU took it for ("开会"
    is not a room booking here), unless it is a way out or another question."""
    if (ctx.state.get("flow") != FLOW or ctx.state.get("awaiting") != PURPOSE
            or parse.intent in NOT_AN_ANSWER or parse.intent is Intent.VEHICLE_BOOKING):
        return None
    slots = {k: v for k, v in parse.slots.items() if k in VEHICLE_SLOTS}
    return await book_vehicle(msg, Parse(Intent.VEHICLE_BOOKING, slots, words=parse.words), ctx)


@router.intent(Intent.VEHICLE_BOOKING)
async def book_vehicle(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply:
    """Any message of the vehicle dialogue: fill and check the slots, propose a vehicle,
    submit on “确认”."""
    draft = Draft.from_state(ctx.state, FLOW)
    if parse.words.yes and draft.awaiting == CONFIRM:
        return await confirm_booking(draft, ctx)
    new = read_times(draft.slots, parse, awaiting=draft.awaiting)
    if (purpose := parse.words.purpose) is not None:
        new["purpose"] = purpose
    if not new and draft.awaiting == CONFIRM:
        return Reply(NOT_UNDERSTOOD)
    if not new and draft.awaiting == PURPOSE:
        if (answer := parse.words.answer) is None:
            draft.answered(False)
            return draft.nudged(Reply(PURPOSE_NEEDED, state=draft.to_state()))
        new["purpose"] = answer
    draft.answered(bool(new))
    before = draft.slots
    draft.slots = merge_slots(draft.slots, new)
    fill_end(draft.slots)
    draft.slots.pop("vehicle_id", None)
    return draft.nudged(await advance(draft, ctx, changed_note(before, draft.slots, ctx.tz, CHANGE_NAMES)))


async def advance(draft: Draft, ctx: Ctx, prefix: str = "") -> Reply:
    """The next step for the draft: a problem to fix, a question, or the summary."""
    checked = await check_vehicle(draft.slots, ctx)
    if isinstance(checked, Problem):
        draft.awaiting = checked.awaiting
        draft.slots.pop("vehicle_id", None)
        return Reply(prefix + checked.message, state=draft.to_state())
    draft.slots["vehicle_id"] = checked.vehicle.id
    draft.awaiting = CONFIRM
    return Reply(prefix + summary_text(checked, ctx.tz), state=draft.to_state())


def ask_for(slot: str, slots: dict[str, Any], ctx: Ctx) -> str:
    if slot == "start" and (said := day_of(slots)) is not None:
        day = datetime.combine(said, time(0), ctx.tz)
        return ASK["start_on_day"].format(day=fmt_window(day, None, ctx.tz).split(" ")[0])
    return ASK[slot]


@dataclass(frozen=True, slots=True)
class Checked:
    """Slots that keep every rule, and the vehicle that would go."""

    start: datetime
    end: datetime
    vehicle: Vehicle  # driver fetched
    details: dict[str, Any]


def details_of(slots: dict[str, Any]) -> dict[str, Any]:
    return {
        "origin": slots.get("origin") or ORIGIN_DEFAULT,
        "destination": slots["destination"],
        "passengers": int(slots["passengers"]),
        "purpose": slots.get("purpose") or "",
    }


async def check_rules(slots: dict[str, Any], ctx: Ctx) -> Problem | None:
    """The first broken rule or missing slot; the slot that breaks a rule is dropped from
    `slots` (the chat asks for it again)."""
    before = set(slots)
    problem = await check_slots(slots, ctx)
    missing = next((s for s in REQUIRED if not slots.get(s)), None)
    if problem is None and missing is None:
        return None
    dropped = next((k for k in REQUIRED if k in before and k not in slots), None)
    return Problem(
        text=problem or "", ask="" if missing is None else ask_for(missing, slots, ctx),
        field=dropped or missing, awaiting=missing,
    )


async def check_vehicle(slots: dict[str, Any], ctx: Ctx) -> Checked | Problem:
    """The rules of a trip (not past, end after start, at most three days, seats), then
    the smallest free vehicle with enough seats, or the nearest free windows."""
    problem = await check_rules(slots, ctx)
    if problem is not None:
        return problem
    start, end = window_of(slots)
    assert start is not None and end is not None
    n = int(slots["passengers"])
    vehicles = await free_vehicles(start, end, n, limit=1)
    if not vehicles:
        text, hint = await nothing_free(start, end, n, ctx)
        return Problem(text=text, hint=hint, field="start", awaiting=CHANGE)
    return Checked(start, end, vehicles[0], details_of(slots))


def summary_text(checked: Checked, tz: ZoneInfo) -> str:
    d, vehicle = checked.details, checked.vehicle
    return SUMMARY.format(
        window=fmt_window(checked.start, checked.end, tz), origin=d["origin"],
        destination=d["destination"], passengers=d["passengers"], purpose=d["purpose"],
        plate=vehicle.plate, model=vehicle.model, seats=vehicle.seats,
        driver=vehicle.driver.name if vehicle.driver else "",
    )


async def check_slots(slots: dict[str, Any], ctx: Ctx) -> str | None:
    """The first slot that breaks a rule is dropped (to be asked again) and explained."""
    tz = ctx.tz
    start, end = window_of(slots)
    broken = drop_bad_window(slots, ctx.now)
    if start is not None and broken == "past":
        return PAST.format(when=fmt_window(start, None, tz))
    if start is not None and broken == "end":
        return END_BEFORE_START.format(start=fmt_window(start, None, tz))
    if start is not None and end is not None:
        if end - start > MAX_TRIP:
            slots.pop("end", None)
            return TOO_LONG.format(length=length_text(end - start))
    n = slots.get("passengers")
    if n is not None:
        if int(n) < 1:
            slots.pop("passengers")
            return NO_PASSENGERS
        seats = await max_vehicle_seats()
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


async def nothing_free(start: datetime, end: datetime, n: int, ctx: Ctx) -> tuple[str, str]:
    """Nothing fits: say so and offer the two free windows nearest to the one asked for
    (earlier the same day, or later that day or the next), with the vehicle for each;
    and the chat's hint how to change the time."""
    tz = ctx.tz
    duration = end - start
    vehicles = await (
        Vehicle.filter(in_service=True, seats__gte=n, driver_id__isnull=False)
        .order_by("seats", "plate")
        .prefetch_related("driver")
    )
    earliest = max(round_up(ctx.now), start.astimezone(tz).replace(hour=7, minute=0))
    down = await unusable_ids(earliest, start + timedelta(days=1) + duration)  # 送修/停用 then
    found: dict[datetime, Vehicle] = {}
    for v in vehicles:
        if v.driver is None or v.id in down:
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
        return text + NO_WINDOW, ""
    nearest = sorted(sorted(found, key=lambda t: abs(t - start))[:2])
    options = "\n".join(
        f"· {fmt_window(t, t + duration, tz)}（{found[t].plate}）" for t in nearest
    )
    closest = min(nearest, key=lambda t: abs(t - start))
    hint = f"{closest.astimezone(tz):%H:%M}".lstrip("0")
    return text + "\n" + NEAREST.format(options=options), TIME_HINT.format(hint=hint)


def round_up(moment: datetime, minutes: int = 30) -> datetime:
    """The next whole `minutes` at or after `moment`."""
    moment = moment.replace(second=0, microsecond=0)
    extra = -moment.minute % minutes
    return moment + timedelta(minutes=extra)


async def confirm_booking(draft: Draft, ctx: Ctx) -> Reply:
    """“确认”: submit the vehicle shown in the summary; if it went to someone else
    meanwhile, propose the next one."""
    result = await submit_vehicle(draft.slots, ctx)
    if isinstance(result, Submitted):
        return Reply(result.chat_text(ctx.links), state={})
    if result.final:
        return Reply(result.message, state={})
    if result.taken:
        draft.slots.pop("vehicle_id", None)
        return await advance(draft, ctx, TAKEN_MEANWHILE)
    draft.awaiting = result.awaiting
    return Reply(result.message, state=draft.to_state())


async def submit_vehicle(slots: dict[str, Any], ctx: Ctx) -> Submitted | Problem:
    """Create the request holding the vehicle and its driver and tell the first approver,
    in one transaction. `slots["vehicle_id"]` is the vehicle the user confirmed (chat);
    without it the smallest free vehicle goes (form), and a race lost to another booking
    picks again once. Like `check_vehicle`, drops a slot that breaks a rule."""
    chosen = slots.get("vehicle_id")
    for attempt in range(2):
        if chosen is None:
            checked = await check_vehicle(slots, ctx)
            if isinstance(checked, Problem):
                if attempt:
                    return replace(checked, text=TAKEN_MEANWHILE + checked.text)
                return checked
            vehicle = checked.vehicle
        else:
            problem = await check_rules(slots, ctx)
            if problem is not None:
                return problem
            found = next(iter(await vehicles_with_drivers([chosen], in_service=True)), None)
            if found is None or found.driver is None:
                return Problem(text=TAKEN_MEANWHILE.strip(), field="start", awaiting=CHANGE, taken=True)
            vehicle = found
        try:
            return await retry_unsettled(partial(create_booking, slots, vehicle, ctx))
        except Conflict:
            if chosen is not None:
                return Problem(text=TAKEN_MEANWHILE.strip(), field="start", awaiting=CHANGE, taken=True)
        except NoApprover as e:
            return Problem(text=NO_APPROVER.format(role=e.role), final=True)
        except RequestError:
            log.warning("vehicle booking refused", exc_info=True, extra={"user": ctx.user.user_id})
            return Problem(text=REFUSED, final=True)
    return Problem(text=TAKEN_MEANWHILE.strip(), field="start", awaiting=CHANGE, taken=True)


async def create_booking(slots: dict[str, Any], vehicle: Vehicle, ctx: Ctx) -> Submitted:
    """The request and the approver's notification, in one transaction (raises the
    models' RequestError, Conflict when the vehicle or driver is taken)."""
    tz = ctx.tz
    start, end = window_of(slots)
    assert start is not None and end is not None and vehicle.driver is not None
    details = details_of(slots)
    new = NewRequest(
        type=RequestType.VEHICLE_BOOKING, applicant=ctx.user.user_id, start=start, end=end,
        vehicle_id=vehicle.id, driver=vehicle.driver.userid, details=details,
    )
    async with transaction():
        request = await create_request(new, ctx.now, str(ctx.channel), vehicle=vehicle,
                                       savepoint=False)  # a Conflict leaves the whole transaction
        steps = ordered_steps(request)
        if steps:
            await notify_approver(ctx.notifier, request, steps[0], ctx.user.name, tz,
                                      links=ctx.links)
    approver = steps[0].approver.name if steps else "车队"
    return Submitted(SUBMITTED.format(
        no=request.no, window=fmt_window(start, end, tz), origin=details["origin"],
        destination=details["destination"], passengers=details["passengers"],
        plate=vehicle.plate, approver=approver,
    ), (request.no,))
