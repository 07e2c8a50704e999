"""Each meeting's figures for its program's report, counted as they are written: how many were registered in
Zoom, how many of those joined, and how many survey emails went to people asked (not "sorry we missed you").

Counted one by one, a finished program of 100,000 registrants matched every registration to its attendance
and every survey email to its meeting and its recipient's attendance: over half a second for the report.
Here each meeting keeps its three figures, and the report adds up those of the program's meetings.

A meeting's figures are counted afresh, from its rows, whenever a flush of an ORM session changes any row
they are made of: a registration, a stretch of attendance, a survey email (or "sorry we missed you"), or
when the meeting started (`_note_meetings` before the flush, `_recount_noted` after it, in the same
transaction). Counting afresh rather than adding steps keeps the figures right whatever the order in which
changes arrive (Zoom's events come in any order). The meetings are locked first, in order, so two
transactions changing one meeting count one after the other, the second seeing what the first wrote.
A statement that writes these rows without the session (erasure's) calls `recount_meetings` itself; a test
holds the app to that.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, event, func, inspect, or_, select, update
from sqlalchemy.orm import Session, aliased

from app.bulk import in_batches
from app.messages.kinds import Channel, MessageKind
from app.models.edits import edited
from app.models.meeting import ERASED_REGISTRANT_KEY, Attendance, Meeting, MeetingRegistrant
from app.models.outbox import MessageStatus, OutboundMessage

_NOTED = "meeting tally changes"  # in `Session.info`, from before a flush to after it
# A survey row is counted, or stops being counted, as its kind changes between these.
SURVEY_KINDS = frozenset({MessageKind.SURVEY, MessageKind.MISSED_YOU})
# A meeting's attributes its figures depend on: whether it started decides "sorry we missed you".
_MEETING_ATTRIBUTES = ("started_at",)


def went_as_missed_you() -> ColumnElement[bool]:
    """Whether a survey row went (or would go) as "sorry we missed you": Zoom told us its meeting was held
    (it started, or someone joined), and its recipient never joined. For statements on `OutboundMessage`."""
    held_meeting = aliased(Meeting)
    started = select(held_meeting.id).where(
        held_meeting.id == OutboundMessage.meeting_id, held_meeting.started_at.is_not(None)
    )
    attended = select(Attendance.id).where(Attendance.meeting_id == OutboundMessage.meeting_id)
    joined = attended.where(Attendance.participant_id == OutboundMessage.participant_id)
    return and_(or_(started.exists(), attended.exists()), ~joined.exists())


def survey_sent() -> ColumnElement[bool]:
    """Whether an outbox row is a survey email sent about a meeting to someone it asked: those that went as
    "sorry we missed you" are left out. An erased person's row no longer tells whom it went to, so erasure
    gave those that went as "sorry we missed you" a kind of their own (`app.services.erasure`)."""
    return and_(
        OutboundMessage.kind == MessageKind.SURVEY,
        OutboundMessage.channel == Channel.EMAIL,
        OutboundMessage.status == MessageStatus.SENT,
        OutboundMessage.meeting_id.is_not(None),
        or_(OutboundMessage.participant_id.is_(None), ~went_as_missed_you()),
    )


def _figures() -> dict[str, Any]:
    """The three figures of the meeting an UPDATE of `meeting` is at. An erased registrant who joined
    counts as registered and present under no name: erasure removed their registration and keyed their
    attendance anonymously."""
    meeting = Meeting.__table__
    registrations = select(func.count()).where(MeetingRegistrant.meeting_id == meeting.c.id)
    joined = select(Attendance.id).where(
        Attendance.meeting_id == MeetingRegistrant.meeting_id,
        Attendance.participant_id == MeetingRegistrant.participant_id,
    )
    key = Attendance.zoom_participant_key
    erased = select(func.count(func.distinct(key))).where(
        Attendance.meeting_id == meeting.c.id, key.startswith(ERASED_REGISTRANT_KEY)
    )
    surveys = select(func.count()).where(OutboundMessage.meeting_id == meeting.c.id, survey_sent())
    anonymous = erased.scalar_subquery()
    return {
        "zoom_registered": registrations.scalar_subquery() + anonymous,
        "zoom_attended": registrations.where(joined.exists()).scalar_subquery() + anonymous,
        "surveys_sent": surveys.scalar_subquery(),
    }


def recount_meetings(connection: Connection, meeting_ids: Iterable[int]) -> None:
    """Count these meetings' figures afresh from their rows (see the module docstring)."""
    meeting = Meeting.__table__
    for batch in in_batches(sorted(set(meeting_ids))):
        connection.execute(
            select(meeting.c.id).where(meeting.c.id.in_(batch)).order_by(meeting.c.id).with_for_update()
        )
        connection.execute(update(meeting).where(meeting.c.id.in_(batch)).values(**_figures()))


@event.listens_for(Session, "before_flush")
def _note_meetings(session: Session, _context: Any, _instances: Any) -> None:
    """The meetings whose figures the flush about to run may change, as they are before it and after."""
    noted: set[int] = session.info.setdefault(_NOTED, set())
    for row in (*session.new, *session.dirty, *session.deleted):
        if _counted_in(row):
            noted.update(_values(row, "meeting_id"))
        elif isinstance(row, Meeting) and row.id is not None and edited(row, _MEETING_ATTRIBUTES):
            noted.add(row.id)
    noted.discard(None)


@event.listens_for(Session, "after_flush")
def _recount_noted(session: Session, _context: Any) -> None:
    noted = session.info.pop(_NOTED, None)
    if noted:
        recount_meetings(session.connection(), noted)


def _counted_in(row: Any) -> bool:
    """Whether `row` is one a meeting's figures are made of: a survey email is, also as its kind changes."""
    if isinstance(row, OutboundMessage):
        return bool(SURVEY_KINDS & set(_values(row, "kind")))
    return isinstance(row, Attendance | MeetingRegistrant)


def _values(row: Any, name: str) -> list[Any]:
    """The attribute `name` of `row` as it is now and, if the session changed it, as it was."""
    history = inspect(row).attrs[name].history
    return [getattr(row, name), *history.deleted]
