"""Structured logs: one JSON object a line, with the `extra=` fields, and no secret.

Secrets never reach a log call on purpose; the filter below is the second line of
defence, masking any configured secret value and any `access_token=` in a message.
It runs on every line: substring searches first, the precompiled pattern only where
they find something.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Iterable

_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
_PARAMS = r"(?i:(access_token|corpsecret|secret|echostr)=)[^&\s\"']+"


class JsonFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so that a secret containing another is masked whole.
        kept = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)
        self._secrets = kept
        self._redact = re.compile("|".join([_PARAMS, *map(re.escape, kept)])).sub
        self._encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
        self._second = -1
        self._stamp = ""

    def redact(self, text: str) -> str:
        # Nearly every line has neither a query parameter nor a secret: two plain
        # substring searches say so far faster than the pattern can.
        if "=" in text or any(s in text for s in self._secrets):
            return self._redact(_mask, text)
        return text

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": self._ts(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key[0] != "_":
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return self.redact(self._encode(out))

    def _ts(self, created: float) -> str:
        """ISO 8601 in UTC to the millisecond ("2026-03-02T08:15:04.120+00:00"), as
        `datetime.isoformat(timespec="milliseconds")` writes it; the seconds part is
        formatted once a second."""
        second = int(created)
        micros = round((created - second) * 1e6)  # rounded to the microsecond, as datetime
        if micros >= 1_000_000:
            second, micros = second + 1, micros - 1_000_000
        if second != self._second:
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._stamp}.{micros // 1000:03d}+00:00"


def _mask(match: re.Match[str]) -> str:
    name = match.group(1)
    return "***" if name is None else f"{name}=***"


def setup_logging(secrets: Iterable[str] = (), level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    # What the JSON lines do not show need not be gathered for each record (the logging
    # HOWTO's "Optimization": caller's file and line, thread, process names).
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
