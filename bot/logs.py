"""structlog for the app and for the libraries' standard `logging`, with secrets redacted.

Redaction has two layers: keys that name secrets or customer fields are blanked whatever
their value, and every registered secret value (tokens, keys, authcodes seen at run time)
is scrubbed from every string that reaches a renderer.
"""

from __future__ import annotations

import logging
import os
import random
import re
import sys
import threading
from collections.abc import Iterable, MutableMapping
from functools import lru_cache
from typing import Any

import orjson
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
    # The number may follow a newline or tab escaped in the rendered line (`\n+1415…`).
    r"|xwfp-[0-9A-Za-z-]+|(?:(?<![0-9A-Za-z])|(?<=\\[nrtbf]))\+[1-9][0-9]{7,14}(?![0-9])"
    r"|(?<=authcode=)[^&\s'\"]+|(?<=pwd=)[^&\s'\"]+|(?<=with code: )\S+)"
)


_HEAD = 6  # secrets shorter than this are not scrubbed by value (too likely in plain text)
_STRIDE = 8  # a line is looked up every _STRIDE characters, not at each one
# Cheap `in` tests that tell whether _SECRET_PATTERNS can match at all: its alternation,
# tried at every position, cost more than the rest of a line.
_PATTERN_HINTS = ("xox", "xapp-", "gAAAAA", "xwfp-", "+", "authcode=", "pwd=", "with code: ")


class _Secrets:
    """Values to scrub wherever they appear; filled at start-up and as authcodes are read.

    A value at least 2 × _STRIDE - 1 long covers some window of _STRIDE characters that
    starts at a multiple of _STRIDE in any text, whatever its own offset: the windows at the
    value's first _STRIDE offsets are indexed, and a text is looked up at those multiples
    only. The cost of a line grows neither with the number of agents (a regex alternation
    of every authcode did) nor much with its length. Shorter values are searched for one
    by one.
    """

    def __init__(self) -> None:
        self._known: set[str] = set()
        self._windows: dict[str, tuple[tuple[str, int], ...]] = {}
        self._short: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def add(self, *values: str | None) -> None:
        """Cheap for a value known already: every PIN request registers its authcode."""
        if all(not v or len(v) < _HEAD or v in self._known for v in values):
            return
        with self._lock:
            short = set(self._short)
            fresh = {v for v in values if v and len(v) >= _HEAD and v not in self._known}
            for value in fresh:
                for form in _rendered_forms(value):
                    if len(form) < 2 * _STRIDE - 1:
                        short.add(form)
                        continue
                    for offset in range(_STRIDE):
                        # In place, one item at a time: a reader's `get` sees the old entry
                        # or the new one (the table is never copied: that grew with agents).
                        window = form[offset : offset + _STRIDE]
                        known = self._windows.get(window, ())
                        if (form, offset) not in known:
                            self._windows[window] = (*known, (form, offset))
            self._short = tuple(sorted(short, key=len, reverse=True))
            self._known.update(fresh)  # last: "known" only once it can be found

    def scrub(self, text: str) -> str:
        if any(hint in text for hint in _PATTERN_HINTS):
            text = _SECRET_PATTERNS.sub(REDACTED, text)
        windows = self._windows
        found = {value for value in self._short if value in text}
        if windows:
            for start in range(0, len(text) - _STRIDE + 1, _STRIDE):
                for value, offset in windows.get(text[start : start + _STRIDE], ()):
                    if start >= offset and text.startswith(value, start - offset):
                        found.add(value)
        for value in sorted(found, key=len, reverse=True):
            text = text.replace(value, REDACTED)
        return text


def _rendered_forms(value: str) -> set[str]:
    """A value as it is written, and as it may be escaped on its way into a line: by repr()
    (in either quote style: `'` is escaped inside '…'), by JSON, and by JSON around a repr
    (an exception's message or a %r argument in a JSON line). The rendered line is what gets
    scrubbed."""
    reprs = {repr(value)[1:-1], repr(value + '"')[1:-2]}
    forms = {value, *reprs}
    for form in (value, *reprs):
        try:
            forms.add(orjson.dumps(form).decode()[1:-1])
        except orjson.JSONEncodeError:  # a lone surrogate: no JSON line can hold it as such
            continue
    return forms


secrets = _Secrets()


_PLAIN = (str, int, float, bool, type(None))


def _blank_secret_keys(value: Any, key: str = "") -> Any:
    """Values under keys that name secrets or customer fields, at any depth. Values
    elsewhere are scrubbed once, in the rendered line (`_scrub_rendered`)."""
    if key and _is_secret_key(key):
        return REDACTED
    if isinstance(value, _PLAIN):  # most values: skip the (slow) abstract-class checks
        return value
    if isinstance(value, MutableMapping):
        return {k: _blank_secret_keys(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_blank_secret_keys(v) for v in value]
    return value


@lru_cache(maxsize=1024)  # a line's keys come from a small set: the regex ran for each
def _is_secret_key(key: str) -> bool:
    return key not in ("event", "exception") and _SECRET_KEY.search(key) is not None


def redact(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    return {key: _blank_secret_keys(value, key) for key, value in event_dict.items()}


def _scrub_rendered(_: WrappedLogger, __: str, rendered: Any) -> Any:
    # The one value scrub, after tracebacks and reprs are formatted: any text can carry anything.
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


def _json(value: Any, **_: Any) -> str:
    """One log line. orjson renders it in about a tenth of json.dumps's time; anything it does
    not know is written as its repr (and scrubbed), as structlog's own fallback does."""
    # Dataclasses too go by their repr: orjson would write every field, hidden ones included.
    options = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
    return orjson.dumps(value, default=repr, option=options).decode()


def register_secrets(values: Iterable[str | None]) -> None:
    secrets.add(*values)


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
