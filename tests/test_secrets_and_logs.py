"""Secrets never leave the environment; logs are fit for operators and carry no content."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config.environment import read_environment
from bot.logs import LogSettings, setup_logging
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


# Logs that never fill the disk.

@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_the_log_file_rotates_at_its_size_cap_and_stays_private(
        tmp_path: Path, restore_logging: None) -> None:
    settings = LogSettings.read({"RESEAU_LOG_MAX_MB": "0.01", "RESEAU_LOG_BACKUPS": "2"})
    assert (settings.max_bytes, settings.backups, settings.to_stderr) == (10485, 2, False)
    setup_logging(tmp_path, settings=settings)
    noisy = logging.getLogger("bot.platforms.slack")
    for n in range(2000):  # about 150 kB of lines: fifteen times the cap
        noisy.info("slack: request refused (401): bad signature %s", n)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["reseau-bot.log", "reseau-bot.log.1", "reseau-bot.log.2"]
    for path in tmp_path.iterdir():
        assert path.stat().st_size <= settings.max_bytes
        assert path.stat().st_mode & 0o777 == 0o600
    assert "bad signature 1999" in (tmp_path / "reseau-bot.log").read_text()


def test_bad_log_settings_fall_back_to_the_defaults() -> None:
    settings = LogSettings.read({"RESEAU_LOG_MAX_MB": "lots", "RESEAU_LOG_BACKUPS": "-"})
    assert settings == LogSettings()
    assert LogSettings.read({"RESEAU_LOG_MAX_MB": "0"}).max_bytes == 4096


def test_under_systemd_logs_go_to_the_journal_on_stderr(tmp_path: Path) -> None:
    with (tmp_path / "journal").open("w") as stream:
        stat = os.fstat(stream.fileno())
        journal = {"JOURNAL_STREAM": f"{stat.st_dev}:{stat.st_ino}"}
        assert LogSettings.read(journal, stream.fileno()).to_stderr
        assert not LogSettings.read({**journal, "RESEAU_LOG": "file"}, stream.fileno()).to_stderr
    with (tmp_path / "elsewhere").open("w") as other:  # inherited, but stderr went elsewhere
        assert not LogSettings.read(journal, other.fileno()).to_stderr
    assert LogSettings.read({"RESEAU_LOG": "stderr"}).to_stderr


def test_with_reseau_log_stderr_the_process_logs_there_and_writes_no_file(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = subprocess.run([BIN / "reseau-bot", "console"], cwd=REPO, input="aide\n",
                            capture_output=True, text=True,
                            env=cli_env(data, RESEAU_LOG="stderr"), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "command=help" in result.stderr
    assert not (data / "reseau-bot.log").exists()
