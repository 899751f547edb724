"""The service registry (handlers/registry.py): every request type is declared whole, and
a service registered from outside the generic modules shows in help, status, cancel,
labels, cards and approval notices without a line of theirs changing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import handlers
from bot.web import formfields, pages
from handlers import approval, cancel, status
from handlers.base import Ctx, Message, UserInfo
from handlers.common import approval_card, describe, request_facts
from handlers.help import help_text
from handlers.labels import STATUS_NAMES, TYPE_NAMES, status_label, type_color
from handlers.registry import (
    Form,
    Service,
    UnknownService,
    WebForm,
    register,
    service_for,
    services,
    unregister,
)
from models.org import RequestType, Role
from models.requests import RequestStatus
from nlp.types import Intent
from tests.handlers.conftest import Talk

TZ = ZoneInfo("Asia/Shanghai")
TEMPLATES = Path(pages.__file__).resolve().parent / "templates" / "m"


# ---------------------------------------------------------------------------------------
# Every request type, complete


def test_every_request_type_has_one_service() -> None:
    assert [s.type for s in services()] == [RequestType.VEHICLE_BOOKING,
                                            RequestType.FACILITY_RESERVATION,
                                            RequestType.REPAIR_REQUEST,
                                            RequestType.ASSET_REQUEST]
    assert {s.type for s in services()} == set(RequestType)
    with pytest.raises(UnknownService, match="no_such_type"):
        service_for("no_such_type")
    with pytest.raises(ValueError, match="twice"):
        register(service_for(RequestType.REPAIR_REQUEST))


@pytest.mark.parametrize("request_type", list(RequestType))
def test_the_service_is_declared_whole(request_type: RequestType) -> None:
    s = service_for(request_type)
    # named on every surface, with its icon, example and colour
    assert re.fullmatch(r"[\u4e00-\u9fff]{2,6}", s.name)
    assert TYPE_NAMES[request_type] == s.name
    assert s.icon and not s.icon.isascii()
    assert re.fullmatch(r"[\u4e00-\u9fff]{2,6}：如“.+”", s.help_line)
    assert s.help_line in help_text()
    assert re.fullmatch(r"#[0-9a-f]{6}", s.color) and type_color(request_type) == s.color
    # its rule under approval_rules (CONTRACT §5) is its type's
    assert s.approval_rule == request_type.value
    # its intent is an NLU intent that a router (not the fallback) takes
    assert s.intent.value == request_type.value
    assert handlers.find_handler(s.intent) is not handlers.help_.fallback
    # the form: each required slot has its question, a read-back, a submit
    assert s.form.required
    assert all(slot in s.form.questions for slot in s.form.required)
    assert "确认" in s.form.summary
    assert callable(s.form.submit)
    # its web form: a template and a field reader in the web layer, and its title
    assert s.form.web is not None
    assert (TEMPLATES / f"{s.form.web.slug}.html").is_file()
    assert s.form.web.slug in formfields.FIELDS
    assert s.name in s.form.web.title or s.form.web.title in s.name
    # every status has its word, the service's own or the common one
    for st in RequestStatus:
        word = status_label(request_type, st)
        assert word and word != st.value and re.fullmatch(r"[\u4e00-\u9fff]+", word)
    assert set(s.status_words) <= set(RequestStatus)
    # a question about the latest one has its answer when there is none
    assert s.latest_words is None or re.fullmatch(r"[^a-z]+。", s.no_latest)
    # the demo's month has some of its requests (the dashboard shows every service)
    assert s.demo is not None


def test_names_and_colours_are_distinct() -> None:
    assert len({s.name for s in services()}) == len(services())
    assert len({s.color for s in services()}) == len(services())
    assert len({s.form.web.slug for s in services() if s.form.web}) == len(services())


def test_the_calendar_feeds_take_the_services_with_a_calendar() -> None:
    from handlers.queries import calendar_types

    assert calendar_types() == [RequestType.VEHICLE_BOOKING, RequestType.FACILITY_RESERVATION]


# ---------------------------------------------------------------------------------------
# A service added from outside: 借阅 (lending the archive's books)


@dataclass
class Person:
    userid: str
    name: str


@dataclass
class FakeRequest:
    """The attributes the generic modules read of a request (a real row needs its type in
    the RequestType column; the generic code must not care)."""

    no: int
    type: str
    status: RequestStatus
    applicant: Person
    start: datetime | None = None
    end: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)
    steps: list[Any] = field(default_factory=list)
    vehicle: Any = None
    driver: Any = None
    facility: Any = None
    assignee: Any = None
    rating: int | None = None
    created_at: datetime = datetime(2026, 11, 30, 8, 0, tzinfo=TZ)


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Message, str | None]] = []

    async def notify(self, user_id: str, message: Message, *, key: str | None = None) -> None:
        self.sent.append((user_id, message, key))


KEEPER = Person("dangan", "刘老师")


async def _tell_keeper(request: Any, ctx: Ctx, what: str, approver_told: bool) -> list[str]:
    await ctx.notifier.notify(KEEPER.userid, Message.text(f"【借阅取消】{what}"),
                              key=f"cancelled:{request.no}:{KEEPER.userid}")
    return [f"档案室{KEEPER.name}"]


async def _submit(slots: dict[str, Any], ctx: Ctx) -> Any:
    raise AssertionError("not submitted in this test")


LOAN = Service(
    type="archive_loan",
    intent=Intent.HELP,  # any: the test does not route by it
    name="借阅",
    icon="📚",
    help_line="档案借阅：如“借一本2020年的档案汇编”",
    color="#7a4fb3",
    approval_rule="archive_loan",
    form=Form(required=("title", "copies"), questions={"title": "借哪一本？", "copies": "几本？"},
              summary="请确认借阅：{title} {copies}本\n回复“确认”提交。", submit=_submit,
              web=WebForm("loan", "档案借阅")),
    describe=lambda r, tz: [str(r.details["title"]), f"{r.details['copies']}本"],
    facts=lambda r, tz: [("书名", str(r.details["title"])), ("册数", f"{r.details['copies']}本")],
    page_facts=lambda r: [f"书名：{r.details['title']}"],
    status_words={RequestStatus.APPROVED: "待取书"},
    seen_by_roles=frozenset({"archivist"}),
    waits_for=lambda r: "到档案室取书" if r.status is RequestStatus.APPROVED else "",
    summary_note=lambda r, tz: "（限借30天）",
    detail_lines=lambda r: [f"经办：{KEEPER.name}"],
    freed_on_cancel="书已放回架上",
    started_contact=lambda r: f"档案室{KEEPER.name}",
    on_cancelled=_tell_keeper,
    freed_on_reject="预留的书已放回。",
    approved_notice=lambda r, tz: f"您的借阅 #{r.no} 已批准，请到档案室取书。",
)


@pytest.fixture
def loan() -> Iterator[Service]:
    register(LOAN)
    yield LOAN
    unregister(LOAN.type)
    assert LOAN.type not in TYPE_NAMES


def _ctx(user: Person, roles: frozenset[str] = frozenset()) -> Ctx:
    return Ctx(UserInfo(user.userid, user.name, 11, roles), datetime(2026, 12, 1, 9, 0, tzinfo=TZ),
               Recorder())


def _request(status_: RequestStatus = RequestStatus.APPROVED) -> Any:
    return FakeRequest(1234, LOAN.type, status_, Person("zhangsan", "张三"),
                       start=datetime(2026, 12, 2, 9, 0, tzinfo=TZ),
                       end=datetime(2026, 12, 2, 10, 0, tzinfo=TZ),
                       details={"title": "档案汇编", "copies": 2})


def test_a_new_service_is_in_help_and_labels(loan: Service) -> None:
    assert "📚 档案借阅：如“借一本2020年的档案汇编”" in help_text().split("\n")
    assert help_text().index("报修") < help_text().index("档案借阅") < help_text().index("查进度")
    assert TYPE_NAMES["archive_loan"] == "借阅" and "archive_loan" in list(TYPE_NAMES)
    assert status_label("archive_loan", RequestStatus.APPROVED) == "待取书"
    assert status_label("archive_loan", RequestStatus.PENDING) == STATUS_NAMES["pending"]
    assert type_color("archive_loan") == "#7a4fb3"


def test_a_new_service_in_status_and_cards(loan: Service) -> None:
    r = _request()
    assert describe(r, TZ) == "#1234 借阅 12月2日(周三) 09:00-10:00 档案汇编 2本"
    assert status.summary(r, TZ) == (
        "#1234 借阅 12月2日(周三) 09:00-10:00 档案汇编 2本（限借30天）【待取书·到档案室取书】")
    assert status.detail(r, TZ).split("\n")[1:] == ["经办：刘老师"]
    assert status.may_see(r, _ctx(Person("liu", "刘"), frozenset({"archivist"})))
    assert not status.may_see(r, _ctx(Person("wuli", "吴力"), frozenset({Role.STAFF})))
    assert request_facts(r, "张三", TZ) == [
        ("申请人", "张三"), ("时间", "12月2日(周三) 09:00-10:00"), ("书名", "档案汇编"),
        ("册数", "2本")]
    step = type("Step", (), {"id": 7, "seq": 1})()
    card = approval_card(r, step, "张三", TZ, "https://example.org/a")
    assert card["main_title"]["title"] == "借阅申请待您审批 #1234"
    assert approval.approved_text(r, TZ) == "您的借阅 #1234 已批准，请到档案室取书。"


async def test_a_new_service_in_cancel(loan: Service) -> None:
    r = _request()
    ctx = _ctx(Person("zhangsan", "张三"))
    told = await cancel.tell_cancelled(r, ctx)
    assert told == ["档案室刘老师"]
    recorder = ctx.notifier
    assert isinstance(recorder, Recorder)
    assert [(u, m.content["content"], k) for u, m, k in recorder.sent] == [
        ("dangan", "【借阅取消】#1234 借阅 12月2日(周三) 09:00-10:00 档案汇编 2本",
         "cancelled:1234:dangan")]
    assert cancel.done_text(r, told) == "好的，#1234 已取消。书已放回架上。已通知档案室刘老师。"


async def test_a_new_service_is_in_help_through_the_dispatcher(talk: Talk, loan: Service) -> None:
    reply = await talk.say("zhangsan", "你能做什么")
    assert "📚 档案借阅：如“借一本2020年的档案汇编”" in reply
    assert reply.index("🔧 报修") < reply.index("📚 档案借阅") < reply.index("📋 查进度")
