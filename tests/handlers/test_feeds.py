"""我的日历: the user's iCalendar subscription link in chat, and how to add it."""

from __future__ import annotations

import pytest

from bot.web.links import SignedLinks, calendar_sig
from handlers import feeds
from settings import Settings
from tests.handlers.conftest import Talk


@pytest.mark.parametrize("said", ["我的日历", "日历", "订阅日历", "怎么把行程加到手机日历？"])
async def test_my_calendar_gives_the_signed_feed_and_how_to_add_it(linked_talk: Talk, settings: Settings,
                                                                  said: str) -> None:
    reply = await linked_talk.say("zhangsan", said)
    url = SignedLinks(settings).calendar_url("user", "zhangsan")
    assert url.endswith(f"?sig={calendar_sig(settings, 'user', 'zhangsan')}")
    assert reply.startswith(f"张三，这是您的日历订阅地址（您的用车、场地预约和出车任务，约每30分钟更新）：\n{url}\n")
    assert "添加已订阅的日历" in reply and "通过网址订阅" in reply
    assert reply.endswith(f"服务页面（我的申请、待我审批、在线填单）：{settings.public_base_url}/m/")


async def test_without_pages_the_calendar_is_explained(talk: Talk) -> None:
    assert await talk.say("zhangsan", "我的日历") == feeds.NO_PAGES


async def test_inside_a_booking_calendar_words_are_no_command(linked_talk: Talk) -> None:
    await linked_talk.say("zhangsan", "明天下午两点用车")
    assert "订阅地址" not in await linked_talk.say("zhangsan", "日历")
