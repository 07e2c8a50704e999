"""What the console's "Meetings and messages" pages show: every meeting of a program with its state at Zoom
and its emails and texts counted by status, and one meeting with each of its Zoom calls and messages.

People are named by display name only, never by address.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.messages.kinds import Channel
from app.models import (
    Cohort,
    Host,
    Meeting,
    OutboundMessage,
    Participant,
    Program,
    ZoomOperation,
    ZoomOperationStatus,
)
from app.services.keyset import Page, read_page
from app.services.meeting_states import (
    STATES,
    describe_call,
    is_changeable,
    recipient_words,
    state_expression,
    zoom_state,
)
from app.services.zoom_operations import WAITING


@dataclass
class MeetingRow:
    """One meeting on the status page: its Zoom state in words, and its emails and its texts counted by
    status."""

    meeting: Meeting
    state: str
    state_words: str
    failed: list[ZoomOperation] = field(default_factory=list)
    messages: Counter[str] = field(default_factory=Counter)
    texts: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class MeetingsPage:
    rows: list[MeetingRow]
    page: Page


@dataclass(frozen=True)
class MeetingDetail:
    """One meeting's page: its state at Zoom, its calls (each in words) and its messages (each with whom
    it is for), and whether it can still be moved or cancelled."""

    state: str
    state_words: str
    calls: list[tuple[ZoomOperation, str]]
    messages: list[tuple[OutboundMessage, str]]
    changeable: bool


def page_meetings(
    session: Session,
    program: Program,
    *,
    now: datetime,
    past: bool = False,
    state: str | None = None,
    after: str | None = None,
    before: str | None = None,
) -> MeetingsPage:
    """One page of the program's meetings to come (soonest first) or past (latest first), in `state` if
    given; a fixed number of queries however many meetings there are. A meeting is past once the program's
    meeting length has gone by since it started."""
    over = Meeting.starts_at <= now - timedelta(minutes=program.meeting_minutes)
    query = (
        select(Meeting)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program.id, over if past else ~over)
    )
    if state in STATES:
        query = query.where(state_expression(now) == state)
    page = read_page(
        session, query, Meeting.starts_at, Meeting.id, after=after, before=before, descending=past
    )
    meetings = [row[0] for row in page.rows]
    ids = [meeting.id for meeting in meetings]
    operations: dict[int, list[ZoomOperation]] = defaultdict(list)
    for operation in session.exec(
        select(ZoomOperation)
        .where(ZoomOperation.meeting_id.in_(ids))
        .where(ZoomOperation.status.in_((*WAITING, ZoomOperationStatus.FAILED)))
        .order_by(ZoomOperation.id)
    ):
        operations[operation.meeting_id].append(operation)
    counts: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    for meeting_id, channel, status, count in session.exec(
        select(
            OutboundMessage.meeting_id, OutboundMessage.channel, OutboundMessage.status,
            func.count(OutboundMessage.id),
        )
        .where(OutboundMessage.meeting_id.in_(ids))
        .group_by(OutboundMessage.meeting_id, OutboundMessage.channel, OutboundMessage.status)
    ):  # fmt: skip
        counts[meeting_id, channel][status] = count
    rows = []
    for meeting in meetings:
        state_key, words = zoom_state(meeting, operations[meeting.id], now)
        failed = [op for op in operations[meeting.id] if op.status == ZoomOperationStatus.FAILED]
        emails, texts = counts[meeting.id, Channel.EMAIL], counts[meeting.id, Channel.SMS]
        rows.append(MeetingRow(meeting, state_key, words, failed, emails, texts))
    return MeetingsPage(rows, page)


def describe_meeting(session: Session, meeting: Meeting, *, now: datetime) -> MeetingDetail:
    calls = _calls(session, meeting)
    state, state_words = zoom_state(meeting, [operation for operation, _ in calls], now)
    return MeetingDetail(
        state=state,
        state_words=state_words,
        calls=[(operation, describe_call(operation, member)) for operation, member in calls],
        messages=_messages(session, meeting),
        changeable=is_changeable(meeting, now),
    )


def name_call(session: Session, operation: ZoomOperation) -> str:
    """A Zoom call in words, naming the member it is for ("Register Ana")."""
    member = session.get(Participant, operation.participant_id) if operation.participant_id else None
    return describe_call(operation, member.display_name if member else None)


def name_recipient(session: Session, message: OutboundMessage) -> str:
    """Whom the message is for, by display name."""
    member = session.get(Participant, message.participant_id) if message.participant_id else None
    host = session.get(Host, message.host_id) if message.host_id else None
    return recipient_words(member.display_name if member else None, host.display_name if host else None)


def _calls(session: Session, meeting: Meeting) -> list[tuple[ZoomOperation, str | None]]:
    """The meeting's Zoom calls, each with the display name of the member it registers."""
    return list(
        session.exec(
            select(ZoomOperation, Participant.display_name)
            .join(Participant, Participant.id == ZoomOperation.participant_id, isouter=True)
            .where(ZoomOperation.meeting_id == meeting.id)
            .order_by(ZoomOperation.id)
        )
    )


def _messages(session: Session, meeting: Meeting) -> list[tuple[OutboundMessage, str]]:
    """The meeting's messages, each with its recipient's display name (never the address)."""
    host = aliased(Host)
    rows = session.exec(
        select(OutboundMessage, Participant.display_name, host.display_name)
        .join(Participant, Participant.id == OutboundMessage.participant_id, isouter=True)
        .join(host, host.id == OutboundMessage.host_id, isouter=True)
        .where(OutboundMessage.meeting_id == meeting.id)
        .order_by(OutboundMessage.send_at, OutboundMessage.id)
    )
    return [(message, recipient_words(member, host_name)) for message, member, host_name in rows]
