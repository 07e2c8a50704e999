"""Changing a program's main language: its own texts (`app.content`) swap places.

The columns hold the main language's texts, so when Spanish becomes the main language instead of English,
each row's Spanish texts move into the columns and its English ones into `translations`. A text the old main
language has and the new one lacks would leave its readers with nothing, so the change is refused until the
coordinator has written those texts, and the refusal names each of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from app.content import CONDITION_TEXTS, PROGRAM_TEXTS, STAGE_TEXTS, translation, with_texts
from app.i18n import language_name
from app.inputs.fields import InvalidInput
from app.services.offers import ConditionOffer


def check_main_language_change(program: Any, offers: Sequence[ConditionOffer], old: str, new: str) -> None:
    """Raise `InvalidInput` on the main language's field when a text of `old` has no text in `new`.

    `program` holds the program's texts as they are about to be saved (the row, or its values as submitted).
    """
    missing = [what for what, row, field in _texts(program, offers) if _lacks(row, field, old, new)]
    if missing:
        raise InvalidInput(
            {
                "default_locale": (
                    f"Write these in {language_name(new, 'en')} before making it the main language, as its "
                    f"readers would otherwise see no text: {'; '.join(missing)}."
                )
            }
        )


def move_main_language(program: Any, offers: Sequence[ConditionOffer], old: str, new: str) -> list[Any]:
    """Swap each text of `old` (in the columns) with its text in `new` (a translation); returns the rows that
    changed, for the caller to add to its session. Check first with `check_main_language_change`."""
    changed = []
    for _what, row, field in _texts(program, offers):
        main_text = getattr(row, field)
        new_text = translation(row, field, new, old)
        if main_text or new_text:
            setattr(row, field, new_text)
            row.translations = with_texts(row.translations, field, {new: "", old: main_text})
            changed.append(row)
    return changed


def _lacks(row: Any, field: str, old: str, new: str) -> bool:
    return bool(getattr(row, field)) and not translation(row, field, new, old)


def _texts(program: Any, offers: Sequence[ConditionOffer]) -> Iterator[tuple[str, Any, str]]:
    """Every text of the program: (how a coordinator knows it, its row, its field)."""
    for field in PROGRAM_TEXTS:
        yield f"the program’s {field.replace('_', ' ')}", program, field
    for offer in offers:
        condition = offer.condition
        for field in CONDITION_TEXTS:
            yield f"the name of the condition “{condition.name}”", condition, field
        for stage in offer.stages:
            for field in STAGE_TEXTS:
                what = "name" if field == "name" else "description"
                yield f"the {what} of the stage “{stage.name}” ({condition.name})", stage, field
