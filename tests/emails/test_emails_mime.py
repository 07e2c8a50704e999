"""Messages as they arrive at a real SMTP server: structure, headers, one recipient each."""

from __future__ import annotations

from collections.abc import Callable
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

import pytest
from icalendar import Calendar

from emails.catcher import calendar_part, list_messages, read_message
from emails.messages import Email, compose
from emails.mime import build_message
from emails.rendering import Rendered
from emails.sending import SmtpSender

MAIL_FROM = "Peer Meet-ups <meetups@example.org>"


@pytest.fixture
def deliver(catcher: tuple[str, int], mailbox: Path) -> Callable[[EmailMessage], EmailMessage]:
    """Send one message through the local SMTP server and return it as the server stored it."""
    host, port = catcher

    def send(message: EmailMessage) -> EmailMessage:
        SmtpSender(host, port, starttls=False, timeout=5).send(message)
        [caught] = list_messages(mailbox)[-1:]
        return read_message(mailbox, caught.id)

    return send


def structure(message: EmailMessage) -> list[str]:
    return [part.get_content_type() for part in message.walk()]


def test_a_plain_message_is_text_with_an_html_alternative(deliver, make_email, make_person):
    received = deliver(compose(make_email("survey", make_person()), mail_from=MAIL_FROM))

    assert structure(received) == ["multipart/alternative", "text/plain", "text/html"]
    assert (
        "Answer the survey: https://meetups.example.org/r/survey?token=s1"
        in received.get_body(("plain",)).get_content()
    )
    assert (
        'href="https://meetups.example.org/r/survey?token=s1"' in received.get_body(("html",)).get_content()
    )


@pytest.mark.parametrize(
    ("kind", "method"), [("cohort_invitation", "REQUEST"), ("meeting_cancelled", "CANCEL")]
)
def test_a_meeting_message_carries_its_calendar_inline_and_attached(
    kind, method, deliver, make_email, make_person
):
    received = deliver(compose(make_email(kind, make_person()), mail_from=MAIL_FROM))

    assert structure(received) == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
        "application/ics",
    ]
    inline = next(part for part in received.walk() if part.get_content_type() == "text/calendar")
    assert inline.get_param("method") == method
    assert inline.get_content_charset() == "utf-8"
    attachment = next(received.iter_attachments())
    assert attachment.get_filename() == "invite.ics"
    assert calendar_part(received) == attachment.get_content()
    attached = Calendar.from_ical(attachment.get_content())
    assert attached["METHOD"] == method
    assert Calendar.from_ical(inline.get_content()).to_ical() == attached.to_ical()


def test_every_message_goes_to_one_person_and_names_nobody_else(deliver, make_email, make_person):
    ana = make_person(display_name="Ana", email="ana@example.com")

    received = deliver(compose(make_email("cohort_invitation", ana), mail_from=MAIL_FROM))

    assert getaddresses(received.get_all("To")) == [("Ana", "ana@example.com")]
    assert received["Cc"] is None and received["Bcc"] is None
    assert received.get_all("Delivered-To") == ["ana@example.com"]


def test_headers_let_people_reply_and_unsubscribe_in_one_click(
    deliver, make_email, make_person, program, links
):
    received = deliver(compose(make_email("reminder", make_person(locale="es")), mail_from=MAIL_FROM))

    assert received["From"].addresses[0] == Address(program.name, "meetups", "example.org")
    assert received["Reply-To"] == program.address
    assert received["List-Unsubscribe"] == f"<{links.unsubscribe_url}>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Content-Language"] == "es"
    assert received["Subject"] == "Recordatorio: se acerca su conversación"
    assert received["Message-ID"].endswith("@example.org>")
    assert received["Date"]


def test_a_line_break_in_a_display_name_cannot_add_a_header(deliver, make_email, make_person):
    sneaky = make_person(display_name="Ana\r\nBcc: everyone@example.net", email="ana@example.com")

    received = deliver(compose(make_email("survey", sneaky), mail_from=MAIL_FROM))

    assert received["Bcc"] is None
    assert [address for _, address in getaddresses(received.get_all("To"))] == ["ana@example.com"]
    assert received.get_all("Delivered-To") == ["ana@example.com"]


def test_a_line_break_in_a_subject_is_refused(make_person, links):
    rendered = Rendered(
        subject="Hello\r\nBcc: everyone@example.net", preview="", text="Hi\n", html="<p>Hi</p>", language="en"
    )

    with pytest.raises(ValueError):
        build_message(
            rendered,
            sender=Address("Peer Meet-ups", "meetups", "example.org"),
            recipient=make_person(),
            reply_to="hello@example.org",
            unsubscribe_url=links.unsubscribe_url,
        )


def test_spanish_text_survives_the_journey(deliver, make_email, make_person):
    email: Email = make_email("registration_confirmed", make_person(display_name="José Ñúñez", locale="es"))

    received = deliver(compose(email, mail_from=MAIL_FROM))

    text = received.get_body(("plain",)).get_content()
    assert "Hola, José Ñúñez:" in text
    assert received["Subject"] == "Su inscripción está confirmada"
    assert received["To"].addresses[0].display_name == "José Ñúñez"
