"""我的日历: the user's iCalendar subscription link (bot/web/calendar.py serves the feed)
and how to add it to a phone's or computer's calendar; the service pages' link with it.

    "我的日历" / "日历" / "订阅日历" ──► the feed's URL + how to subscribe + /m/
"""

from __future__ import annotations

from handlers.base import Ctx, Inbound, Reply, Router
from nlp.types import Parse

router = Router("feeds")

CALENDAR_RE = (
    r"^\s*(?:请|帮我)?\s*(?:我的|订阅|查看|看看|添加|加)?\s*(?:日历|日程表?|行程日历)\s*"
    r"(?:订阅|链接|地址|怎么订阅|怎么加)?\s*[?？。！!]*\s*$"
    r"|订阅日历|日历订阅|(?:加|添加|同步)到(?:手机)?日历"
)
FEED = (
    "{name}，这是您的日历订阅地址（您的用车、场地预约和出车任务，约每30分钟更新）：\n{url}\n"
    "添加方法：\n"
    "· 苹果手机：设置 → 日历 → 账户 → 添加账户 → 其他 → 添加已订阅的日历，粘贴地址；\n"
    "· 安卓手机或电脑（Outlook、谷歌日历等）：选“添加日历 → 通过网址订阅”，粘贴地址。\n"
    "此地址只属于您，请勿转发。{home}"
)
HOME = "\n服务页面（我的申请、待我审批、在线填单）：{url}"
NO_PAGES = "日历订阅需要在企业微信里使用：请在企业微信中对我说“我的日历”，我会发您订阅地址。"


@router.text(CALENDAR_RE)
async def show_feed(msg: Inbound, parse: Parse, ctx: Ctx) -> Reply | None:
    """"我的日历": the user's own feed URL and how to subscribe."""
    if ctx.state.get("flow"):
        return None  # inside a booking "日历" is no command
    url = ctx.links.calendar_url("user", ctx.user.user_id)
    if not url:
        return Reply(NO_PAGES)
    home = ctx.links.page_url("/m/")
    return Reply(FEED.format(name=ctx.user.name, url=url, home=HOME.format(url=home) if home else ""))
