"""Calendar invitations (iCalendar, RFC 5545) sent by email as iTIP messages (RFC 5546).

One invitation per recipient: the only ATTENDEE is the person the email goes to, so nobody learns
another participant's address from the calendar file. The meeting's UID never changes, and the app
raises SEQUENCE on every change, so Google Calendar, Outlook and Apple Calendar update or remove the
entry they already hold instead of adding a second one. All times are UTC (``...Z``), which needs no
VTIMEZONE; every client shows them in its owner's zone. The texts of the event (title, description, alarm)
carry their language as RFC 5545's LANGUAGE parameter, a BCP 47 tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from emails.context import MeetingDetails, Person, Program, require_utc, single_line
from emails.i18n import catalogue_language, language_tag
from emails.rendering import render_template

PRODID = "-//Peer Meet-ups//Emails//EN"
ALARM_BEFORE = timedelta(minutes=30)


class Method(StrEnum):
    """The iTIP methods we send: an invitation or change, or a cancellation."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class CalendarInvite:
    """An iCalendar file and its iTIP method, which the MIME part must repeat in ``method=``."""

    method: Method
    data: bytes


def build_invite(
    meeting: MeetingDetails,
    *,
    program: Program,
    attendee: Person,
    description: str,
    method: Method = Method.REQUEST,
    stamp: datetime | None = None,
) -> CalendarInvite:
    """Build the calendar file for one recipient of ``meeting``.

    ``method`` is ``REQUEST`` for an invitation and every later change (with a higher
    ``meeting.sequence``), ``CANCEL`` to take the meeting off the recipient's calendar. ``description``
    is the recipient-language text shown in the event; the join link is added to it. ``stamp`` is when
    this file was made (DTSTAMP), now by default.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method.value)
    calendar.add_component(_event(meeting, program, attendee, description, method, stamp))
    return CalendarInvite(method=method, data=calendar.to_ical())


def build_meeting_invite(
    meeting: MeetingDetails,
    *,
    program: Program,
    attendee: Person,
    method: Method = Method.REQUEST,
    stamp: datetime | None = None,
) -> CalendarInvite:
    """The calendar file for ``attendee`` with the programme's own description in their language, as
    every meeting email attaches it and as the person's own page offers it for download."""
    description = render_template("calendar_description.txt", {"program": program}, attendee.locale)
    return build_invite(
        meeting, program=program, attendee=attendee, description=description, method=method, stamp=stamp
    )


def _event(
    meeting: MeetingDetails,
    program: Program,
    attendee: Person,
    description: str,
    method: Method,
    stamp: datetime | None,
) -> Event:
    in_language = {"LANGUAGE": language_tag(catalogue_language(attendee.locale))}
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", require_utc(stamp) if stamp else datetime.now(UTC))
    event.add("dtstart", meeting.starts_at_utc)
    event.add("dtend", meeting.ends_at_utc)
    title = single_line(render_template("calendar_title.txt", {"program": program}, attendee.locale))
    event.add("summary", title, parameters=in_language)
    event.add("description", f"{description}\n\n{meeting.join_url}", parameters=in_language)
    event.add("location", meeting.join_url)
    event.add("url", meeting.join_url)
    event.add("status", "CANCELLED" if method is Method.CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(program.address, program.shown_name))
    event.add(
        "attendee",
        _address(
            attendee.email,
            attendee.display_name,
            ROLE="REQ-PARTICIPANT",
            PARTSTAT="NEEDS-ACTION",
            RSVP="FALSE",
        ),
    )
    if method is Method.REQUEST:
        minutes = int(ALARM_BEFORE.total_seconds() // 60)
        words = render_template("calendar_alarm.txt", {"title": title, "minutes": minutes}, attendee.locale)
        event.add_component(_alarm(words, in_language))
    return event


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(single_line(name))
    address.params.update(params)
    return address


def _alarm(words: str, in_language: dict[str, str]) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", words, parameters=in_language)
    alarm.add("trigger", -ALARM_BEFORE)
    return alarm
