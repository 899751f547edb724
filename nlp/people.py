"""Head counts (an NLU slot component): 3人, 三个人, 两位, 我们三个, 俩, 我和两个同事, 我和科长,
人数：6, 2 ppl, party of 4. Read from the normalised text with its times blanked out."""

from __future__ import annotations

import re

from nlp.keywords import gate_all
from nlp.numbers import CN_NUM, to_int

N = rf"(?:\d{{1,4}}|{CN_NUM})"
"""A count as written: digits or a Chinese numeral."""
_COMPANIONS = r"同事|领导|客人|专家|同志|朋友|随员|工作人员|家属|老师|人"
_PEOPLE = re.compile(
    rf"(?P<a>{N})\s*(?:个人|口人|人(?![民事大社行工员家])|位(?!置|于|司机|师傅|驾驶员)|名(?![字单称额])|为(?=\s*(?:[，,。；;！!]|$)))"
    rf"|(?:我们|咱们|他们|一共|总共|共|合计|计|大概|大约|约)\s*(?P<b>{N})\s*个(?![\s\d]*(?:小时|钟|点|号|月|星期|礼拜|工作日))"
    rf"|(?:人数|乘车人数|参会人数|参加人数|与会人数|用车人数|就餐人数|人员)\s*[:：是为共约]*\s*(?P<c>{N})"
    rf"|(?:我们|咱们|他们|她们)?(?P<d>(?<![伎])俩|仨)(?:个)?(?:人|位)?"
    rf"|(?P<pair>(?:我|本人)(?:和|跟|与|同|带着?|带上|加上?|还有)(?:科长|处长|局长|主任|领导|司机|同事|秘书|助理)(?![们和跟与、,，]))"
    rf"|(?:我|本人)(?:和|跟|与|同|带着?|带上|加上?|及|还有)\s*(?P<g>{N})\s*"
    rf"(?:(?:个|位|名)\s*(?:{_COMPANIONS})?|{_COMPANIONS})"
    rf"|\b(?P<e>\d{{1,4}}|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s*"
    rf"(?:ppl|people|persons|pax|passengers|guests|attendees|participants|colleagues|staff|delegates|visitors|of us)\b"
    rf"|\b(?:for|party of)\s+(?P<f>\d{{1,4}})\b(?!\s*(?:hours?|hrs?|mins?|minutes?|:|am|pm))"
)

_APPROX = "一二三四五六七八九"


def people(m: str) -> int | None:
    """A head count: 3人, 三个人, 两位, 我们三个, 人数：6, 2 ppl."""
    for g in _PEOPLE.finditer(m):
        if g["pair"]:
            return 2  # 我和科长: the speaker and one more
        if g["d"]:
            return 2 if g["d"] == "俩" else 3
        if g["g"]:
            v = to_int(g["g"])
            if v is not None and 0 < v < 5000:
                return v + 1  # 我和两个同事: the speaker and two more
            continue
        s = g["a"] or g["b"] or g["c"] or g["e"] or g["f"]
        if len(s) == 2 and s[0] in _APPROX and s[1] in _APPROX and _APPROX.index(s[1]) == _APPROX.index(s[0]) + 1:
            s = s[1]  # 四五个人: about five, the larger bound
        v = to_int(s)
        if v is not None and 0 < v <= 5000:
            return v
    return None


_COUNT_SAID = re.compile(rf"人数|{N}\s*(?:个人|人|位|名)")
_BARE_COUNT = re.compile(rf"\s*(?P<n>{N})\s*(?:个人|人|位|名)?\s*(?:[，,。；;\x00]|$)")


def corrected_count(head: str, tail: str) -> int | None:
    """A correction that gives a bare number for a head count the part it corrects named
    ("人数从100改成150", "5个人，不对，7"): that number."""
    if people(tail) is not None or not _COUNT_SAID.search(head):
        return None
    m = _BARE_COUNT.match(tail)
    v = to_int(m["n"]) if m else None
    return v if v is not None and 0 < v <= 5000 else None


gate_all(globals())  # every pattern above behind its first-character gate (nlp/keywords.py)
