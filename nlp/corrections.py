"""Self-corrections inside one message (an NLU component of its own).

"后天上午用车，哦不，大后天", "订10点，改成10点半吧", "不要小会议室了，换成大礼堂":
the value said after the correction stands. `split(n)` finds the first correction
marker (不对 / 哦不 / 哦错了 / 更正 / 不，/ 算了 + 改 / 改成 / 换成 / 改为 / 改到 / 改订 /
"礼拜一不行，…" / no wait / sorry / I mean …) and returns where the corrected part ends and the correction
begins. The pipeline reads both parts and lets every slot said in the correction
replace the same slot of the first part; "不要X了，改订Y" (and 车不用了，改订…) is
therefore a request for Y, never a cancel: the cancel words belong to the part that
was taken back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.keywords import gate_all

# One marker, possibly repeated ("不对不对，是10点", "算了，改7座", "不，改150人").
_MARK = (
    r"(?:哦|噢|喔|呃|啊)?不对(?:不对)?|(?:哦|噢|喔|呃)不(?!是)|(?<![要用订是])不(?=\s*[，,])|说错了|搞错了|写错了|"
    r"(?:哦|噢|喔|呃|啊)错了|更正(?:一下)?|纠正(?:一下)?|(?:呃|额|哦|噢)(?=\s*[，,]\s*是)|(?:呃|额|嗯)(?=\s*[，,]\s*[\d一二两三四五六七八九十])|"
    # a day or an hour said and refused: "礼拜一不行，礼拜二吧", "十点不方便，改…"
    r"(?<=[一二三四五六七日天点半午晚])(?:不行|不方便|不可以)(?=\s*[，,])|"
    # "不是两点，是三点": the refused value belongs to the marker, the correction follows 是
    r"算了|不是[^，,。]{0,12}?[，,]?\s*(?=是)|"
    # "噢不是七点，六点半", "不是周三，周四": a value refused, the next clause gives the new one
    r"(?:(?:哦|噢|喔|呃|嗯)不是|不是(?=[^，,。]{0,8}[\d一二两三四五六七八九十点号天周]))[^，,。]{1,12}[，,]|"
    r"改成|改为|改到|改在|改订|改约|改用|改(?=\s*[\d一二两三四五六七八九十俩仨])|换成|换到|换为|还是(?=.{0,3}[改换])|"
    r"\bno wait\b|(?<![#\d]\s)(?<![#\d])\bno(?=\s*,)|\bsorry\b|\bi mean\b|\bactually\b|\bmake (?:it|that)\b|\binstead\b|\bchange (?:it |that )?to\b"
)
_CHAIN = re.compile(rf"(?:{_MARK})(?:\s*[，,、]?\s*(?:{_MARK}|是|要|就))*\s*[，,、:：]?\s*")
# "不要X了，" / "X不用了，" / "不订X了，": the part taken back names what is no longer wanted.
_TAKEN_BACK = re.compile(r"(?:不要|不用|不订|不约|不借)[^，,。]{0,10}了|[^，,。]{1,10}(?:不要了|不用了|不订了)")


@dataclass(frozen=True, slots=True)
class Correction:
    """`before` ends where the correction marker starts; `after` starts after it."""

    before: int
    after: int
    taken_back: bool  # the first part withdraws something (不要X了): it gives no cancel


# "不订车了，…" / "车不用了，…" opening the message: what follows may be the new request.
_WITHDRAWN_FIRST = re.compile(rf"^\s*(?P<back>{_TAKEN_BACK.pattern})\s*[，,、]\s*")


def withdrawal(n: str) -> Correction | None:
    """A message opening with what is no longer wanted ("不订车了，帮我订个接待室"): the
    part after it, which the pipeline takes as the request only when it names a service
    of its own (else "明天的车不用了，谢谢" stays a cancel)."""
    m = _WITHDRAWN_FIRST.match(n)
    if m is None or not n[m.end():].strip(" ，,。.!！?？"):
        return None
    return Correction(m.end("back"), m.end(), True)


def split(n: str) -> Correction | None:
    """The correction in normalised text `n`, if it has one with something said after it."""
    for m in _CHAIN.finditer(n):
        if m.start() == 0 and not n[m.end():].strip():
            return None
        rest = n[m.end():].strip(" ，,。.!！?？吧啊呀")
        if not rest:
            continue
        head = n[: m.start()]
        if m.start() == 0:
            continue  # nothing said before it to correct ("改成明天" alone: a flow's follow-up)
        rest_at = m.end()
        inner = split(n[rest_at:])
        if inner is not None and _TAKEN_BACK.search(n[rest_at: rest_at + inner.before]):
            # "…，算了302不要了，换成第二会议室": the last correction stands, the rest is taken back
            return Correction(rest_at + inner.before, rest_at + inner.after, True)
        return Correction(m.start(), m.end(), _TAKEN_BACK.search(head) is not None)
    return None


gate_all(globals())  # every pattern above behind its first-character gate (nlp/keywords.py)
