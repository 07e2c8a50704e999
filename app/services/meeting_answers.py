"""A member's "I'll be there" or "I can't come this time" for one meeting.

Not coming keeps the place in the group for its later meet-ups; the host hears of each answer that changes
who comes, and a place freed more than a day ahead is offered to people waiting (`seat_offers`). An answer
can be changed until the meeting starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from app.messages.kinds import MessageKind
from app.messages.queue import queue_meeting_message
from app.models import (
    Answer,
    Cohort,
    CohortMember,
    Host,
    Meeting,
    MeetingAnswer,
    MeetingStatus,
    Participant,
    Program,
)
from app.services.audit import record_event
from app.services.seat_offers import close_offers_if_filled, offer_freed_place

# A place freed sooner than this before the meeting is not offered: a newcomer needs time to get ready.
OFFER_NOTICE = timedelta(days=1)


class AnswerError(ValueError):
    """The answer cannot be taken; `why` names the case for the page that says so in the person's language."""

    def __init__(self, why: str, message: str):
        super().__init__(message)
        self.why = why


@dataclass(frozen=True)
class MemberAnswer:
    """One member's answer for a meeting, as the host and the coordinator see it (None: no answer yet)."""

    participant_id: int
    display_name: str
    answer: Answer | None


def answer_of(session: Session, meeting_id: int, participant_id: int) -> Answer | None:
    row = answer_row(session, meeting_id, participant_id)
    return Answer(row.answer) if row else None


def member_answers(session: Session, meeting: Meeting) -> list[MemberAnswer]:
    """Each member of the meeting's group with their answer, by display name."""
    rows = session.exec(
        select(Participant.id, Participant.display_name, MeetingAnswer.answer)
        .join(CohortMember, CohortMember.participant_id == Participant.id)
        .join(
            MeetingAnswer,
            (MeetingAnswer.participant_id == Participant.id) & (MeetingAnswer.meeting_id == meeting.id),
            isouter=True,
        )
        .where(CohortMember.cohort_id == meeting.cohort_id)
        .order_by(Participant.display_name, Participant.id)
    ).all()
    return [MemberAnswer(pid, name, Answer(answer) if answer else None) for pid, name, answer in rows]


def record_answer(
    session: Session, meeting: Meeting, participant: Participant, answer: Answer, *, now: datetime
) -> bool:
    """Take the member's answer; returns whether it changed anything. The host is told of a change, and
    a place freed early enough is offered to someone waiting."""
    _check_open(session, meeting, participant, now)
    row = answer_row(session, meeting.id, participant.id)
    if row is not None and row.answer == answer:
        return False
    if row is None:
        row = MeetingAnswer(meeting_id=meeting.id, participant_id=participant.id, answer=answer)
    else:
        row.answer, row.changes = answer, row.changes + 1
    row.answered_at = now
    session.add(row)
    session.flush()
    program = session.get(Program, participant.program_id)
    if row.changes or answer == Answer.NOT_COMING:  # a first "I'll be there" changes nothing for the host
        _tell_host(session, program, meeting, participant, row, now=now)
    if answer == Answer.NOT_COMING and meeting.starts_at - now > OFFER_NOTICE:
        offer_freed_place(session, program, meeting, now=now)
    else:
        close_offers_if_filled(session, meeting, now=now)
    record_event(
        session, "participant_answered", actor="participant", program_id=program.id,
        subject=("participant", participant.id), meeting_id=meeting.id, answer=str(answer),
    )  # fmt: skip
    return True


def forget_answers(session: Session, meeting: Meeting, *, now: datetime) -> None:
    """The meeting moved: answers given for its old time no longer stand (the new details ask again), and
    places they freed that nobody took close."""
    session.exec(delete(MeetingAnswer).where(MeetingAnswer.meeting_id == meeting.id))
    close_offers_if_filled(session, meeting, now=now)


def _check_open(session: Session, meeting: Meeting, participant: Participant, now: datetime) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise AnswerError("cancelled", "This meeting was cancelled, so there is nothing to answer.")
    if meeting.starts_at <= now:
        raise AnswerError("started", "This meeting has already started, so the answer can no longer change.")
    member = select(CohortMember.id).where(
        CohortMember.cohort_id == meeting.cohort_id, CohortMember.participant_id == participant.id
    )
    if session.exec(member).first() is None:
        raise AnswerError("left", "You are no longer in this group, so there is nothing to answer.")


def _tell_host(
    session: Session, program: Program, meeting: Meeting, participant: Participant, row: MeetingAnswer, *, now
) -> None:
    cohort = session.get(Cohort, meeting.cohort_id)
    host = session.get(Host, cohort.host_id) if cohort.host_id else None
    if host is None or not host.active or not host.email:
        return
    queue_meeting_message(
        session, MessageKind.MEMBER_ANSWER, program, meeting, now=now, recipient=host.email,
        dedupe_key=f"answer-{meeting.id}-{participant.id}-{row.changes}", locale=program.default_locale,
        host_id=host.id, context={"participant": participant.id, "changes": row.changes},
    )  # fmt: skip


def answer_row(session: Session, meeting_id: int, participant_id: int) -> MeetingAnswer | None:
    return session.exec(
        select(MeetingAnswer).where(
            MeetingAnswer.meeting_id == meeting_id, MeetingAnswer.participant_id == participant_id
        )
    ).first()
