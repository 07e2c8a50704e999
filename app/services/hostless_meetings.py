"""Meetings to come whose group has no host: one of the program's coordinators opens each of them, from the
console's meeting page, so the meetings page lists them where a coordinator looks every day, and the
coordinators are emailed the list when such groups are approved (`meetings_to_open`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.messages.kinds import MessageKind
from app.messages.queue import queue_messages
from app.models import Cohort, CohortStatus, Meeting, MeetingStatus, Program
from app.services.coordinator_alerts import coordinator_alert_rows

# The soonest few are what needs doing; the rest come up as these go by.
SHOWN = 20


def hostless_meetings(session: Session, program: Program, *, now: datetime) -> list[Meeting]:
    """The program's next meetings (at most `SHOWN`, soonest first) that no host leads, not over yet."""
    return list(session.exec(_to_open(program, now).limit(SHOWN)).all())


def still_to_open(
    session: Session, program: Program, meeting_ids: list[int], *, now: datetime
) -> list[Meeting]:
    """Of these meetings, those that still have no host, soonest first: not given a host since, not
    cancelled, not over."""
    return list(session.exec(_to_open(program, now).where(Meeting.id.in_(meeting_ids))).all())


def tell_coordinators_to_open(
    session: Session, program: Program, approved: list[Meeting], *, now: datetime
) -> None:
    """Email the program's coordinators the meetings just approved whose group has no host, when there are
    any: they must open them."""
    ids = [meeting.id for meeting in still_to_open(session, program, [m.id for m in approved], now=now)]
    if ids:
        queue_messages(
            session,
            coordinator_alert_rows(
                session, program, MessageKind.MEETINGS_TO_OPEN, about=f"meeting-{min(ids)}",
                context={"meetings": ids}, now=now,
            ),
        )  # fmt: skip


def _to_open(program: Program, now: datetime):
    """The program's meetings that no host leads, not cancelled nor over, soonest first."""
    return (
        select(Meeting)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program.id, Cohort.status == CohortStatus.APPROVED)
        .where(Cohort.host_id.is_(None))
        .where(Meeting.status.in_((MeetingStatus.SCHEDULED, MeetingStatus.STARTED)))
        .where(Meeting.starts_at > now - timedelta(minutes=program.meeting_minutes))
        .order_by(Meeting.starts_at, Meeting.id)
    )
