"""Concerns raised privately by a host or a member, and the coordinators' queue of them.

Whoever raises a concern is known to the program's coordinators only: no page a member sees shows it. The
coordinators are emailed at once that a concern came in; the email never carries its words (`concern_raised`
links to the queue, behind the console's sign-in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.inputs.concerns import ConcernChange, ConcernInput
from app.messages.kinds import MessageKind
from app.messages.queue import queue_messages
from app.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    Concern,
    ConcernStatus,
    Host,
    Meeting,
    Participant,
    Program,
    Reporter,
)
from app.services.audit import record_event
from app.services.coordinator_alerts import coordinator_alert_rows
from app.services.keyset import Page, read_page
from app.services.my_meetup import current_cohort


class ConcernScope(NamedTuple):
    """The meeting a concern is about, and the members it may name (id, display name)."""

    meeting_id: int | None
    members: list[tuple[int, str]]


@dataclass(frozen=True)
class QueuedConcern:
    """One concern as the coordinators' queue shows it."""

    concern: Concern
    raised_by: str  # the host's or member's display name: coordinators only
    about: str | None
    meeting_starts_at: datetime | None
    cohort_id: int | None


def raise_concern(
    session: Session,
    program: Program,
    concern: ConcernInput,
    *,
    reporter: Reporter,
    by_id: int,
    meeting_id: int | None,
    now: datetime,
) -> Concern:
    """Record a concern from the host or member `by_id`; email the program's coordinators that it came in."""
    row = Concern(
        program_id=program.id, meeting_id=meeting_id, reporter=reporter, body=concern.body,
        about_id=concern.about_id, raised_at=now,
        host_id=by_id if reporter == Reporter.HOST else None,
        participant_id=by_id if reporter == Reporter.MEMBER else None,
    )  # fmt: skip
    session.add(row)
    session.flush()
    record_event(
        session, "concern.raised", actor=reporter.value, program_id=program.id, subject=("concern", row.id)
    )
    queue_messages(
        session,
        coordinator_alert_rows(
            session, program, MessageKind.CONCERN_RAISED, about=f"concern-{row.id}",
            context={"concern": row.id}, now=now,
        ),
    )  # fmt: skip
    return row


def change_concern(
    session: Session, concern: Concern, change: ConcernChange, *, by: str, now: datetime
) -> Concern:
    """A coordinator moves the concern on (new → acknowledged → resolved, or back) and notes why."""
    concern.history = [
        *concern.history,
        {"at": now.isoformat(), "by": by, "status": change.status.value, "note": change.note},
    ]
    concern.status, concern.changed_at = change.status, now
    session.add(concern)
    session.flush()
    return concern


def count_new_concerns(session: Session, program_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(Concern)
        .where(Concern.program_id == program_id, Concern.status == ConcernStatus.NEW)
    ).one()


def page_concerns(
    session: Session,
    program: Program,
    *,
    status: ConcernStatus | None = None,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """One page of the program's concerns (those in `status`, if given), newest first, as `QueuedConcern`s;
    `after` and `before` as `app.services.keyset.read_page` takes them."""
    about = aliased(Participant)
    query = (
        select(Concern, Host.display_name, Participant.display_name, about.display_name, Meeting)
        .outerjoin(Host, Host.id == Concern.host_id)
        .outerjoin(Participant, Participant.id == Concern.participant_id)
        .outerjoin(about, about.id == Concern.about_id)
        .outerjoin(Meeting, Meeting.id == Concern.meeting_id)
        .where(Concern.program_id == program.id)
    )
    if status is not None:
        query = query.where(Concern.status == status)
    page = read_page(
        session, query, Concern.raised_at, Concern.id, after=after, before=before, descending=True
    )
    rows = [
        QueuedConcern(
            concern, host_name or member_name or "someone since erased", about_name,
            meeting.starts_at if meeting else None, meeting.cohort_id if meeting else None,
        )
        for concern, host_name, member_name, about_name, meeting, *_keys in page.rows
    ]  # fmt: skip
    return Page(rows, page.after, page.before)


def count_by_status(session: Session, program_id: int) -> dict[str, int]:
    """How many of the program's concerns are in each state (a state with none is left out)."""
    counted = session.exec(
        select(Concern.status, func.count()).where(Concern.program_id == program_id).group_by(Concern.status)
    ).all()
    return dict(counted)


def group_members(session: Session, cohort_id: int, *, besides: int | None = None) -> list[tuple[int, str]]:
    """The members of a group a concern may be about, by display name (never more), `besides` left out."""
    query = (
        select(Participant.id, Participant.display_name)
        .join(CohortMember, CohortMember.participant_id == Participant.id)
        .where(CohortMember.cohort_id == cohort_id)
        .order_by(Participant.display_name)
    )
    if besides is not None:
        query = query.where(Participant.id != besides)
    return [(member_id, name) for member_id, name in session.exec(query).all()]


def member_scope(session: Session, participant: Participant, *, now: datetime) -> ConcernScope:
    """What a member's concern from their own page refers to: their group's latest meeting so far (none
    before the first), and the others in their group."""
    cohort = current_cohort(session, participant)
    if cohort is None:
        return ConcernScope(None, [])
    latest = session.exec(
        select(Meeting.id)
        .where(Meeting.cohort_id == cohort.id, Meeting.starts_at <= now)
        .order_by(Meeting.starts_at.desc())
    ).first()
    return ConcernScope(latest, group_members(session, cohort.id, besides=participant.id))


def survey_scope(session: Session, meeting: Meeting, participant: Participant) -> ConcernScope:
    """What a concern from the survey refers to: the meeting surveyed, and the others in its group."""
    return ConcernScope(meeting.id, group_members(session, meeting.cohort_id, besides=participant.id))


def hosted_members(session: Session, host: Host) -> list[tuple[int, str]]:
    """The members of the approved groups the host leads, by display name, that a host's concern may name."""
    query = (
        select(Participant.id, Participant.display_name)
        .join(CohortMember, CohortMember.participant_id == Participant.id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(Cohort.host_id == host.id, Cohort.status == CohortStatus.APPROVED)
        .order_by(Participant.display_name)
    )
    return [(member_id, name) for member_id, name in session.exec(query).all()]
