"""Infrastructure: the language a sentence is read in, and its translation (gettext, Babel).

Sentences are written in English beside each feature's messages and marked with `N_` (or
wrapped in `_`/`ngettext` where they are built); `_` translates them at message-build time
into the current person's language, a ContextVar that the listeners set for each request.
"""

from bot.language.catalogs import LANGUAGES, SOURCE_LANGUAGE, translations
from bot.language.current import (
    N_,
    _,
    current,
    duration,
    language,
    ngettext,
    set_default,
    speaking,
    spoken_names,
    supported,
)
from bot.language.memory import Locales

__all__ = [
    "LANGUAGES",
    "N_",
    "Locales",
    "SOURCE_LANGUAGE",
    "_",
    "current",
    "duration",
    "language",
    "ngettext",
    "set_default",
    "speaking",
    "spoken_names",
    "supported",
    "translations",
]
