"""Meetings to come whose group has no host: one of the program's coordinators opens each of them, from the
console's meeting page, so the meetings page lists them where a coordinator looks every day."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.models import Cohort, CohortStatus, Meeting, MeetingStatus, Program

# The soonest few are what needs doing; the rest come up as these go by.
SHOWN = 20


def hostless_meetings(session: Session, program: Program, *, now: datetime) -> list[Meeting]:
    """The program's next meetings (at most `SHOWN`, soonest first) that no host leads, not over yet."""
    return list(
        session.exec(
            select(Meeting)
            .join(Cohort, Cohort.id == Meeting.cohort_id)
            .where(Cohort.program_id == program.id, Cohort.status == CohortStatus.APPROVED)
            .where(
                Cohort.host_id.is_(None), Meeting.status.in_((MeetingStatus.SCHEDULED, MeetingStatus.STARTED))
            )
            .where(Meeting.starts_at > now - timedelta(minutes=program.meeting_minutes))
            .order_by(Meeting.starts_at, Meeting.id)
            .limit(SHOWN)
        ).all()
    )
