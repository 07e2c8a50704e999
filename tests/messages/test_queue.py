from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.demo import seed_demo
from app.messages.kinds import MessageKind
from app.messages.queue import cancel_messages, move_messages, queue_message
from app.models import MessageStatus, OutboundMessage

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _queue(session, program, key, **overrides):
    values = {
        "kind": MessageKind.REMINDER,
        "program_id": program.id,
        "recipient": "someone@example.org",
        "dedupe_key": key,
        "send_at": NOON,
        "meeting_id": None,
    }
    return queue_message(session, **{**values, **overrides})


def test_the_same_message_is_never_queued_twice(db_session):
    program = seed_demo(db_session)
    first = _queue(db_session, program, "reminder:1:7")
    second = _queue(db_session, program, "reminder:1:7", recipient="other@example.org")
    db_session.commit()
    assert second.id == first.id
    assert db_session.exec(select(OutboundMessage)).all() == [first]


def test_cancelling_a_participant_leaves_everyone_else_queued(db_session):
    program = seed_demo(db_session, registrants=2)
    _queue(db_session, program, "a", participant_id=1)
    _queue(db_session, program, "b", participant_id=2)
    sent = _queue(db_session, program, "c", participant_id=1)
    sent.status = MessageStatus.SENT
    assert cancel_messages(db_session, participant_id=1) == 1
    db_session.commit()
    statuses = {message.dedupe_key: message.status for message in db_session.exec(select(OutboundMessage))}
    assert statuses == {"a": MessageStatus.CANCELLED, "b": MessageStatus.PENDING, "c": MessageStatus.SENT}


def test_moving_a_meeting_moves_only_the_kinds_that_follow_it(db_session):
    program = seed_demo(db_session)
    reminder = _queue(db_session, program, "r", not_after=NOON + timedelta(hours=2))
    invitation = _queue(db_session, program, "i", kind=MessageKind.COHORT_INVITATION)
    db_session.commit()
    assert move_messages(db_session, None, timedelta(days=7), kinds=(MessageKind.REMINDER,)) == 1
    db_session.commit()
    assert reminder.send_at == NOON + timedelta(days=7)
    assert reminder.not_after == NOON + timedelta(days=7, hours=2)
    assert invitation.send_at == NOON


def test_a_kind_that_is_not_registered_is_refused_and_nothing_is_queued(db_session):
    program = seed_demo(db_session)
    with pytest.raises(ValueError, match="reminders"):
        _queue(db_session, program, "typo", kind="reminders")
    db_session.commit()
    assert db_session.exec(select(OutboundMessage)).all() == []
