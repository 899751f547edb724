"""Ratings and feedback (统一反馈): when a repair is finished or a trip completes, the
applicant gets a card with 1–5 buttons (or, without cards, a line asking for a score);
a tap, or a rating said in chat, is recorded once, with the comment.

```mermaid
flowchart LR
    F[repair 已修好 / trip 到达] --> C["card: 1分 … 5分"]
    C -- tap "5分" --> R[rated, card greyed "已评5分"]
    T["5分，很及时" / "非常满意" / "评分1065 4"] --> W{which unrated?}
    W -- one --> R
    W -- several --> A["请回复“评分+编号 分数”"]
    R -- score ≤ 2 --> D[dispatchers / fleet managers told]
```

Only the applicant rates, once; a second tap or message says it is rated already. A
message is read as a rating only outside an open dialogue and while a finished repair
or trip of the speaker waits for one (the words: nlp/rating.py).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.base import Ctx, Inbound, Links, Message, Notifier, Reply, Router
from handlers.cards import card_update
from handlers.common import CARD_SOURCE, describe, page_line, repair_place, reply_link, request_url
from handlers.labels import TYPE_NAMES, status_name
from models.errors import InvalidState, NotAllowed, NotFound, RequestError
from models.org import RequestType, Role, users_with_role
from models.ratings import AlreadyRated, rate_request, unrated_of
from models.requests import Request, get_request
from models.sql import transaction
from nlp.rating import HINT, read_rating
from nlp.types import Parse

router = Router("feedback")

RATE_WINDOW = timedelta(days=14)  # a finished repair or trip waits this long for a rating

ASK_TEXT = "请为这次{kind}打分：回复 1–5 分（5分最满意），也可以说说意见，例如“5分，很及时”。"
CARD_TITLE = {RequestType.REPAIR_REQUEST: "请为维修打分 #{no}", RequestType.VEHICLE_BOOKING: "请为用车服务打分 #{no}"}
CARD_HINT = "点分数即可（5分最满意）；想说说意见，直接回复，例如“5分，很及时”。"
KIND = {RequestType.REPAIR_REQUEST: "维修", RequestType.VEHICLE_BOOKING: "用车服务"}
BUTTON = "{n}分"
RATED_LABEL = "已评{score}分"
RATED_DESC = "感谢您的评价"  # the rated card: short, its reply says the rest
RATED_NOTE = "您的评分：{score}分。想补充意见，直接回复即可。"

THANKS = "谢谢您的评价！#{no} {kind}评为 {score} 分{comment}。"
COMMENT = "，意见“{comment}”已记下"
LOW = "我们会转告{who}跟进改进。"
LOW_WHO = {RequestType.REPAIR_REQUEST: "维修调度", RequestType.VEHICLE_BOOKING: "车辆管理"}
ALREADY = "#{no} 已经评过分了（{score}分），每件只评一次，谢谢您！"
NOT_YOURS = "#{no} 不是您的申请，只有申请人本人可以评分。"
NOT_DONE = "#{no} 目前{status}，完成后再来评分吧。"
NOT_FOUND = "没有找到 #{no}，请核对一下编号。"
WHICH = "您有 {n} 件待评价：\n{lines}\n请带上编号，例如“评分{no} {score}分{comment}”。"

TO_LOW = {
    RequestType.REPAIR_REQUEST: "【维修评价】#{no}（{what}）报修人{name}给了 {score} 分{comment}，请跟进。",
    RequestType.VEHICLE_BOOKING: "【用车评价】#{no}（{what}）用车人{name}给了 {score} 分{comment}，请跟进。",
}

NO = r"#?\s*(\d{4,})\s*号?"
NUMBERED_RE = rf"^\s*(?:评分|打分|评价)\s*{NO}\s*[:：,，]?\s*(?P<rest>.+?)\s*$"
CARD_KEY_RE = re.compile(r"^rate:(\d{1,10}):([1-5])$")


# ---------------------------------------------------------------------------------------
# Asking


def rating_card(request: Request, tz: ZoneInfo, links: Links, lead: str) -> dict[str, Any]:
    """The `button_interaction` card with 1–5 buttons
    (https://developer.work.weixin.qq.com/document/path/90236#按钮交互型); `lead` says what
    was done."""
    no = request.no
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "source": {"desc": CARD_SOURCE},
        "main_title": {"title": CARD_TITLE[request.type].format(no=no), "desc": lead[:44]},
        "sub_title_text": CARD_HINT,
        "horizontal_content_list": [{"keyname": "申请", "value": _clip(describe(request, tz), 26)}],
        "task_id": f"rate{no}",
        "button_list": [{"text": BUTTON.format(n=n), "style": 1 if n == 5 else 2,
                         "key": f"rate:{no}:{n}"} for n in range(1, 6)],
    }
    url = request_url(links, no)
    if url:
        card["card_action"] = {"type": 1, "url": url}
    return card


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def ask_rating(notifier: Notifier, links: Links, request: Request, lead: str, tz: ZoneInfo,
                     *, key: str) -> None:
    """Tell the applicant their repair or trip is done (`lead`) and ask for a score: a card
    where the channel has pages (WeCom), else the line in text. Inside the transaction
    of the completion."""
    kind = KIND[request.type]
    if request_url(links, request.no):
        message = Message("template_card", rating_card(request, tz, links, lead))
    else:
        message = Message.text(f"{lead}\n{ASK_TEXT.format(kind=kind)}")
    await notifier.notify(request.applicant.userid, message, key=key)


# ---------------------------------------------------------------------------------------
# Recording


async def rate(no: int, score: int, comment: str, ctx: Ctx) -> Reply:
    """Record the applicant's score (and comment); the low ones are passed on."""
    try:
        async with transaction():
            request = await rate_request(no, ctx.user.user_id, score, ctx.now, str(ctx.channel),
                                         comment)
            low = score <= 2
            if low:
                await tell_low(request, score, comment, ctx)
    except AlreadyRated as e:
        return Reply(ALREADY.format(no=no, score=e.request.rating))
    except NotFound:
        return Reply(NOT_FOUND.format(no=no))
    except NotAllowed:
        return Reply(NOT_YOURS.format(no=no))
    except InvalidState as e:
        return Reply(NOT_DONE.format(no=no, status=status_name(e.request)))
    except RequestError:
        return Reply(NOT_FOUND.format(no=no))
    said = COMMENT.format(comment=comment) if comment else ""
    text = THANKS.format(no=no, kind=TYPE_NAMES[request.type], score=score, comment=said)
    if low:
        text += LOW.format(who=LOW_WHO[request.type])
    return Reply(text + reply_link(ctx, no))


async def tell_low(request: Request, score: int, comment: str, ctx: Ctx) -> None:
    role = Role.REPAIR_DISPATCHER if request.type is RequestType.REPAIR_REQUEST else Role.FLEET_MANAGER
    d = request.details or {}
    what = repair_place(d) if request.type is RequestType.REPAIR_REQUEST else \
        f"{d.get('origin') or '局机关'}→{d.get('destination') or ''}"
    text = TO_LOW[request.type].format(no=request.no, what=what, name=ctx.user.name, score=score,
                                       comment=f"：“{comment}”" if comment else "")
    for u in await users_with_role(role):
        await ctx.notifier.notify(u.userid, Message.text(text + page_line(ctx.links, request.no)),
                                  key=f"rated:low:{request.no}:{u.userid}")


def is_rating_key(event_key: str) -> bool:
    return CARD_KEY_RE.match(event_key) is not None


async def rate_from_card(msg: Inbound, ctx: Ctx) -> Reply:
    """The applicant tapped a score on the rating card: recorded once; the card's buttons
    become one grey label (for the one who tapped, through `update_template_card`)."""
    m = CARD_KEY_RE.match(msg.event_key)
    assert m is not None
    no, score = int(m[1]), int(m[2])
    reply = await rate(no, score, "", ctx)
    request = await unrated_or_rated(no, ctx)
    if msg.response_code and request is not None and request.rating is not None:
        card = rating_card(request, ctx.tz, ctx.links, RATED_DESC)
        card["replace_text"] = RATED_LABEL.format(score=request.rating)
        card["sub_title_text"] = RATED_NOTE.format(score=request.rating)
        update, key = card_update(msg.user_id, msg.response_code, card)
        await ctx.notifier.notify(msg.user_id, update, key=key)
    return reply


async def unrated_or_rated(no: int, ctx: Ctx) -> Request | None:
    """The tapper's own request `no` as it is now (None when not theirs)."""
    request = await get_request(no)
    if request is None or request.applicant.userid != ctx.user.user_id:
        return None
    return request


@router.text(NUMBERED_RE)
async def rate_numbered(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """The applicant: "评分1065 5", "评价#1065 4分，师傅很耐心"."""
    m = re.search(NUMBERED_RE, msg.text)
    assert m is not None
    said = read_rating(m.group("rest"))
    if said is None:
        return None
    return await rate(int(m.group(1)), said.score, said.comment, ctx)


@router.text(HINT)
async def rate_said(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """The applicant, outside any dialogue, while a finished repair or trip waits for a
    score: "5分，很及时", "5", "非常满意", "一般", "不太满意，等了三天"."""
    if ctx.state.get("flow"):
        return None  # "5" answers the open question ("几位？"), not a rating
    said = read_rating(msg.text)
    if said is None:
        return None
    waiting = await unrated_of(ctx.user.user_id, ctx.now - RATE_WINDOW)
    if not waiting:
        return None
    if len(waiting) > 1:
        lines = "\n".join(describe(r, ctx.tz) for r in waiting)
        comment = f"，{said.comment}" if said.comment else ""
        return Reply(WHICH.format(n=len(waiting), lines=lines, no=waiting[0].no, score=said.score,
                                  comment=comment))
    return await rate(waiting[0].no, said.score, said.comment, ctx)
