"""What Zoom tells us happened in a meeting: it started, ended, vanished; who joined and left, when."""

from __future__ import annotations

import hashlib

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.models import (
    Attendance,
    CohortMember,
    Meeting,
    MeetingRegistrant,
    MeetingStatus,
    Participant,
    ZoomEvent,
)
from app.services.audit import record_event
from integrations.zoom.webhooks import Participant as ZoomParticipant
from integrations.zoom.webhooks import WebhookEvent


def record_zoom_event(session: Session, event: WebhookEvent, raw_body: bytes) -> bool:
    """Apply one webhook delivery; False when it was a repeat of one already applied (Zoom may send twice)."""
    delivery = ZoomEvent(
        dedupe_key=hashlib.sha256(raw_body).hexdigest(), event=event.event, zoom_meeting_id=event.meeting_id
    )
    try:
        with session.begin_nested():
            session.add(delivery)
    except IntegrityError:
        return False
    meeting = session.exec(select(Meeting).where(Meeting.zoom_meeting_id == event.meeting_id)).first()
    if meeting is not None:
        HANDLERS[event.event](session, meeting, event)
    return True


def _started(session: Session, meeting: Meeting, event: WebhookEvent) -> None:
    meeting.started_at = min(meeting.started_at or event.event_ts, event.event_ts)
    if meeting.status == MeetingStatus.SCHEDULED:
        meeting.status = MeetingStatus.STARTED
    session.add(meeting)


def _ended(session: Session, meeting: Meeting, event: WebhookEvent) -> None:
    """Close every stretch still open; one begun after this end belongs to a restart of the meeting."""
    meeting.ended_at = max(meeting.ended_at or event.event_ts, event.event_ts)
    if meeting.status != MeetingStatus.CANCELLED:
        meeting.status = MeetingStatus.ENDED
    for stretch in session.exec(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id,
            Attendance.left_at.is_(None),
            Attendance.joined_at <= event.event_ts,
        )
    ):
        stretch.left_at = event.event_ts
        session.add(stretch)
    session.add(meeting)


# Zoom does not promise to deliver events in order, and a rejoin's "joined" often races the "left" before it
# (both sent within a second, handled at once). So a join never waits for an earlier stretch to close, a
# leave closes the latest stretch begun before it, and a leave that comes before its join is kept as an
# empty stretch (joined at the moment of leaving) that the join, when it arrives, opens up.


def _joined(session: Session, meeting: Meeting, event: WebhookEvent) -> None:
    who = event.participant
    key = _participant_key(who)
    at = who.join_time or event.event_ts
    stretches = _stretches(session, meeting, key)
    if any(stretch.joined_at == at for stretch in stretches):
        return  # this join was told already
    waiting = [s for s in stretches if s.left_at is not None and s.joined_at == s.left_at and s.left_at > at]
    if waiting:
        waiting[0].joined_at = at
        session.add(waiting[0])
        return
    session.add(
        Attendance(
            meeting_id=meeting.id,
            participant_id=_registrant(session, meeting, who),
            zoom_participant_key=key,
            joined_at=at,
        )
    )


def _left(session: Session, meeting: Meeting, event: WebhookEvent) -> None:
    who = event.participant
    key = _participant_key(who)
    at = who.leave_time or event.event_ts
    stretches = _stretches(session, meeting, key)
    if any(s.left_at is not None and s.joined_at <= at <= s.left_at for s in stretches):
        return  # told already, or the meeting's end closed the stretch first
    begun = [s for s in stretches if s.left_at is None and s.joined_at <= at]
    if begun:
        begun[-1].left_at = at
        session.add(begun[-1])
        return
    session.add(
        Attendance(
            meeting_id=meeting.id,
            participant_id=_registrant(session, meeting, who),
            zoom_participant_key=key,
            joined_at=at,
            left_at=at,
        )
    )


def _deleted(session: Session, meeting: Meeting, event: WebhookEvent) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        return  # we deleted it ourselves
    meeting.zoom_vanished_at = event.event_ts
    session.add(meeting)
    record_event(session, "zoom.meeting_vanished", actor="zoom", subject=("meeting", meeting.id))


def _participant_key(who: ZoomParticipant) -> str:
    return who.registrant_id or who.participant_user_id or who.participant_id or who.email or who.user_name


def _stretches(session: Session, meeting: Meeting, key: str) -> list[Attendance]:
    """This attendee's stretches in the meeting, earliest first."""
    return list(
        session.exec(
            select(Attendance)
            .where(Attendance.meeting_id == meeting.id, Attendance.zoom_participant_key == key)
            .order_by(Attendance.joined_at, Attendance.id)
        )
    )


def _registrant(session: Session, meeting: Meeting, who: ZoomParticipant) -> int | None:
    """Our participant behind a Zoom attendee: by their personal registration, else by their email."""
    if who.registrant_id:
        found = session.exec(
            select(MeetingRegistrant.participant_id).where(
                MeetingRegistrant.meeting_id == meeting.id,
                MeetingRegistrant.zoom_registrant_id == who.registrant_id,
            )
        ).first()
        if found is not None:
            return found
    if who.email:
        return session.exec(
            select(Participant.id)
            .join(CohortMember, CohortMember.participant_id == Participant.id)
            .where(CohortMember.cohort_id == meeting.cohort_id, Participant.email == who.email.lower())
        ).first()
    return None


HANDLERS = {
    "meeting.started": _started,
    "meeting.ended": _ended,
    "meeting.participant_joined": _joined,
    "meeting.participant_left": _left,
    "meeting.deleted": _deleted,
}
