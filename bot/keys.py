"""Typed keys of the aiohttp application (https://docs.aiohttp.org/en/stable/web_advanced.html#application-s-config)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from settings import Settings

if TYPE_CHECKING:

    pass

SETTINGS = web.AppKey("settings", Settings)
REDIS = web.AppKey("redis", "aioredis.Redis | None")
WECOM = web.AppKey("wecom", "WeComClient")
DEDUP = web.AppKey("dedup", "DedupStore")
NLU = web.AppKey("nlu", "Nlu")
DISPATCHER = web.AppKey("dispatcher", "Dispatcher")
