"""The current person's language (a ContextVar) and translating into it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_timedelta

from bot.language.catalogs import LANGUAGES, SOURCE_LANGUAGE, translations

_default = SOURCE_LANGUAGE
# Set for each request by the listeners (handlers/speaking.py); a task copies it when created.
_current: ContextVar[str | None] = ContextVar("language", default=None)


def set_default(language: str) -> None:
    """DEFAULT_LANGUAGE: the language of whoever the app knows no supported locale for."""
    global _default
    _default = supported(language) or SOURCE_LANGUAGE


def current() -> str:
    return _current.get() or _default


def language(value: str | None) -> None:
    """Speak `value` (a supported language; None: the default) for the rest of this task."""
    _current.set(value)


@contextmanager
def speaking(value: str | None) -> Iterator[None]:
    """Speak `value` inside the block only (the customer's words, a post for someone else)."""
    token = _current.set(value or _current.get())
    try:
        yield
    finally:
        _current.reset(token)


@lru_cache(maxsize=256)
def supported(locale: str | None) -> str | None:
    """Slack's `de-DE`, `pt-BR`, `es-LA` → a language the app speaks, by exact match, then by
    language alone; None when it speaks neither."""
    if not locale:
        return None
    try:
        parsed = Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        # Slack's `es-LA` is no CLDR locale: its language still decides.
        head = locale.replace("-", "_").split("_")[0].lower()
    else:
        head = parsed.language
        exact = f"{parsed.language}_{parsed.territory}" if parsed.territory else None
        if exact in LANGUAGES:
            return exact
    if head in LANGUAGES:
        return head
    matches = [name for name in LANGUAGES if name.split("_")[0] == head]
    return matches[0] if matches else None


def spoken_names() -> list[str]:
    """The languages as settings and Slack write them: `en`, …, `pt-BR`."""
    return [name.replace("_", "-") for name in LANGUAGES]


def N_(message: str) -> str:  # noqa: N802 (gettext's own name for the marker)
    """Marks a sentence for extraction; `_` translates it where the message is built."""
    return message


def _(message: str, **values: object) -> str:
    """`message` in the current language, its `%(name)s` placeholders filled from `values`."""
    text = translations(current()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    """The plural form the current language's rules pick for `n` (`%(num)d` is `n`)."""
    text = translations(current()).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def duration(seconds: int) -> str:
    """`1 min, 15 sec` / `1 Min., 15 Sek.` / `1 分 15 秒`: Babel's units, joined its way."""
    locale = current()
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        format_timedelta(
            timedelta(seconds=amount * unit), threshold=1, format="short", locale=locale
        )
        for amount, unit in ((hours, 3600), (minutes, 60), (secs, 1))
        if amount
    ]
    if not parts:
        parts = [format_timedelta(timedelta(0), format="short", locale=locale)]
    # Seconds beside hours say nothing a summary needs.
    if hours:
        parts = parts[:2]
    if len(parts) == 1:
        return parts[0]
    return _pair(locale).format(*parts)


@lru_cache(maxsize=len(LANGUAGES))
def _pair(locale: str) -> str:
    """How the language joins two units. CLDR's unit lists are sparse per locale and Babel's
    `format_list` does not fall back between styles, so look for the first that says."""
    patterns = Locale.parse(locale).list_patterns
    for style in ("unit-short", "unit-narrow", "unit", "standard"):
        found = patterns.get(style)
        if found is not None:
            for key in ("2", "end"):
                try:
                    return str(found[key])
                except KeyError:
                    continue
    return "{0} {1}"
