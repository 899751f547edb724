"""The fleet manager in chat (公务用车平台化管理, issue 17 item 2).

```mermaid
flowchart LR
    C["车况 / 车辆情况"] --> L[each vehicle: state, odometer, next 保养, insurance, 年检]
    O["沪A12345 送修 发动机异响 到12月10日"] --> D[out of service] --> X[bookings then: listed, with a free vehicle to move each to]
    R["沪A12345 恢复使用"] --> B[back in service]
    M["沪A12345 保养完成 里程 45000"] --> N[odometer and next 保养 kept]
    P["沪A12345 交强险 至2027年12月31日"] --> P2[insurance / 年检 date kept]
    G["#1065 改派沪A67890"] --> G2[booking moved; applicant and both drivers told]
```

Only a fleet manager's message is taken; anyone else's goes on to the other handlers. A
vehicle out of service is never offered or assigned (models/vehicle_state.py); the
bookings that hold it already are the fleet manager's to move: the reply lists them, the
other fleet managers hear of them once (a `fleet_notice` claim), and the sweeper tells
of any that a race let in later (handlers/fleet_reminders.py).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.approval import route_of
from handlers.base import Ctx, Inbound, Message, Notifier, Reply, Router
from handlers.common import fmt_window, notify_applicant
from handlers.fleet_labels import (
    down_text,
    due_text,
    fmt_date,
    km,
    until_text,
    unusable_text,
    vehicle_head,
)
from models.errors import Conflict, InvalidState, NotAllowed, NotFound, OutOfService, RequestError
from models.fleet import (
    NotAVehicle,
    claim_notice,
    dues_of,
    fleet,
    reassign_vehicle,
    record_maintenance,
    renew_papers,
    return_to_service,
    take_out_of_service,
    vehicle_by_plate,
)
from models.holds import free_vehicles
from models.org import Role, users_with_role
from models.requests import Request, RequestStatus, get_request
from models.sql import transaction
from models.vehicle_state import DowntimeKind, PaperKind, VehicleDowntime, use_zone
from nlp.normalize import normalize
from nlp.timeparse import parse_time
from nlp.types import Parse

router = Router("fleet")

PLATE = r"[\u4e00-\u9fff][A-Za-z][A-Za-z0-9]{5,6}"
OVERVIEW_RE = r"^\s*(?:查看?|看看)?(?:车辆情况|车况|车辆状况|车队情况|车辆状态)\s*[。.!！?？]?\s*$"
DOWN_RE = rf"^\s*(?P<plate>{PLATE})\s*(?P<verb>送修|维修|停用|报停|保养)(?!完成|好了|完了)(?P<rest>.*)$"
BACK_RE = rf"^\s*(?P<plate>{PLATE})\s*(?:恢复使用|恢复|已修好|修好了|启用|重新启用)\s*[。.!！]?\s*$"
MAINTAINED_RE = (rf"^\s*(?P<plate>{PLATE})\s*(?:保养完成|保养好了|保养完了|完成保养|已保养)"
                 r"\s*[，,]?\s*(?:里程表?|公里数)?\s*[:：]?\s*(?P<km>\d{1,7})?\s*(?:公里|km)?\s*[。.!！]?\s*$")
REASSIGN_RE = (rf"^\s*#?\s*(?P<no>\d{{4,9}})\s*号?\s*(?:改派|换车|换成|改用|改为)\s*(?P<plate>{PLATE})"
               r"\s*[。.!！]?\s*$")

QUESTION = re.compile(r"吗|么|[?？]|没有?\s*$|了没|是不是|有没有|什么时候|多久|哪天|几号")
PAPERS_RE = (rf"^\s*(?P<plate>{PLATE})\s*(?P<what>交强险|商业险|保险|年检)(?P<rest>.*"
             r"(?:\d{1,2}\s*[月号日]|\d{4}\s*[-/年.]).*)$")
PAPERS = {"交强险": [PaperKind.INSURANCE_COMPULSORY], "商业险": [PaperKind.INSURANCE_COMMERCIAL],
          "保险": [PaperKind.INSURANCE_COMPULSORY, PaperKind.INSURANCE_COMMERCIAL],
          "年检": [PaperKind.INSPECTION]}
KINDS = {"送修": DowntimeKind.REPAIR, "维修": DowntimeKind.REPAIR, "停用": DowntimeKind.STOPPED,
         "报停": DowntimeKind.STOPPED, "保养": DowntimeKind.MAINTENANCE}
DEFAULT_REASON = {DowntimeKind.REPAIR: "维修", DowntimeKind.STOPPED: "停用",
                  DowntimeKind.MAINTENANCE: "保养"}

OVERVIEW_HEAD = "车辆情况（{n}辆，{at}）："
OVERVIEW_LINE = "{head}【{state}】{odometer}\n  {dues}"
IN_USE = "在用"
NO_VEHICLES = "目前没有在册车辆。"
NO_DUES = "保养、保险、年检日期未登记"
OVERVIEW_HINT = "停用回复“{plate} 送修 原因 到12月10日”，恢复回复“{plate} 恢复使用”，保养后回复“{plate} 保养完成 里程 45000”。"
TAKEN_OUT = "好的，{plate} 已{verb}{reason}{until}。"
MEANWHILE = "，期间不再派车"  # after an end said; open-ended, until_text says 恢复使用前不派车
NO_CLASH = "期间没有已安排的用车。"
CLASHES = "期间已有 {n} 单用车需要改派：\n{lines}"
CLASH_LINE = "#{no} {window} {route}，{applicant}：{option}"
CLASH_OPTION = "可改派 {plate}（回复“#{no} 改派{plate}”）"
CLASH_NONE = "暂无空闲车辆，请与申请人商量调整时间或取消"
TO_OTHER_MANAGERS = "【车辆停用】{who}将 {plate} {verb}{reason}{until}。期间有 {n} 单用车需要改派：\n{lines}"
BACK = "好的，{plate} 已恢复使用，可以正常派车了。"
NOT_DOWN = "{plate} 目前没有停用，一直在正常派车。"
MAINTAINED = "好的，{plate} 保养已记录{reading}。下次保养：{next}。"
MAINTAINED_BACK = "车辆已恢复使用。"
BAD_KM = "{plate} 当前里程已是 {current} 公里，保养里程 {km} 公里对不上，请核对后再发。"
NO_PLATE = "没有找到在册车辆 {plate}，请核对车牌（回复“车况”看全部车辆）。"
UNTIL_PAST = "恢复日期应在现在之后，请重新说，例如“{plate} 送修 到12月10日”。"
ONLY_FLEET = "车辆停用、恢复和保养登记只有车辆管理员可以操作。"
PAPERS_DONE = "好的，{plate} {what}已登记，有效期至{day}（还有{left}天）。"
PAPERS_WHEN = "请说明{what}有效期到哪天，例如“{plate} {what} 至2027年12月31日”。"
PAPERS_PAST = "{plate} {what}有效期{day}已经过了，请核对日期，例如“{plate} {what} 至2027年12月31日”。"
REASSIGNED = "好的，#{no} 已改派 {plate}（司机{driver}），已告诉申请人{told}。"
REASSIGN_BUSY = "改派不成：{plate} 或其司机在 {when} 已有安排。回复“车况”看看其他车辆。"
REASSIGN_DOWN = "改派不成：{why}。"
REASSIGN_CLOSED = "#{no} 目前不能改派（已出车、已结束或已取消）。"
REASSIGN_NOT_FOUND = "没有找到用车申请 #{no}，请核对编号。"
NO_DRIVER = "改派不成：{plate} 没有配司机。"
TO_APPLICANT = "您的用车 #{no}（{window}）改由 {plate} {model}出车，司机{driver}。"
TO_NEW_DRIVER = "【新任务】#{no} {window} {route}，{plate}，用车人：{applicant}。确认回复“收到 #{no}”。"
TO_OLD_DRIVER = "【任务取消】#{no} {window} 已改派其他车辆，您不用出车了。"


def use_business_zone(tz: ZoneInfo) -> None:
    """BOT_TIMEZONE for the days of 交强险 / 商业险 / 年检 (main.py, at start)."""
    use_zone(tz)


def _is_fleet(ctx: Ctx) -> bool:
    return Role.FLEET_MANAGER in ctx.user.roles


def _local_now(ctx: Ctx) -> str:
    local = ctx.now.astimezone(ctx.tz)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


@router.text(OVERVIEW_RE)
async def show_fleet(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """"车况": each vehicle's state, odometer, next 保养, insurance and 年检."""
    if not _is_fleet(ctx):
        return None
    vehicles = await fleet(ctx.now)
    if not vehicles:
        return Reply(NO_VEHICLES)
    today = ctx.now.astimezone(ctx.tz).date()
    lines = [OVERVIEW_HEAD.format(n=len(vehicles), at=_local_now(ctx))]
    for v, down in vehicles:
        state = IN_USE if down is None or down.start > ctx.now else down_text(down, ctx.tz)
        if down is not None and down.start > ctx.now:
            state += f"，{fmt_window(down.start, None, ctx.tz)}起{down_text(down, ctx.tz)}"
        odometer = f"里程 {km(v.odometer)} 公里" if v.odometer is not None else "里程未登记"
        dues = "；".join(due_text(d, today) for d in dues_of(v)) or NO_DUES
        lines.append(OVERVIEW_LINE.format(head=vehicle_head(v), state=state, odometer=odometer, dues=dues))
    lines.append(OVERVIEW_HINT.format(plate=vehicles[0][0].plate))
    return Reply("\n".join(lines))


def until_of(rest: str, now: datetime) -> tuple[datetime | None, str]:
    """The end said after 到/至/预计 ("到12月10日": through that day; "到明天下午3点") and
    the reason (what is left), from the words after the verb."""
    text = normalize(rest).norm
    ts = parse_time(text, now)
    until: datetime | None = None
    if ts.start is not None:
        until = ts.start
    elif ts.date is not None:
        until = datetime.combine(ts.date + timedelta(days=1), time(0), now.tzinfo)
    keep = list(normalize(rest).orig)
    for s, e in ts.spans:
        keep[s:e] = [""] * (e - s)
    reason = re.sub(r"(预计|大约|大概)?(到|至|直到|截至|恢复)?\s*$", "", "".join(keep).strip())
    reason = re.sub(r"^(原因|因为|事由)?[:：，,。\s]*", "", reason).strip(" ，,。.:：;；、")
    reason = re.sub(r"[，,]\s*(预计|大约)?(到|至)?$", "", reason)
    return until, reason[:200]


@router.text(DOWN_RE)
async def take_out(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """"沪A12345 送修 发动机异响 到12月10日": out of service, bookings then listed."""
    m = re.search(DOWN_RE, msg.text)
    if m is None or QUESTION.search(m.group("rest")):  # "沪A12345 保养到期了吗" asks, not says
        return None
    if not _is_fleet(ctx):
        return Reply(ONLY_FLEET)
    plate, verb = m.group("plate").upper(), m.group("verb")
    kind = KINDS[verb]
    until, reason = until_of(m.group("rest"), ctx.now)
    if until is not None and until <= ctx.now:
        return Reply(UNTIL_PAST.format(plate=plate))
    try:
        async with transaction():
            done = await take_out_of_service(plate, kind, reason or DEFAULT_REASON[kind], until,
                                             ctx.user.user_id, ctx.now, str(ctx.channel))
            lines = [await clash_line(r, ctx) for r in done.clashes]
            said = dict(plate=plate, verb=verb if verb != "维修" else "送修",
                        reason=f"（{reason}）" if reason else "",
                        until=until_text_of(done.downtime, ctx) + (MEANWHILE if until else ""))
            if done.clashes:
                await tell_other_managers(ctx, done.downtime, done.clashes, lines, said)
    except NotAVehicle:
        return Reply(NO_PLATE.format(plate=plate))
    text = TAKEN_OUT.format(**said)
    if done.clashes:
        return Reply(text + CLASHES.format(n=len(lines), lines="\n".join(lines)))
    return Reply(text + NO_CLASH)


def until_text_of(d: VehicleDowntime, ctx: Ctx) -> str:
    return until_text(d.until, ctx.tz)


async def clash_line(r: Request, ctx: Ctx) -> str:
    """One booking to move, with the smallest free vehicle that could take it."""
    option = CLASH_NONE
    if r.start is not None and r.end is not None:
        seats = int((r.details or {}).get("passengers") or 1)
        free = [v for v in await free_vehicles(r.start, r.end, seats, ignore_request=r.id, limit=3)
                if v.id != r.vehicle_id]  # type: ignore[attr-defined]
        if free:
            option = CLASH_OPTION.format(plate=free[0].plate, no=r.no)
    return CLASH_LINE.format(no=r.no, window=fmt_window(r.start, r.end, ctx.tz), route=route_of(r),
                             applicant=r.applicant.name, option=option)


async def tell_other_managers(ctx: Ctx, d: VehicleDowntime, clashes: list[Request],
                              lines: list[str], said: dict[str, str]) -> None:
    """The other fleet managers hear of the bookings to move; each (downtime, booking)
    is claimed so that the sweeper does not tell it again."""
    for r in clashes:
        await claim_notice(f"clash:{d.id}:{r.id}", ctx.now)
    text = TO_OTHER_MANAGERS.format(who=ctx.user.name, n=len(lines), lines="\n".join(lines), **said)
    for u in await users_with_role(Role.FLEET_MANAGER):
        if u.userid != ctx.user.user_id:
            await ctx.notifier.notify(u.userid, Message.text(text), key=f"fleet:down:{d.id}:{u.userid}")


@router.text(BACK_RE)
async def back_in_service(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """"沪A12345 恢复使用"."""
    m = re.search(BACK_RE, msg.text)
    if m is None or not _is_fleet(ctx):
        return None if m is None else Reply(ONLY_FLEET)
    plate = m.group("plate").upper()
    try:
        _, ended = await return_to_service(plate, ctx.user.user_id, ctx.now, str(ctx.channel))
    except NotAVehicle:
        return Reply(NO_PLATE.format(plate=plate))
    return Reply((BACK if ended else NOT_DOWN).format(plate=plate))


@router.text(MAINTAINED_RE)
async def maintained(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """"沪A12345 保养完成 里程 45000": odometer and the next 保养 kept."""
    m = re.search(MAINTAINED_RE, msg.text)
    if m is None or not _is_fleet(ctx):
        return None if m is None else Reply(ONLY_FLEET)
    plate = m.group("plate").upper()
    reading = int(m.group("km")) if m.group("km") else None
    today = ctx.now.astimezone(ctx.tz).date()
    try:
        done = await record_maintenance(plate, reading, today, ctx.user.user_id, ctx.now,
                                        str(ctx.channel))
    except NotAVehicle:
        return Reply(NO_PLATE.format(plate=plate))
    except RequestError:
        v = await vehicle_by_plate(plate)
        return Reply(BAD_KM.format(plate=plate, current=km(v.odometer or 0) if v else "", km=reading))
    v = done.vehicle
    nxt = "，或".join(due_text(d, today) for d in dues_of(v) if d.kind in ("maintenance", "maintenance_km"))
    text = MAINTAINED.format(plate=plate, reading=f"（里程 {km(reading)} 公里）" if reading else "", next=nxt)
    return Reply(text + (MAINTAINED_BACK if done.ended_downtime else ""))


@router.text(PAPERS_RE)
async def renew(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """"沪A12345 交强险 续保至2027年12月31日" / "沪A12345 年检 至2027-08-31"."""
    m = re.search(PAPERS_RE, msg.text)
    if m is None or QUESTION.search(m.group("rest")):
        return None
    if not _is_fleet(ctx):
        return Reply(ONLY_FLEET)
    plate, what = m.group("plate").upper(), m.group("what")
    day = parse_time(normalize(m.group("rest")).norm, ctx.now).date
    if day is None:
        return Reply(PAPERS_WHEN.format(plate=plate, what=what))
    today = ctx.now.astimezone(ctx.tz).date()
    if day < today:
        return Reply(PAPERS_PAST.format(plate=plate, what=what, day=fmt_date(day)))
    try:
        await renew_papers(plate, PAPERS[what], day, ctx.user.user_id, ctx.now, str(ctx.channel))
    except NotAVehicle:
        return Reply(NO_PLATE.format(plate=plate))
    return Reply(PAPERS_DONE.format(plate=plate, what=what, day=fmt_date(day), left=(day - today).days))


@router.text(REASSIGN_RE)
async def reassign(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """"#1065 改派沪A67890": the booking goes with another vehicle and its driver."""
    m = re.search(REASSIGN_RE, msg.text)
    if m is None or not _is_fleet(ctx):
        return None
    no, plate = int(m.group("no")), m.group("plate").upper()
    try:
        async with transaction():
            done = await reassign_vehicle(no, plate, ctx.user.user_id, ctx.now, str(ctx.channel))
            await tell_reassigned(ctx.notifier, done.request, done.old_driver.userid
                                  if done.old_driver else None, ctx)
    except NotAVehicle:
        return Reply(NO_PLATE.format(plate=plate))
    except NotFound:
        return Reply(REASSIGN_NOT_FOUND.format(no=no))
    except InvalidState:
        return Reply(REASSIGN_CLOSED.format(no=no))
    except OutOfService as e:
        return Reply(REASSIGN_DOWN.format(why=unusable_text(e.plate, e.why, ctx.tz)))
    except Conflict:
        request = await get_request(no)
        when = fmt_window(request.start, request.end, ctx.tz) if request else ""
        return Reply(REASSIGN_BUSY.format(plate=plate, when=when))
    except NotAllowed:
        return Reply(NO_DRIVER.format(plate=plate))
    r = done.request
    return Reply(REASSIGNED.format(no=no, plate=plate, driver=r.driver.name if r.driver else "",
                                   told=r.applicant.name))


async def tell_reassigned(notifier: Notifier, r: Request, old_driver: str | None, ctx: Ctx) -> None:
    window = fmt_window(r.start, r.end, ctx.tz)
    assert r.vehicle is not None and r.driver is not None
    await notify_applicant(notifier, r, TO_APPLICANT.format(
        no=r.no, window=window, plate=r.vehicle.plate, model=r.vehicle.model, driver=r.driver.name),
        key=f"reassign:{r.no}:{r.vehicle.plate}:{ctx.now.timestamp():.0f}")
    if r.status is RequestStatus.APPROVED:  # a driver hears of approved trips only
        await notifier.notify(r.driver.userid, Message.text(TO_NEW_DRIVER.format(
            no=r.no, window=window, route=route_of(r), plate=r.vehicle.plate, applicant=r.applicant.name)),
            key=f"reassign:new:{r.no}:{r.driver.userid}:{ctx.now.timestamp():.0f}")
        if old_driver and old_driver != r.driver.userid:
            await notifier.notify(old_driver, Message.text(TO_OLD_DRIVER.format(no=r.no, window=window)),
                                  key=f"reassign:old:{r.no}:{old_driver}:{ctx.now.timestamp():.0f}")
