"""Which other groups a coordinator is offered when moving a member or merging a group, or placing someone
waiting.

A program of thousands has hundreds of groups per condition; listing them all under every member made the
cohort page hundreds of kilobytes and the choice useless. Offered are only the groups that could take the
person or the group: same condition, role and language, with room, at an hour the person is free, fewest
members first. The database returns only those that could be offered to someone: for each condition,
language, role and hour, the OFFERED groups with fewest members. Any other group can still be named by its
number; the usual rule check then asks before breaking a rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import ScalarSelect, func
from sqlmodel import Session, select

from app.models import Cohort, CohortMember, CohortStatus, Participant, Program
from app.services.feasibility import CohortRules

OFFERED = 12


@dataclass(frozen=True)
class Destination:
    cohort: Cohort
    size: int


@dataclass(frozen=True)
class Seeker:
    """What someone waiting can join: their condition, languages and role, and the hours (UTC slots) they
    are free."""

    condition_id: int
    languages: Collection[str]
    role: str
    slots: Collection[int]


def groups_with_room(
    session: Session,
    program: Program,
    *,
    conditions: Collection[int],
    slots: Collection[int],
    like: Cohort | None = None,
) -> list[Destination]:
    """The program's live groups of `conditions` with room, meeting at one of `slots` (and, `like` a cohort,
    of its language and role, other than it): at most OFFERED for each condition, language, role and hour,
    fewest members first."""
    if not conditions or not slots:
        return []
    size = _member_count()
    rank = func.row_number().over(
        partition_by=(Cohort.condition_id, Cohort.language, Cohort.role, Cohort.slot),
        order_by=(size, Cohort.id),
    )
    groups = _with_room(program, conditions, slots).add_columns(rank.label("rank"))
    if like is not None:
        groups = groups.where(Cohort.language == like.language, Cohort.role.is_not_distinct_from(like.role))
        groups = groups.where(Cohort.id != like.id)
    ranked = groups.subquery()
    rows = session.exec(
        select(Cohort, ranked.c.size)
        .join(ranked, ranked.c.id == Cohort.id)
        .where(ranked.c.rank <= OFFERED)
        .order_by(ranked.c.size, Cohort.id)
    ).all()
    return [Destination(group, members) for group, members in rows]


def offers_to_seekers(
    session: Session, program: Program, seekers: Mapping[int, Seeker]
) -> dict[int, list[Destination]]:
    """For each person (by id), up to OFFERED live groups of their condition and role (or of any role), in one
    of their languages, with room, meeting at an hour they are free: fewest members first. The database
    gives the kind and size of every group that could take one of them, and then only the groups offered:
    building thousands of groups to offer a few hundred was most of a waitlist page's time."""
    conditions = {seeker.condition_id for seeker in seekers.values()}
    slots = set().union(*(seeker.slots for seeker in seekers.values()))
    if not conditions or not slots:
        return {person: [] for person in seekers}
    kinds = (Cohort.condition_id, Cohort.language, Cohort.role, Cohort.slot)
    # Each group is counted once, then kept if it has room: filtering on the count in the same SELECT had
    # the database count every group twice (150 ms instead of 47 for 16,800 groups).
    sized = _candidates(program, conditions, slots).add_columns(*kinds).offset(0).subquery()
    alike = defaultdict(list)  # (id, size) by condition, language, role and hour
    for group, size, *kind in session.execute(select(sized).where(sized.c.size < program.max_size)):
        alike[tuple(kind)].append((size, group))
    chosen = {person: _fitting(seeker, alike) for person, seeker in seekers.items()}
    offered = sorted({group for groups in chosen.values() for _, group in groups})
    found = session.exec(select(Cohort).where(Cohort.id.in_(offered))) if offered else []
    cohorts = {cohort.id: cohort for cohort in found}
    return {
        person: [Destination(cohorts[group], size) for size, group in groups]
        for person, groups in chosen.items()
    }


def _fitting(seeker: Seeker, alike: Mapping[tuple, list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """The (size, id) of the OFFERED groups of `alike` with fewest members that could take the seeker."""
    found = [
        group
        for language in set(seeker.languages)
        for role in {None, seeker.role}
        for slot in set(seeker.slots)
        for group in alike.get((seeker.condition_id, language, role, slot), ())
    ]
    return sorted(found)[:OFFERED]


def _with_room(program: Program, conditions: Collection[int], slots: Collection[int]):
    """The id and size of the program's live groups of `conditions` with room, meeting at one of `slots`."""
    return _candidates(program, conditions, slots).where(_member_count() < program.max_size)


def _candidates(program: Program, conditions: Collection[int], slots: Collection[int]):
    """The id and size of the program's live groups of `conditions` meeting at one of `slots`."""
    return (
        select(Cohort.id.label("id"), _member_count().label("size"))
        .where(Cohort.program_id == program.id, Cohort.condition_id.in_(list(conditions)))
        .where(Cohort.status != CohortStatus.CANCELLED, Cohort.slot.in_(sorted(slots)))
    )


def move_destinations(
    session: Session, cohort: Cohort, members: Iterable[Participant], rules: CohortRules
) -> dict[int, list[Destination]]:
    """For each member (by id), the program's other groups like `cohort` with room that meet at an hour the
    member is free."""
    members = list(members)
    free = {person.id: rules.registrant(person).availability for person in members}
    others = groups_with_room(
        session,
        rules.program,
        conditions=[cohort.condition_id],
        slots=set().union(*free.values()),
        like=cohort,
    )
    return {
        person.id: [each for each in others if each.cohort.slot in free[person.id]][:OFFERED]
        for person in members
    }


def merge_partners(session: Session, cohort: Cohort, size: int, max_size: int) -> list[Destination]:
    """The other proposed groups of the same condition, language and role whose members would fit in this
    one: the same hour first, then the smallest."""
    members = _member_count()
    rows = session.exec(
        select(Cohort, members)
        .where(Cohort.program_id == cohort.program_id, Cohort.condition_id == cohort.condition_id)
        .where(Cohort.language == cohort.language, Cohort.role.is_not_distinct_from(cohort.role))
        .where(Cohort.id != cohort.id, Cohort.status == CohortStatus.PROPOSED)
        .where(members + size <= max_size)
        .order_by(Cohort.slot != cohort.slot, members, Cohort.id)
        .limit(OFFERED)
    ).all()
    return [Destination(other, count) for other, count in rows]


def _member_count() -> ScalarSelect[int]:
    """How many members a group has, counted for each group a query keeps (from the members' index), not by
    joining every place of the program."""
    return select(func.count()).where(CohortMember.cohort_id == Cohort.id).scalar_subquery()
