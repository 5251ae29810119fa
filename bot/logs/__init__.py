"""structlog for the app and for the libraries' standard `logging`, with secrets redacted.

Redaction (`redaction.py`) works on each value of a line before it is rendered: by key, by
shape, and by a bounded set of confirmed secret values, never by what a person typed.
"""

from __future__ import annotations

import logging
import os
import random
import sys
from collections.abc import Iterable
from typing import Any

import orjson
import structlog

from bot.logs.redaction import REDACTED, confirmed, redact, scrub

__all__ = [
    "REDACTED",
    "current_request_id",
    "get_logger",
    "new_request_id",
    "register_secrets",
    "scrub",
    "setup",
]


def setup(level: str = "INFO", fmt: str | None = None, stream: Any = None) -> None:
    """Route structlog and the standard library through one redacting pipeline."""
    stream = stream or sys.stderr
    if fmt is None:
        fmt = "console" if stream.isatty() else "json"
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
    ]
    renderer: Any
    if fmt == "console":
        exceptions: Any = structlog.processors.format_exc_info
        renderer = structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    else:
        # show_locals off: a traceback's frame locals can hold an authcode.
        exceptions = structlog.processors.ExceptionRenderer(
            structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
        )
        renderer = structlog.processors.JSONRenderer(serializer=_json)
    structlog.configure(
        processors=[
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.StackInfoRenderer(),
            exceptions,
            redact,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # The Slack libraries log request bodies and headers at DEBUG: never let that through.
    for chatty in ("slack_bolt", "slack_sdk", "aiohttp.access"):
        logging.getLogger(chatty).setLevel(max(logging.INFO, logging.getLevelName(level)))
    # The database layers log SQL with its parameters (customer fields) from INFO down.
    for database in ("sqlalchemy", "aiosqlite", "asyncpg", "alembic"):
        logging.getLogger(database).setLevel(logging.WARNING)


def _json(value: Any, **_: Any) -> str:
    """One log line. orjson renders it in about a tenth of json.dumps's time; `redact` has
    made text of anything else already (repr stays the fallback, as structlog's own is)."""
    # Dataclasses too go by their repr: orjson would write every field, hidden ones included.
    options = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
    return orjson.dumps(value, default=repr, option=options).decode()


def register_secrets(values: Iterable[str | None], *, held: bool = False) -> None:
    """Secrets to find in any text from now on: only confirmed ones. An authcode Rescue issued
    or accepted, a token Slack issued, the app's own settings (`held`: never forgotten);
    never a value a person typed before something confirmed it. Values too short or plain to
    be told from ordinary text are left to the keys and shapes that carry them."""
    confirmed.add(values, held=held)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)


_request_ids = random.Random()  # seeded from os.urandom
os.register_at_fork(after_in_child=_request_ids.seed)  # a forked worker's ids are its own


def new_request_id() -> str:
    """Twelve random hex digits for one Slack request's log lines and audit row: a label, not
    a secret. Not os.urandom: its system call lets go of the GIL, and under load the event
    loop then waited for SQLite's thread to give it back (~16 µs a request in a profile)."""
    return f"{_request_ids.getrandbits(48):012x}"


def current_request_id() -> str | None:
    """The id bound for the Slack request being handled, so an audit row can name it."""
    value = structlog.contextvars.get_contextvars().get("request_id")
    return value if isinstance(value, str) else None
