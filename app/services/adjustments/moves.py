"""Moving a registrant into another cohort, or to the waitlist."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from app.models import Cohort, CohortMember, CohortStatus, Participant, ParticipantStatus, Program
from app.services.adjustments import AdjustmentError
from app.services.adjustments.steps import (
    audit,
    bump,
    change,
    guard,
    lock,
    meetings_to_come,
    occasion,
    refuse_cancelled,
)
from app.services.feasibility import CohortRules
from app.services.meeting_changes.lookups import meetings_not_started
from app.services.meeting_setup import queue_member_cancellation, queue_member_messages
from app.services.zoom_operations import cancel_zoom_registration, queue_zoom_registration

WAITLIST_REASON = "coordinator"


def move_member(
    session: Session,
    participant: Participant,
    target: Cohort | None,
    *,
    actor: str,
    coordinator_id: int | None = None,
    override: bool = False,
    now: datetime,
    expected_versions: dict[int, int] | None = None,
) -> list[str]:
    """Move a registrant into `target`, or to the waitlist (None); returns the warnings overridden.

    Leaving an approved cohort tells the member their place is gone, cancels their Zoom registration (so
    their personal link stops working) and drops their messages still to come; joining one registers them
    at Zoom and queues their invitation and reminders.
    `expected_versions` (cohort id -> version) is checked for each cohort it names.
    """
    place = session.exec(select(CohortMember).where(CohortMember.participant_id == participant.id)).first()
    source = session.get(Cohort, place.cohort_id) if place else None
    touched = sorted((c for c in (source, target) if c is not None), key=lambda c: c.id)
    for cohort in touched:
        lock(session, cohort, (expected_versions or {}).get(cohort.id))
    _check_move(session, participant, source, target, now)
    rules = CohortRules(session, session.get(Program, participant.program_id))
    changes = []
    if source is not None:
        draft = rules.draft(source)
        staying = [member for member in draft.members if member.id != participant.id]
        changes.append(change(rules, draft, draft.with_members(staying)))
    if target is not None:
        draft = rules.draft(target)
        changes.append(change(rules, draft, draft.with_members([*draft.members, participant])))
    overridden = guard(rules, changes, override)

    _place(session, participant, place, target, now)
    for cohort in touched:
        bump(session, cohort)
    if source is not None and source.status == CohortStatus.APPROVED:
        _leave_meetings(session, rules.program, source, participant, now)
    if target is not None and target.status == CohortStatus.APPROVED:
        _join_meetings(session, rules.program, target, participant, now)
    audit(
        session, "cohort.member_moved", actor, coordinator_id, rules.program, ("participant", participant.id),
        from_cohort=source.id if source else None, to_cohort=target.id if target else None,
        overridden=overridden,
    )  # fmt: skip
    return overridden


def _check_move(
    session: Session, participant: Participant, source: Cohort | None, target: Cohort | None, now: datetime
) -> None:
    name = participant.display_name
    if target is None:
        if source is None:
            raise AdjustmentError(f"{name} is already on the waitlist.")
        return
    if source is not None and source.id == target.id:
        raise AdjustmentError(f"{name} is already in group {target.id}.")
    if target.program_id != participant.program_id:
        raise AdjustmentError(f"{name} registered for another program.")
    if participant.status != ParticipantStatus.VERIFIED:
        status = participant.status.replace("_", " ")
        raise AdjustmentError(f"{name} cannot join a group: their registration is {status}.")
    refuse_cancelled(target)
    meetings_to_come(session, target, now)


def _place(
    session: Session,
    participant: Participant,
    place: CohortMember | None,
    target: Cohort | None,
    now: datetime,
) -> None:
    if target is None:
        session.delete(place)
    elif place is None:
        session.add(CohortMember(cohort_id=target.id, participant_id=participant.id, added_at=now))
    else:
        place.cohort_id, place.added_at = target.id, now
        session.add(place)
    participant.waitlist_reason = None if target else WAITLIST_REASON
    participant.waitlist_detail = None
    session.add(participant)


def _join_meetings(
    session: Session, program: Program, cohort: Cohort, participant: Participant, now: datetime
) -> None:
    for meeting in meetings_to_come(session, cohort, now):
        queue_zoom_registration(session, meeting, participant.id, version=cohort.version)
        queue_member_messages(session, program, meeting, participant, now=now, occasion=occasion(cohort))


def _leave_meetings(
    session: Session, program: Program, cohort: Cohort, participant: Participant, now: datetime
) -> None:
    for meeting in meetings_not_started(session, cohort, now):
        cancel_zoom_registration(session, meeting, participant.id)
        queue_member_cancellation(session, program, meeting, participant, now=now, occasion=occasion(cohort))
