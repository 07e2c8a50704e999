"""People waiting for a group: telling them so, kindly and at most once a month, and adding a time the matcher
suggested to their availability with one click.

Who is waiting: verified registrants in no group (proposed or approved). They are told after a coordinator
approves groups, once the match left them out (it gave them a reason), and otherwise once they have waited
`WAITING_NOTICE` since confirming their address. The message is built when it is sent, from the reason and
the suggested times the latest match gave them, and not sent at all if they found a group in between.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, or_, update
from sqlmodel import Session, select

from app.messages.kinds import MessageKind
from app.messages.queue import message_row, queue_messages
from app.models import Cohort, CohortMember, CohortStatus, Participant, ParticipantStatus, Program
from app.services.audit import record_event
from app.services.scheduling import program_week_start, slot_start
from matching.availability import utc_slots

# Someone confirmed this long ago and in no group hears from us even if no groups were formed.
WAITING_NOTICE = timedelta(days=14)
# Never more than one "still waiting" message in this time.
TOLD_AT_MOST_EVERY = timedelta(days=30)
ONE_HOUR = timedelta(hours=1)


class TimeNotAdded(ValueError):
    """The suggested time could not be added; the message says why."""


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
        .where(Participant.id.not_in(_placed_query()))
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
    placed = session.exec(_placed_query().where(CohortMember.participant_id == participant.id)).first()
    return participant.status == ParticipantStatus.VERIFIED and placed is None


def suggested_starts(
    program: Program, participant: Participant, *, today: date
) -> list[tuple[int, datetime]]:
    """The participant's suggested slots, each with the first meeting time it stands for."""
    return [(slot, slot_start(program, slot, today)) for slot in participant.suggested_slots]


def add_suggested_time(
    session: Session, program: Program, participant: Participant, slot: int, *, today: date
) -> bool:
    """Add the hour a suggestion stands for to the participant's availability, as a window in their own zone;
    returns False when they had it already. The next match can place them then."""
    week = program_week_start(program, today)
    if slot in utc_slots(participant.availability, participant.timezone, week):
        return False
    windows = [*participant.availability, _local_window(week, slot, participant.timezone)]
    if slot not in utc_slots(windows, participant.timezone, week):
        raise TimeNotAdded("the hour crosses midnight in the person's zone")
    participant.availability = windows
    participant.suggested_slots = [other for other in participant.suggested_slots if other != slot]
    session.add(participant)
    record_event(
        session, "participant_added_suggested_time", actor="participant", program_id=program.id,
        subject=("participant", participant.id), slot=slot,
    )  # fmt: skip
    session.flush()
    return True


def _local_window(week: date, slot: int, timezone: str) -> dict[str, object]:
    """The hour-long window in the person's zone of UTC hour `slot` in the program's week."""
    monday = datetime.combine(week, datetime.min.time(), tzinfo=ZoneInfo("UTC"))
    start = (monday + timedelta(hours=slot)).astimezone(ZoneInfo(timezone))
    end = start + ONE_HOUR
    end_text = "24:00" if end.date() != start.date() and end.time() == datetime.min.time() else f"{end:%H:%M}"
    return {"weekday": start.weekday(), "start": f"{start:%H:%M}", "end": end_text}


def _placed_query():
    return (
        select(CohortMember.participant_id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(Cohort.status != CohortStatus.CANCELLED)
    )
