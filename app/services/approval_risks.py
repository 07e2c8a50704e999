"""What a coordinator should see before approving groups: those with no host, those that break a matching
rule, and those meeting in an hour when the program's Zoom users cannot run every meeting at once.

A group with no host is still approved when the coordinator chooses: its meeting is opened by one of the
program's coordinators (the console's meeting page fetches the start link), and its members' invitation does
not name a host.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session

from app.models import Cohort, Program
from app.services.feasibility import CohortRules
from app.services.zoom_pool import hour_loads, hours_held, meetings_starting, pool_capacity
from matching.capacity import Load, occupied_slots, overlapping_starts
from matching.model import HOURS_PER_WEEK, Settings


@dataclass
class ApprovalRisks:
    """The groups about to be approved that need a second look, each list in the order given."""

    hostless: list[Cohort] = field(default_factory=list)
    breaking: list[tuple[Cohort, list[str]]] = field(default_factory=list)
    over_capacity: list[Cohort] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.hostless or self.breaking or self.over_capacity)


def approval_risks(session: Session, program: Program, cohorts: Iterable[Cohort]) -> ApprovalRisks:
    """Which of `cohorts` (the program's, proposed) have no host, break a rule, or exceed the Zoom pool."""
    rules = CohortRules(session, program)
    crowded = crowded_hours(session, program)
    span = hours_held(program.meeting_minutes)
    risks = ApprovalRisks()
    for cohort in cohorts:
        if cohort.host_id is None:
            risks.hostless.append(cohort)
        warnings = rules.warnings(rules.draft(cohort))
        if warnings:
            risks.breaking.append((cohort, warnings))
        if _meets_in(cohort, crowded, span):
            risks.over_capacity.append(cohort)
    return risks


def exceeds_pool(session: Session, program: Program, cohort: Cohort) -> bool:
    """Whether the group meets in an hour when the program's Zoom users cannot run every meeting: counted
    from the groups whose meetings share an hour with its, not from every group of the program."""
    span = hours_held(program.meeting_minutes)
    load = Load(
        Settings(meeting_hours=span),
        meetings_starting(session, program, overlapping_starts(cohort.slot, span)),
    )
    capacity = pool_capacity(session, program)
    return any(load.meetings[hour] > capacity for hour in occupied_slots(cohort.slot, span))


def crowded_hours(session: Session, program: Program) -> set[int]:
    """The hours of the week (UTC) in which more of the program's groups meet than its Zoom users can run."""
    return {load.slot for load in hour_loads(session, program) if load.over}


def _meets_in(cohort: Cohort, hours: set[int], span: int) -> bool:
    """Whether any hour the group's meeting keeps its Zoom user busy is one of `hours`."""
    return any((cohort.slot + hour) % HOURS_PER_WEEK in hours for hour in range(span))
