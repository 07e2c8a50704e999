"""Spanish for every patient-facing page: a complete catalogue, compiled, and chosen the way people expect."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.messages.kinds import MessageKind

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "app/translations/es/LC_MESSAGES/messages.po"
METHODS = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None}


def _spanish():
    with CATALOGUE.open("rb") as po:
        return read_po(po, locale="es")


def test_every_message_in_the_code_has_a_spanish_translation():
    catalogue = _spanish()
    used = {message for _file, _line, message, *_ in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS)}
    assert len(used) > 100, "the extractor found no messages: check METHODS"
    untranslated = sorted(
        message
        for message in used
        if not catalogue.get(message) or not catalogue.get(message).string or catalogue.get(message).fuzzy
    )
    assert untranslated == []


def test_translations_keep_every_placeholder():
    problems = [(message.id, errors) for message, errors in _spanish().check() if errors]
    assert problems == []


def test_the_compiled_catalogue_matches_the_source():
    """The .mo is committed beside the .po; after editing the .po, `pybabel compile -d app/translations`."""
    with CATALOGUE.with_suffix(".mo").open("rb") as mo:
        compiled = {message.id: message.string for message in read_mo(mo) if message.id}
    source = {message.id: message.string for message in _spanish() if message.id}
    assert compiled == source


@pytest.mark.parametrize(
    ("path", "headers"),
    [("/p/demo?lang=es", {}), ("/p/demo", {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})],
)
def test_the_page_speaks_spanish_when_asked(kit, path, headers):
    page = kit.client.get(path, headers=headers).text
    assert '<html lang="es">' in page
    assert "Correo electrónico" in page and "Email address" not in page


def test_a_language_choice_is_remembered_when_the_form_comes_back_with_errors(kit):
    kit.client.get("/p/demo?lang=es")
    response = kit.post_form(kit.page, kit.form(email="nope"))
    assert '<html lang="es">' in response.text
    assert "Escriba un correo electrónico como nombre@ejemplo.com." in response.text


def test_the_checks_shared_with_the_console_speak_spanish_to_registrants(kit):
    """The text rule the console uses too words its problems in the registrant's language."""
    kit.client.get("/p/demo?lang=es")
    response = kit.post_form(kit.page, kit.form(display_name="x" * 61, accessibility_note="x" * 501))
    assert "Use como máximo 60 caracteres." in response.text
    assert "Use como máximo 500 caracteres." in response.text
    assert "Please keep this" not in response.text


def test_the_registration_remembers_the_language_for_its_emails(kit):
    kit.client.get("/p/demo?lang=es")
    kit.post_form(kit.page, kit.form())
    assert kit.messages(MessageKind.VERIFY_EMAIL)[0].locale == "es"
    assert kit.participants()[0].locale == "es"


def test_without_a_preference_the_program_default_language_is_used(kit):
    page = kit.client.get("/p/demo").text
    assert '<html lang="en">' in page
