"""Proposing cohorts: the program's rows in, the matcher's answer out as proposed cohorts and a waitlist.

Re-running keeps what a coordinator already decided: approved and locked cohorts stay exactly as they are,
other proposed cohorts keep their members and may be topped up, and only the rest is matched anew.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from sqlmodel import Session, select

from app.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    Condition,
    Host,
    Participant,
    ParticipantStatus,
    Program,
    Stage,
)
from app.services.scheduling import program_week_start
from matching.availability import utc_slots
from matching.matcher import match
from matching.model import Assignment, Problem, Settings
from matching.model import Cohort as MatcherCohort
from matching.model import Host as MatcherHost
from matching.model import Registrant as MatcherRegistrant

STAGE_UNKNOWN = "stage_unknown"


@dataclass
class ProposalSummary:
    registrants: int = 0
    placed: int = 0
    waitlisted: Counter[str] = field(default_factory=Counter)
    cohorts: int = 0
    new_cohorts: int = 0
    cohorts_with_host: int = 0


@dataclass(frozen=True)
class _Catalogue:
    """The program's conditions and stages, by id, as the matcher names them."""

    conditions: dict[int, Condition]
    stages: dict[int, Stage]

    def condition_code(self, condition_id: int) -> str:
        return self.conditions[condition_id].code

    def stage_code(self, stage_id: int | None) -> str | None:
        return self.stages[stage_id].code if stage_id is not None else None

    def first_stage(self, condition_id: int) -> str:
        """Stands in for a placed member's unknown stage, so the cohort they are already in is kept."""
        return self.stage_order[self.condition_code(condition_id)][0]

    @cached_property
    def stage_order(self) -> dict[str, tuple[str, ...]]:
        ordered: dict[str, list[Stage]] = defaultdict(list)
        for stage in self.stages.values():
            ordered[self.condition_code(stage.condition_id)].append(stage)
        return {
            condition.code: tuple(s.code for s in sorted(ordered[condition.code], key=lambda s: s.position))
            for condition in self.conditions.values()
        }


def propose_cohorts(session: Session, program: Program, *, today: date) -> ProposalSummary:
    """Match every verified registrant not yet in a cohort, and record the proposals and the waitlist."""
    catalogue = _catalogue(session, program)
    week = program_week_start(program, today)
    cohorts = session.exec(
        select(Cohort).where(Cohort.program_id == program.id, Cohort.status != CohortStatus.CANCELLED)
    ).all()
    members = _members_by_cohort(session, cohorts)
    placed = {pid for ids in members.values() for pid in ids}
    people, unsure = _split_unsure(_people_to_match(session, program, placed), placed)
    hosts = session.exec(select(Host).where(Host.program_id == program.id, Host.active)).all()
    problem = Problem(
        settings=Settings(
            min_size=program.min_size, max_size=program.max_size, target_size=program.target_size,
            max_stage_gap=program.max_stage_gap, separate_roles=program.separate_roles,
            stage_order=catalogue.stage_order,
        ),
        registrants=tuple(_registrant(person, catalogue, week) for person in people),
        hosts=tuple(_host(host, week) for host in hosts),
        cohorts=tuple(_given_cohort(cohort, catalogue, members[cohort.id]) for cohort in cohorts),
    )  # fmt: skip
    assignment = match(problem)
    summary = _record(session, program, assignment, {str(c.id): c for c in cohorts}, members, people)
    for person in unsure:
        person.waitlist_reason, person.waitlist_detail = STAGE_UNKNOWN, None
        summary.waitlisted[STAGE_UNKNOWN] += 1
    summary.registrants += len(unsure)
    return summary


def _split_unsure(people: list[Participant], placed: set[int]) -> tuple[list[Participant], list[Participant]]:
    """Registrants who said "I'm not sure" about their stage wait for a coordinator to place them by hand:
    the matcher keeps stages close, and cannot do that without one. Those already placed stay matched."""
    unsure = [p for p in people if p.stage_id is None and p.id not in placed]
    return [p for p in people if p not in unsure], unsure


def _catalogue(session: Session, program: Program) -> _Catalogue:
    conditions = {c.id: c for c in session.exec(select(Condition).where(Condition.program_id == program.id))}
    stages = {s.id: s for s in session.exec(select(Stage).where(Stage.condition_id.in_(list(conditions))))}
    return _Catalogue(conditions, stages)


def _members_by_cohort(session: Session, cohorts: list[Cohort]) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {cohort.id: [] for cohort in cohorts}
    for member in session.exec(select(CohortMember).where(CohortMember.cohort_id.in_(list(members)))):
        members[member.cohort_id].append(member.participant_id)
    return members


def _people_to_match(session: Session, program: Program, placed: set[int]) -> list[Participant]:
    """Everyone already in a cohort (the matcher must know them), and every verified registrant."""
    return session.exec(
        select(Participant)
        .where(Participant.program_id == program.id)
        .where((Participant.status == ParticipantStatus.VERIFIED) | Participant.id.in_(placed))
        .order_by(Participant.id)
    ).all()


def _registrant(person: Participant, catalogue: _Catalogue, week: date) -> MatcherRegistrant:
    return MatcherRegistrant(
        id=str(person.id),
        condition=catalogue.condition_code(person.condition_id),
        stage=catalogue.stage_code(person.stage_id) or catalogue.first_stage(person.condition_id),
        role=person.role,
        languages=tuple(person.languages),
        availability=utc_slots(person.availability, person.timezone, week),
        timezone=person.timezone,
        avoid=frozenset(str(other) for other in person.avoid),
    )


def _host(host: Host, week: date) -> MatcherHost:
    return MatcherHost(
        id=str(host.id),
        conditions=frozenset(host.conditions),
        languages=tuple(host.languages),
        availability=utc_slots(host.availability, host.timezone, week),
        max_cohorts=host.max_cohorts,
    )


def _given_cohort(cohort: Cohort, catalogue: _Catalogue, member_ids: list[int]) -> MatcherCohort:
    return MatcherCohort(
        id=str(cohort.id),
        condition=catalogue.condition_code(cohort.condition_id),
        language=cohort.language,
        slot=cohort.slot,
        members=tuple(str(pid) for pid in sorted(member_ids)),
        host=str(cohort.host_id) if cohort.host_id else None,
        role=cohort.role,
        locked=cohort.locked or cohort.status == CohortStatus.APPROVED,
    )


def _record(
    session: Session,
    program: Program,
    assignment: Assignment,
    existing: dict[str, Cohort],
    members: dict[int, list[int]],
    people: list[Participant],
) -> ProposalSummary:
    by_id = {str(person.id): person for person in people}
    summary = ProposalSummary(registrants=len(people))
    for proposed in assignment.cohorts:
        cohort = existing.get(proposed.id) or _new_cohort(session, program, proposed, by_id)
        summary.new_cohorts += proposed.id not in existing
        if not cohort.locked and cohort.status == CohortStatus.PROPOSED:
            cohort.host_id = int(proposed.host) if proposed.host else None
            cohort.slot = proposed.slot
            session.add(cohort)
        for member_id in proposed.members:
            if int(member_id) not in members.get(cohort.id, ()):
                session.add(CohortMember(cohort_id=cohort.id, participant_id=int(member_id)))
            by_id[member_id].waitlist_reason = by_id[member_id].waitlist_detail = None
        summary.cohorts += 1
        summary.cohorts_with_host += cohort.host_id is not None
        summary.placed += len(proposed.members)
    for waiting in assignment.waitlist:
        person = by_id[waiting.id]
        person.waitlist_reason = waiting.reason.value
        person.waitlist_detail = dict(waiting.detail) if waiting.detail else None
        summary.waitlisted[waiting.reason.value] += 1
    session.flush()
    return summary


def _new_cohort(
    session: Session, program: Program, proposed: MatcherCohort, by_id: dict[str, Participant]
) -> Cohort:
    cohort = Cohort(
        program_id=program.id,
        condition_id=by_id[proposed.members[0]].condition_id,
        role=proposed.role,
        language=proposed.language,
        slot=proposed.slot,
        host_id=int(proposed.host) if proposed.host else None,
    )
    session.add(cohort)
    session.flush()
    return cohort
