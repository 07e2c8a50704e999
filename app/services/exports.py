"""What the console's CSV downloads hold: a header, then rows read from the database while they are sent.

The rows are lazy. Each export selects only the columns it writes and reads them a batch at a time (a
server-side cursor on PostgreSQL), so a program of any size costs the web process the same memory. They read
from the session given when iterated, after the request has committed: `app.database.close_session_after`
keeps the request's session open until the download is over.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import func, null
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
COHORT_HEADER = ["group", "status", "condition", "language", "role", "weekly_slot_utc", "starts_at_utc",
                 "host", "member", "member_role", "stage", "timezone"]  # fmt: skip
STARTS_AT = "%Y-%m-%dT%H:%MZ"


@dataclass(frozen=True)
class Export:
    header: list[str]
    rows: Iterator[list[Any]]
    size: int  # how many cohorts or responses it covers, for the audit log


def cohort_export(session: Session, program: Program, *, today: date) -> Export:
    """Every cohort member, one row each, without email addresses (for planning and reports): cohorts
    oldest first, members by name. A cohort meets at its latest meeting that is not cancelled, else at its
    hour's first date in the program."""
    latest_meeting = (
        select(Meeting.starts_at)
        .where(Meeting.cohort_id == Cohort.id, Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    columns = (Cohort.id, Cohort.status, Condition.name.label("condition"), Cohort.language, Cohort.role,
               Cohort.slot, latest_meeting.label("starts_at"), Host.display_name.label("host"),
               Participant.display_name, Participant.role.label("member_role"), Stage.name.label("stage"),
               Participant.timezone)  # fmt: skip
    query = (
        select(*columns)
        .join(Condition, Condition.id == Cohort.condition_id)
        .outerjoin(Host, Host.id == Cohort.host_id)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .join(Participant, Participant.id == CohortMember.participant_id)
        .outerjoin(Stage, Stage.id == Participant.stage_id)
        .where(Cohort.program_id == program.id)
        .order_by(Cohort.id, Participant.display_name, Participant.id)
    )
    slot_starts: dict[int, str] = {}

    def starts(slot: int, at: datetime | None) -> str:
        if at is None:
            if slot not in slot_starts:
                slot_starts[slot] = slot_start(program, slot, today).strftime(STARTS_AT)
            return slot_starts[slot]
        return at.strftime(STARTS_AT)

    def rows() -> Iterator[list[Any]]:
        for row in _batches(session, query):
            yield [row.id, row.status, row.condition, row.language, row.role or "", slot_label(row.slot),
                   starts(row.slot, row.starts_at), row.host or "", row.display_name, row.member_role,
                   row.stage or NO_STAGE, row.timezone]  # fmt: skip

    cohorts = session.exec(select(func.count()).where(Cohort.program_id == program.id)).one()
    return Export(COHORT_HEADER, rows(), cohorts)


def survey_export(session: Session, program: Program) -> Export:
    """One row per response, by meeting and day, in random order within a day. The participant column is
    there only when some answer was given under a name, and holds names of those answers alone."""
    responses, named = 0, False

    def answers() -> Iterator[dict[str, Any]]:
        nonlocal responses, named
        for given, name in _batches(session, _named(program, SurveyResponse.answers)):
            responses += 1
            named = named or name is not None
            yield given

    questions = survey_questions(program, answers())
    header = ["meeting_id", "group_id", "meet_up", "date", *(["participant"] if named else [])]
    header += [question.key for question in questions]
    query = _named(
        program, Meeting.id.label("meeting"), Meeting.cohort_id, Meeting.number, SurveyResponse.submitted_at,
        SurveyResponse.response_key, SurveyResponse.answers,
    ).order_by(Meeting.starts_at, Meeting.id, SurveyResponse.submitted_at)  # fmt: skip

    def rows() -> Iterator[list[Any]]:
        # The database orders by time; within a meeting's day the order is the responses' random key.
        by_day = groupby(_batches(session, query), key=lambda row: (row.meeting, row.submitted_at.date()))
        for (_, day), same_day in by_day:
            for row in sorted(same_day, key=lambda row: row.response_key):
                yield [row.meeting, row.cohort_id, row.number, day.isoformat(),
                       *([row.name or ""] if named else []),
                       *(row.answers.get(question.key, "") for question in questions)]  # fmt: skip

    return Export(header, rows(), responses)


def _named(program: Program, *columns: Any):
    """The program's responses' `columns`, then the name of who answered, where the program allows names."""
    name = null() if program.survey_anonymous else Participant.display_name
    return program_responses(program, *columns, name.label("name"))


def _batches(session: Session, query) -> Iterator[Any]:
    """The rows of `query`, fetched `BATCH_ROWS` at a time."""
    with session.exec(query.execution_options(yield_per=BATCH_ROWS)) as result:
        yield from result
