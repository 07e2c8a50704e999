"""A program's survey answers as its tallies count them (`app.models.survey_tally`): how many responded, and
how many gave each answer to each question, in a few rows per question however many responded."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.models import Program, SurveyTally
from app.models import survey_tally as tally


class Words:
    """Written answers counted without their words: the results show only how many there are."""

    def __repr__(self) -> str:
        return "WORDS"


WORDS = Words()

Counts = dict[str, list[tuple[Any, int]]]  # question key: (an answer, how many gave it), each answer once


@dataclass(frozen=True)
class ProgramAnswers:
    responses: int
    counts: Counts


def program_answers(session: Session, program: Program, text_keys: Collection[str]) -> ProgramAnswers:
    """How many responses the program has, and how many of them gave each answer to each question key (an
    answer left empty, or blank, is not counted). Answers to `text_keys`, and any string too long to be a
    choice's code, come back as `WORDS`, counted together."""
    rows = session.exec(
        select(SurveyTally.question_key, SurveyTally.answer, SurveyTally.responses).where(
            SurveyTally.program_id == program.id
        )
    )
    responses, given = 0, defaultdict(Counter)
    for key, answer, count in rows:
        if key == tally.RESPONSES:
            responses = count
        elif key in text_keys or answer == tally.WORDS:
            given[key][WORDS] += count
        else:
            given[key][answer] += count
    counts = {
        key: [(answer if answer is WORDS else json.loads(answer), count) for answer, count in answers.items()]
        for key, answers in given.items()
    }
    return ProgramAnswers(responses, counts)
