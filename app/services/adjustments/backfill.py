"""Filling a cohort's open places from the waitlist, and saying why no one fits when no one does."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session

from app.database import utcnow
from app.models import Cohort, Participant, Program
from app.services.adjustments import AdjustmentError, NeedsOverride
from app.services.adjustments.candidates import newcomers
from app.services.adjustments.moves import move_member
from app.services.adjustments.steps import audit, meetings_to_come, places, refuse_cancelled, rules_of
from app.services.feasibility import CohortRules, language_label, slot_for_reader
from app.services.meeting_changes.open_places import BACKFILLED
from matching.rules import Rule

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
    session: Session,
    cohort: Cohort,
    *,
    now: datetime | None = None,
    limit: int | None = None,
    excluding: Collection[int] = (),
    only: int | None = None,
    rules: CohortRules | None = None,
) -> list[Participant]:
    """Verified registrants in no cohort who could join this one without breaking a rule: the closest in
    stage first, then those waiting longest; the first `limit` of them, leaving out the people `excluding`
    names (or asking about the one person `only`). None for a cohort no one can join any more. `rules` are
    the program's, when the caller has them already."""
    try:
        refuse_cancelled(cohort)
        meetings_to_come(session, cohort, now or utcnow())
    except AdjustmentError:
        return []
    rules = rules or rules_of(session, cohort)
    return newcomers(session, rules, rules.draft(cohort)).fitting(
        session, limit=limit, excluding=excluding, only=only
    )


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
    added: list[Participant] = []
    skipped: set[int] = set()
    # One at a time, each the best fit for the group as the ones before left it (an avoid request of
    # theirs, or their stage, may rule out someone who fitted before).
    while len(added) < wanted:
        best = backfill_candidates(session, cohort, now=now, limit=1, excluding=skipped)
        if not best:
            break
        try:
            move_member(session, best[0], cohort, actor=actor, coordinator_id=coordinator_id, now=now)
        except NeedsOverride:
            skipped.add(best[0].id)  # a rule the check of the group's members alone does not see
            continue
        added.append(best[0])
    if not added and not skipped:
        raise AdjustmentError(f"No one on the waitlist fits this group: {_why_nobody_fits(session, cohort)}")
    audit(
        session, BACKFILLED, actor, coordinator_id, program, ("cohort", cohort.id),
        added=[person.id for person in added],
    )  # fmt: skip
    return added


def _why_nobody_fits(session: Session, cohort: Cohort) -> str:
    """Why the people waiting with the cohort's condition cannot join it, counted by rule."""
    rules = rules_of(session, cohort)
    waiting, broken = newcomers(session, rules, rules.draft(cohort)).broken(session)
    if not waiting:
        return "no one with this condition is waiting."
    facts = {"time": slot_for_reader(rules.program, cohort.slot), "language": language_label(cohort.language)}
    reasons = [
        f"{count} " + REASONS.get(rule, (rule, rule))[count > 1].format(**facts) for rule, count in broken
    ]
    return f"of the {waiting} people waiting with this condition, {'; '.join(reasons)}."
