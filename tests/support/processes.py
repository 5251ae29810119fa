"""Real `python -m bot …` processes: a server for tests that need more than one, or a signal
(`BotProcess`, spoken to by `Cluster`); an admin verb run to its end (`run_bot`)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from tests.support import sweep
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import Harness
from tests.support.net import free_port
from tests.support.settings import clean_env


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

    async def wait_refusing(self, within: float = 20.0) -> None:
        """Until the process no longer takes connections (it is shutting down, or gone)."""
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        await response.read()
                except aiohttp.ClientConnectionError:
                    return
                await asyncio.sleep(0.05)
        raise AssertionError(f"{self.verb} still takes connections:\n{self.log()}")

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


class Cluster(Harness):
    """Speaks as Slack would, to whichever process `on()` picked: a load balancer's choice."""

    def __init__(
        self,
        slack: FakeSlack,
        rescue: FakeRescue,
        http: aiohttp.ClientSession,
        processes: list[BotProcess],
    ) -> None:
        super().__init__(slack, rescue, None, http)  # type: ignore[arg-type]
        self.processes = processes
        self.target = 0

    @property
    def base_url(self) -> str:
        return self.processes[self.target].url

    def on(self, index: int) -> Cluster:
        self.target = index
        return self


async def run_bot(
    workdir: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS…` run to its end in `workdir`, with the app's settings `env` and
    none of the parent's. Its output goes to the secrets sweep too."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(**env),
        cwd=workdir,
    )
    out, err = await asyncio.wait_for(
        process.communicate(stdin.encode() if stdin is not None else None), 60
    )
    assert process.returncode is not None
    result = subprocess.CompletedProcess(
        ["python", "-m", "bot", *args], process.returncode, out.decode(), err.decode()
    )
    sweep.keep(f"python -m bot {' '.join(args)}", result.stdout + result.stderr)
    return result
