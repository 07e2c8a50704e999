"""What console tests share."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app import database
from app.demo import seed_demo
from app.models import Cohort, CohortMember, Participant


@pytest.fixture
def demo(app):
    """The demo program without registrants, with forms taken without their CSRF token."""
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        session = database.session()
        program = seed_demo(session)
        session.commit()
        return program


def members_of(session, cohort: Cohort) -> list[Participant]:
    """A cohort's members, in the order they registered."""
    return list(
        session.exec(
            select(Participant)
            .join(CohortMember, CohortMember.participant_id == Participant.id)
            .where(CohortMember.cohort_id == cohort.id)
            .order_by(Participant.id)
        )
    )
