"""Start to healthy: `python -m bot serve` (single workspace, SLACK_BOT_TOKEN) from exec to its
first /healthz 200, and its RSS then; a first start on a new SQLite file, then later starts
on the same file. The bare-Bolt floor is started the same way, in the same run, for scale.

    .venv/bin/python -m bench.startup [--starts 5] [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet

from tests.support.net import free_port

ROOT = Path(__file__).resolve().parent.parent


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS now, peak RSS) of a process, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found["VmRSS"], found["VmHWM"]


def healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def start(module: str, verb: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(milliseconds to healthy, RSS then, peak RSS then)."""
    port = free_port()
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", module, *verb],
        env={**env, "PORT": str(port)},
        cwd=env["WORKDIR"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not healthy(port):
            if process.poll() is not None:
                raise SystemExit(f"{module} exited with {process.returncode}")
            time.sleep(0.005)
        elapsed = (time.perf_counter() - began) * 1000
        time.sleep(0.3)  # what start-up left settles (the heap frozen, the migration's child)
        return (elapsed, *memory_mb(process.pid))
    finally:
        process.terminate()
        process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--starts", type=int, default=5, help="later starts, after the first")
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="rescue-startup-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "WORKDIR": str(workdir),
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": "bench-signing-secret",
        "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'startup.sqlite3'}",
        "LOG_FORMAT": "json",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",  # the floor wants them; nothing is called
        "RESCUE_API_URL": "http://127.0.0.1:9/API/",
    }
    rows = [("app, first start", *start("bot", ["serve"], env))]
    rows += [("app, later start", *start("bot", ["serve"], env)) for _ in range(args.starts)]
    rows += [("floor", *start("bench.floor", [], env)) for _ in range(max(1, args.starts // 2))]
    print(f"load {os.getloadavg()[0]:.2f}, cores {os.cpu_count()}")
    print(f"{'':18}{'start→healthy':>15}{'RSS':>10}{'peak RSS':>10}")
    for name, ms, rss, peak in rows:
        print(f"{name:18}{ms:12.0f} ms{rss:7.1f} MB{peak:7.1f} MB")
    later = statistics.median(ms for name, ms, *_ in rows if name == "app, later start")
    floor = statistics.median(ms for name, ms, *_ in rows if name == "floor")
    print(
        f"later starts: median {later:.0f} ms (floor {floor:.0f} ms, {later / floor:.2f} ×);"
        f" target < 1000 ms: {'met' if later < 1000 else '**not met**'}"
    )


if __name__ == "__main__":
    main()
