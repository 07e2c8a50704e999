"""A coordinator's `flask cohorts approve --all` killed partway, as a crash or the OOM killer would, loses
nothing: approving again queues every message and Zoom call of every cohort, each once."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app import database
from app.database import utcnow
from app.demo import seed_demo
from app.models import Cohort, CohortStatus, Meeting, ZoomUser
from app.services.proposals import propose_cohorts

from ..approvals import expected, queued

pytestmark = pytest.mark.postgres_only


def _waiting_for_a_row(engine) -> bool:
    """Whether another connection to the database waits for a row someone holds."""
    with engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
        ).scalar_one() > 0  # fmt: skip


def test_an_approval_killed_partway_then_run_again_queues_everything_once(deployment, app, wait_for):
    with app.app_context():
        session = database.session()
        program = seed_demo(session, registrants=1500)
        propose_cohorts(session, program, today=utcnow().date())
        # Room for every proposed group: the match counts whole hours, placement a buffer around each meeting.
        session.add_all(ZoomUser(program_id=program.id, user=f"spare-{n}@example.org") for n in range(4))
        session.commit()
        program_id = program.id
    engine = app.extensions["engine"]

    with engine.connect() as holder:  # the Zoom pool, held: the approval holds its groups and waits for it
        holder.execute(select(ZoomUser.id).where(ZoomUser.program_id == program_id).with_for_update())
        approving = deployment.start_flask("approve", "cohorts", "approve", "demo", "--all")
        wait_for(lambda: _waiting_for_a_row(engine) or not approving.running, "the approval to wait")
        assert approving.running, approving.output()
        approving.kill()
        holder.rollback()

    with Session(engine) as session:
        assert session.exec(select(Meeting)).all() == []  # nothing half-done is left
        assert queued(session, program_id) == {}
    deployment.flask("cohorts", "approve", "demo", "--all")

    with Session(engine) as session:
        cohorts = session.exec(select(Cohort.status).where(Cohort.program_id == program_id)).all()
        assert cohorts and set(cohorts) == {CohortStatus.APPROVED}
        assert queued(session, program_id) == expected(session, program_id)
