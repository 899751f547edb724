"""Use cases. The ordered router list is the one place that decides who handles what."""

from handlers import help as help_
from handlers.base import Handler, Router
from nlp.types import Intent

# order matters: cancel first, fallback last
ROUTERS: list[Router] = [
    help_.router,
    help_.fallback_router,
]


def find_handler(intent: Intent, routers: list[Router] = ROUTERS) -> Handler:
    """The first router that takes the intent; the fallback takes everything."""
    for r in routers:
        handler = r.resolve(intent)
        if handler is not None:
            return handler
    return help_.fallback
