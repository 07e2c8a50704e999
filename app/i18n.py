"""Which language a page speaks.

In order: an explicit `?lang=` (remembered for the visit), the browser's preference among the languages the
program offers, the program's default language, then English. The Spanish catalogue lives in
`app/translations/es/LC_MESSAGES/`; its compiled `.mo` is kept beside the `.po`, and a test checks the two
agree (recompile with `pybabel compile -d app/translations`).
"""

from babel import Locale, UnknownLocaleError
from flask import g, has_request_context, request, session
from flask_babel import get_locale

from app.content import Worded, worded

SUPPORTED_LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"


def select_locale() -> str:
    if not has_request_context():
        return g.get("page_locale") or DEFAULT_LOCALE
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    offered = g.get("page_locales") or SUPPORTED_LOCALES
    browser = request.accept_languages.best_match(offered) if request.accept_languages else None
    return browser or g.get("page_locale") or DEFAULT_LOCALE


def remember_locale_choice() -> None:
    """Keep a `?lang=` choice for the next pages, so a form posted back stays in the chosen language."""
    chosen = request.args.get("lang")
    if chosen in SUPPORTED_LOCALES and session.get("lang") != chosen:
        session["lang"] = chosen


def provide_page_language() -> dict:
    """Template values for the `lang` attribute and the language switcher."""
    offered = g.get("page_locales") or SUPPORTED_LOCALES
    return {
        "page_lang": str(get_locale()),
        "page_languages": [(code, language_name(code)) for code in offered if code in SUPPORTED_LOCALES],
        "language_name": language_name,
        "program_text": program_text,
    }


def program_text(program, field: str) -> Worded:
    """One of the program's own texts (its description…) in the page's language, or in the program's main
    language where it has none."""
    return worded(program, field, str(get_locale()), program.default_locale)


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name in that language ("Español"), as people look for their own in a list; or in
    `in_language` ("Spanish", for the console)."""
    try:
        name = Locale.parse(code).get_display_name(in_language or code) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]
