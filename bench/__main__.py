"""Drive N agents through the whole flow against the real `python -m bot serve` process and,
in the same run, against the floor (bare Bolt doing the same work, `bench/floor.py`).

slash command -> views.open -> view_submission -> Rescue -> PIN posted to the response_url.
Rounds alternate between the two servers; each figure is the median over rounds. Prints
p50/p95/p99/max for slash ack, submit ack and submit-to-PIN, flows per second, each server's
peak RSS and start-to-healthy time, and the app's ratio to the floor. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from cryptography.fernet import Fernet

from bench import cprof, pg
from bench.fakes import LeanRescue, LeanSlack, view_json
from tests.support.net import free_port
from tests.support.signing import signature_headers

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
TEAM = "T0001"
METRICS = ("slash ack", "submit ack", "submit->PIN")


def signed(body: bytes) -> dict[str, str]:
    return {
        **signature_headers(SECRET, body),
        "Content-Type": "application/x-www-form-urlencoded",
    }


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_by_thread(pid: int) -> Counter[str]:
    """CPU seconds so far of the event loop's thread and of the others (SQLite's, mostly):
    Python's thread names don't reach the kernel, so the loop is told by its id. "kernel" is
    the part of both spent in system calls (wake-ups of threads, sockets, fsync)."""
    seconds: Counter[str] = Counter()
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").iterdir():
        name = "loop" if task.name == str(pid) else "others"
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        seconds[name] += (int(fields[11]) + int(fields[12])) / tick
        seconds["kernel"] += int(fields[12]) / tick
    return seconds


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


@dataclass
class Target:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    healthy_ms: float
    rounds: list[dict[str, float]] = field(default_factory=list)
    cpu: float = 0.0  # server CPU seconds spent in the measured rounds
    threads: Counter[str] = field(default_factory=Counter)  # ... split by thread name
    flows: int = 0
    lag: list[dict[str, Any]] = field(default_factory=list)  # bench/looplag.py, per round

    def median(self, key: str) -> float:
        return statistics.median(r[key] for r in self.rounds)


async def start(name: str, module: str, verb: list[str], env: dict[str, str]) -> Target:
    port = free_port()
    started = time.perf_counter()
    log = (Path(env["WORKDIR"]) / f"{name}.log").open("wb")  # as a platform ships logs
    process = subprocess.Popen(
        # The loop-lag monitor rides along in both servers (bench/looplag.py).
        [sys.executable, "-m", "bench.looplag", module, *verb],
        env={**env, "PORT": str(port)},
        cwd=env["WORKDIR"],
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(url + "/healthz") as response:
                    if response.status == 200:
                        break
            except aiohttp.ClientError:
                pass
            if process.poll() is not None:
                raise SystemExit(f"{name} exited with {process.returncode}")
            await asyncio.sleep(0.01)
    return Target(name, process, url, (time.perf_counter() - started) * 1000)


async def one_round(
    target: Target,
    http: aiohttp.ClientSession,
    slack: LeanSlack,
    agents: int,
    concurrency: int,
    tag: str,
) -> dict[str, float]:
    gate = asyncio.Semaphore(concurrency)
    times: dict[str, list[float]] = {name: [] for name in METRICS}
    events = target.url + "/slack/events"

    async def flow(n: int) -> None:
        user, key = f"U{n:05d}", f"{tag}-{n}"
        async with gate:
            opened = slack.views.expect(key)
            answered = slack.answers.expect(key)
            body = urlencode(
                {
                    "command": "/rescue-pin",
                    "text": f"Customer {n}",
                    "team_id": TEAM,
                    "user_id": user,
                    "channel_id": "C1",
                    "trigger_id": key,
                    "response_url": f"{slack.url}/response/{key}",
                }
            ).encode()
            t0 = time.perf_counter()
            async with http.post(events, data=body, headers=signed(body)) as response:
                await response.read()
            times["slash ack"].append(time.perf_counter() - t0)
            view = view_json(await opened)
            payload = {
                "type": "view_submission",
                "team": {"id": TEAM},
                "user": {"id": user, "team_id": TEAM},
                "view": {
                    "id": "V1",
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
            async with http.post(events, data=body, headers=signed(body)) as response:
                await response.read()
            times["submit ack"].append(time.perf_counter() - t1)
            await answered
            times["submit->PIN"].append(time.perf_counter() - t1)

    began = time.perf_counter()
    await asyncio.gather(*(flow(n) for n in range(agents)))
    figures = {"throughput": agents / (time.perf_counter() - began)}
    for name, values in times.items():
        for p in (50, 95, 99):
            figures[f"{name} p{p}"] = pct(values, p)
        figures[f"{name} max"] = max(values) * 1000
    return figures


async def loop_lag(
    http: aiohttp.ClientSession, target: Target, reset: bool = False
) -> dict[str, Any]:
    """The server's event-loop lateness (and GC pauses, stalls) since the last reset."""
    query = "?reset=1" if reset else ""
    async with http.get(target.url + "/bench/looplag" + query) as response:
        figures: dict[str, Any] = await response.json()
        return figures


def py_spy(target: Target, workdir: Path) -> subprocess.Popen[bytes]:
    """py-spy (installed by hand, not pinned) samples a server, every thread, in the measured
    rounds; collapsed stacks, one line per stack with its sample count."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--pid",
            str(target.process.pid),
            "--rate",
            "250",
            "--threads",
            "--format",
            "raw",
            "--output",
            str(workdir / f"{target.name}.pyspy.txt"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def cprofiles_written(targets: list[Target], workdir: Path) -> None:
    for target in targets:
        target.process.send_signal(signal.SIGUSR2)
    for _ in range(500):  # the dump takes a moment
        if all((workdir / f"{t.name}.cprofile").exists() for t in targets):
            return
        await asyncio.sleep(0.02)
    raise SystemExit("no cProfile output from the servers")


async def link_agents(env: dict[str, str], agents: int) -> None:
    from bot.config import Settings
    from bot.crypto import Cipher
    from bot.storage.schema import Method
    from bot.store import Store

    url = Settings(_env_file=None, database_url=env["DATABASE_URL"]).sqlalchemy_url  # type: ignore[call-arg]
    store = await Store.open(url, Cipher([env["ENCRYPTION_KEY"]]))
    try:
        for n in range(agents):
            # Random, as real authcodes are: the log scrubber indexes secrets by their
            # characters, and codes sharing a long prefix would cost it what real ones don't.
            await store.link(TEAM, f"U{n:05d}", secrets.token_urlsafe(32), Method.CLI)
    finally:
        await store.close()


def report(targets: list[Target], args: argparse.Namespace) -> None:
    app, floor = targets
    print(
        f"agents={args.agents} concurrency={args.concurrency} rounds={args.rounds}"
        f" rescue_delay={args.rescue_delay_ms:.0f}ms cores={os.cpu_count()}"
        f" (medians over rounds; app/floor ratio in brackets)"
    )
    header = f"{'':14}" + "".join(f"{col:>18}" for col in ("p50", "p95", "p99", "max"))
    print(header)
    for name in METRICS:
        for target in targets:
            cells = []
            for col in ("p50", "p95", "p99", "max"):
                value = target.median(f"{name} {col}")
                ratio = value / floor.median(f"{name} {col}")
                cells.append(
                    f"{value:8.1f} ms" + (f" [{ratio:4.2f}]" if target is app else "       ")
                )
            print(f"{name + ' ' + target.name:14}" + "".join(f"{c:>18}" for c in cells))
    app_tp, floor_tp = app.median("throughput"), floor.median("throughput")
    print(f"throughput    app {app_tp:.0f} flows/s, floor {floor_tp:.0f} [{app_tp / floor_tp:.2f}]")
    for target in targets:
        gcs = [r["gc"] for r in target.lag]
        pauses = " ".join(
            f"gen{gen} {sum(g[gen]['count'] for g in gcs) / len(gcs):.0f}"
            f" (max {max(g[gen]['max_ms'] for g in gcs):.1f} ms)"
            for gen in ("0", "1", "2")
        )
        gc_ms = sum(g[gen]["total_ms"] for g in gcs for gen in ("0", "1", "2"))
        print(
            f"{target.name:5} loop lag p99 {target.median('loop lag p99'):.1f} ms,"
            f" max {target.median('loop lag max'):.1f} ms; GC per round: {pauses},"
            f" GC CPU {gc_ms / max(target.flows, 1):.2f} ms per flow"
        )
    for target in targets:
        print(
            f"{target.name:5} peak RSS {peak_rss_mb(target.process.pid):.1f} MB,"
            f" start->healthy {target.healthy_ms:.0f} ms,"
            f" CPU {target.cpu / target.flows * 1000:.1f} ms per flow"
            f" ({threads_split(target)})"
        )


def threads_split(target: Target) -> str:
    per_flow = {k: v / target.flows * 1000 for k, v in target.threads.items() if v > 0}
    kernel = per_flow.pop("kernel", 0.0)
    threads = ", ".join(f"{name} {ms:.2f}" for name, ms in sorted(per_flow.items()))
    return f"{threads}; in the kernel {kernel:.2f}"


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def issue_table(targets: list[Target], args: argparse.Namespace) -> None:
    """Issue 22's table: each figure, the floor's, the ratio, and whether the target is met."""
    app, floor = targets
    on_pg = bool(args.database_url and not args.database_url.startswith("sqlite"))
    print(
        f"\n{'PostgreSQL' if on_pg else 'SQLite'}, {args.agents} agents,"
        f" concurrency {args.concurrency}, Rescue delay {args.rescue_delay_ms:.0f} ms,"
        f" load {os.getloadavg()[0]:.2f}"
    )
    print("| figure | app | floor | app/floor | target |")
    print("|---|---|---|---|---|")

    def row(name: str, a: float, f: float, unit: str, target: str) -> None:
        print(f"| {name} | {a:.1f} {unit} | {f:.1f} {unit} | {a / f:.2f} | {target} |")

    tp_app, tp_floor = app.median("throughput"), floor.median("throughput")
    least = 0.8 if on_pg else 0.9
    row(
        "throughput",
        tp_app,
        tp_floor,
        "flows/s",
        f"≥ {least} ×: {verdict(tp_app >= least * tp_floor)}",
    )
    for name, key, most in (
        ("submit→PIN p99", "submit->PIN p99", 1.5 if on_pg else 1.2),
        ("slash ack p99", "slash ack p99", 1.2),
        ("submit ack p99", "submit ack p99", 1.2),
    ):
        a, f = app.median(key), floor.median(key)
        row(name, a, f, "ms", f"≤ {most} ×: {verdict(a <= most * f)}")
    if args.rescue_delay_ms:
        added = app.median("submit->PIN p99") - floor.median("submit->PIN p99")
        print(
            f"| submit→PIN p99, the app's addition | {added:.1f} ms | | |"
            f" ≤ 10 ms: {verdict(added <= 10)} |"
        )
    cpu_app, cpu_floor = (t.cpu / t.flows * 1000 for t in targets)
    row(
        "CPU per flow",
        cpu_app,
        cpu_floor,
        "ms",
        f"≤ 1.25 ×: {verdict(cpu_app <= 1.25 * cpu_floor)}",
    )
    rss_app, rss_floor = (peak_rss_mb(t.process.pid) for t in targets)
    line = 90 if on_pg else 100
    row("peak RSS", rss_app, rss_floor, "MB", f"< {line} MB: {verdict(rss_app < line)}")
    for name, key in (("loop lag p99", "loop lag p99"), ("loop lag max", "loop lag max")):
        row(name, app.median(key), floor.median(key), "ms", "")
    row("start → healthy", app.healthy_ms, floor.healthy_ms, "ms", "")


async def run(args: argparse.Namespace) -> None:
    if not args.postgres:
        await measure(args)
        return
    async with pg.database() as url:
        if url is not None:
            args.database_url = url
            await measure(args)


async def measure(args: argparse.Namespace) -> None:
    slack, rescue = LeanSlack(), LeanRescue(args.rescue_delay_ms / 1000)
    await slack.start()
    await rescue.start()
    workdir = Path(tempfile.mkdtemp(prefix="rescue-bench-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "WORKDIR": str(workdir),
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.url + "/api/",
        "RESCUE_API_URL": rescue.url + "/API/",
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "LOG_LEVEL": args.log_level,
        "LOG_FORMAT": "json",
        "BENCH_STALLS": "1" if args.stalls else "0",
        "BENCH_CPROFILE": "1" if args.cprofile else "0",
        "BENCH_STALL_MS": str(args.stall_ms),
    }
    await link_agents(env, args.agents)
    app_verb = ["serve"] if not args.profile else []
    module = "bot" if not args.profile else "bench.profiled"
    targets = [
        await start("app", module, app_verb, {**env, "BENCH_TRY": args.tries}),
        await start("floor", "bench.floor", [], env),
    ]
    connector = aiohttp.TCPConnector(limit=0)
    try:
        async with aiohttp.ClientSession(connector=connector) as http:
            for target in targets:  # warm both: first connections, imports, caches
                await one_round(
                    target, http, slack, min(args.agents, 50), args.concurrency, f"w{target.name}"
                )
            spies = [py_spy(target, workdir) for target in targets] if args.py_spy else []
            if args.cprofile:
                for target in targets:
                    target.process.send_signal(signal.SIGUSR1)
            for number in range(args.rounds):
                order = targets if number % 2 == 0 else targets[::-1]
                for target in order:
                    tag = f"{target.name}{number}"
                    await loop_lag(http, target, reset=True)
                    before = cpu_seconds(target.process.pid)
                    split = cpu_by_thread(target.process.pid)
                    figures = await one_round(
                        target, http, slack, args.agents, args.concurrency, tag
                    )
                    target.cpu += cpu_seconds(target.process.pid) - before
                    target.threads.update(cpu_by_thread(target.process.pid))
                    target.threads.subtract(split)
                    lag = await loop_lag(http, target, reset=True)
                    figures["loop lag p99"] = lag["p99_ms"]
                    figures["loop lag max"] = lag["max_ms"]
                    target.lag.append(lag)
                    target.rounds.append(figures)
                    target.flows += args.agents
        if args.cprofile:
            await cprofiles_written(targets, workdir)
        for spy in spies:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
        if spies:
            print(f"py-spy samples (all threads): {workdir}/app.pyspy.txt, floor.pyspy.txt")
        report(targets, args)
        if args.cprofile:
            print("\n--cprofile slowed both servers, the app (more calls) the more: the verdicts")
            print("below are not figures of record.")
        issue_table(targets, args)
        if args.cprofile:
            print()
            cprof.main(workdir, args.agents * args.rounds)
        if args.stalls:
            for target in targets:
                stalls: dict[str, list[float]] = {}
                for lag in target.lag:
                    for stall in lag["stalls"]:
                        into = stalls.setdefault(stall["where"], [0, 0, 0, 0, 0])
                        for i, key in enumerate(
                            ("count", "ms", "loop_cpu_ms", "others_cpu_ms", "gc_cpu_ms")
                        ):
                            into[i] += stall[key]
                print(
                    f"\n{target.name}: stalls over {args.stall_ms:.0f} ms, all rounds"
                    " (count, wall ms, CPU ms of the loop thread / other threads / GC)"
                )
                ranked = sorted(stalls.items(), key=lambda item: -item[1][1])[:15]
                for where, (n, ms, loop_ms, others_ms, gc_ms) in ranked:
                    cpu = f"({loop_ms:.0f}/{others_ms:.0f}/{gc_ms:.0f})"
                    print(f"{n:4} {ms:6.0f} ms {cpu:>14}  {where}")
    finally:
        for target in targets:
            target.process.terminate()
            target.process.wait(30)
        await slack.stop()
        await rescue.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rescue-delay-ms", type=float, default=0)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="on a database of its own on TEST_POSTGRES_URL's server (default the local one),"
        " created, migrated and dropped; skipped when no server answers (bench/pg.py)",
    )
    parser.add_argument("--log-level", default="INFO", help="the app's LOG_LEVEL (default INFO)")
    parser.add_argument("--profile", action="store_true", help="run the app under pyinstrument")
    parser.add_argument(
        "--cprofile",
        action="store_true",
        help="cProfile both servers' event-loop thread through the measured rounds: calls and"
        " own time per flow by package (bench/cprof.py)",
    )
    parser.add_argument(
        "--py-spy",
        action="store_true",
        help="sample both servers with py-spy (installed by hand) through the measured rounds",
    )
    parser.add_argument(
        "--stalls",
        action="store_true",
        help="name what held the loop past --stall-ms (costs CPU: for diagnosis only)",
    )
    parser.add_argument("--stall-ms", type=float, default=15.0)
    parser.add_argument(
        "--try",
        dest="tries",
        default="",
        help="knobs tried on the app from outside: uvloop,gcfreeze,gc0=N,orjson,switch=S",
    )
    args = parser.parse_args()
    if args.cprofile and args.profile:
        parser.error("--cprofile and --profile both use the interpreter's one profiling hook")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
