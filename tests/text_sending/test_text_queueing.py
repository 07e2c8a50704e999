"""Who gets a text beside their email: only those who gave a mobile number, agreed to texts and did not reply
STOP, in a program whose texts are on; and texts follow their meeting as its emails do."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.database import utcnow
from app.messages.kinds import Channel, MessageKind
from app.messages.queue import cancel_messages
from app.models import Coordinator, MessageStatus, OutboundMessage
from app.services.meeting_changes.cancellation import cancel_cohort
from app.services.meeting_changes.rescheduling import reschedule_meeting
from app.services.programs import update_program

from .conftest import MOBILE, OTHER_MOBILE, agree_to_texts, proposed_group, texts

TEXTED_AT_APPROVAL = {MessageKind.REMINDER, MessageKind.SURVEY}


def test_approval_queues_a_text_beside_the_reminder_and_survey_of_each_member_who_may_be_texted(db_session):
    now = utcnow()
    group = proposed_group(db_session, now=now)
    texted, no_consent, stopped, no_number = group.members[:4]
    agree_to_texts(texted)
    no_consent.phone = OTHER_MOBILE
    agree_to_texts(stopped, "+12015550125").sms_opted_out_at = now - timedelta(hours=1)
    meeting = group.approve(db_session, now=now)

    rows = texts(db_session)
    assert {row.participant_id for row in rows} == {texted.id}
    assert {row.kind for row in rows} == TEXTED_AT_APPROVAL
    assert no_number.phone is None
    for row in rows:
        email = db_session.exec(
            select(OutboundMessage).where(OutboundMessage.dedupe_key == row.dedupe_key.removesuffix(":sms"))
        ).one()
        assert row.dedupe_key == email.dedupe_key + ":sms"
        assert (row.channel, row.recipient, row.meeting_id) == (Channel.SMS, MOBILE, meeting.id)
        assert (row.send_at, row.not_after, row.locale) == (email.send_at, email.not_after, email.locale)


def test_a_program_with_texts_switched_off_queues_none(db_session):
    now = utcnow()
    group = proposed_group(db_session, now=now)
    agree_to_texts(group.members[0])
    group.program.texts_enabled = False
    group.approve(db_session, now=now)

    assert texts(db_session) == []


def test_switching_a_programs_texts_off_cancels_those_waiting_and_leaves_emails(db_session):
    now = utcnow()
    group = proposed_group(db_session, now=now)
    agree_to_texts(group.members[0])
    group.approve(db_session, now=now)
    coordinator = Coordinator(email="coordinator@example.org", password_hash="x", is_admin=True)
    db_session.add(coordinator)
    db_session.flush()
    settings = group.program.model_dump(exclude={"id", "created_at", "slug"})

    changed = update_program(db_session, group.program, {**settings, "texts_enabled": False}, by=coordinator)
    db_session.commit()

    assert changed == ["texts_enabled"]
    rows = texts(db_session)
    assert rows and {(row.status, row.last_error) for row in rows} == {
        (MessageStatus.CANCELLED, "the program's texts were switched off")
    }
    emails = db_session.exec(select(OutboundMessage).where(OutboundMessage.channel == Channel.EMAIL)).all()
    assert {email.status for email in emails} == {MessageStatus.PENDING}


def test_moving_the_meeting_moves_its_texts_and_tells_of_the_change_by_text(db_session):
    now = utcnow()
    group = proposed_group(db_session, now=now)
    member = agree_to_texts(group.members[0])
    meeting = group.approve(db_session, now=now)
    invitation = db_session.exec(
        select(OutboundMessage).where(
            OutboundMessage.kind == MessageKind.COHORT_INVITATION, OutboundMessage.participant_id == member.id
        )
    ).one()
    invitation.status = MessageStatus.SENT  # they know of the meeting, so they are told of its move
    [reminder] = texts(db_session, kind=MessageKind.REMINDER)
    was_due = reminder.send_at

    reschedule_meeting(db_session, meeting, meeting.starts_at + timedelta(days=1), actor="test", now=now)
    db_session.commit()

    db_session.refresh(reminder)
    assert reminder.send_at == was_due + timedelta(days=1)
    [change] = texts(db_session, kind=MessageKind.MEETING_CHANGED)
    assert (change.participant_id, change.recipient, change.status) == (
        member.id,
        MOBILE,
        MessageStatus.PENDING,
    )

    # Moved again before the first change went out: one change, by email and by text, from the first time.
    reschedule_meeting(db_session, meeting, meeting.starts_at + timedelta(days=1), actor="test", now=now)
    db_session.commit()
    changes = texts(db_session, kind=MessageKind.MEETING_CHANGED)
    assert [row.status for row in changes] == [MessageStatus.CANCELLED, MessageStatus.PENDING]


def test_cancelling_the_meeting_cancels_its_texts_and_tells_of_it_by_text(db_session):
    now = utcnow()
    group = proposed_group(db_session, now=now)
    member = agree_to_texts(group.members[0])
    group.approve(db_session, now=now)
    for row in db_session.exec(select(OutboundMessage).where(OutboundMessage.participant_id == member.id)):
        if row.kind == MessageKind.COHORT_INVITATION:
            row.status = MessageStatus.SENT

    cancel_cohort(db_session, group.cohort, actor="test", now=now)
    db_session.commit()

    statuses = {(row.kind, row.status) for row in texts(db_session)}
    assert statuses == {
        (MessageKind.REMINDER, MessageStatus.CANCELLED),
        (MessageKind.SURVEY, MessageStatus.CANCELLED),
        (MessageKind.MEETING_CANCELLED, MessageStatus.PENDING),
    }


def test_cancelling_a_persons_messages_cancels_their_texts_too(db_session):
    now = utcnow()
    group = proposed_group(db_session, now=now)
    member = agree_to_texts(group.members[0])
    group.approve(db_session, now=now)

    cancel_messages(db_session, participant_id=member.id)
    db_session.commit()

    assert {row.status for row in texts(db_session)} == {MessageStatus.CANCELLED}
