"""Languages we write in, and their catalogues.

Templates hold their source strings in English. Other languages live in gettext catalogues at
``emails/translations/<language>/LC_MESSAGES/messages.po``; we read the ``.po`` with Babel and compile
it in memory on first use, so no compiled ``.mo`` file has to be committed or kept in step. Fuzzy
entries are left out of the compiled catalogue (they fall back to English), and the test suite
refuses a catalogue with a missing or fuzzy translation.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "es")
TRANSLATIONS_DIR = Path(__file__).parent / "translations"


def parse_locale(locale: str) -> Locale:
    """Return the Babel locale for ``locale``, refusing languages we have no catalogue for."""
    parsed = Locale.parse(locale)
    if parsed.language not in LANGUAGES:
        raise ValueError(f"we do not write in {locale!r}; supported languages: {', '.join(LANGUAGES)}")
    return parsed


def catalogue_path(language: str) -> Path:
    """Where the ``.po`` catalogue of ``language`` lives."""
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The gettext translations for ``language`` (the source language needs none)."""
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    with catalogue_path(language).open("rb") as po:
        catalogue = read_po(po, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
