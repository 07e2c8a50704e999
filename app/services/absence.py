"""Repeated absence is asked about, never punished silently.

A member whose last two meetings that were held both went by without them and without a word ("I can't come
this time" is a word) is asked whether they want to stay, pause or leave. Whoever has not answered within
`ANSWER_WITHIN` is paused, and told so with the way back.

`Participant.absence_asked_at` is when they were last asked: only meetings that started after it count
towards the next question, so the same absences are never asked about twice. `absence_answered_at` is when
they last answered; pausing or resuming of their own accord (`app.services.selfservice`) answers too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, case, exists, func, or_
from sqlmodel import Session, select

from app.database import utcnow
from app.messages.kinds import MessageKind
from app.messages.queue import queue_message
from app.models import (
    Answer,
    CohortMember,
    Meeting,
    MeetingAnswer,
    MeetingStatus,
    Participant,
    ParticipantStatus,
)
from app.services.audit import record_event
from app.services.marked_attendance import came_expression, held_expression
from app.services.selfservice import pause_participant, resume_participant, withdraw_participant

MISSED_IN_A_ROW = 2
ANSWER_WITHIN = timedelta(days=7)
# Meetings further back than this are not looked at: it bounds the work of each round.
LOOKBACK = timedelta(days=120)
# A meeting counts a day after it started: it is over, and Zoom has told us who joined.
SETTLED_AFTER = timedelta(days=1)
ANSWERED = "participant_answered_absence"


class Choice(StrEnum):
    STAY = "stay"
    PAUSE = "pause"
    LEAVE = "leave"


def ask_absent_members(session: Session, *, now: datetime) -> int:
    """Ask every member who missed their last two held meetings without notice; returns how many."""
    people = session.exec(
        select(Participant).where(Participant.id.in_(_missing_in_a_row(now))).order_by(Participant.id)
    ).all()
    for person in people:
        person.absence_asked_at = now
        session.add(person)
        record_event(
            session, "participant_asked_about_absence", actor="system", program_id=person.program_id,
            subject=("participant", person.id),
        )  # fmt: skip
        queue_message(
            session, kind=MessageKind.ABSENCE_CHECK, program_id=person.program_id, recipient=person.email,
            dedupe_key=f"absence-check:participant-{person.id}:{now:%Y-%m-%d}", send_at=now,
            locale=person.locale, participant_id=person.id,
        )  # fmt: skip
    return len(people)


def pause_unanswered(session: Session, *, now: datetime) -> int:
    """Pause every member asked more than `ANSWER_WITHIN` ago who has not answered, and tell them."""
    people = session.exec(
        select(Participant)
        .where(
            Participant.status == ParticipantStatus.VERIFIED,
            Participant.absence_asked_at <= now - ANSWER_WITHIN,
            or_(
                Participant.absence_answered_at.is_(None),
                Participant.absence_answered_at < Participant.absence_asked_at,
            ),
        )
        .order_by(Participant.id)
    ).all()
    for person in people:
        person.status, person.updated_at = ParticipantStatus.PAUSED, now
        session.add(person)
        record_event(
            session, "participant_paused_without_answer", actor="system", program_id=person.program_id,
            subject=("participant", person.id), asked_at=person.absence_asked_at.isoformat(),
        )  # fmt: skip
        queue_message(
            session, kind=MessageKind.ABSENCE_PAUSED, program_id=person.program_id, recipient=person.email,
            dedupe_key=f"absence-paused:participant-{person.id}:{person.absence_asked_at:%Y-%m-%d}",
            send_at=now, locale=person.locale, participant_id=person.id,
        )  # fmt: skip
    return len(people)


def answer_absence_check(session: Session, participant: Participant, choice: Choice) -> None:
    """Take the member's answer. Staying after we paused them for not answering resumes them."""
    if choice == Choice.STAY:
        if participant.status == ParticipantStatus.PAUSED:
            resume_participant(session, participant)
    elif choice == Choice.PAUSE:
        pause_participant(session, participant)
    else:
        withdraw_participant(session, participant)
    participant.absence_answered_at = utcnow()
    session.add(participant)
    record_event(
        session, ANSWERED, actor="participant", program_id=participant.program_id,
        subject=("participant", participant.id), choice=str(choice),
    )  # fmt: skip
    session.flush()


def answer_by(participant: Participant) -> datetime | None:
    """Until when the member's answer keeps them from being paused; None when they were never asked."""
    return participant.absence_asked_at + ANSWER_WITHIN if participant.absence_asked_at else None


def _missing_in_a_row(now: datetime):
    """The ids of verified members whose last `MISSED_IN_A_ROW` held meetings since they were last asked
    (and since they joined the group) all went without them and without notice: one query, ranked by SQL.
    Who came follows the marked attendance where there is one (`app.services.marked_attendance`)."""
    held, joined = held_expression(), came_expression()
    notice = exists().where(
        MeetingAnswer.meeting_id == Meeting.id,
        MeetingAnswer.participant_id == Participant.id,
        MeetingAnswer.answer == Answer.NOT_COMING,
    )
    recent = (
        select(
            Participant.id.label("participant_id"),
            case((and_(~joined, ~notice), 1), else_=0).label("missed"),
            func.row_number()
            .over(partition_by=Participant.id, order_by=Meeting.starts_at.desc())
            .label("rank"),
        )
        .join(CohortMember, CohortMember.participant_id == Participant.id)
        .join(Meeting, Meeting.cohort_id == CohortMember.cohort_id)
        .where(
            Participant.status == ParticipantStatus.VERIFIED,
            Participant.email.is_not(None),
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.starts_at > now - LOOKBACK,
            Meeting.starts_at <= now - SETTLED_AFTER,
            Meeting.starts_at > CohortMember.added_at,
            or_(Participant.absence_asked_at.is_(None), Meeting.starts_at > Participant.absence_asked_at),
            held,
        )
        .subquery()
    )
    return (
        select(recent.c.participant_id)
        .where(recent.c.rank <= MISSED_IN_A_ROW)
        .group_by(recent.c.participant_id)
        .having(func.count() == MISSED_IN_A_ROW, func.sum(recent.c.missed) == MISSED_IN_A_ROW)
    )
