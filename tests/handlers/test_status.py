"""Status: my open requests, one request with its steps (for those involved only), what
waits for an approver, the latest repair."""

from __future__ import annotations

from models.org import RequestType
from models.requests import NewRequest, create_request
from tests.handlers.conftest import Talk
from tests.handlers.test_approval import book_vehicle


async def report_repair(talk: Talk, applicant: str = "zhangsan") -> int:
    request = await create_request(
        NewRequest(type=RequestType.REPAIR_REQUEST, applicant=applicant,
                   details={"location": "1号楼207室", "category": "hvac",
                            "description": "1号楼207室空调吹热风", "photos": []}),
        talk.now, "wecom",
    )
    return request.no


async def test_my_requests_lists_open_ones_with_who_they_wait_for(talk: Talk) -> None:
    await book_vehicle(talk.now)
    await book_vehicle(talk.now, days=2)
    await talk.say("lichu", "同意1002")
    await report_repair(talk)
    reply = await talk.say("zhangsan", "我的申请")
    assert "您进行中的申请（3件）" in reply
    assert "#1001 用车 11月28日(周六) 14:00-16:00 局机关→浦东机场" in reply
    assert "【待审批·等待李处审批】" in reply
    assert "#1002" in reply and "等待王科审批" in reply
    assert "#1003 报修" in reply and "【待派工·等待维修调度派工】" in reply


async def test_what_did_i_book_and_nothing_open(talk: Talk) -> None:
    assert (await talk.say("wuli", "我订了什么")).startswith("您目前没有进行中的申请")
    await book_vehicle(talk.now, applicant="wuli")
    assert "#1001" in await talk.say("wuli", "我订了什么？")


async def test_one_request_with_its_steps(talk: Talk) -> None:
    await book_vehicle(talk.now)
    await talk.say("lichu", "同意1001")
    reply = await talk.say("zhangsan", "#1001 到哪了")
    lines = reply.splitlines()
    assert lines[0].startswith("#1001 用车") and "等待王科审批" in lines[0]
    assert lines[1] == "① 部门负责人 李处：已同意 11月27日(周五) 10:00"
    assert lines[2] == "② 车辆管理 王科：待审批"
    assert "司机：赵师傅" in reply
    # Its approvers and its driver may look too.
    assert (await talk.say("wangke", "1001进度怎么样")).startswith("#1001 用车")
    assert (await talk.say("zhaoshifu", "查一下1001")).startswith("#1001 用车")


async def test_someone_elses_request_is_not_shown(talk: Talk) -> None:
    await book_vehicle(talk.now)
    reply = await talk.say("wuli", "#1001 到哪了")
    assert reply == "没有找到您的 #1001，请核对一下编号。"
    assert await talk.say("wuli", "#1050 到哪了") == "没有找到您的 #1050，请核对一下编号。"


async def test_waiting_for_me(talk: Talk) -> None:
    await book_vehicle(talk.now)
    await book_vehicle(talk.now, applicant="wuli", plate="沪A67890")
    reply = await talk.say("lichu", "待我审批")
    assert "等您审批的申请（1件）" in reply and "#1001" in reply and "申请人：张三" in reply
    assert "#1002" not in reply  # wuli's department has its own head
    assert await talk.say("wangke", "待我审批") == "目前没有等您审批的申请。"
    assert "另有 1 件等您审批" in await talk.say("lichu", "我的申请")


async def test_latest_repair_without_number(talk: Talk) -> None:
    assert (await talk.say("zhangsan", "上次报修的空调修好了吗")).startswith("您还没有报修记录")
    await report_repair(talk)
    no = await report_repair(talk)
    await talk.say("sunwei", f"#{no} 派给钱力")
    reply = await talk.say("zhangsan", "上次报修的空调修好了吗")
    assert reply.startswith(f"#{no} 报修 1号楼207室")
    assert "【已派工·维修人员：钱力】" in reply


async def test_status_finds_the_request_from_what_is_said(talk: Talk) -> None:
    await book_vehicle(talk.now)  # tomorrow to 浦东机场
    await book_vehicle(talk.now, days=3, plate="沪A67890")
    reply = await talk.say("zhangsan", "明天去浦东机场的车到哪了")
    assert reply.startswith("#1001 用车 11月28日(周六)") and "① 部门负责人 李处：待审批" in reply
    assert "#1002" not in reply
    # Nothing that tells them apart: all of them.
    reply = await talk.say("zhangsan", "我的申请到哪了")
    assert "#1001" in reply and "#1002" in reply
