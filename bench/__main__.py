"""Drive N agents through the whole flow against the real `python -m bot serve` process.

slash command -> views.open -> view_submission -> Rescue -> PIN posted to the response_url.
Prints p50/p95/p99/max for slash ack, submit ack and submit-to-PIN, flows per second,
the server's peak RSS and its time from start to healthy. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from cryptography.fernet import Fernet

from tests.fakes import FakeRescue, FakeSlack

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
TEAM = "T0001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signed(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(
        SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256
    ).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": "v0=" + digest,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


async def run(agents: int, concurrency: int, rescue_delay: float) -> None:
    slack, rescue = FakeSlack(TEAM), FakeRescue(delay=rescue_delay)
    await slack.start()
    await rescue.start()
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="rescue-bench-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PORT": str(port),
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url(),
        "RESCUE_API_URL": rescue.api_url(),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "LOG_LEVEL": "WARNING",
    }
    for n in range(agents):
        link = subprocess.run(
            [sys.executable, "-m", "bot", "link", f"U{n:05d}", "--team", TEAM],
            input=f"bench-code-{n:05d}",
            text=True,
            env=env,
            cwd=workdir,
            capture_output=True,
        )
        if link.returncode:
            raise SystemExit(link.stderr)
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=workdir)
    base = f"http://127.0.0.1:{port}"
    slash, submit, delivered = [], [], []
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(base + "/healthz") as response:
                    if response.status == 200:
                        break
            except aiohttp.ClientError:
                await asyncio.sleep(0.01)
        healthy = time.perf_counter() - started
        gate = asyncio.Semaphore(concurrency)

        async def flow(n: int) -> None:
            user, rid = f"U{n:05d}", f"r{n}"
            async with gate:
                body = urlencode(
                    {
                        "command": "/rescue-pin",
                        "text": f"Customer {n}",
                        "team_id": TEAM,
                        "user_id": user,
                        "channel_id": "C1",
                        "trigger_id": f"t{n}",
                        "response_url": slack.response_url(rid),
                    }
                ).encode()
                t0 = time.perf_counter()
                async with http.post(base + "/slack/events", data=body, headers=signed(body)) as r:
                    await r.read()
                slash.append(time.perf_counter() - t0)
                view = (
                    await slack.wait_for(
                        lambda: [
                            c
                            for c in slack.calls_to("views.open")
                            if c.params.get("trigger_id") == f"t{n}"
                        ]
                    )
                )[0].params["view"]
                payload = {
                    "type": "view_submission",
                    "team": {"id": TEAM},
                    "user": {"id": user, "team_id": TEAM},
                    "view": {
                        "id": "V",
                        "callback_id": view["callback_id"],
                        "type": "modal",
                        "private_metadata": view["private_metadata"],
                        "state": {
                            "values": {
                                "cfield0": {
                                    "value": {"type": "plain_text_input", "value": f"Customer {n}"}
                                }
                            }
                        },
                    },
                }
                body = urlencode({"payload": json.dumps(payload)}).encode()
                t1 = time.perf_counter()
                async with http.post(base + "/slack/events", data=body, headers=signed(body)) as r:
                    await r.read()
                submit.append(time.perf_counter() - t1)
                await slack.response(rid)
                delivered.append(time.perf_counter() - t1)

        t_start = time.perf_counter()
        await asyncio.gather(*(flow(n) for n in range(agents)))
        elapsed = time.perf_counter() - t_start
    rss = peak_rss_mb(server.pid)
    server.terminate()
    server.wait(30)
    await slack.stop()
    await rescue.stop()
    print(
        f"agents={agents} concurrency={concurrency}"
        f" rescue_delay={rescue_delay * 1000:.0f}ms cores={os.cpu_count()}"
    )
    for name, values in (("slash ack", slash), ("submit ack", submit), ("submit->PIN", delivered)):
        print(
            f"{name:12} p50 {pct(values, 50):7.1f}  p95 {pct(values, 95):7.1f}"
            f"  p99 {pct(values, 99):7.1f}  max {max(values) * 1000:7.1f} ms"
            f"  (mean {statistics.mean(values) * 1000:.1f})"
        )
    print(f"throughput   {agents / elapsed:.1f} flows/s")
    print(f"peak RSS     {rss:.1f} MB (server process)")
    print(f"start->healthy {healthy * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rescue-delay-ms", type=float, default=0)
    args = parser.parse_args()
    asyncio.run(run(args.agents, args.concurrency, args.rescue_delay_ms / 1000))


if __name__ == "__main__":
    main()
