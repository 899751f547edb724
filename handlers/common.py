"""What every use case says about a request: names, times, one-line summaries and the
notifications to approvers and applicants. Issue-specific wording stays in the handler
modules; what two modules would otherwise both write lives here."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.base import Channel, Ctx, Links, Message, Notifier
from handlers.labels import TYPE_NAMES
from models.org import RequestType
from models.requests import ApprovalStep, Request

WEEKDAYS = "一二三四五六日"


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
    """One line: number, what, when, where. Relations used must be fetched."""
    d = request.details or {}
    parts = [f"#{request.no}", TYPE_NAMES[request.type]]
    if request.start is not None:
        parts.append(fmt_window(request.start, request.end, tz))
    if request.type is RequestType.VEHICLE_BOOKING:
        parts.append(f"{d.get('origin', '局机关')}→{d.get('destination', '')}")
        if d.get("passengers"):
            parts.append(f"{d['passengers']}人")
        if request.vehicle is not None:
            parts.append(request.vehicle.plate)
    elif request.type is RequestType.FACILITY_RESERVATION:
        if request.facility is not None:
            parts.append(request.facility.name)
        if d.get("attendees"):
            parts.append(f"{d['attendees']}人")
    else:
        parts.append(repair_place(d))
    return " ".join(p for p in parts if p)


APPROVER_TEXT = (
    "【待您审批】{name}的申请：{what}\n"
    "回复“同意{no}”通过，或“驳回{no}，理由：…”。"
)
CARD_SOURCE = "机关事务管理局"
CARD_TITLE = "{kind}申请待您审批 #{no}"
CARD_HINT = "点“同意”或“驳回”即可审批；要写驳回理由，点“查看详情”或回复“驳回{no}，理由：…”。"
CARD_DETAILS = "查看详情"
APPROVE_BUTTON, REJECT_BUTTON = "同意", "驳回"


def card_task_id(no: int, step_id: int) -> str:
    """One card per (request, step): WeCom wants a task_id unique within the app, at most
    128 characters of [A-Za-z0-9_-@] (https://developer.work.weixin.qq.com/document/path/90236)."""
    return f"req{no}s{step_id}"


def card_key(action: str, no: int, step_id: int) -> str:
    """The EventKey of a card button: "approve:1001:5" / "reject:1001:5"."""
    return f"{action}:{no}:{step_id}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def request_facts(request: Request, applicant_name: str, tz: ZoneInfo) -> list[tuple[str, str]]:
    """What an approver needs to decide, as (label, value) lines: who, when, where, how
    many. Relations used must be fetched."""
    d = request.details or {}
    rows = [("申请人", applicant_name)]
    if request.start is not None:
        rows.append(("时间", fmt_window(request.start, request.end, tz)))
    if request.type is RequestType.VEHICLE_BOOKING:
        rows.append(("行程", f"{d.get('origin') or '局机关'}→{d.get('destination') or '（未填）'}"))
        if d.get("passengers"):
            rows.append(("人数", f"{d['passengers']}人"))
        if request.vehicle is not None:
            driver = f"（{request.driver.name}）" if request.driver is not None else ""
            rows.append(("车辆", f"{request.vehicle.plate}{driver}"))
        if d.get("purpose"):
            rows.append(("事由", str(d["purpose"])))
    elif request.type is RequestType.FACILITY_RESERVATION:
        if request.facility is not None:
            rows.append(("地点", f"{request.facility.name}（{request.facility.building}）"))
        if d.get("attendees"):
            rows.append(("人数", f"{d['attendees']}人"))
    else:
        if d.get("location"):
            rows.append(("地点", str(d["location"])))
        if d.get("description"):
            rows.append(("问题", str(d["description"])))
    return rows


def card_facts(request: Request, applicant_name: str, tz: ZoneInfo) -> list[dict[str, str]]:
    """The card's key/value lines (WeCom shows at most 6, values of about 26 characters)."""
    rows = request_facts(request, applicant_name, tz)
    return [{"keyname": k, "value": _clip(v, 26)} for k, v in rows[:6]]


def approval_card(request: Request, step: ApprovalStep, applicant_name: str, tz: ZoneInfo,
                  url: str, *, result: str | None = None, note: str | None = None) -> dict[str, Any]:
    """The `button_interaction` template card asking the approver of `step` to decide
    (https://developer.work.weixin.qq.com/document/path/90236#按钮交互型). With `result`,
    the same card after the decision: its buttons greyed out and showing `result`
    ("已同意"), for `message/update_template_card`."""
    no = request.no
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "source": {"desc": CARD_SOURCE},
        "main_title": {
            "title": CARD_TITLE.format(kind=TYPE_NAMES[request.type], no=no),
            "desc": f"{applicant_name}提交",
        },
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
    return card


async def notify_approver(notifier: Notifier, request: Request, step: ApprovalStep,
                          applicant_name: str, tz: ZoneInfo, *, links: Links | None = None) -> None:
    """Tell the approver of `step` that the request waits for them: a card with 同意/驳回
    and the approve link when this channel has pages (`links`), else the chat hint."""
    approver = step.approver.userid
    url = links.approve_url(request.no, step.id, approver) if links is not None else ""
    if url:
        message = Message("template_card", approval_card(request, step, applicant_name, tz, url))
    else:
        message = Message.text(APPROVER_TEXT.format(
            name=applicant_name, what=describe(request, tz), no=request.no))
    await notifier.notify(approver, message, key=f"approve:{request.no}:{step.seq}")


async def notify_applicant(notifier: Notifier, request: Request, text: str, *, key: str) -> None:
    """Tell the applicant how their request moved (`key` makes it once only)."""
    await notifier.notify(request.applicant.userid, Message.text(text), key=key)



PAGE_LINE = "\n详情：{url}"


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
        card["task_id"] = f"{card['task_id']}{tag}"
        return Message("template_card", card)
    url = request_url(links, request.no)
    if not url:
        return None
    return Message("template_card", view_card(request, applicant, tz, url, title=title, note=note,
                                              task_id=f"view{request.no}{tag}"))
