"""The figures the console's list of programs shows for each: registered, confirmed, groups proposed and
approved."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import Cohort, CohortStatus, Participant, ParticipantStatus, Program


@dataclass(frozen=True)
class ProgramSummary:
    registered: int = 0
    verified: int = 0
    proposed: int = 0
    approved: int = 0


def summarise_programs(session: Session, programs: Sequence[Program]) -> dict[int, ProgramSummary]:
    """A few figures for each program, in two queries however many programs there are."""
    ids = [program.id for program in programs]
    people = session.exec(
        select(Participant.program_id, Participant.status, func.count())
        .where(Participant.program_id.in_(ids))
        .group_by(Participant.program_id, Participant.status)
    ).all()
    cohorts = session.exec(
        select(Cohort.program_id, Cohort.status, func.count())
        .where(Cohort.program_id.in_(ids))
        .group_by(Cohort.program_id, Cohort.status)
    ).all()
    registered: Counter[int] = Counter()
    counts: Counter[tuple[int, str]] = Counter()
    for program_id, status, count in people:
        counts[program_id, status] += count
        registered[program_id] += count if status != ParticipantStatus.ERASED else 0
    for program_id, status, count in cohorts:
        counts[program_id, status] += count
    return {
        program_id: ProgramSummary(
            registered=registered[program_id],
            verified=counts[program_id, ParticipantStatus.VERIFIED],
            proposed=counts[program_id, CohortStatus.PROPOSED],
            approved=counts[program_id, CohortStatus.APPROVED],
        )
        for program_id in ids
    }
