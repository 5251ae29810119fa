"""What redaction costs a log line: µs per `pin_requested` line and per traceback line, through
the app's own JSON pipeline (`bot.logs.setup`), with the secrets a running app holds (its own
settings and 200 agents' authcodes), then the same lines with the redaction steps taken out.

    .venv/bin/python -m bench.scrub [--lines 20000] [--agents 200]

Each figure is the median of five runs; the difference between the two columns is what
redaction adds to a line.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import statistics
import time
from collections.abc import Callable
from typing import Any

import structlog

from bot import logs


class _Discard:
    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def _nested(depth: int) -> None:
    if depth == 0:
        raise RuntimeError("Rescue answered something unexpected")
    _nested(depth - 1)


def _lines(lines: int) -> dict[str, Callable[[], None]]:
    log = logs.get_logger("bot.pins.request")

    def pin_requested() -> None:
        for _ in range(lines):
            log.info(
                "pin_requested", kind="rescue", outcome="OK", detail=None, no_tech_console=False
            )

    def traceback() -> None:
        for _ in range(lines // 10):  # a traceback line costs about ten ordinary ones
            try:
                _nested(8)
            except RuntimeError:
                log.error("listener_failed", exc_info=True)

    return {"pin_requested": pin_requested, "traceback": traceback}


def _per_line(run: Callable[[], None], count: int) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) / count * 1e6)
    return statistics.median(times)


def _without_redaction() -> None:
    """The same pipeline less every step that bot.logs brings for redaction."""
    for handler in logging.getLogger().handlers:
        formatter: Any = handler.formatter
        formatter.processors = [
            step
            for step in formatter.processors
            if not getattr(step, "__module__", "").startswith("bot.logs")
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--agents", type=int, default=200)
    args = parser.parse_args()
    logs.setup("INFO", "json", _Discard())
    own = [
        "xoxb-1111111111-2222222222-" + secrets.token_hex(12),
        secrets.token_hex(16),  # a signing secret
        secrets.token_urlsafe(32),  # a Fernet key's shape
    ]
    logs.register_secrets(own)
    logs.register_secrets(secrets.token_urlsafe(24) for _ in range(args.agents))
    structlog.contextvars.bind_contextvars(
        request_id=logs.new_request_id(), team="T0001", user="U0001", action="pin_submit"
    )
    runs = _lines(args.lines)
    counts = {"pin_requested": args.lines, "traceback": args.lines // 10}
    full = {name: _per_line(run, counts[name]) for name, run in runs.items()}
    _without_redaction()
    bare = {name: _per_line(run, counts[name]) for name, run in runs.items()}
    print(f"{'line':<15}{'µs/line':>10}{'no redaction':>14}{'redaction':>11}")
    for name in runs:
        print(f"{name:<15}{full[name]:>10.1f}{bare[name]:>14.1f}{full[name] - bare[name]:>11.1f}")


if __name__ == "__main__":
    main()
