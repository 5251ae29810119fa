"""Real `python -m bot …` processes for tests that need more than one, or a signal."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp

from tests import sweep
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.fakes import FakeRescue, FakeSlack

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_env(
    slack: FakeSlack, rescue: FakeRescue, database_url: str, key: str, **extra: str
) -> dict[str, str]:
    """The settings a real process needs to run against the fakes, as environment values."""
    return {
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEY": key,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url(),
        "RESCUE_API_URL": rescue.api_url(),
        **extra,
    }


def clean_env(**values: str) -> dict[str, str]:
    """The parent's environment without any of the app's settings, plus `values`."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "RESCUE_", "DATABASE_", "ENCRYPTION_", "PORT"))
    }
    base.update(PYTHONPATH=str(ROOT), LOG_FORMAT="json", **values)
    return base


class BotProcess:
    """One `python -m bot VERB`, its log in a file (a pipe left unread would block it)."""

    def __init__(self, workdir: Path, verb: str, name: str, **env: str) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.verb = verb
        self.log_path = workdir / f"{name}.log"
        self.env = clean_env(PORT=str(self.port), **env)
        sweep.remember(
            *(v for k, v in env.items() if k.endswith(("TOKEN", "SECRET", "KEY", "PASSWORD")))
        )
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        with self.log_path.open("w") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                self.verb,
                env=self.env,
                cwd=self.workdir,
                stdout=log,
                stderr=log,
            )

    async def wait_healthy(self, within: float = 20.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if self.process.returncode is not None or time.monotonic() > deadline:
                    raise AssertionError(f"{self.verb} never became healthy:\n{self.log()}")
                await asyncio.sleep(0.05)

    async def wait_exit(self, within: float = 30.0) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), within)

    def signal(self, sig: int = signal.SIGTERM) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""
