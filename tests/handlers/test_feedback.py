"""Ratings and feedback (统一反馈): the rating card when a repair or trip is done, the tap,
ratings said in chat with their comment, once only, the low ones passed on."""

from __future__ import annotations

import pytest

from handlers import feedback
from models.audit import AuditLog
from models.requests import get_request
from tests.handlers.conftest import Talk
from tests.handlers.test_approval import tap
from tests.handlers.test_crew import approved_trip
from tests.handlers.test_status import report_repair


async def finished_repair(talk: Talk, applicant: str = "zhangsan") -> int:
    no = await report_repair(talk, applicant)
    await talk.say("sunwei", f"#{no} 派给钱力")
    assert (await talk.say("qianli", f"#{no} 已修好")).startswith("辛苦了")
    await talk.deliver()
    return no


async def test_finished_repair_brings_a_rating_card_and_a_tap_rates_once(linked_talk: Talk) -> None:
    talk = linked_talk
    no = await finished_repair(talk)
    [card] = [c for c in talk.cards("zhangsan") if c.get("task_id") == f"rate{no}"]
    assert card["card_type"] == "button_interaction"
    assert card["main_title"]["title"] == f"请为维修打分 #{no}"
    assert "已由钱力修好" in card["main_title"]["desc"]
    assert [(b["text"], b["key"]) for b in card["button_list"]] == [
        (f"{n}分", f"rate:{no}:{n}") for n in range(1, 6)]
    assert card["card_action"]["url"].endswith(f"/m/requests/{no}")

    assert await tap(talk, "wuli", f"rate:{no}:1", "rc-x") == f"#{no} 不是您的申请，只有申请人本人可以评分。"
    reply = await tap(talk, "zhangsan", f"rate:{no}:5", "rc-r")
    assert reply.startswith(f"谢谢您的评价！#{no} 报修评为 5 分。")
    assert reply.endswith(f'/m/requests/{no}">查看详情</a>')  # the chat reply links the request's page
    await talk.deliver()
    update = talk.cards("zhangsan")[-1]
    assert update["kind"] == "card_update" and update["response_code"] == "rc-r"
    assert update["template_card"]["replace_text"] == "已评5分"
    assert not talk.cards("wuli")

    # A second tap (another score) changes nothing and says so.
    assert await tap(talk, "zhangsan", f"rate:{no}:2", "rc-s") == feedback.ALREADY.format(no=no, score=5)
    request = await get_request(no)
    assert request is not None and request.rating == 5
    rates = await AuditLog.filter(request_id=request.id, action="rate").values_list("details", flat=True)
    assert len(rates) == 1 and rates[0]["score"] == 5


# Sentences written for this test, not taken from the rules' examples.
@pytest.mark.parametrize(("said", "score", "comment"), [
    ("4分，师傅挺耐心的", 4, "师傅挺耐心的"),
    ("很满意", 5, ""),
    ("还行吧", 3, ""),
    ("3", 3, ""),
    ("修得很快，给五星", 5, "修得很快"),
    ("不满意，第二天又坏了", 2, "第二天又坏了"),
])
async def test_a_rating_said_in_chat_keeps_its_comment(talk: Talk, said: str, score: int,
                                                       comment: str) -> None:
    no = await finished_repair(talk)
    assert "回复 1–5 分" in talk.inbox("zhangsan")[-1]  # no cards in this channel: the line
    reply = await talk.say("zhangsan", said)
    expected = f"谢谢您的评价！#{no} 报修评为 {score} 分"
    expected += f"，意见“{comment}”已记下。" if comment else "。"
    assert reply.startswith(expected)
    request = await get_request(no)
    assert request is not None and request.rating == score
    assert request.details.get("rating_comment", "") == comment


async def test_a_low_rating_reaches_the_dispatcher_and_only_once(talk: Talk) -> None:
    no = await finished_repair(talk)
    reply = await talk.say("zhangsan", "很不满意，等了四天才来")
    assert reply == (f"谢谢您的评价！#{no} 报修评为 1 分，意见“等了四天才来”已记下。"
                     "我们会转告维修调度跟进改进。")
    await talk.deliver()
    assert talk.inbox("sunwei")[-1] == (
        f"【维修评价】#{no}（1号楼207室空调吹热风）报修人张三给了 1 分：“等了四天才来”，请跟进。")
    assert await talk.say("zhangsan", f"评分{no} 5") == feedback.ALREADY.format(no=no, score=1)
    # Nothing waits for a score any more: "一般" is not a rating now.
    assert "评为" not in await talk.say("zhangsan", "一般")


async def test_a_finished_trip_is_rated_and_a_low_score_reaches_the_fleet_manager(talk: Talk) -> None:
    no = await approved_trip(talk)
    talk.advance(hours=3, minutes=50)
    await talk.say("zhaoshifu", f"出发 #{no} 里程 100")
    talk.advance(hours=2)
    await talk.say("zhaoshifu", f"到达 #{no} 里程 150")
    await talk.deliver()
    assert "请为这次用车服务打分" in talk.inbox("zhangsan")[-1]
    reply = await talk.say("zhangsan", "不太满意，司机迟到了二十分钟")
    assert reply.startswith(f"谢谢您的评价！#{no} 用车评为 2 分，意见“司机迟到了二十分钟”已记下。"
                            "我们会转告车辆管理跟进改进。")
    await talk.deliver()
    assert talk.inbox("wangke")[-1].startswith(f"【用车评价】#{no}（局机关→浦东机场）用车人张三给了 2 分")


async def test_ratings_need_a_finished_item_and_no_open_dialogue(talk: Talk) -> None:
    no = await report_repair(talk)
    # Not finished: the numbered rating says so; a bare score is no rating at all.
    assert await talk.say("zhangsan", f"评分{no} 4") == feedback.NOT_DONE.format(no=no, status="待派工")
    assert "评为" not in await talk.say("zhangsan", "5分")
    await talk.say("sunwei", f"#{no} 派给钱力")
    await talk.say("qianli", f"#{no} 已修好")
    # Inside a booking, "2" answers the open question.
    await talk.say("zhangsan", "明天下午两点用车去虹桥机场")
    assert "评为" not in await talk.say("zhangsan", "2")
    await talk.say("zhangsan", "算了")
    # A new fault said with 不好 is a new report, not a score for the old one.
    assert "评为" not in await talk.say("zhangsan", "5号楼302室的门锁不好用")
    await talk.say("zhangsan", "算了")
    request = await get_request(no)
    assert request is not None and request.rating is None


async def test_two_unrated_ask_which_and_the_number_picks(talk: Talk) -> None:
    first, second = await finished_repair(talk), await finished_repair(talk)
    reply = await talk.say("zhangsan", "4分，挺快的")
    assert reply.startswith("您有 2 件待评价：") and f"#{first}" in reply and f"#{second}" in reply
    assert reply.endswith(f"例如“评分{second} 4分，挺快的”。")
    assert (await talk.say("zhangsan", f"评分{first} 4分，挺快的")).startswith(
        f"谢谢您的评价！#{first} 报修评为 4 分，意见“挺快的”")
    assert (await talk.say("zhangsan", "满意")).startswith(f"谢谢您的评价！#{second} 报修评为 4 分")
