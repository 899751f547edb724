"""What every use case says about a request: names, times, one-line summaries and the
notifications to approvers and applicants. Issue-specific wording stays in the handler
modules; what two modules would otherwise both write lives here."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.base import Channel, Ctx, Links, Message, Notifier
from handlers.labels import DECISION_NAMES, TYPE_NAMES, role_name
from handlers.registry import service_for
from models.requests import ApprovalStep, Decision, Request, RequestStatus, ordered_steps

WEEKDAYS = "一二三四五六日"
NOT_GIVEN = "未填写"


def fmt_day(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日(周{WEEKDAYS[local.weekday()]})"


def fmt_window(start: datetime | None, end: datetime | None, tz: ZoneInfo) -> str:
    """`11月28日(周六) 14:00-16:00`; a window over midnight names both days."""
    if start is None:
        return ""
    s = start.astimezone(tz)
    text = f"{fmt_day(s, tz)} {s:%H:%M}"
    if end is not None:
        e = end.astimezone(tz)
        text += f"-{e:%H:%M}" if e.date() == s.date() else f" 至 {fmt_day(e, tz)} {e:%H:%M}"
    return text


def repair_place(details: dict[str, Any]) -> str:
    """A repair's where and what, the location said once when the description names it
    already ("3号楼502室空调不制冷")."""
    location = str(details.get("location") or "")
    description = str(details.get("description") or "")
    if location and location in description:
        location = ""
    return " ".join(x for x in (location, description) if x)


def describe(request: Request, tz: ZoneInfo) -> str:
    """One line: number, what, when, then what its service says (where, how many).
    Relations used must be fetched."""
    service = service_for(request.type)
    parts = [f"#{request.no}", service.name]
    if request.start is not None:
        parts.append(fmt_window(request.start, request.end, tz))
    parts += service.describe(request, tz)
    return " ".join(p for p in parts if p)


APPROVER_TEXT = (
    "【待您审批】{name}的申请：{what}\n{needs}"
    "回复“同意{no}”通过，或“驳回{no}，理由：…”。"
)
# What the one-line summary leaves out and an approver needs, in the text (no card) form.
NEEDS_KEYS = ("事由", "用途", "设备")
CARD_SOURCE = "机关事务管理局"
CARD_TITLE = "{kind}申请待您审批 #{no}"
CARD_TITLE_DONE = "{kind}申请 #{no} {result}"
CARD_CHAIN = "审批进度"
CARD_CLOSED = "本步骤已处理，无需再操作。"
CARD_WITHDRAWN = "已由申请人撤回"
CARD_HINT = "点“同意”或“驳回”审批；点“驳回”后我会请您说明理由，申请人会看到。"
CARD_DETAILS = "查看详情"
APPROVE_BUTTON, REJECT_BUTTON = "同意", "驳回"


def card_task_id(no: int, step_id: int, again: int = 0) -> str:
    """One card per (request, step): WeCom wants a task_id unique within the app, at most
    128 characters of [A-Za-z0-9_-@] (https://developer.work.weixin.qq.com/document/path/90236).
    A later card for the same step (a reminder) is `again` = 1, 2, …: "req1001s5-1"; once
    the step is decided, handlers.cards updates it with the others."""
    return f"req{no}s{step_id}" + (f"-{again}" if again else "")


def card_key(action: str, no: int, step_id: int) -> str:
    """The EventKey of a card button: "approve:1001:5" / "reject:1001:5"."""
    return f"{action}:{no}:{step_id}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def request_facts(request: Request, applicant_name: str, tz: ZoneInfo) -> list[tuple[str, str]]:
    """What an approver needs to decide, as (label, value) lines: who, when, then what its
    service says (where, how many). Relations used must be fetched."""
    rows = [("申请人", applicant_name)]
    if request.start is not None:
        rows.append(("时间", fmt_window(request.start, request.end, tz)))
    rows += service_for(request.type).facts(request, tz)
    return rows


def equipment_text(equipment: Any) -> str:
    """"投影仪、话筒" from the list kept in a request's details."""
    if isinstance(equipment, str):
        return equipment
    return "、".join(str(x) for x in equipment or [])


def step_line(step: ApprovalStep, tz: ZoneInfo, *, current: bool = False) -> str:
    """"部门负责人 李处 已同意 12-07 09:12", "车辆管理 王科 审批中": one step of the chain."""
    who = f"{role_name(step.role)} {step.approver.name}"
    if step.decision is None:
        return f"{who} {'审批中' if current else '待审批'}"
    at = step.decided_at.astimezone(tz) if step.decided_at is not None else None
    when = f" {at:%m-%d %H:%M}" if at is not None else ""
    said = f"（{step.comment}）" if step.comment else ""
    return f"{who} {DECISION_NAMES.get(step.decision, step.decision)}{when}{said}"


def chain_lines(request: Request, tz: ZoneInfo) -> list[str]:
    """The approval chain so far and what is still needed, one line a step."""
    steps = ordered_steps(request)
    current = next((s for s in steps if s.decision is None), None)
    live = request.status is RequestStatus.PENDING
    stopped = any(s.decision == Decision.REJECT for s in steps) or not live
    lines = []
    for s in steps:
        if s.decision is None and stopped:
            lines.append(f"{role_name(s.role)} {s.approver.name} 无需审批")
        else:
            lines.append(step_line(s, tz, current=s is current))
    return lines


def card_facts(request: Request, applicant_name: str, tz: ZoneInfo) -> list[dict[str, str]]:
    """The card's key/value lines (WeCom shows at most 6, values of about 26 characters)."""
    rows = request_facts(request, applicant_name, tz)
    return [{"keyname": k, "value": _clip(v, 26)} for k, v in rows[:6]]


def approval_card(request: Request, step: ApprovalStep, applicant_name: str, tz: ZoneInfo,
                  url: str, *, result: str | None = None, note: str | None = None) -> dict[str, Any]:
    """The `button_interaction` template card asking the approver of `step` to decide
    (https://developer.work.weixin.qq.com/document/path/90236#按钮交互型): the facts, and
    the chain so far in its quote area. With `result`, the same card after the decision:
    the title says what became of it ("已同意（李处）"), the buttons are greyed out and
    show `result` ("已同意"), for `message/update_template_card`."""
    no = request.no
    kind = TYPE_NAMES[request.type]
    title = CARD_TITLE.format(kind=kind, no=no)
    if result is not None:
        title = CARD_TITLE_DONE.format(kind=kind, no=no, result=outcome_title(request, step, result))
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "source": {"desc": CARD_SOURCE},
        "main_title": {"title": _clip(title, 36), "desc": f"{applicant_name}提交"},
        "quote_area": {"type": 0, "title": CARD_CHAIN,
                       "quote_text": _clip("\n".join(chain_lines(request, tz)), 160)},
        "sub_title_text": note if note is not None else CARD_HINT.format(no=no),
        "horizontal_content_list": card_facts(request, applicant_name, tz),
        "task_id": card_task_id(no, step.id),
        "button_list": [
            {"text": APPROVE_BUTTON, "style": 1, "key": card_key("approve", no, step.id)},
            {"text": REJECT_BUTTON, "style": 2, "key": card_key("reject", no, step.id)},
        ],
    }
    if url:
        card["card_action"] = {"type": 1, "url": url}
        card["jump_list"] = [{"type": 1, "title": CARD_DETAILS, "url": url}]
    if result is not None:
        card["replace_text"] = result  # the buttons become one grey, untappable label
        if note is None:
            card["sub_title_text"] = CARD_CLOSED
    return card


def outcome_title(request: Request, step: ApprovalStep, result: str) -> str:
    """What the title of a decided card says: "已同意（李处）", "已驳回（李处）", or
    `result` itself ("申请已撤回")."""
    if step.decision is not None:
        return f"{DECISION_NAMES.get(step.decision, result)}（{step.approver.name}）"
    if request.status is RequestStatus.CANCELLED:
        return CARD_WITHDRAWN
    return result


async def notify_approver(notifier: Notifier, request: Request, step: ApprovalStep,
                          applicant_name: str, tz: ZoneInfo, *, links: Links | None = None) -> None:
    """Tell the approver of `step` that the request waits for them: a card with 同意/驳回
    and the approve link when this channel has pages (`links`), else the chat hint."""
    approver = step.approver.userid
    url = links.approve_url(request.no, step.id, approver) if links is not None else ""
    if url:
        message = Message("template_card", approval_card(request, step, applicant_name, tz, url))
    else:
        lines = [f"{k}：{v}" for k, v in request_facts(request, applicant_name, tz)
                 if k in NEEDS_KEYS]
        lines += [step_line(s, tz) for s in ordered_steps(request) if s.decision is not None]
        message = Message.text(APPROVER_TEXT.format(
            name=applicant_name, what=describe(request, tz), no=request.no,
            needs="".join(f"{line}\n" for line in lines)))
    await notifier.notify(approver, message, key=f"approve:{request.no}:{step.seq}")


async def notify_applicant(notifier: Notifier, request: Request, text: str, *, key: str) -> None:
    """Tell the applicant how their request moved (`key` makes it once only)."""
    await notifier.notify(request.applicant.userid, Message.text(text), key=key)



# WeCom shows an <a> in a text message as a link (message/send, 文本消息: "支持换行、以及A标签").
PAGE_LINE = '\n<a href="{url}">查看详情</a>'


def request_url(links: Links, no: int) -> str:
    """The request's page (/m/requests/N), "" in a channel without pages."""
    return links.page_url(f"/m/requests/{no}")


def page_line(links: Links, no: int) -> str:
    """A line linking the request's page, to end a chat reply about it ("" without pages)."""
    url = request_url(links, no)
    return PAGE_LINE.format(url=url) if url else ""


def reply_link(ctx: Ctx, no: int) -> str:
    """The request's page line for a reply in chat; "" on the pages themselves (the user is
    looking at it) and in channels without pages."""
    return "" if ctx.channel is Channel.WEB else page_line(ctx.links, no)


VIEW_BUTTON = "查看"


def view_card(request: Request, applicant_name: str, tz: ZoneInfo, url: str, *, title: str,
              note: str, task_id: str) -> dict[str, Any]:
    """A `button_interaction` card about a request with one 查看 button opening its page
    (a button of type 1 jumps to its url: https://developer.work.weixin.qq.com/document/path/90236)."""
    return {
        "card_type": "button_interaction",
        "source": {"desc": CARD_SOURCE},
        "main_title": {"title": title, "desc": f"{applicant_name}提交"},
        "sub_title_text": note,
        "horizontal_content_list": card_facts(request, applicant_name, tz),
        "card_action": {"type": 1, "url": url},
        "task_id": task_id,
        "button_list": [{"type": 1, "text": VIEW_BUTTON, "style": 1, "url": url}],
    }


def card_for(request: Request, step: ApprovalStep | None, links: Links, tz: ZoneInfo, *,
             title: str, note: str, tag: str) -> Message | None:
    """A card that asks again for what the request waits for: the approval card (同意/驳回)
    of `step`, or, with no step (a repair waiting for dispatch), a card with 查看. `tag`
    makes its task_id new (WeCom refuses a task_id used before). None without pages."""
    applicant = request.applicant.name
    if step is not None:
        url = links.approve_url(request.no, step.id, step.approver.userid)
        if not url:
            return None
        card = approval_card(request, step, applicant, tz, url, note=note)
        card["task_id"] = f"{card['task_id']}-{tag}"  # handlers.cards updates it with the rest
        return Message("template_card", card)
    url = request_url(links, request.no)
    if not url:
        return None
    return Message("template_card", view_card(request, applicant, tz, url, title=title, note=note,
                                              task_id=f"view{request.no}-{tag}"))
