"""A crew member's report (an NLU slot component): the request number, odometer,
tolls, parking and fuel, the worker a job is passed to and the note after 待料 or a
finishing word, for `nlp.intents` to classify what is left.
"""

from __future__ import annotations

import re
from typing import Any

from nlp.keywords import gate_all
from nlp.slots import MASK

_ODOMETER = re.compile(r"(?:里程表?|公里数|表数|码表|仪表盘?)(?:读数)?\s*(?:是|为)?\s*[:：]?\s*(\d{1,7})\s*(?:公里|km)?")
_MONEY = r"\s*(?:是|为|花了|共)?\s*[:：]?\s*(\d{1,5}(?:\.\d{1,2})?)\s*(?:元|块钱?)?"
_TOLLS = re.compile(rf"(?:过路费|高速费|路桥费|通行费|过桥费){_MONEY}")
_PARKING = re.compile(rf"停车费{_MONEY}")
_FUEL = re.compile(rf"(?:油费|加油费?|燃油费|充电费?|电费){_MONEY}")
_CREW_NO = re.compile(r"#\s*(\d{4,9})\s*号?|(?<![\d.])(\d{4,9})(?![\d.])\s*号?")
_WORKER = re.compile(r"(?:派给|派工给|指派给|分派给|交给)\s*([^\s，。,.!！#\d\x00]{1,8}?)\s*(?=去修|维修|处理|吧|[。.!！\s]|$)")
_PARTS_WORD = re.compile(r"待料|缺料|等料|等配件|缺配件|等零件|缺零件|等备件|缺备件")
_DONE_HEAD = re.compile(
    r"^[\s\x00#，,。.]*(?:已经?修好了?|修好了|维修完成|已完成|完成了?|搞定了?|处理好了|完工了?|"
    r"到达|已到达|行程结束|出车结束|收车|还车|已还车)"
)
_CREW_DROP = re.compile(r"[\s\x00#,，。.!！?？:：;；、~～]+")


def _money(s: str) -> int | float:
    value = float(s)
    return int(value) if value.is_integer() else value


def crew_parts(n: str, orig: str) -> tuple[str, dict[str, Any]]:
    """A crew command's slots and what is left to classify: `request_no`, `odometer`
    (km), `tolls`, `parking` and `fuel` (油费 or 充电费; yuan), `worker` (the name as said after 派给) and `note`
    (what follows 待料 or a finishing word, in the user's characters). The rest is `n`
    with those blanked, spaces and punctuation dropped, the worker's name as \\x01."""
    slots: dict[str, Any] = {}
    text = n

    def blank(s: int, e: int) -> None:
        nonlocal text
        text = text[:s] + MASK * (e - s) + text[e:]

    for pattern, slot in ((_ODOMETER, "odometer"), (_TOLLS, "tolls"), (_PARKING, "parking"),
                          (_FUEL, "fuel")):
        m = pattern.search(text)
        if m:
            slots[slot] = int(m.group(1)) if slot == "odometer" else _money(m.group(1))
            blank(m.start(), m.end())
    m = _CREW_NO.search(text)
    if m:
        no = int(m.group(1) or m.group(2))
        if 1000 < no < 2**31:
            slots["request_no"] = no
            blank(m.start(), m.end())
    worker_at: tuple[int, int] | None = None
    m = _WORKER.search(text)
    if m:
        slots["worker"] = orig[m.start(1):m.end(1)]
        worker_at = (m.start(1), m.end(1))
        blank(*worker_at)
    scanned = text
    m = _PARTS_WORD.search(scanned) or _DONE_HEAD.search(scanned)
    if m:
        after = (m.end(), len(scanned))
        before = (0, m.start()) if _PARTS_WORD.search(m.group(0)) else (0, 0)
        for s, e in (after, before):
            kept = "".join(o for o, c in zip(orig[s:e], scanned[s:e], strict=True) if c != MASK)
            note = kept.strip(" \t#，,。.:：;；、")
            if note:
                slots["note"] = re.sub(r"\s+", " ", note)[:200]
                blank(s, e)
                break
    if worker_at is not None:
        w = worker_at[0]
        text = text[:w] + "\x01" + text[w + 1:]
    return _CREW_DROP.sub("", text), slots


gate_all(globals())  # every pattern above behind its first-character gate (nlp/keywords.py)
