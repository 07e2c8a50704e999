"""Languages we write in, and their catalogues.

Templates hold their source strings in English. Other languages live in gettext catalogues at
``emails/translations/<language>/LC_MESSAGES/messages.po``; we read the ``.po`` with Babel and compile
it in memory on first use, so no compiled ``.mo`` file has to be committed or kept in step. Fuzzy
entries are left out of the compiled catalogue (they fall back to English), and the test suite
refuses a catalogue with a missing or fuzzy translation.

A language is named by its Babel identifier (``pt_BR``, ``zh_Hans``): the name of its catalogue folder
here and in ``app/translations``. Where a language tag goes out to readers (``<html lang>``,
``Content-Language``), it is written in BCP 47 (``pt-BR``, ``zh-Hans``) by `language_tag`.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SOURCE_LANGUAGE = "en"
#: Every language the service speaks, pages and messages alike (`app.i18n` offers the same list).
LANGUAGES = ("en", "es", "fr", "pt_BR", "zh_Hans")
TRANSLATIONS_DIR = Path(__file__).parent / "translations"


def parse_locale(locale: str) -> Locale:
    """Return the Babel locale for ``locale``, refusing languages we have no catalogue for."""
    parsed = Locale.parse(locale)
    if matching_language(parsed) is None:
        raise ValueError(f"we do not write in {locale!r}; supported languages: {', '.join(LANGUAGES)}")
    return parsed


def catalogue_language(locale: str) -> str:
    """The language of `LANGUAGES` we write to a reader of ``locale`` in (``es_MX`` → ``es``)."""
    language = matching_language(parse_locale(locale))
    assert language is not None  # parse_locale refused the others
    return language


def matching_language(locale: Locale, among: Iterable[str] = LANGUAGES) -> str | None:
    """The language of ``among`` a reader of ``locale`` reads, if any.

    The same code first; else the one of the same language, unless the scripts differ: ``pt`` and
    ``pt_PT`` read ``pt_BR``, ``fr_CA`` reads ``fr``, ``zh`` and ``zh_CN`` (Babel fills in its script,
    Hans) read ``zh_Hans``, but ``zh_TW`` is written in Traditional characters and reads none of them.
    """
    offered = [(code, Locale.parse(code)) for code in among]
    for code, candidate in offered:
        if candidate == locale:
            return code
    for code, candidate in offered:
        same_script = None in (candidate.script, locale.script) or candidate.script == locale.script
        if candidate.language == locale.language and same_script:
            return code
    return None


def language_tag(language: str) -> str:
    """The BCP 47 tag of a language named the Babel way (``pt_BR`` → ``pt-BR``), as HTML and MIME want it."""
    return language.replace("_", "-")


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
