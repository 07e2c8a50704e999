"""The program's figures (registered, verified, placed, waiting by reason, groups) are what counting the
registrants one by one gives, whatever the status and reason of a group's members.

The figures count registrants by status, reason and the place marker the database keeps for each
(`Participant.placed`); this checks them against a plain count after each kind of change that gives a
member another status or reason, or a group another status.
"""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from app.database import utcnow
from app.demo import seed_demo
from app.models import Cohort, CohortMember, CohortStatus, Participant, ParticipantStatus
from app.services.overview import Figures, program_figures
from app.services.proposals import propose_cohorts

from .conftest import members_of


def _counted_one_by_one(session, program) -> Figures:
    people = session.exec(select(Participant).where(Participant.program_id == program.id)).all()
    cohorts = session.exec(select(Cohort).where(Cohort.program_id == program.id)).all()
    live = [cohort.id for cohort in cohorts if cohort.status != CohortStatus.CANCELLED]
    placed = set(session.exec(select(CohortMember.participant_id).where(CohortMember.cohort_id.in_(live))))
    waiting = [p for p in people if p.status == ParticipantStatus.VERIFIED and p.id not in placed]
    return Figures(
        registered=sum(p.status != ParticipantStatus.ERASED for p in people),
        verified=sum(p.status == ParticipantStatus.VERIFIED for p in people),
        placed=len(placed),
        unmatched=sum(not p.waitlist_reason for p in waiting),
        waitlisted=Counter(p.waitlist_reason for p in waiting if p.waitlist_reason),
        cohorts=Counter(cohort.status for cohort in cohorts),
        hosted=sum(cohort.host_id is not None for cohort in cohorts if cohort.id in live),
        unhosted=sum(cohort.host_id is None for cohort in cohorts if cohort.id in live),
    )


def test_the_figures_equal_a_count_of_every_registrant_after_each_kind_of_change(db_session):
    session = db_session
    program = seed_demo(session, registrants=60)
    propose_cohorts(session, program, today=utcnow().date())
    session.flush()
    cohorts = session.exec(select(Cohort).where(Cohort.program_id == program.id).order_by(Cohort.id))
    first, second, *_ = cohorts
    member, other, third, *_ = members_of(session, first)
    outsider = session.exec(
        select(Participant)
        .where(Participant.program_id == program.id)
        .where(Participant.id.not_in(select(CohortMember.participant_id)))
    ).first()
    changes = [
        lambda: setattr(member, "status", ParticipantStatus.PAUSED),
        lambda: setattr(other, "status", ParticipantStatus.WITHDRAWN),
        lambda: setattr(third, "waitlist_reason", "no_common_time"),
        lambda: setattr(outsider, "waitlist_reason", "no_common_time"),
        lambda: setattr(outsider, "status", ParticipantStatus.PENDING_VERIFICATION),
        lambda: setattr(second, "status", CohortStatus.APPROVED),
        lambda: setattr(second, "host_id", None),
        lambda: setattr(first, "status", CohortStatus.CANCELLED),
        lambda: setattr(member, "status", ParticipantStatus.ERASED),
    ]
    assert program_figures(session, program) == _counted_one_by_one(session, program)
    for change in changes:
        change()
        session.flush()
        assert program_figures(session, program) == _counted_one_by_one(session, program)
