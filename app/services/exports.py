"""What the console's CSV downloads hold: a header, then rows read from the database while they are sent.

The rows are lazy. Each export selects only the columns it writes and reads them a batch at a time (a
server-side cursor on PostgreSQL), so a program of any size costs the web process the same memory. They read
from the session given when iterated, after the request has committed: `app.database.close_session_after`
keeps the request's session open until the download is over.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Row, Text, and_, cast, func, null
from sqlmodel import Session, select

from app.models import (
    Cohort,
    CohortMember,
    Condition,
    Host,
    Meeting,
    MeetingStatus,
    Participant,
    Program,
    Stage,
    SurveyResponse,
)
from app.services.feasibility import slot_label
from app.services.overview import NO_STAGE
from app.services.scheduling import slot_start
from app.services.survey.results import program_responses, survey_questions

BATCH_ROWS = 2_000
# Survey answers read as text and parsed here: the driver's own JSON loading costs half as much again.
ANSWERS = cast(SurveyResponse.answers, Text).label("answers")
COHORT_HEADER = ["group", "status", "condition", "language", "role", "weekly_slot_utc", "starts_at_utc",
                 "host", "member", "member_role", "stage", "timezone"]  # fmt: skip


@dataclass(frozen=True)
class Export:
    header: list[str]
    rows: Iterator[list[Any]]
    size: int  # how many cohorts or responses it covers, for the audit log


def cohort_export(session: Session, program: Program, *, today: date) -> Export:
    """Every cohort member, one row each, without email addresses (for planning and reports): cohorts
    oldest first, members by name. A cohort meets at its latest meeting that is not cancelled, else at its
    hour's first date in the program."""
    latest = (
        select(Meeting.cohort_id, func.max(Meeting.number).label("number"))
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program.id, Meeting.status != MeetingStatus.CANCELLED)
        .group_by(Meeting.cohort_id)
        .subquery()
    )
    columns = (Cohort.id, Cohort.status, Condition.name.label("condition"), Cohort.language, Cohort.role,
               Cohort.slot, Meeting.starts_at, Host.display_name.label("host"), Participant.display_name,
               Participant.role.label("member_role"), Stage.name.label("stage"),
               Participant.timezone)  # fmt: skip
    query = (
        select(*columns)
        .join(Condition, Condition.id == Cohort.condition_id)
        .outerjoin(Host, Host.id == Cohort.host_id)
        .outerjoin(latest, latest.c.cohort_id == Cohort.id)
        .outerjoin(Meeting, and_(Meeting.cohort_id == Cohort.id, Meeting.number == latest.c.number))
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .join(Participant, Participant.id == CohortMember.participant_id)
        .outerjoin(Stage, Stage.id == Participant.stage_id)
        .where(Cohort.program_id == program.id)
        .order_by(Cohort.id, Participant.display_name, Participant.id)
    )

    def rows() -> Iterator[list[Any]]:
        group: list[Any] = []  # the cells of the group the rows are about, written once per group
        for row in _batches(session, query):
            if not group or group[0] != row.id:
                starts = row.starts_at or slot_start(program, row.slot, today)
                group = [row.id, row.status, row.condition, row.language, row.role or "",
                         slot_label(row.slot), f"{starts:%Y-%m-%dT%H:%M}Z", row.host or ""]  # fmt: skip
            yield [*group, row.display_name, row.member_role, row.stage or NO_STAGE, row.timezone]

    cohorts = session.exec(select(func.count()).where(Cohort.program_id == program.id)).one()
    return Export(COHORT_HEADER, rows(), cohorts)


def survey_export(session: Session, program: Program) -> Export:
    """One row per response, by meeting and day, in random order within a day. The participant column is
    there only when some answer was given under a name, and holds names of those answers alone."""
    questions = survey_questions(program, _answers_to_questions_not_asked(session, program))
    responses = session.exec(program_responses(program, func.count())).one()
    under_a_name = program_responses(program, SurveyResponse.id).where(Participant.id.is_not(None))
    named = not program.survey_anonymous and session.exec(select(under_a_name.exists())).one()
    header = ["meeting_id", "group_id", "meet_up", "date", *(["participant"] if named else [])]
    header += [question.key for question in questions]
    query = program_responses(
        program, Meeting.id, SurveyResponse.submitted_at, SurveyResponse.response_key, Meeting.cohort_id,
        Meeting.number, Participant.display_name if named else null(), ANSWERS,
    ).order_by(Meeting.starts_at, Meeting.id, SurveyResponse.submitted_at)  # fmt: skip
    keys = [question.key for question in questions]
    unanswered = [""] * len(keys)

    def rows() -> Iterator[list[Any]]:
        # The database orders by time; within a meeting's day the order is the responses' random key.
        for (meeting, day), same_day in groupby(_batches(session, query), key=_meeting_and_day):
            date = day.isoformat()
            for _, _, _, cohort, number, name, given in sorted(same_day, key=itemgetter(2)):
                yield [meeting, cohort, number, date, *([name or ""] if named else []),
                       *map(json.loads(given).get, keys, unanswered)]  # fmt: skip

    return Export(header, rows(), responses)


def _answers_to_questions_not_asked(session: Session, program: Program) -> Iterator[dict[str, Any]]:
    """The answers that hold a question the program no longer asks (the header names those too). The
    database finds them, so the few there are, not every answer, are read here."""
    asked = [definition["key"] for definition in program.survey_questions]
    entries = func.json_each(SurveyResponse.answers).table_valued("key")
    others = select(entries.c.key).where(entries.c.key.not_in(asked))
    for (given,) in _batches(session, program_responses(program, ANSWERS).where(others.exists())):
        yield json.loads(given)


def _meeting_and_day(row: Row) -> tuple[int, date]:
    return row[0], row[1].date()


def _batches(session: Session, query) -> Iterator[Row]:
    """The rows of `query`, fetched `BATCH_ROWS` at a time in the session's transaction. Plain rows, straight
    from its connection: the ORM's would cost half as much time again."""
    with session.connection().execute(query.execution_options(yield_per=BATCH_ROWS)) as result:
        yield from result
