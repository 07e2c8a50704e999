"""Cancelling a cohort: what it will do, shown before the coordinator confirms, and doing it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, select

from app.messages.kinds import MessageKind
from app.messages.queue import cancel_messages, queue_meeting_message
from app.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    Host,
    Meeting,
    MeetingStatus,
    MessageStatus,
    OutboundMessage,
    Participant,
    Program,
    ZoomOperationKind,
)
from app.services.audit import record_event
from app.services.locks import hold
from app.services.meeting_changes import MeetingChangeError
from app.services.meeting_changes.lookups import (
    members_by_name,
    under_way,
    upcoming_meeting,
    upcoming_meetings,
    was_sent,
)
from app.services.meeting_setup import queue_member_cancellation
from app.services.zoom_operations import cancel_zoom_operations, queue_zoom_operation


@dataclass(frozen=True)
class CancellationPlan:
    """What cancelling a cohort will do, shown to the coordinator before they confirm."""

    cohort: Cohort
    meeting: Meeting | None  # the upcoming meeting that is cancelled, if any
    members: list[Participant]  # go back to the unplaced registrants
    told: list[Participant]  # members who were invited, so get a cancellation
    host: Host | None  # the host, when they were briefed (and still take email) and so get a cancellation
    unsent: int  # messages not sent yet that will never go out
    later: list[Meeting] = field(default_factory=list)  # meet-ups after `meeting` (a series), cancelled too


def plan_cancellation(session: Session, cohort: Cohort, *, now: datetime) -> CancellationPlan:
    """What `cancel_cohort` would do now; raises `MeetingChangeError` when the cohort cannot be cancelled."""
    if cohort.status == CohortStatus.CANCELLED:
        raise MeetingChangeError(f"Group {cohort.id} is already cancelled.")
    meeting = upcoming_meeting(session, cohort, now) if cohort.status == CohortStatus.APPROVED else None
    if meeting is not None and under_way(meeting, now):
        raise MeetingChangeError(f"Group {cohort.id}'s meeting is under way, so it cannot be cancelled now.")
    members = members_by_name(session, cohort)
    if meeting is None:
        return CancellationPlan(cohort, None, members, [], None, 0)
    invited = [
        m
        for m in members
        if m.email and was_sent(session, meeting, MessageKind.COHORT_INVITATION, participant_id=m.id)
    ]
    later = upcoming_meetings(session, cohort, now)[1:]
    unsent = session.exec(
        select(func.count(OutboundMessage.id)).where(
            OutboundMessage.meeting_id.in_([meeting.id, *(m.id for m in later)]),
            OutboundMessage.status == MessageStatus.PENDING,
        )
    ).one()
    return CancellationPlan(
        cohort, meeting, members, invited, _briefed_host(session, cohort, meeting), unsent, later
    )


def cancel_cohort(
    session: Session,
    cohort: Cohort,
    *,
    actor: str,
    coordinator_id: int | None = None,
    now: datetime,
    reason: str = "",
) -> None:
    """Cancel a cohort. A proposed one is dissolved; an approved one also loses its meeting: Zoom's is
    deleted, nothing more is sent about it, and everyone already invited gets a calendar cancellation.
    Either way its members go back to the unplaced registrants, so the next matching run can place them."""
    hold(session, cohort)  # an approval at the same moment is either seen here or waits and is refused
    plan = plan_cancellation(session, cohort, now=now)
    program = session.get(Program, cohort.program_id)
    if plan.meeting is not None:
        _cancel_meeting(session, program, plan.meeting, plan.members, plan.host, now=now)
    for meeting in plan.later:
        host = _briefed_host(session, cohort, meeting)
        _cancel_meeting(session, program, meeting, plan.members, host, now=now)
    _release(session, cohort, plan.members)
    was = cohort.status
    cohort.status, cohort.cancelled_at, cohort.version = CohortStatus.CANCELLED, now, cohort.version + 1
    session.add(cohort)
    record_event(
        session, "cohort.cancelled", actor=actor, coordinator_id=coordinator_id, program_id=program.id,
        subject=("cohort", cohort.id), was=was, meeting_id=plan.meeting.id if plan.meeting else None,
        members=len(plan.members), told=len(plan.told) + (plan.host is not None), reason=reason.strip(),
    )  # fmt: skip
    session.flush()


def _briefed_host(session: Session, cohort: Cohort, meeting: Meeting) -> Host | None:
    """The cohort's host, when they were briefed on this meeting and still take email."""
    host = session.get(Host, cohort.host_id) if cohort.host_id else None
    briefed = (
        host is not None
        and host.active
        and was_sent(session, meeting, MessageKind.HOST_BRIEFING, host_id=host.id)
    )
    return host if briefed else None


def _cancel_meeting(
    session: Session,
    program: Program,
    meeting: Meeting,
    members: list[Participant],
    host: Host | None,
    *,
    now: datetime,
) -> None:
    meeting.status, meeting.calendar_sequence = MeetingStatus.CANCELLED, meeting.calendar_sequence + 1
    session.add(meeting)
    cancel_zoom_operations(session, meeting.id)
    # Deleting the meeting at Zoom ends every registration to it: no member's link works afterwards.
    queue_zoom_operation(session, meeting, ZoomOperationKind.DELETE)
    cancel_messages(session, meeting_id=meeting.id)
    for member in members:
        queue_member_cancellation(session, program, meeting, member, now=now)
    if host is not None:
        kind, sequence = MessageKind.MEETING_CANCELLED, meeting.calendar_sequence
        queue_meeting_message(
            session, kind, program, meeting, now=now, recipient=host.email, locale=program.default_locale,
            host_id=host.id, dedupe_key=f"{kind}:meeting-{meeting.id}:host-{host.id}:seq-{sequence}",
        )  # fmt: skip


def _release(session: Session, cohort: Cohort, members: list[Participant]) -> None:
    session.exec(delete(CohortMember).where(CohortMember.cohort_id == cohort.id))
    for member in members:
        member.waitlist_reason = member.waitlist_detail = None
        session.add(member)
