"""The words (issue 13 item 6): every message of the common journeys — booking, approving,
rejecting, repairing, driving, rating, cancelling, asking — checked for repeated phrases
and broken punctuation, and a rejection's reason as the approver wrote it."""

from __future__ import annotations

import re

from tests.handlers.conftest import Talk
from tests.handlers.test_approval import book_vehicle

CJK = r"[\u4e00-\u9fff]"
GLITCHES = {
    "a half-width comma between Chinese words": re.compile(rf"{CJK},|,{CJK}"),
    "two stops in a row": re.compile(r"[，。；：、]{2}|，）|（，"),
    "a phrase said twice": re.compile(r"(\S{4,})[ （]\1"),
    "a space before Chinese punctuation": re.compile(r" [，。；：）]"),
    "an empty bracket": re.compile(r"（）|【】|“”"),
    "a placeholder left in": re.compile(r"\{\w*\}|None|null"),
}


def glitches(texts: list[str]) -> list[tuple[str, str]]:
    return [(name, t) for t in texts for name, pattern in GLITCHES.items() if pattern.search(t)]


async def test_the_common_journeys_read_cleanly(talk: Talk) -> None:
    said: list[str] = []

    async def say(user: str, text: str) -> str:
        reply = await talk.say(user, text)
        said.append(reply)
        return reply

    # Booking in chat, approved in two steps, driven, rated.
    await say("zhangsan", "明天下午两点到四点用车去虹桥机场，3个人，事由：接待来访")
    await say("zhangsan", "确认")
    await say("lichu", "待我审批")
    await say("lichu", "同意1001")
    await say("wangke", "同意1001")
    await say("zhangsan", "#1001 到哪了")
    await say("liushifu", "我的任务")
    await say("liushifu", "收到 #1001")
    talk.advance(days=1, hours=3, minutes=50)
    await say("liushifu", "出发 #1001 里程 12345")
    talk.advance(hours=2)
    await say("liushifu", "到达 #1001 里程 12410 过路费 20 停车费 15")
    await say("zhangsan", "5分，司机很准时")
    # A repair whose place is in its description, dispatched, parts, finished, rated low.
    await say("xiaoliu", "3号楼502室空调不制冷")
    await say("xiaoliu", "确认")
    await say("sunwei", "待派工")
    await say("sunwei", "派给钱力")
    await say("qianli", "我的任务")
    await say("qianli", "接单")
    assert await say("qianli", "接单") == "#1002 已经是维修中，无需重复标记。"  # said twice
    await say("qianli", "待料 缺压缩机")
    await say("qianli", "修好了 更换了压缩机")
    await say("xiaoliu", "我上次的报修修好了吗")
    await say("xiaoliu", "不太满意，等了三天")
    # A rejection with a reason of two clauses, a cancellation, help.
    await book_vehicle(talk.now, days=2)
    await say("lichu", "驳回1003，理由：时间冲突，改天吧")
    await book_vehicle(talk.now, days=3)
    await say("zhangsan", "取消1004")
    await say("zhangsan", "我的申请")
    await say("zhangsan", "帮助")
    await say("qianli", "帮助")
    await talk.deliver()

    texts = said + [t for user in talk.phones for t in talk.inbox(user)]
    assert len(texts) > 40
    assert glitches(texts) == []
    rejected = next(t for t in talk.inbox("zhangsan") if "未获通过" in t and "#1003" in t)
    assert "理由：时间冲突，改天吧" in rejected  # the reason's own "，"
    assert "3号楼502室 3号楼502室" not in "".join(texts)


def test_the_checks_catch_what_the_issue_saw() -> None:
    seen = [
        "（3号楼502室 3号楼502室空调不制冷）",
        "理由：时间冲突,改天吧",
        "#1065 已完成。。",
    ]
    assert [name for name, _ in glitches(seen)] == [
        "a phrase said twice", "a half-width comma between Chinese words", "two stops in a row"]
