"""Free text a user adds (an NLU slot component): the reason given with a rejection
(`comment`) and the reason of a booking (`purpose`), cut from the user's own characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.keywords import Keywords, gate_all

# English "reason" marks one only as "reason: …" / "reason is …" ("no reason given" is one itself).
_COMMENT_MARK = re.compile(r"(?:理由|原因|意见|备注)\s*(?:如下|是|为)?\s*[:：]?\s*|\breasons?\s*(?:is\b|being\b|[:：\-])\s*|"
                           r"因为|\bbecause\b\s*")
_COMMENT_SPLIT = re.compile(r"[，,。；;！!？?\n]|\s+-\s+|\s*—+\s*|\s*–\s*|:|：")
_COMMENT_FILLER = re.compile(
    r"#?\s*\d+\s*号?|一下|这个申请|这个|那个|这张|申请单?|单子|我|的|了|吧|呀|啊|请|麻烦|要|先|"
    r"\b(?:request|application|no\.?|number|i|this|the|it)\b|\s+"
)


# The deciding clause at the end of a message whose reason came first.
DECIDED_LAST = re.compile(r"[，,；;。]\s*#?\s*\d{3,9}\s*号?\s*(?:驳回|退回|打回|不同意|不批准?|不予(?:批准|通过)|不通过|拒绝|否决)"
                           r"\s*[。！!]?\s*$")
# A request number opening a reason's clause: the number, not the reason.
_LEAD_NO = re.compile(r"^[#＃]?\s*\d{3,9}\s*号?\s*(?!人(?!数)|[\d元块个位名台辆%])")
_REQ_IN_COMMENT = re.compile(r"(?:^|[，,;；。\s])\s*[#＃]?\s*\d{3,9}\s*号?\s*(?=$|[，,;；。\s])")


_REASON_AFTER_NO = re.compile(r"#?\d{3,9}\s+((?!(?:request|application|申请)\b)\S.*?)\s*$")


def _decision_at(clause: str, start: int, rejects: Sequence[Keywords]) -> int | None:
    """Where the decision word that opens `clause[start:]` ends, if one does."""
    for kw in rejects:
        for rx in (kw.zh, kw.en):
            m = rx.match(clause, start) if rx is not None else None
            if m is not None:
                return m.end()
    return None


def comment(n: str, orig: str, rejects: Sequence[Keywords]) -> str | None:
    """The reason given with a rejection, as said."""
    last = DECIDED_LAST.search(n)
    if last and last.start() > 0 and not any(kw.search(n[: last.start()]) for kw in rejects[:1]):
        # "用车理由不充分，1086驳回": everything before the deciding clause is the reason
        c = orig[: last.start()].strip(" ，,。；;:：")
        return c or None
    m = _COMMENT_MARK.search(n)
    if m and m.end() < len(n):
        c = _REQ_IN_COMMENT.sub("", orig[m.end():]).strip(" ，,。；;:：")
        return c or None
    parts: list[str] = []
    pos = 0
    for sep in [*_COMMENT_SPLIT.finditer(n), None]:
        end = sep.start() if sep else len(n)
        clause = n[pos:end]
        if clause.strip():
            rest = clause
            for kw in rejects:
                rest = kw.sub("", rest)
            rest = _COMMENT_FILLER.sub("", rest)
            # a weak word (不合适, no) in a clause of its own is the reason when the decision
            # was said elsewhere: "#2300 不同意，时间不合适", "decline 2302: no budget"
            weak_only = rejects[0].search(clause) is None and (
                rejects[0].search(n[:pos]) is not None or rejects[0].search(n[end:]) is not None)
            # a clause after the one that decided is the reason whole: "No to #1405 - budget not approved"
            after_decision = pos > 0 and rejects[0].search(n[:pos]) is not None
            if len(rest) >= 2 and (weak_only or after_decision or not any(kw.search(clause) for kw in rejects)):
                parts.append(_LEAD_NO.sub("", orig[pos:end].strip()))  # "1064人数填太多了"
            elif len(rest) >= 2:
                # "reject 1055 no cars available", "驳回 1055 会议室已满": a reason after the number
                tail = _REASON_AFTER_NO.search(clause)
                # (the first pattern is the strong one: "no" may open an English reason)
                if tail and any(kw.search(clause[: tail.start(1)]) for kw in rejects) \
                        and not rejects[0].search(clause[tail.start(1):]):
                    parts.append(orig[pos + tail.start(1):pos + tail.end(1)].strip())
                elif tail:
                    # "2303 退回 请重新填写人数": the number, then the decision word, then the reason
                    cut = _decision_at(clause, tail.start(1), rejects)
                    if cut is not None and len(_COMMENT_FILLER.sub("", clause[cut:])) >= 2:
                        parts.append(orig[pos + cut:pos + tail.end(1)].strip())
        pos = sep.end() if sep else len(n)
    return "，".join(parts) if parts else None


_PURPOSE = re.compile(r"(?:事由|用途|目的(?!地)|原因|理由)\s*[:：是为]?\s*|(?<![\w])(?:为了|用于|用来|因为)\s*|"
                      r"(?<=[室厅房间车])(?:用于|用来)\s*|\bfor the purpose of\s+|\bpurpose\s*[:：]?\s*")


def purpose(n: str, orig: str) -> str | None:
    """The reason of a booking as said, only after 事由/用途/为了/用于 or the like (CONTRACT §6)."""
    m = _PURPOSE.search(n)
    if m is None:
        return None
    end = m.end()
    while end < len(n) and n[end] not in "，,。；;！!？?\n\x00":
        end += 1
    text = orig[m.end():end].strip(" 　。.，,")
    return text or None


gate_all(globals())  # every pattern above behind its first-character gate (nlp/keywords.py)
