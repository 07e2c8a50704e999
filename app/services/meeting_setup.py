"""Setting up a meeting of a cohort: the meeting itself, and the rows queued for it: its Zoom calls, each
member's messages and the host's briefing; and the messages that follow a member joining or leaving it.

All of it is written in the caller's transaction; the worker carries the Zoom calls and messages out.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.bulk import in_batches
from app.messages.kinds import MEMBER_SCHEDULE, MessageKind
from app.messages.queue import cancel_messages, meeting_message_row, queue_messages, with_texts
from app.models import (
    Cohort,
    CohortMember,
    Host,
    Meeting,
    MessageStatus,
    OutboundMessage,
    Participant,
    Program,
    ZoomOperationKind,
)
from app.services.zoom_operations import queue_zoom_operations, zoom_operation_row
from app.services.zoom_placement import place_meeting


@dataclass
class Queued:
    """The messages and Zoom calls of meetings being set up, to be written together: approving thousands of
    cohorts at once then costs one insert of each kind of row, not one per meeting."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    zoom_calls: list[dict[str, Any]] = field(default_factory=list)

    def write(self, session: Session) -> None:
        queue_zoom_operations(session, self.zoom_calls)
        queue_messages(session, self.messages)


def cohort_members(session: Session, cohort: Cohort) -> list[Participant]:
    """The cohort's members as it is now."""
    return members_of_cohorts(session, [cohort.id]).get(cohort.id, [])


def member_counts(session: Session, ids: list[int]) -> Counter[int]:
    """How many members each of these cohorts has now, by id, counted in the database a batch at a time."""
    counts: Counter[int] = Counter()
    for batch in in_batches(ids):
        counts.update(
            dict(
                session.exec(
                    select(CohortMember.cohort_id, func.count())
                    .where(CohortMember.cohort_id.in_(batch))
                    .group_by(CohortMember.cohort_id)
                ).all()
            )
        )
    return counts


def members_of_cohorts(session: Session, ids: list[int]) -> dict[int, list[Participant]]:
    """Each of these cohorts' members as it is now, by id, in one read (a few for thousands of cohorts)."""
    members: dict[int, list[Participant]] = defaultdict(list)
    for batch in in_batches(ids):
        rows = session.exec(
            select(CohortMember.cohort_id, Participant)
            .join(CohortMember, CohortMember.participant_id == Participant.id)
            .where(CohortMember.cohort_id.in_(batch))
            .order_by(CohortMember.cohort_id, Participant.id)
        )
        for cohort_id, member in rows:
            members[cohort_id].append(member)
    return members


def meeting_row(program: Program, cohort: Cohort, *, number: int, starts_at: datetime) -> dict[str, Any]:
    """A new meeting of the cohort, with a calendar UID of its own, as a row to insert."""
    return {
        "cohort_id": cohort.id,
        "number": number,
        "starts_at": starts_at,
        "duration_minutes": program.meeting_minutes,
        "calendar_uid": f"{uuid.uuid4()}@peer-meetups",
    }


def set_up_meeting(
    session: Session,
    program: Program,
    cohort: Cohort,
    members: list[Participant],
    *,
    number: int,
    starts_at: datetime,
    invite_at: datetime,
) -> Meeting:
    """A new meeting of the cohort (a later meet-up), on a free Zoom user, and all it needs queued (see
    `queue_meeting_rows`). Invitations and the briefing go out at `invite_at` (now, or later for a
    series)."""
    meeting = Meeting(**meeting_row(program, cohort, number=number, starts_at=starts_at))
    session.add(meeting)
    session.flush()
    place_meeting(session, program, cohort, meeting, now=invite_at)
    host = session.get(Host, cohort.host_id) if cohort.host_id else None
    queued = Queued()
    queue_meeting_rows(queued, program, meeting, members, host, now=invite_at)
    queued.write(session)
    return meeting


def queue_meeting_rows(
    queued: Queued,
    program: Program,
    meeting: Meeting,
    members: list[Participant],
    host: Host | None,
    *,
    now: datetime,
) -> None:
    """Add to `queued` all a new meeting needs: its Zoom meeting and each member's registration, each
    member's messages and the host's briefing, sent from `now`."""
    queued.zoom_calls.append(zoom_operation_row(meeting, ZoomOperationKind.CREATE))
    for member in members:
        queued.zoom_calls.append(
            zoom_operation_row(meeting, ZoomOperationKind.REGISTER, participant_id=member.id)
        )
        queued.messages += member_message_rows(program, meeting, member, now=now)
    if host is not None and host.active:
        queued.messages += host_message_rows(program, meeting, host, now=now)


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
