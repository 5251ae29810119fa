"""structlog for the app and for the libraries' standard `logging`, with secrets redacted.

Redaction has two layers: keys that name secrets or customer fields are blanked whatever
their value, and every registered secret value (tokens, keys, authcodes seen at run time)
is scrubbed from every string that reaches a renderer.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog
from structlog.types import EventDict, WrappedLogger

REDACTED = "[redacted]"

# Keys whose values are never logged: secrets, and what agents type about customers.
_SECRET_KEY = re.compile(
    r"(authcode|pwd|password|passwd|secret|token|encryption_key|api_key|authorization|cookie"
    r"|cfield\d|tracking\d|email|fields|values|payload|body|text)",
    re.IGNORECASE,
)
# Slack tokens, Fernet tokens, `authcode=`/`pwd=` in form bodies, and the one-time OAuth code
# that Bolt's flow puts in a warning when Slack refuses it, whoever logs them.
_SECRET_PATTERNS = re.compile(
    r"(xox[abposre]-[0-9A-Za-z-]+|xapp-[0-9A-Za-z-]+|gAAAAA[0-9A-Za-z_=-]{20,}"
    # A workflow step execution's token; a phone number in E.164 (Lens by SMS).
    r"|xwfp-[0-9A-Za-z-]+|(?<![0-9A-Za-z])\+[1-9][0-9]{7,14}(?![0-9])"
    r"|(?<=authcode=)[^&\s'\"]+|(?<=pwd=)[^&\s'\"]+|(?<=with code: )\S+)"
)


_HEAD = 6  # secrets shorter than this are not scrubbed by value (too likely in plain text)


class _Secrets:
    """Values to scrub wherever they appear; filled at start-up and as authcodes are read.

    Looked up by their first characters at each position of a text, so the cost of a line
    does not grow with the number of agents (a regex alternation of every authcode did).
    """

    def __init__(self) -> None:
        self._heads: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def add(self, *values: str | None) -> None:
        fresh = [v for v in values if v and len(v) >= _HEAD]
        if not fresh:
            return
        with self._lock:
            heads = dict(self._heads)
            for value in fresh:
                known = heads.get(value[:_HEAD], ())
                if value not in known:
                    heads[value[:_HEAD]] = tuple(sorted((*known, value), key=len, reverse=True))
            self._heads = heads  # swapped whole: readers never see a half-built table

    def scrub(self, text: str) -> str:
        text = _SECRET_PATTERNS.sub(REDACTED, text)
        heads = self._heads
        if not heads or len(text) < _HEAD:
            return text
        found = {
            value
            for i in range(len(text) - _HEAD + 1)
            if (candidates := heads.get(text[i : i + _HEAD]))
            for value in candidates
            if text.startswith(value, i)
        }
        for value in sorted(found, key=len, reverse=True):
            text = text.replace(value, REDACTED)
        return text


secrets = _Secrets()


def _scrub(value: Any, key: str = "") -> Any:
    if key and key not in ("event", "exception") and _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, str):
        return secrets.scrub(value)
    if isinstance(value, MutableMapping):
        return {k: _scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return secrets.scrub(repr(value))


def redact(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    return {key: _scrub(value, key) for key, value in event_dict.items()}


def _scrub_rendered(_: WrappedLogger, __: str, rendered: Any) -> Any:
    # Last word, after tracebacks are formatted: an exception's text can carry anything.
    return secrets.scrub(rendered) if isinstance(rendered, str) else rendered


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
        renderer = structlog.processors.JSONRenderer()
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
            _scrub_rendered,
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


def register_secrets(values: Iterable[str | None]) -> None:
    secrets.add(*values)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)


def current_request_id() -> str | None:
    """The id bound for the Slack request being handled, so an audit row can name it."""
    value = structlog.contextvars.get_contextvars().get("request_id")
    return value if isinstance(value, str) else None
