"""Which language a page speaks.

In order: an explicit `?lang=` (remembered for the visit), the browser's preference among the languages the
program offers, the program's default language, then English. Each language's catalogue lives in
`app/translations/<language>/LC_MESSAGES/`; its compiled `.mo` is kept beside the `.po`, and a test checks the
two agree (recompile with `pybabel compile -d app/translations -f`).
"""

from collections.abc import Iterable

from babel import Locale, UnknownLocaleError
from flask import g, has_request_context, request, session
from flask_babel import get_locale
from markupsafe import Markup

from app.content import Worded, worded
from emails.i18n import LANGUAGES, language_tag, matching_language

# Pages speak every language the emails are written in: one list, so a language is added in one place.
SUPPORTED_LOCALES = LANGUAGES
DEFAULT_LOCALE = "en"


def select_locale() -> str:
    if not has_request_context():
        return g.get("page_locale") or DEFAULT_LOCALE
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    offered = g.get("page_locales") or SUPPORTED_LOCALES
    return browser_language(offered) or g.get("page_locale") or DEFAULT_LOCALE


def browser_language(offered: Iterable[str]) -> str | None:
    """The language of `offered` the browser's Accept-Language prefers, taking its languages in the reader's
    order: "pt-PT,pt;q=0.9,en;q=0.8" reads Brazilian Portuguese before English, and "zh-CN" reads zh_Hans.
    (Werkzeug's `best_match` would take any exact match first, so "en" would win there.)"""
    for tag, _quality in request.accept_languages:
        try:
            wanted = Locale.parse(tag, sep="-")
        except (ValueError, TypeError, UnknownLocaleError):
            continue  # "*", or a tag Babel does not know
        language = matching_language(wanted, offered)
        if language is not None:
            return language
    return None


def remember_locale_choice() -> None:
    """Keep a `?lang=` choice for the next pages, so a form posted back stays in the chosen language."""
    chosen = request.args.get("lang")
    if chosen in SUPPORTED_LOCALES and session.get("lang") != chosen:
        session["lang"] = chosen


def provide_page_language() -> dict:
    """Template values for the `lang` attribute and the language switcher: each language as its code (for
    `?lang=`), its BCP 47 tag (for `lang`/`hreflang`) and its own name."""
    offered = g.get("page_locales") or SUPPORTED_LOCALES
    return {
        "page_lang": language_tag(str(get_locale())),
        "page_languages": [
            (code, language_tag(code), language_name(code)) for code in offered if code in SUPPORTED_LOCALES
        ],
        "language_name": language_name,
        "language_label": language_label,
        "program_text": program_text,
    }


def program_text(program, field: str) -> Worded:
    """One of the program's own texts (its description…) in the page's language, or in the program's main
    language where it has none."""
    return worded(program, field, str(get_locale()), program.default_locale)


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name in that language ("Español", "Português (Brasil)", "中文 (简体)"), as people look for
    their own in a list; or in `in_language` ("Spanish", for the console)."""
    try:
        name = Locale.parse(code).get_display_name(in_language or code) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


def language_label(code: str) -> Markup:
    """A language's own name marked as written in that language (WCAG's language of parts), so a screen reader
    reading an English page says "中文 (简体)" in Chinese."""
    return Markup('<span lang="{}">{}</span>').format(language_tag(code), language_name(code))
