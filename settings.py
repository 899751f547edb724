"""Configuration (CONTRACT §2): built once in main(), from the environment and `.env`.

Nothing here runs at import time; tests build `Settings(...)` directly.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com/cgi-bin/"
DEFAULT_OAUTH_URL = "https://open.weixin.qq.com/connect/oauth2/authorize"


class SettingsError(ValueError):
    """A missing or malformed variable; the message names it in one line."""


@dataclass(frozen=True, slots=True)
class Settings:
    corp_id: str = ""
    agent_id: int = 0
    secret: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    aes_key: str = field(default="", repr=False)
    api_base: str = DEFAULT_API_BASE
    oauth_url: str = DEFAULT_OAUTH_URL
    database_url: str = "sqlite://data/bot.sqlite3"
    redis_url: str | None = None
    public_base_url: str = "http://127.0.0.1:8080"
    secret_key: str = field(default="", repr=False)
    admin_token: str | None = field(default=None, repr=False)
    host: str = "127.0.0.1"
    port: int = 8080
    timezone: str = "Asia/Shanghai"
    demo: bool = False
    data_dir: str = "data"
    # Prefix of every Redis key, so that several deployments (or tests) can share one Redis.
    key_prefix: str = "jgbot:"
    # Working hours an approval step may wait before its approver is reminded (twice
    # this: the next level up is told); issue 5, item 4.
    approval_reminder_hours: float = 4.0
    # `python main.py sync` inside `serve` every this many minutes; 0: off (issue 17, item 4).
    sync_interval_minutes: float = 0.0
    # The role mapping of the WeCom sync; "" means `{data_dir}/roles.yaml`.
    sync_roles_file: str = ""

    @property
    def roles_path(self) -> Path:
        return Path(self.sync_roles_file) if self.sync_roles_file else Path(self.data_dir) / "roles.yaml"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def require_serve(self) -> None:
        """Check what `serve` needs; raise SettingsError naming the first bad variable."""
        if not re.fullmatch(r"ww[0-9a-zA-Z]{6,30}|wx[0-9a-zA-Z]{6,30}", self.corp_id or ""):
            raise SettingsError(_bad("WECOM_CORP_ID", self.corp_id, "a corp id like ww1234abcd"))
        if self.agent_id <= 0:
            raise SettingsError(_bad("WECOM_AGENT_ID", "", "a positive integer AgentId"))
        if not self.secret:
            raise SettingsError(_bad("WECOM_SECRET", "", "the app's Secret"))
        if not re.fullmatch(r"[A-Za-z0-9]{3,32}", self.token or ""):
            raise SettingsError(_bad("WECOM_TOKEN", "", "3-32 letters or digits"))
        if not valid_aes_key(self.aes_key):
            raise SettingsError(_bad("WECOM_AES_KEY", "", "43 characters of base64 (EncodingAESKey)"))
        if len(self.secret_key) < 16:
            raise SettingsError(_bad("SECRET_KEY", "", "at least 16 characters"))


def valid_aes_key(key: str) -> bool:
    if not key or len(key) != 43:
        return False
    try:
        return len(base64.b64decode(key + "=", validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def _bad(name: str, value: str, want: str) -> str:
    # The value is shown only for non-secret variables (callers pass "" for secrets).
    shown = f" (got {value!r})" if value else ""
    return f"{name} is missing or malformed{shown}: expected {want}"


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> Settings:
    """Settings from `.env` overlaid by the environment; format errors raise SettingsError."""
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str, default: str = "") -> str:
        return values.get(name, default).strip()

    def integer(name: str, default: int) -> int:
        raw = get(name)
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(_bad(name, raw, "an integer")) from None

    raw_hours = get("APPROVAL_REMINDER_HOURS")
    try:
        reminder_hours = float(raw_hours) if raw_hours else 4.0
    except ValueError:
        reminder_hours = 0.0
    if not 0 < reminder_hours <= 1000:
        raise SettingsError(_bad("APPROVAL_REMINDER_HOURS", raw_hours, "a positive number of hours"))
    raw_sync = get("SYNC_INTERVAL_MINUTES")
    try:
        sync_minutes = float(raw_sync) if raw_sync else 0.0
    except ValueError:
        sync_minutes = -1.0
    if not (sync_minutes == 0 or 1 <= sync_minutes <= 7 * 24 * 60):
        raise SettingsError(_bad("SYNC_INTERVAL_MINUTES", raw_sync, "0 (off) or 1 to 10080 minutes"))
    tz = get("BOT_TIMEZONE", "Asia/Shanghai")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(_bad("BOT_TIMEZONE", tz, "an IANA time zone like Asia/Shanghai")) from None
    db = get("DATABASE_URL", "sqlite://data/bot.sqlite3")
    if not re.match(r"(sqlite|postgres|postgresql|asyncpg)://", db):
        raise SettingsError(_bad("DATABASE_URL", db.split("@")[-1], "sqlite://… or postgres://…"))
    redis_url = get("REDIS_URL") or None
    if redis_url and not re.match(r"(redis|rediss|unix)://", redis_url):
        raise SettingsError(_bad("REDIS_URL", "", "redis://host:port/db"))
    port = integer("PORT", 8080)
    if not 0 < port < 65536:
        raise SettingsError(_bad("PORT", str(port), "a TCP port"))
    for name in ("WECOM_API_BASE", "WECOM_OAUTH_URL", "PUBLIC_BASE_URL"):
        raw = get(name)
        if raw and not re.match(r"https?://", raw):
            raise SettingsError(_bad(name, raw, "an http(s) URL"))
    api_base = get("WECOM_API_BASE", DEFAULT_API_BASE)
    return Settings(
        corp_id=get("WECOM_CORP_ID"),
        agent_id=integer("WECOM_AGENT_ID", 0),
        secret=get("WECOM_SECRET"),
        token=get("WECOM_TOKEN"),
        aes_key=get("WECOM_AES_KEY"),
        api_base=api_base if api_base.endswith("/") else api_base + "/",
        oauth_url=get("WECOM_OAUTH_URL", DEFAULT_OAUTH_URL),
        database_url=db,
        redis_url=redis_url,
        public_base_url=get("PUBLIC_BASE_URL", "http://127.0.0.1:8080").rstrip("/"),
        secret_key=get("SECRET_KEY"),
        admin_token=get("ADMIN_TOKEN") or None,
        host=get("HOST", "127.0.0.1"),
        port=port,
        timezone=tz,
        data_dir=get("DATA_DIR", "data"),
        key_prefix=get("REDIS_KEY_PREFIX", "jgbot:"),
        approval_reminder_hours=reminder_hours,
        sync_interval_minutes=sync_minutes,
        sync_roles_file=get("SYNC_ROLES_FILE"),
    )
