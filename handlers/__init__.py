"""Use cases. The ordered router list is the one place that decides who handles what; the
service list below, the one place that says which services there are (handlers/registry.py)."""

from handlers import (
    approval,
    asset_office,
    asset_request,
    bundle,
    bundle_after,
    cancel,
    checkin,
    crew,
    facility_reservation,
    feedback,
    feeds,
    fleet,
    rejection,
    reminders,
    repair,
    status,
    vehicle_booking,
)
from handlers import help as help_
from handlers.base import Handler, Router
from handlers.registry import register
from handlers.services import asset_request as asset_service
from handlers.services import facility_reservation as facility_service
from handlers.services import repair_request as repair_service
from handlers.services import vehicle_booking as vehicle_service
from nlp.types import Intent

# order matters: cancel first, fallback last
ROUTERS: list[Router] = [
    bundle_after.router,  # a bundle's number first (取消#1050, #1050 到哪了); the rest it hands on
    cancel.router,
    reminders.router,
    checkin.router,
    fleet.router,
    approval.router,
    rejection.router,
    status.router,
    feedback.router,
    feeds.router,
    repair.router,
    crew.router,
    vehicle_booking.router,
    facility_reservation.router,
    asset_office.router,
    asset_request.router,
    bundle.router,
    help_.router,
    help_.fallback_router,
]

# The services, in the order help, the forms and the dashboard list them; a request type
# missing here fails tests/handlers/test_registry.py.
register(vehicle_service.SERVICE)
register(facility_service.SERVICE)
register(repair_service.SERVICE)
register(asset_service.SERVICE)


def text_handlers(text: str, routers: list[Router] = ROUTERS) -> list[Handler]:
    """Handlers whose text pattern matches, in router order (tried before intents; each
    may decline by returning None)."""
    return [fn for r in routers for pattern, fn in r.patterns if pattern.search(text)]


def find_handler(intent: Intent, routers: list[Router] = ROUTERS) -> Handler:
    """The first router that takes the intent; the fallback takes everything."""
    for r in routers:
        handler = r.resolve(intent)
        if handler is not None:
            return handler
    return help_.fallback
