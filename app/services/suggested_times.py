"""A time the matcher suggested to someone waiting, added to their own times with one click.

The hour is added as a window in the person's own zone. If an approved group with a meeting to come meets
then and the person fits it (as the coordinator's backfill judges: language, stages, avoid requests, size),
they join it at once and are invited ("a place opened for you"); otherwise the next match can place them.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlmodel import Session, select

from app.database import utcnow
from app.models import Cohort, CohortStatus, Participant, Program
from app.services.adjustments.backfill import backfill_candidates
from app.services.adjustments.moves import move_member
from app.services.audit import record_event
from app.services.scheduling import local_window, program_week_start
from app.services.waiting import is_waiting
from matching.availability import utc_slots


class TimeNotAdded(ValueError):
    """The suggested time could not be added; the message says why."""


class TimeAdded(StrEnum):
    ALREADY = "already"  # they were free then already
    ADDED = "added"  # added; the next match can place them
    JOINED = "joined"  # added, and they joined a group that meets then


def add_suggested_time(
    session: Session, program: Program, participant: Participant, slot: int, *, today: date
) -> TimeAdded:
    """Add the hour a suggestion stands for to the participant's availability, and join them to an approved
    group that meets then and has room for them, if there is one."""
    week = program_week_start(program, today)
    if slot in utc_slots(participant.availability, participant.timezone, week):
        return TimeAdded.ALREADY
    windows = [*participant.availability, local_window(week, slot, participant.timezone)]
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
    return TimeAdded.JOINED if _join_a_group_meeting_then(session, participant, slot) else TimeAdded.ADDED


def _join_a_group_meeting_then(session: Session, participant: Participant, slot: int) -> bool:
    if not is_waiting(session, participant):
        return False
    groups = session.exec(
        select(Cohort)
        .where(Cohort.program_id == participant.program_id, Cohort.condition_id == participant.condition_id)
        .where(Cohort.status == CohortStatus.APPROVED, Cohort.slot == slot)
        .order_by(Cohort.id)
    ).all()
    now = utcnow()
    for group in groups:
        if backfill_candidates(session, group, now=now, only=participant.id):
            move_member(session, participant, group, actor="participant", now=now)
            return True
    return False
