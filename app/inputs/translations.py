"""A program's own texts in its other languages as a coordinator writes them, checked (see `app.content`).

The field of a text in a language other than the main one is named after the main language's field and the
language (`translation_field`): `description-es`, `stage-12-hint-fr`. Only the languages whose field was sent
are read, so a language the form did not show keeps its texts; an empty field removes that translation, and
its readers see the main language's text again.
"""

from __future__ import annotations

from app.i18n import SUPPORTED_LOCALES
from app.inputs.fields import FieldReader, Rule


def translation_field(field: str, locale: str) -> str:
    """The form field of `field`'s text in `locale` (not the main language: its field is `field` itself)."""
    return f"{field}-{locale}"


def read_translations(reader: FieldReader, field: str, rule: Rule) -> dict[str, str]:
    """`field`'s texts by language, for each language whose field was sent, each checked by `rule` (which must
    let an empty text through); a text that breaks it reads as "" and the problem is kept by `reader`."""
    sent = (locale for locale in SUPPORTED_LOCALES if translation_field(field, locale) in reader.data)
    return {locale: reader.read(translation_field(field, locale), rule) or "" for locale in sent}
