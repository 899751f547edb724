"""Settings from the environment and `.env` (CONTRACT §2); `serve` refuses bad ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from settings import SettingsError, load_settings
from tests.conftest import TEST_AES_KEY

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "WECOM_CORP_ID": "ww1234567890abcdef",
    "WECOM_AGENT_ID": "1000002",
    "WECOM_SECRET": "s3cr3t-value",
    "WECOM_TOKEN": "tok123",
    "WECOM_AES_KEY": TEST_AES_KEY,
    "SECRET_KEY": "x" * 32,
}


def test_defaults_follow_the_contract() -> None:
    s = load_settings({}, env_file=None)
    assert s.api_base == "https://qyapi.weixin.qq.com/cgi-bin/"
    assert s.oauth_url == "https://open.weixin.qq.com/connect/oauth2/authorize"
    assert s.database_url == "sqlite://data/bot.sqlite3"
    assert s.redis_url is None
    assert s.public_base_url == "http://127.0.0.1:8080"
    assert s.admin_token is None
    assert (s.host, s.port, s.timezone) == ("127.0.0.1", 8080, "Asia/Shanghai")


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("PORT=9000\nWECOM_CORP_ID=wwfromfile01\n", encoding="utf-8")
    s = load_settings({"PORT": "9100"}, env_file=env)
    assert s.port == 9100
    assert s.corp_id == "wwfromfile01"


def test_good_settings_pass_serve_checks() -> None:
    load_settings(GOOD, env_file=None).require_serve()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WECOM_CORP_ID", ""),
        ("WECOM_CORP_ID", "not a corp"),
        ("WECOM_AGENT_ID", ""),
        ("WECOM_SECRET", ""),
        ("WECOM_TOKEN", ""),
        ("WECOM_AES_KEY", "short"),
        ("WECOM_AES_KEY", "!" * 43),
        ("SECRET_KEY", ""),
    ],
)
def test_serve_names_the_bad_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({**GOOD, name: value}, env_file=None).require_serve()


@pytest.mark.parametrize(
    ("name", "value"),
    [("WECOM_AGENT_ID", "abc"), ("PORT", "99999"), ("DATABASE_URL", "mysql://x"),
     ("BOT_TIMEZONE", "Mars/Base"), ("WECOM_API_BASE", "ftp://x")],
)
def test_malformed_values_are_refused(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({**GOOD, name: value}, env_file=None)


def test_secrets_not_in_repr() -> None:
    s = load_settings(GOOD, env_file=None)
    assert GOOD["WECOM_SECRET"] not in repr(s)
    assert TEST_AES_KEY not in repr(s)


def test_serve_exits_with_one_line_naming_the_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "SECRET_KEY"))}
    env.update({k: v for k, v in GOOD.items() if k != "WECOM_AES_KEY"})
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "serve"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "WECOM_AES_KEY" in lines[0]
    assert "Traceback" not in proc.stderr


def test_serve_refuses_a_bad_workdays_file_in_one_line(tmp_path: Path) -> None:
    """The bureau's calendar file is configuration: malformed, the server says so in one
    line and does not start (nothing is served, nothing written)."""
    (tmp_path / "workdays.yaml").write_text("holidays: 2027-01-01\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "SECRET_KEY"))}
    env.update(GOOD, DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite://{tmp_path}/bot.sqlite3")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "serve"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "workdays.yaml" in lines[0] and "list of dates" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "bot.sqlite3").exists()
