"""A registrant leaving their group, whether they withdraw or are erased."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, select

from app.messages.queue import cancel_messages
from app.models import Cohort, CohortMember, Participant, Program
from app.services.meeting_changes.lookups import meetings_not_started
from app.services.meeting_setup import queue_member_cancellation
from app.services.zoom_operations import leave_zoom_meetings


def release_place(session: Session, participant: Participant, *, now: datetime) -> int | None:
    """Give up the participant's group place and everything still to come for it, their Zoom registration
    included (so their personal link stops working); the cohort they left.

    The cohort is named in the audit event of the leaving, which is how its coordinator learns that a place
    opened.
    """
    cohort_id = session.exec(
        select(CohortMember.cohort_id).where(CohortMember.participant_id == participant.id)
    ).first()
    session.exec(delete(CohortMember).where(CohortMember.participant_id == participant.id))
    cancel_messages(session, participant_id=participant.id)
    if cohort_id is not None:
        leave_zoom_meetings(session, cohort_id, participant.id, now=now)
    return cohort_id


def take_off_calendars(
    session: Session,
    participant: Participant,
    cohort_id: int,
    *,
    now: datetime,
    after: datetime | None = None,
) -> None:
    """A calendar CANCEL for each meeting of the cohort still to come (or starting after `after`) that the
    participant was invited to, so that the events and their alarms leave the calendars of someone who left
    the group."""
    cohort = session.get(Cohort, cohort_id)
    program = session.get(Program, cohort.program_id)
    for meeting in meetings_not_started(session, cohort, max(now, after or now)):
        queue_member_cancellation(session, program, meeting, participant, now=now, occasion="left")
