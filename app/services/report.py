"""A program's report: registrations over time, placement, attendance and what the survey says.

Figures only, never a name: the report is meant to be printed and shared beyond the coordinators.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ARRAY, Select, bindparam, func, or_
from sqlmodel import Session, select

from app.database import UTCDateTime, utcnow
from app.models import Cohort, Meeting, MeetingStatus, Participant, Program
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
    """The report; attendance and surveys sent are the meetings' own figures added up, as they are kept
    (`app.models.meeting_tally`), so no registration, stretch of attendance or email is read."""
    added = (
        func.coalesce(func.sum(figure), 0) for figure in (Meeting.zoom_registered, Meeting.zoom_attended)
    )
    held, registered, attended = session.exec(held_meetings(program, func.count(), *added)).one()
    return ProgramReport(
        figures=program_figures(session, program),
        weeks=registrations_per_week(session, program),
        meetings_held=held,
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
    """How many registered each week, by its Monday. PostgreSQL counts them; SQLite knows no time zones, so
    there the times are read and counted here (a development database is small)."""
    if session.get_bind().dialect.name == "postgresql":
        return _weeks_counted_by_postgresql(session, program)
    zone = ZoneInfo(program.timezone)
    registered = select(Participant.created_at).where(Participant.program_id == program.id)
    return Counter(_monday(created.astimezone(zone).date()) for created in session.exec(registered))


def _weeks_counted_by_postgresql(session: Session, program: Program) -> Counter[date]:
    """`_weeks_counted` from the registration times an index holds: each falls among the starts of the weeks
    from the first registration's to the one after next (`width_bucket`), which takes a third of the time of
    turning every time into the program's zone (100,000 of them in a large program)."""
    registered = Participant.program_id == program.id
    first, last = session.exec(
        select(func.min(Participant.created_at), func.max(Participant.created_at)).where(registered)
    ).one()
    if first is None:
        return Counter()
    zone = ZoneInfo(program.timezone)
    start = _monday(first.astimezone(zone).date())
    # Up to the week after next: someone may register while the weeks are counted.
    end = _monday(max(last, utcnow()).astimezone(zone).date()) + timedelta(weeks=2)
    mondays = [start + timedelta(weeks=n) for n in range((end - start).days // 7 + 1)]
    starts = bindparam(
        "starts", [datetime.combine(monday, time(), zone) for monday in mondays], ARRAY(UTCDateTime)
    )
    week = func.width_bucket(Participant.created_at, starts)  # 1 for the first Monday's week
    rows = session.exec(select(week, func.count()).where(registered).group_by(week))
    return Counter({mondays[number - 1]: count for number, count in rows})


def held_meetings(program: Program, *columns: Any) -> Select:
    """The ids (or `columns`) of the program's meetings that took place: Zoom told us they started. The
    statuses are written into the statement rather than sent with it, so PostgreSQL sees the condition of
    `ix_meeting_held` even in a plan it keeps for any values, and reads the meetings held from it."""
    statuses = bindparam(
        "held", [MeetingStatus.STARTED, MeetingStatus.ENDED], expanding=True, literal_execute=True
    )
    return (
        select(*(columns or (Meeting.id,)))
        .select_from(Meeting)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program.id, Meeting.status != MeetingStatus.CANCELLED)
        .where(or_(Meeting.started_at.is_not(None), Meeting.status.in_(statuses)))
    )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
