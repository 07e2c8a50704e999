"""Approving many cohorts queues every message and Zoom call each needs, once, however often it runs."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from app.database import utcnow
from app.demo import seed_demo
from app.messages.kinds import MEMBER_SCHEDULE, MessageKind
from app.messages.queue import message_row, queue_messages
from app.models import Cohort, MessageStatus, OutboundMessage, Program
from app.services.approval import approve_each_cohort
from app.services.meeting_setup import cohort_members, queue_member_messages
from app.services.proposals import propose_cohorts

from ..approvals import expected, queued


def _approve_every_cohort(session, program: Program) -> list:
    cohorts = session.exec(select(Cohort).where(Cohort.program_id == program.id).order_by(Cohort.id)).all()
    outcome = approve_each_cohort(session, list(cohorts), actor="test", now=utcnow())
    session.commit()
    return outcome.approved


def test_approving_twice_queues_each_message_and_zoom_call_once(db_session):
    program = seed_demo(db_session, registrants=120)
    propose_cohorts(db_session, program, today=utcnow().date())
    db_session.commit()
    meetings = _approve_every_cohort(db_session, program)
    first = queued(db_session, program.id)

    assert _approve_every_cohort(db_session, program) == []
    for meeting in meetings:  # and each meeting's messages queued over again, as a re-run would
        for member in cohort_members(db_session, db_session.get(Cohort, meeting.cohort_id)):
            queue_member_messages(db_session, program, meeting, member, now=utcnow())
    db_session.commit()

    invited = sum(1 for row in first if row[0] == "zoom" and row[1] == "register")
    by_kind = Counter(row[0] for row in queued(db_session, program.id).elements())
    assert meetings and invited
    assert {kind: by_kind[kind] for kind in MEMBER_SCHEDULE} == dict.fromkeys(MEMBER_SCHEDULE, invited)
    assert by_kind[MessageKind.WAITLISTED] == sum(1 for row in first if row[0] == MessageKind.WAITLISTED) > 0
    assert queued(db_session, program.id) == first == expected(db_session, program.id)


def test_messages_queued_together_are_each_queued_once_as_if_queued_alone(db_session):
    program = seed_demo(db_session)
    rows = [
        message_row(kind=MessageKind.WAITLISTED, program_id=program.id, recipient=f"p{n}@example.org",
                    dedupe_key=f"together-{n}", send_at=utcnow())
        for n in range(3)
    ]  # fmt: skip
    queue_messages(db_session, rows[:2])
    queue_messages(db_session, rows)
    db_session.commit()

    messages = db_session.exec(select(OutboundMessage).order_by(OutboundMessage.dedupe_key)).all()
    assert [message.recipient for message in messages] == [
        "p0@example.org",
        "p1@example.org",
        "p2@example.org",
    ]
    for message in messages:
        assert (message.status, message.attempts, message.locale, message.context) == (
            MessageStatus.PENDING, 0, "en", {}
        )  # fmt: skip
        assert message.created_at is not None and message.created_at <= utcnow()


def test_every_cohort_the_matcher_lets_meet_finds_a_free_zoom_user(db_session):
    # The demo's pool runs four meetings at once: the matcher fills some hours to it, and approving in
    # any order but the meetings' own could leave gaps between a user's meetings that no meeting fits.
    program = seed_demo(db_session, registrants=1500)
    propose_cohorts(db_session, program, today=utcnow().date())
    db_session.commit()
    cohorts = db_session.exec(select(Cohort).where(Cohort.program_id == program.id).order_by(Cohort.id)).all()

    outcome = approve_each_cohort(db_session, list(cohorts), actor="test", now=utcnow())

    assert outcome.refused == [] and len(outcome.approved) == len(cohorts)
