"""A program's survey questions as a coordinator edits them in the console, checked: each question reworded
in every language, reordered, made required or not, removed; a question added; and the two switches (every
answer anonymous, and the day of the one reminder).

A program's questions are a list of plain dicts (see `DEFAULT_SURVEY_QUESTIONS`): a key answers are stored
under, a kind (`KINDS`), whether an answer is required, and texts by language: the question, the words at the
ends of a scale, a choice's options. The form's fields are named after the question's key (`question_field`),
and those of the question being added after `new_field`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from app.inputs.codes import code_for
from app.inputs.fields import FieldProblem, FieldReader, Rule
from app.inputs.rules import flag, number, text

KINDS = ("scale", "choice", "text")
SCALE = range(1, 6)
MAX_QUESTION_LENGTH = 300
MAX_OPTIONS = 8
REMINDER_DAYS = (1, 14)
NEW_QUESTION = "New question"


def question_field(key: str, part: str, locale: str = "") -> str:
    """The form field of one part of an existing question ("q-feeling-text-en")."""
    return f"q-{key}-{part}-{locale}" if locale else f"q-{key}-{part}"


def option_part(option: Mapping[str, Any]) -> str:
    return f"option-{option['value']}"


def new_field(part: str, locale: str = "") -> str:
    """The form field of one part of the question being added ("new-text-en")."""
    return f"new-{part}-{locale}" if locale else f"new-{part}"


@dataclass(frozen=True)
class SurveySettings:
    questions: tuple[dict[str, Any], ...]
    anonymous: bool
    reminder_days: int


def validate_survey_settings(
    data: Mapping[str, Any], current: Sequence[Mapping[str, Any]], taken_keys: set[str]
) -> SurveySettings:
    """The questions as reworded, reordered, removed and added, and the two switches; every problem at once,
    keyed by form field. An existing question keeps its key and kind (answers are stored under the key), a
    new one gets a key no answer was ever stored under (`taken_keys`)."""
    reader = FieldReader(data)
    kept = []
    for index, question in enumerate(current):
        if data.get(question_field(question["key"], "remove")):
            continue
        subject = f"Question {index + 1}"
        position_field = question_field(question["key"], "position")
        position = reader.read(position_field, _about(number(1, 99), subject)) or index + 1
        # A question given another position goes before one that kept the same number.
        kept.append(((position, position == index + 1, index), _read_question(reader, question, subject)))
    questions = [question for _order, question in sorted(kept, key=lambda pair: pair[0])]
    added = _read_new_question(reader, data, taken_keys | {question["key"] for question in current})
    if added is not None:
        questions.append(added)
    if not questions:
        reader.fail("questions", "Keep at least one question: a survey needs something to ask.")
    settings = SurveySettings(
        questions=tuple(questions),
        anonymous=reader.read("survey_anonymous", flag),
        reminder_days=reader.read("survey_reminder_days", number(*REMINDER_DAYS)),
    )
    reader.finish()
    return settings


def _about(rule: Rule, subject: str) -> Rule:
    """`rule`, telling which question a problem is about ("Question 2: ..."), as the error summary lists
    the problems of every question together."""

    def checked(value: Any) -> Any:
        try:
            return rule(value)
        except FieldProblem as problem:
            raise FieldProblem(f"{subject}: {problem.message}", **problem.values) from None

    return checked


class _Wordings:
    """Reads a question's texts in every language from the fields `field_of(part, locale)` names: English
    is needed, the others may stay empty (English is shown in their place)."""

    def __init__(self, reader: FieldReader, field_of: Callable[[str, str], str], subject: str):
        self.reader, self.field_of, self.subject = reader, field_of, subject

    def read(self, part: str, missing: str) -> dict[str, str]:
        words = {}
        for locale in SUPPORTED_LOCALES:
            rule = text(MAX_QUESTION_LENGTH, missing if locale == DEFAULT_LOCALE else None)
            value = self.reader.read(self.field_of(part, locale), _about(rule, self.subject))
            if value:
                words[locale] = value
        return words

    def scale_ends(self) -> dict[str, dict[str, str]]:
        return {
            "low": self.read("low", "Write the words for 1, the lowest answer, in English."),
            "high": self.read("high", "Write the words for 5, the highest answer, in English."),
        }


def _read_question(reader: FieldReader, question: Mapping[str, Any], subject: str) -> dict[str, Any]:
    key = question["key"]
    wordings = _Wordings(reader, lambda part, locale: question_field(key, part, locale), subject)
    edited = {
        "key": key,
        "kind": question["kind"],
        "required": reader.read(question_field(key, "required"), flag),
        "text": wordings.read("text", "Write the question in English."),
    }
    if question["kind"] == "scale":
        edited.update(wordings.scale_ends())
    if question["kind"] == "choice":
        edited["options"] = [
            {
                "value": option["value"],
                "text": wordings.read(option_part(option), f"Write answer {n} in English."),
            }
            for n, option in enumerate(question.get("options", ()), start=1)
        ]
    return edited


def _read_new_question(
    reader: FieldReader, data: Mapping[str, Any], taken_keys: set[str]
) -> dict[str, Any] | None:
    """The question being added, or None when its part of the form was left empty."""
    kind = data.get(new_field("kind")) or ""
    typed = any(
        isinstance(value, str) and value.strip() for name, value in data.items() if name.startswith("new-")
    )
    if not typed:
        return None
    if kind not in KINDS:
        reader.fail(new_field("kind"), f"{NEW_QUESTION}: Choose how it is answered.")
        return None
    wordings = _Wordings(reader, new_field, NEW_QUESTION)
    question: dict[str, Any] = {
        "kind": kind,
        "required": reader.read(new_field("required"), flag),
        "text": wordings.read("text", "Write the question in English."),
    }
    if kind == "scale":
        question.update(wordings.scale_ends())
    if kind == "choice":
        question["options"] = _read_new_options(reader, data)
    english = question["text"].get(DEFAULT_LOCALE, "")
    return {"key": code_for(english, taken_keys), **question} if english else None


def _read_new_options(reader: FieldReader, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answers of a new choice question, one per line, in English and (optionally) in the same order in
    the other languages."""
    lines = {locale: _lines(data.get(new_field("options", locale))) for locale in SUPPORTED_LOCALES}
    english = lines[DEFAULT_LOCALE]
    if not 2 <= len(english) <= MAX_OPTIONS:
        reader.fail(
            new_field("options", DEFAULT_LOCALE),
            f"{NEW_QUESTION}: Write from 2 to {MAX_OPTIONS} answers in English, one per line.",
        )
        return []
    for locale, translated in lines.items():
        if translated and len(translated) != len(english):
            reader.fail(
                new_field("options", locale),
                f"{NEW_QUESTION}: Write as many answers here as in English ({len(english)}), in the same "
                "order, or none.",
            )
    options: list[dict[str, Any]] = []
    for number_, words in enumerate(english):
        value = code_for(words, {option["value"] for option in options})
        texts = {locale: given[number_] for locale, given in lines.items() if len(given) == len(english)}
        options.append({"value": value, "text": texts})
    return options


def _lines(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [line.strip()[:MAX_QUESTION_LENGTH] for line in value.splitlines() if line.strip()]
