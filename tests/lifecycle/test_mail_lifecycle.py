"""Approved cohorts' messages reach each member once, on time, through a real SMTP server."""

from datetime import timedelta

from icalendar import Calendar
from sqlmodel import select

from app import database
from app.claims import DEFAULT_LEASE, claim_due
from app.database import utcnow
from app.demo import seed_demo
from app.links import make_token
from app.messages.dispatch import MAIL_QUEUE
from app.messages.kinds import MessageKind
from app.messages.queue import cancel_messages
from app.models import (
    AuditEvent,
    Cohort,
    CohortMember,
    Host,
    Meeting,
    MessageStatus,
    OutboundMessage,
    Participant,
)
from app.services.adjustments.cohort_edits import set_host
from app.services.approval import approve_cohort
from app.services.selfservice import withdraw_participant
from app.worker.runner import run_mail_work, run_once
from emails.catcher import calendar_part

from ..emails.wire import calendar_values


def _approve_one(app, make_cohorts) -> Meeting:
    [cohort_id] = make_cohorts(1, size=4)
    with app.app_context():
        session = database.session()
        meeting = approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
        session.commit()
        return meeting


def _statuses(app, kind):
    with app.app_context():
        rows = database.session().exec(select(OutboundMessage).where(OutboundMessage.kind == kind)).all()
        return sorted(row.status for row in rows)


def _subjects(mailbox):
    return sorted(message["Subject"] for message in mailbox.messages())


def test_each_member_gets_one_invitation_with_their_own_calendar_invite(app, make_cohorts, mailbox):
    meeting = _approve_one(app, make_cohorts)
    run_once(app)
    run_once(app)
    invitations = [
        m
        for m in mailbox.messages()
        if calendar_part(m) and m["To"].addresses[0].username.startswith("member")
    ]
    assert len(invitations) == 4
    assert len({message["To"] for message in invitations}) == 4
    for message in invitations:
        assert message["Cc"] is None and message["Bcc"] is None
        event = Calendar.from_ical(calendar_part(message))
        assert str(event["METHOD"]) == "REQUEST"
        [vevent] = event.walk("VEVENT")
        assert str(vevent["UID"]) == meeting.calendar_uid
        assert vevent["DTSTART"].dt == meeting.starts_at
        attendees = vevent.get("ATTENDEE")
        assert str(attendees).lower() == f"mailto:{message['To'].addresses[0].addr_spec}".lower()
    assert _statuses(app, MessageKind.COHORT_INVITATION) == [MessageStatus.SENT] * 4


def test_the_host_is_briefed_without_anyone_s_address(app, make_cohorts, mailbox):
    _approve_one(app, make_cohorts)
    run_once(app)
    [briefing] = [m for m in mailbox.messages() if m["To"].addresses[0].addr_spec == "host-jonah@example.org"]
    text = briefing.get_body(preferencelist=("plain",)).get_content()
    assert "Member 0.0" in text
    assert "@example.org" not in text.replace("host-jonah@example.org", "")
    assert "zoom.us/s/" not in text and "/host/start/" in text


def test_the_host_s_emails_end_with_a_host_s_footer_and_members_keep_theirs(app, make_cohorts, mailbox):
    _approve_one(app, make_cohorts)
    run_once(app)
    for message in mailbox.messages():
        host = message["To"].addresses[0].addr_spec == "host-jonah@example.org"
        text = " ".join(message.get_body(preferencelist=("plain",)).get_content().split())
        html = " ".join(message.get_body(preferencelist=("html",)).get_content().split())
        for body in (text, html):
            assert ("because you host conversations for" in body) is host
            assert ("because you registered with" in body) is not host
            assert ("Your host page" in body) is host
            assert ("Manage your registration" in body) is not host


def test_tips_and_reminder_follow_the_meeting_and_never_come_after_it(app, make_cohorts, mailbox):
    meeting = _approve_one(app, make_cohorts)
    run_once(app)
    run_mail_work(app, now=meeting.starts_at - timedelta(minutes=90))
    assert _statuses(app, MessageKind.PREPARATION_TIPS) == [MessageStatus.SENT] * 4
    assert _statuses(app, MessageKind.REMINDER) == [MessageStatus.SENT] * 4
    assert _subjects(mailbox).count(_subjects(mailbox)[0]) >= 1
    assert len(mailbox.messages()) == 4 + 1 + 4 + 4


def test_a_reminder_whose_moment_passed_is_skipped(app, make_cohorts, mailbox):
    meeting = _approve_one(app, make_cohorts)
    run_once(app)
    run_mail_work(app, now=meeting.starts_at + timedelta(minutes=30))
    assert _statuses(app, MessageKind.REMINDER) == [MessageStatus.SKIPPED] * 4
    assert _statuses(app, MessageKind.PREPARATION_TIPS) == [MessageStatus.SKIPPED] * 4


def test_a_withdrawn_participant_gets_no_reminder(app, make_cohorts, mailbox):
    meeting = _approve_one(app, make_cohorts)
    run_once(app)
    with app.app_context():
        session = database.session()
        leaver = session.exec(
            select(OutboundMessage.participant_id).where(OutboundMessage.kind == MessageKind.REMINDER)
        ).first()
        cancel_messages(session, participant_id=leaver)
        session.commit()
    run_mail_work(app, now=meeting.starts_at - timedelta(minutes=90))
    assert _statuses(app, MessageKind.REMINDER) == [MessageStatus.CANCELLED] + [MessageStatus.SENT] * 3


def test_mail_server_outage_is_retried_and_shown(app, make_cohorts, mailbox, zoom):
    _approve_one(app, make_cohorts)
    from app.worker.runner import run_zoom_work

    run_zoom_work(app)
    good_sender = app.extensions["mail_sender"]
    good_port = good_sender.port
    good_sender.port = 9  # the discard port: nothing listens there
    outcome = run_mail_work(app)
    assert outcome["retrying"] == 5
    with app.app_context():
        waiting = database.session().exec(
            select(OutboundMessage).where(OutboundMessage.kind == MessageKind.COHORT_INVITATION)
        )
        row = waiting.first()
    assert row.status == MessageStatus.PENDING and "cannot reach" in row.last_error
    good_sender.port = good_port
    later = run_mail_work(app, now=row.send_at + timedelta(seconds=1))
    assert later["sent"] == 5
    assert len(mailbox.messages()) == 5


def test_a_worker_that_died_after_claiming_loses_nothing(app, make_cohorts, mailbox, zoom):
    _approve_one(app, make_cohorts)
    from app.worker.runner import run_zoom_work

    run_zoom_work(app)
    now = utcnow()
    with app.app_context():
        claimed = claim_due(database.session(), MAIL_QUEUE, now=now, worker="crashed", limit=100)
    assert len(claimed) == 5
    assert run_mail_work(app, now=now + timedelta(seconds=5)).total() == 0
    recovered = run_mail_work(app, now=now + DEFAULT_LEASE + timedelta(seconds=1))
    assert recovered["sent"] == 5
    assert len(mailbox.messages()) == 5


def test_two_workers_at_once_send_each_message_exactly_once(app, make_cohorts, mailbox, zoom):
    from concurrent.futures import ThreadPoolExecutor

    from app.worker.runner import run_zoom_work

    with app.app_context():
        session = database.session()
        for cohort_id in make_cohorts(6, size=5):
            approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
        session.commit()
    run_zoom_work(app)
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda _: run_mail_work(app), range(2)))
    assert sum(outcome["sent"] for outcome in outcomes) == 6 * 5 + 6
    delivered = [(m["To"].addresses[0].addr_spec, _calendar_uid(m)) for m in mailbox.messages()]
    assert len(delivered) == len(set(delivered)) == 36


def _calendar_uid(message) -> str:
    [event] = Calendar.from_ical(calendar_part(message)).walk("VEVENT")
    return str(event["UID"])


def _host_links(mailbox):
    [briefing] = [m for m in mailbox.messages() if m["To"].addresses[0].addr_spec == "host-jonah@example.org"]
    text = briefing.get_body(preferencelist=("plain",)).get_content()
    return [word for word in text.split() if word.startswith("http://localhost/host/")]


def test_the_host_s_links_open_their_page_and_start_the_meeting_with_a_fresh_zoom_link(
    app, make_cohorts, mailbox
):
    _approve_one(app, make_cohorts)
    run_once(app)
    client = app.test_client()
    start = next(link for link in _host_links(mailbox) if "/host/start/" in link)
    answer = client.get(start.removeprefix("http://localhost"))
    assert answer.status_code == 303 and "/s/" in answer.headers["Location"]
    assert answer.headers["Cache-Control"] == "no-store"
    page = next(
        link for link in _host_links(mailbox) if "/host/start/" not in link and "unsubscribe" not in link
    )
    listing = client.get(page.removeprefix("http://localhost"))
    assert listing.status_code == 200 and b"Start this meeting" in listing.data


def _start_link(mailbox) -> str:
    return next(link for link in _host_links(mailbox) if "/host/start/" in link).removeprefix(
        "http://localhost"
    )


def _host_page(mailbox) -> str:
    return next(
        link for link in _host_links(mailbox) if "/host/start/" not in link and "unsubscribe" not in link
    ).removeprefix("http://localhost")


def test_a_host_who_stopped_hosting_can_no_longer_start_their_groups_meeting(app, make_cohorts, mailbox):
    cohort_id = _approve_one(app, make_cohorts).cohort_id
    run_once(app)
    client = app.test_client()
    unsubscribe = next(link for link in _host_links(mailbox) if "unsubscribe" in link)
    assert client.post(unsubscribe.removeprefix("http://localhost")).status_code == 200

    refused = client.get(_start_link(mailbox))
    assert refused.status_code == 403 and "Location" not in refused.headers
    assert "no longer host this group" in refused.text and "cafe@example.org" in refused.text
    page = client.get(_host_page(mailbox)).text
    assert "Start this meeting" not in page and "You no longer host" in page
    with app.app_context():
        assert database.session().get(Cohort, cohort_id).host_id is None  # back to the coordinator


def test_a_host_replaced_on_a_group_can_no_longer_start_its_meeting(app, make_cohorts, mailbox):
    cohort_id = _approve_one(app, make_cohorts).cohort_id
    run_once(app)
    with app.app_context():
        session = database.session()
        cohort = session.get(Cohort, cohort_id)
        other = session.exec(select(Host).where(Host.id != cohort.host_id)).first()
        set_host(
            session,
            cohort,
            other.id,
            expected_version=cohort.version,
            actor="test",
            override=True,
            now=utcnow(),
        )
        session.commit()

    refused = app.test_client().get(_start_link(mailbox))
    assert refused.status_code == 403 and "no longer host this group" in refused.text


def test_a_tampered_host_link_is_refused(app):
    answer = app.test_client().get("/host/start/not-a-signed-token")
    assert answer.status_code == 400 and b"not valid" in answer.data


def _links(message) -> list[str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return [word for word in text.split() if word.startswith("http://localhost/")]


def test_a_new_registrant_gets_a_verification_email_whose_links_work(app, mailbox):
    client = app.test_client()
    with app.app_context():
        seed_demo(database.session())
        database.session().commit()
    registration = {
        "email": "new.person@example.org", "display_name": "Robin", "role": "patient", "condition": "cll",
        "stage": "watch-and-wait", "timezone": "Europe/Madrid", "languages": ["es", "en"],
        "availability": [{"weekday": 1, "start": "17:00", "end": "20:00"}], "consent": True,
    }  # fmt: skip
    assert client.post("/api/v1/programs/demo/registrations", json=registration).status_code == 201
    assert run_mail_work(app)["sent"] == 1
    [message] = mailbox.messages()
    assert message["To"].addresses[0].addr_spec == "new.person@example.org"
    assert message["List-Unsubscribe"].startswith("<http://localhost/p/demo/unsubscribe/")
    links = _links(message)
    assert any("/verify/" in link for link in links) and any("/manage/" in link for link in links)
    for link in links:
        assert client.get(link.removeprefix("http://localhost")).status_code == 200, link


def test_a_host_who_unsubscribes_gets_no_more_briefings(app, make_cohorts, mailbox):
    _approve_one(app, make_cohorts)
    with app.app_context():
        session = database.session()
        briefing = session.exec(
            select(OutboundMessage).where(OutboundMessage.kind == MessageKind.HOST_BRIEFING)
        ).one()
        token = make_token("host", {"h": briefing.host_id})
    client = app.test_client()
    assert client.post(f"/host/{token}/unsubscribe").status_code == 200
    run_mail_work(app)
    assert _statuses(app, MessageKind.HOST_BRIEFING) == [MessageStatus.CANCELLED]
    assert _statuses(app, MessageKind.COHORT_INVITATION) == [MessageStatus.PENDING] * 4
    with app.app_context():
        session = database.session()
        assert session.get(Host, briefing.host_id).active is False
        assert session.exec(select(AuditEvent.action)).all()[-1] == "host.unsubscribed"


def test_invitations_wait_for_their_zoom_meeting_instead_of_failing(app, make_cohorts, mailbox, zoom):
    _approve_one(app, make_cohorts)
    early = run_mail_work(app)
    assert early["waiting"] == 5 and early["failed"] == 0
    assert _statuses(app, MessageKind.COHORT_INVITATION) == [MessageStatus.PENDING] * 4
    from app.worker.runner import run_zoom_work

    run_zoom_work(app)
    later = run_mail_work(app, now=utcnow() + timedelta(minutes=3))
    assert later["sent"] == 5


def test_someone_who_withdraws_gets_the_meeting_taken_off_their_calendar(app, make_cohorts, mailbox):
    meeting = _approve_one(app, make_cohorts)
    run_once(app)
    with app.app_context():
        session = database.session()
        leaver = session.exec(
            select(Participant).join(CohortMember, CohortMember.participant_id == Participant.id)
        ).first()
        address = leaver.email
        withdraw_participant(session, leaver)
        session.commit()
    run_once(app)
    theirs = [m for m in mailbox.messages() if m["To"].addresses[0].addr_spec == address]
    invitation, cancellation = (calendar_part(m) for m in theirs if calendar_part(m))
    # Read from the raw bytes, not through icalendar, which wrote them.
    assert calendar_values(invitation, "METHOD") == ["REQUEST"]
    assert calendar_values(cancellation, "METHOD") == ["CANCEL"]
    assert (
        calendar_values(cancellation, "UID") == calendar_values(invitation, "UID") == [meeting.calendar_uid]
    )
    assert calendar_values(cancellation, "STATUS") == ["CANCELLED"]
    [before], [after] = calendar_values(invitation, "SEQUENCE"), calendar_values(cancellation, "SEQUENCE")
    assert int(after) >= int(before)
