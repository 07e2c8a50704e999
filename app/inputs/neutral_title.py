"""Whether a program's name names a diagnosis, and a neutral title to show in its place.

A program's name shows outside the emails themselves: as the sender's name in inboxes and as the title of
meetings in calendars and Zoom, on lock screens, shared screens and phones. Where it names a diagnosis, it
tells whoever glances at the screen what the reader lives with; a neutral title shows there instead.

The rule is kept short enough to explain on the settings page: a name names a diagnosis when it contains,
as whole words, one of the program's conditions (its name, its code, or an abbreviation in brackets, such as
CLL in "Chronic lymphocytic leukaemia (CLL)") or one of a few common diagnosis words (`DIAGNOSIS_WORDS`,
also in the plural). Case, accents and punctuation do not matter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.models import Condition

DIAGNOSIS_WORDS = (
    "cancer", "tumour", "tumor", "oncology", "oncología", "leukaemia", "leukemia", "leucemia",
    "lymphoma", "linfoma", "myeloma", "mieloma", "melanoma", "sarcoma", "carcinoma", "HIV", "VIH", "AIDS",
    "SIDA", "diabetes", "dementia", "demencia", "Alzheimer's", "Parkinson's", "sclerosis", "esclerosis",
    "epilepsy", "epilepsia", "hepatitis", "stroke", "ictus",
)  # fmt: skip
GENERIC_TITLE = "Peer meet-up"
_BRACKETED = re.compile(r"\(([^()]+)\)")


@dataclass(frozen=True)
class TitleAdvice:
    """What the settings page says about the program's name: the diagnosis it names, if any, and a neutral
    title to suggest in its place."""

    diagnosis: str | None
    suggestion: str


def advise_title(name: str, organisation: str, conditions: Sequence[Condition]) -> TitleAdvice:
    return TitleAdvice(named_diagnosis(name, conditions), suggest_neutral_title(organisation, conditions))


def suggest_neutral_title(organisation: str, conditions: Sequence[Condition]) -> str:
    """The organisation's name followed by "meet-up", unless that names a diagnosis too."""
    suggestion = f"{organisation.strip()} meet-up"
    if not organisation.strip() or named_diagnosis(suggestion, conditions):
        return GENERIC_TITLE
    return suggestion


def named_diagnosis(text: str, conditions: Iterable[Condition]) -> str | None:
    """The first diagnosis that `text` names, as the condition or the word list writes it; None if none."""
    words = f" {_normalised(text)} "
    for phrase in _diagnoses(conditions):
        needle = _normalised(phrase)
        if needle and any(f" {form} " in words for form in (needle, f"{needle}s")):
            return phrase
    return None


def _diagnoses(conditions: Iterable[Condition]) -> list[str]:
    phrases: list[str] = []
    for condition in conditions:
        phrases += [condition.name, *_BRACKETED.findall(condition.name), condition.code]
    return phrases + list(DIAGNOSIS_WORDS)


def _normalised(text: str) -> str:
    """Lower case, without accents, apostrophes or other punctuation, words separated by single spaces."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    plain = re.sub(r"['’]s\b", "", plain.casefold())  # "Alzheimer's" and "Alzheimer" alike
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())
