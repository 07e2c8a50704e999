"""The "sorry we missed you" path: someone who registered but never joined asks for another group."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, select

from app.database import utcnow
from app.messages.queue import cancel_messages
from app.models import CohortMember, Meeting
from app.services.audit import record_event
from app.services.leaving import take_off_calendars
from app.services.survey.invitations import SurveyInvitation
from app.services.zoom_operations import leave_zoom_meetings


def still_in_group(session: Session, invitation: SurveyInvitation) -> bool:
    """Whether the participant still has their place in the cohort of the meeting they missed."""
    member = select(CohortMember.id).where(
        CohortMember.participant_id == invitation.participant.id,
        CohortMember.cohort_id == invitation.meeting.cohort_id,
    )
    return session.exec(member).first() is not None


def ask_for_another_group(session: Session, invitation: SurveyInvitation) -> None:
    """Take the participant out of the cohort whose meeting they missed, so the next matching places them
    anew; what was still to come for that cohort is dropped, and its later meet-ups leave their calendar."""
    participant, meeting, program = invitation
    session.exec(
        delete(CohortMember).where(
            CohortMember.participant_id == participant.id, CohortMember.cohort_id == meeting.cohort_id
        )
    )
    for meeting_id in session.exec(select(Meeting.id).where(Meeting.cohort_id == meeting.cohort_id)).all():
        cancel_messages(session, meeting_id=meeting_id, participant_id=participant.id)
    now = utcnow()
    leave_zoom_meetings(session, meeting.cohort_id, participant.id, now=now)
    take_off_calendars(session, participant, meeting.cohort_id, now=now, after=meeting.starts_at)
    participant.waitlist_reason = participant.waitlist_detail = None
    session.add(participant)
    record_event(
        session, "participant_asked_for_another_group", actor="participant", program_id=program.id,
        subject=("participant", participant.id), cohort_id=meeting.cohort_id, meeting_id=meeting.id,
    )  # fmt: skip
    session.flush()
