"""Proposing cohorts: the program's rows in, the matcher's answer out as proposed cohorts and a waitlist.

Re-running keeps what a coordinator already decided: approved and locked cohorts stay exactly as they are,
other proposed cohorts keep their members and may be topped up, and only the rest is matched anew.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from app.bulk import insert_rows_returning_ids, insert_whole_rows, update_rows
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
    REGISTRANT_COLUMNS,
    load_catalogue,
    matcher_cohort,
    matcher_host,
    matcher_registrant,
    matcher_settings,
    read_rows,
)
from app.services.scheduling import program_week_start
from app.services.zoom_pool import pool_capacity
from matching.collector import collector_paused
from matching.matcher import ProgressCallback, match
from matching.model import Assignment, Problem, Waiting
from matching.model import Cohort as MatcherCohort

# What a person's row says about the last match, read with them so that only changes are written.
STANDING_COLUMNS = (Participant.waitlist_reason, Participant.waitlist_detail, Participant.suggested_slots)


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


@collector_paused()
def propose_cohorts(
    session: Session, program: Program, *, today: date, on_progress: ProgressCallback | None = None
) -> ProposalSummary:
    """Match every verified registrant not yet in a cohort, and record the proposals and the waitlist.

    The collector is paused for reading, matching and writing, and resumes once the function has returned:
    by then the problem and the answer are freed, so its first collection does not walk them."""
    found = load_match_input(session, program, today=today)
    assignment = match(found.problem, on_progress)
    return _record(session, program, assignment, found)


@dataclass(frozen=True)
class MatchInput:
    """The matcher's problem for a program, with the rows it was built from (by the matcher's ids)."""

    problem: Problem
    cohorts: dict[str, Cohort]
    members: dict[int, set[int]]
    people: dict[str, Any]


def load_match_input(session: Session, program: Program, *, today: date) -> MatchInput:
    """The program's registrants, hosts and live cohorts as the matcher takes them."""
    catalogue = load_catalogue(session, program)
    week = program_week_start(program, today)
    cohorts = session.exec(
        select(Cohort).where(Cohort.program_id == program.id, Cohort.status != CohortStatus.CANCELLED)
    ).all()
    members = _members_by_cohort(session, program, cohorts)
    people = _people_to_match(session, program)
    hosts = session.exec(select(Host).where(Host.program_id == program.id, Host.active)).all()
    problem = Problem(
        settings=matcher_settings(program, catalogue, zoom_capacity=pool_capacity(session, program)),
        # Someone unsure of their stage has none (None): the matcher places them with any stages.
        registrants=tuple(matcher_registrant(person, catalogue, week) for person in people),
        hosts=tuple(matcher_host(host, week) for host in hosts),
        cohorts=tuple(matcher_cohort(cohort, catalogue, members[cohort.id]) for cohort in cohorts),
    )
    return MatchInput(
        problem,
        cohorts={str(cohort.id): cohort for cohort in cohorts},
        members=members,
        people={str(person.id): person for person in people},
    )


def _members_by_cohort(session: Session, program: Program, cohorts: list[Cohort]) -> dict[int, set[int]]:
    members: dict[int, set[int]] = {cohort.id: set() for cohort in cohorts}
    for cohort_id, participant_id in session.exec(_live_memberships(program)):
        members[cohort_id].add(participant_id)
    return members


def _people_to_match(session: Session, program: Program) -> list[Any]:
    """Everyone already in a cohort (the matcher must know them), and every verified registrant: the columns
    the matcher needs and the standing the last match left them with."""
    placed = _live_memberships(program).with_only_columns(CohortMember.participant_id)
    return read_rows(
        session,
        select(*REGISTRANT_COLUMNS, *STANDING_COLUMNS)
        .where(Participant.program_id == program.id)
        .where((Participant.status == ParticipantStatus.VERIFIED) | Participant.id.in_(placed))
        .order_by(Participant.id),
    )


def _live_memberships(program: Program):
    """The (cohort, participant) pairs of the program's cohorts that are not cancelled, as a query: a list of
    their ids would be one parameter each, and a large program's run past what a statement may carry."""
    return (
        select(CohortMember.cohort_id, CohortMember.participant_id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(Cohort.program_id == program.id, Cohort.status != CohortStatus.CANCELLED)
    )


def _record(session: Session, program: Program, assignment: Assignment, found: MatchInput) -> ProposalSummary:
    """Write the answer with a few statements, leaving alone every row it does not change (so a re-run on an
    unchanged program writes nothing)."""
    summary = ProposalSummary(registrants=len(found.people))
    created = _insert_cohorts(
        session, program, [c for c in assignment.cohorts if c.id not in found.cohorts], found.people
    )
    summary.new_cohorts = len(created)
    places = []
    for proposed in assignment.cohorts:
        cohort_id, host_id = created.get(proposed.id) or _keep_or_top_up(found.cohorts[proposed.id], proposed)
        known = found.members.get(cohort_id, set())
        places += [
            {"cohort_id": cohort_id, "participant_id": int(member)}
            for member in proposed.members
            if int(member) not in known
        ]
        summary.cohorts += 1
        summary.cohorts_with_host += host_id is not None
        summary.placed += len(proposed.members)
    insert_whole_rows(session, CohortMember, places)
    waiting = {entry.id: entry for entry in assignment.waitlist}
    summary.waitlisted.update(entry.reason.value for entry in assignment.waitlist)
    update_rows(session, Participant, _standing_changes(found.people, waiting))
    session.flush()
    return summary


def _insert_cohorts(
    session: Session, program: Program, proposed: list[MatcherCohort], people: dict[str, Any]
) -> dict[str, tuple[int, int | None]]:
    """Create the new cohorts; their database ids and hosts by the matcher's ids."""
    rows = [
        {
            "program_id": program.id,
            "condition_id": people[cohort.members[0]].condition_id,
            "role": cohort.role,
            "language": cohort.language,
            "slot": cohort.slot,
            "host_id": int(cohort.host) if cohort.host else None,
        }
        for cohort in proposed
    ]
    ids = insert_rows_returning_ids(session, Cohort, rows)
    return {
        cohort.id: (cohort_id, row["host_id"])
        for cohort, cohort_id, row in zip(proposed, ids, rows, strict=True)
    }


def _keep_or_top_up(cohort: Cohort, proposed: MatcherCohort) -> tuple[int, int | None]:
    """An approved or locked cohort stays as it is; a proposed one takes the matcher's slot and host."""
    if not cohort.locked and cohort.status == CohortStatus.PROPOSED:
        cohort.host_id = int(proposed.host) if proposed.host else None
        cohort.slot = proposed.slot
    return cohort.id, cohort.host_id


def _standing(waiting: Waiting | None) -> dict[str, Any]:
    """The standing columns for a person: cleared when placed; when waiting, the reason (and its detail) and
    the hours that would place them had they been free then.

    Each key is a column of STANDING_COLUMNS: another column the match sets on a person is added in both
    places, and is then written only where it changed.
    """
    if waiting is None:
        return {"waitlist_reason": None, "waitlist_detail": None, "suggested_slots": []}
    return {
        "waitlist_reason": waiting.reason.value,
        "waitlist_detail": dict(waiting.detail) if waiting.detail else None,
        "suggested_slots": list(waiting.suggested_slots),
    }


def _standing_changes(people: dict[str, Any], waiting: dict[str, Waiting]) -> list[dict[str, Any]]:
    changes = []
    for key, person in people.items():
        wanted = _standing(waiting.get(key))
        if any(getattr(person, column) != value for column, value in wanted.items()):
            changes.append({"id": person.id, **wanted})
    return changes
