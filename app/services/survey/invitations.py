"""Whom and which meeting a survey link was made for, and where that survey stands for them."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from sqlmodel import Session, select

from app.links import LinkError, read_token
from app.models import (
    Attendance,
    Cohort,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantStatus,
    Program,
    SurveyReceipt,
)
from app.services.marked_attendance import marked


class SurveyState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    ERASED = "erased"
    CANCELLED = "cancelled"


class SurveyInvitation(NamedTuple):
    participant: Participant
    meeting: Meeting
    program: Program


def find_survey_invitation(session: Session, token: str) -> SurveyInvitation:
    """Whom and which meeting a survey link was made for; `LinkError` for a bad, old or foreign link."""
    payload = read_token("survey", token)
    participant = session.get(Participant, payload.get("p"))
    meeting = session.get(Meeting, payload.get("m"))
    if participant is None or meeting is None:
        raise LinkError("This link is not valid.")
    program = session.get(Program, session.get(Cohort, meeting.cohort_id).program_id)
    if participant.program_id != program.id:
        raise LinkError("This link is not valid.")
    return SurveyInvitation(participant, meeting, program)


def survey_state(session: Session, invitation: SurveyInvitation) -> SurveyState:
    if invitation.participant.status == ParticipantStatus.ERASED:
        return SurveyState.ERASED
    if invitation.meeting.status == MeetingStatus.CANCELLED:
        return SurveyState.CANCELLED
    if has_answered(session, invitation.meeting.id, invitation.participant.id):
        return SurveyState.ANSWERED
    return SurveyState.OPEN


def has_answered(session: Session, meeting_id: int, participant_id: int) -> bool:
    receipt = select(SurveyReceipt.id).where(
        SurveyReceipt.meeting_id == meeting_id, SurveyReceipt.participant_id == participant_id
    )
    return session.exec(receipt).first() is not None


def missed_meeting(session: Session, meeting: Meeting, participant_id: int) -> bool:
    """Whether this participant did not come: as the host or coordinator marked it when they did; else
    they never joined a meeting Zoom told us was held (it started, or someone joined). Without any
    attendance data (webhooks not set up) nobody counts as missing."""
    mark = marked(session, meeting.id, participant_id)
    if mark is not None:
        return not mark
    attended = select(Attendance.id).where(Attendance.meeting_id == meeting.id)
    if session.exec(attended.where(Attendance.participant_id == participant_id)).first() is not None:
        return False
    return meeting.started_at is not None or session.exec(attended).first() is not None
