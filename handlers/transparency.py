"""权力清单 (issue 17 item 6): every service, who approves it at each step, the time limits
and the reminders — worked out from what is in force (the approval rules and the roles'
holders in the database, the facilities that need approval, the reminder limits the
sweeper uses, the working hours), never a table written by hand.

Service names come from handlers.labels (the service registry will take that over).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from handlers.checkin import CHECKIN_BEFORE, RELEASE_AFTER
from handlers.labels import TYPE_NAMES, RequestType, Role, role_name
from handlers.reminders import DISPATCH_LIMIT, ESCALATION_FACTOR, URGE_EVERY
from models.admin import all_facilities, all_rules, role_holders
from models.assets import department_head_name, department_name
from models.org import DEFAULT_RULES, split_rule_role
from models.worktime import WORK_DAYS, WORK_PERIODS

DEPT_HEAD_WHO = ("申请人所在部门的负责人；本部门没有负责人时，由上一级部门负责人审批；"
                 "申请人本人是负责人时，也交上一级")
NOBODY = "（暂无人担任，请联系管理员）"
NO_APPROVAL = "无需审批"
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True, slots=True)
class Step:
    no: int
    role: str
    who: str


@dataclass(frozen=True, slots=True)
class Service:
    type: str
    name: str
    steps: tuple[Step, ...]
    notes: tuple[str, ...]  # who else acts, and when approval applies
    limits: tuple[str, ...]  # time limits and reminders


def duration(limit: timedelta) -> str:
    """4小时, 30分钟, 1小时30分钟."""
    minutes = int(limit.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}小时" if hours else "") + (f"{minutes}分钟" if minutes or not hours else "")


def working_hours() -> str:
    """工作日（周一至周五）9:00–12:00、13:30–17:30 …, from models.worktime."""
    days = sorted(WORK_DAYS)
    span = (f"周{WEEKDAYS[days[0]]}至周{WEEKDAYS[days[-1]]}"
            if days == list(range(days[0], days[-1] + 1)) else "、".join(f"周{WEEKDAYS[d]}" for d in days))
    periods = "、".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in WORK_PERIODS)
    return f"工作时间为{span}的 {periods}（法定节假日、调休和本局另行安排的日子照此调整）。"


def _who(role: str, holders: dict[str, list[str]]) -> str:
    if role == Role.DEPT_HEAD:
        return DEPT_HEAD_WHO
    names = holders.get(role, [])
    return "、".join(names) if names else NOBODY


async def power_list(approval_limit: timedelta) -> list[Service]:
    """Every service as it runs today; `approval_limit` is the reminder limit in force
    (settings' APPROVAL_REMINDER_HOURS)."""
    rules = await all_rules()
    holders = {r: [u.name for u in users] for r, users in (await role_holders()).items()}
    rooms = [f for f in await all_facilities() if f.active]
    step_limits = (
        f"每一步超过{duration(approval_limit)}（工作时间）未处理，提醒审批人一次；",
        f"超过{duration(approval_limit * ESCALATION_FACTOR)}仍未处理，告知上一级负责人"
        "（没有上一级时告知管理员）；",
        f"申请人可在对话中说“催办 #编号”，同一申请每{duration(URGE_EVERY)}最多一次。",
    )
    out = []
    for rtype in RequestType:
        name = TYPE_NAMES.get(rtype, str(rtype))
        chain = rules.get(str(rtype), DEFAULT_RULES.get(str(rtype), []))
        steps = tuple([await _step(i + 1, r, holders) for i, r in enumerate(chain)])
        notes: list[str] = []
        limits: list[str] = list(step_limits) if steps else []
        if rtype is RequestType.FACILITY_RESERVATION:
            need = [f.name for f in rooms if f.needs_approval]
            free = [f.name for f in rooms if not f.needs_approval]
            if steps:
                notes.append("需要审批的场地：" + ("、".join(need) or "无") + "。")
            notes.append("预约即成功、无需审批的场地：" + ("、".join(free) or "无") + "。")
            limits.append(f"开始前{duration(CHECKIN_BEFORE)}请预约人回复“确认使用”；开始后"
                          f"{duration(RELEASE_AFTER)}仍未确认的，场地自动释放并告知预约人。")
        if rtype is RequestType.REPAIR_REQUEST:
            dispatchers = holders.get(Role.REPAIR_DISPATCHER, [])
            notes.append(f"报修提交后由{role_name(Role.REPAIR_DISPATCHER)}（"
                         f"{'、'.join(dispatchers) or NOBODY}）派给{role_name(Role.REPAIR_WORKER)}。")
            limits.append(f"超过{duration(DISPATCH_LIMIT)}（工作时间）未派工，提醒"
                          f"{role_name(Role.REPAIR_DISPATCHER)}一次。")
        if rtype is RequestType.ASSET_REQUEST:
            for kind, kind_name in (("transfer", "调剂"), ("disposal", "处置")):
                own = rules.get(f"{rtype}.{kind}")
                if own is not None:
                    labels = [(await _step(i + 1, r, holders)).role for i, r in enumerate(own)]
                    notes.append(f"{kind_name}另按：" + (" → ".join(labels) or NO_APPROVAL) + "。")
            managers = holders.get(Role.ASSET_MANAGER, [])
            notes.append(f"领用的资产在提交时预留；审批通过后由{role_name(Role.ASSET_MANAGER)}（"
                         f"{'、'.join(managers) or NOBODY}）发放或办结；驳回、取消即退回库存。")
        out.append(Service(str(rtype), name, steps, tuple(notes), tuple(limits)))
    return out


async def _step(no: int, entry: str, holders: dict[str, list[str]]) -> Step:
    """One step; `dept_head@13` is the head of department 13 (the asset office)."""
    role, dept = split_rule_role(entry)
    if dept is None:
        return Step(no, role_name(role), _who(role, holders))
    office = await department_name(dept)
    return Step(no, f"{office}负责人", await department_head_name(dept) or NOBODY)
