"""Every shipped language for every patient-facing page: a complete catalogue, compiled, and chosen the way
people's browsers ask for it."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sqlmodel import select

from app import database
from app.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from app.messages.kinds import MessageKind
from app.models import Program

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [locale for locale in SUPPORTED_LOCALES if locale != DEFAULT_LOCALE]
METHODS = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None}


def _catalogue_path(locale: str) -> Path:
    return ROOT / "app/translations" / locale / "LC_MESSAGES/messages.po"


def _catalogue(locale: str):
    with _catalogue_path(locale).open("rb") as po:
        return read_po(po, locale=locale)


def _used_messages() -> set[str]:
    used = {message for _file, _line, message, *_ in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS)}
    assert len(used) > 100, "the extractor found no messages: check METHODS"
    return {message if isinstance(message, str) else message[0] for message in used}


def _translated(entry) -> bool:
    texts = [] if entry is None else [entry.string] if isinstance(entry.string, str) else list(entry.string)
    return bool(texts) and all(texts) and not entry.fuzzy


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_in_the_code_is_translated(locale):
    """What a shipped language still lacks, by msgid: the list a translator works through."""
    catalogue = _catalogue(locale)

    missing = sorted(message for message in _used_messages() if not _translated(catalogue.get(message)))

    assert missing == [], f"{len(missing)} messages have no {locale} translation:\n" + "\n".join(missing)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_every_placeholder(locale):
    problems = [(message.id, errors) for message, errors in _catalogue(locale).check() if errors]
    assert problems == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_compiled_catalogue_matches_the_source(locale):
    """The .mo is committed beside the .po; after editing: `pybabel compile -d app/translations -f`."""
    with _catalogue_path(locale).with_suffix(".mo").open("rb") as mo:
        compiled = {message.id: message.string for message in read_mo(mo) if message.id}
    source = {message.id: message.string for message in _catalogue(locale) if message.id and message.string}
    assert compiled == source


def test_every_catalogue_folder_is_a_shipped_language():
    folders = {path.name for path in (ROOT / "app/translations").iterdir() if path.is_dir()}
    assert folders == set(TRANSLATED)


@pytest.fixture
def every_language(kit):
    """The demo program offers every shipped language."""
    with kit.app.app_context():
        session = database.session()
        session.exec(select(Program)).one().languages = list(SUPPORTED_LOCALES)
        session.commit()
    return kit


@pytest.mark.parametrize(
    ("accept", "tag"),
    [
        ("es-MX,es;q=0.9,en;q=0.5", "es"),
        ("pt-BR,pt;q=0.9", "pt-BR"),
        ("pt-PT,pt;q=0.9,en;q=0.8", "pt-BR"),
        ("pt", "pt-BR"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("fr-CA,fr;q=0.9,en-US;q=0.8,en;q=0.7", "fr"),
        ("zh-TW,en;q=0.5", "en"),  # Traditional characters: Simplified is not what was asked
        ("de-DE,de;q=0.9", "en"),  # not offered: the program's main language
    ],
)
def test_the_page_speaks_the_language_the_browser_asks_for(every_language, accept, tag):
    page = every_language.client.get("/p/demo", headers={"Accept-Language": accept}).text

    assert f'<html lang="{tag}">' in page


def test_the_language_switcher_and_the_form_name_each_language_in_itself(every_language):
    page = every_language.client.get("/p/demo").text

    for code, tag, name in [
        ("es", "es", "Español"),
        ("fr", "fr", "Français"),
        ("pt_BR", "pt-BR", "Português (Brasil)"),
        ("zh_Hans", "zh-Hans", "中文 (简体)"),
    ]:
        assert f'<a href="?lang={code}" lang="{tag}" hreflang="{tag}"' in page
        assert f">{name}</a>" in page
    # The form's language choices too, marked so a screen reader says each name in its language.
    assert '<label for="field-languages-zh_Hans"><span lang="zh-Hans">中文 (简体)</span></label>' in page
    chosen = every_language.client.get("/p/demo?lang=zh_Hans").text
    assert (
        '<html lang="zh-Hans">' in chosen
        and 'hreflang="zh-Hans"\n               aria-current="true"' in chosen
    )


def test_a_language_the_program_does_not_offer_is_not_spoken_on_its_page(kit):
    page = kit.client.get("/p/demo", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).text

    assert '<html lang="en">' in page and 'hreflang="fr"' not in page


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


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_the_registration_remembers_the_language_for_its_emails(every_language, locale):
    kit = every_language
    kit.client.get(f"/p/demo?lang={locale}")
    kit.post_form(kit.page, kit.form(languages=[locale]))
    assert kit.messages(MessageKind.VERIFY_EMAIL)[0].locale == locale
    assert kit.participants()[0].locale == locale


def test_a_registration_through_the_api_keeps_the_language_its_client_asked_for(every_language):
    kit = every_language
    answer = kit.client.post(kit.api, json=kit.body(), headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})

    assert answer.status_code == 201
    assert kit.participants()[0].locale == "zh_Hans"
    assert kit.messages(MessageKind.VERIFY_EMAIL)[0].locale == "zh_Hans"


def test_without_a_preference_the_program_default_language_is_used(kit):
    page = kit.client.get("/p/demo").text
    assert '<html lang="en">' in page
