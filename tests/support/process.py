"""A real ``reseau-bot`` process on a free port, and the probe that says when it serves."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a real ``reseau-bot`` process: no platform token, a private data dir."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "TELEGRAM_", "RESEAU_", "LC_", "LANG"))}
    env.update({"RESEAU_DATA_DIR": str(data_dir), "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1",
                "RESEAU_CATALOG_STRICT": "1"})
    env.update(extra)
    return env


def start_slack_bot(data: Path, slack_api_url: str, secret: str, port: int,
                    **extra: str) -> subprocess.Popen:
    """``reseau-bot run`` serving Slack (Web API at ``slack_api_url``) on ``port``, quiet;
    ``extra`` adds to its environment (``SMTP_URL``, ``RESEAU_CONFIG``…)."""
    env = cli_env(data, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=secret,
                  SLACK_API_URL=slack_api_url, RESEAU_HOST="127.0.0.1", RESEAU_PORT=str(port),
                  **extra)
    return subprocess.Popen([BIN / "reseau-bot", "run"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def healthy(port: int, process: subprocess.Popen | None = None,
                  attempts: int = 300) -> None:
    """Until ``/healthz`` answers 200 on ``port`` (a starting process; bounded)."""
    async with aiohttp.ClientSession() as session:
        for _ in range(attempts):
            assert process is None or process.poll() is None, "the bot stopped"
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)  # ok-sleep: polling a starting process, bounded
    raise AssertionError("the bot did not start")


async def outbox_empty(port: int) -> None:
    """Until ``/healthz`` counts nothing left to deliver (bounded)."""
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                if (await response.json())["outbox_pending"] == 0:
                    return
            await asyncio.sleep(0.05)  # ok-sleep: polling another process, bounded
    raise AssertionError("deliveries still pending")
