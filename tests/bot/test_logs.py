"""The JSON log lines: one object a line, the `extra=` fields, secrets masked."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from bot.logs import JsonFormatter

SECRETS = ["corp-secret-0123", "aes-key-abcdefghijklmnop", "tok-12345", "short"]


def record(msg: str, *args: object, exc: bool = False, **extra: object) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            exc_info = sys.exc_info()
    rec = logging.LogRecord("bot.dispatch", logging.INFO, __file__, 1, msg, args or None, exc_info)
    rec.__dict__.update(extra)
    return rec


def test_a_line_with_its_extra_fields() -> None:
    rec = record("handled %s", "ok", user="zhangsan", msg_id="123", intent="help", _private=1)
    line = json.loads(JsonFormatter(SECRETS).format(rec))
    expected_ts = datetime.fromtimestamp(rec.created, UTC).isoformat(timespec="milliseconds")
    assert line == {"ts": expected_ts, "level": "info", "logger": "bot.dispatch",
                    "msg": "handled ok", "user": "zhangsan", "msg_id": "123", "intent": "help"}


def test_secrets_and_credentials_in_urls_are_masked() -> None:
    fmt = JsonFormatter(SECRETS)
    rec = record("GET /gettoken?corpid=ww1&corpsecret=%s then ?access_token=AbC&x=1 ECHOSTR=zz",
                 "anything", token="tok-12345", nested={"key": "aes-key-abcdefghijklmnop"},
                 note="corp-secret-0123 twice: corp-secret-0123")
    text = fmt.format(rec)
    for secret in ("tok-12345", "aes-key-abcdefghijklmnop", "corp-secret-0123", "AbC", "zz", "anything"):
        assert secret not in text
    line = json.loads(text)
    assert "corpsecret=***" in line["msg"] and "access_token=***&x=1" in line["msg"]
    assert "ECHOSTR=***" in line["msg"]
    assert line["token"] == "***" and line["note"] == "*** twice: ***"
    # Shorter than six characters: too likely to mask ordinary words.
    assert json.loads(fmt.format(record("a short word")))["msg"] == "a short word"


def test_a_secret_containing_another_is_masked_whole() -> None:
    fmt = JsonFormatter(["secret-abc", "secret-abc-def"])
    assert json.loads(fmt.format(record("x secret-abc-def y")))["msg"] == "x *** y"


def test_exceptions_are_included() -> None:
    line = json.loads(JsonFormatter().format(record("failed", exc=True)))
    assert "ValueError: boom" in line["exc"]
