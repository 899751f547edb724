"""Vehicle booking dialogues through the real dispatcher and NLU, on both databases.
The clock stands at Friday 2026-11-27 10:00 (Shanghai); 沪A67890 seats 5 (刘师傅),
沪A12345 seats 7 (赵师傅); 张三's approvers are 李处, then 王科."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.base import Channel
from handlers.forms import Problem, Submitted, read_times
from handlers.vehicle_booking import Checked, check_vehicle, submit_vehicle
from models.holds import Hold
from models.requests import ApprovalStep, Request, RequestStatus
from nlp.types import Intent, Parse
from nlp.words import read_words

TZ = ZoneInfo("Asia/Shanghai")


def local(request: Request) -> tuple[datetime, datetime]:
    assert request.start is not None and request.end is not None
    return request.start.astimezone(TZ), request.end.astimezone(TZ)


async def test_all_in_one_then_confirm(talk):
    reply = await talk.say("zhangsan", "明天下午两点要辆车去虹桥机场，3个人，用两个小时")
    assert reply == "请说一下用车事由（审批人要看），比如“接待来访”“去市政府送材料”。"
    reply = await talk.say("zhangsan", "无")  # approvers need it: not an answer
    assert reply.startswith("事由要写上，审批人要看")
    reply = await talk.say("zhangsan", "接待来访")
    assert "11月28日(周六) 14:00-16:00" in reply
    assert "局机关 → 虹桥机场" in reply and "\n人数：3人\n事由：接待来访\n" in reply
    assert "沪A67890" in reply  # the smallest car with enough seats
    assert "确认" in reply
    assert await Request.all().count() == 0  # nothing written before 确认

    reply = await talk.say("zhangsan", "确认")
    assert "已提交 #1001" in reply and "李处" in reply

    request = await Request.get(id=1).prefetch_related("vehicle", "driver", "applicant")
    assert request.status is RequestStatus.PENDING
    assert request.applicant.userid == "zhangsan"
    assert request.vehicle.plate == "沪A67890" and request.driver.userid == "liushifu"
    assert local(request) == (datetime(2026, 11, 28, 14, 0, tzinfo=TZ),
                              datetime(2026, 11, 28, 16, 0, tzinfo=TZ))
    assert request.details == {"origin": "局机关", "destination": "虹桥机场", "passengers": 3,
                               "purpose": "接待来访"}
    steps = await ApprovalStep.filter(request_id=1).order_by("seq").prefetch_related("approver")
    assert [s.approver.userid for s in steps] == ["lichu", "wangke"]
    holds = await Hold.filter(request_id=1, active=True).values_list("resource", flat=True)
    assert sorted(holds) == sorted([f"vehicle:{request.vehicle.id}", "driver:liushifu"])

    await talk.deliver()
    assert any("#1001" in m and "虹桥机场" in m and "事由：接待来访" in m for m in talk.inbox("lichu"))
    assert talk.inbox("wangke") == []  # the fleet manager's turn comes after the dept head

    # the flow is over: another 确认 writes nothing
    await talk.say("zhangsan", "确认")
    assert await Request.all().count() == 1


async def test_missing_slots_asked_one_at_a_time(talk):
    reply = await talk.say("wuli", "下周一想用个车")
    assert "11月30日(周一)" in reply and "几点出发" in reply
    reply = await talk.say("wuli", "下午三点")
    assert "几点" in reply and "多长时间" in reply
    reply = await talk.say("wuli", "到五点")
    assert "去哪里" in reply
    reply = await talk.say("wuli", "去区档案馆调研")
    assert "几个人" in reply
    reply = await talk.say("wuli", "4个人")
    assert "11月30日(周一) 15:00-17:00" in reply
    assert "区档案馆" in reply and "事由：调研" in reply
    assert await Request.all().count() == 0

    reply = await talk.say("wuli", "好的")
    assert "已提交 #1001" in reply and "王局长" in reply  # 财务处 has no head: the bureau's
    request = await Request.get(id=1)
    assert request.details["purpose"] == "调研" and request.details["passengers"] == 4


async def test_two_answers_it_cannot_use_get_other_words_and_the_ways_out(talk):
    """"hello", "asdfghjkl": the question again, then in other words with 算了 and 帮助
    offered; a useful answer goes on as usual and the count starts again."""
    asked = await talk.say("wuli", "下周一想用个车")
    assert "几点出发" in asked
    once = await talk.say("wuli", "hello")
    assert "几点出发" in once and "算了" not in once
    twice = await talk.say("wuli", "asdfghjkl")
    assert "几点出发" in twice and "回复“算了”" in twice and "回复“帮助”" in twice
    reply = await talk.say("wuli", "下午三点")
    assert "多长时间" in reply and "算了" not in reply
    assert "算了" not in await talk.say("wuli", "不知道")
    assert await talk.say("wuli", "算了") == "好的，已取消本次填写，什么都没有提交。有需要随时再找我。"
    assert await Request.all().count() == 0


async def test_a_duration_before_the_start(talk):
    await talk.say("wuli", "周二用车去火车站，2人，事由：送材料")
    reply = await talk.say("wuli", "大概用三个小时")
    assert "几点出发" in reply
    reply = await talk.say("wuli", "上午十点")
    assert "12月1日(周二) 10:00-13:00" in reply


async def test_a_correction_while_asked_is_acknowledged(talk):
    reply = await talk.say("wuli", "后天上午9点用车去市档案馆查资料，3个人")
    assert "用到几点" in reply  # the errand said is the purpose: not asked again
    reply = await talk.say("wuli", "哦不对，改成大后天")
    assert reply.startswith("好的，出发时间改为11月30日(周一) 09:00。") and "用到几点" in reply
    reply = await talk.say("wuli", "我之前的申请批下来了没")  # a status question meanwhile
    assert "进行中的申请" in reply and "您正在填的用车申请还没提交" in reply
    reply = await talk.say("wuli", "用两个小时")  # and the draft is still there
    assert "11月30日(周一) 09:00-11:00" in reply and "事由：查资料" in reply
    reply = await talk.say("wuli", "改成4个人")
    assert reply.startswith("好的，人数改为4人。") and "4人" in reply


async def test_changes_before_confirm(talk):
    await talk.say("zhangsan", "明天下午两点用车去虹桥机场，3人，两个小时，事由：送材料")
    reply = await talk.say("zhangsan", "改成四点")
    assert "11月28日(周六) 16:00-18:00" in reply  # same day, same length
    reply = await talk.say("zhangsan", "改成后天")
    assert "11月29日(周日) 16:00-18:00" in reply
    reply = await talk.say("zhangsan", "改成6个人")
    assert "6人" in reply and "沪A12345" in reply  # the 5-seat car no longer fits
    reply = await talk.say("zhangsan", "从市政府出发")
    assert "市政府 → 虹桥机场" in reply
    await talk.say("zhangsan", "确认")

    request = await Request.get(id=1).prefetch_related("vehicle")
    assert local(request) == (datetime(2026, 11, 29, 16, 0, tzinfo=TZ),
                              datetime(2026, 11, 29, 18, 0, tzinfo=TZ))
    assert request.vehicle.plate == "沪A12345"
    assert request.details["origin"] == "市政府" and request.details["passengers"] == 6


async def test_a_time_in_the_past(talk):
    reply = await talk.say("zhangsan", "今天上午8点用车去市政府，2人，一个小时，事由：送材料")
    assert "已经过了" in reply and "09:00" not in reply
    assert await Request.all().count() == 0
    reply = await talk.say("zhangsan", "下午一点")
    assert "11月27日(周五) 13:00-14:00" in reply  # the hour said first still holds


async def test_an_end_before_the_start(talk):
    reply = await talk.say("zhangsan", "明天上午9点用车去市政府，2人，事由：送材料")
    assert "用到几点" in reply
    reply = await talk.say("zhangsan", "到早上8点")
    assert "结束时间要晚于出发时间" in reply and "09:00" in reply
    reply = await talk.say("zhangsan", "到11点")
    assert "11月28日(周六) 09:00-11:00" in reply
    assert await Request.all().count() == 0


async def test_a_trip_too_long(talk):
    reply = await talk.say("zhangsan", "明天上午9点用车去杭州，2人，用五天，事由：送材料")
    assert "最长3天" in reply and "5天" in reply
    reply = await talk.say("zhangsan", "用两天")
    assert "至 11月30日(周一) 09:00" in reply
    assert await Request.all().count() == 0


async def test_too_many_passengers(talk):
    reply = await talk.say("zhangsan", "明天上午9点用车去市政府，两个小时，12个人，事由：送材料")
    assert "只能坐7人" in reply and "12人" in reply
    reply = await talk.say("zhangsan", "5个人")
    assert "5人" in reply and "沪A67890" in reply
    assert await Request.all().count() == 0


async def test_nothing_free_offers_the_nearest_windows(talk):
    await talk.say("zhangsan", "明天下午两点用车去虹桥机场，6人，两个小时，事由：送材料")
    assert "已提交 #1001" in await talk.say("zhangsan", "确认")

    reply = await talk.say("wuli", "明天下午三点用车去浦东机场，6人，用两个小时，事由：送材料")
    assert "没有能坐6人的空闲车辆" in reply
    assert "11月28日(周六) 16:00-18:00（沪A12345）" in reply
    assert await Request.all().count() == 1 and await Hold.filter(active=True).count() == 2
    await talk.say("wuli", "确认")  # nothing proposed: nothing to confirm
    assert await Request.all().count() == 1

    reply = await talk.say("wuli", "改成四点")
    assert "16:00-18:00" in reply and "沪A12345" in reply
    assert "已提交 #1002" in await talk.say("wuli", "确认")
    assert await Request.filter(vehicle__plate="沪A12345").count() == 2


async def test_a_vehicle_taken_between_summary_and_confirm(talk):
    await talk.say("zhangsan", "明天下午两点用车去虹桥机场，3人，两个小时，事由：送材料")
    await talk.say("wuli", "明天下午两点用车去火车站，3人，两个小时，事由：送材料")
    assert "#1001" in await talk.say("wuli", "确认")
    reply = await talk.say("zhangsan", "确认")  # 沪A67890 went to 吴丽 meanwhile
    assert "被别人订走" in reply and "沪A12345" in reply
    assert await Request.all().count() == 1
    assert "已提交 #" in await talk.say("zhangsan", "确认")  # PostgreSQL skips the rolled-back number
    assert await Request.filter(vehicle__plate="沪A12345").count() == 1


async def test_the_form_path_uses_the_same_rules_and_messages(talk):
    """check_vehicle / submit_vehicle, as bot/web/pages.py calls them: the chat's slots, the
    chat's messages (without the chat's hints), the smallest free vehicle."""
    ctx = await talk.dispatcher.context_for("zhangsan", Channel.WEB)
    assert ctx is not None
    slots = {"date": date(2026, 11, 28), "start": datetime(2026, 11, 28, 14, tzinfo=TZ),
             "end": datetime(2026, 11, 28, 16, tzinfo=TZ), "destination": "虹桥机场", "passengers": 3, "purpose": "送材料"}
    checked = await check_vehicle(dict(slots), ctx)
    assert isinstance(checked, Checked) and checked.vehicle.plate == "沪A67890"
    assert checked.details["origin"] == "局机关"

    late = await check_vehicle({**slots, "end": datetime(2026, 11, 28, 13, tzinfo=TZ)}, ctx)
    assert isinstance(late, Problem) and late.field == "end"
    assert late.form_message.startswith("结束时间要晚于出发时间")
    missing = await check_vehicle({k: v for k, v in slots.items() if k != "destination"}, ctx)
    assert isinstance(missing, Problem) and missing.form_message == "请问要去哪里？"
    assert missing.field == "destination"
    no_purpose = await check_vehicle({k: v for k, v in slots.items() if k != "purpose"}, ctx)
    assert isinstance(no_purpose, Problem) and no_purpose.field == "purpose"
    assert no_purpose.form_message.startswith("请说一下用车事由")

    done = await submit_vehicle({**slots, "passengers": 6}, ctx)
    assert isinstance(done, Submitted) and done.numbers == (1001,)
    assert done.text.startswith("已提交 #1001：用车") and "沪A12345" in done.text
    request = await Request.get(id=1)
    assert request.status is RequestStatus.PENDING
    await talk.deliver()
    assert any("#1001" in m for m in talk.inbox("lichu"))

    full = await submit_vehicle({**slots, "passengers": 6}, ctx)
    assert isinstance(full, Problem) and full.field == "start"
    assert "没有能坐6人的空闲车辆" in full.form_message and "算了" not in full.form_message
    assert "算了" in full.message  # the chat says how to answer
    assert await Request.all().count() == 1


def test_read_times_keeps_the_drafts_day_and_reads_ends() -> None:
    old = {"date": date(2026, 11, 30), "start": datetime(2026, 11, 30, 14, tzinfo=TZ),
           "end": datetime(2026, 11, 30, 16, tzinfo=TZ)}
    today_four = {"date": date(2026, 11, 27), "start": datetime(2026, 11, 27, 16, tzinfo=TZ)}
    assert read_times(old, said(today_four, "改成四点"), awaiting="confirm") == {
        "date": date(2026, 11, 30), "start": datetime(2026, 11, 30, 16, tzinfo=TZ)}
    assert read_times(old, said(today_four, "到四点"), awaiting="confirm") == {
        "end": datetime(2026, 11, 30, 16, tzinfo=TZ)}
    assert read_times({"start": datetime(2026, 11, 30, 9, tzinfo=TZ)}, said({}, "两个半小时"),
                      awaiting="end") == {"end": datetime(2026, 11, 30, 11, 30, tzinfo=TZ)}
    assert read_times({}, said({}, "两个小时"), awaiting=None) == {"minutes": 120}


def said(slots: dict[str, object], text: str) -> Parse:
    """A follow-up's parse: these slots, and the words nlp/words.py reads in `text`."""
    return Parse(Intent.VEHICLE_BOOKING, slots, words=read_words(text, datetime(2026, 11, 27, 10, tzinfo=ZoneInfo("Asia/Shanghai"))))


