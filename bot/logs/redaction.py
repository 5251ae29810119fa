"""Redaction of one log line, value by value, before it is rendered.

What a value is decides whether it is hidden, never what a person typed:
- by key: values under keys that name secrets or customer fields, at any depth;
- by shape: Slack tokens, Fernet tokens and keys, `authcode=`/`pwd=` in form bodies, the
  one-time OAuth code in Bolt's warning, phone numbers;
- by value: a bounded set of *confirmed* secrets (an authcode Rescue issued or accepted, a
  token Slack issued, the app's own settings), and only those long and random-looking enough
  that no ID, word or event name can be one of them.

Each string is replaced inside the event dict, never in the rendered line: a line stays one
JSON object whatever any value holds.
"""

from __future__ import annotations

import datetime
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from contextlib import suppress
from enum import Enum
from functools import lru_cache
from typing import Any

import orjson
from structlog.types import EventDict, WrappedLogger

REDACTED = "[redacted]"

# Keys whose values are never logged: secrets, and what agents type about customers.
_SECRET_KEY = re.compile(
    r"(authcode|pwd|password|passwd|secret|token|(?:\A|_)keys?(?:\Z|_)|authorization|cookie"
    r"|cfield\d|tracking\d|email|fields|values|payload|body|text)",
    re.IGNORECASE,
)
# Slack tokens, Fernet tokens, `authcode=`/`pwd=` in form bodies, and the one-time OAuth code
# that Bolt's flow puts in a warning when Slack refuses it, whoever logs them.
_SECRET_PATTERNS = re.compile(
    r"(xox[abposre]-[0-9A-Za-z-]+|xapp-[0-9A-Za-z-]+|gAAAAA[0-9A-Za-z_=-]{20,}"
    # A workflow step execution's token; a phone number in E.164 (Lens by SMS).
    # The number may follow a newline or tab escaped in a repr (`\n+1415…`).
    r"|xwfp-[0-9A-Za-z-]+|(?:(?<![0-9A-Za-z])|(?<=\\[nrtbf]))\+[1-9][0-9]{7,14}(?![0-9])"
    r"|(?<=authcode=)[^&\s'\"]+|(?<=pwd=)[^&\s'\"]+|(?<=with code: )\S+)"
)
# A Fernet key (ENCRYPTION_KEY may hold several, old ones too): 32 bytes in URL-safe base64.
_FERNET_KEY = re.compile(r"(?<![0-9A-Za-z_-])[0-9A-Za-z_-]{43}=(?![0-9A-Za-z_=-])")
_SHORTEST_SHAPE = 5  # `pwd=x`: a shorter string holds no shape at all

# Free-text matching: a confirmed value qualifies only when at least this long (a Slack ID is
# at most 11 characters), with a letter, a digit and this many distinct characters in it.
MIN_LENGTH = 16
MIN_DISTINCT = 8
CAPACITY = 4096  # confirmed values kept, the least recently confirmed going first
_STRIDE = 8  # a text is looked up every _STRIDE characters; MIN_LENGTH >= 2 * _STRIDE - 1


def qualifies(value: str) -> bool:
    """Long and random-looking enough to be matched in free text."""
    return (
        len(value) >= MIN_LENGTH
        and len(set(value)) >= MIN_DISTINCT
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
        and not any(c.isspace() for c in value)
    )


class ConfirmedSecrets:
    """Values to find in free text. Each form a value may take in a text (as written, or
    escaped by repr() or JSON) is indexed by its windows of _STRIDE characters at its first
    _STRIDE offsets; a text is looked up only at multiples of _STRIDE. A form at least
    2 × _STRIDE - 1 long always covers one such window, so a line's cost grows with its
    length / _STRIDE, not with the number of values.
    """

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._recent: OrderedDict[str, None] = OrderedDict()  # confirmed at run time
        self._held: set[str] = set()  # the app's own settings: never evicted
        self._forms: dict[str, int] = {}  # form -> how many values have it
        # Replaced entry by entry, never mutated: a reader without the lock sees the old
        # tuple or the new one.
        self._windows: dict[str, tuple[tuple[str, int], ...]] = {}
        self._lock = threading.Lock()

    def add(self, values: Iterable[str | None], *, held: bool = False) -> None:
        for value in values:
            if not value or value in self._held or not qualifies(value):
                continue
            with self._lock:
                if held:
                    if value in self._recent:  # indexed already
                        del self._recent[value]
                    else:
                        self._index(value)
                    self._held.add(value)
                elif value in self._recent:
                    self._recent.move_to_end(value)  # every PIN request confirms its authcode
                else:
                    self._index(value)
                    self._recent[value] = None
                    while len(self._recent) > self._capacity:
                        self._unindex(self._recent.popitem(last=False)[0])

    def __len__(self) -> int:
        return len(self._recent) + len(self._held)

    def _index(self, value: str) -> None:
        for form in _forms(value):
            self._forms[form] = self._forms.get(form, 0) + 1
            if self._forms[form] > 1:
                continue
            for offset in range(_STRIDE):
                window = form[offset : offset + _STRIDE]
                self._windows[window] = (*self._windows.get(window, ()), (form, offset))

    def _unindex(self, value: str) -> None:
        for form in _forms(value):
            self._forms[form] -= 1
            if self._forms[form]:
                continue
            del self._forms[form]
            for offset in range(_STRIDE):
                window = form[offset : offset + _STRIDE]
                rest = tuple(e for e in self._windows.get(window, ()) if e != (form, offset))
                if rest:
                    self._windows[window] = rest
                else:
                    self._windows.pop(window, None)

    def scrub(self, text: str) -> str:
        windows = self._windows
        if not windows or len(text) < MIN_LENGTH:
            return text
        found: set[str] = set()
        for start in range(0, len(text) - _STRIDE + 1, _STRIDE):
            for form, offset in windows.get(text[start : start + _STRIDE], ()):
                if start >= offset and text.startswith(form, start - offset):
                    found.add(form)
        for form in sorted(found, key=len, reverse=True):
            text = text.replace(form, REDACTED)
        return text


def _forms(value: str) -> set[str]:
    """A value as written, and as repr() (either quote style) or JSON escape it: an exception
    message may quote it so. Each still qualifies by length, being at least as long."""
    forms = {value, repr(value)[1:-1], repr(value + '"')[1:-2]}
    with suppress(orjson.JSONEncodeError):  # a lone surrogate: no JSON text holds it as such
        forms.add(orjson.dumps(value).decode()[1:-1])
    return forms


confirmed = ConfirmedSecrets()


def scrub(text: str) -> str:
    """One string with every secret shape and every confirmed value in it replaced."""
    if len(text) < _SHORTEST_SHAPE:
        return text
    # Cheap `in` tests that tell whether _SECRET_PATTERNS can match at all: its alternation,
    # tried at every position, costs more than the rest of a line (and so does any()).
    if (
        "x" in text
        and ("xox" in text or "xapp-" in text or "xwfp-" in text)
        or "+" in text
        or "=" in text
        and ("authcode=" in text or "pwd=" in text)
        or "gAAAAA" in text
        or "with code: " in text
    ):
        text = _SECRET_PATTERNS.sub(REDACTED, text)
    if "=" in text and len(text) >= 44:
        text = _FERNET_KEY.sub(REDACTED, text)
    return confirmed.scrub(text)


@lru_cache(maxsize=1024)  # a line's keys come from a small set: the regex ran for each
def is_secret_key(key: str) -> bool:
    return key not in ("event", "exception") and _SECRET_KEY.search(key) is not None


_SCALARS = (int, float, bool, type(None))
# What orjson writes itself and that can carry no text of anyone's.
_KEPT = (datetime.date, datetime.time, uuid.UUID)


def _redacted(value: Any, key: str = "") -> Any:
    if key and is_secret_key(key):
        return REDACTED
    if isinstance(value, str):
        return scrub(value)  # the same object when nothing was found: a StrEnum stays one
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, dict):
        return {k: _frames(v) if k == "frames" else _redacted(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _redacted(v, str(k)) for k, v in value.items()}
    if isinstance(value, _KEPT):
        return value
    if isinstance(value, Enum):
        return _redacted(value.value)
    # Anything else is written as its repr (so the renderers would): scrubbed as text here.
    # A dataclass too: its repr leaves out fields marked repr=False.
    return scrub(repr(value))


# Written by the pipeline itself from the clock, the level, the logger's name and a random id.
_OWN_KEYS = frozenset({"timestamp", "level", "logger", "request_id"})
_FRAME_KEYS = {"filename", "lineno", "name", "locals"}  # structlog.tracebacks.Frame


def _frames(value: Any) -> Any:
    """A JSON traceback's frames: file, line and function names from the code, kept as they
    are unless they carry locals (off in `setup`: those are anyone's values)."""
    if isinstance(value, list) and all(
        isinstance(frame, dict) and frame.keys() <= _FRAME_KEYS and frame.get("locals") is None
        for frame in value
    ):
        return value
    return _redacted(value)


def redact(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """The processor: every value of the line, at any depth, after tracebacks are formatted
    and before the renderer."""
    return {
        key: value if key in _OWN_KEYS else _redacted(value, key)
        for key, value in event_dict.items()
    }
