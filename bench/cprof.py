"""cProfile of a server's event-loop thread over the measured rounds, for `python -m bench
--cprofile`: calls and own time per flow, by package, app beside floor.

Deterministic where py-spy samples: it counts every Python call, so a step that removes work
shows as fewer calls per flow even when the machine's speed drifts. Its times are wall times
and inflated by the profiler; compare them between the two servers of one run, not with CPU
per flow. A C call that lets go of the GIL (a system call, SQLite) includes the wait to get it
back.

    python -m bench.cprof WORKDIR FLOWS    # WORKDIR/app.cprofile and floor.cprofile
"""

from __future__ import annotations

import pstats
import sys
from collections import Counter
from pathlib import Path

# Where an event loop waits: the floor's epoll; uvloop's whole run_forever, whose own time
# mixes its waiting with its C work (so uvloop's work is not in these figures at all).
_IDLE = (
    "<method 'poll' of 'select.epoll' objects>",
    "<method 'run_forever' of 'uvloop.loop.Loop' objects>",
)
_PACKAGES = (
    "slack_bolt", "slack_sdk", "aiohttp", "asyncio", "uvloop", "sqlalchemy", "structlog",
    "logging", "prometheus_client", "cryptography", "json", "urllib", "yarl", "multidict",
    "selectors", "/bot/", "/handlers/", "/bench/",
)  # fmt: skip


def package(path: str, name: str) -> str:
    for known in _PACKAGES:
        if known in path:
            return known.strip("/")
    if path == "~":  # a C function: by what it is
        return "C: " + name.removeprefix("<").split(" ", 2)[-1].rstrip(">")[:40]
    return Path(path).name


def by_package(path: Path) -> tuple[Counter[str], Counter[str]]:
    own: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    for (file, _, name), (_, count, tottime, _, _) in pstats.Stats(str(path)).stats.items():  # type: ignore[attr-defined]
        if file == "~" and name in _IDLE:
            continue
        key = package(file, name)
        own[key] += tottime
        calls[key] += count
    return own, calls


def main(workdir: Path, flows: int) -> None:
    servers = {name: by_package(workdir / f"{name}.cprofile") for name in ("app", "floor")}
    (app_own, app_calls), (floor_own, floor_calls) = servers["app"], servers["floor"]
    for name, (own, calls) in servers.items():
        # The floor's event loop is Python (asyncio, selectors); the app's is uvloop's C.
        loop_calls = calls["asyncio"] + calls["selectors"]
        loop_own = own["asyncio"] + own["selectors"]
        print(
            f"{name}: {(sum(calls.values()) - loop_calls) / flows:.0f} calls and"
            f" {(sum(own.values()) - loop_own) / flows * 1e6:.0f} µs of own time a flow outside"
            f" the event loop; the loop's Python: {loop_calls / flows:.0f} calls,"
            f" {loop_own / flows * 1e6:.0f} µs (wall, profiled)"
        )
    print(f"\n{'package':42}{'app µs':>9}{'floor µs':>10}{'app calls':>11}{'floor calls':>12}")
    for key, _ in (app_own + floor_own).most_common(30):
        print(
            f"{key:42}{app_own[key] / flows * 1e6:9.1f}{floor_own[key] / flows * 1e6:10.1f}"
            f"{app_calls[key] / flows:11.1f}{floor_calls[key] / flows:12.1f}"
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
