"""The survey's forms: HTML fields in, the plain values `app.inputs` checks, and rows back into
fields (the answer page, and the console's questions editor). Nothing here decides what is valid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from werkzeug.datastructures import MultiDict

from app.content import main_first
from app.inputs.survey_questions import new_field, option_part, question_field
from app.models import Program

ANONYMOUS = "anonymous"
YES = "yes"


def answer_field(key: str) -> str:
    """A question's field on the answer page; the prefix keeps keys apart from the form's other fields."""
    return f"answer-{key}"


def answers_data(form: MultiDict, program: Program) -> tuple[dict[str, str], bool]:
    """The submitted answers by question key, and whether the person asked to stay anonymous."""
    values = {
        question["key"]: form.get(answer_field(question["key"]), "") for question in program.survey_questions
    }
    return values, form.get(ANONYMOUS) == YES


def answer_errors(errors: Mapping[str, str]) -> dict[str, str]:
    """The checker's errors (by question key) under the page's field names, in the order asked."""
    return {answer_field(key): message for key, message in errors.items()}


def survey_settings_data(form: MultiDict, questions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A submitted questions editor: texts as typed, ticked boxes as booleans."""
    data: dict[str, Any] = form.to_dict()
    for name in _flags(questions):
        data[name] = form.get(name) == YES
    return data


def survey_settings_form(program: Program) -> MultiDict:
    """The questions editor filled in with the program's questions and settings."""
    values: list[tuple[str, str]] = []
    languages = main_first(program.languages, program.default_locale)
    for position, question in enumerate(program.survey_questions, start=1):
        key = question["key"]
        values.append((question_field(key, "position"), str(position)))
        if question.get("required"):
            values.append((question_field(key, "required"), YES))
        for part, texts in _wordings(question):
            values += [(question_field(key, part, locale), texts.get(locale, "")) for locale in languages]
    if program.survey_anonymous:
        values.append(("survey_anonymous", YES))
    values.append(("survey_reminder_days", str(program.survey_reminder_days)))
    return MultiDict(values)


def _wordings(question: Mapping[str, Any]) -> list[tuple[str, Mapping[str, str]]]:
    """Every text of a question that has a wording per language, under its part's name."""
    parts = [(part, question[part]) for part in ("text", "low", "high") if part in question]
    return parts + [(option_part(option), option["text"]) for option in question.get("options", ())]


def _flags(questions: Sequence[Mapping[str, Any]]) -> list[str]:
    names = ["survey_anonymous", new_field("required")]
    for question in questions:
        names += [question_field(question["key"], "required"), question_field(question["key"], "remove")]
    return names
