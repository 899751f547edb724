"""Typed keys of the aiohttp application (https://docs.aiohttp.org/en/stable/web_advanced.html#application-s-config)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from settings import Settings

if TYPE_CHECKING:
    import redis.asyncio as aioredis

    from bot.chat.dispatcher import Dispatcher
    from bot.chat.inbox import Inbox
    from bot.wecom.dedup import DedupStore
    from nlp import Nlu

SETTINGS = web.AppKey("settings", Settings)
REDIS: web.AppKey[aioredis.Redis | None] = web.AppKey("redis")
DEDUP: web.AppKey[DedupStore] = web.AppKey("dedup")
NLU: web.AppKey[Nlu] = web.AppKey("nlu")
DISPATCHER: web.AppKey[Dispatcher] = web.AppKey("dispatcher")
INBOX: web.AppKey[Inbox] = web.AppKey("inbox")
