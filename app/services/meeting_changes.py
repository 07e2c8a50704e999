"""Changes after approval: moving a meeting, cancelling a cohort, and the places members leave behind.

Everything is written in the caller's transaction; the worker carries out the Zoom calls and the emails.
Every recipient's calendar entry keeps the meeting's UID, and each change raises its SEQUENCE, so
calendars replace the entry instead of adding a second one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, select

from app.database import utcnow
from app.messages.kinds import MessageKind, OnMove, moving_with_meeting
from app.messages.queue import cancel_messages, move_deadlines, move_messages, queue_meeting_message
from app.models import (
    AuditEvent,
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
from app.services.approval import queue_member_cancellation
from app.services.audit import record_event
from app.services.locks import hold
from app.services.zoom_operations import cancel_zoom_operations, queue_zoom_operation, queue_zoom_update

LEFT_ACTIONS = ("participant_withdrew", "participant_erased")
# A withdrawal counts as handled once the coordinator backfilled the cohort or dismissed the notice.
BACKFILLED = "cohort.backfilled"
DISMISSED = "cohort.open_place_dismissed"


class MeetingChangeError(ValueError):
    """The change was refused; the message says why in plain words."""


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


@dataclass(frozen=True)
class Leaver:
    name: str
    left_at: datetime
    erased: bool

    @property
    def description(self) -> str:
        return "someone who asked to be deleted" if self.erased else self.name


@dataclass(frozen=True)
class OpenPlace:
    """An approved cohort with a meeting still to come that members left since it was last looked after."""

    cohort: Cohort
    meeting: Meeting
    left: list[Leaver]
    members_now: int
    places_open: int

    @property
    def summary(self) -> str:
        who = ", ".join(leaver.description for leaver in self.left)
        places = "1 place is" if self.places_open == 1 else f"{self.places_open} places are"
        return f"Group {self.cohort.id}: {who} left. {places} open; {self.members_now} members remain."


def reschedule_meeting(
    session: Session,
    meeting: Meeting,
    starts_at: datetime,
    *,
    actor: str,
    coordinator_id: int | None = None,
    now: datetime,
) -> None:
    """Move a meeting: Zoom follows, pending messages follow, and everyone already told gets the new time."""
    starts_at = starts_at.astimezone(UTC)
    cohort = session.get(Cohort, meeting.cohort_id)
    hold(session, cohort)  # a cancellation at the same moment goes first or waits for this move
    session.refresh(meeting)
    _check_movable(meeting, starts_at, now)
    program = session.get(Program, cohort.program_id)
    previous = {
        "previous_starts_at": meeting.starts_at.isoformat(),
        "previous_sequence": meeting.calendar_sequence,
    }
    shift = starts_at - meeting.starts_at
    meeting.starts_at, meeting.calendar_sequence = starts_at, meeting.calendar_sequence + 1
    session.add(meeting)
    if meeting.number == 1:
        cohort.slot, cohort.version = _hour_of_week(starts_at), cohort.version + 1
        session.add(cohort)
    queue_zoom_update(session, meeting)
    move_messages(session, meeting.id, shift, kinds=moving_with_meeting(OnMove.FOLLOWS), now=now)
    move_deadlines(session, meeting.id, shift, kinds=moving_with_meeting(OnMove.DEADLINE_FOLLOWS))
    told = _tell_of_change(session, program, cohort, meeting, previous, now=now)
    record_event(
        session, "meeting.rescheduled", actor=actor, coordinator_id=coordinator_id, program_id=program.id,
        subject=("meeting", meeting.id), cohort_id=cohort.id, starts_at=starts_at.isoformat(), told=told,
        **previous,
    )  # fmt: skip


def _check_movable(meeting: Meeting, starts_at: datetime, now: datetime) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingChangeError("This meeting was cancelled, so it cannot be moved.")
    if meeting.status == MeetingStatus.ENDED or _ends(meeting) <= now:
        raise MeetingChangeError("This meeting has already taken place, so it cannot be moved.")
    if _under_way(meeting, now):
        raise MeetingChangeError("This meeting is under way right now, so it cannot be moved.")
    if starts_at <= now:
        raise MeetingChangeError("The new time has already passed. Choose a time in the future.")
    if starts_at == meeting.starts_at:
        raise MeetingChangeError("The meeting is already at that time; nothing was changed.")


def _hour_of_week(moment: datetime) -> int:
    """The cohort slot of a start time: hours since Monday 00:00 UTC."""
    return moment.weekday() * 24 + moment.hour


def _tell_of_change(
    session: Session, program: Program, cohort: Cohort, meeting: Meeting, previous: dict, *, now: datetime
) -> int:
    """Queue `meeting_changed` for every member and the host already told of the meeting; how many.

    Someone whose invitation has not gone out yet needs nothing more: it is built when sent, with the new
    time. Someone with an earlier change still unsent gets one message, from the time they last heard of.
    """
    told = 0
    for member in _members(session, cohort):
        if member.email and not _waiting(
            session, meeting, MessageKind.COHORT_INVITATION, participant_id=member.id
        ):
            told += _queue_change(
                session, program, meeting, previous, now=now, recipient=member.email, locale=member.locale,
                participant_id=member.id, key=f"participant-{member.id}",
            )  # fmt: skip
    host = session.get(Host, cohort.host_id) if cohort.host_id else None
    if (
        host is not None
        and host.active
        and not _waiting(session, meeting, MessageKind.HOST_BRIEFING, host_id=host.id)
    ):
        told += _queue_change(
            session, program, meeting, previous, now=now, recipient=host.email, locale=program.default_locale,
            host_id=host.id, key=f"host-{host.id}",
        )  # fmt: skip
    return told


def _queue_change(
    session: Session, program: Program, meeting: Meeting, previous: dict, *, now: datetime, key: str, **to
) -> int:
    kind = MessageKind.MEETING_CHANGED
    unsent = _waiting(
        session, meeting, kind, participant_id=to.get("participant_id"), host_id=to.get("host_id")
    )
    if unsent is not None:
        unsent.status = MessageStatus.CANCELLED
        session.add(unsent)
        previous = {name: unsent.context[name] for name in previous}
        if datetime.fromisoformat(previous["previous_starts_at"]) == meeting.starts_at:
            return 0  # moved back before they heard of the move: their calendar is right as it is
    queue_meeting_message(
        session, kind, program, meeting, now=now, context=previous,
        dedupe_key=f"{kind}:meeting-{meeting.id}:{key}:seq-{meeting.calendar_sequence}", **to,
    )  # fmt: skip
    return 1


def _waiting(
    session: Session,
    meeting: Meeting,
    kind: MessageKind,
    *,
    participant_id: int | None = None,
    host_id: int | None = None,
) -> OutboundMessage | None:
    """The message of this kind still waiting to go to this member or host, if any."""
    return _message(session, meeting, kind, MessageStatus.PENDING, participant_id, host_id)


def _sent(
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
            OutboundMessage.status == status,
            recipient,
        )
    ).first()


def plan_cancellation(session: Session, cohort: Cohort, *, now: datetime) -> CancellationPlan:
    """What `cancel_cohort` would do now; raises `MeetingChangeError` when the cohort cannot be cancelled."""
    if cohort.status == CohortStatus.CANCELLED:
        raise MeetingChangeError(f"Group {cohort.id} is already cancelled.")
    meeting = _upcoming_meeting(session, cohort, now) if cohort.status == CohortStatus.APPROVED else None
    if meeting is not None and _under_way(meeting, now):
        raise MeetingChangeError(f"Group {cohort.id}'s meeting is under way, so it cannot be cancelled now.")
    members = _members(session, cohort)
    if meeting is None:
        return CancellationPlan(cohort, None, members, [], None, 0)
    invited = [
        m
        for m in members
        if m.email and _sent(session, meeting, MessageKind.COHORT_INVITATION, participant_id=m.id)
    ]
    later = _upcoming_meetings(session, cohort, now)[1:]
    unsent = session.exec(
        select(func.count(OutboundMessage.id)).where(
            OutboundMessage.meeting_id.in_([meeting.id, *(m.id for m in later)]),
            OutboundMessage.status == MessageStatus.PENDING,
        )
    ).one()
    return CancellationPlan(
        cohort, meeting, members, invited, _briefed_host(session, cohort, meeting), unsent, later
    )


def _briefed_host(session: Session, cohort: Cohort, meeting: Meeting) -> Host | None:
    """The cohort's host, when they were briefed on this meeting and still take email."""
    host = session.get(Host, cohort.host_id) if cohort.host_id else None
    briefed = (
        host is not None
        and host.active
        and _sent(session, meeting, MessageKind.HOST_BRIEFING, host_id=host.id)
    )
    return host if briefed else None


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


def open_places(session: Session, program: Program, *, now: datetime | None = None) -> list[OpenPlace]:
    """Approved cohorts with a meeting to come that members left, until the coordinator backfills the
    cohort or dismisses the notice; soonest meeting first."""
    now = now or utcnow()
    places = []
    for cohort_id, events in _unhandled_departures(session, program).items():
        cohort = session.get(Cohort, cohort_id)
        meeting = _upcoming_meeting(session, cohort, now) if cohort.status == CohortStatus.APPROVED else None
        if meeting is not None:
            places.append(_open_place(session, program, cohort, meeting, events))
    return sorted(places, key=lambda place: place.meeting.starts_at)


def dismiss_open_place(
    session: Session, cohort: Cohort, *, actor: str, coordinator_id: int | None = None
) -> None:
    """The coordinator saw who left and keeps the cohort as it is."""
    program = session.get(Program, cohort.program_id)
    if cohort.id not in _unhandled_departures(session, program):
        raise MeetingChangeError(f"No one has left group {cohort.id} since it was last looked at.")
    record_event(
        session, DISMISSED, actor=actor, coordinator_id=coordinator_id, program_id=program.id,
        subject=("cohort", cohort.id),
    )  # fmt: skip
    session.flush()


def _unhandled_departures(session: Session, program: Program) -> dict[int, list[AuditEvent]]:
    """Each cohort's departures (withdrawals, erasures) since it was last backfilled or dismissed."""
    events = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.program_id == program.id,
            AuditEvent.action.in_((*LEFT_ACTIONS, BACKFILLED, DISMISSED)),
        )
        .order_by(AuditEvent.id)
    ).all()
    departures: dict[int, list[AuditEvent]] = defaultdict(list)
    for event in events:
        if event.action in LEFT_ACTIONS and event.detail.get("cohort_id"):
            departures[int(event.detail["cohort_id"])].append(event)
        elif event.action in (BACKFILLED, DISMISSED) and event.subject_type == "cohort":
            departures.pop(int(event.subject_id), None)
    return departures


def _open_place(
    session: Session, program: Program, cohort: Cohort, meeting: Meeting, events: list[AuditEvent]
) -> OpenPlace:
    members_now = len(_members(session, cohort))
    left = [_leaver(session, event) for event in events]
    return OpenPlace(
        cohort=cohort,
        meeting=meeting,
        left=left,
        members_now=members_now,
        places_open=min(len(left), max(program.max_size - members_now, 0)),
    )


def _leaver(session: Session, event: AuditEvent) -> Leaver:
    """Who left, as their departure was recorded; the log no longer names someone erased since."""
    person = session.get(Participant, int(event.subject_id)) if event.subject_id else None
    if person is None:
        return Leaver(name="", left_at=event.at, erased=True)
    return Leaver(name=person.display_name, left_at=event.at, erased=event.action == "participant_erased")


def _members(session: Session, cohort: Cohort) -> list[Participant]:
    return list(
        session.exec(
            select(Participant)
            .join(CohortMember, CohortMember.participant_id == Participant.id)
            .where(CohortMember.cohort_id == cohort.id)
            .order_by(Participant.display_name, Participant.id)
        ).all()
    )


def _upcoming_meeting(session: Session, cohort: Cohort, now: datetime) -> Meeting | None:
    """The cohort's next meeting that is not over and not cancelled."""
    return next(iter(_upcoming_meetings(session, cohort, now)), None)


def _upcoming_meetings(session: Session, cohort: Cohort, now: datetime) -> list[Meeting]:
    """The cohort's meetings that are not over and not cancelled, soonest first (several for a series)."""
    meetings = session.exec(
        select(Meeting)
        .where(
            Meeting.cohort_id == cohort.id,
            Meeting.status.in_((MeetingStatus.SCHEDULED, MeetingStatus.STARTED)),
        )
        .order_by(Meeting.number)
    ).all()
    return [meeting for meeting in meetings if _ends(meeting) > now]


def _under_way(meeting: Meeting, now: datetime) -> bool:
    return meeting.status == MeetingStatus.STARTED or meeting.starts_at <= now < _ends(meeting)


def _ends(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
