"""Which other groups a coordinator is offered when moving a member or merging a group.

A program of thousands has hundreds of groups per condition; listing them all under every member made the
cohort page hundreds of kilobytes and the choice useless. Offered are only the groups that could take the
person or the group: same condition, role and language, with room, at an hour the person is free. Any
other group can still be named by its number; the usual rule check then asks before breaking a rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import Cohort, CohortMember, CohortStatus, Participant
from app.services.feasibility import CohortRules

OFFERED = 12


@dataclass(frozen=True)
class Destination:
    cohort: Cohort
    size: int


def other_groups(session: Session, cohort: Cohort) -> list[Destination]:
    """The program's other live groups of the same condition, language and role, fewest members first."""
    rows = session.exec(
        select(Cohort, func.count(CohortMember.id))
        .outerjoin(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(Cohort.program_id == cohort.program_id, Cohort.condition_id == cohort.condition_id)
        .where(Cohort.language == cohort.language, Cohort.role.is_not_distinct_from(cohort.role))
        .where(Cohort.id != cohort.id, Cohort.status != CohortStatus.CANCELLED)
        .group_by(Cohort.id)
        .order_by(func.count(CohortMember.id), Cohort.id)
    ).all()
    return [Destination(other, size) for other, size in rows]


def move_destinations(
    others: list[Destination], members: Iterable[Participant], rules: CohortRules
) -> dict[int, list[Destination]]:
    """For each member (by id), the groups among `others` with room that meet at an hour the member is
    free."""
    others = [each for each in others if each.size < rules.program.max_size]
    return {
        person.id: [each for each in others if each.cohort.slot in rules.registrant(person).availability][
            :OFFERED
        ]
        for person in members
    }


def merge_partners(others: list[Destination], cohort: Cohort, size: int, max_size: int) -> list[Destination]:
    """The proposed groups among `others` whose members would fit in this one: the same hour first."""
    fitting = [
        each
        for each in others
        if each.cohort.status == CohortStatus.PROPOSED and size + each.size <= max_size
    ]
    return sorted(fitting, key=lambda each: each.cohort.slot != cohort.slot)[:OFFERED]
