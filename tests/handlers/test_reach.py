"""Progress and reach in chat: 待我审批 and 催办 as cards with buttons (同意/驳回, 查看)
that decide with a tap, and the replies' links to the request's page."""

from __future__ import annotations

import re

from handlers import status
from models.requests import RequestStatus, get_request, ordered_steps
from settings import Settings
from tests.handlers.conftest import Talk
from tests.handlers.test_approval import PAGE_1001, book_vehicle, tap
from tests.handlers.test_status import report_repair


async def test_waiting_for_me_comes_as_cards_that_decide(linked_talk: Talk, settings: Settings) -> None:
    talk = linked_talk
    first = await book_vehicle(talk.now)
    second = await book_vehicle(talk.now, days=3)
    await talk.deliver()
    before = len(talk.cards("lichu"))
    reply = await talk.say("lichu", "待我审批")
    assert reply.startswith("等您审批的申请（2件）：\n#1001 用车") and "已把2张审批卡片发给您" in reply
    await talk.deliver()
    cards = talk.cards("lichu")[before:]
    assert [c["main_title"]["title"] for c in cards] == ["用车申请待您审批 #1001", "用车申请待您审批 #1002"]
    steps = [ordered_steps(r)[0].id for r in (first, second)]
    for card, step in zip(cards, steps, strict=True):
        assert [b["key"] for b in card["button_list"]] == [f"approve:{card['main_title']['title'][-4:]}:{step}",
                                                          f"reject:{card['main_title']['title'][-4:]}:{step}"]
        assert card["sub_title_text"] == status.CARD_NOTE
        assert re.fullmatch(r"[A-Za-z0-9_\-@]{1,128}", card["task_id"])
        # A new task_id of the step's family: the decision updates this card with the rest.
        assert card["task_id"].startswith(f"req{card['main_title']['title'][-4:]}s{step}-")
        assert "/approve/" in card["card_action"]["url"]
    # A tap on the re-sent card decides as the first card's would.
    assert await tap(talk, "lichu", cards[0]["button_list"][0]["key"], "rc-w") == "已同意 #1001，已转王科审批。" + PAGE_1001
    request = await get_request(1001)
    assert request is not None and [s.decision for s in ordered_steps(request)] == ["approve", None]


async def test_waiting_without_pages_stays_text(talk: Talk) -> None:
    await book_vehicle(talk.now)
    reply = await talk.say("lichu", "待我审批")
    assert reply.startswith("等您审批的申请（1件）") and "回复“同意+编号”" in reply
    await talk.deliver()
    assert not talk.cards("lichu")


async def test_urging_sends_the_approver_a_card_and_the_dispatcher_a_view_card(linked_talk: Talk) -> None:
    talk = linked_talk
    trip = await book_vehicle(talk.now)
    await talk.deliver()
    talk.advance(hours=3)
    reply = await talk.say("zhangsan", f"催办 #{trip.no}")
    assert reply.startswith(f"已催办 #{trip.no}，已提醒李处尽快处理。")
    await talk.deliver()
    card = talk.cards("lichu")[-1]
    step = ordered_steps(trip)[0].id
    assert card["main_title"]["title"] == f"用车申请待您审批 #{trip.no}"
    assert card["sub_title_text"] == "【催办】张三催办，已等待3小时。点“同意”或“驳回”即可审批。"
    assert [b["key"] for b in card["button_list"]] == [f"approve:{trip.no}:{step}", f"reject:{trip.no}:{step}"]

    no = await report_repair(talk)
    talk.advance(hours=2)
    assert (await talk.say("zhangsan", f"催办 #{no}")).startswith(f"已催办 #{no}，已提醒孙伟")
    await talk.deliver()
    view = talk.cards("sunwei")[-1]
    assert view["main_title"]["title"] == f"报修催办 #{no}"
    assert view["sub_title_text"] == (f"【催办】张三催办报修 #{no}（1号楼207室空调吹热风），已等待2小时，"
                                      f"请尽快派工：回复“#{no} 派给钱力”。")
    [button] = view["button_list"]
    assert button["text"] == "查看" and button["type"] == 1 and button["url"].endswith(f"/m/requests/{no}")
    request = await get_request(no)
    assert request is not None and request.status is RequestStatus.PENDING


async def test_replies_about_a_request_link_its_page(linked_talk: Talk, settings: Settings) -> None:
    talk = linked_talk
    page = f"{settings.public_base_url}/m/requests/1001"
    await talk.say("zhangsan", "2号楼408室的空调一直滴水")
    assert (await talk.say("zhangsan", "确认")).endswith(f'\n<a href="{page}">查看详情</a>')
    assert (await talk.say("zhangsan", "#1001 进度")).endswith(f'\n<a href="{page}">查看详情</a>')
    assert (await talk.say("sunwei", "#1001 派给钱力")).endswith(f'\n<a href="{page}">查看详情</a>')
    await talk.deliver()
    assert talk.inbox("qianli")[-1].endswith(f'\n<a href="{page}">查看详情</a>')
    assert talk.inbox("zhangsan")[-1].endswith(f'\n<a href="{page}">查看详情</a>')
    assert (await talk.say("zhangsan", "我的申请")).endswith(f"\n全部申请：{settings.public_base_url}/m/requests")
