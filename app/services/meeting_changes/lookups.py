"""What a change after approval needs to know: a cohort's members and meetings to come, and which messages
of a meeting were sent or are still waiting."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session, select

from app.bulk import in_batches
from app.messages.kinds import Channel, MessageKind
from app.models import Cohort, Meeting, MeetingStatus, MessageStatus, OutboundMessage, Participant
from app.services.meeting_setup import cohort_members


def members_by_name(session: Session, cohort: Cohort) -> list[Participant]:
    return sorted(cohort_members(session, cohort), key=lambda person: (person.display_name, person.id))


def upcoming_meetings(session: Session, cohort: Cohort, now: datetime) -> list[Meeting]:
    """The cohort's meetings that are not over and not cancelled, soonest first (several for a series)."""
    return upcoming_meetings_of(session, [cohort.id], now).get(cohort.id, [])


def upcoming_meetings_of(session: Session, cohort_ids: list[int], now: datetime) -> dict[int, list[Meeting]]:
    """`upcoming_meetings` of each of these cohorts, by id (none for a cohort with none), read a batch of
    cohorts at a time."""
    upcoming: dict[int, list[Meeting]] = defaultdict(list)
    for batch in in_batches(cohort_ids):
        for meeting in session.exec(
            select(Meeting)
            .where(
                Meeting.cohort_id.in_(batch),
                Meeting.status.in_((MeetingStatus.SCHEDULED, MeetingStatus.STARTED)),
            )
            .order_by(Meeting.cohort_id, Meeting.number)
        ):
            if meeting.ends_at > now:
                upcoming[meeting.cohort_id].append(meeting)
    return upcoming


def meetings_not_started(session: Session, cohort: Cohort, now: datetime) -> list[Meeting]:
    """The cohort's meetings that are scheduled and have not started, in order."""
    return list(
        session.exec(
            select(Meeting)
            .where(Meeting.cohort_id == cohort.id, Meeting.status == MeetingStatus.SCHEDULED)
            .where(Meeting.starts_at > now)
            .order_by(Meeting.number)
        ).all()
    )


def upcoming_meeting(session: Session, cohort: Cohort, now: datetime) -> Meeting | None:
    """The cohort's next meeting that is not over and not cancelled."""
    return next(iter(upcoming_meetings(session, cohort, now)), None)


def under_way(meeting: Meeting, now: datetime) -> bool:
    return meeting.status == MeetingStatus.STARTED or meeting.starts_at <= now < meeting.ends_at


def waiting_message(
    session: Session,
    meeting: Meeting,
    kind: MessageKind,
    *,
    participant_id: int | None = None,
    host_id: int | None = None,
) -> OutboundMessage | None:
    """The message of this kind still waiting to go to this member or host, if any."""
    return _message(session, meeting, kind, MessageStatus.PENDING, participant_id, host_id)


def was_sent(
    session: Session,
    meeting: Meeting,
    kind: MessageKind,
    *,
    participant_id: int | None = None,
    host_id: int | None = None,
) -> bool:
    return _message(session, meeting, kind, MessageStatus.SENT, participant_id, host_id) is not None


def _message(
    session: Session,
    meeting: Meeting,
    kind: MessageKind,
    status: MessageStatus,
    participant_id: int | None,
    host_id: int | None,
) -> OutboundMessage | None:
    recipient = (
        OutboundMessage.participant_id == participant_id
        if participant_id is not None
        else OutboundMessage.host_id == host_id
    )
    return session.exec(
        select(OutboundMessage).where(
            OutboundMessage.meeting_id == meeting.id,
            OutboundMessage.kind == kind,
            OutboundMessage.channel == Channel.EMAIL,
            OutboundMessage.status == status,
            recipient,
        )
    ).first()
