"""A program's own texts in each of its languages: its description and preparation tips, its conditions'
names, its stages' names and hints.

A row keeps each text in the program's main language (`Program.default_locale`) in its own column
(`Program.description`, `Condition.name`…) and the other languages in `translations`, {field: {locale: text}},
so a language added later needs no change to the tables. A reader gets the text in their language or, where
it has none, the main language's: `worded` says which of the two it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The texts of each kind of row that a coordinator writes in every program language.
PROGRAM_TEXTS = ("description", "preparation_tips")
CONDITION_TEXTS = ("name",)
STAGE_TEXTS = ("name", "hint")

Translations = dict[str, dict[str, str]]


@dataclass(frozen=True)
class Worded:
    """One text as a reader gets it, and the language it is in: theirs, or the main language in its place."""

    text: str
    locale: str


def worded(row: Any, field: str, locale: str, main: str) -> Worded:
    """`row`'s `field` in `locale`, or in the main language `main` where it has no text in `locale`."""
    text = translation(row, field, locale, main)
    return Worded(text, locale) if text else Worded(getattr(row, field), main)


def translation(row: Any, field: str, locale: str, main: str) -> str:
    """The text `row` holds for `field` in `locale` itself ("" for none); the column's for the main one."""
    if locale == main:
        return getattr(row, field)
    return (row.translations or {}).get(field, {}).get(locale, "")


def with_texts(translations: Translations | None, field: str, texts: Mapping[str, str]) -> Translations:
    """`translations` with `field`'s `texts` by locale set (an empty text removes that language's), the other
    fields and languages kept as they were."""
    changed = {name: dict(by_locale) for name, by_locale in (translations or {}).items()}
    by_locale = changed.setdefault(field, {})
    for locale, text in texts.items():
        if text:
            by_locale[locale] = text
        else:
            by_locale.pop(locale, None)
    if not by_locale:
        del changed[field]
    return changed


def main_first(languages: list[str], main: str) -> list[str]:
    """A program's languages with its main language first, as the console shows a text's translations."""
    return [main, *(locale for locale in languages if locale != main)]
