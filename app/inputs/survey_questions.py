"""A program's survey questions as a coordinator edits them in the console, checked: each question reworded
in every language, reordered, made required or not, removed; a question added; and the two switches (every
answer anonymous, and the day of the one reminder).

A program's questions are a list of plain dicts (see `DEFAULT_SURVEY_QUESTIONS`): a key answers are stored
under, a kind (`KINDS`), whether an answer is required, and texts by language: the question, the words at the
ends of a scale, a choice's options. As with the program's other texts (`app.content`), each is needed in the
program's main language and may be left empty in its other languages, whose readers then see the main
language's; a text in a language the form does not show (no longer one of the program's) is kept. The form's
fields are named after the question's key (`question_field`), and those of the question being added after
`new_field`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.i18n import language_name
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
    data: Mapping[str, Any],
    current: Sequence[Mapping[str, Any]],
    taken_keys: set[str],
    languages: Sequence[str],
) -> SurveySettings:
    """The questions as reworded, reordered, removed and added, and the two switches; every problem at once,
    keyed by form field. An existing question keeps its key and kind (answers are stored under the key), a
    new one gets a key no answer was ever stored under (`taken_keys`). `languages` are the program's, its
    main language first."""
    reader = FieldReader(data)
    kept = []
    for index, question in enumerate(current):
        if data.get(question_field(question["key"], "remove")):
            continue
        subject = f"Question {index + 1}"
        position_field = question_field(question["key"], "position")
        position = reader.read(position_field, _about(number(1, 99), subject)) or index + 1
        # A question given another position goes before one that kept the same number.
        worded = _read_question(reader, question, subject, languages)
        kept.append(((position, position == index + 1, index), worded))
    questions = [question for _order, question in sorted(kept, key=lambda pair: pair[0])]
    taken_keys = taken_keys | {question["key"] for question in current}
    added = _read_new_question(reader, data, taken_keys, languages)
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
    """Reads a question's texts in the program's `languages` from the fields `field_of(part, locale)` names:
    the main language (the first) is needed, the others may stay empty (the main one is shown in their
    place). A text in a language not among them (`kept`, the question as it was) stays as it was."""

    def __init__(
        self,
        reader: FieldReader,
        field_of: Callable[[str, str], str],
        subject: str,
        languages: Sequence[str],
        kept: Mapping[str, Any] | None = None,
    ):
        self.reader, self.field_of, self.subject = reader, field_of, subject
        self.languages, self.kept = languages, kept or {}
        self.main = language_name(languages[0], "en")

    def read(self, part: str, missing: str, kept: Mapping[str, str] | None = None) -> dict[str, str]:
        """`part`'s texts (`kept`: as they were, when not under `part` in the question); `missing` is the
        problem of an empty main language's text ("Write the question in %s.", for the language's name)."""
        kept = kept if kept is not None else self.kept.get(part) or {}
        words = {locale: words for locale, words in kept.items() if locale not in self.languages}
        for locale in self.languages:
            rule = text(MAX_QUESTION_LENGTH, missing % self.main if locale == self.languages[0] else None)
            value = self.reader.read(self.field_of(part, locale), _about(rule, self.subject))
            if value:
                words[locale] = value
        return words

    def scale_ends(self) -> dict[str, dict[str, str]]:
        return {
            "low": self.read("low", "Write the words for 1, the lowest answer, in %s."),
            "high": self.read("high", "Write the words for 5, the highest answer, in %s."),
        }


def _read_question(
    reader: FieldReader, question: Mapping[str, Any], subject: str, languages: Sequence[str]
) -> dict[str, Any]:
    key = question["key"]

    def field_of(part: str, locale: str) -> str:
        return question_field(key, part, locale)

    wordings = _Wordings(reader, field_of, subject, languages, kept=question)
    edited = {
        "key": key,
        "kind": question["kind"],
        "required": reader.read(question_field(key, "required"), flag),
        "text": wordings.read("text", "Write the question in %s."),
    }
    if question["kind"] == "scale":
        edited.update(wordings.scale_ends())
    if question["kind"] == "choice":
        edited["options"] = [
            {
                "value": option["value"],
                "text": wordings.read(option_part(option), f"Write answer {n} in %s.", option["text"]),
            }
            for n, option in enumerate(question.get("options", ()), start=1)
        ]
    return edited


def _read_new_question(
    reader: FieldReader, data: Mapping[str, Any], taken_keys: set[str], languages: Sequence[str]
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
    wordings = _Wordings(reader, new_field, NEW_QUESTION, languages)
    question: dict[str, Any] = {
        "kind": kind,
        "required": reader.read(new_field("required"), flag),
        "text": wordings.read("text", "Write the question in %s."),
    }
    if kind == "scale":
        question.update(wordings.scale_ends())
    if kind == "choice":
        question["options"] = _read_new_options(reader, data, languages)
    main_text = question["text"].get(languages[0], "")
    return {"key": code_for(main_text, taken_keys), **question} if main_text else None


def _read_new_options(
    reader: FieldReader, data: Mapping[str, Any], languages: Sequence[str]
) -> list[dict[str, Any]]:
    """The answers of a new choice question, one per line, in the main language (the first of `languages`)
    and, optionally, in the same order in the others."""
    lines = {locale: _lines(data.get(new_field("options", locale))) for locale in languages}
    main, main_lines = language_name(languages[0], "en"), lines[languages[0]]
    if not 2 <= len(main_lines) <= MAX_OPTIONS:
        reader.fail(
            new_field("options", languages[0]),
            f"{NEW_QUESTION}: Write from 2 to {MAX_OPTIONS} answers in {main}, one per line.",
        )
        return []
    for locale, translated in lines.items():
        if translated and len(translated) != len(main_lines):
            reader.fail(
                new_field("options", locale),
                f"{NEW_QUESTION}: Write as many answers here as in {main} ({len(main_lines)}), in the same "
                "order, or none.",
            )
    options: list[dict[str, Any]] = []
    for number_, words in enumerate(main_lines):
        value = code_for(words, {option["value"] for option in options})
        texts = {locale: given[number_] for locale, given in lines.items() if len(given) == len(main_lines)}
        options.append({"value": value, "text": texts})
    return options


def _lines(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [line.strip()[:MAX_QUESTION_LENGTH] for line in value.splitlines() if line.strip()]
