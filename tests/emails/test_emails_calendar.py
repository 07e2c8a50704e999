"""Calendar invitations that Google Calendar, Outlook and Apple Calendar accept and keep up to date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from emails import messages
from emails.calendar import Method


def parse(invite_data: bytes):
    calendar = Calendar.from_ical(invite_data)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_an_invitation_is_a_request_for_its_recipient_alone(make_email, make_person, program, condition):
    email = make_email("cohort_invitation", make_person(display_name="Ana", email="ana@example.com"))

    calendar, event = parse(email.invite.data)

    assert email.invite.method is Method.REQUEST
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0" and calendar["CALSCALE"] == "GREGORIAN" and calendar["PRODID"]
    assert event["UID"] == "cohort-17@meetups.example.org"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART") == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    assert event.decoded("DTSTAMP").tzinfo is not None
    attendee = event["ATTENDEE"]  # a single value: a list would mean more than one attendee
    assert str(attendee) == "mailto:ana@example.com"
    assert dict(attendee.params) == {
        "CN": "Ana",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "FALSE",
    }
    assert str(event["ORGANIZER"]) == f"mailto:{program.address}"
    assert event["ORGANIZER"].params["CN"] == program.name
    assert condition not in event["SUMMARY"]


def test_the_join_link_is_where_every_calendar_looks(make_email, make_person):
    email = make_email("cohort_invitation", make_person())
    join_url = email.context["meeting"].join_url

    _, event = parse(email.invite.data)

    assert event["LOCATION"] == join_url
    assert event["URL"] == join_url
    assert join_url in event["DESCRIPTION"]
    assert "not medical advice" in event["DESCRIPTION"]


def test_the_invitation_reminds_half_an_hour_before(make_email, make_person):
    _, event = parse(make_email("cohort_invitation", make_person()).invite.data)

    [alarm] = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm.decoded("TRIGGER") == -timedelta(minutes=30)
    assert alarm["DESCRIPTION"]


def test_the_description_is_in_the_recipients_language(make_email, make_person):
    _, event = parse(make_email("cohort_invitation", make_person(locale="es")).invite.data)

    assert "no un consejo médico" in event["DESCRIPTION"]


def test_times_are_utc_and_lines_follow_rfc_5545(make_email, make_person):
    long_name = make_person(display_name="Ana María de los Ángeles " * 4)
    data = make_email("cohort_invitation", long_name).invite.data

    assert b"DTSTART:20260303T130000Z\r\n" in data
    assert b"DTEND:20260303T140000Z\r\n" in data
    assert b"VTIMEZONE" not in data
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines)  # every line ends in CRLF
    assert max(len(line) for line in lines) <= 75  # long lines are folded, counted in octets


def test_a_change_keeps_the_uid_and_raises_the_sequence(make_email, make_person):
    first = parse(make_email("cohort_invitation", make_person()).invite.data)[1]
    changed_email = make_email("meeting_changed", make_person())

    calendar, changed = parse(changed_email.invite.data)

    assert calendar["METHOD"] == "REQUEST"
    assert changed["UID"] == first["UID"]
    assert changed["SEQUENCE"] > first["SEQUENCE"]
    assert changed.decoded("DTSTART") == first.decoded("DTSTART") + timedelta(days=1)


def test_a_change_must_raise_the_sequence(program, links, make_person, make_meeting):
    meeting = make_meeting(sequence=3)
    with pytest.raises(ValueError, match="SEQUENCE"):
        messages.meeting_changed(
            program=program, recipient=make_person(), links=links, meeting=meeting, previous=meeting
        )


def test_a_cancellation_cancels_the_same_event(make_email, make_person):
    invitation = parse(make_email("cohort_invitation", make_person()).invite.data)[1]
    cancellation = make_email("meeting_cancelled", make_person())

    calendar, cancelled = parse(cancellation.invite.data)

    assert cancellation.invite.method is Method.CANCEL
    assert calendar["METHOD"] == "CANCEL"
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["UID"] == invitation["UID"]
    assert cancelled["SEQUENCE"] > invitation["SEQUENCE"]
    assert not cancelled.walk("VALARM")


def test_the_host_gets_the_meeting_in_their_calendar_too(make_email, make_person):
    email = make_email("host_briefing", make_person(display_name="Hana", email="hana@example.net"))

    _, event = parse(email.invite.data)

    assert str(event["ATTENDEE"]) == "mailto:hana@example.net"


@pytest.mark.parametrize(
    "kind", ["verify_email", "registration_confirmed", "waitlisted", "survey", "reminder"]
)
def test_messages_without_a_meeting_change_carry_no_invitation(kind, make_email, make_person):
    assert make_email(kind, make_person()).invite is None
