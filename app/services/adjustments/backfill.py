"""Filling a cohort's open places from the waitlist, and saying why no one fits when no one does."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlmodel import Session, select

from app.database import utcnow
from app.models import Cohort, Participant, ParticipantStatus, Program
from app.services.adjustments import AdjustmentError, NeedsOverride
from app.services.adjustments.moves import move_member
from app.services.adjustments.steps import audit, meetings_to_come, places, refuse_cancelled, rules_of
from app.services.feasibility import CohortRules, Draft, language_label, slot_label
from app.services.meeting_changes.open_places import BACKFILLED
from app.services.waiting import with_a_place
from matching.rules import Rule, Violation

# Why someone waiting cannot join a cohort, for one person and for several.
REASONS = {
    Rule.TIME: ("is not free at {time}", "are not free at {time}"),
    Rule.LANGUAGE: ("does not speak {language}", "do not speak {language}"),
    Rule.ROLE: ("has another role", "have another role"),
    Rule.STAGE_GAP: ("is at a stage too far from the members'", "are at stages too far from the members'"),
    Rule.AVOID: ("is kept apart from a member by an avoid request", "are kept apart by avoid requests"),
    Rule.SIZE: ("would make the group too big", "would make the group too big"),
}


def backfill_candidates(
    session: Session, cohort: Cohort, *, now: datetime | None = None
) -> list[Participant]:
    """Verified registrants in no cohort who could join this one without breaking a rule: the closest in
    stage first, then those waiting longest. None for a cohort no one can join any more."""
    try:
        refuse_cancelled(cohort)
        meetings_to_come(session, cohort, now or utcnow())
    except AdjustmentError:
        return []
    rules = rules_of(session, cohort)
    draft = rules.draft(cohort)
    before = rules.violations(draft)
    fitting = [
        person for person in _unplaced(session, cohort) if not _broken_by(rules, draft, before, person)
    ]
    return sorted(fitting, key=lambda person: (_stage_distance(rules, draft, person), _waiting_since(person)))


def backfill_cohort(
    session: Session,
    cohort: Cohort,
    *,
    actor: str,
    coordinator_id: int | None = None,
    now: datetime,
) -> list[Participant]:
    """Fill the cohort up to the program's target size from the waitlist, best candidates first; each joins
    as if moved by hand (an approved cohort registers and invites them). Returns who joined."""
    refuse_cancelled(cohort)
    meetings_to_come(session, cohort, now)
    program = session.get(Program, cohort.program_id)
    size = len(places(session, cohort))
    wanted = min(program.target_size, program.max_size) - size
    if wanted <= 0:
        raise AdjustmentError(f"Group {cohort.id} already has {size} people, the program's target size.")
    candidates = backfill_candidates(session, cohort, now=now)
    if not candidates:
        raise AdjustmentError(f"No one on the waitlist fits this group: {_why_nobody_fits(session, cohort)}")
    added: list[Participant] = []
    for person in candidates:
        if len(added) == wanted:
            break
        try:
            move_member(session, person, cohort, actor=actor, coordinator_id=coordinator_id, now=now)
        except NeedsOverride:
            continue  # breaks a rule with someone who joined just before (an avoid request, the stages)
        added.append(person)
    audit(
        session, BACKFILLED, actor, coordinator_id, program, ("cohort", cohort.id),
        added=[person.id for person in added],
    )  # fmt: skip
    return added


def _unplaced(session: Session, cohort: Cohort) -> list[Participant]:
    """Verified registrants with the cohort's condition in no cohort (waitlisted, or not matched yet)."""
    placed = with_a_place().where(Cohort.program_id == cohort.program_id)
    return list(
        session.exec(
            select(Participant)
            .where(
                Participant.program_id == cohort.program_id, Participant.condition_id == cohort.condition_id
            )
            .where(Participant.status == ParticipantStatus.VERIFIED, Participant.id.not_in(placed))
            .order_by(Participant.id)
        ).all()
    )


def _broken_by(
    rules: CohortRules, draft: Draft, before: list[Violation], person: Participant
) -> list[Violation]:
    """The rules the cohort would newly break with `person` in it."""
    return rules.new_violations(before, draft.with_members([*draft.members, person]))


def _stage_distance(rules: CohortRules, draft: Draft, person: Participant) -> float:
    """How far `person`'s stage is from the middle of the members'; someone unsure comes after the others."""
    stages = rules.catalogue.stages
    positions = [stages[m.stage_id].position for m in draft.members if m.stage_id is not None]
    if person.stage_id is None:
        return float("inf")
    if not positions:
        return 0.0
    return abs(stages[person.stage_id].position - sum(positions) / len(positions))


def _waiting_since(person: Participant) -> datetime:
    return person.verified_at or person.created_at


def _why_nobody_fits(session: Session, cohort: Cohort) -> str:
    """Why the people waiting with the cohort's condition cannot join it, counted by rule."""
    waiting = _unplaced(session, cohort)
    if not waiting:
        return "no one with this condition is waiting."
    rules = rules_of(session, cohort)
    draft = rules.draft(cohort)
    before = rules.violations(draft)
    broken: Counter[str] = Counter()
    for person in waiting:
        broken.update({violation.rule for violation in _broken_by(rules, draft, before, person)})
    facts = {"time": slot_label(cohort.slot), "language": language_label(cohort.language)}
    reasons = [
        f"{count} " + REASONS.get(rule, (rule, rule))[count > 1].format(**facts)
        for rule, count in broken.most_common()
    ]
    return f"of the {len(waiting)} people waiting with this condition, {'; '.join(reasons)}."
