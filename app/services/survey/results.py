"""What the follow-up survey says: each question's answers tallied, comments, and response rates.

Read-only queries shaped for the console's pages, its CSV export and the program report. A name leaves here
only with a response that is not anonymous, in a program that lets people answer under their name; the
order of responses follows their random key, so not even the order tells who answered what.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func
from sqlmodel import Session, select

from app.inputs.survey_questions import SCALE
from app.models import (
    Cohort,
    Meeting,
    OutboundMessage,
    Participant,
    Program,
    SurveyResponse,
)
from app.models.meeting_tally import survey_sent
from app.models.survey_tally import LONGEST_CODE, is_answer
from app.services.survey.answer_counts import Counts, program_answers

# An answer to a question the program no longer asks looks like a choice when it is a short code.
_CHOICE_CODE = re.compile(rf"[\w-]{{1,{LONGEST_CODE}}}")


@dataclass(frozen=True)
class Question:
    """A survey question as the console shows it: English words, and its possible answers in order."""

    key: str
    kind: str  # scale, choice or text
    text: str
    options: list[tuple[Any, str]] = field(default_factory=list)  # (stored value, label)
    removed: bool = False  # no longer in the program's survey, shown because answers exist


@dataclass(frozen=True)
class Answered:
    """One response with the meeting it is about; `name` only when it is not anonymous."""

    response: SurveyResponse
    meeting: Meeting
    cohort_id: int
    name: str | None

    @property
    def day(self) -> date:
        return self.response.submitted_at.date()


@dataclass(frozen=True)
class Comment:
    text: str
    day: date
    cohort_id: int
    meeting_number: int
    name: str | None


@dataclass(frozen=True)
class QuestionResults:
    question: Question
    answered: int
    bars: list[tuple[str, int]] = field(default_factory=list)  # (label, how many chose it)
    average: float | None = None
    comments: list[Comment] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.bars]

    @property
    def counts(self) -> list[int]:
        return [count for _, count in self.bars]


@dataclass(frozen=True)
class ResponseRate:
    sent: int  # survey emails sent
    answered: int


@dataclass(frozen=True)
class MeetingResponses:
    meeting: Meeting
    cohort_id: int
    rate: ResponseRate


@dataclass(frozen=True)
class SurveyResults:
    rate: ResponseRate
    meetings: list[MeetingResponses]
    questions: list[QuestionResults]


def survey_results(session: Session, program: Program, meeting: Meeting | None = None) -> SurveyResults:
    """The response rate and every question's answers with their comments, for the whole program or one of
    its meetings: every response is read, for its words, and its answers are counted here."""
    answered = answered_responses(session, program, meeting)
    counts = _counted(row.response.answers for row in answered)
    meetings = _response_rates(session, program, Counter(row.meeting.id for row in answered), meeting)
    rate = ResponseRate(sum(m.rate.sent for m in meetings), sum(m.rate.answered for m in meetings))
    return _results(program, rate, meetings, counts, answered)


def survey_summary(session: Session, program: Program) -> SurveyResults:
    """The program's response rate and every question's answers, without comments or each meeting's rate
    (the report shows neither). No response is read: the answers are counted as they are written
    (`app.models.survey_tally`), so a large program's report reads a few rows per question; the surveys
    sent are the meetings' own counts (`app.models.meeting_tally`)."""
    text_keys = [question["key"] for question in program.survey_questions if question.get("kind") == "text"]
    answers = program_answers(session, program, text_keys)
    sent = session.exec(
        select(func.coalesce(func.sum(Meeting.surveys_sent), 0))
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program.id, Meeting.surveys_sent > 0)
    ).one()
    return _results(program, ResponseRate(sent, answers.responses), [], answers.counts, [])


def _results(
    program: Program,
    rate: ResponseRate,
    meetings: list[MeetingResponses],
    counts: Counts,
    answered: list[Answered],
) -> SurveyResults:
    """Each question's results from the answers' `counts` (comments from `answered`, when there are any)."""
    questions = _questions(program, ((key, value) for key, given in counts.items() for value, _ in given))
    return SurveyResults(rate, meetings, [_tally(question, counts, answered) for question in questions])


def _counted(answers: Iterable[dict[str, Any]]) -> Counts:
    """Every answer given, each counted once: the form `program_answers` gives them in, unmerged."""
    counts: Counts = defaultdict(list)
    for given in answers:
        for key, value in given.items():
            if is_answer(value):
                counts[key].append((value, 1))
    return counts


def _responses(program: Program, meeting: Meeting | None, *columns: Any) -> Select:
    """`columns` of the program's survey responses, or of one meeting's."""
    query = program_responses(program, *columns)
    return query if meeting is None else query.where(Meeting.id == meeting.id)


def answered_responses(session: Session, program: Program, meeting: Meeting | None = None) -> list[Answered]:
    """The program's responses (or one meeting's), by meeting and day, in random order within a day."""
    query = _responses(program, meeting, SurveyResponse, Meeting, Cohort.id, Participant.display_name)
    rows = [
        Answered(response, of, cohort_id, None if response.anonymous or program.survey_anonymous else name)
        for response, of, cohort_id, name in session.exec(query)
    ]
    rows.sort(key=lambda row: (row.meeting.starts_at, row.meeting.id, row.day, row.response.response_key))
    return rows


def program_responses(program: Program, *columns: Any) -> Select:
    """`columns` of the program's survey responses, joined to their meeting, their cohort and (only where
    the answer is not anonymous) the participant who gave it."""
    return (
        select(*columns)
        .select_from(SurveyResponse)
        .join(Meeting, Meeting.id == SurveyResponse.meeting_id)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .outerjoin(
            Participant,
            and_(Participant.id == SurveyResponse.participant_id, SurveyResponse.anonymous.is_(False)),
        )
        .where(Cohort.program_id == program.id)
    )


def survey_questions(program: Program, answers: Iterable[dict[str, Any]]) -> list[Question]:
    """The program's questions, then any it no longer asks that still have answers (labelled by key);
    `answers` are the responses' answers, read once."""
    return _questions(program, (item for given in answers for item in given.items()))


def _questions(program: Program, given: Iterable[tuple[str, Any]]) -> list[Question]:
    """`survey_questions` from every (question key, answer) given."""
    questions = [_question(definition) for definition in program.survey_questions]
    asked = {question.key for question in questions}
    removed: dict[str, set[str]] = defaultdict(set)  # a removed question's key: the kinds of its answers
    for key, value in given:
        if key not in asked and is_answer(value):
            removed[key].add(_answer_kind(value))
    return questions + [_removed_question(key, kinds) for key, kinds in sorted(removed.items())]


def _question(definition: dict[str, Any]) -> Question:
    key, kind = definition["key"], definition.get("kind", "text")
    options: list[tuple[Any, str]] = []
    if kind == "scale":
        ends = {SCALE[0]: _english(definition.get("low")), SCALE[-1]: _english(definition.get("high"))}
        options = [(n, f"{n} – {ends[n]}" if ends.get(n) else str(n)) for n in SCALE]
    elif kind == "choice":
        options = [(o["value"], _english(o.get("text")) or o["value"]) for o in definition.get("options", [])]
    return Question(key, kind, _english(definition.get("text")) or key, options)


def _answer_kind(value: Any) -> str:
    if isinstance(value, int):
        return "scale"
    return "choice" if isinstance(value, str) and _CHOICE_CODE.fullmatch(value) else "text"


def _removed_question(key: str, kinds: set[str]) -> Question:
    """Labelled by its key, of the one kind all its answers have (text when they differ)."""
    kind = next(iter(kinds)) if len(kinds) == 1 else "text"
    options = [(n, str(n)) for n in SCALE] if kind == "scale" else []
    return Question(key, kind, key, options, removed=True)


def _english(texts: Any) -> str:
    """The English words of a translated text, else any language's (console pages are in English)."""
    if isinstance(texts, dict):
        return texts.get("en") or next(iter(texts.values()), "")
    return texts or ""


def _tally(question: Question, counts: Counts, answered: list[Answered]) -> QuestionResults:
    """`question`'s bars and average from the answers' `counts`; a text question's comments are taken from
    `answered` (none when that is empty, and then only counted)."""
    given = counts.get(question.key, [])
    people = sum(count for _, count in given)
    if question.kind == "text":
        return QuestionResults(question, people, comments=_comments(question.key, answered))
    chosen: Counter[Any] = Counter()
    for value, count in given:
        chosen[_hashable(value)] += count
    bars = [(label, chosen.pop(value, 0)) for value, label in question.options]
    bars += [(str(value), count) for value, count in sorted(chosen.items(), key=lambda item: str(item[0]))]
    return QuestionResults(question, people, bars, _average(question, given))


def _average(question: Question, given: list[tuple[Any, int]]) -> float | None:
    """A scale's average over its answers that are whole numbers."""
    numbers = [
        (value, count) for value, count in given if isinstance(value, int) and not isinstance(value, bool)
    ]
    if question.kind != "scale" or not numbers:
        return None
    return sum(value * count for value, count in numbers) / sum(count for _, count in numbers)


def _comments(key: str, answered: list[Answered]) -> list[Comment]:
    return [
        Comment(str(row.response.answers[key]).strip(), row.day, row.cohort_id, row.meeting.number, row.name)
        for row in answered
        if is_answer(row.response.answers.get(key))
    ]


def _hashable(value: Any) -> Any:
    return value if isinstance(value, int | str) else json.dumps(value, sort_keys=True)


def _response_rates(
    session: Session, program: Program, responses: Counter[int], meeting: Meeting | None
) -> list[MeetingResponses]:
    """Surveys sent and answered for each meeting that sent or received any, in meeting order.

    Someone who missed a meeting we know was held got "sorry we missed you" on the survey's row, not the
    survey, so they are not counted as asked (see `app.services.survey.invitations.missed_meeting`). An erased
    person's row no longer tells whom it went to: erasure gave those that went as "sorry we missed you"
    a kind of their own, so the rest counts."""
    query = _surveys_sent(program, meeting, OutboundMessage.meeting_id, func.count())
    sent = dict(session.exec(query.group_by(OutboundMessage.meeting_id)).all())
    ids = sent.keys() | responses.keys()
    if not ids:
        return []
    rows = session.exec(
        select(Meeting, Cohort.id)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Meeting.id.in_(list(ids)))
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    return [
        MeetingResponses(of, cohort_id, ResponseRate(sent.get(of.id, 0), responses[of.id]))
        for of, cohort_id in rows
    ]


def _surveys_sent(program: Program, meeting: Meeting | None, *columns: Any) -> Select:
    """`columns` of the survey emails sent for the program's meetings (or one meeting), those that went as
    "sorry we missed you" left out (see `_response_rates`)."""
    query = select(*columns).where(OutboundMessage.program_id == program.id, survey_sent())
    return query.where(OutboundMessage.meeting_id == meeting.id) if meeting is not None else query
