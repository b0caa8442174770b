"""Secrets never leave the environment; logs are fit for operators and carry no content."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bot.config import read_environment
from tests.conftest import BIN, REPO, cli_env

SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-FAKE-SECRET-111",
    "SLACK_SIGNING_SECRET": "FAKE-SIGNING-SECRET-222",
    "SLACK_APP_TOKEN": "xapp-FAKE-SECRET-333",
    "TELEGRAM_BOT_TOKEN": "999:FAKE-TELEGRAM-SECRET-444",
    "TELEGRAM_WEBHOOK_SECRET": "FAKE-WEBHOOK-SECRET-555",
}


def leaks(text: str) -> list[str]:
    return [value for value in SECRETS.values() if value in text or value[-10:] in text]


def test_environment_repr_hides_secrets() -> None:
    env = read_environment(SECRETS)
    assert leaks(repr(env)) == []
    assert env.platforms == ["slack", "telegram"]


def test_check_output_never_shows_secrets(tmp_path: Path) -> None:
    result = subprocess.run([BIN / "reseau-bot", "check"], cwd=REPO, capture_output=True,
                            text=True, env=cli_env(tmp_path / "data", **SECRETS), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "slack, telegram" in result.stdout
    assert leaks(result.stdout + result.stderr) == []


def test_console_replies_errors_and_logs_never_show_secrets(tmp_path: Path) -> None:
    data = tmp_path / "data"
    lines = "membres\nxyzzy\nréunion 30 février 2030 10h\n" + "\x00" * 50 + "\n"
    result = subprocess.run([BIN / "reseau-bot", "console"], cwd=REPO, input=lines,
                            capture_output=True, text=True,
                            env=cli_env(data, RESEAU_LOG_FORMAT="json", **SECRETS), timeout=60)
    assert result.returncode == 0, result.stderr
    log = (data / "reseau-bot.log").read_text()
    assert leaks(result.stdout + result.stderr + log) == []
    assert (data / "reseau-bot.log").stat().st_mode & 0o777 == 0o600


def test_json_logs_carry_event_platform_member_command_duration_and_no_content(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    lines = "partager https://confidential.example/x Titre confidentiel #1\nmembres\n"
    result = subprocess.run([BIN / "reseau-bot", "run"], cwd=REPO, input=lines,
                            capture_output=True, text=True,
                            env=cli_env(data, RESEAU_LOG_FORMAT="json"), timeout=60)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in (data / "reseau-bot.log").read_text().splitlines()]
    handled = [r for r in records if r["event"] == "handled"]
    assert [(r["platform"], r["member"], r["command"]) for r in handled] == [
        ("console", "aminata", "share"), ("console", "aminata", "members")]
    assert all(isinstance(r["duration_ms"], float) for r in handled)
    assert "confidentiel" not in (data / "reseau-bot.log").read_text()


def test_text_logs_are_readable_lines(tmp_path: Path) -> None:
    data = tmp_path / "data"
    subprocess.run([BIN / "reseau-bot", "run"], cwd=REPO, input="aide\n", capture_output=True,
                   text=True, env=cli_env(data), timeout=60)
    line = next(line for line in (data / "reseau-bot.log").read_text().splitlines()
                if " handled " in line)
    assert "platform=console member=aminata command=help duration_ms=" in line
