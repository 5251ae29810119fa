"""The gettext catalogs beside the code (bot/locale/), read once per process.

The .po files are compiled in memory by Babel when a language is first used: no binary .mo
files in the repository, and a catalog is never stale against its .po. Untranslated and fuzzy
entries read as the English msgid (gettext's own fallback).
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
# The language the sentences are written in: it needs no catalog.
SOURCE_LANGUAGE = "en"
# Babel's locale identifiers; a new language is a catalog (`pybabel init`) and a line here.
LANGUAGES = ("en", "de", "fr", "es", "ja", "pt_BR")


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext.NullTranslations:
    """The language's translations, compiled from its .po once per process."""
    if language == SOURCE_LANGUAGE or language not in LANGUAGES:
        return gettext.NullTranslations()
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)
