"""Proposing cohorts: the program's rows in, the matcher's answer out as proposed cohorts and a waitlist.

Re-running keeps what a coordinator already decided: approved and locked cohorts stay exactly as they are,
other proposed cohorts keep their members and may be topped up, and only the rest is matched anew.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlmodel import Session, select

from app.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    Host,
    Participant,
    ParticipantStatus,
    Program,
)
from app.services.matcher_bridge import (
    load_catalogue,
    matcher_cohort,
    matcher_host,
    matcher_registrant,
    matcher_settings,
)
from app.services.scheduling import program_week_start
from app.services.zoom_pool import pool_capacity
from matching.matcher import ProgressCallback, match
from matching.model import Assignment, Problem
from matching.model import Cohort as MatcherCohort


@dataclass
class ProposalSummary:
    registrants: int = 0
    placed: int = 0
    waitlisted: Counter[str] = field(default_factory=Counter)
    cohorts: int = 0
    new_cohorts: int = 0
    cohorts_with_host: int = 0

    def as_dict(self) -> dict:
        return {**asdict(self), "waitlisted": dict(self.waitlisted)}


def propose_cohorts(
    session: Session, program: Program, *, today: date, on_progress: ProgressCallback | None = None
) -> ProposalSummary:
    """Match every verified registrant not yet in a cohort, and record the proposals and the waitlist."""
    catalogue = load_catalogue(session, program)
    week = program_week_start(program, today)
    cohorts = session.exec(
        select(Cohort).where(Cohort.program_id == program.id, Cohort.status != CohortStatus.CANCELLED)
    ).all()
    members = _members_by_cohort(session, cohorts)
    placed = {pid for ids in members.values() for pid in ids}
    people = _people_to_match(session, program, placed)
    hosts = session.exec(select(Host).where(Host.program_id == program.id, Host.active)).all()
    problem = Problem(
        settings=matcher_settings(program, catalogue, zoom_capacity=pool_capacity(session, program)),
        # Someone unsure of their stage has none (None): the matcher places them with any stages.
        registrants=tuple(matcher_registrant(person, catalogue, week) for person in people),
        hosts=tuple(matcher_host(host, week) for host in hosts),
        cohorts=tuple(matcher_cohort(cohort, catalogue, members[cohort.id]) for cohort in cohorts),
    )
    assignment = match(problem, on_progress)
    return _record(session, program, assignment, {str(c.id): c for c in cohorts}, members, people)


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
