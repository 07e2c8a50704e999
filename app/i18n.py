"""Which language a page speaks: an explicit choice, else the program's, else the browser's."""

from flask import g, request

SUPPORTED_LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"


def select_locale() -> str:
    chosen = request.args.get("lang") or g.get("page_locale")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or DEFAULT_LOCALE
