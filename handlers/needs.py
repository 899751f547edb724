"""What an approver needs to decide, as the applicant says it in chat: the purpose (事由,
会议用途) and the equipment a room must have ("需要投影仪", "要话筒"). The vehicle and
facility dialogues read them here; cards and pages show them (handlers.common.request_facts).

Like WeCom's own 审批 forms, where 事由 is a required field, a trip's purpose is asked for
when not said, and "无" or "不知道" is not an answer; a short free text is.
"""

from __future__ import annotations

import re

from handlers.forms import is_yes

MAX_PURPOSE = 100  # the form's limit too (bot/web/pages.py TEXT_LIMITS)

PURPOSE_RE = re.compile(r"(?:事由|用途|目的(?!地)|原因)\s*(?:是|为|:|：)?\s*(?P<p>[^，,。；;！!？?\s]{1,30})")
ACTIVITY_RE = re.compile(
    r"(?:去|到|赴)[^，,。；;\s]{1,15}?(?P<p>开会|参会|办事|调研|检查|培训|汇报|座谈|考察|接人|送人|接待|"
    r"送[^，,。；;\s]{1,8}|接[^，,。；;\s]{1,8}|参加[^，,。；;\s]{1,12})"
)
ANSWER_PREFIX = re.compile(r"^\s*(?:事由|用途|目的|原因)?\s*(?:是|为|:|：)?\s*")
NOT_A_PURPOSE = re.compile(
    r"^(?:无|没有|没|不用|不需要|不知道|不清楚|随便|都行|略|无事由|没事由|不填|不写|私事|"
    r"hello|hi|你好|您好|嗯|哦|啊|好|好的|\?|？|\.|。)+$", re.I)
JUNK = re.compile(r"^[A-Za-z]{6,}$")  # "asdfghjkl"

EQUIPMENT = ("投影仪", "投影", "幕布", "话筒", "麦克风", "音响", "白板", "电子白板", "大屏", "LED屏",
             "电视", "电脑", "笔记本电脑", "视频会议", "会议系统", "录音笔", "激光笔", "翻页笔", "桌牌",
             "横幅", "茶水", "矿泉水", "签到台", "摄像", "同声传译", "网络")
NEED_RE = re.compile(r"需要|要|配|带|准备|借用|用到|安排|提供|加")
EQUIPMENT_RE = re.compile("|".join(sorted(map(re.escape, EQUIPMENT), key=len, reverse=True)), re.I)


def purpose_in(text: str) -> str | None:
    """The purpose when said: "事由：送材料", or the activity after the place
    ("去市政府开会" → "开会")."""
    m = PURPOSE_RE.search(text) or ACTIVITY_RE.search(text)
    return m["p"] if m else None


def purpose_answer(text: str) -> str | None:
    """The answer to "用车事由？" as a purpose ("接待来访", "事由是送文件"), or None when it
    is no purpose ("无", "不知道", "确认", "asdfghjkl")."""
    said = ANSWER_PREFIX.sub("", text.strip(), count=1).strip(" ，,。.!！")
    if not said or is_yes(said) or NOT_A_PURPOSE.match(said) or JUNK.match(said):
        return None
    return said[:MAX_PURPOSE]


def equipment_in(text: str) -> list[str]:
    """The equipment a message asks for ("需要投影仪和话筒" → ["投影仪", "话筒"]), in the
    order said; nothing unless a need is said (要/需要/准备…)."""
    if not NEED_RE.search(text):
        return []
    found: list[str] = []
    for m in EQUIPMENT_RE.finditer(text):
        if m[0] not in found:
            found.append(m[0])
    return found


def need_at(text: str) -> int:
    """Where the equipment clause begins ("部门例会，需要投影仪" → at "需要")."""
    m = NEED_RE.search(text)
    return m.start() if m else len(text)
