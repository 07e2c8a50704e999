"""A program's report: registrations over time, placement, attendance and what the survey says.

Figures only, never a name: the report is meant to be printed and shared beyond the coordinators.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_
from sqlmodel import Session, select

from app.models import Cohort, Meeting, MeetingStatus, Participant, Program
from app.services.meeting_attendance import attendance_counts
from app.services.overview import Figures, program_figures
from app.services.survey.results import SurveyResults, survey_summary


@dataclass(frozen=True)
class ProgramReport:
    figures: Figures
    weeks: list[tuple[date, int]]  # (Monday, registrations that week), with empty weeks in between
    meetings_held: int
    registered_in_zoom: int  # over the meetings held
    attended: int  # of those registered in Zoom
    survey: SurveyResults


def program_report(session: Session, program: Program) -> ProgramReport:
    held = held_meetings(program)
    registered, attended = attendance_counts(session, held)
    return ProgramReport(
        figures=program_figures(session, program),
        weeks=registrations_per_week(session, program),
        meetings_held=session.exec(select(func.count()).select_from(held.subquery())).one(),
        registered_in_zoom=registered,
        attended=attended,
        survey=survey_summary(session, program),
    )


def registrations_per_week(session: Session, program: Program) -> list[tuple[date, int]]:
    """Registrations by the week (Monday to Sunday in the program's time zone) they arrived in.

    Everyone who registered counts, also people who later left or were erased: erasure keeps the row.
    """
    weeks = _weeks_counted(session, program)
    if not weeks:
        return []
    first, last = min(weeks), max(weeks)
    return [
        (first + timedelta(weeks=n), weeks[first + timedelta(weeks=n)])
        for n in range((last - first).days // 7 + 1)
    ]


def _weeks_counted(session: Session, program: Program) -> Counter[date]:
    """How many registered each week, by its Monday. PostgreSQL counts them by the week of the program's zone
    (an index holds the times); SQLite knows no time zones, so there the times are read and counted here (a
    development database is small)."""
    registered = Participant.program_id == program.id
    if session.get_bind().dialect.name == "postgresql":
        monday = func.date_trunc("week", func.timezone(program.timezone, Participant.created_at))
        rows = session.exec(select(monday, func.count()).where(registered).group_by(monday)).all()
        return Counter({start.date(): count for start, count in rows})
    zone = ZoneInfo(program.timezone)
    return Counter(
        _monday(created.astimezone(zone).date())
        for created in session.exec(select(Participant.created_at).where(registered))
    )


def held_meetings(program: Program) -> Select:
    """The ids of the program's meetings that took place: Zoom told us they started."""
    return (
        select(Meeting.id)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program.id, Meeting.status != MeetingStatus.CANCELLED)
        .where(
            or_(
                Meeting.started_at.is_not(None),
                Meeting.status.in_((MeetingStatus.STARTED, MeetingStatus.ENDED)),
            )
        )
    )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
