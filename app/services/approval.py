"""Approving a cohort: its meeting, the Zoom calls that set it up, and every message on its schedule.

All of it is written in the caller's transaction; the worker carries the Zoom calls and messages out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from app.messages.kinds import MEMBER_SCHEDULE, MessageKind
from app.messages.queue import cancel_messages, meeting_message_row, queue_messages, with_texts
from app.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    Host,
    Meeting,
    MessageStatus,
    OutboundMessage,
    Participant,
    Program,
    ZoomOperationKind,
)
from app.reading_zone import written
from app.services.audit import record_event
from app.services.hostless_meetings import tell_coordinators_to_open
from app.services.locks import hold
from app.services.scheduling import slot_start
from app.services.waiting import tell_waiting
from app.services.zoom_operations import queue_zoom_operations, zoom_operation_row
from app.services.zoom_placement import place_meeting
from app.services.zoom_pool import ZoomPoolError


class ApprovalError(ValueError):
    """The cohort cannot be approved as it is; the message says why."""


def approve_cohort(
    session: Session,
    cohort: Cohort,
    *,
    actor: str,
    coordinator_id: int | None = None,
    now: datetime,
    into: Queued | None = None,
) -> Meeting:
    """Approve one proposed cohort: its first meeting, set up (see `set_up_meeting`, and `into` there)."""
    hold(session, cohort)  # of two coordinators approving at once, the second sees the first's approval
    if cohort.status != CohortStatus.PROPOSED:
        raise ApprovalError(f"Group {cohort.id} is {cohort.status}, so it cannot be approved.")
    program = session.get(Program, cohort.program_id)
    members = cohort_members(session, cohort)
    if not members:
        raise ApprovalError(f"Group {cohort.id} has no members.")
    starts_at = slot_start(program, cohort.slot, now.date())
    if starts_at <= now:
        raise ApprovalError(f"Group {cohort.id}'s meeting time, {written(starts_at)}, has passed.")
    cohort.status, cohort.approved_at, cohort.version = CohortStatus.APPROVED, now, cohort.version + 1
    session.add(cohort)
    try:
        meeting = set_up_meeting(
            session, program, cohort, members, number=1, starts_at=starts_at, invite_at=now, into=into
        )
    except ZoomPoolError as error:
        raise ApprovalError(f"Group {cohort.id} cannot meet then: {error}") from None
    record_event(
        session, "cohort.approved", actor=actor, coordinator_id=coordinator_id, program_id=program.id,
        subject=("cohort", cohort.id), meeting_id=meeting.id, members=len(members),
    )  # fmt: skip
    return meeting


@dataclass(frozen=True)
class Approvals:
    approved: list[Meeting]
    refused: list[str]  # why each cohort that could not be approved was not


@dataclass
class Queued:
    """The messages and Zoom calls of meetings being set up, to be written together: approving thousands of
    cohorts at once then costs one insert of each kind of row, not one per meeting."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    zoom_calls: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: Queued) -> None:
        self.messages += other.messages
        self.zoom_calls += other.zoom_calls

    def write(self, session: Session) -> None:
        queue_zoom_operations(session, self.zoom_calls)
        queue_messages(session, self.messages)


def approve_each_cohort(
    session: Session, cohorts: list[Cohort], *, actor: str, coordinator_id: int | None = None, now: datetime
) -> Approvals:
    """Approve every cohort that can be, in the order their meetings come; one that cannot is left as it was
    (its savepoint rolled back, and its messages never written) and the others are approved all the same.
    Then those the match left waiting are told."""
    approved, refused, queued = [], [], Queued()
    for cohort in in_meeting_order(session, cohorts, now):
        cohort_queued = Queued()
        try:
            with session.begin_nested():
                meeting = approve_cohort(
                    session, cohort, actor=actor, coordinator_id=coordinator_id, now=now, into=cohort_queued
                )
        except ApprovalError as error:
            refused.append(str(error))
        else:
            approved.append(meeting)
            queued.extend(cohort_queued)
    queued.write(session)
    if approved:
        announce_approvals(session, session.get(Program, cohorts[0].program_id), approved, now=now)
    return Approvals(approved, refused)


def announce_approvals(session: Session, program: Program, approved: list[Meeting], *, now: datetime) -> None:
    """After groups are approved: tell those the match left waiting, and the coordinators which of the new
    meetings have no host for them to open."""
    tell_waiting(session, program, now=now)
    tell_coordinators_to_open(session, program, approved, now=now)


def in_meeting_order(session: Session, cohorts: list[Cohort], now: datetime) -> list[Cohort]:
    """The cohorts by when their first meetings start. Placed on the Zoom pool in this order, meetings fill
    each user's day from its start, and every meeting the matcher let meet (no hour holding more meetings
    than the pool runs at once) finds a user free; in another order gaps can open that none fits."""
    programs = {cohort.program_id: session.get(Program, cohort.program_id) for cohort in cohorts}
    return sorted(cohorts, key=lambda c: (slot_start(programs[c.program_id], c.slot, now.date()), c.id))


def cohort_members(session: Session, cohort: Cohort) -> list[Participant]:
    """The cohort's members as it is now."""
    return list(
        session.exec(
            select(Participant)
            .join(CohortMember, CohortMember.participant_id == Participant.id)
            .where(CohortMember.cohort_id == cohort.id)
            .order_by(Participant.id)
        ).all()
    )


def set_up_meeting(
    session: Session,
    program: Program,
    cohort: Cohort,
    members: list[Participant],
    *,
    number: int,
    starts_at: datetime,
    invite_at: datetime,
    into: Queued | None = None,
) -> Meeting:
    """A new meeting of the cohort (the first meet-up or a later one) with a calendar UID of its own, and
    all it needs queued: its Zoom meeting and each member's registration, each member's messages and the
    host's briefing. Invitations and the briefing go out at `invite_at` (now, or later for a series).

    Given `into`, the messages and Zoom calls are added to it for the caller to write (in this
    transaction); otherwise they are written here."""
    meeting = Meeting(
        cohort_id=cohort.id,
        number=number,
        starts_at=starts_at,
        duration_minutes=program.meeting_minutes,
        calendar_uid=f"{uuid.uuid4()}@peer-meetups",
    )
    session.add(meeting)
    session.flush()
    place_meeting(session, program, cohort, meeting, now=invite_at)
    queued = Queued() if into is None else into
    queued.zoom_calls.append(zoom_operation_row(meeting, ZoomOperationKind.CREATE))
    for member in members:
        queued.zoom_calls.append(
            zoom_operation_row(meeting, ZoomOperationKind.REGISTER, participant_id=member.id)
        )
        queued.messages += member_message_rows(program, meeting, member, now=invite_at)
    host = session.get(Host, cohort.host_id) if cohort.host_id else None
    if host is not None and host.active:
        queued.messages += host_message_rows(program, meeting, host, now=invite_at)
    if into is None:
        queued.write(session)
    return meeting


def queue_member_messages(
    session: Session,
    program: Program,
    meeting: Meeting,
    member: Participant,
    *,
    now: datetime,
    occasion: str = "",
) -> None:
    """Queue one member's messages about the meeting (see `member_message_rows`)."""
    queue_messages(session, member_message_rows(program, meeting, member, now=now, occasion=occasion))


def member_message_rows(
    program: Program, meeting: Meeting, member: Participant, *, now: datetime, occasion: str = ""
) -> list[dict[str, Any]]:
    """The invitation now; tips, reminder, survey and the survey's one reminder at the program's timings,
    never after they make sense; the reminder and the survey go by text too, to someone who may be texted.

    `occasion` tells a later joining (e.g. "cohort-v7") from the approval, so that someone who left the
    group and came back is invited again rather than matched to the messages cancelled when they left.
    """
    emails = [
        meeting_message_row(
            kind,
            program,
            meeting,
            now=now,
            recipient=member.email,
            locale=member.locale,
            participant_id=member.id,
            dedupe_key=_key(f"{kind}:meeting-{meeting.id}:participant-{member.id}", occasion),
        )
        for kind in MEMBER_SCHEDULE
    ]
    return with_texts(emails, program, member)


def queue_host_briefing(
    session: Session, program: Program, meeting: Meeting, host: Host, *, now: datetime, occasion: str = ""
) -> None:
    """The host's briefing on their group and their debrief after it; `occasion` as for
    `member_message_rows`."""
    queue_messages(session, host_message_rows(program, meeting, host, now=now, occasion=occasion))


def host_message_rows(
    program: Program, meeting: Meeting, host: Host, *, now: datetime, occasion: str = ""
) -> list[dict[str, Any]]:
    """The briefing now, and the two-minute debrief once the meeting has ended."""
    return [
        meeting_message_row(
            kind, program, meeting, now=now, recipient=host.email, locale=program.default_locale,
            host_id=host.id, dedupe_key=_key(f"{kind}:meeting-{meeting.id}:host-{host.id}", occasion),
        )
        for kind in (MessageKind.HOST_BRIEFING, MessageKind.HOST_DEBRIEF)
    ]  # fmt: skip


def queue_member_cancellation(
    session: Session,
    program: Program,
    meeting: Meeting,
    member: Participant,
    *,
    now: datetime,
    occasion: str = "",
) -> None:
    """Tell one member their place in this meeting is gone (a calendar CANCEL), and drop what was still
    to come for it, by text too when they may be texted. Nothing is sent when they were never invited.
    `occasion`: see `member_message_rows`."""
    invited = session.exec(
        select(OutboundMessage.id).where(
            OutboundMessage.meeting_id == meeting.id,
            OutboundMessage.participant_id == member.id,
            OutboundMessage.kind == MessageKind.COHORT_INVITATION,
            OutboundMessage.status == MessageStatus.SENT,
        )
    ).first()
    cancel_messages(session, meeting_id=meeting.id, participant_id=member.id)
    if invited is None or not member.email:
        return
    kind = MessageKind.MEETING_CANCELLED
    email = meeting_message_row(
        kind, program, meeting, now=now, recipient=member.email, locale=member.locale,
        participant_id=member.id,
        dedupe_key=_key(
            f"{kind}:meeting-{meeting.id}:participant-{member.id}:seq-{meeting.calendar_sequence}", occasion
        ),
    )  # fmt: skip
    queue_messages(session, with_texts([email], program, member))


def _key(base: str, occasion: str) -> str:
    return f"{base}:{occasion}" if occasion else base
