"""Signed links put in messages: approve links bound to one approver and one step, that
expire (72 h), and plain page links."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from settings import Settings

APPROVE_LINK_SECONDS = 72 * 3600


class LinkError(Exception):
    """A link that is tampered with or expired; `expired` tells which."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "bad signature")
        self.expired = expired


class SignedLinks:
    def __init__(self, settings: Settings) -> None:
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
