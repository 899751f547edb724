"""Intent tables: one utterance per row, worded apart from the dev set."""

from __future__ import annotations

import pytest

from nlp import Intent, Nlu
from tests.nlp.conftest import NOW

V, R, F = Intent.VEHICLE_BOOKING, Intent.REPAIR_REQUEST, Intent.FACILITY_RESERVATION
S, A, J, C = Intent.APPROVAL_STATUS, Intent.APPROVE, Intent.REJECT, Intent.CANCEL
H, U = Intent.HELP, Intent.UNKNOWN

CASES: list[tuple[str, Intent]] = [
    # vehicle: car words, and trips said without one
    ("下周二早上派辆车去金山", V),
    ("我要约车，周四去浦东机场", V),
    ("帮忙叫个车，去区档案馆", V),
    ("要一辆车，明天全天", V),
    ("用一下车，下午", V),
    ("明天上午八点送三位专家到国家会展中心", V),
    ("后天晚上接客人回宾馆", V),
    ("后天早上6点从局里出发去南通", V),
    ("明早七点去虹桥火车站", V),
    ("能派个车送我去市委吗", V),
    ("need a car to the airport tomorrow", V),
    ("下午4点半回单位，从区法院接我", V),
    ("目的地：长宁区政府，人数3", V),
    ("pick us up at the hotel at 6pm", V),
    # repair: a fault, or a call for a repairer; a fault beats a room name
    ("会议室的投影仪坏了", R),
    ("报告厅的音响没声音了，有噪音", R),
    ("接待室空调漏水", R),
    ("包间的椅子腿断了", R),
    ("健身房跑步机不转了", R),
    ("厕所堵了", R),
    ("灯一闪一闪的", R),
    ("我要报修", R),
    ("请派个师傅来修一下门", R),
    ("wifi连不上", R),
    ("the sink in the kitchen is leaking", R),
    ("洗手间没有热水", R),
    ("门禁刷不开", R),
    ("大会议室话筒没声音", R),
    ("电脑中毒了，在1号楼209", R),  # a room number is not a request number
    # facility
    ("订一下三楼会议室，明天上午", F),
    ("借用礼堂开表彰大会", F),
    ("预约健身房", F),
    ("周五中午要个包厢，招待兄弟单位", F),
    ("会客室下午三点有人用吗，没有的话我订了", F),
    ("reserve a meeting room for 8 people at 3pm", F),
    # approval status
    ("我提交的派车申请审批了没有", S),
    ("1201现在是什么状态", S),
    ("上周报修的水龙头修好没", S),
    ("我预约的会议室通过了吗", S),
    ("#1202为什么被驳回", S),
    ("查询我的预约记录", S),
    ("where is my request 1203", S),
    ("我刚订的车派了吗", S),
    ("1220", S),
    ("#1221?", S),
    # approve
    ("同意#1204", A),
    ("1205，准了", A),
    ("批准申请1206", A),
    ("1207没问题", A),
    ("approve 1208", A),
    # reject — and a negated approval is a rejection
    ("不同意1209", J),
    ("1210驳回，车辆已派完", J),
    ("#1211不予批准", J),
    ("拒绝1212，理由：不符合规定", J),
    ("deny 1213", J),
    ("拒，1222", J),
    # cancel
    ("会议室我不用了，1214", C),
    ("不用车了，把1215撤了吧，取消", C),
    ("撤回我的报修", C),
    ("1216作废吧", C),
    ("算了，不订了，取消", C),
    ("please cancel 1217", C),
    # help
    ("怎么订会议室", H),
    ("这个机器人能干什么", H),
    ("派车流程是什么", H),
    ("help", H),
    ("你能帮我做什么", H),
    # unknown — never forced into a service
    ("你好", U),
    ("谢谢啦", U),
    ("今天食堂吃什么", U),
    ("明天要开会吗", U),
    ("帮我买两张去杭州的高铁票", U),
    ("打印机纸放在哪", U),
    ("王处长在不在办公室", U),
    ("", U),
    ("🙂🙂", U),
    ("ok thanks", U),
    ("这个月的报销批了没", U),  # another office's approval
    ("请假怎么请", U),
    ("停车场还有车位吗", U),
]


@pytest.mark.parametrize(("text", "intent"), CASES)
def test_intent(nlu: Nlu, text: str, intent: Intent) -> None:
    assert nlu.parse(text, NOW).intent == intent


@pytest.mark.parametrize(
    "text",
    ["今天天气不错", "局里开会通知发了吗", "下午开会别迟到", "中午吃什么", "收到，谢谢"],
)
def test_off_topic_has_no_slots(nlu: Nlu, text: str) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent == Intent.UNKNOWN
    assert p.slots == {}


def test_traditional_reads_like_simplified(nlu: Nlu) -> None:
    simp = nlu.parse("明天下午两点订会议室", NOW)
    trad = nlu.parse("明天下午兩點訂會議室", NOW)
    assert trad.intent == simp.intent == F
    assert trad.slots == simp.slots
