"""How late the event loop runs, measured inside a server under the bench.

`python -m bench.looplag MODULE [ARGS...]` runs `python -m MODULE ARGS...` (the app's
`bot serve`, or `bench.floor`) with a monitor attached to the aiohttp application it serves.
Nothing in the app knows about it: `aiohttp.web.run_app` is wrapped before the module runs.

The monitor is a task that sleeps `INTERVAL` seconds again and again and records how much
later than asked it woke up: that lateness is what any callback ready at that moment (an
ack, say) waited too. It also times every garbage collection (`gc.callbacks`), in CPU time
of the collecting thread.

With BENCH_STALLS=1 a watchdog thread also looks every millisecond at how long ago the
monitor last woke; once that passes BENCH_STALL_MS (default 15) it records the event-loop
thread's stack and what every other thread is doing, once per stall. That names the code
holding the loop (or the GIL) instead of guessing. It costs the server some CPU, so the
figures of such a run are for finding causes, not for the table.

The bench reads and resets the figures between rounds through GET /bench/looplag
(`?reset=1`), a route only this wrapper adds.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import runpy
import signal
import sys
import threading
import time
import traceback
from array import array
from collections import Counter, defaultdict
from typing import Any

from aiohttp import web

INTERVAL = 0.005
ROUTE = "/bench/looplag"


class Monitor:
    def __init__(self) -> None:
        self.lateness = array("d")
        self.beat = time.monotonic()
        self.gc_pauses: dict[int, array[float]] = {0: array("d"), 1: array("d"), 2: array("d")}
        self._gc_started = 0.0
        self.stalls: Counter[str] = Counter()
        self.stall_ms: Counter[str] = Counter()
        # per stall key: CPU ms of the loop thread, of the other threads, of GC
        self.stall_detail: defaultdict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        self.gc_cpu = 0.0
        self._task: asyncio.Task[None] | None = None
        self._loop_thread = threading.get_ident()

    # The loop's lateness

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        while True:
            asked = loop.time() + INTERVAL
            await asyncio.sleep(INTERVAL)
            woke = loop.time()
            self.lateness.append(max(0.0, woke - asked))
            self.beat = time.monotonic()

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        # CPU time of the collecting thread: on a loaded machine wall time mostly measures
        # the other processes.
        if phase == "start":
            self._gc_started = time.thread_time()
        else:
            pause = time.thread_time() - self._gc_started
            self.gc_pauses[info["generation"]].append(pause)
            self.gc_cpu += pause

    # The watchdog (BENCH_STALLS=1)

    def _watch(self, threshold: float) -> None:
        """Every stall: the loop thread's stack when it was noticed, and where the stall's
        wall time went: the loop thread's own CPU, other threads' CPU (the GIL), GC, or
        none of them (the process was not scheduled: another process had the cores)."""
        me = threading.get_ident()
        names: dict[int, str] = {}

        def clocks() -> dict[int, float]:
            found = {}
            for thread in threading.enumerate():
                if thread.ident is None or thread.ident == me:
                    continue
                names[thread.ident] = thread.name
                with contextlib.suppress(OSError):  # the thread just ended
                    found[thread.ident] = time.clock_gettime(
                        time.pthread_getcpuclockid(thread.ident)
                    )
            return found

        last_beat, at_beat, gc_at_beat = self.beat, clocks(), self.gc_cpu
        while True:
            time.sleep(0.001)
            beat = self.beat
            if beat != last_beat:
                last_beat, at_beat, gc_at_beat = beat, clocks(), self.gc_cpu
                continue
            if time.monotonic() - beat - INTERVAL < threshold:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            stack = traceback.extract_stack(frame)[-7:] if frame else []
            where = " < ".join(
                f"{os.path.basename(f.filename)}:{f.lineno} {f.name}" for f in reversed(stack)
            )
            while self.beat == beat:  # wait for the stall to end
                time.sleep(0.001)
            wall = (self.beat - beat - INTERVAL) * 1000
            now = clocks()
            spent = {ident: (now[ident] - at_beat.get(ident, now[ident])) * 1000 for ident in now}
            loop_ms = spent.pop(self._loop_thread, 0.0)
            others_ms = sum(spent.values())
            gc_ms = (self.gc_cpu - gc_at_beat) * 1000
            if gc_ms >= wall / 2:
                cause = "GC"
            elif loop_ms >= wall / 2:
                cause = "loop thread busy"
            elif others_ms >= wall / 2:
                busiest = max(spent, key=lambda ident: spent[ident])
                cause = f"other thread ({names.get(busiest, busiest)}) busy"
            else:
                cause = "not scheduled (other processes)"
            key = f"{cause}: {where}"
            self.stalls[key] += 1
            self.stall_ms[key] += round(wall)
            self.stall_detail[key][0] += loop_ms
            self.stall_detail[key][1] += others_ms
            self.stall_detail[key][2] += gc_ms
            last_beat, at_beat, gc_at_beat = self.beat, clocks(), self.gc_cpu

    # Life and reporting

    def start(self) -> None:
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.get_running_loop().create_task(self._tick())
        if os.environ.get("BENCH_STALLS") == "1":
            threshold = float(os.environ.get("BENCH_STALL_MS", "15")) / 1000
            threading.Thread(
                target=self._watch, args=(threshold,), name="looplag-watchdog", daemon=True
            ).start()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def figures(self) -> dict[str, Any]:
        ordered = sorted(self.lateness)

        def at(p: float) -> float:
            if not ordered:
                return 0.0
            return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

        return {
            "samples": len(ordered),
            "p50_ms": at(50),
            "p99_ms": at(99),
            "max_ms": ordered[-1] * 1000 if ordered else 0.0,
            "gc": {
                str(gen): {
                    "count": len(pauses),
                    "max_ms": max(pauses, default=0.0) * 1000,
                    "total_ms": sum(pauses) * 1000,
                }
                for gen, pauses in self.gc_pauses.items()
            },
            "stalls": [
                {
                    "count": n,
                    "ms": self.stall_ms[key],
                    "loop_cpu_ms": round(self.stall_detail[key][0]),
                    "others_cpu_ms": round(self.stall_detail[key][1]),
                    "gc_cpu_ms": round(self.stall_detail[key][2]),
                    "where": key,
                }
                for key, n in self.stalls.most_common(40)
            ],
        }

    def reset(self) -> None:
        self.lateness = array("d")
        for gen in self.gc_pauses:
            self.gc_pauses[gen] = array("d")
        self.stalls.clear()
        self.stall_ms.clear()
        self.stall_detail.clear()


MONITOR = Monitor()


async def _figures(request: web.Request) -> web.Response:
    answer = web.json_response(MONITOR.figures())
    if request.query.get("reset"):
        MONITOR.reset()
    return answer


async def _start(_: web.Application) -> None:
    MONITOR.start()


async def _stop(_: web.Application) -> None:
    await MONITOR.stop()


def attach(app: web.Application) -> web.Application:
    app.router.add_get(ROUTE, _figures)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)
    return app


def _experiments(names: list[str]) -> None:
    """BENCH_TRY=uvloop,gcfreeze,gc0=N,orjson,switch=S: a knob tried on the app from outside,
    to measure it before it is written into the app."""
    for name in names:
        if name == "uvloop":
            import uvloop

            asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        elif name.startswith("switch="):
            sys.setswitchinterval(float(name[7:]))
        elif name.startswith("gc0="):
            gc.set_threshold(int(name[4:]), *gc.get_threshold()[1:])
        elif name == "orjson":
            _orjson_renderer()


def _orjson_renderer() -> None:
    import orjson
    import structlog

    def dumps(value: Any, **_: Any) -> str:
        return orjson.dumps(value, default=repr).decode()

    original = structlog.processors.JSONRenderer.__init__

    def init(self: Any, serializer: Any = dumps, **kwargs: Any) -> None:
        original(self, serializer=serializer, **kwargs)

    structlog.processors.JSONRenderer.__init__ = init  # type: ignore[method-assign]


def _wrap_run_app() -> None:
    original = web.run_app
    tries = [n for n in os.environ.get("BENCH_TRY", "").split(",") if n]
    _experiments(tries)

    def run_app(app: Any, *args: Any, **kwargs: Any) -> Any:
        if "gcfreeze" in tries:

            async def freeze(_: web.Application) -> None:
                gc.collect()
                gc.freeze()

            app.on_startup.append(freeze)
        return original(attach(app), *args, **kwargs)

    web.run_app = run_app  # type: ignore[assignment]


def _cprofile_on_signals(module: str) -> None:
    """BENCH_CPROFILE=1: SIGUSR1 starts cProfile on the event loop's thread, SIGUSR2 stops it
    and writes WORKDIR/<app|floor>.cprofile (`python -m bench --cprofile`, bench/cprof.py)."""
    import cProfile

    profile = cProfile.Profile()
    name = "floor" if module == "bench.floor" else "app"

    def stop(*_: Any) -> None:
        profile.disable()
        path = os.path.join(os.environ.get("WORKDIR", "."), f"{name}.cprofile")
        profile.dump_stats(path + ".part")
        os.replace(path + ".part", path)  # whole, or not there yet

    signal.signal(signal.SIGUSR1, lambda *_: profile.enable())
    signal.signal(signal.SIGUSR2, stop)


if __name__ == "__main__":
    module, *rest = sys.argv[1:]
    if os.environ.get("BENCH_CPROFILE") == "1":
        _cprofile_on_signals(module)
    _wrap_run_app()
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
