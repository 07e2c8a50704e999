"""No English leaks into mail in another language: every string in the templates is translated into every
shipped language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

import emails
from emails.i18n import LANGUAGES, SOURCE_LANGUAGE, catalogue_path

PACKAGE = Path(emails.__file__).parent
TRANSLATED = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def template_messages() -> set[str | tuple[str, ...]]:
    """Every translatable string of the templates, extracted the way emails/babel.cfg says."""
    with (PACKAGE / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {message for _, _, message, _, _ in extract_from_dir(PACKAGE, method_map, options_map)}


def catalogue(language: str):
    with catalogue_path(language).open("rb") as po:
        return read_po(po, locale=language)


def key(message: str | tuple[str, ...]) -> str:
    """A catalogue knows a plural message by its singular."""
    return message if isinstance(message, str) else message[0]


def texts(entry) -> list[str]:
    return [entry.string] if isinstance(entry.string, str) else list(entry.string)


def test_every_catalogue_folder_is_a_shipped_language():
    folders = {path.name for path in (PACKAGE / "translations").iterdir() if path.is_dir()}

    assert folders == set(TRANSLATED)


def test_the_templates_hold_translatable_strings():
    messages = template_messages()

    assert "Hello %(name)s," in messages
    assert len(messages) > 50


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_template_string_is_translated(language):
    translations = catalogue(language)

    missing = sorted(
        key(message)
        for message in template_messages()
        if (entry := translations.get(key(message))) is None or entry.fuzzy or not all(texts(entry))
    )
    assert missing == [], f"{len(missing)} messages have no {language} translation:\n" + "\n".join(missing)


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_every_placeholder(language):
    for entry in catalogue(language):
        if not entry.id:
            continue
        source = entry.id if isinstance(entry.id, str) else " ".join(entry.id)
        # A plural's singular may say "one" where the plural says %(count)s; nothing else may go missing.
        expected = set(PLACEHOLDER.findall(source)) - ({"count"} if entry.pluralizable else set())
        for translation in filter(None, texts(entry)):  # an empty one is missing, which the test above says
            assert expected <= set(PLACEHOLDER.findall(translation)), entry.id


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalogue_holds_no_strings_the_templates_dropped(language):
    used = {key(message) for message in template_messages()}

    stale = [entry.id for entry in catalogue(language) if entry.id and key(entry.id) not in used]

    assert stale == []
