"""A real ``reseau-bot`` process on a free port, and the probe that says when it serves."""

from __future__ import annotations

import asyncio
import socket
import subprocess

import aiohttp


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
