"""The steps every adjustment shares: holding and versioning the cohort, refusing what can no longer change,
guarding the feasibility rules, and the audit line."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from app.models import Cohort, CohortMember, CohortStatus, Meeting, Program
from app.services.adjustments import AdjustmentError, NeedsOverride, StaleCohort
from app.services.audit import record_event
from app.services.feasibility import CohortRules, Draft
from app.services.locks import hold
from app.services.meeting_changes.lookups import meetings_not_started
from matching.rules import Violation

# A change's effect on one cohort: how it is named, what it broke before, and how the change leaves it.
Change = tuple[str, list[Violation], Draft]


def rules_of(session: Session, cohort: Cohort) -> CohortRules:
    return CohortRules(session, session.get(Program, cohort.program_id))


def lock(session: Session, cohort: Cohort, expected_version: int | None) -> None:
    """Read the cohort afresh, holding its row until the commit; check it is the version the page showed."""
    hold(session, cohort)
    if expected_version is not None and cohort.version != expected_version:
        raise StaleCohort(f"Group {cohort.id} was changed by someone else after you opened this page.")


def bump(session: Session, cohort: Cohort) -> None:
    cohort.version += 1
    session.add(cohort)
    session.flush()


def occasion(cohort: Cohort) -> str:
    """Names a change made after approval in message and Zoom call keys, so a later change is not
    mistaken for one made (and perhaps undone) before."""
    return f"cohort-v{cohort.version}"


def refuse_cancelled(cohort: Cohort) -> None:
    if cohort.status == CohortStatus.CANCELLED:
        raise AdjustmentError(f"Group {cohort.id} is cancelled, so it cannot be changed.")


def refuse_unless_proposed(cohort: Cohort, instead: str) -> None:
    refuse_cancelled(cohort)
    if cohort.status != CohortStatus.PROPOSED:
        raise AdjustmentError(f"Group {cohort.id} is already approved: {instead}.")


def change(rules: CohortRules, before: Draft, after: Draft) -> Change:
    return f"Group {before.cohort.id}", rules.violations(before), after


def guard(
    rules: CohortRules, changes: list[Change], override: bool, *, ignoring: Collection[int] = ()
) -> list[str]:
    """The rules the changes would newly break, in words; raises `NeedsOverride` unless overriding."""
    warnings = [
        f"{label}: {sentence}"
        for label, before, after in changes
        for sentence in rules.words(after, rules.new_violations(before, after, ignoring=ignoring))
    ]
    if warnings and not override:
        raise NeedsOverride(warnings)
    return warnings


def meetings_to_come(session: Session, cohort: Cohort, now: datetime) -> list[Meeting]:
    """An approved cohort's meetings that have not started (none for a proposed one); refuses when an
    approved cohort has none left."""
    if cohort.status != CohortStatus.APPROVED:
        return []
    meetings = meetings_not_started(session, cohort, now)
    if not meetings:
        raise AdjustmentError(
            f"Group {cohort.id}'s meeting has already taken place, so it cannot be changed."
        )
    return meetings


def places(
    session: Session, cohort: Cohort, participant_ids: Collection[int] | None = None
) -> list[CohortMember]:
    statement = select(CohortMember).where(CohortMember.cohort_id == cohort.id)
    if participant_ids is not None:
        statement = statement.where(CohortMember.participant_id.in_(list(participant_ids)))
    return list(session.exec(statement).all())


def audit(
    session: Session,
    action: str,
    actor: str,
    coordinator_id: int | None,
    program: Program,
    subject: tuple[str, Any],
    **detail: Any,
) -> None:
    record_event(
        session, action, actor=actor, coordinator_id=coordinator_id, program_id=program.id, subject=subject,
        **detail,
    )  # fmt: skip
    session.flush()
