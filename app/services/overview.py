"""What the console shows of a program: its figures and its cohorts with their members.

Read-only queries shaped for pages; a page of cohorts costs a fixed number of queries however many
cohorts and members there are.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    Condition,
    Host,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantStatus,
    Program,
    Stage,
)
from app.services.scheduling import slot_start

COHORTS_PER_PAGE = 50
NO_STAGE = "Not sure"  # a member who did not say their stage


@dataclass
class Figures:
    registered: int = 0
    verified: int = 0
    placed: int = 0
    unmatched: int = 0
    waitlisted: Counter[str] = field(default_factory=Counter)
    cohorts: Counter[str] = field(default_factory=Counter)
    hosted: int = 0
    unhosted: int = 0

    @property
    def waitlisted_total(self) -> int:
        return sum(self.waitlisted.values())


@dataclass(frozen=True)
class Member:
    participant: Participant
    stage: Stage | None

    @property
    def stage_name(self) -> str:
        return self.stage.name if self.stage else NO_STAGE


@dataclass(frozen=True)
class CohortRow:
    cohort: Cohort
    condition: Condition
    host: Host | None
    members: list[Member]
    meeting: Meeting | None
    starts_at: datetime

    @property
    def stage_range(self) -> str:
        stages = sorted({m.stage.position: m.stage.name for m in self.members if m.stage}.items())
        if not stages:
            return "—"
        return stages[0][1] if len(stages) == 1 else f"{stages[0][1]} – {stages[-1][1]}"


def program_figures(session: Session, program: Program) -> Figures:
    """Counted in the database, so a program of any size costs a handful of small rows."""
    figures = Figures()
    statuses = dict(
        session.exec(
            select(Participant.status, func.count())
            .where(Participant.program_id == program.id)
            .group_by(Participant.status)
        ).all()
    )
    figures.registered = sum(n for status, n in statuses.items() if status != ParticipantStatus.ERASED)
    figures.verified = statuses.get(ParticipantStatus.VERIFIED, 0)
    placed = _placed(program)
    figures.placed = session.exec(select(func.count(func.distinct(placed.c.participant_id)))).one()
    for reason, count in session.exec(
        select(Participant.waitlist_reason, func.count())
        .where(Participant.program_id == program.id, Participant.status == ParticipantStatus.VERIFIED)
        .where(Participant.id.not_in(select(placed.c.participant_id)))
        .group_by(Participant.waitlist_reason)
    ):
        if reason:
            figures.waitlisted[reason] = count
        else:
            figures.unmatched = count
    for status, unhosted, count in session.exec(
        select(Cohort.status, Cohort.host_id.is_(None), func.count())
        .where(Cohort.program_id == program.id)
        .group_by(Cohort.status, Cohort.host_id.is_(None))
    ):
        figures.cohorts[status] += count
        if status != CohortStatus.CANCELLED:
            figures.unhosted += count if unhosted else 0
            figures.hosted += 0 if unhosted else count
    return figures


def list_cohorts(
    session: Session,
    program: Program,
    *,
    today: date,
    status: str | None = None,
    condition_id: int | None = None,
    page: int = 1,
) -> tuple[list[CohortRow], int]:
    """One page of the program's cohorts (newest last), and how many cohorts match in all."""
    query = select(Cohort).where(Cohort.program_id == program.id)
    if status:
        query = query.where(Cohort.status == status)
    if condition_id:
        query = query.where(Cohort.condition_id == condition_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    cohorts = session.exec(
        query.order_by(Cohort.id).offset((page - 1) * COHORTS_PER_PAGE).limit(COHORTS_PER_PAGE)
    ).all()
    return describe_cohorts(session, program, cohorts, today=today), total


def describe_cohorts(
    session: Session, program: Program, cohorts: list[Cohort], *, today: date
) -> list[CohortRow]:
    ids = [cohort.id for cohort in cohorts]
    members: dict[int, list[Member]] = defaultdict(list)
    for cohort_id, participant, stage in session.exec(
        select(CohortMember.cohort_id, Participant, Stage)
        .join(Participant, Participant.id == CohortMember.participant_id)
        .outerjoin(Stage, Stage.id == Participant.stage_id)
        .where(CohortMember.cohort_id.in_(ids))
        .order_by(Participant.display_name, Participant.id)
    ):
        members[cohort_id].append(Member(participant, stage))
    meetings = _next_meetings(session, ids)
    conditions = _by_id(session, Condition, {cohort.condition_id for cohort in cohorts})
    hosts = _by_id(session, Host, {cohort.host_id for cohort in cohorts if cohort.host_id})
    return [
        CohortRow(
            cohort=cohort,
            condition=conditions[cohort.condition_id],
            host=hosts.get(cohort.host_id),
            members=members[cohort.id],
            meeting=meetings.get(cohort.id),
            starts_at=meetings[cohort.id].starts_at
            if cohort.id in meetings
            else slot_start(program, cohort.slot, today),
        )
        for cohort in cohorts
    ]


def list_proposed_cohorts(session: Session, program: Program) -> list[Cohort]:
    """The program's cohorts waiting for approval, oldest first."""
    return list(
        session.exec(
            select(Cohort)
            .where(Cohort.program_id == program.id, Cohort.status == CohortStatus.PROPOSED)
            .order_by(Cohort.id)
        ).all()
    )


def _placed(program: Program):
    """The program's members of cohorts that are not cancelled, as a subquery."""
    return (
        select(CohortMember.participant_id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(Cohort.program_id == program.id, Cohort.status != CohortStatus.CANCELLED)
        .subquery()
    )


def _next_meetings(session: Session, cohort_ids: list[int]) -> dict[int, Meeting]:
    """Each cohort's latest meeting that is not cancelled (the one the coordinator acts on)."""
    meetings: dict[int, Meeting] = {}
    for meeting in session.exec(
        select(Meeting)
        .where(Meeting.cohort_id.in_(cohort_ids), Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.number)
    ):
        meetings[meeting.cohort_id] = meeting
    return meetings


def _by_id(session: Session, model, ids: set[int]) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in session.exec(select(model).where(model.id.in_(list(ids))))}
