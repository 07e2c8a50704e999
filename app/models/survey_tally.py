"""Each program's survey answers counted as they are written, so that its report reads a few rows per
question instead of parsing every response's answers (at 100,000 responses that took most of a second).

The counts follow every write of a `SurveyResponse` made through an ORM session, whatever made it: a
participant answering, erasure keeping an answer without its words, the retention purge, a response
deleted. `_note_changes` sees them before each flush and `_count_changes` writes them after it, in the same
transaction (and savepoint), so a count can never disagree with the answers it counts, not even when an
answer is refused and rolled back. A statement that writes responses without the session (a bulk INSERT
of a benchmark, a migration) leaves the counts to `recount_tallies`: the app runs none, and deletes no
meeting or group, whose responses would go with it (a test holds it to both).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, delete, event, insert, inspect, select, tuple_
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from app.bulk import in_batches, insert_for
from app.models.cohort import Cohort
from app.models.edits import edited
from app.models.meeting import Meeting
from app.models.survey import SurveyResponse

# The longest code a choice's answer can be: a longer string is written words, counted without its words.
LONGEST_CODE = 40
# The question key of the row that counts the responses themselves (a question's key is never empty: it is
# made from its words, see `app.inputs.survey_questions`), and the answer of a row that counts written
# words (an answer's JSON is never empty).
RESPONSES = ""
WORDS = ""

_CHANGES = "survey tally changes"  # in `Session.info`, from before a flush to after it
# A response's attributes its counts are made of.
_TALLIED = ("meeting_id", "answers")

Change = tuple[int, str, str]  # (meeting id, question key, answer)


class SurveyTally(SQLModel, table=True):
    """How many of a program's survey responses gave `answer` (its JSON, or `WORDS`) to `question_key`.

    A row whose count falls to nothing goes: words a retention purge or erasure dropped stay nowhere."""

    program_id: int = Field(foreign_key="program.id", primary_key=True, ondelete="CASCADE")
    question_key: str = Field(primary_key=True)
    answer: str = Field(primary_key=True)
    responses: int


def is_answer(value: Any) -> bool:
    """Whether an answer counts as given: an empty or blank one is no answer."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def tallied(answers: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The (question key, answer) rows one response counts in: the responses, and each answer given."""
    yield RESPONSES, WORDS
    for key, value in answers.items():
        if is_answer(value):
            words = isinstance(value, str) and len(value) > LONGEST_CODE
            yield key, WORDS if words else json.dumps(value, ensure_ascii=False, sort_keys=True)


def recount_tallies(connection: Connection) -> None:
    """Every program's counts made afresh from its responses."""
    connection.execute(delete(SurveyTally))
    counts: Counter[tuple[int, str, str]] = Counter()
    responses = (
        select(Cohort.program_id, SurveyResponse.answers)
        .join(Meeting, Meeting.id == SurveyResponse.meeting_id)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .execution_options(yield_per=10_000)
    )
    for program_id, answers in connection.execute(responses):
        counts.update((program_id, key, answer) for key, answer in tallied(answers))
    if counts:
        connection.execute(insert(SurveyTally), _rows(counts))


@event.listens_for(Session, "before_flush")
def _note_changes(session: Session, _context: Any, _instances: Any) -> None:
    """What the flush about to run changes in the counts, by meeting: its responses' meetings may not be
    known by program until they are written. Answers as they were are read before they are overwritten."""
    changes: Counter[Change] = Counter()
    new = [row for row in session.new if isinstance(row, SurveyResponse)]
    changed = [row for row in session.dirty if isinstance(row, SurveyResponse) and edited(row, _TALLIED)]
    deleted = [row for row in session.deleted if isinstance(row, SurveyResponse)]
    for meeting_id, answers in _stored(session, changed + deleted):
        changes.subtract(_changes(meeting_id, answers))
    for response in new + changed:
        changes.update(_changes(response.meeting_id, response.answers))
    session.info[_CHANGES] = changes


@event.listens_for(Session, "after_flush")
def _count_changes(session: Session, _context: Any) -> None:
    """Write the changes `_note_changes` saw, by program, in one statement; rows counting none go."""
    changes = session.info.pop(_CHANGES, None)
    if not changes:
        return
    connection = session.connection()
    programs = _programs(connection, {meeting_id for meeting_id, _, _ in changes})
    steps: Counter[tuple[int, str, str]] = Counter()
    for (meeting_id, key, answer), step in changes.items():
        steps[programs[meeting_id], key, answer] += step
    rows = _rows(steps)
    if not rows:
        return
    upsert = insert_for(connection.dialect.name)(SurveyTally)
    counted = SurveyTally.__table__.c.responses
    connection.execute(
        upsert.on_conflict_do_update(
            index_elements=["program_id", "question_key", "answer"],
            set_={"responses": counted + upsert.excluded.responses},
        ),
        rows,
    )
    fewer = [(row["program_id"], row["question_key"], row["answer"]) for row in rows if row["responses"] < 0]
    key = tuple_(SurveyTally.program_id, SurveyTally.question_key, SurveyTally.answer)
    for batch in in_batches(fewer):
        connection.execute(delete(SurveyTally).where(key.in_(batch), SurveyTally.responses <= 0))


def _changes(meeting_id: int, answers: dict[str, Any]) -> Iterator[Change]:
    return ((meeting_id, key, answer) for key, answer in tallied(answers))


def _stored(session: Session, responses: Iterable[SurveyResponse]) -> list[tuple[int, dict[str, Any]]]:
    """The meeting and answers of each of `responses` as the database holds them: from what the session
    loaded, else read (an attribute set without being read first)."""
    stored, unread = [], []
    for response in responses:
        before = [_loaded(response, name) for name in ("meeting_id", "answers")]
        if None in before:
            unread.append(response.id)
        else:
            stored.append((before[0][0], before[1][0]))
    table = SurveyResponse.__table__
    for batch in in_batches(unread):
        rows = session.connection().execute(
            select(table.c.meeting_id, table.c.answers).where(table.c.id.in_(batch))
        )
        stored.extend(tuple(row) for row in rows)
    return stored


def _loaded(response: SurveyResponse, name: str) -> tuple[Any] | None:
    """The value of the attribute `name` before the session changed it, if the session read it."""
    history = inspect(response).attrs[name].history
    before = history.deleted or history.unchanged
    return (before[0],) if before else None


def _programs(connection: Connection, meeting_ids: set[int]) -> dict[int, int]:
    query = select(Meeting.id, Cohort.program_id).join(Cohort, Cohort.id == Meeting.cohort_id)
    return {
        meeting_id: program_id
        for batch in in_batches(list(meeting_ids))
        for meeting_id, program_id in connection.execute(query.where(Meeting.id.in_(batch)))
    }


def _rows(counts: Counter[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """Rows of `SurveyTally` for the counts that are not nothing, in the order of their key: writers that
    meet on the same rows lock them in one order, so they wait for each other rather than deadlock."""
    return [
        {"program_id": program_id, "question_key": key, "answer": answer, "responses": count}
        for (program_id, key, answer), count in sorted(counts.items())
        if count
    ]
