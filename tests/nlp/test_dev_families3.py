"""The NLU on a third development set of our own: the causes behind the misses of the
first unseen set (`unseen.jsonl`, now tuned on), each said in new words.

`dev_families3.jsonl` was written by one helper from the *causes* found in unseen.jsonl's
misses, never from its sentences (`test_dev_families3_is_well_formed_and_new` checks that
no sentence of another set is in it), labelled by CONTRACT §6 at 2026-11-27T10:00 (a
Friday). Families: asset requests said with 领用/申领/调剂 and things outside the lexicon
(`as`), faults told by their effect (f1), bookings without the booking word (f2), status
questions (f3), spans (f5), numerals and time ranges (f6), help against off-domain
questions (f8), decisions and reject comments (f9), everyday requests (ev). Batch 1
(g001–g060) was read after the fixes for unseen.jsonl; batch 2 (g061–g090), written
afterwards, was read once before any rule changed for it (nlp/README.md has both
first readings). Sentences of another family sit beside each shape, so a shape that
grows too wide shows here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp import Nlu
from nlp.types import Intent
from tests.nlp.conftest import NOW
from tests.nlp.scoring import check_new_set, score_at_least

DEV3 = Path(__file__).resolve().parent / "dev_families3.jsonl"
OTHERS = ("fresh.jsonl", "fresh_tail.jsonl", "heldout.jsonl", "assets_heldout.jsonl",
          "dev_families2.jsonl", "unseen.jsonl")
FAMILIES = {"as", "f1", "f2", "f3", "f5", "f6", "f8", "f9", "ev"}


def test_dev_families3_is_well_formed_and_new() -> None:
    gold = check_new_set(DEV3, at_least=90, others=OTHERS)
    assert FAMILIES <= {g["family"] for g in gold}


def test_dev_families3_scores(nlu: Nlu) -> None:
    # first readings (nlp/README.md): batch 1 (60) 0.950 / 0.900 / 3.9 %, batch 2 (30)
    # 0.933 / 0.904 / 2.2 %; after: 1.000 / 1.000 / 0.0 %
    score_at_least(DEV3.name, DEV3, lambda text: nlu.parse(text, NOW).to_dict(),
                   intent=0.98, slots=0.98, spurious=0.01)


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # a word of taking inside another word is no asset request
        ("领导后天上午九点用车去区政府", Intent.VEHICLE_BOOKING, {"destination": "区政府"}),
        ("带领考察组明天下午参观，订个接待室", Intent.FACILITY_RESERVATION, {"facility_type": "reception_room"}),
        # a counted thing outside the lexicon is the thing; a moved thing is not cancelled
        ("领三把塑料凳", Intent.ASSET_REQUEST, {"asset": "塑料凳", "quantity": 3}),
        ("那台碎纸机我们不用了，调给办公室", Intent.ASSET_REQUEST, {"asset": "碎纸机", "location": "办公室"}),
        ("会议室不用了", Intent.CANCEL, {}),
        # 同意's homophone only before a number or at the end; 同一 stays 同一
        ("同以2001", Intent.APPROVE, {"request_no": 2001}),
        ("同一个司机明天下午三点再去一趟机场", Intent.VEHICLE_BOOKING, {"destination": "机场"}),
        # an English "no," after a number decides; inside a booking it still corrects
        ("2002 no, budget exhausted", Intent.REJECT, {"request_no": 2002, "comment": "budget exhausted"}),
        ("car to the airport tomorrow at 2pm, no, 3pm", Intent.VEHICLE_BOOKING, {"start": "2026-11-28T15:00"}),
        # 门禁卡 is a card (another office's), 门禁 a door
        ("门禁卡找不到了怎么补办", Intent.UNKNOWN, {}),
        ("门禁坏了，在1号楼大厅", Intent.REPAIR_REQUEST, {"repair_category": "other"}),
        # a capacity question is no booking; a booking with a head count is
        ("报告厅最多能坐多少人", Intent.UNKNOWN, {}),
        ("明天上午十点订报告厅，80人", Intent.FACILITY_RESERVATION, {"attendees": 80}),
        # 一位司机 is the driver, not a passenger
        ("需要一位司机明天上午八点去机场", Intent.VEHICLE_BOOKING, {"destination": "机场"}),
        # a question about who drives what was booked is status; asking for a driver is not
        ("明天去市委的车是哪个司机", Intent.APPROVAL_STATUS, {}),
        # help about a step, but the service itself when asked for
        ("预约会议室要填什么", Intent.HELP, {}),
        ("帮我预约会议室，明天下午两点", Intent.FACILITY_RESERVATION, {"start": "2026-11-28T14:00"}),
    ],
)
def test_shapes_stay_in_their_family(nlu: Nlu, text: str, intent: Intent, slots: dict[str, object]) -> None:
    p = nlu.parse(text, NOW)
    assert p.intent is intent, (text, p.intent, p.slots)
    for k, v in slots.items():
        assert p.contract_slots().get(k) == v, (text, k, p.contract_slots())
    if text.startswith("需要一位司机"):
        assert "passengers" not in p.slots
