"""Moving a meeting: Zoom follows, messages still to come follow, and everyone already told hears of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.messages.kinds import MessageKind, OnMove, moving_with_meeting
from app.messages.queue import (
    cancel_text_of,
    meeting_message_row,
    move_deadlines,
    move_messages,
    queue_messages,
    with_texts,
)
from app.models import Cohort, Host, Meeting, MeetingStatus, MessageStatus, Participant, Program
from app.services.audit import record_event
from app.services.locks import hold
from app.services.meeting_answers import forget_answers
from app.services.meeting_changes import MeetingChangeError
from app.services.meeting_changes.lookups import members_by_name, under_way, waiting_message
from app.services.zoom_operations import queue_zoom_update
from app.services.zoom_placement import keep_after_move
from app.services.zoom_pool import ZoomPoolError
from matching.availability import is_free


@dataclass(frozen=True)
class ReschedulePlan:
    """What moving a meeting would mean, shown before the coordinator confirms it."""

    meeting: Meeting
    cohort: Cohort
    starts_at: datetime
    members: list[Participant]
    cannot_come: list[Participant]  # members whose usual availability does not hold the new time
    host: Host | None
    host_cannot_come: bool


def plan_reschedule(
    session: Session, meeting: Meeting, starts_at: datetime, *, now: datetime
) -> ReschedulePlan:
    """Check a move as `reschedule_meeting` would (raising `MeetingChangeError` the same way), changing
    nothing, and say who of the group is not usually free at the new time, by the availability they gave."""
    starts_at = starts_at.astimezone(UTC)
    check_movable(meeting, starts_at, now)
    cohort = session.get(Cohort, meeting.cohort_id)
    ends_at = starts_at + timedelta(minutes=meeting.duration_minutes)
    members = members_by_name(session, cohort)
    host = session.get(Host, cohort.host_id) if cohort.host_id else None
    return ReschedulePlan(
        meeting=meeting, cohort=cohort, starts_at=starts_at, members=members,
        cannot_come=[person for person in members if not _free(person, starts_at, ends_at)],
        host=host, host_cannot_come=host is not None and not _free(host, starts_at, ends_at),
    )  # fmt: skip


def _free(person: Participant | Host, starts_at: datetime, ends_at: datetime) -> bool:
    return is_free(person.availability, person.timezone, starts_at, ends_at)


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
    check_movable(meeting, starts_at, now)
    program = session.get(Program, cohort.program_id)
    previous = {
        "previous_starts_at": meeting.starts_at.isoformat(),
        "previous_sequence": meeting.calendar_sequence,
    }
    shift = starts_at - meeting.starts_at
    meeting.starts_at, meeting.calendar_sequence = starts_at, meeting.calendar_sequence + 1
    session.add(meeting)
    try:
        keep_after_move(session, program, cohort, meeting, now=now)
    except ZoomPoolError as error:
        raise MeetingChangeError(str(error)) from None
    if meeting.number == 1:
        cohort.slot, cohort.version = _hour_of_week(starts_at), cohort.version + 1
        session.add(cohort)
    queue_zoom_update(session, meeting)
    if shift:
        forget_answers(session, meeting, now=now)
    move_messages(session, meeting.id, shift, kinds=moving_with_meeting(OnMove.FOLLOWS), now=now)
    move_deadlines(session, meeting.id, shift, kinds=moving_with_meeting(OnMove.DEADLINE_FOLLOWS))
    told = _tell_of_change(session, program, cohort, meeting, previous, now=now)
    record_event(
        session, "meeting.rescheduled", actor=actor, coordinator_id=coordinator_id, program_id=program.id,
        subject=("meeting", meeting.id), cohort_id=cohort.id, starts_at=starts_at.isoformat(), told=told,
        **previous,
    )  # fmt: skip


def check_movable(meeting: Meeting, starts_at: datetime, now: datetime) -> None:
    """Refuse a move that cannot be made, saying why."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingChangeError("This meeting was cancelled, so it cannot be moved.")
    if meeting.status == MeetingStatus.ENDED or meeting.ends_at <= now:
        raise MeetingChangeError("This meeting has already taken place, so it cannot be moved.")
    if under_way(meeting, now):
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
    for member in members_by_name(session, cohort):
        if member.email and not waiting_message(
            session, meeting, MessageKind.COHORT_INVITATION, participant_id=member.id
        ):
            told += _queue_change(
                session, program, meeting, previous, now=now, recipient=member.email, locale=member.locale,
                participant_id=member.id, key=f"participant-{member.id}", member=member,
            )  # fmt: skip
    host = session.get(Host, cohort.host_id) if cohort.host_id else None
    if (
        host is not None
        and host.active
        and not waiting_message(session, meeting, MessageKind.HOST_BRIEFING, host_id=host.id)
    ):
        told += _queue_change(
            session, program, meeting, previous, now=now, recipient=host.email, locale=program.default_locale,
            host_id=host.id, key=f"host-{host.id}",
        )  # fmt: skip
    return told


def _queue_change(
    session: Session,
    program: Program,
    meeting: Meeting,
    previous: dict,
    *,
    now: datetime,
    key: str,
    member: Participant | None = None,
    **to,
) -> int:
    """The change for one member (by text too, when they may be texted) or the host."""
    kind = MessageKind.MEETING_CHANGED
    unsent = waiting_message(
        session, meeting, kind, participant_id=to.get("participant_id"), host_id=to.get("host_id")
    )
    if unsent is not None:
        unsent.status = MessageStatus.CANCELLED
        session.add(unsent)
        cancel_text_of(session, unsent)
        previous = {name: unsent.context[name] for name in previous}
        if datetime.fromisoformat(previous["previous_starts_at"]) == meeting.starts_at:
            return 0  # moved back before they heard of the move: their calendar is right as it is
    email = meeting_message_row(
        kind, program, meeting, now=now, context=previous,
        dedupe_key=f"{kind}:meeting-{meeting.id}:{key}:seq-{meeting.calendar_sequence}", **to,
    )  # fmt: skip
    queue_messages(session, [email] if member is None else with_texts([email], program, member))
    return 1
