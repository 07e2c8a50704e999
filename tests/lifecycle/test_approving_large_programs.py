"""Approving a program's groups costs as many statements for many groups as for few.

Approving a group used to take a dozen statements, and placing its meeting on the Zoom pool read every
pool user's meetings anew, so approving a program of thousands of groups took minutes. An approval reads
what it needs once for all its groups and writes each kind of row together.
"""

from __future__ import annotations

from sqlmodel import select

from app.database import utcnow
from app.demo import seed_demo
from app.models import Cohort, CohortStatus, Meeting
from app.services.approval import approve_each_cohort
from app.services.proposals import propose_cohorts

from ..statements import statements_sent


def _approve_all(session, registrants: int) -> tuple[int, list[str]]:
    """Groups approved in a fresh demo program of `registrants`, and the statements approving them took."""
    program = seed_demo(session, registrants=registrants)
    propose_cohorts(session, program, today=utcnow().date())
    session.commit()
    proposed = session.exec(
        select(Cohort).where(Cohort.program_id == program.id, Cohort.status == CohortStatus.PROPOSED)
    ).all()
    with statements_sent(session.get_bind()) as sent:
        outcome = approve_each_cohort(session, list(proposed), actor="test", now=utcnow())
        session.commit()
    assert outcome.refused == []
    meetings = session.exec(select(Meeting.zoom_user).join(Cohort).where(Cohort.program_id == program.id))
    assert None not in meetings.all()
    return len(outcome.approved), sent


def test_approving_many_groups_takes_as_many_statements_as_approving_few(db_session):
    few, few_statements = _approve_all(db_session, 60)
    many, many_statements = _approve_all(db_session, 360)

    assert many > 4 * few > 0
    assert len(many_statements) == len(few_statements), "\n".join(many_statements)
