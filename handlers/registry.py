"""The service registry: each service (a request type) says in one place what the generic
modules need to know about it, as wechatpy registers its message classes by type.

    handlers/services/<type>.py   SERVICE = Service(type=…, intent=…, name=…, form=…, …)
    handlers/__init__.py          register(<type>.SERVICE)  (one line per service, in order)
    generic modules               service_for(request.type).<field>   /   for s in services()

Generic modules (cancel, status, help, common's card facts, labels, approval's notices,
催办 in reminders, the /m/ pages, the calendar, the dashboard, the demo) read these
declarations and keep no per-type if/else or map of
their own; `tests/handlers/test_registry.py` checks that every `RequestType` is declared
whole. A service is looked up by its type's value, so a request type forgotten here fails
that test, not a user's message (`service_for` raises `UnknownService` naming the type).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from nlp.types import Intent

if TYPE_CHECKING:
    import random

    from handlers.base import Ctx
    from handlers.demo_history import DemoDay
    from handlers.forms import Problem, Submitted
    from models.org import User
    from models.requests import Request

Facts = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class WebForm:
    """The service's /m/new/{slug} form: its template's fields become the chat's slots
    (bot/web/formfields.py reads them, its `FIELDS` by slug: HTML is the web layer's)
    and the form's `submit` checks and writes them, as in chat."""

    slug: str  # /m/new/{slug}, and the template m/{slug}.html
    title: str  # the page's title, "用车申请"
    # slot of a Problem → the form field to mark, where they differ
    field_of_slot: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Form:
    """A form, as Rasa's: the slots a request needs, the question asking each, the
    summary shown before "确认" and the submit use case shared by chat and the web form."""

    required: tuple[str, ...]
    questions: Mapping[str, str]  # slot → the question asking for it
    summary: str  # the read-back template shown before "确认"
    submit: Callable[[dict[str, Any], Ctx], Awaitable[Submitted | Problem]]
    web: WebForm | None = None


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """How a request shows in the iCalendar feeds (bot/web/calendar.py)."""

    summary: str
    location: str
    lines: list[str]


@dataclass(frozen=True, slots=True)
class DemoHistory:
    """The service's part of the demo's past month (handlers/demo_history.py)."""

    per_day: Callable[[random.Random, bool, bool], int]  # (rng, weekend, future) → how many
    make: Callable[[DemoDay], Awaitable[int]]  # one request of that day; 1 made, 0 not
    late: Callable[[DemoDay], Awaitable[int]] | None = None  # what is overdue now, on purpose


async def _nobody(request: Request, ctx: Ctx, what: str, approver_told: bool) -> list[str]:
    return []


async def _nobody_approved(request: Request, ctx: Ctx) -> list[str]:
    return []


async def _nothing_next(request: Request, ctx: Ctx) -> str:
    return ""


async def _no_one_urged(request: Request, ctx: Ctx, waited: str) -> tuple[list[User], str]:
    return [], ""


def _nothing(request: Request, tz: ZoneInfo) -> str:
    return ""


def _no_lines(request: Request) -> list[str]:
    return []


@dataclass(frozen=True, slots=True)
class Service:
    """One service's declaration. Callables take a request whose relations (applicant,
    vehicle, driver, facility, assignee, steps) are fetched."""

    type: str  # the RequestType value: the tables', the admin API's, the CSV's key
    intent: Intent  # the NLU intent that starts its flow
    name: str  # "用车": chat, pages, approve page, dashboard, CSV, iCal
    icon: str  # "🚗": before its line in 帮助 and its form on the /m/ home page
    help_line: str  # its line in 帮助 with an example sentence, "公务用车：如“…”"
    color: str  # its colour in the dashboard's charts
    approval_rule: str  # its key under `approval_rules` in the organisation file
    form: Form
    # "#1024 用车 <window> …": what follows the number, name and time in one line
    describe: Callable[[Request, ZoneInfo], list[str]]
    # what an approver needs besides 申请人 and 时间 (cards, approve page)
    facts: Callable[[Request, ZoneInfo], Facts]
    # the lines above the steps on /m/requests/N ("事由：…")
    page_facts: Callable[[Request], list[str]] = _no_lines
    # status words that differ from the common ones (a repair is 待派工, not 待审批)
    status_words: Mapping[str, str] = field(default_factory=dict)
    # who, besides applicant, approvers, driver and assignee, may see its requests
    seen_by_roles: frozenset[str] = frozenset()
    # status: who it waits for when no approval step does ("等待维修调度派工")
    waits_for: Callable[[Request], str] = lambda request: ""
    # status: said after its one-line description ("（12月3日 10:00报修）")
    summary_note: Callable[[Request, ZoneInfo], str] = _nothing
    # status: lines after the steps ("司机：赵师傅")
    detail_lines: Callable[[Request], list[str]] = _no_lines
    # status: words naming it in a question about "my latest one" ("上次报修的空调修好了
    # 吗" → the latest repair), and what is said when there is none
    latest_words: re.Pattern[str] | None = None
    no_latest: str = ""
    # cancel: what is freed, said after "已取消" ("车辆和司机已释放"; "" nothing held)
    freed_on_cancel: str = ""
    # cancel refused because it started: whom to call ("司机赵师傅")
    started_contact: Callable[[Request], str] = lambda request: "管理员"
    # cancel: tell its own people (driver, worker, dispatchers); returns who was told.
    # `approver_told`: a waiting approver was told already.
    on_cancelled: Callable[[Request, Ctx, str, bool], Awaitable[list[str]]] = _nobody
    # rejection: what is freed, said to the applicant ("预留的场地已释放。")
    freed_on_reject: str = ""
    # approval: the applicant's notice ("" → the common one with its one-line description)
    approved_notice: Callable[[Request, ZoneInfo], str] = _nothing
    # approval: tell its own people (the driver); returns who was told ("司机赵师傅")
    on_approved: Callable[[Request, Ctx], Awaitable[list[str]]] = _nobody_approved
    # approval: what the last approver does next themselves ("" none): an asset manager who
    # approved hands over ("请您发放：办完回复“发放#1031”。"), never "已通知" himself
    approver_next: Callable[[Request, Ctx], Awaitable[str]] = _nothing_next
    # 催办 when no approval step waits: (whom to tell, the text); nobody → "无人可催"
    urged: Callable[[Request, Ctx, str], Awaitable[tuple[list[User], str]]] = _no_one_urged
    # the calendar feeds; None: its requests are not in the feeds
    calendar: Callable[[Request], CalendarEntry] | None = None
    # the demo's history; None: the demo makes none of its requests
    demo: DemoHistory | None = None


class UnknownService(LookupError):
    def __init__(self, request_type: str) -> None:
        super().__init__(f"no service registered for request type {request_type!r} "
                         "(handlers/__init__.py registers each one)")


_SERVICES: dict[str, Service] = {}


def register(service: Service) -> Service:
    """Add a service (its type once only); the order of registration is the order in
    which help, the forms and the dashboard list them."""
    if service.type in _SERVICES:
        raise ValueError(f"service {service.type} registered twice")
    _SERVICES[service.type] = service
    return service


def unregister(request_type: str) -> None:
    """Remove a service (tests register fakes)."""
    _SERVICES.pop(request_type, None)


def service_for(request_type: str) -> Service:
    try:
        return _SERVICES[request_type]
    except KeyError:
        raise UnknownService(request_type) from None


def find_service(request_type: str) -> Service | None:
    """The service of a type, or None (a type no service declares: shown as itself)."""
    return _SERVICES.get(request_type)


def services() -> list[Service]:
    """Every registered service, in registration order."""
    return list(_SERVICES.values())


def web_form(slug: str) -> tuple[Service, WebForm] | None:
    for s in _SERVICES.values():
        if s.form.web is not None and s.form.web.slug == slug:
            return s, s.form.web
    return None


class TypeNames(Mapping[str, str]):
    """request type → its name, read from the registry at each use (so a module may hold
    it before the services are registered)."""

    def __getitem__(self, key: str) -> str:
        service = _SERVICES.get(key)
        if service is None:
            raise KeyError(key)
        return service.name

    def __iter__(self) -> Iterator[str]:
        return iter(list(_SERVICES))

    def __len__(self) -> int:
        return len(_SERVICES)
