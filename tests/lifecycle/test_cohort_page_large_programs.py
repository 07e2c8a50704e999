"""A group's page reads what it shows, not the whole program.

In a program of 100,000 registrants a group's page took a quarter of a second: checking the group and each
host against the Zoom pool read every group of the program, once for every check. The page now asks only
about the groups meeting near its hour, the groups of its condition and the registrants who could join it:
groups meeting elsewhere in the program, and their members, change nothing it reads.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlmodel import select

from app import database
from app.database import utcnow
from app.demo import seed_demo
from app.models import Cohort, CohortMember, Condition, Participant, Program
from app.services.adjustments.moves import move_member
from app.services.cohort_review import review_cohort
from app.services.proposals import propose_cohorts


@contextmanager
def rows_read():
    """The number of rows each statement sent meanwhile returned, in order."""
    counted: list[int] = []

    def count(state):
        frozen = state.invoke_statement().freeze()
        counted.append(len(frozen().all()))
        return frozen()

    event.listen(Session, "do_orm_execute", count)
    try:
        yield counted
    finally:
        event.remove(Session, "do_orm_execute", count)


def _review(session, cohort_id: int) -> tuple[list[int], list[int]]:
    """The rows each statement of the group's page read, and who it offers for the open place."""
    session.expire_all()
    cohort = session.get(Cohort, cohort_id)
    program = session.get(Program, cohort.program_id)
    with rows_read() as counted:
        review = review_cohort(session, program, cohort, now=utcnow())
    return counted, [person.id for person in review.candidates]


def _group_with_a_place_open(session, program: Program, other_than: int) -> int:
    """A proposed group of another condition than `other_than`, one of whose members moved to the waitlist."""
    cohort = session.exec(
        select(Cohort)
        .where(Cohort.program_id == program.id, Cohort.condition_id != other_than)
        .order_by(Cohort.id)
    ).first()
    member = session.exec(
        select(Participant)
        .join(CohortMember, CohortMember.participant_id == Participant.id)
        .where(CohortMember.cohort_id == cohort.id)
    ).first()
    move_member(session, member, None, actor="test", override=True, now=utcnow())
    return cohort.id


def test_groups_meeting_elsewhere_change_nothing_a_groups_page_reads(app, program, make_cohorts):
    with app.app_context():
        session = database.session()
        seed_demo(session, registrants=80)
        propose_cohorts(session, program, today=utcnow().date())
        cll = session.exec(
            select(Condition.id).where(Condition.program_id == program.id, Condition.code == "cll")
        ).one()
        cohort_id = _group_with_a_place_open(session, program, other_than=cll)
        session.commit()
        before, offered = _review(session, cohort_id)
        far = (session.get(Cohort, cohort_id).slot + 84) % 168
    assert offered

    make_cohorts(60, hosted=False, slot=far)  # groups of another condition half a week away, and members

    with app.app_context():
        after, offered_after = _review(database.session(), cohort_id)
    assert (after, offered_after) == (before, offered)
