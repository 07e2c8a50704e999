"""Coordinators see texts beside emails on the "Meetings and messages" pages: marked as texts, with their
state (Twilio's delivery status too), segments and price, and cancel and retry them as emails."""

from __future__ import annotations

from app import database
from app.database import utcnow
from app.messages.kinds import MessageKind
from app.models import MessageStatus, OutboundMessage

from .conftest import agree_to_texts, proposed_group, texts


def _approved_with_a_text(app) -> dict:
    with app.app_context():
        session = database.session()
        group = proposed_group(session)
        member = agree_to_texts(group.members[0])
        meeting = group.approve(session, now=utcnow())
        reminder, survey = (
            texts(session, kind=MessageKind.REMINDER)[0],
            texts(session, kind=MessageKind.SURVEY)[0],
        )
        reminder.status, reminder.sent_at, reminder.provider_id = (
            MessageStatus.SENT,
            utcnow(),
            "SM" + "a" * 32,
        )
        reminder.delivery_status, reminder.segments, reminder.price, reminder.price_unit = (
            "delivered", 1, "-0.00790", "USD",
        )  # fmt: skip
        session.commit()
        return {
            "meeting": meeting.id,
            "member": member.display_name,
            "reminder": reminder.id,
            "survey": survey.id,
        }


def test_the_meeting_page_shows_texts_beside_emails(app, console_client):
    arranged = _approved_with_a_text(app)
    page = console_client("demo").get(f"/console/programs/demo/meetings/{arranged['meeting']}").text

    assert "Emails and texts" in page
    assert page.count("<strong>Text</strong>") == 2  # the reminder and the survey
    assert "Twilio: delivered" in page
    assert "1 segment, -0.00790 USD" in page


def test_the_meetings_list_counts_texts_apart(app, console_client):
    _approved_with_a_text(app)
    page = console_client("demo").get("/console/programs/demo/meetings").text

    assert "Texts:" in page and "1 sent" in page


def test_a_text_waiting_to_go_can_be_cancelled_and_a_failed_one_sent_again(app, console_client):
    arranged = _approved_with_a_text(app)
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own test
    client = console_client("demo")

    cancelled = client.post(
        f"/console/programs/demo/messages/{arranged['survey']}/cancel", follow_redirects=True
    )

    assert (
        f"The follow-up survey (or “sorry we missed you”) (text) to {arranged['member']} will not be sent."
        in (cancelled.text)
    )
    with app.app_context():
        session = database.session()
        survey = session.get(OutboundMessage, arranged["survey"])
        assert survey.status == MessageStatus.CANCELLED
        survey.status = MessageStatus.FAILED
        session.commit()
    client.post(f"/console/programs/demo/messages/{arranged['survey']}/retry")
    with app.app_context():
        assert database.session().get(OutboundMessage, arranged["survey"]).status == MessageStatus.PENDING
