"""One window with the asset office (issue 17 items 1 and 3): a room or a car and things
from the asset office in one message, asked, confirmed, routed and reported as one
application. Friday 2026-11-27 10:00; 301会议室 needs no approval, a car needs 李处's then
王科's, a requisition 李处's then the asset manager 赵资's."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.timers import sweep
from handlers.base import InboundKind
from models import org
from models.assets import Asset, AssetState, in_stock
from models.audit import AuditLog
from models.bundles import Bundle
from models.requests import Request, RequestStatus
from models.seed import seed_org
from tests.handlers.conftest import Talk
from tests.handlers.test_asset_request import asset_org

TZ = ZoneInfo("Asia/Shanghai")
ROOM_AND_LAPTOPS = "下周一上午9点到11点订301会议室开培训会，10人，另外领两台笔记本电脑送到会议室"


@pytest.fixture
async def office(talk: Talk) -> Talk:
    result = await seed_org(asset_org())
    assert result.ok, result.problems
    org.forget_cached_org()
    return talk


async def test_a_room_and_laptops_brought_there_one_confirm(office: Talk) -> None:
    talk = office
    reply = await talk.say("zhangsan", ROOM_AND_LAPTOPS)
    assert "2件事" in reply and "②笔记本电脑" in reply, reply
    assert "请确认这次一站式申请（共2项）" in reply
    assert "301会议室" in reply and "11月30日(周一) 09:00-11:00" in reply
    assert "②资产领用：笔记本电脑 × 2（在库3件），送到1号楼 301会议室；需审批（部门负责人 → 资产管理员）" in reply
    assert await Request.all().count() == 0 and await in_stock("笔记本电脑") == 3
    reply = await talk.say("zhangsan", "笔记本电脑改成送到3号楼502室")
    assert "送到3号楼502室" in reply and "301会议室（1号楼" in reply, reply
    reply = await talk.say("zhangsan", "笔记本电脑还是送到会议室")
    assert "送到1号楼 301会议室" in reply, reply

    reply = await talk.say("zhangsan", "确认")
    assert reply.startswith("已提交一站式申请 #1001（共2项）"), reply
    assert "等待李处审批" in reply
    room, laptops = await Request.all().order_by("id")
    bundle = await Bundle.get()
    assert room.bundle_id == laptops.bundle_id == bundle.id  # type: ignore[attr-defined]
    assert laptops.type.value == "asset_request" and laptops.status is RequestStatus.PENDING
    assert laptops.details["location"] == "1号楼 301会议室"
    assert await in_stock("笔记本电脑") == 1  # reserved on submit, as alone
    await talk.deliver()
    assert any("#1002" in m and "笔记本电脑 × 2" in m for m in talk.inbox("lichu"))

    reply = await talk.say("lichu", "同意1002")
    assert "已同意 #1002，已转赵资审批" in reply
    reply = await talk.say("zhaozi", "同意1002")
    assert "已同意 #1002" in reply and "赵资" not in reply, reply  # never told he told himself
    assert reply.endswith("请您发放：办完回复“发放#1002”。")
    reply = await talk.say("zhaozi", "待发放")
    assert "#1002" in reply
    reply = await talk.say("zhaozi", "发放#1002")
    assert "#1002" in reply
    assert (await Request.get(id=laptops.id)).status is RequestStatus.COMPLETED
    issued = await Asset.filter(state=AssetState.ISSUED, category="笔记本电脑").count()
    assert issued == 2

    reply = await talk.say("zhangsan", "#1002 到哪了")
    assert reply.startswith("一站式申请 #1001（共2项）") and "① #1001" in reply and "② #1002" in reply


async def test_the_asset_part_is_asked_for_what_it_lacks(office: Talk) -> None:
    talk = office
    reply = await talk.say("zhangsan", "下周一上午要一辆车去火车站接专家，3个人，事由接待来访，再领几把办公椅")
    assert "【用车】" in reply, reply
    reply = await talk.say("zhangsan", "8点出发，用一个小时")
    assert "【办公椅】需要几件" in reply, reply
    reply = await talk.say("zhangsan", "5把")
    assert "【办公椅】办公椅目前在库只有2件" in reply, reply
    reply = await talk.say("zhangsan", "2把")
    assert "【办公椅】放在哪里使用" in reply, reply
    reply = await talk.say("zhangsan", "2号楼201室")
    assert "请确认这次一站式申请（共2项）" in reply and "办公椅 × 2（在库2件），送到2号楼201室" in reply
    reply = await talk.say("zhangsan", "确认")
    assert "（李处一并审批①②）" in reply, reply
    await talk.deliver()
    lichu = talk.inbox("lichu")
    assert len(lichu) == 1 and "其中2项等您审批" in lichu[0] and "办公椅 × 2" in lichu[0]
    reply = await talk.say("lichu", "同意1001")
    assert "已同意 #1001" in reply and "已同意 #1002" in reply
    parts = await Request.all().order_by("id")
    assert [p.status for p in parts] == [RequestStatus.PENDING, RequestStatus.PENDING]  # 王科, 赵资 next

    reply = await talk.say("zhangsan", "取消#1001")
    assert "已全部取消（#1001、#1002）" in reply and "预留的车辆、资产已释放" in reply, reply
    assert await in_stock("办公椅") == 2  # given back at once
    assert await AuditLog.filter(action="cancel", actor="zhangsan").count() == 2


async def test_stock_taken_between_summary_and_confirm_writes_nothing(office: Talk) -> None:
    talk = office
    reply = await talk.say("zhangsan", "下周一上午9点到11点订301会议室，10人，另外领三台笔记本电脑送到会议室")
    assert "笔记本电脑 × 3" in reply, reply
    assert "已提交" in await talk.say("wuli", "领一台笔记本电脑") + await talk.say("wuli", "5号楼101") \
        + await talk.say("wuli", "确认")
    reply = await talk.say("zhangsan", "确认")
    assert reply.startswith("刚才有一项被别人订走了，整份申请没有提交"), reply
    assert "【笔记本电脑】笔记本电脑目前在库只有2件" in reply
    assert await Request.filter(applicant__userid="zhangsan").count() == 0
    assert await Bundle.all().count() == 0


async def test_the_one_feedback_waits_for_the_hand_over(office: Talk) -> None:
    talk = office
    await talk.say("zhangsan", "下周一上午9点到11点订301会议室，10人，另外领一台笔记本电脑送到会议室")
    await talk.say("zhangsan", "确认")
    await talk.say("lichu", "同意1002")
    await talk.say("zhaozi", "同意1002")
    talk.now = datetime(2026, 11, 30, 12, 0, tzinfo=TZ)  # the room is over, the laptop not handed over
    assert (await sweep(talk.now, tz=TZ)).feedback_asked == 0
    assert "还没有全部办完" in await talk.say("zhangsan", "评价#1001 5分")
    await talk.say("zhaozi", "发放#1002")
    assert (await sweep(talk.now, tz=TZ)).feedback_asked == 1
    reply = await talk.say("zhangsan", "评价#1001 2分 电脑送晚了")
    assert reply.startswith("抱歉这次没让您满意（2分）")
    await talk.deliver()
    assert any("打了2分（电脑送晚了）" in t and "笔记本电脑" in t for t in talk.inbox("zhaozi"))


async def test_the_bundle_replies_end_with_the_page_of_its_first_part(linked_talk: Talk) -> None:
    talk = linked_talk
    assert (await seed_org(asset_org())).ok
    org.forget_cached_org()
    page = '\n<a href="http://127.0.0.1:8080/m/requests/1001">查看详情</a>'
    await talk.say("zhangsan", ROOM_AND_LAPTOPS)
    assert (await talk.say("zhangsan", "确认")).endswith(page)
    assert (await talk.say("zhangsan", "#1002 到哪了")).endswith(page)
    reply = await talk.say("zhangsan", "取消#1001")
    assert "已全部取消" in reply and reply.endswith(page)


async def test_a_thing_out_of_stock_is_asked_again_and_a_place_or_yes_is_no_thing(office: Talk) -> None:
    talk = office
    reply = await talk.say("zhangsan", "下周一上午8点要一辆车去火车站接专家，3个人，用一个小时，事由接待来访，再领一台投影仪")
    assert "【资产领用】投影仪目前已无库存" in reply, reply
    reply = await talk.say("zhangsan", "放到2号楼201室")
    assert "资产库里没有" not in reply and "请问要领什么" in reply, reply
    reply = await talk.say("zhangsan", "确认")
    assert "资产库里没有" not in reply and "请问要领什么" in reply, reply
    reply = await talk.say("zhangsan", "笔记本电脑")
    assert "请确认这次一站式申请（共2项）" in reply and "笔记本电脑 × 1（在库3件），送到2号楼201室" in reply, reply
    assert "已提交一站式申请" in await talk.say("zhangsan", "确认")


async def test_one_card_for_the_car_and_the_things_says_the_day_once(linked_talk: Talk) -> None:
    talk = linked_talk
    assert (await seed_org(asset_org())).ok
    org.forget_cached_org()
    await talk.say("zhangsan", "下周一上午8点要一辆车去火车站接专家，3个人，用一个小时，事由接待来访，再领一台笔记本电脑")
    await talk.say("zhangsan", "2号楼201室")
    assert "李处一并审批①②" in await talk.say("zhangsan", "确认")
    await talk.deliver()
    [card] = talk.cards("lichu")
    facts = {f["keyname"]: f["value"] for f in card["horizontal_content_list"]}
    assert facts["日期"].startswith("11月30日") and facts["#1001"].startswith("用车 08:00-09:00")
    assert facts["#1002"] == "领用 笔记本电脑 × 1，送到2号楼201室"
    key = card["button_list"][0]["key"]
    reply = await talk.say("lichu", "", kind=InboundKind.CARD_EVENT, event_key=key,
                           task_id=card["task_id"], response_code="rc-1")
    assert "已同意 #1001" in reply and "已同意 #1002" in reply
    await talk.deliver()
    update = talk.cards("lichu")[-1]
    assert update["template_card"]["main_title"]["title"] == "一站式申请 #1001 已同意（李处）"
