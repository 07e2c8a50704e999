"""What coordinators read of the texts people sent us: a program's, newest first and page by page, how many
no one has read yet, and marking them read. Texts from numbers no registrant has belong to no program:
admins read them on a page of their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, select

from app.models import CohortMember, Meeting, Participant, Program, TextReply
from app.services.keyset import Page, read_page

# What each meaning says to the coordinator.
MEANING_WORDS = {
    "stop": "Stop texts (texts to this number stopped)",
    "start": "Start texts again (texts to this number allowed again)",
    "help": "Asked who we are (answered)",
    "not_coming": "Can't come (recorded, and confirmed to them)",
    "other": "Anything else: for you to read",
}


@dataclass(frozen=True)
class ReceivedText:
    """One text as the console lists it; `cohort_id` is the sender's group (of the meeting it answered, else
    their latest), where their page in the console is."""

    id: int
    received_at: datetime
    body: str
    meaning: str
    seen_at: datetime | None
    seen_by: str | None
    from_number: str | None
    participant_id: int | None
    display_name: str | None
    cohort_id: int | None
    meeting_id: int | None
    meeting_starts_at: datetime | None

    @property
    def meaning_words(self) -> str:
        return MEANING_WORDS.get(self.meaning, self.meaning)


def page_program_texts(
    session: Session, program: Program, *, after: str | None = None, before: str | None = None
) -> Page:
    """One page of the texts the program's registrants sent, newest first, as ReceivedText rows."""
    return _page(session, TextReply.program_id == program.id, after, before)


def page_unknown_texts(session: Session, *, after: str | None = None, before: str | None = None) -> Page:
    """One page of the texts from numbers no registrant had when they came, newest first."""
    return _page(session, TextReply.program_id.is_(None), after, before)


def count_unread_texts(session: Session, program_id: int) -> int:
    """How many of the program's texts no coordinator has marked read."""
    return session.exec(
        select(func.count())
        .select_from(TextReply)
        .where(TextReply.program_id == program_id, TextReply.seen_at.is_(None))
    ).one()


def mark_text_read(session: Session, reply: TextReply, *, by: str, now: datetime) -> bool:
    """Mark the text read by `by`; whether it was unread (two coordinators at once: the first counts)."""
    marked = session.exec(
        update(TextReply)
        .where(TextReply.id == reply.id, TextReply.seen_at.is_(None))
        .values(seen_at=now, seen_by=by)
    )
    return marked.rowcount == 1


def _page(session: Session, scope, after: str | None, before: str | None) -> Page:
    latest_group = (
        select(func.max(CohortMember.cohort_id))
        .where(CohortMember.participant_id == TextReply.participant_id)
        .scalar_subquery()
    )
    query = (
        select(
            TextReply.id,
            TextReply.received_at,
            TextReply.body,
            TextReply.meaning,
            TextReply.seen_at,
            TextReply.seen_by,
            TextReply.from_number,
            TextReply.participant_id,
            Participant.display_name,
            func.coalesce(Meeting.cohort_id, latest_group).label("cohort_id"),
            TextReply.meeting_id,
            Meeting.starts_at.label("meeting_starts_at"),
        )
        .outerjoin(Participant, Participant.id == TextReply.participant_id)
        .outerjoin(Meeting, Meeting.id == TextReply.meeting_id)
        .where(scope)
    )
    page = read_page(
        session, query, TextReply.received_at, TextReply.id, after=after, before=before, descending=True
    )
    fields = ReceivedText.__dataclass_fields__
    rows = [ReceivedText(**{name: row._mapping[name] for name in fields}) for row in page.rows]
    return Page(rows, page.after, page.before)
