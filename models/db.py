"""Database connection and schema: SQLite gets its schema on first start, PostgreSQL
is migrated with aerich (see `migrations/`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise

# Every module that defines tables; aerich and Tortoise.init both read this list.
MODEL_MODULES: list[str] = ["models.org", "models.outbox"]


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite://")


def tortoise_config(url: str) -> dict[str, Any]:
    return {
        "connections": {"default": url},
        "apps": {"models": {"models": [*MODEL_MODULES, "aerich.models"], "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


async def init_db(url: str, *, create_schema: bool = True) -> None:
    """Connect; create or migrate the schema. `_enable_global_fallback` because aiohttp
    runs cleanup contexts and request handlers in different tasks (Tortoise 1.x keeps its
    context in a contextvar)."""
    if is_sqlite(url):
        path = url.removeprefix("sqlite://").split("?")[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    if create_schema:
        await Tortoise.generate_schemas(safe=True)


async def close_db() -> None:
    await Tortoise.close_connections()
