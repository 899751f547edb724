"""Use cases. The ordered router list is the one place that decides who handles what."""

from handlers import (
    approval,
    cancel,
    crew,
    facility_reservation,
    feedback,
    feeds,
    reminders,
    repair,
    status,
    vehicle_booking,
)
from handlers import help as help_
from handlers.base import Handler, Router
from nlp.types import Intent

# order matters: cancel first, fallback last
ROUTERS: list[Router] = [
    cancel.router,
    reminders.router,
    approval.router,
    status.router,
    feedback.router,
    feeds.router,
    repair.router,
    crew.router,
    vehicle_booking.router,
    facility_reservation.router,
    help_.router,
    help_.fallback_router,
]


def text_handlers(text: str, routers: list[Router] = ROUTERS) -> list[Handler]:
    """Handlers whose text pattern matches, in router order (tried before intents; each
    may decline by returning None)."""
    return [fn for r in routers for _, fn in r.match_text(text)]


def find_handler(intent: Intent, routers: list[Router] = ROUTERS) -> Handler:
    """The first router that takes the intent; the fallback takes everything."""
    for r in routers:
        handler = r.resolve(intent)
        if handler is not None:
            return handler
    return help_.fallback
