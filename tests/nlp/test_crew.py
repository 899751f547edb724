"""Crew commands: the internal intents and slots, and the contract output (`to_dict`),
which keeps the message's plain §6 reading."""

from __future__ import annotations

from typing import Any

import pytest

from nlp import Intent, Nlu
from tests.nlp.conftest import NOW

CASES: list[tuple[str, Intent, dict[str, Any]]] = [
    ("我的任务", Intent.CREW_TASKS, {}),
    ("今天的任务", Intent.CREW_TASKS, {"date": "2026-11-27"}),
    ("明天有什么任务？", Intent.CREW_TASKS, {"date": "2026-11-28"}),
    ("我的工单", Intent.CREW_TASKS, {}),
    ("待派工", Intent.CREW_TASKS, {}),
    ("收到", Intent.CREW_ACK, {}),
    ("收到 #1065", Intent.CREW_ACK, {"request_no": 1065}),
    ("接单 1065", Intent.CREW_ACK, {"request_no": 1065}),
    ("出发 #1065 里程 12345", Intent.CREW_START, {"request_no": 1065, "odometer": 12345}),
    ("出发，里程12345", Intent.CREW_START, {"odometer": 12345}),
    ("开始 #1065", Intent.CREW_START, {"request_no": 1065}),
    ("到达 #1065 里程 12410 过路费 20 停车费 15", Intent.CREW_FINISH,
     {"request_no": 1065, "odometer": 12410, "tolls": 20, "parking": 15}),
    ("结束 #1065 里程：12410，停车费12.5元", Intent.CREW_FINISH,
     {"request_no": 1065, "odometer": 12410, "parking": 12.5}),
    ("修好了 #1065 更换了电容", Intent.CREW_FINISH, {"request_no": 1065, "note": "更换了电容"}),
    ("#1065 修好了，更换了电容", Intent.CREW_FINISH, {"request_no": 1065, "note": "更换了电容"}),
    ("#1065 待料 缺压缩机", Intent.CREW_PARTS, {"request_no": 1065, "note": "缺压缩机"}),
    ("1065待料", Intent.CREW_PARTS, {"request_no": 1065}),
    ("派给钱力", Intent.CREW_DISPATCH, {"worker": "钱力"}),
    ("把#1065派给张工去修", Intent.CREW_DISPATCH, {"request_no": 1065, "worker": "张工"}),
]


@pytest.mark.parametrize(("text", "intent", "slots"), CASES)
def test_crew_commands(nlu: Nlu, text: str, intent: Intent, slots: dict[str, Any]) -> None:
    p = nlu.parse(text, NOW)
    assert (p.intent, p.contract_slots()) == (intent, slots)
    assert p.plain is not None and p.to_dict() == p.plain.to_dict()
    assert p.to_dict()["intent"] in {str(i) for i in Intent} - {str(i) for i in (
        Intent.CREW_TASKS, Intent.CREW_ACK, Intent.CREW_START, Intent.CREW_FINISH,
        Intent.CREW_PARTS, Intent.CREW_DISPATCH, Intent.PHOTO)}


@pytest.mark.parametrize(("text", "contract"), [
    ("收到", {"intent": "unknown", "slots": {}}),
    ("收到 #1065", {"intent": "approval_status", "slots": {"request_no": 1065}}),
    ("#1065 派给钱力", {"intent": "approval_status", "slots": {"request_no": 1065}}),
])
def test_contract_output_is_the_plain_reading(nlu: Nlu, text: str, contract: dict[str, Any]) -> None:
    assert nlu.parse(text, NOW).to_dict() == contract


@pytest.mark.parametrize(("text", "intent"), [
    ("收到，谢谢", Intent.UNKNOWN),
    ("后天出发", Intent.UNKNOWN),
    ("修好了吗", Intent.APPROVAL_STATUS),
    ("#1065 修好了没", Intent.APPROVAL_STATUS),
    ("派车单#1070有司机接单了吗", Intent.APPROVAL_STATUS),
    ("下午1点结束", Intent.UNKNOWN),
])
def test_not_crew_commands(nlu: Nlu, text: str, intent: Intent) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent is intent and p.plain is None
