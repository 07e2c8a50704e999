"""What the console's waitlist page shows: how many wait for each reason, one page of the people waiting
(longest waiting first), and for each of them the groups that could take them.

A program of 100,000 registrants may have tens of thousands waiting and thousands of groups: the page reads
one page of people, counts the rest in the database, and offers each person only the few groups that fit.
Who is in no group the database keeps as rows of their own (`Unplaced`): the page is read in their index's
order, and the counts by reason come from it (as the program's figures do), or, when one page holds
everyone, from that page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import Participant, Program, Stage, Unplaced
from app.services.destinations import Destination, Seeker, offers_to_seekers
from app.services.keyset import Page, read_page
from app.services.matcher_bridge import Catalogue, load_catalogue, matcher_registrant
from app.services.overview import waiting_by_reason
from app.services.scheduling import program_week_start

NOT_MATCHED = "unmatched"  # the reason filter for people no match has tried yet (no reason recorded)
# Only what the page shows, and what choosing the groups to offer needs.
COLUMNS = (
    Participant.id,
    Participant.display_name,
    Participant.role,
    Participant.condition_id,
    Participant.stage_id,
    Participant.languages,
    Participant.timezone,
    Participant.availability,
    Participant.avoid,
    Participant.waitlist_reason,
    Participant.waitlist_detail,
    Stage.name.label("stage_name"),
)


@dataclass(frozen=True)
class WaitlistFilters:
    name: str = ""
    condition_id: int | None = None
    reason: str | None = None  # a waitlist reason, or NOT_MATCHED


@dataclass(frozen=True)
class WaitlistPage:
    counts: list[tuple[str, int]]  # (reason or NOT_MATCHED, people), for the name and condition chosen
    page: Page  # rows with COLUMNS
    offers: dict[int, list[Destination]]  # by participant id
    catalogue: Catalogue


def describe_waitlist(
    session: Session,
    program: Program,
    filters: WaitlistFilters,
    *,
    after: str | None = None,
    before: str | None = None,
    today: date,
) -> WaitlistPage:
    catalogue = load_catalogue(session, program)
    page = read_page(
        session,
        _filtered(select(*COLUMNS).outerjoin(Stage, Stage.id == Participant.stage_id), program, filters),
        Unplaced.verified_at,
        Unplaced.participant_id,
        after=after,
        before=before,
    )
    offers = _offers(session, program, page.rows, catalogue, program_week_start(program, today))
    return WaitlistPage(_counts(session, program, filters, page), page, offers, catalogue)


def _counts(
    session: Session, program: Program, filters: WaitlistFilters, page: Page
) -> list[tuple[str, int]]:
    """`count_by_reason`; when the page holds everyone the filters find, of any reason, counted from it
    rather than asked of the database once more."""
    if filters.reason is None and page.after is None and page.before is None:
        return sorted(Counter(row.waitlist_reason or NOT_MATCHED for row in page.rows).items())
    return count_by_reason(session, program, filters)


def count_by_reason(session: Session, program: Program, filters: WaitlistFilters) -> list[tuple[str, int]]:
    """How many wait for each reason, for the name and condition filters but any reason. With neither, from
    the counts of the program's registrants (`waiting_by_reason`); with one, from those the filters find."""
    if filters.name or filters.condition_id:
        query = select(Unplaced.waitlist_reason, func.count()).select_from(Participant)
        query = query.group_by(Unplaced.waitlist_reason)
        everyone = WaitlistFilters(name=filters.name, condition_id=filters.condition_id)
        counts = Counter(dict(session.exec(_filtered(query, program, everyone)).all()))
    else:
        counts = waiting_by_reason(session, program)
    return sorted((reason or NOT_MATCHED, count) for reason, count in counts.items() if count)


def _filtered(query, program: Program, filters: WaitlistFilters):
    """`query` (of `Participant`) narrowed to the program's verified registrants with no place, and to
    `filters`: those the database keeps as waiting (`Unplaced`), read in their index's order."""
    query = query.join(Unplaced, Unplaced.participant_id == Participant.id).where(
        Unplaced.program_id == program.id
    )
    if filters.name:
        query = query.where(Participant.display_name.icontains(filters.name, autoescape=True))
    if filters.condition_id:
        query = query.where(Participant.condition_id == filters.condition_id)
    if filters.reason == NOT_MATCHED:
        query = query.where(Unplaced.waitlist_reason.is_(None))
    elif filters.reason:
        query = query.where(Unplaced.waitlist_reason == filters.reason)
    return query


def _offers(session: Session, program: Program, rows, catalogue: Catalogue, week: date):
    """For each person, the groups that could take them (`offers_to_seekers`). Any other group can be named by
    its number (the rule check then asks before breaking a rule)."""
    seekers = {
        row.id: Seeker(
            row.condition_id, row.languages, row.role, matcher_registrant(row, catalogue, week).availability
        )
        for row in rows
    }
    return offers_to_seekers(session, program, seekers)
