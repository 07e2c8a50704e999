"""The host's two-minute debrief after each meeting: how it went, anything the coordinator should know, and
a concern if they want to raise one. The `host_debrief` email links to it once the meeting has ended."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.inputs.concerns import DebriefInput
from app.models import Cohort, CohortStatus, Host, HostDebrief, Meeting, MeetingStatus, Program, Reporter
from app.services.concerns import raise_concern


class DebriefState(StrEnum):
    OPEN = "open"  # the meeting has ended and the host has not answered yet
    NOT_YET = "not_yet"  # the meeting has not ended
    ANSWERED = "answered"
    NOT_THEIRS = "not_theirs"  # they do not lead this group (any more), or it was cancelled


def debrief_state(session: Session, host: Host, meeting: Meeting, *, now: datetime) -> DebriefState:
    cohort = session.get(Cohort, meeting.cohort_id)
    if cohort.host_id != host.id or meeting.status == MeetingStatus.CANCELLED:
        return DebriefState.NOT_THEIRS
    if debrief_of(session, meeting.id) is not None:
        return DebriefState.ANSWERED
    return DebriefState.OPEN if meeting.ends_at <= now else DebriefState.NOT_YET


def meetings_to_debrief(session: Session, host: Host, *, now: datetime) -> list[Meeting]:
    """The host's meetings that have started and still wait for their debrief, most recent first (one that
    has started may have ended: the page that links to them says so if not)."""
    debriefed = select(HostDebrief.meeting_id).where(HostDebrief.host_id == host.id)
    return list(
        session.exec(
            select(Meeting)
            .join(Cohort, Cohort.id == Meeting.cohort_id)
            .where(Cohort.host_id == host.id, Cohort.status == CohortStatus.APPROVED)
            .where(Meeting.status != MeetingStatus.CANCELLED, Meeting.starts_at <= now)
            .where(Meeting.id.not_in(debriefed))
            .order_by(Meeting.starts_at.desc())
            .limit(10)
        ).all()
    )


def debrief_of(session: Session, meeting_id: int) -> HostDebrief | None:
    return session.exec(select(HostDebrief).where(HostDebrief.meeting_id == meeting_id)).first()


def record_debrief(
    session: Session, host: Host, meeting: Meeting, answers: DebriefInput, *, now: datetime
) -> HostDebrief | None:
    """Keep the host's debrief, and raise their concern if they wrote one; None when the meeting was
    debriefed already (a second tab, a second click), which then changes nothing."""
    program = session.get(Program, host.program_id)
    concern = None
    try:
        with session.begin_nested():
            if answers.concern is not None:
                concern = raise_concern(
                    session, program, answers.concern, reporter=Reporter.HOST, by_id=host.id,
                    meeting_id=meeting.id, now=now,
                )  # fmt: skip
            debrief = HostDebrief(
                program_id=program.id, meeting_id=meeting.id, host_id=host.id, mood=answers.mood,
                note=answers.note, concern_id=concern.id if concern else None, submitted_at=now,
            )  # fmt: skip
            session.add(debrief)
            session.flush()
    except IntegrityError:
        return None
    return debrief
