"""Messages on the wire, read from the raw bytes a real SMTP server received: one-click unsubscribe that mail
clients read (RFC 2369, RFC 8058), lines within RFC 2045's and RFC 5545's limits, and the program's neutral
title where others may see it."""

from __future__ import annotations

from collections.abc import Callable
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

import pytest

from emails.context import Links, Program
from emails.messages import compose
from emails.mime import build_message
from emails.policy import OUTGOING
from emails.rendering import Rendered
from emails.sending import SmtpSender

from .conftest import KINDS, LOCALES
from .wire import (
    calendar_lines,
    calendar_values,
    check_travelled,
    header_values,
    plain_text,
    raw_messages,
    read_with_postal_mime,
)

MAIL_FROM = "Peer Meet-ups <meetups@example.org>"
# A deployment under a long host name and path, and tokens as long as signed links get.
LONG_BASE = "https://meetups.patient-organisation-with-a-long-name.example.org/programmes/peer-support-2026"
LONG_LINKS = Links(
    manage_url=f"{LONG_BASE}/r/manage/{'m' * 180}.aBcD-_1234",
    unsubscribe_url=f"{LONG_BASE}/r/unsubscribe/{'u' * 240}.eFgH-_5678?lang=es&from=email",
)
SENDER = Address("Peer Meet-ups", "meetups", "example.org")


@pytest.fixture
def deliver_raw(catcher: tuple[str, int], mailbox: Path) -> Callable[[EmailMessage], bytes]:
    """Send one message through a real SMTP server on localhost and return the bytes it received."""
    host, port = catcher

    def send(message: EmailMessage) -> bytes:
        SmtpSender(host, port, starttls=False, timeout=5).send(message)
        return raw_messages(mailbox)[-1]

    return send


def rendered(subject: str = "Your meet-up", text: str = "Hello\n") -> Rendered:
    return Rendered(subject=subject, preview="", text=text, html=f"<p>{text}</p>", language="en")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_carries_a_plain_one_click_unsubscribe_and_short_lines(
    kind, locale, deliver_raw, make_email, make_person
):
    email = make_email(kind, make_person(locale=locale), links=LONG_LINKS)

    raw = deliver_raw(compose(email, mail_from=MAIL_FROM))

    travelled = check_travelled(raw)
    assert travelled.unsubscribe_url == LONG_LINKS.unsubscribe_url
    assert (travelled.calendar is not None) == (email.invite is not None)
    read = read_with_postal_mime(raw)
    assert header_values(read, "list-unsubscribe") == [f"<{LONG_LINKS.unsubscribe_url}>"]
    assert header_values(read, "list-unsubscribe-post") == ["List-Unsubscribe=One-Click"]
    # The line break before a boundary belongs to the boundary (RFC 2046), which parsers treat differently.
    assert (
        read["text"].replace("\r\n", "\n").rstrip()
        == plain_text(travelled.parsed).replace("\r\n", "\n").rstrip()
    )
    assert LONG_LINKS.manage_url in read["text"]
    if travelled.calendar:
        # postal-mime hands calendar files over with plain newlines.
        calendars = [(file["mimeType"], file["content"]) for file in read["attachments"]]
        expected = travelled.calendar.decode("utf-8").replace("\r\n", "\n")
        assert calendars == [("text/calendar", expected), ("application/ics", expected)]


def test_an_unsubscribe_line_may_take_998_octets_and_not_one_more(deliver_raw, make_person):
    prefix = "List-Unsubscribe: <https://meetups.example.org/u/"
    longest = "https://meetups.example.org/u/" + "x" * (998 - len(prefix) - 1)

    raw = deliver_raw(
        build_message(rendered(), sender=SENDER, recipient=make_person(), reply_to="a@example.org",
                      unsubscribe_url=longest)
    )  # fmt: skip

    assert check_travelled(raw).unsubscribe_url == longest
    assert raw.count(b"\r\nList-Unsubscribe: <https://") == 1
    with pytest.raises(ValueError, match="998 octets"):
        build_message(
            rendered(), sender=SENDER, recipient=make_person(), reply_to="a@example.org",
            unsubscribe_url=longest + "x",
        )  # fmt: skip


@pytest.mark.parametrize(
    "value",
    [
        "<https://meetups.example.org/u/1>\r\nBcc: everyone@example.net",
        "<https://meetups.example.org/u/1>\nBcc: everyone@example.net",
        "<https://méetups.example.org/u/1>",  # would need encoded words, which clients do not read here
    ],
)
def test_an_unsubscribe_value_that_cannot_travel_as_one_plain_line_is_refused(value):
    message = EmailMessage(policy=OUTGOING)

    with pytest.raises(ValueError):
        message["List-Unsubscribe"] = value

    assert message["List-Unsubscribe"] is None


def test_other_headers_still_fold_and_decode(deliver_raw, make_person):
    subject = "Su conversación en grupo pequeño: todo lo que necesita saber antes de la reunión del martes"

    raw = deliver_raw(
        build_message(rendered(subject), sender=SENDER, recipient=make_person(), reply_to="a@example.org",
                      unsubscribe_url="https://meetups.example.org/u/1")
    )  # fmt: skip

    headers = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    start = next(i for i, line in enumerate(headers) if line.startswith(b"Subject: "))
    end = next(i for i in range(start + 1, len(headers)) if headers[i][:1] != b" ")
    assert end - start > 1, "the long subject is folded over several lines"
    assert all(len(line) <= 78 for line in headers[start:end])
    assert read_with_postal_mime(raw)["subject"] == subject


def test_a_neutral_title_is_the_senders_name_and_the_calendars_organiser(
    deliver_raw, make_email, make_person
):
    program = Program(
        name="Lung Cancer Café", organisation="Example Hospital", address="hello@example.org",
        neutral_title="Riverside meet-up",
    )  # fmt: skip

    raw = deliver_raw(
        compose(make_email("cohort_invitation", make_person(), program=program), mail_from=MAIL_FROM)
    )

    travelled = check_travelled(raw)
    assert travelled.sender_line == "From: Riverside meet-up <meetups@example.org>"
    assert read_with_postal_mime(raw)["from"] == {
        "name": "Riverside meet-up",
        "address": "meetups@example.org",
    }
    assert 'ORGANIZER;CN="Riverside meet-up":mailto:hello@example.org' in calendar_lines(travelled.calendar)
    descriptions = calendar_values(travelled.calendar, "DESCRIPTION")
    assert len(descriptions) == 2 and not any("Lung Cancer" in text for text in descriptions)
    assert b"Lung Cancer" not in raw.split(b"\r\n\r\n", 1)[0]


def test_without_a_neutral_title_the_name_shows(deliver_raw, make_email, make_person):
    program = Program(name="Patient Café", organisation="Example Hospital", address="hello@example.org")

    raw = deliver_raw(
        compose(make_email("cohort_invitation", make_person(), program=program), mail_from=MAIL_FROM)
    )

    assert read_with_postal_mime(raw)["from"]["name"] == "Patient Café"
    lines = calendar_lines(check_travelled(raw).calendar)
    assert 'ORGANIZER;CN="Patient Café":mailto:hello@example.org' in lines
    assert "SUMMARY;LANGUAGE=en:Patient Café meet-up" in lines


def test_the_calendar_title_and_its_alarm_speak_the_recipients_language(deliver_raw, make_email, make_person):
    program = Program(name="Patient Café", organisation="Example Hospital", address="hello@example.org")
    email = make_email("cohort_invitation", make_person(locale="es"), program=program)

    lines = calendar_lines(check_travelled(deliver_raw(compose(email, mail_from=MAIL_FROM))).calendar)

    assert "SUMMARY;LANGUAGE=es:Encuentro de Patient Café" in lines
    alarm = "DESCRIPTION;LANGUAGE=es:Dentro de 30 minutos: Encuentro de Patient Café"
    assert alarm in lines
