"""People waiting for a group: telling them so, kindly and at most once a month, with the times the matcher
suggests (`app.services.suggested_times` adds one with a click).

Who is waiting: verified registrants in no group (proposed or approved). They are told after a coordinator
approves groups, once the match left them out (it gave them a reason), and otherwise once they have waited
`WAITING_NOTICE` since confirming their address. The message is built when it is sent, from the reason and
the suggested times the latest match gave them, and not sent at all if they found a group in between.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, or_, update
from sqlmodel import Session, select

from app.messages.kinds import MessageKind
from app.messages.queue import message_row, queue_messages
from app.models import Cohort, CohortMember, CohortStatus, Participant, ParticipantStatus, Program, Unplaced
from app.services.scheduling import slot_start

# Someone confirmed this long ago and in no group hears from us even if no groups were formed.
WAITING_NOTICE = timedelta(days=14)
# Never more than one "still waiting" message in this time.
TOLD_AT_MOST_EVERY = timedelta(days=30)


def tell_waiting(session: Session, program: Program, *, now: datetime) -> int:
    """After approval: tell each person of the program the match left out (it gave them a reason) and not told
    in the last month."""
    left_out = Participant.program_id == program.id, Participant.waitlist_reason.is_not(None)
    return _tell(session, left_out, now=now)


def tell_everyone_waiting_long(session: Session, *, now: datetime) -> int:
    """The worker's round: tell everyone waiting `WAITING_NOTICE` since confirming and not told this month,
    whether or not groups were formed since."""
    return _tell(session, (Participant.verified_at <= now - WAITING_NOTICE,), now=now)


def _tell(session: Session, which: tuple, *, now: datetime) -> int:
    """Queue one "still waiting" message to each verified person in no group picked by `which`, unless they
    were told in the last `TOLD_AT_MOST_EVERY`: one statement marks them told and names them, one more
    queues their messages."""
    told = session.execute(
        update(Participant)
        .where(*which, Participant.status == ParticipantStatus.VERIFIED, Participant.email.is_not(None))
        .where(Participant.id.in_(select(Unplaced.participant_id)))
        .where(
            or_(
                Participant.waiting_told_at.is_(None), Participant.waiting_told_at <= now - TOLD_AT_MOST_EVERY
            )
        )
        .values(waiting_told_at=now)
        .returning(Participant.id, Participant.program_id, Participant.email, Participant.locale),
        execution_options={"synchronize_session": "fetch"},
    ).all()
    queue_messages(session, [_still_waiting(person, now) for person in told])
    return len(told)


def _still_waiting(person: Row, now: datetime) -> dict[str, Any]:
    return message_row(
        kind=MessageKind.WAITLISTED, program_id=person.program_id, recipient=person.email,
        dedupe_key=f"waitlisted:participant-{person.id}:{now:%Y-%m-%d}", send_at=now, locale=person.locale,
        participant_id=person.id,
    )  # fmt: skip


def is_waiting(session: Session, participant: Participant) -> bool:
    return participant.status == ParticipantStatus.VERIFIED and not has_a_place(session, participant)


def has_a_place(session: Session, participant: Participant) -> bool:
    """Whether the participant is in a group, proposed or approved."""
    placed = with_a_place().where(CohortMember.participant_id == participant.id)
    return session.exec(placed).first() is not None


def with_a_place():
    """The ids of everyone in a group, proposed or approved (narrow it with `Cohort` columns, such as the
    program)."""
    return (
        select(CohortMember.participant_id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(Cohort.status != CohortStatus.CANCELLED)
    )


def suggested_starts(
    program: Program, participant: Participant, *, today: date
) -> list[tuple[int, datetime]]:
    """The participant's suggested slots, each with the first meeting time it stands for."""
    return [(slot, slot_start(program, slot, today)) for slot in participant.suggested_slots]
