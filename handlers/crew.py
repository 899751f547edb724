"""Crews in chat: drivers, repair workers and repair dispatchers do their part by message.

```mermaid
flowchart LR
    T["我的任务"] --> L[trips / queue / undispatched repairs, by role]
    A["收到 #1065"] -- trip --> AK[acknowledged, applicant told]
    A -- repair --> IP[in_progress, applicant told]
    S["出发 #1065 里程 12345"] --> ST[started, odometer_out kept, applicant told]
    F["到达 #1065 里程 12410 过路费 20"] --> FT[completed, readings and costs kept, applicant told]
    P["#1065 待料 缺压缩机"] --> PN[note, applicant told]
    D["修好了 #1065 更换了电容"] --> DN[completed with the note]
    X["派给钱力"] --> DP[the one undispatched repair assigned]
    I[photo] --> AT[attachment of the open job]
```

When the number is left out, the one open item it can mean is taken; with several, the
user is asked which. A command that is not the speaker's (收到 from an applicant) goes on
as its plain reading (`Parse.plain`) would.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from handlers import repair, status
from handlers.approval import route_of
from handlers.base import Ctx, Inbound, Reply, Router
from handlers.common import (
    fmt_day,
    fmt_window,
    notify_applicant,
    page_line,
    repair_place,
    reply_link,
)
from handlers.feedback import ask_rating
from handlers.labels import status_name
from models.errors import InvalidState, NotAllowed, NotFound, RequestError
from models.org import Department, RequestType, Role, users_with_role
from models.repairs import attach_to_repair, undispatched_repairs, wait_for_parts, worker_queue
from models.requests import Request, RequestStatus, get_request
from models.sql import transaction
from models.trips import (
    ReadingQuestioned,
    acknowledge_trip,
    finish_trip,
    open_trips,
    question_reading,
    start_trip,
    trips_of,
)
from nlp.types import Intent, Parse

router = Router("crew")

TRIPS_HEAD = "{name}，您{when}的出车任务（{n}件）："
NO_TRIPS = "{name}，您{when}没有出车任务。"
TRIPS_HINT = "确认回复“收到 #{no}”；出发时“出发 #{no} 里程 12345”；回来后“到达 #{no} 里程 12410 过路费 20 停车费 15”。"
TRIP_LINE = "#{no} {window} {route}{passengers}，{plate}，用车人：{applicant}{dept}【{state}】"
QUEUE_HEAD = "{name}，您手上的维修任务（{n}件）："
NO_QUEUE = "{name}，您手上暂时没有维修任务。"
QUEUE_HINT = "开始修回复“接单 #{no}”；缺配件“#{no} 待料 缺什么”；修好后“修好了 #{no} 做了什么”；可以直接发现场照片。"
QUEUE_LINE = "#{no} {what}，报修人：{applicant}【{state}】"
UNDISPATCHED_HEAD = "待派工的报修（{n}件）："
NO_UNDISPATCHED = "目前没有待派工的报修。"
UNDISPATCHED_HINT = "派工回复“#{no} 派给{worker}”（可派：{names}）。"
UNDISPATCHED_LINE = "#{no} {what}，报修人：{applicant}"

TOLD = "已告诉{name}"
ACKED = "好的，已确认 #{no}（{window} {route}），{told}。出发时回复“出发 #{no} 里程 12345”。"
ACKED_BEFORE = "#{no} 您已经确认过了。出发时回复“出发 #{no} 里程 12345”。"
STARTED = "好的，#{no} 已出车{reading}，{told}。回来后回复“到达 #{no} 里程 12410 过路费 20 停车费 15”。"
STARTED_BEFORE = "#{no} 已经出发过了{reading}。回来后回复“到达 #{no} 里程 12410”。"
READING = "，出发里程 {km} 公里"
FINISHED = "辛苦了！#{no} 已结束{facts}，已记入申请单，{told}。"
BAD_READING = "回程里程 {km} 公里和出发里程 {out} 公里对不上，请核对后再发，例如“到达 #{no} 里程 {example}”。"
QUESTION_IN = ("回程里程 {km} 公里比出发时（{out} 公里）多了 {distance} 公里，超过了{limit}公里，"
               "请核对一下。如果没错，请再发一次“{again}”。")
QUESTION_OUT = ("出发里程 {km} 公里和车辆上次记录的 {current} 公里相差较大，请核对一下。"
                "如果没错，请再发一次“{again}”。")
TRIP_CLOSED = "#{no} 目前{status}，不能再更新行程。"
PARTS_NOTED = "好的，#{no} 已记下待料：{note}，{told}。配件到了继续修，修好后回复“修好了 #{no} 做了什么”。"
PHOTO_ADDED = "收到照片，已附到 #{no}（{location}）的维修记录（共{n}张）。"
PHOTO_WHICH = "收到照片，但您手上有多个维修任务（{nos}），先没有附上。请先回复“接单 #编号”开始其中一件，再发照片。"

NOT_FOUND = "没有找到 #{no}，请核对一下编号。"
NOT_YOURS = "#{no} 不是您的任务。回复“我的任务”看看您手上的任务。"
NOTHING = {
    Intent.CREW_ACK: "您目前没有待确认的任务。回复“我的任务”查看全部。",
    Intent.CREW_START: "您目前没有待出发或待开始的任务。回复“我的任务”查看全部。",
    Intent.CREW_FINISH: "您目前没有进行中的任务。回复“我的任务”查看全部。",
    Intent.CREW_PARTS: "您手上没有维修任务，无法记待料。回复“我的任务”查看全部。",
}
WHICH = "您有多个任务：{nos}。请带上编号，例如“{example}”。"
EXAMPLE = {
    Intent.CREW_ACK: "收到 #{no}",
    Intent.CREW_START: "出发 #{no} 里程 12345",
    Intent.CREW_FINISH: "到达 #{no} 里程 12410",
    Intent.CREW_PARTS: "#{no} 待料 缺压缩机",
}
NO_UNDISPATCHED_TO_ASSIGN = "目前没有待派工的报修。要改派已派出的，请带上编号，例如“#1065 派给{who}”。"
DISPATCH_WHICH = "待派工的报修有 {n} 件：\n{lines}\n请带上编号，例如“#{no} 派给{who}”。"

TO_APPLICANT_ACK = "司机{driver}已确认您的用车 #{no}（{window} {route}），车辆：{plate}。"
TO_APPLICANT_START = "您的用车 #{no} 司机{driver}已出车（{plate}），请留意。"
TO_APPLICANT_FINISH = "您的用车 #{no}（{route}）已结束{facts}。"
TO_APPLICANT_PARTS = "您的报修 #{no}（{location}）需要等配件：{note}。配件到了{worker}会继续维修。"

DEFAULT_PARTS = "等配件"
TRIP_LIMIT = 10


class Kind(StrEnum):
    TRIP = "trip"
    REPAIR = "repair"


# ---------------------------------------------------------------------------------------
# 我的任务


@router.intent(Intent.CREW_TASKS)
async def show_tasks(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """"我的任务": a driver's trips, a worker's queue, a dispatcher's undispatched repairs."""
    roles = ctx.user.roles
    sections = []
    if Role.DRIVER in roles:
        sections.append(await trips_text(ctx, parse.day))
    if Role.REPAIR_WORKER in roles:
        sections.append(await queue_text(ctx))
    if Role.REPAIR_DISPATCHER in roles:
        sections.append(await undispatched_text())
    if not sections:
        return await status.show_mine(ctx)  # staff: their own requests
    return Reply("\n\n".join(sections))


async def trips_text(ctx: Ctx, day: date | None) -> str:
    tz = ctx.tz
    name = ctx.user.name
    if day is not None:
        since = datetime.combine(day, time(0), tz)
        until: datetime | None = since + timedelta(days=1)
        when = fmt_day(since, tz)
    else:
        since, until, when = datetime.combine(ctx.now.date(), time(0), tz), None, "今天和近期"
    trips = await trips_of(ctx.user.user_id, since, until, limit=TRIP_LIMIT)
    if not trips:
        return NO_TRIPS.format(name=name, when=when)
    depts = {d.id: d.name for d in await Department.filter(
        id__in={t.applicant.department_id for t in trips})}
    lines = [TRIPS_HEAD.format(name=name, when=when, n=len(trips))]
    for t in trips:
        d = t.details or {}
        dept = depts.get(t.applicant.department_id)
        lines.append(TRIP_LINE.format(
            no=t.no, window=fmt_window(t.start, t.end, tz), route=route_of(t),
            passengers=f"，{d['passengers']}人" if d.get("passengers") else "",
            plate=t.vehicle.plate if t.vehicle else "车辆待定", applicant=t.applicant.name,
            dept=f"（{dept}）" if dept else "", state=trip_state(t),
        ))
    first = next((t for t in trips if t.status is RequestStatus.APPROVED), trips[0])
    lines.append(TRIPS_HINT.format(no=first.no))
    return "\n".join(lines)


def trip_state(trip: Request) -> str:
    d = trip.details or {}
    if trip.status is RequestStatus.COMPLETED:
        return "已完成"
    if d.get("started_at"):
        return "已出车"
    if d.get("acknowledged_at"):
        return "已确认"
    return "待确认"


async def queue_text(ctx: Ctx) -> str:
    jobs = await worker_queue(ctx.user.user_id)
    if not jobs:
        return NO_QUEUE.format(name=ctx.user.name)
    lines = [QUEUE_HEAD.format(name=ctx.user.name, n=len(jobs))]
    for j in jobs:
        lines.append(QUEUE_LINE.format(no=j.no, applicant=j.applicant.name,
                                       state=status_name(j), what=place(j)))
    lines.append(QUEUE_HINT.format(no=jobs[0].no))
    return "\n".join(lines)


async def undispatched_text() -> str:
    waiting = await undispatched_repairs()
    if not waiting:
        return NO_UNDISPATCHED
    names = [w.name for w in await users_with_role(Role.REPAIR_WORKER)]
    lines = [UNDISPATCHED_HEAD.format(n=len(waiting)), *undispatched_lines(waiting)]
    lines.append(UNDISPATCHED_HINT.format(no=waiting[0].no, worker=names[0] if names else "维修人员姓名",
                                          names="、".join(names) or "（暂无）"))
    return "\n".join(lines)


def undispatched_lines(waiting: list[Request]) -> list[str]:
    return [UNDISPATCHED_LINE.format(no=r.no, applicant=r.applicant.name, what=place(r)) for r in waiting]


def place(r: Request) -> str:
    """Where and what, the location said once."""
    return repair_place(r.details or {})


# ---------------------------------------------------------------------------------------
# 收到 / 出发 / 到达 / 待料


@router.intent(Intent.CREW_ACK, Intent.CREW_START, Intent.CREW_FINISH, Intent.CREW_PARTS)
async def crew_step(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """A driver's or worker's step on a trip or job, by number or the one open."""
    found = await find_item(parse, ctx)
    if found is None:
        return await pass_on(msg, parse, ctx)
    if isinstance(found, Reply):
        return found
    kind, no = found
    if kind is Kind.TRIP:
        return await trip_step(parse, no, ctx)
    return await repair_step(parse, no, ctx)


async def find_item(parse: Parse, ctx: Ctx) -> tuple[Kind, int] | Reply | None:
    """What the step is about: (kind, number), a reply (none, several, not yours), or
    None when the speaker has no crew role this command is for."""
    roles = ctx.user.roles
    driver = Role.DRIVER in roles and parse.intent is not Intent.CREW_PARTS
    worker = Role.REPAIR_WORKER in roles
    no = parse.slots.get("request_no")
    if no is not None:
        request = await get_request(int(no))
        if request is None:
            return Reply(NOT_FOUND.format(no=no)) if driver or worker else None
        if driver and request.type is RequestType.VEHICLE_BOOKING and request.driver is not None \
                and request.driver.userid == ctx.user.user_id:
            return Kind.TRIP, request.no
        if worker and request.type is RequestType.REPAIR_REQUEST and request.assignee is not None \
                and request.assignee.userid == ctx.user.user_id:
            return Kind.REPAIR, request.no
        return Reply(NOT_YOURS.format(no=no)) if driver or worker else None
    if not (driver or worker):
        return None
    items: list[tuple[Kind, int]] = []
    if driver:
        items += [(Kind.TRIP, t.no) for t in await open_trips(ctx.user.user_id, ctx.now)
                  if trip_open_for(t, parse.intent, ctx.now)]
    if worker:
        queue = await worker_queue(ctx.user.user_id)
        items += [(Kind.REPAIR, j.no) for j in queue
                  if parse.intent in (Intent.CREW_FINISH, Intent.CREW_PARTS)
                  or j.status is RequestStatus.ASSIGNED]
        if not items and len(queue) == 1:
            items = [(Kind.REPAIR, queue[0].no)]  # "接单" again: told it is under way already
    if not items:
        return Reply(NOTHING[parse.intent])
    if len(items) > 1:
        nos = "、".join(f"#{n}" for _, n in items)
        return Reply(WHICH.format(nos=nos, example=EXAMPLE[parse.intent].format(no=items[0][1])))
    return items[0]


def trip_open_for(trip: Request, intent: Intent, now: datetime) -> bool:
    """Whether a trip is the one a number-less 收到 / 出发 / 到达 can mean."""
    d = trip.details or {}
    if intent is Intent.CREW_ACK:
        return not d.get("acknowledged_at")
    if intent is Intent.CREW_START:
        # not started, and today's (a trip next week is not the one setting off now)
        return not d.get("started_at") and trip.start is not None \
            and trip.start - now < timedelta(hours=12)
    return bool(d.get("started_at")) or (trip.start is not None and trip.start <= now)


async def trip_step(parse: Parse, no: int, ctx: Ctx) -> Reply:
    s, me, tz = parse.slots, ctx.user.user_id, ctx.tz
    try:
        async with transaction():
            if parse.intent is Intent.CREW_ACK:
                request, fresh = await acknowledge_trip(no, me, ctx.now, str(ctx.channel))
                if not fresh:
                    return Reply(ACKED_BEFORE.format(no=no))
                text = TO_APPLICANT_ACK.format(
                    driver=ctx.user.name, no=no, window=fmt_window(request.start, request.end, tz),
                    route=route_of(request), plate=plate(request))
            elif parse.intent is Intent.CREW_START:
                request = await start_trip(no, me, s.get("odometer"), ctx.now, str(ctx.channel))
                text = TO_APPLICANT_START.format(no=no, driver=ctx.user.name, plate=plate(request))
            else:
                request = await finish_trip(no, me, ctx.now, str(ctx.channel), odometer=s.get("odometer"),
                                            tolls=s.get("tolls"), parking=s.get("parking"),
                                            fuel=s.get("fuel"))
                text = TO_APPLICANT_FINISH.format(no=no, route=route_of(request),
                                                  facts=trip_facts(request))
                await ask_rating(ctx.notifier, ctx.links, request, text, tz,
                                 key=f"trip:{parse.intent}:{no}")
                text = ""
            if text:
                await notify_applicant(ctx.notifier, request, text + page_line(ctx.links, no),
                                       key=f"trip:{parse.intent}:{no}")
    except InvalidState as e:
        d = e.request.details or {}
        if parse.intent is Intent.CREW_START and e.request.status is RequestStatus.APPROVED:
            reading = READING.format(km=d["odometer_out"]) if d.get("odometer_out") is not None else ""
            return Reply(STARTED_BEFORE.format(no=no, reading=reading))
        return Reply(TRIP_CLOSED.format(no=no, status=status_name(e.request)))
    except ReadingQuestioned as e:
        await question_reading(no, me, e.field, e.km, ctx.now, str(ctx.channel))
        return Reply(questioned_text(e, no, parse.intent))
    except RequestError:
        was = await get_request(no)
        out = int((was.details or {}).get("odometer_out") or 0) if was else 0
        return Reply(BAD_READING.format(km=s.get("odometer"), out=out, no=no, example=out + 65))
    except (NotFound, NotAllowed):
        return Reply(NOT_YOURS.format(no=no))
    told = TOLD.format(name=request.applicant.name)
    link = reply_link(ctx, no)
    if parse.intent is Intent.CREW_ACK:
        return Reply(ACKED.format(no=no, window=fmt_window(request.start, request.end, tz),
                                  route=route_of(request), told=told) + link)
    if parse.intent is Intent.CREW_START:
        odometer = s.get("odometer")
        reading = READING.format(km=odometer) if odometer is not None else "（出发里程未填）"
        return Reply(STARTED.format(no=no, reading=reading, told=told) + link)
    return Reply(FINISHED.format(no=no, facts=trip_facts(request), told=told) + link)


def plate(request: Request) -> str:
    return request.vehicle.plate if request.vehicle is not None else "待定"


def trip_facts(request: Request) -> str:
    """"：行驶 65 公里（12345→12410），过路费 20 元，停车费 15 元" — what was reported."""
    d = request.details or {}
    facts = []
    if d.get("distance") is not None:
        facts.append(f"行驶 {d['distance']} 公里（{d['odometer_out']}→{d['odometer_in']}）")
    elif d.get("odometer_in") is not None:
        facts.append(f"回程里程 {d['odometer_in']} 公里")
    if d.get("tolls") is not None:
        facts.append(f"过路费 {d['tolls']} 元")
    if d.get("parking") is not None:
        facts.append(f"停车费 {d['parking']} 元")
    if d.get("fuel") is not None:
        facts.append(f"油费/充电费 {d['fuel']} 元")
    return "：" + "，".join(facts) if facts else ""


def questioned_text(e: ReadingQuestioned, no: int, intent: Intent) -> str:
    """A reading that is possible but unlikely: ask the driver to check it."""
    again = f"出发 #{no} 里程 {e.km}" if intent is Intent.CREW_START else f"到达 #{no} 里程 {e.km}"
    if e.field == "odometer_in":
        return QUESTION_IN.format(km=e.km, out=e.against, distance=e.km - e.against,
                                  limit=e.limit, again=again)
    return QUESTION_OUT.format(km=e.km, current=e.against, again=again)


async def repair_step(parse: Parse, no: int, ctx: Ctx) -> Reply:
    note = parse.slots.get("note")
    if parse.intent in (Intent.CREW_ACK, Intent.CREW_START):
        return await repair.progress_to(no, ctx, RequestStatus.IN_PROGRESS)
    if parse.intent is Intent.CREW_FINISH:
        return await repair.progress_to(no, ctx, RequestStatus.COMPLETED, note)
    note = note or DEFAULT_PARTS
    try:
        async with transaction():
            request = await wait_for_parts(no, ctx.user.user_id, note, ctx.now, str(ctx.channel))
            await notify_applicant(ctx.notifier, request, TO_APPLICANT_PARTS.format(
                no=no, location=(request.details or {}).get("location") or "", note=note,
                worker=ctx.user.name), key=f"repair:parts:{no}:{len(request.details['notes'])}")
    except (NotFound, NotAllowed):
        return Reply(NOT_YOURS.format(no=no))
    except InvalidState as e:
        return Reply(repair.CANNOT_PROGRESS.format(no=no, status=status_name(e.request), wanted="待料"))
    return Reply(PARTS_NOTED.format(no=no, note=note, told=TOLD.format(name=request.applicant.name))
                 + reply_link(ctx, no))


# ---------------------------------------------------------------------------------------
# 派给钱力


@router.intent(Intent.CREW_DISPATCH)
async def dispatch_named(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """The dispatcher: "派给钱力" (the one undispatched repair) or "把#1065派给钱力"."""
    who = str(parse.slots.get("worker") or "")
    if Role.REPAIR_DISPATCHER not in ctx.user.roles:
        return Reply(repair.ONLY_DISPATCHER)
    no = parse.slots.get("request_no")
    if no is None:
        waiting = await undispatched_repairs()
        if not waiting:
            return Reply(NO_UNDISPATCHED_TO_ASSIGN.format(who=who))
        if len(waiting) > 1:
            return Reply(DISPATCH_WHICH.format(n=len(waiting), lines="\n".join(undispatched_lines(waiting)),
                                               no=waiting[0].no, who=who))
        no = waiting[0].no
    return await repair.dispatch(int(no), who, ctx)


# ---------------------------------------------------------------------------------------
# A photo


@router.intent(Intent.PHOTO)
async def attach_photo(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """A worker's photo outside any dialogue: an attachment of their open job."""
    if Role.REPAIR_WORKER not in ctx.user.roles or not (msg.media_id or msg.pic_url):
        return None
    jobs = await worker_queue(ctx.user.user_id)
    started = [j for j in jobs if j.status is RequestStatus.IN_PROGRESS]
    job = jobs[0] if len(jobs) == 1 else started[0] if len(started) == 1 else None
    if job is None:
        if not jobs:
            return None
        return Reply(PHOTO_WHICH.format(nos="、".join(f"#{j.no}" for j in jobs)))
    try:
        request = await attach_to_repair(job.no, ctx.user.user_id, msg.media_id, msg.pic_url,
                                         ctx.now, str(ctx.channel))
    except (NotFound, NotAllowed, InvalidState):
        return None
    d = request.details or {}
    return Reply(PHOTO_ADDED.format(no=job.no, location=d.get("location") or "",
                                    n=len(d.get("attachments", []))))


# ---------------------------------------------------------------------------------------


async def pass_on(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """Not the speaker's command: handled as its plain reading would be (inside an open
    dialogue, by that dialogue when the plain reading is nothing else)."""
    from handlers import find_handler  # the ordered router list imports this module

    plain = parse.plain or replace(parse, intent=Intent.UNKNOWN, slots={})
    intent = plain.intent
    try:
        flow = Intent(ctx.state["flow"]) if ctx.state.get("flow") else None
    except ValueError:
        flow = None
    if flow is not None and intent in (Intent.UNKNOWN, flow):
        return await find_handler(flow)(msg, Parse(flow, dict(plain.slots), words=plain.words), ctx)
    return await find_handler(intent)(msg, plain, ctx)
