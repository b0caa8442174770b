"""Secrets and endpoints, from environment variables only (never from files in the repo): the
Slack and Telegram tokens and API URLs, the data dir, the HTTP host, port and public URL.

Apart from the network's file because these differ per deployment and hold secrets, while the
network file describes the network and may be shared.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.config.problems import Problem
from bot.platforms.email.imap_settings import imap_problem
from bot.platforms.email.settings import smtp_problem


@dataclass(frozen=True)
class Environment:
    """Secrets and endpoints, from environment variables only (never from files in the repo)."""

    # Secrets never appear in a repr, a log line or an error message.
    slack_bot_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_api_url: str = ""
    telegram_bot_token: str = field(default="", repr=False)
    telegram_api_url: str = ""
    telegram_webhook_secret: str = field(default="", repr=False)
    data_dir: Path = Path("data")
    config_path: Path | None = None
    host: str = "127.0.0.1"
    port: int = 3000
    public_url: str = ""  # RESEAU_PUBLIC_URL: where people reach this server (knowledge links)
    journal_mb: int = 8  # RESEAU_JOURNAL_MB: journal size that starts a compaction
    problems: tuple[Problem, ...] = field(default=())
    smtp_url: str = field(default="", repr=False)  # SMTP_URL: email on (may hold a password)
    smtp_from: str = ""  # SMTP_FROM: the sender of the bot's emails
    imap_url: str = field(default="", repr=False)  # IMAP_URL: calendar replies read (password)

    @property
    def platforms(self) -> list[str]:
        """The chat platforms this environment turns on; the console when there is none."""
        found = [name for name, token in (("slack", self.slack_bot_token),
                                          ("telegram", self.telegram_bot_token)) if token]
        return found or ["console"]

    @property
    def base_url(self) -> str:
        """The address in links people are sent: the public URL, else host and port."""
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"


def read_environment(env: dict[str, str] | None = None) -> Environment:
    env = dict(os.environ if env is None else env)
    problems: list[Problem] = []
    port_text = env.get("RESEAU_PORT", "3000")
    try:
        port = int(port_text)
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        problems.append(Problem("environment", "RESEAU_PORT",
                                f"« {port_text} » is not a port number (1-65535)"))
        port = 3000
    if env.get("SLACK_BOT_TOKEN") and not (env.get("SLACK_SIGNING_SECRET")
                                           or env.get("SLACK_APP_TOKEN")):
        problems.append(Problem("environment", "SLACK_SIGNING_SECRET",
                                "is required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN "
                                "for Socket Mode)"))
    public_url = env.get("RESEAU_PUBLIC_URL", "").strip()
    if public_url and not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", public_url):
        problems.append(Problem("environment", "RESEAU_PUBLIC_URL",
                                f"« {public_url[:80]} » is not an http:// or https:// address"))
        public_url = ""
    journal_text = env.get("RESEAU_JOURNAL_MB", "8")
    journal_mb = int(journal_text) if journal_text.isdigit() else 0
    if not 1 <= journal_mb <= 1024:
        problems.append(Problem("environment", "RESEAU_JOURNAL_MB",
                                f"« {journal_text[:20]} » is not a size in megabytes (1-1024)"))
        journal_mb = 8
    smtp = smtp_problem(env.get("SMTP_URL", ""), env.get("SMTP_FROM", ""))
    if smtp:
        problems.append(Problem("environment", smtp.split()[0], smtp))
    imap = imap_problem(env.get("IMAP_URL", ""))
    if imap:
        problems.append(Problem("environment", "IMAP_URL", imap))
    config = env.get("RESEAU_CONFIG")
    return Environment(
        slack_bot_token=env.get("SLACK_BOT_TOKEN", ""),
        slack_signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
        slack_app_token=env.get("SLACK_APP_TOKEN", ""),
        slack_api_url=env.get("SLACK_API_URL", ""),
        telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", ""),
        telegram_api_url=env.get("TELEGRAM_API_URL", ""),
        telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", ""),
        data_dir=Path(env.get("RESEAU_DATA_DIR") or "data"),
        config_path=Path(config) if config else None,
        host=env.get("RESEAU_HOST", "127.0.0.1"),
        port=port,
        public_url=public_url,
        journal_mb=journal_mb,
        problems=tuple(problems),
        smtp_url="" if smtp else env.get("SMTP_URL", "").strip(),
        smtp_from=env.get("SMTP_FROM", "").strip(),
        imap_url="" if imap else env.get("IMAP_URL", "").strip(),
    )
