"""After approval: moving a meeting, cancelling a cohort, and members leaving, against the Zoom emulator and a
real SMTP server."""

from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import select

from app import database
from app.database import utcnow
from app.messages.kinds import MessageKind
from app.models import (
    AuditEvent,
    Cohort,
    CohortMember,
    Host,
    Meeting,
    MessageStatus,
    OutboundMessage,
    Participant,
    Program,
    ZoomOperation,
    ZoomOperationKind,
    ZoomOperationStatus,
)
from app.services.approval import approve_cohort
from app.services.audit import record_event
from app.services.meeting_changes import MeetingChangeError
from app.services.meeting_changes.cancellation import cancel_cohort, plan_cancellation
from app.services.meeting_changes.open_places import dismiss_open_place, open_places
from app.services.meeting_changes.rescheduling import reschedule_meeting
from app.services.selfservice import erase_participant, withdraw_participant
from app.services.zoom_operations import queue_zoom_update
from app.worker.runner import run_mail_work, run_once, run_zoom_work
from emails.catcher import calendar_part
from integrations.zoom.emulator_state import NotFound

from ..statements import statements_sent

CHANGED = "Your conversation has changed"
CANCELLED = "Your conversation has been cancelled"
HOST = "host-jonah@example.org"


def _approve(app, cohort_id: int) -> Meeting:
    with app.app_context():
        session = database.session()
        meeting = approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
        session.commit()
        return meeting


def _approved_and_invited(app, make_cohorts, **options) -> Meeting:
    [cohort_id] = make_cohorts(1, size=4, **options)
    _approve(app, cohort_id)
    run_once(app)
    with app.app_context():
        return database.session().exec(select(Meeting).where(Meeting.cohort_id == cohort_id)).one()


def _reschedule(app, meeting_id: int, starts_at: datetime) -> None:
    with app.app_context():
        session = database.session()
        reschedule_meeting(session, session.get(Meeting, meeting_id), starts_at, actor="test", now=utcnow())
        session.commit()


def _cancel(app, cohort_id: int, **options) -> None:
    with app.app_context():
        session = database.session()
        cancel_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow(), **options)
        session.commit()


def _messages(app, kind: str) -> list[OutboundMessage]:
    with app.app_context():
        query = select(OutboundMessage).where(OutboundMessage.kind == kind).order_by(OutboundMessage.id)
        return list(database.session().exec(query).all())


def _received(mailbox, subject: str) -> dict[str, Calendar]:
    """Each recipient's calendar file in the emails with this subject."""
    return {
        message["To"].addresses[0].addr_spec: Calendar.from_ical(calendar_part(message))
        for message in mailbox.messages()
        if message["Subject"] == subject
    }


def _event(calendar: Calendar):
    [event] = calendar.walk("VEVENT")
    return event


def test_rescheduling_moves_zoom_the_reminders_and_everyone_s_calendar(
    app, make_cohorts, mailbox, running_emulator
):
    meeting = _approved_and_invited(app, make_cohorts)
    invitations = _received(mailbox, next(m["Subject"] for m in mailbox.messages() if calendar_part(m)))
    new_start = meeting.starts_at + timedelta(days=1, hours=2)

    _reschedule(app, meeting.id, new_start)
    run_once(app)

    stored = running_emulator.emulator.state.get_meeting(int(meeting.zoom_meeting_id))
    assert stored["start_time"] == new_start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert stored["duration"] == meeting.duration_minutes
    changed = _received(mailbox, CHANGED)
    members = {f"member-{meeting.cohort_id}-{seat}@example.org" for seat in range(4)}
    assert members <= changed.keys()
    for address in members:
        before, after = _event(invitations[address]), _event(changed[address])
        assert str(after["UID"]) == str(before["UID"]) == meeting.calendar_uid
        assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
        assert after["DTSTART"].dt == new_start
    reminders = _messages(app, MessageKind.REMINDER)
    assert {r.send_at for r in reminders} == {new_start - timedelta(hours=2)}
    assert {r.status for r in reminders} == {MessageStatus.PENDING}
    with app.app_context():
        cohort = database.session().get(Cohort, meeting.cohort_id)
        assert cohort.slot == new_start.weekday() * 24 + new_start.hour


def test_the_host_is_told_of_the_new_time_too(app, make_cohorts, mailbox):
    meeting = _approved_and_invited(app, make_cohorts)
    _reschedule(app, meeting.id, meeting.starts_at + timedelta(hours=3))
    run_once(app)
    assert HOST in _received(mailbox, CHANGED)


def test_zoom_gets_the_current_host_as_alternative_host_or_none(app, make_cohorts, running_emulator):
    meeting = _approved_and_invited(app, make_cohorts)
    with app.app_context():
        session = database.session()
        host = session.exec(select(Host).where(Host.display_name == "Jonah")).one()
        stored = running_emulator.emulator.state.get_meeting(int(meeting.zoom_meeting_id))
        assert stored["settings"]["alternative_hosts"] == host.zoom_user
        cohort = session.get(Cohort, meeting.cohort_id)
        cohort.host_id = None
        session.add(cohort)
        queue_zoom_update(session, session.get(Meeting, meeting.id))
        session.commit()
    assert run_zoom_work(app)["done"] == 1
    stored = running_emulator.emulator.state.get_meeting(int(meeting.zoom_meeting_id))
    assert stored["settings"]["alternative_hosts"] == ""


def test_a_meeting_moved_close_sends_its_reminder_at_once_and_never_after_it(app, make_cohorts):
    meeting = _approved_and_invited(app, make_cohorts)
    soon = (utcnow() + timedelta(hours=1)).replace(microsecond=0)
    _reschedule(app, meeting.id, soon)
    for reminder in _messages(app, MessageKind.REMINDER):
        assert reminder.send_at <= utcnow() and reminder.not_after == soon
    for survey in _messages(app, MessageKind.SURVEY):
        assert survey.send_at == soon + timedelta(minutes=meeting.duration_minutes, hours=2)


def test_a_second_move_before_the_first_was_sent_sends_one_email_each(app, make_cohorts, mailbox):
    meeting = _approved_and_invited(app, make_cohorts)
    _reschedule(app, meeting.id, meeting.starts_at + timedelta(hours=1))
    _reschedule(app, meeting.id, meeting.starts_at + timedelta(hours=2))
    run_once(app)
    changed = [m for m in mailbox.messages() if m["Subject"] == CHANGED]
    assert len(changed) == len({m["To"] for m in changed}) == 5
    sent = [m for m in _messages(app, MessageKind.MEETING_CHANGED) if m.status == MessageStatus.SENT]
    assert len(sent) == 5
    assert {m.context["previous_starts_at"] for m in sent} == {meeting.starts_at.isoformat()}


@pytest.mark.parametrize(
    ("when", "words"),
    [
        (lambda m: utcnow() - timedelta(hours=1), "already passed"),
        (lambda m: m.starts_at, "already at that time"),
    ],
)
def test_a_move_to_the_past_or_to_the_same_time_is_refused(app, make_cohorts, when, words):
    [cohort_id] = make_cohorts(1)
    meeting = _approve(app, cohort_id)
    with pytest.raises(MeetingChangeError, match=words):
        _reschedule(app, meeting.id, when(meeting))


def test_a_cancelled_meeting_cannot_be_moved(app, make_cohorts):
    [cohort_id] = make_cohorts(1)
    meeting = _approve(app, cohort_id)
    _cancel(app, cohort_id)
    with pytest.raises(MeetingChangeError, match="cancelled"):
        _reschedule(app, meeting.id, meeting.starts_at + timedelta(days=1))


def test_cancelling_an_approved_cohort_deletes_zoom_and_sends_cancellations_only(
    app, make_cohorts, mailbox, running_emulator
):
    meeting = _approved_and_invited(app, make_cohorts)
    _cancel(app, meeting.cohort_id, reason="The host is ill")
    run_once(app)

    with pytest.raises(NotFound):
        running_emulator.emulator.state.get_meeting(int(meeting.zoom_meeting_id))
    cancellations = _received(mailbox, CANCELLED)
    assert set(cancellations) == {f"member-{meeting.cohort_id}-{seat}@example.org" for seat in range(4)} | {
        HOST
    }
    for calendar in cancellations.values():
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(_event(calendar)["UID"]) == meeting.calendar_uid
    sent_before = len(mailbox.messages())
    run_mail_work(app, now=meeting.starts_at - timedelta(minutes=90))
    run_mail_work(app, now=meeting.starts_at + timedelta(hours=4))
    assert len(mailbox.messages()) == sent_before
    assert {m.status for m in _messages(app, MessageKind.REMINDER)} == {MessageStatus.CANCELLED}
    with app.app_context():
        session = database.session()
        assert session.get(Meeting, meeting.id).status == "cancelled"
        assert (
            session.exec(select(CohortMember).where(CohortMember.cohort_id == meeting.cohort_id)).all() == []
        )
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "cohort.cancelled")).one()
        assert event.detail["reason"] == "The host is ill" and event.detail["told"] == 5


def test_cancelling_before_anyone_was_invited_tells_no_one(app, make_cohorts, mailbox):
    [cohort_id] = make_cohorts(1)
    _approve(app, cohort_id)
    _cancel(app, cohort_id)
    run_once(app)
    assert mailbox.messages() == []
    deletes = [op for op in _operations(app) if op.kind == ZoomOperationKind.DELETE]
    assert [op.status for op in deletes] == [ZoomOperationStatus.DONE]
    assert {op.status for op in _operations(app) if op.kind != ZoomOperationKind.DELETE} == {
        ZoomOperationStatus.CANCELLED
    }


def test_deleting_a_meeting_already_gone_from_zoom_counts_as_done(app, make_cohorts, running_emulator):
    meeting = _approved_and_invited(app, make_cohorts)
    running_emulator.emulator.state.delete_meeting(int(meeting.zoom_meeting_id))
    _cancel(app, meeting.cohort_id)
    assert run_zoom_work(app)["done"] == 1
    [delete] = [op for op in _operations(app) if op.kind == ZoomOperationKind.DELETE]
    assert delete.status == ZoomOperationStatus.DONE


def test_cancelling_a_proposed_cohort_unplaces_its_members(app, make_cohorts):
    [cohort_id] = make_cohorts(1, size=4)
    with app.app_context():
        session = database.session()
        members = session.exec(
            select(CohortMember.participant_id).where(CohortMember.cohort_id == cohort_id)
        ).all()
        for participant in session.exec(select(Participant).where(Participant.id.in_(members))):
            participant.waitlist_reason = "too_few_people"
        session.commit()
        plan = plan_cancellation(session, session.get(Cohort, cohort_id), now=utcnow())
        assert plan.meeting is None and len(plan.members) == 4 and plan.told == []
    _cancel(app, cohort_id)
    with app.app_context():
        session = database.session()
        assert session.get(Cohort, cohort_id).status == "cancelled"
        assert session.exec(select(CohortMember)).all() == []
        assert {
            p.waitlist_reason for p in session.exec(select(Participant).where(Participant.id.in_(members)))
        } == {None}
        assert session.exec(select(OutboundMessage)).all() == []
    with pytest.raises(MeetingChangeError, match="already cancelled"):
        _cancel(app, cohort_id)


def test_a_member_who_withdraws_opens_a_place_until_it_is_dismissed(app, make_cohorts):
    [cohort_id] = make_cohorts(1, size=4)
    _approve(app, cohort_id)
    with app.app_context():
        session = database.session()
        program_id = session.get(Cohort, cohort_id).program_id
        leaving = _members(session, cohort_id)[0]
        withdraw_participant(session, leaving)
        session.commit()
        registration = session.exec(
            select(ZoomOperation).where(
                ZoomOperation.participant_id == leaving.id, ZoomOperation.kind == ZoomOperationKind.REGISTER
            )
        ).one()
        assert registration.status == ZoomOperationStatus.CANCELLED
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "participant_withdrew")).one()
        assert event.detail == {"cohort_id": cohort_id}

        program = _program(session, program_id)
        [place] = open_places(session, program)
        assert place.cohort.id == cohort_id and place.members_now == 3 and place.places_open == 1
        assert [leaver.name for leaver in place.left] == [leaving.display_name]
        assert leaving.display_name in place.summary

        dismiss_open_place(session, place.cohort, actor="test")
        session.commit()
        assert open_places(session, program) == []
        with pytest.raises(MeetingChangeError, match="No one has left"):
            dismiss_open_place(session, place.cohort, actor="test")


def test_a_backfill_or_an_erasure_is_seen_as_the_coordinator_expects(app, make_cohorts):
    [cohort_id] = make_cohorts(1, size=4)
    _approve(app, cohort_id)
    with app.app_context():
        session = database.session()
        cohort = session.get(Cohort, cohort_id)
        program = _program(session, cohort.program_id)
        erase_participant(session, _members(session, cohort_id)[0])
        session.commit()
        [place] = open_places(session, program)
        assert place.summary.startswith(f"Group {cohort_id}: someone who asked to be deleted left")
        record_event(
            session, "cohort.backfilled", actor="test", program_id=program.id, subject=("cohort", cohort_id)
        )
        session.commit()
        assert open_places(session, program) == []


def test_a_withdrawal_from_a_cancelled_or_proposed_cohort_opens_no_place(app, make_cohorts):
    [proposed] = make_cohorts(1, size=4)
    with app.app_context():
        session = database.session()
        withdraw_participant(session, _members(session, proposed)[0])
        session.commit()
        assert open_places(session, _program(session, session.get(Cohort, proposed).program_id)) == []


def test_open_places_are_read_in_as_many_statements_for_many_groups_as_for_one(app, make_cohorts):
    cohort_ids = make_cohorts(3, size=4)
    for cohort_id in cohort_ids:
        _approve(app, cohort_id)
    with app.app_context():
        session = database.session()
        program = _program(session, session.get(Cohort, cohort_ids[0]).program_id)
        withdraw_participant(session, _members(session, cohort_ids[0])[0])
        session.commit()
        with statements_sent(session.get_bind()) as one:
            [place] = open_places(session, program)
        assert place.members_now == 3 and place.places_open == 1
        for cohort_id in cohort_ids:
            withdraw_participant(session, _members(session, cohort_id)[0])
        erase_participant(session, _members(session, cohort_ids[2])[0])
        session.commit()
        with statements_sent(session.get_bind()) as many:
            places = open_places(session, program)
    assert len(many) == len(one)
    assert [(place.cohort.id, place.members_now, place.places_open, len(place.left)) for place in places] == [
        (cohort_ids[0], 2, 2, 2),
        (cohort_ids[1], 3, 1, 1),
        (cohort_ids[2], 2, 2, 2),
    ]
    assert places[2].left[1].erased and not places[2].left[0].erased


def _members(session, cohort_id: int) -> list[Participant]:
    return list(
        session.exec(
            select(Participant)
            .join(CohortMember, CohortMember.participant_id == Participant.id)
            .where(CohortMember.cohort_id == cohort_id)
            .order_by(Participant.id)
        ).all()
    )


def _program(session, program_id: int) -> Program:
    return session.get(Program, program_id)


def _operations(app) -> list[ZoomOperation]:
    with app.app_context():
        return list(database.session().exec(select(ZoomOperation).order_by(ZoomOperation.id)).all())
