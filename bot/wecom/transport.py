"""Where messages to users go: WeCom `message/send`, or the terminal for `chat`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.wecom.client import WeComClient, WeComError, WeComUnavailable
from bot.wecom.notifier import DUPLICATE_CHECK_SECONDS, DeliveryError
from handlers.outbox import MessageKind


class WeComTransport:
    def __init__(self, client: WeComClient) -> None:
        self._client = client

    async def deliver(
        self, user_id: str, kind: str, content: Mapping[str, Any], *, once: bool = False,
        window: int | None = None,
    ) -> str | None:
        """`message/send`, or for CARD_UPDATE `message/update_template_card` of the card
        `user_id` tapped (or was sent); returns the response_code WeCom answers a button
        card's send with, which updates that card once later. Only busy and rate-limit errcodes are retried: a response_code
        that is used or past its 72 h gives an errcode that is not, so the row is marked
        dead at once instead of retrying for two days."""
        try:
            if kind == MessageKind.CARD_UPDATE:
                code, card = content.get("response_code"), content.get("template_card")
                if not isinstance(code, str) or not code or not isinstance(card, Mapping):
                    raise DeliveryError("card update without response_code or card", retryable=False)
                await self._client.update_template_card([user_id], code, card)
                return None
            data = await self._client.send_message(
                user_id, kind, content,
                duplicate_check_interval=(window or DUPLICATE_CHECK_SECONDS) if once else None,
            )
        except WeComUnavailable as e:
            raise DeliveryError(f"wecom unavailable: {e}", retryable=True) from e
        except WeComError as e:
            raise DeliveryError(f"wecom error {e.errcode}", retryable=e.retryable) from e
        code = data.get("response_code")
        return code if isinstance(code, str) and code else None


class CallbackTransport:
    """Hands each message to a function (the terminal chat, the demo's phone simulator)."""

    def __init__(self, send: Callable[[str, str, Mapping[str, Any]], Any]) -> None:
        self._send = send

    async def deliver(
        self, user_id: str, kind: str, content: Mapping[str, Any], *, once: bool = False,
        window: int | None = None,
    ) -> str | None:
        result = self._send(user_id, kind, content)
        if hasattr(result, "__await__"):
            result = await result
        return result if isinstance(result, str) else None
