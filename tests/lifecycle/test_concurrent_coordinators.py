"""Two coordinators acting on the same group at the same moment: one goes first, the other is told, and
nothing is done twice or left half done.

PostgreSQL only: SQLite lets one writer in at a time, so nothing there happens at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from app import database
from app.database import utcnow
from app.messages.kinds import MessageKind
from app.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    Meeting,
    MeetingStatus,
    OutboundMessage,
    Participant,
    Program,
    ZoomOperation,
    ZoomOperationKind,
    ZoomOperationStatus,
)
from app.services.adjustments import NeedsOverride
from app.services.adjustments.moves import move_member
from app.services.approval import ApprovalError, approve_cohort
from app.services.meeting_changes import MeetingChangeError
from app.services.meeting_changes.cancellation import cancel_cohort
from app.services.meeting_changes.rescheduling import reschedule_meeting

from .test_adjustments import Build

ACTOR = {"actor": "coordinator@example.org"}


@pytest.fixture(autouse=True)
def _postgresql_only(database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite runs one writer at a time: there is no concurrency to test")


def at_once(app, *actions: Callable[[Session], object]) -> list[object]:
    """Run each action in its own thread and database session, all released at the same instant, each
    committing its own work; what each returned, or the exception it raised."""
    start = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[Session], object]) -> None:
        with app.app_context():
            session = database.session()
            start.wait()
            try:
                outcomes[index] = action(session)
                session.commit()
            except Exception as error:  # the outcome the test looks at
                session.rollback()
                outcomes[index] = error

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def approving(cohort_id: int):
    return lambda session: approve_cohort(session, session.get(Cohort, cohort_id), now=utcnow(), **ACTOR)


def cancelling(cohort_id: int):
    return lambda session: cancel_cohort(session, session.get(Cohort, cohort_id), now=utcnow(), **ACTOR)


def moving(participant_id: int, cohort_id: int):
    def move(session: Session):
        person, target = session.get(Participant, participant_id), session.get(Cohort, cohort_id)
        return move_member(session, person, target, now=utcnow(), **ACTOR)

    return move


def _count(app, statement) -> int:
    with app.app_context():
        return database.session().exec(statement).one()


def test_two_coordinators_approving_one_group_make_one_meeting_and_one_set_of_invitations(app, make_cohorts):
    [cohort_id] = make_cohorts(1)
    outcomes = at_once(app, approving(cohort_id), approving(cohort_id))
    assert sum(isinstance(outcome, Meeting) for outcome in outcomes) == 1
    [refusal] = [outcome for outcome in outcomes if not isinstance(outcome, Meeting)]
    assert isinstance(refusal, ApprovalError) and "approved, so it cannot be approved" in str(refusal)
    meetings = select(func.count()).select_from(Meeting).where(Meeting.cohort_id == cohort_id)
    assert _count(app, meetings) == 1
    creates = (
        select(func.count()).select_from(ZoomOperation).where(ZoomOperation.kind == ZoomOperationKind.CREATE)
    )
    assert _count(app, creates) == 1
    invitations = (
        select(func.count())
        .select_from(OutboundMessage)
        .where(OutboundMessage.kind == MessageKind.COHORT_INVITATION)
    )
    assert _count(app, invitations) == 4


def test_approving_and_cancelling_at_once_never_leaves_a_cancelled_group_with_invitations_to_send(
    app, make_cohorts
):
    [cohort_id] = make_cohorts(1)
    at_once(app, approving(cohort_id), cancelling(cohort_id))
    with app.app_context():
        session = database.session()
        cohort = session.get(Cohort, cohort_id)
        meetings = session.exec(select(Meeting).where(Meeting.cohort_id == cohort_id)).all()
        invitations_to_send = session.exec(
            select(OutboundMessage).where(
                OutboundMessage.kind == MessageKind.COHORT_INVITATION, OutboundMessage.status == "pending"
            )
        ).all()
    assert cohort.status == CohortStatus.CANCELLED  # cancelling wins whichever came first
    assert all(meeting.status == MeetingStatus.CANCELLED for meeting in meetings)
    assert invitations_to_send == []


def test_moving_and_cancelling_a_meeting_at_once_leaves_no_new_time_to_announce(app, make_cohorts):
    [cohort_id] = make_cohorts(1)
    [meeting] = at_once(app, approving(cohort_id))
    later = meeting.starts_at + timedelta(days=1)

    def rescheduling(session: Session):
        return reschedule_meeting(session, session.get(Meeting, meeting.id), later, now=utcnow(), **ACTOR)

    outcomes = at_once(app, rescheduling, cancelling(cohort_id))
    assert not any(
        isinstance(outcome, Exception) and not isinstance(outcome, MeetingChangeError) for outcome in outcomes
    )
    with app.app_context():
        session = database.session()
        assert session.get(Meeting, meeting.id).status == MeetingStatus.CANCELLED
        still_to_send = session.exec(
            select(OutboundMessage.kind).where(OutboundMessage.status == "pending")
        ).all()
        zoom_calls = session.exec(
            select(ZoomOperation.kind).where(ZoomOperation.status == ZoomOperationStatus.PENDING)
        ).all()
    # Nobody is told of a new time for a cancelled meeting.
    assert set(still_to_send) <= {MessageKind.MEETING_CANCELLED}
    assert set(zoom_calls) == {ZoomOperationKind.DELETE}


def test_two_people_moved_into_the_last_place_of_a_group_at_once_do_not_overfill_it(app, program):
    with app.app_context():
        session = database.session()
        build = Build(session, session.get(Program, program.id))
        names = [f"Member {seat}" for seat in range(program.max_size - 1)]
        cohort_id = build.group(*names).id
        waiting = [build.person("Ana").id, build.person("Ben").id]
        session.commit()
    outcomes = at_once(app, *(moving(person, cohort_id) for person in waiting))
    assert sum(isinstance(outcome, NeedsOverride) for outcome in outcomes) == 1
    places = select(func.count()).select_from(CohortMember).where(CohortMember.cohort_id == cohort_id)
    assert _count(app, places) == program.max_size


def test_two_groups_approved_at_once_never_share_a_zoom_user_that_runs_one_meeting(
    app, make_cohorts, zoom_pool
):
    first, second = make_cohorts(2, hosted=False)
    zoom_pool({"only@example.org": 1})
    outcomes = at_once(app, approving(first), approving(second))
    assert sum(isinstance(outcome, Meeting) for outcome in outcomes) == 1
    [refusal] = [outcome for outcome in outcomes if not isinstance(outcome, Meeting)]
    assert isinstance(refusal, ApprovalError) and "runs other meetings" in str(refusal)
    held = select(func.count()).select_from(Meeting).where(Meeting.zoom_user == "only@example.org")
    assert _count(app, held) == 1
