"""A participant's answers to the follow-up survey, checked against the program's questions, in words a
patient can act on, in their language.

An answer is kept under its question's key: a scale as a whole number from 1 to 5, a choice as the chosen
option's value, a text as the words written; an unanswered optional question is left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.inputs.fields import N_, FieldProblem, FieldReader, Rule
from app.inputs.survey_questions import SCALE
from app.models import Program

MAX_ANSWER_LENGTH = 2000
# Invisible control characters are dropped from written answers; line breaks and tabs are kept.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Answers:
    """Checked answers by question key, and whether they are kept without the person's name."""

    values: Mapping[str, int | str]
    anonymous: bool


def validate_answers(program: Program, values: Mapping[str, str], *, anonymous: bool) -> Answers:
    """Check submitted answers (by question key) against the program's questions; every problem at once,
    keyed by question key. A program whose survey is anonymous makes every answer anonymous."""
    reader = FieldReader(values, translated=True)
    checked: dict[str, int | str] = {}
    for question in program.survey_questions:
        value = reader.read(question["key"], _answer(question))
        if value is not None:
            checked[question["key"]] = value
    reader.finish()
    return Answers(checked, anonymous or program.survey_anonymous)


def _answer(question: Mapping[str, Any]) -> Rule:
    """The rule for one question's answer: typed, or None when an optional question was left unanswered."""
    kind = question["kind"]

    def rule(raw: str) -> int | str | None:
        # Browsers send line breaks as CRLF, but count them as one character against the field's maxlength.
        value = _CONTROL.sub("", raw.replace("\r\n", "\n")).strip() if kind == "text" else raw.strip()
        if not value:
            if question.get("required"):
                raise FieldProblem(
                    N_("Please write an answer here.") if kind == "text" else N_("Please choose an answer.")
                )
            return None
        if kind == "text":
            if len(value) > MAX_ANSWER_LENGTH:
                raise FieldProblem(
                    N_("Please keep this to %(count)d characters or fewer."), count=MAX_ANSWER_LENGTH
                )
            return value
        if kind == "scale":
            if value not in {str(n) for n in SCALE}:
                raise FieldProblem(N_("Please choose an answer."))
            return int(value)
        if value not in {option["value"] for option in question.get("options", ())}:
            raise FieldProblem(N_("Please choose an answer."))
        return value

    return rule
