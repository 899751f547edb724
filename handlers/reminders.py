"""Reminders and escalation (全程监控: nothing waits unseen), and the command that goes
with them: the applicant's "催办 #1024" (a room's check-in, "确认使用1024", is
handlers/checkin.py).

```mermaid
flowchart LR
    S[step waiting] -- limit, working time --> R[approver reminded once]
    S -- 2 × limit --> E[next level up, else an admin, told once]
    U["催办 #1024"] -- at most once an hour --> A[current approver / dispatchers told]
    P[repair not dispatched] -- 30 working minutes --> D[dispatchers reminded once]
```

The sweeper (bot/timers.py) calls `remind_approvers` and `remind_dispatchers` with a `now`; each claims what is due with a compare-and-set in
models/timers.py and writes its notifications in that transaction, so several
processes sweeping at once send each message once, and a restart loses nothing.

Limits are working time (working days 09:00–12:00, 13:30–17:30 in `BOT_TIMEZONE`; see
models/worktime.py: public holidays and 调休 from `chinese-calendar`, the bureau's own
days from `{DATA_DIR}/workdays.yaml`): a step that starts waiting on Friday evening is
reminded on Monday (after 国庆, on the first working day), a repair reported at night
reminds the dispatchers half an hour into the next working morning.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from handlers.base import Ctx, Inbound, Links, Message, Notifier, Reply, Router
from handlers.common import card_for, describe, repair_place, reply_link
from handlers.labels import TYPE_NAMES, status_name
from handlers.registry import service_for
from models.org import Department, Role, User, dept_head_for, users_with_role
from models.requests import (
    Request,
    RequestStatus,
    current_step,
    get_request,
    open_requests_of,
    ordered_steps,
)
from models.sql import transaction, utc
from models.timers import (
    WaitingStep,
    claim_dispatch_reminder,
    claim_step_escalation,
    claim_step_reminder,
    claim_urge,
    unassigned_repairs,
    waiting_steps,
)
from models.worktime import add_working_time, read_overrides, use_overrides
from nlp.types import Parse

log = logging.getLogger("handlers.reminders")
router = Router("reminders")

APPROVAL_LIMIT = timedelta(hours=4)  # working time; APPROVAL_REMINDER_HOURS overrides
ESCALATION_FACTOR = 2  # the next level up hears at twice the limit
DISPATCH_LIMIT = timedelta(minutes=30)  # working time a repair may wait for dispatch
URGE_EVERY = timedelta(hours=1)  # an applicant's 催办 of one request, at most this often

# -- what the sweeper says ----------------------------------------------------------------

REMIND_APPROVER = (
    "【审批提醒】{name}的申请已等待您审批超过{hours}个工作小时：{what}\n"
    "回复“同意{no}”通过，或“驳回{no}，理由：…”。"
)
APPROVE_PAGE = "\n审批页面：{url}"
ESCALATE = (
    "【审批超时】{name}的申请在{approver}处已等待超过{hours}个工作小时，尚未审批：{what}\n"
    "请督促{approver}尽快处理。"
)
REMIND_DISPATCHER = (
    "【派工提醒】报修 #{no}（{place}）提交已超过{minutes}分钟，还没有派工。\n"
    "回复“#{no} 派给{worker}”派工。"
)
# -- 催办 ----------------------------------------------------------------------------------

URGE_RE = (
    r"^\s*(?:请|麻烦)?\s*(?:#?\s*(?P<a>\d{4,})\s*号?\s*)?(?:催办|催一下|催一催|帮我催一下|帮我催)\s*"
    r"(?:一下)?\s*(?:#?\s*(?P<b>\d{4,})\s*号?)?\s*[。.!！]?\s*$"
)
URGED = "已催办 #{no}，已提醒{who}尽快处理。"
URGE_TO_APPROVER = (
    "【催办】{name}催办 #{no}，已等待{waited}：{what}\n"
    "回复“同意{no}”通过，或“驳回{no}，理由：…”。"
)
URGE_CARD_APPROVER = "【催办】{name}催办，已等待{waited}。点“同意”或“驳回”即可审批。"
URGE_CARD_TITLE = "{kind}催办 #{no}"
URGE_TOO_SOON = "#{no} 刚催办过（{at}），同一申请每小时最多催办一次，请{next}以后再试。"
URGE_NOTHING = "您目前没有等待审批或派工的申请，无需催办。"
URGE_WHICH = "您有几条申请在等待处理，要催办哪一条？\n{lines}\n例如回复“催办#{no}”。"
URGE_NOT_FOUND = "没有找到 #{no}，请核对一下编号。"
URGE_NOT_YOURS = "#{no} 不是您提交的申请，只有申请人本人可以催办。"
URGE_NOT_PENDING = "#{no} 目前{status}，不在等待审批或派工，无需催办。"
URGE_NOBODY = "#{no} 暂时找不到可以提醒的人，请联系局办公室。"

def load_work_calendar(data_dir: str | Path) -> None:
    """The bureau's working-day overrides (`{data_dir}/workdays.yaml`), for this process's
    working-time limits; a malformed file raises and the server does not start."""
    use_overrides(read_overrides(Path(data_dir) / "workdays.yaml"))


def _hours(limit: timedelta) -> str:
    return f"{limit.total_seconds() / 3600:g}"


def _waited(since: datetime, now: datetime) -> str:
    minutes = max(0, int((utc(now) - utc(since)).total_seconds() // 60))
    if minutes < 1:
        return "不到1分钟"
    if minutes < 60:
        return f"{minutes}分钟"
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24}天{hours % 24}小时"
    return f"{hours}小时{minutes}分钟" if minutes else f"{hours}小时"


def repair_where(request: Request) -> str:
    return repair_place(request.details or {}) or "未填地点"


async def worker_hint() -> str:
    """A worker's name for the "派给…" example."""
    workers = await users_with_role(Role.REPAIR_WORKER)
    return workers[0].name if workers else "维修人员姓名"


async def repair_dispatchers() -> list[User]:
    """Who dispatches repairs; an `admin` when nobody holds the role."""
    return await users_with_role(Role.REPAIR_DISPATCHER) or await users_with_role(Role.ADMIN)


def _since(request: Request) -> datetime:
    """When the current step (or, for a repair, the report) started waiting."""
    step = current_step(request)
    if step is not None:
        earlier = [s for s in ordered_steps(request) if s.seq < step.seq and s.decided_at]
        if earlier and earlier[-1].decided_at is not None:
            return earlier[-1].decided_at
    return request.created_at


# ---------------------------------------------------------------------------------------
# The sweeper's use cases: each returns how many it did


async def remind_approvers(
    now: datetime,
    notifier: Notifier,
    tz: ZoneInfo,
    *,
    limit: timedelta = APPROVAL_LIMIT,
    links: Links | None = None,
) -> tuple[int, int]:
    """Remind each approver whose step has waited `limit` of working time (once), and
    tell the next level up at ESCALATION_FACTOR × `limit` (once): (reminded, escalated)."""
    reminded = escalated = 0
    # Working time never runs faster than the clock: wall time is a safe first filter.
    for waiting in await waiting_steps(now - limit):
        try:
            step = waiting.step
            if step.reminded_at is None and now >= add_working_time(waiting.since, limit, tz):
                reminded += await _remind(waiting, now, notifier, tz, limit, links)
            later = add_working_time(waiting.since, limit * ESCALATION_FACTOR, tz)
            if step.escalated_at is None and now >= later:
                escalated += await _escalate(waiting, now, notifier, tz, limit * ESCALATION_FACTOR)
        except Exception:  # one bad row must not stop the others; the next sweep retries it
            log.exception("approval reminder failed", extra={"request": waiting.request.no})
    return reminded, escalated


async def _remind(waiting: WaitingStep, now: datetime, notifier: Notifier, tz: ZoneInfo,
                  limit: timedelta, links: Links | None) -> bool:
    request, step = waiting.request, waiting.step
    approver = step.approver.userid
    text = REMIND_APPROVER.format(name=request.applicant.name, hours=_hours(limit),
                                  what=describe(request, tz), no=request.no)
    url = links.approve_url(request.no, step.id, approver) if links is not None else ""
    if url:
        text += APPROVE_PAGE.format(url=url)
    async with transaction():
        if not await claim_step_reminder(request, step, now):
            return False
        await notifier.notify(approver, Message.text(text), key=f"remind:{request.no}:{step.seq}")
    log.info("approver reminded", extra={"request": request.no, "approver": approver})
    return True


async def escalation_target(request: Request, approver: User) -> User | None:
    """Who hears of a step its approver leaves waiting: the dept head of the approver's
    parent department (the nearest level above that has one), else an `admin`; never the
    approver or the applicant."""
    mine = {approver.userid, request.applicant.userid}
    dept = await Department.get_or_none(id=approver.department_id)
    if dept is not None and dept.parent_id is not None:
        head = await dept_head_for(dept.parent_id, exclude_userid=approver.userid)
        if head is not None and head.userid not in mine:
            return head
    return next((u for u in await users_with_role(Role.ADMIN) if u.userid not in mine), None)


async def _escalate(waiting: WaitingStep, now: datetime, notifier: Notifier, tz: ZoneInfo,
                    after: timedelta) -> bool:
    request, step = waiting.request, waiting.step
    target = await escalation_target(request, step.approver)
    async with transaction():
        if not await claim_step_escalation(request, step, now, target.userid if target else None):
            return False
        if target is not None:
            text = ESCALATE.format(name=request.applicant.name, approver=step.approver.name,
                                   hours=_hours(after), what=describe(request, tz))
            await notifier.notify(target.userid, Message.text(text),
                                  key=f"escalate:{request.no}:{step.seq}")
    if target is None:
        log.warning("nobody to escalate to", extra={"request": request.no})
    else:
        log.info("step escalated", extra={"request": request.no, "to": target.userid})
    return True


async def remind_dispatchers(
    now: datetime, notifier: Notifier, tz: ZoneInfo, *, limit: timedelta = DISPATCH_LIMIT
) -> int:
    """Remind every dispatcher, once, of a repair not dispatched within `limit`."""
    done = 0
    for request in await unassigned_repairs(now - limit):
        try:
            if now < add_working_time(request.created_at, limit, tz):
                continue
            dispatchers = await repair_dispatchers()
            text = REMIND_DISPATCHER.format(no=request.no, place=repair_where(request),
                                            minutes=int(limit.total_seconds() // 60),
                                            worker=await worker_hint())
            async with transaction():
                if not await claim_dispatch_reminder(request, now):
                    continue
                for d in dispatchers:
                    await notifier.notify(d.userid, Message.text(text),
                                          key=f"repair:remind:{request.no}:{d.userid}")
            done += 1
        except Exception:
            log.exception("dispatch reminder failed", extra={"request": request.no})
    return done


# ---------------------------------------------------------------------------------------
# 催办


def number_in(m: re.Match[str]) -> int | None:
    """The request number a command's match names (its first group that matched), or None."""
    raw = next((g for g in m.groups() if g), None)
    return int(raw) if raw else None


@router.text(URGE_RE)
async def urge(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """The applicant: "催办 #1024" (or "催办" with one request waiting)."""
    m = re.search(URGE_RE, msg.text)
    assert m is not None
    tz = ctx.tz
    me = ctx.user.user_id
    no = number_in(m)
    if no is None:
        waiting = [r for r in await open_requests_of(me, limit=20)
                   if r.status is RequestStatus.PENDING]
        if not waiting:
            return Reply(URGE_NOTHING)
        if len(waiting) > 1:
            lines = "\n".join(f"· {describe(r, tz)}（{status_name(r)}）" for r in waiting)
            return Reply(URGE_WHICH.format(lines=lines, no=waiting[0].no))
        no = waiting[0].no
    request = await get_request(no)
    if request is None:
        return Reply(URGE_NOT_FOUND.format(no=no))
    if request.applicant.userid != me:
        return Reply(URGE_NOT_YOURS.format(no=no))
    if request.status is not RequestStatus.PENDING:
        return Reply(URGE_NOT_PENDING.format(no=no, status=status_name(request)))
    if request.last_urged_at is not None and ctx.now - request.last_urged_at < URGE_EVERY:
        return Reply(_too_soon(request, request.last_urged_at, tz))
    step = current_step(request)
    waited = _waited(_since(request), ctx.now)
    if step is not None:
        targets = [step.approver]
        text = URGE_TO_APPROVER.format(name=ctx.user.name, no=no, waited=waited,
                                       what=describe(request, tz))
        note, title = URGE_CARD_APPROVER.format(name=ctx.user.name, waited=waited), ""
    else:  # no step waits: whom its service names (a repair's dispatchers), if anyone
        targets, text = await service_for(request.type).urged(request, ctx, waited)
        note, title = text, URGE_CARD_TITLE.format(kind=TYPE_NAMES[request.type], no=no)
    if not targets:
        return Reply(URGE_NOBODY.format(no=no))
    async with transaction():
        if not await claim_urge(request, me, ctx.now, URGE_EVERY, str(ctx.channel)):
            fresh = await Request.get(id=request.id)
            if fresh.status is not RequestStatus.PENDING:
                return Reply(URGE_NOT_PENDING.format(no=no, status=status_name(fresh)))
            return Reply(_too_soon(request, fresh.last_urged_at or ctx.now, tz))
        stamp = int(utc(ctx.now).timestamp())
        # A card to act on at once where the channel has pages (同意/驳回, or 查看).
        card = card_for(request, step, ctx.links, tz, title=title, note=note, tag=f"u{stamp}")
        for t in targets:
            await ctx.notifier.notify(t.userid, card or Message.text(text),
                                      key=f"urge:{no}:{t.userid}:{stamp}")
    who = "、".join(t.name for t in targets)
    return Reply(URGED.format(no=no, who=who) + reply_link(ctx, no))


def _too_soon(request: Request, last: datetime, tz: ZoneInfo) -> str:
    return URGE_TOO_SOON.format(no=request.no, at=f"{last.astimezone(tz):%H:%M}",
                                next=f"{(last + URGE_EVERY).astimezone(tz):%H:%M}")
