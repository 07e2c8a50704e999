"""What the console shows of a program: its figures and its cohorts with their members.

Read-only queries shaped for pages; a page of cohorts costs a fixed number of queries however many
cohorts and members there are.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlalchemy.orm import defer
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
    Unplaced,
)
from app.services.keyset import Page, read_page
from app.services.scheduling import slot_start

COHORTS_PER_PAGE = 50
NO_STAGE = "Not sure"  # a member who did not say their stage
# What no list of groups shows of their members, left unread: decoding it for every member of a page of 50
# groups took longer than the database took to send it.
UNSHOWN = (
    Participant.availability,
    Participant.avoid,
    Participant.waitlist_detail,
    Participant.pending_changes,
    Participant.suggested_slots,
)


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
    """Counted in the database, so a program of any size costs a handful of small rows: one pass over the
    index of the program's registrants counts them by status; those waiting, by reason, are counted from
    the rows the database keeps of them (`Unplaced`), and those placed are the verified less those waiting,
    with the few others that have a place (someone paused keeps theirs)."""
    figures = Figures()
    by_status = Counter(
        dict(
            session.exec(
                select(Participant.status, func.count())
                .where(Participant.program_id == program.id)
                .group_by(Participant.status)
            ).all()
        )
    )
    figures.registered = by_status.total() - by_status[ParticipantStatus.ERASED]
    figures.verified = by_status[ParticipantStatus.VERIFIED]
    waiting = waiting_by_reason(session, program)
    figures.unmatched = waiting.pop(None, 0)
    figures.waitlisted.update(waiting)
    figures.placed = figures.verified - figures.unmatched - figures.waitlisted_total
    figures.placed += _others_placed(session, program)
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


def waiting_by_reason(session: Session, program: Program) -> Counter[str | None]:
    """The program's verified registrants in no live group, by waitlist reason (None: no match has tried
    them yet), from the index of the rows the database keeps of them."""
    query = (
        select(Unplaced.waitlist_reason, func.count())
        .where(Unplaced.program_id == program.id)
        .group_by(Unplaced.waitlist_reason)
    )
    return Counter(dict(session.exec(query).all()))


def _others_placed(session: Session, program: Program) -> int:
    """The members of the program's live groups who are not verified (paused, say): read from the few
    registrants of another status."""
    others = [status for status in ParticipantStatus if status != ParticipantStatus.VERIFIED]
    return session.exec(
        select(func.count())
        .select_from(Participant)
        .join(CohortMember, CohortMember.participant_id == Participant.id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(Participant.program_id == program.id, Participant.status.in_(others))
        .where(Cohort.status != CohortStatus.CANCELLED)
    ).one()


@dataclass(frozen=True)
class CohortFilters:
    name: str = ""  # part of a member's or the host's name, or the group's number
    status: str | None = None
    condition_id: int | None = None


@dataclass(frozen=True)
class CohortList:
    rows: list[CohortRow]
    page: Page  # its rows are the cohorts; its tokens lead to the pages beside it
    total: int  # cohorts that match the filters, on every page


def list_cohorts(
    session: Session,
    program: Program,
    filters: CohortFilters,
    *,
    today: date,
    after: str | None = None,
    before: str | None = None,
) -> CohortList:
    """One page of the program's cohorts that match `filters` (oldest first), after or before the page a
    token names, and how many match in all (counted by the page's statement)."""
    if filters.name:
        # Finding the groups with the name is most of the work: done once, for the page and for the count.
        found = _filtered(select(Cohort.id), program, filters).cte("found")
        query = select(Cohort).where(Cohort.id.in_(select(found.c.id)))
        counted = select(func.count()).select_from(found)
    else:
        query = _filtered(select(Cohort), program, filters)
        counted = _filtered(select(func.count(Cohort.id)), program, filters)
    page = read_page(
        session, query.add_columns(counted.correlate(None).scalar_subquery().label("total")), Cohort.id,
        Cohort.id, after=after, before=before, size=COHORTS_PER_PAGE,
    )  # fmt: skip
    total = page.rows[0].total if page.rows else session.exec(counted).one()
    rows = describe_cohorts(session, program, [row[0] for row in page.rows], today=today)
    return CohortList(rows, page, total)


def _filtered(query, program: Program, filters: CohortFilters):
    query = query.where(Cohort.program_id == program.id)
    if filters.status:
        query = query.where(Cohort.status == filters.status)
    if filters.condition_id:
        query = query.where(Cohort.condition_id == filters.condition_id)
    if filters.name:
        # The registrants with the name are found first, once (on PostgreSQL from the names' trigram
        # index), and their groups looked up by member: the few that match, however many groups there are.
        members = (
            select(CohortMember.cohort_id)
            .join(Participant, Participant.id == CohortMember.participant_id)
            .where(Participant.program_id == program.id)
            .where(Participant.display_name.icontains(filters.name, autoescape=True))
        )
        hosts = select(Host.id).where(
            Host.program_id == program.id, Host.display_name.icontains(filters.name, autoescape=True)
        )
        found = [Cohort.id.in_(members), Cohort.host_id.in_(hosts)]
        if filters.name.isdigit():
            found.append(Cohort.id == int(filters.name))
        query = query.where(or_(*found))
    return query


def describe_cohorts(
    session: Session, program: Program, cohorts: list[Cohort], *, today: date
) -> list[CohortRow]:
    ids = [cohort.id for cohort in cohorts]
    members: dict[int, list[Member]] = defaultdict(list)
    for cohort_id, participant, stage in session.exec(
        select(CohortMember.cohort_id, Participant, Stage)
        .options(*(defer(column) for column in UNSHOWN))
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
