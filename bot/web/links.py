"""Signed links put in messages: approve links bound to one approver and one step, that
expire (72 h), plain page links and the calendar feeds' subscription URLs."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import quote

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from settings import Settings

APPROVE_LINK_SECONDS = 72 * 3600
SIG_LENGTH = 32  # hex characters of a calendar feed's HMAC kept in its URL
KINDS = ("user", "room")  # the calendar feeds (bot/web/calendar.py)


class LinkError(Exception):
    """A link that is tampered with or expired; `expired` tells which."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "bad signature")
        self.expired = expired


class SignedLinks:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._base = settings.public_base_url.rstrip("/")
        self._approve = URLSafeTimedSerializer(settings.secret_key, salt="jgbot:approve")

    def approve_token(self, request_no: int, step_id: int, approver: str) -> str:
        return self._approve.dumps({"n": request_no, "s": step_id, "a": approver})

    def approve_url(self, request_no: int, step_id: int, approver: str) -> str:
        return f"{self._base}/approve/{self.approve_token(request_no, step_id, approver)}"

    def read_approve_token(self, token: str, max_age: int = APPROVE_LINK_SECONDS) -> dict[str, Any]:
        """{"n": request number, "s": step id, "a": approver userid}; LinkError otherwise."""
        try:
            data = self._approve.loads(token, max_age=max_age)
        except SignatureExpired:
            raise LinkError(expired=True) from None
        except BadSignature:
            raise LinkError(expired=False) from None
        if not (isinstance(data, dict) and isinstance(data.get("n"), int)
                and isinstance(data.get("s"), int) and isinstance(data.get("a"), str)):
            raise LinkError(expired=False)
        return data

    def page_url(self, path: str) -> str:
        return f"{self._base}/{path.lstrip('/')}"

    def calendar_url(self, kind: str, ident: str) -> str:
        return calendar_url(self._settings, kind, ident)


# ---------------------------------------------------------------------------------------
# Calendar feeds: a calendar app cannot sign in, so the URL carries the right to read
# (bot/web/calendar.py)


def calendar_sig(settings: Settings, kind: str, ident: str) -> str:
    message = f"cal:{kind}:{ident}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()[:SIG_LENGTH]


def calendar_url(settings: Settings, kind: str, ident: str) -> str:
    """The feed's subscription URL for messages: `kind` is "user" (a userid) or "room"
    (a facility id)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    sig = calendar_sig(settings, kind, ident)
    return f"{settings.public_base_url}/calendar/{kind}/{quote(ident, safe='')}.ics?sig={sig}"


def sig_ok(settings: Settings, kind: str, ident: str, given: str) -> bool:
    if not settings.secret_key or not given.isascii():
        return False
    return hmac.compare_digest(given.encode(), calendar_sig(settings, kind, ident).encode())
