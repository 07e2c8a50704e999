"""Approving cohorts sets up their Zoom meetings through the worker, once each, whatever Zoom does; someone
who leaves a group is taken off its meeting at Zoom."""

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.models import (
    Cohort,
    CohortMember,
    Meeting,
    MeetingRegistrant,
    MeetingStatus,
    Participant,
    Program,
    ZoomOperation,
    ZoomOperationKind,
    ZoomOperationStatus,
)
from app.services.approval import approve_cohort
from app.services.follow_up import schedule_next_meeting
from app.services.selfservice import erase_participant, withdraw_participant
from app.services.survey.another_group import ask_for_another_group
from app.services.survey.invitations import SurveyInvitation
from app.worker.runner import run_mail_work, run_zoom_work


def _approve(app, cohort_ids):
    with app.app_context():
        session = database.session()
        for cohort_id in cohort_ids:
            approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
        session.commit()


def _operations(app):
    with app.app_context():
        return database.session().exec(select(ZoomOperation).order_by(ZoomOperation.id)).all()


def test_approving_fifty_cohorts_makes_fifty_meetings_with_one_token(app, zoom, make_cohorts):
    _approve(app, make_cohorts(50, size=4))
    outcome = run_zoom_work(app)
    assert outcome["done"] == 50 + 200
    assert zoom.count("token_requests") == 1
    assert zoom.count("meeting_creates") == 50
    with app.app_context():
        session = database.session()
        meetings = session.exec(select(Meeting)).all()
        assert len(meetings) == 50 and all(m.zoom_meeting_id and m.zoom_join_url for m in meetings)
        registrants = session.exec(select(MeetingRegistrant)).all()
        assert len(registrants) == 200 and len({r.join_url for r in registrants}) == 200


def test_running_the_worker_again_creates_nothing_twice(app, zoom, make_cohorts):
    _approve(app, make_cohorts(2))
    run_zoom_work(app)
    run_zoom_work(app)
    assert zoom.count("meeting_creates") == 2


def test_meeting_starts_at_the_cohort_slot_in_utc(app, zoom, make_cohorts, running_emulator):
    _approve(app, make_cohorts(1, slot=14))
    run_zoom_work(app)
    with app.app_context():
        meeting = database.session().exec(select(Meeting)).one()
    stored = running_emulator.emulator.state.get_meeting(int(meeting.zoom_meeting_id))
    assert meeting.starts_at.weekday() == 0 and meeting.starts_at.hour == 14
    assert stored["start_time"] == meeting.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert stored["settings"]["waiting_room"] is True
    assert "leukaemia" not in stored["topic"].lower()


def test_a_zoom_outage_is_retried_later_and_shown_meanwhile(app, zoom, make_cohorts):
    _approve(app, make_cohorts(1, size=4))
    zoom.fail_next(500, count=3, message="internal error")
    first = run_zoom_work(app)
    assert first["retrying"] == 1
    create = _operations(app)[0]
    assert create.status == ZoomOperationStatus.PENDING and "500" in create.last_error
    assert zoom.count("meeting_creates") == 0
    later = run_zoom_work(app, now=create.next_attempt_at + timedelta(seconds=1))
    assert later["done"] == 5
    assert zoom.count("meeting_creates") == 1
    assert all(op.status == ZoomOperationStatus.DONE and op.last_error is None for op in _operations(app))


def test_a_refused_request_fails_visibly_without_retrying(app, zoom, make_cohorts):
    _approve(app, make_cohorts(1, size=4))
    zoom.fail_next(400, code=300, message="Invalid field.")
    outcome = run_zoom_work(app)
    assert outcome["failed"] == 1
    create = _operations(app)[0]
    assert create.status == ZoomOperationStatus.FAILED
    assert create.last_error_code == "300" and "Invalid field" in create.last_error


def test_the_daily_limit_defers_work_to_midnight_utc(app, zoom, make_cohorts):
    _approve(app, make_cohorts(1, size=4))
    zoom.configure(daily_limit=0)
    now = datetime.now(UTC)
    run_zoom_work(app, now=now)
    create = _operations(app)[0]
    assert create.status == ZoomOperationStatus.PENDING
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    assert create.next_attempt_at == midnight
    registrations = [op for op in _operations(app) if op.kind == "register"]
    assert all(op.status == ZoomOperationStatus.PENDING for op in registrations)


# Leaving the group: the personal join link stops working at Zoom


def _registered(app, zoom_meeting_id: str, running_emulator) -> dict[str, tuple[str, str]]:
    """Each registrant's email at the emulator, with their status and personal link."""
    return {
        r["email"]: (r["status"], r["join_url"])
        for r in running_emulator.emulator.state.registrants(int(zoom_meeting_id))
    }


def _approved_and_set_up(app, make_cohorts, size=5) -> tuple[Meeting, list[Participant]]:
    [cohort_id] = make_cohorts(1, size=size)
    _approve(app, [cohort_id])
    run_zoom_work(app)
    with app.app_context():
        session = database.session()
        meeting = session.exec(select(Meeting).where(Meeting.cohort_id == cohort_id)).one()
        members = session.exec(
            select(Participant)
            .join(CohortMember, CohortMember.participant_id == Participant.id)
            .where(CohortMember.cohort_id == cohort_id)
            .order_by(Participant.id)
        ).all()
    return meeting, list(members)


def _leave(app, leave, participant_id: int) -> None:
    with app.app_context():
        session = database.session()
        leave(session, session.get(Participant, participant_id))
        session.commit()


def _cancellations(app) -> list[ZoomOperation]:
    return [op for op in _operations(app) if op.kind == ZoomOperationKind.CANCEL_REGISTRATION]


@pytest.mark.parametrize("leave", [withdraw_participant, erase_participant], ids=["withdraws", "is_deleted"])
def test_someone_who_leaves_an_approved_group_is_cancelled_at_zoom(
    app, make_cohorts, running_emulator, leave
):
    meeting, members = _approved_and_set_up(app, make_cohorts)
    before = _registered(app, meeting.zoom_meeting_id, running_emulator)
    leaving = members[0]

    _leave(app, leave, leaving.id)
    assert run_zoom_work(app) == {"done": 1}

    after = _registered(app, meeting.zoom_meeting_id, running_emulator)
    assert after[leaving.email][0] == "cancelled"
    assert {email: state for email, state in after.items() if email != leaving.email} == {
        email: state for email, state in before.items() if email != leaving.email
    }  # the others keep their registration and their link
    [cancel] = _cancellations(app)
    # Once made, the call of someone erased no longer names them.
    named = None if leave is erase_participant else leaving.id
    assert cancel.status == ZoomOperationStatus.DONE and cancel.participant_id == named
    with app.app_context():
        rows = database.session().exec(select(MeetingRegistrant.participant_id)).all()
    assert sorted(rows) == sorted(member.id for member in members[1:])


def test_a_registration_under_way_is_cancelled_once_it_is_made(app, make_cohorts, running_emulator):
    [cohort_id] = make_cohorts(1, size=4)
    _approve(app, [cohort_id])
    with app.app_context():
        session = database.session()
        leaving = session.exec(
            select(Participant).join(CohortMember).where(CohortMember.cohort_id == cohort_id)
        ).first()
        # Another worker is registering them right now.
        register = session.exec(
            select(ZoomOperation).where(
                ZoomOperation.participant_id == leaving.id, ZoomOperation.kind == ZoomOperationKind.REGISTER
            )
        ).one()
        register.status, register.claimed_by = ZoomOperationStatus.RUNNING, "other-worker"
        register.claimed_at = utcnow()
        session.commit()
    _leave(app, withdraw_participant, leaving.id)

    first = run_zoom_work(app)
    assert first["waiting"] == 1  # the cancellation waits for the registration
    [cancel] = _cancellations(app)
    assert cancel.status == ZoomOperationStatus.PENDING and cancel.attempts == 0

    # The other worker's registration goes through (it had checked membership before the member left).
    with app.app_context():
        session = database.session()
        meeting = session.exec(select(Meeting).where(Meeting.cohort_id == cohort_id)).one()
        made = app.extensions["zoom_client"].register_participant(
            int(meeting.zoom_meeting_id), email=leaving.email, first_name=leaving.display_name
        )
        session.add(
            MeetingRegistrant(
                meeting_id=meeting.id, participant_id=leaving.id, zoom_registrant_id=made.registrant_id,
                join_url=made.join_url,
            )
        )  # fmt: skip
        session.get(ZoomOperation, register.id).status = ZoomOperationStatus.DONE
        session.commit()
    assert _registered(app, meeting.zoom_meeting_id, running_emulator)[leaving.email][0] == "approved"

    assert run_zoom_work(app, now=cancel.next_attempt_at + timedelta(seconds=1)) == {"done": 1}
    assert _registered(app, meeting.zoom_meeting_id, running_emulator)[leaving.email][0] == "cancelled"


def test_someone_never_registered_needs_no_cancellation(app, make_cohorts, zoom):
    [cohort_id] = make_cohorts(1, size=4)
    _approve(app, [cohort_id])
    with app.app_context():
        leaving = (
            database.session().exec(select(CohortMember).where(CohortMember.cohort_id == cohort_id)).first()
        )
    _leave(app, withdraw_participant, leaving.participant_id)
    run_zoom_work(app)
    assert _cancellations(app) == []
    assert zoom.count("api_requests") == 1 + 3  # the meeting, and the three who stayed


def test_a_cancellation_lost_on_the_way_is_retried_and_a_registrant_already_gone_counts_as_done(
    app, make_cohorts, zoom, running_emulator
):
    meeting, members = _approved_and_set_up(app, make_cohorts)
    _leave(app, withdraw_participant, members[0].id)
    zoom.fail_next(500, count=2)  # the client's own two tries: the call is recorded for later
    assert run_zoom_work(app)["retrying"] == 1
    [cancel] = _cancellations(app)
    # Meanwhile the meeting went at Zoom, registrations and all.
    running_emulator.emulator.state.delete_meeting(int(meeting.zoom_meeting_id))

    assert run_zoom_work(app, now=cancel.next_attempt_at + timedelta(seconds=1)) == {"done": 1}
    with app.app_context():
        session = database.session()
        assert session.get(ZoomOperation, cancel.id).last_error is None
        assert (
            session.exec(
                select(MeetingRegistrant).where(MeetingRegistrant.participant_id == members[0].id)
            ).all()
            == []
        )


def test_the_meeting_page_says_whose_registration_is_cancelled(app, make_cohorts, console_client, zoom):
    meeting, members = _approved_and_set_up(app, make_cohorts)
    _leave(app, withdraw_participant, members[0].id)
    zoom.fail_next(400, code=3000, message="Cannot access meeting information.")
    run_zoom_work(app)

    page = console_client("demo").get(f"/console/programs/demo/meetings/{meeting.id}").text

    assert f"Cancel the Zoom registration of {members[0].display_name}" in page
    assert "Zoom would not let us change this meeting" in page


def test_asking_for_another_group_after_a_missed_meet_up_cancels_the_next_one_only(
    app, make_cohorts, running_emulator
):
    first, members = _approved_and_set_up(app, make_cohorts)
    with app.app_context():
        session = database.session()
        held = session.get(Meeting, first.id)
        held.starts_at, held.status = utcnow() - timedelta(hours=3), MeetingStatus.ENDED
        session.commit()
        cohort = session.get(Cohort, first.cohort_id)
        second = schedule_next_meeting(session, cohort, actor="test", now=utcnow())
        session.commit()
    run_zoom_work(app)
    leaving = members[0]

    with app.app_context():
        session = database.session()
        program = session.get(Program, session.get(Cohort, first.cohort_id).program_id)
        invitation = SurveyInvitation(
            session.get(Participant, leaving.id), session.get(Meeting, first.id), program
        )
        ask_for_another_group(session, invitation)
        session.commit()
    assert run_zoom_work(app) == {"done": 1}

    with app.app_context():
        second = database.session().get(Meeting, second.id)
    assert _registered(app, second.zoom_meeting_id, running_emulator)[leaving.email][0] == "cancelled"
    assert _registered(app, first.zoom_meeting_id, running_emulator)[leaving.email][0] == "approved"


def test_invitations_that_reached_the_mail_worker_first_go_as_soon_as_the_meeting_exists(
    app, zoom, make_cohorts, mailbox
):
    _approve(app, make_cohorts(1, size=4))
    now = utcnow()
    waiting = run_mail_work(app, now)["waiting"]  # a second worker got to the messages first
    assert waiting == 4 + 1  # each member's invitation and the host's briefing
    run_zoom_work(app, now)
    assert run_mail_work(app, now)["sent"] == waiting  # not two minutes later
    assert len(mailbox.messages()) == waiting
    assert all(operation.status == ZoomOperationStatus.DONE for operation in _operations(app))


def test_an_invitation_waits_for_the_members_own_link_and_has_the_meetings_only_if_registering_failed(
    app, zoom, make_cohorts, mailbox
):
    _approve(app, make_cohorts(1, size=4))
    now, later = utcnow(), utcnow() + timedelta(minutes=10)
    with app.app_context():  # Zoom refused one registration for good; the others wait for a retry
        session = database.session()
        refused, *retrying = session.exec(
            select(ZoomOperation)
            .where(ZoomOperation.kind == ZoomOperationKind.REGISTER)
            .order_by(ZoomOperation.id)
        ).all()
        refused.status, refused.last_error = ZoomOperationStatus.FAILED, "Zoom refused the registration"
        for operation in retrying:
            operation.next_attempt_at, operation.last_error = later, "Zoom was busy"
        session.commit()
        refused_id, emails = (
            refused.participant_id,
            {p.id: p.email for p in session.exec(select(Participant))},
        )

    run_zoom_work(app, now)  # the meeting exists now
    run_mail_work(app, now)
    assert _invited(mailbox) == {emails[refused_id]}  # with the meeting's link: there is no other
    run_zoom_work(app, later)
    run_mail_work(app, later)
    assert _invited(mailbox) == set(emails.values())

    with app.app_context():
        session = database.session()
        meeting = session.exec(select(Meeting)).one()
        personal = dict(
            session.exec(select(MeetingRegistrant.participant_id, MeetingRegistrant.join_url)).all()
        )
    bodies = {parseaddr(m["To"])[1]: m.get_body(("plain",)).get_content() for m in mailbox.messages()}
    assert meeting.zoom_join_url in bodies[emails[refused_id]] and refused_id not in personal
    for participant_id, link in personal.items():
        assert link in bodies[emails[participant_id]]


def _invited(mailbox) -> set[str]:
    """Who has had an invitation (the host's briefing aside)."""
    return {parseaddr(m["To"])[1] for m in mailbox.messages() if parseaddr(m["To"])[1].startswith("member-")}
