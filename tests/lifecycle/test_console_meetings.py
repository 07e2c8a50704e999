"""The console's meetings and messages pages, and the changes made from them, with the Zoom emulator and a
real SMTP server behind."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.messages.kinds import MessageKind
from app.models import (
    AuditEvent,
    Cohort,
    CohortMember,
    Meeting,
    MessageStatus,
    OutboundMessage,
    Participant,
    Program,
    ZoomOperation,
    ZoomOperationKind,
)
from app.services.approval import approve_cohort
from app.services.selfservice import withdraw_participant
from app.worker.runner import run_mail_work, run_once, run_zoom_work

MEETINGS = "/console/programs/demo/meetings"


@pytest.fixture
def coordinator(app, program, console_client):
    """A coordinator of the demo program, posting forms without CSRF tokens (CSRF has its own test)."""
    app.config["WTF_CSRF_ENABLED"] = False
    return console_client("demo")


@pytest.fixture
def other_program(app, program) -> Program:
    with app.app_context():
        session = database.session()
        other = Program(
            slug="other", name="Other café", organisation="Elsewhere", contact_email="o@example.org"
        )
        session.add(other)
        session.commit()
        return other


def _approved(app, make_cohorts, *, invited: bool = True) -> Meeting:
    [cohort_id] = make_cohorts(1, size=4)
    with app.app_context():
        session = database.session()
        meeting = approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
        session.commit()
    if invited:
        run_once(app)
    with app.app_context():
        return database.session().get(Meeting, meeting.id)


def _rows(app, model, *conditions):
    with app.app_context():
        return list(database.session().exec(select(model).where(*conditions).order_by(model.id)).all())


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _page_of(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _post(client, url: str, **form) -> str:
    """Post a form and follow the redirect; the page it lands on."""
    response = client.post(url, data=form, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_failed_zoom_call_shows_its_reason_and_retry_makes_it_ready(app, zoom, make_cohorts, coordinator):
    meeting = _approved(app, make_cohorts, invited=False)
    zoom.fail_next(400, code=300, message="Invalid field.")
    run_zoom_work(app)

    page = _page(coordinator, MEETINGS)
    assert "Failed: Zoom refused the request as invalid (Zoom HTTP 400, code 300: Invalid field.)" in page
    [create] = _rows(app, ZoomOperation, ZoomOperation.kind == ZoomOperationKind.CREATE)
    page = _post(coordinator, f"/console/programs/demo/zoom-operations/{create.id}/retry", next=MEETINGS)
    assert "it will be tried again" in page

    run_zoom_work(app)
    page = _page(coordinator, MEETINGS)
    assert "Ready" in page and "Failed" not in page
    assert _rows(app, Meeting, Meeting.id == meeting.id)[0].zoom_meeting_id


def test_the_meeting_page_names_every_recipient_without_their_address(app, make_cohorts, coordinator):
    meeting = _approved(app, make_cohorts)
    page = _page(coordinator, f"{MEETINGS}/{meeting.id}")
    for seat in range(4):
        assert f"Member 0.{seat}" in page
    assert "Jonah (host)" in page
    assert "@example.org" not in page.replace("coordinator-1@example.org", "")
    assert "Invitation" in page and "Reminder" in page and "sent" in page and "queued" in page
    assert "Europe/Madrid" in page
    [viewed] = _rows(app, AuditEvent, AuditEvent.action == "console.viewed_meeting")
    assert viewed.subject_id == str(meeting.id)


def test_a_failed_message_can_be_sent_again(app, make_cohorts, coordinator, mailbox):
    [cohort_id] = make_cohorts(1, size=4)
    with app.app_context():
        session = database.session()
        member = session.exec(
            select(Participant)
            .join(CohortMember)
            .where(CohortMember.cohort_id == cohort_id)
            .order_by(Participant.id)
        ).first()
        member.email = "zoë@example.org"  # an address our emails cannot carry
        session.add(member)
        approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
        session.commit()
        member_id = member.id
    run_once(app)
    [invitation] = _rows(
        app,
        OutboundMessage,
        OutboundMessage.kind == MessageKind.COHORT_INVITATION,
        OutboundMessage.participant_id == member_id,
    )
    assert invitation.status == MessageStatus.FAILED
    page = _page(coordinator, f"{MEETINGS}/{invitation.meeting_id}")
    assert "failed" in page and "could not be built: local-part contains non-ASCII characters" in page

    with app.app_context():
        session = database.session()
        session.get(Participant, member_id).email = "zoe@example.org"
        session.commit()
    retry = f"/console/programs/demo/messages/{invitation.id}/retry"
    assert "will be sent again" in _post(coordinator, retry)
    run_mail_work(app)
    assert _rows(app, OutboundMessage, OutboundMessage.id == invitation.id)[0].status == MessageStatus.SENT
    assert any(message["To"].addresses[0].addr_spec == "zoe@example.org" for message in mailbox.messages())
    assert "Only a failed message can be sent again" in _post(coordinator, retry)


def test_a_queued_message_can_be_cancelled_once(app, make_cohorts, coordinator):
    _approved(app, make_cohorts)
    reminder = _rows(app, OutboundMessage, OutboundMessage.kind == MessageKind.REMINDER)[0]
    cancel = f"/console/programs/demo/messages/{reminder.id}/cancel"
    assert "The reminder to Member 0.0 will not be sent." in _post(coordinator, cancel)
    assert _rows(app, OutboundMessage, OutboundMessage.id == reminder.id)[0].status == MessageStatus.CANCELLED
    assert "Only a message waiting to be sent can be cancelled" in _post(coordinator, cancel)


def test_rescheduling_reads_the_time_in_the_program_s_zone(app, make_cohorts, coordinator):
    meeting = _approved(app, make_cohorts)
    madrid = ZoneInfo("Europe/Madrid")
    local = (meeting.starts_at + timedelta(days=2)).astimezone(madrid).replace(hour=18, minute=30)
    page = _post(
        coordinator,
        f"{MEETINGS}/{meeting.id}/reschedule",
        starts_at=local.strftime("%Y-%m-%dT%H:%M"),
        confirm="yes",
    )
    assert "The meeting now starts" in page and f"{local:%-d %b %Y}, 18:30 {local:%Z}" in page
    moved = _rows(app, Meeting, Meeting.id == meeting.id)[0]
    assert moved.starts_at == local.astimezone(ZoneInfo("UTC")) and moved.calendar_sequence == 1


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("", "Enter the new date and time."),
        ("next tuesday", "Enter the new time as a date and a time"),
        ("2020-01-06T10:00", "The new time has already passed."),
        ("2099-03-29T02:30", "does not exist in Europe/Madrid: the clocks go forward then"),
    ],
)
def test_a_bad_new_time_is_refused_and_changes_nothing(app, make_cohorts, coordinator, value, words):
    meeting = _approved(app, make_cohorts, invited=False)
    page = _post(coordinator, f"{MEETINGS}/{meeting.id}/reschedule", starts_at=value)
    assert words in page
    assert _rows(app, Meeting, Meeting.id == meeting.id)[0].starts_at == meeting.starts_at


def test_cancelling_a_group_says_what_will_happen_then_does_it(app, make_cohorts, coordinator):
    meeting = _approved(app, make_cohorts)
    cancel = f"/console/programs/demo/cohorts/{meeting.cohort_id}/cancel"
    page = _page_of(coordinator.post(cancel, data={"next": MEETINGS}))
    assert "Nothing has changed yet" in page and "Jonah (host)" in page and "Member 0.3" in page
    assert "Zoom meeting is deleted" in page
    assert _rows(app, Cohort, Cohort.id == meeting.cohort_id)[0].status == "approved"

    response = coordinator.post(cancel, data={"confirm": "yes", "next": MEETINGS, "reason": "Host ill"})
    assert response.status_code == 302 and response.headers["Location"].endswith(MEETINGS)
    page = _page(coordinator, MEETINGS)
    assert f"Group {meeting.cohort_id} is cancelled" in page and "5 people get a cancellation email" in page
    assert "Cancelled" in page
    assert _rows(app, Cohort, Cohort.id == meeting.cohort_id)[0].status == "cancelled"
    assert "already cancelled" in _post(coordinator, cancel, confirm="yes")


def test_a_reason_too_long_comes_back_to_be_shortened_and_nothing_is_cancelled(
    app, make_cohorts, coordinator
):
    meeting = _approved(app, make_cohorts)
    cancel = f"/console/programs/demo/cohorts/{meeting.cohort_id}/cancel"
    page = _page_of(coordinator.post(cancel, data={"confirm": "yes", "reason": "Host ill. " * 60}))
    assert "Keep the reason under 500 characters; nothing was cancelled yet." in page
    assert "Host ill. Host ill." in page  # what was written comes back in the box
    assert _rows(app, Cohort, Cohort.id == meeting.cohort_id)[0].status == "approved"


def test_dissolving_a_proposed_group_emails_no_one(app, make_cohorts, coordinator):
    [cohort_id] = make_cohorts(1, size=4)
    cancel = f"/console/programs/demo/cohorts/{cohort_id}/cancel"
    page = _page_of(coordinator.post(cancel))
    assert f"Dissolve group {cohort_id}?" in page and "No one is emailed" in page
    response = coordinator.post(cancel, data={"confirm": "yes", "next": "https://evil.example/console/"})
    assert response.headers["Location"].endswith(f"/console/programs/demo/cohorts/{cohort_id}")
    assert _rows(app, CohortMember, CohortMember.cohort_id == cohort_id) == []


def test_a_place_left_open_is_shown_until_dismissed(app, make_cohorts, coordinator):
    meeting = _approved(app, make_cohorts)
    with app.app_context():
        session = database.session()
        leaving = session.exec(select(Participant).where(Participant.display_name == "Member 0.1")).one()
        withdraw_participant(session, leaving)
        session.commit()
    page = _page(coordinator, MEETINGS)
    assert "Places that opened" in page and "Member 0.1 left on" in page and "1 place is open" in page
    assert _rows(app, AuditEvent, AuditEvent.action == "console.viewed_meetings")

    dismiss = f"/console/programs/demo/cohorts/{meeting.cohort_id}/open-place/dismiss"
    page = _post(coordinator, dismiss, next=MEETINGS)
    assert "stays as it is" in page and "Places that opened" not in page
    assert "No one has left" in _post(coordinator, dismiss)


def _routes(app, meeting: Meeting, slug: str = "demo") -> list[tuple[str, str]]:
    operation_id = _rows(app, ZoomOperation, ZoomOperation.meeting_id == meeting.id)[0].id
    message_id = _rows(app, OutboundMessage, OutboundMessage.meeting_id == meeting.id)[0].id
    base = f"/console/programs/{slug}"
    return [
        ("GET", f"{base}/meetings"),
        ("GET", f"{base}/meetings/{meeting.id}"),
        ("POST", f"{base}/meetings/{meeting.id}/reschedule"),
        ("POST", f"{base}/cohorts/{meeting.cohort_id}/cancel"),
        ("POST", f"{base}/cohorts/{meeting.cohort_id}/open-place/dismiss"),
        ("POST", f"{base}/zoom-operations/{operation_id}/retry"),
        ("POST", f"{base}/messages/{message_id}/retry"),
        ("POST", f"{base}/messages/{message_id}/cancel"),
    ]


def test_only_the_program_s_coordinators_and_admins_reach_these_pages(
    app, make_cohorts, console_client, other_program, client
):
    meeting = _approved(app, make_cohorts, invited=False)
    app.config["WTF_CSRF_ENABLED"] = False
    stranger = console_client("other")
    both = console_client("demo", "other")
    admin = console_client(admin=True)
    for method, url in _routes(app, meeting):
        assert stranger.open(url, method=method).status_code == 404, url
        assert client.open(url, method=method).status_code == 302, url
    for method, url in _routes(app, meeting, slug="other")[1:]:
        assert both.open(url, method=method).status_code == 404, url
    assert admin.get(MEETINGS).status_code == 200
    assert admin.get(f"{MEETINGS}/{meeting.id}").status_code == 200


def test_every_form_needs_its_csrf_token(app, make_cohorts, console_client):
    meeting = _approved(app, make_cohorts, invited=False)
    app.config["WTF_CSRF_ENABLED"] = True
    coordinator = console_client("demo")
    for method, url in _routes(app, meeting):
        if method == "POST":
            assert coordinator.post(url).status_code == 400, url
    page = _page(coordinator, f"{MEETINGS}/{meeting.id}")
    assert page.count('name="csrf_token"') == page.count('<form method="post"') > 1
