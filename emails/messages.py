"""One function per kind of message: each gathers what its templates need.

A function returns an ``Email``: the kind, its recipient and the template context, plus a calendar
invitation where there is a meeting. ``compose`` turns an ``Email`` into the ``EmailMessage`` a
sender delivers. Times are written here, in the recipient's zone and locale, so templates only
place words.

    email = messages.reminder(program=program, recipient=person, links=links, meeting=meeting)
    sender.send(messages.compose(email, mail_from="hello@example.org"))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from emails.calendar import CalendarInvite, Method, build_meeting_invite
from emails.context import (
    AbsenceChoices,
    AnswerLinks,
    CohortMember,
    DialIn,
    Links,
    MeetingDetails,
    MeetingToOpen,
    Person,
    Program,
    SuggestedTime,
    WaitlistReason,
    require_absolute_url,
)
from emails.i18n import parse_locale
from emails.mime import build_message
from emails.rendering import render
from emails.times import format_meeting_time, format_moment, format_weekday_time


@dataclass(frozen=True)
class Email:
    """One message for one recipient, before it is rendered."""

    kind: str
    program: Program
    recipient: Person
    links: Links
    context: Mapping[str, Any]
    invite: CalendarInvite | None = None


def compose(email: Email, *, mail_from: str) -> EmailMessage:
    """Render ``email`` in its recipient's language and build the MIME message.

    ``mail_from`` is the ``MAIL_FROM`` setting, a bare address or ``Name <address>``; the From header
    always shows the programme's ``shown_name``.
    """
    rendered = render(email.kind, email.context, email.recipient.locale)
    username, domain = parseaddr(mail_from)[1].rsplit("@", 1)
    return build_message(
        rendered,
        sender=Address(email.program.shown_name, username=username, domain=domain),
        recipient=email.recipient,
        reply_to=email.program.address,
        unsubscribe_url=email.links.unsubscribe_url,
        invite=email.invite,
    )


def verify_email(
    *,
    program: Program,
    recipient: Person,
    links: Links,
    verify_url: str,
    expires_at_utc: datetime,
    changes: Sequence[str] = (),
) -> Email:
    """Ask a new registrant to confirm their address through ``verify_url`` before ``expires_at_utc``.

    With ``changes`` (answer names such as ``"stage"``), the address is known and a new registration would
    change those answers: the email names them and says that nothing changes unless the link is followed.
    """
    return _email(
        "verify_email",
        program,
        recipient,
        links,
        verify_url=require_absolute_url(verify_url),
        expires=format_moment(expires_at_utc, recipient.timezone, recipient.locale),
        changes=list(changes),
    )


def manage_link(*, program: Program, recipient: Person, links: Links) -> Email:
    """Send a registrant a fresh link to their self-service page, when they asked for one."""
    return _email("manage_link", program, recipient, links)


def registration_confirmed(*, program: Program, recipient: Person, links: Links, condition: str) -> Email:
    """Tell a registrant they are confirmed and what happens next."""
    return _email("registration_confirmed", program, recipient, links, condition=condition)


def waitlisted(
    *,
    program: Program,
    recipient: Person,
    links: Links,
    reason: WaitlistReason | str,
    suggestions: Sequence[SuggestedTime] = (),
) -> Email:
    """Tell a registrant that no group could take them this time, why in plain words, and what next; with
    up to three ``suggestions``, times that would let them join a group, each added with one click."""
    times = [
        {
            "when": format_weekday_time(time.starts_at_utc, recipient.timezone, recipient.locale),
            "url": time.add_url,
        }
        for time in suggestions[:3]
    ]
    return _email(
        "waitlisted", program, recipient, links, reason=WaitlistReason(reason).value, suggestions=times
    )


def cohort_invitation(
    *,
    program: Program,
    recipient: Person,
    links: Links,
    meeting: MeetingDetails,
    condition: str,
    others: int,
    host_name: str | None,
    answers: AnswerLinks,
    again: bool = False,
    place_opened: bool = False,
    dial_in: DialIn | None = None,
) -> Email:
    """Invite a member to their cohort's meeting, with ``others`` fellow members, a calendar invite and
    the two answers; ``again`` for a later meet-up of the same group, ``place_opened`` for someone we had
    told was still waiting; ``dial_in`` for someone who joins by phone."""
    return _meeting_email(
        "cohort_invitation",
        program,
        recipient,
        links,
        meeting,
        condition=condition,
        others=others,
        host_name=host_name,
        answers=answers,
        again=again,
        place_opened=place_opened,
        dial_in=dial_in,
    )


def preparation_tips(
    *,
    program: Program,
    recipient: Person,
    links: Links,
    meeting: MeetingDetails,
    hosted: bool = True,
    own_tips: Sequence[str] = (),
) -> Email:
    """What to have ready and what to expect, a few days before the meeting; a group with no volunteer host
    (`hosted` False) is told a member of the program's team opens it, as its invitation says. ``own_tips``
    are the programme's own, already in the recipient's language, one per item (blank ones are left out)."""
    minutes = int((meeting.ends_at_utc - meeting.starts_at_utc).total_seconds() // 60)
    return _meeting_email(
        "preparation_tips",
        program,
        recipient,
        links,
        meeting,
        minutes=minutes,
        hosted=hosted,
        own_tips=[tip.strip() for tip in own_tips if tip.strip()],
        method=None,
    )


def reminder(
    *,
    program: Program,
    recipient: Person,
    links: Links,
    meeting: MeetingDetails,
    answers: AnswerLinks,
    dial_in: DialIn | None = None,
) -> Email:
    """Remind a member of the meeting shortly before it starts, with the two answers; ``dial_in`` for someone
    who joins by phone."""
    return _meeting_email(
        "reminder", program, recipient, links, meeting, method=None, answers=answers, dial_in=dial_in
    )


def survey(*, program: Program, recipient: Person, links: Links, survey_url: str) -> Email:
    """Ask a member, after the meeting, how it went."""
    return _email("survey", program, recipient, links, survey_url=require_absolute_url(survey_url))


def survey_reminder(*, program: Program, recipient: Person, links: Links, survey_url: str) -> Email:
    """Remind a member, once, who has not answered the survey yet; the same kind of link as the survey."""
    return _email("survey_reminder", program, recipient, links, survey_url=require_absolute_url(survey_url))


def missed_you(*, program: Program, recipient: Person, links: Links, another_group_url: str) -> Email:
    """Instead of the survey, to a member who never joined the meeting: sorry we missed you, and a link
    to ask for a place in another group."""
    return _email(
        "missed_you", program, recipient, links, another_group_url=require_absolute_url(another_group_url)
    )


def meeting_changed(
    *,
    program: Program,
    recipient: Person,
    links: Links,
    meeting: MeetingDetails,
    previous: MeetingDetails,
    answers: AnswerLinks | None = None,
) -> Email:
    """Tell a member the meeting moved or its link changed; the invite replaces the calendar entry. A member
    (not a host) gets the two answers again: an answer given for the old time no longer stands.

    ``meeting`` must keep ``previous``'s UID and carry a higher SEQUENCE.
    """
    if meeting.uid != previous.uid or meeting.sequence <= previous.sequence:
        raise ValueError("a changed meeting keeps its UID and raises its SEQUENCE")
    moved = (meeting.starts_at_utc, meeting.ends_at_utc) != (previous.starts_at_utc, previous.ends_at_utc)
    previous_when = _when(previous, recipient) if moved else None
    return _meeting_email(
        "meeting_changed", program, recipient, links, meeting, previous_when=previous_when, answers=answers
    )


def meeting_cancelled(*, program: Program, recipient: Person, links: Links, meeting: MeetingDetails) -> Email:
    """Tell a member the meeting is cancelled; the invite takes it off their calendar."""
    return _meeting_email("meeting_cancelled", program, recipient, links, meeting, method=Method.CANCEL)


def member_answer(
    *, program: Program, recipient: Person, links: Links, meeting: MeetingDetails, member: str, coming: bool
) -> Email:
    """Tell a host that a member cannot come to the meeting, or will come after all."""
    return _meeting_email(
        "member_answer", program, recipient, links, meeting, method=None, member=member, coming=coming
    )


def seat_offered(
    *, program: Program, recipient: Person, links: Links, starts_at_utc: datetime, accept_url: str
) -> Email:
    """Offer someone waiting a place in a group whose member cannot come: the first to accept joins."""
    when = format_weekday_time(starts_at_utc, recipient.timezone, recipient.locale)
    return _email(
        "seat_offered", program, recipient, links, when=when, accept_url=require_absolute_url(accept_url)
    )


def seat_taken(*, program: Program, recipient: Person, links: Links, starts_at_utc: datetime) -> Email:
    """Tell someone offered a place that it was taken before they answered."""
    when = format_weekday_time(starts_at_utc, recipient.timezone, recipient.locale)
    return _email("seat_taken", program, recipient, links, when=when)


def absence_check(
    *, program: Program, recipient: Person, links: Links, answer_by_utc: datetime, choices: AbsenceChoices
) -> Email:
    """Ask a member who missed their group's last two meetings without a word whether they want to stay,
    pause or leave. Without an answer by ``answer_by_utc`` they are paused, and the email says so."""
    answer_by = format_moment(answer_by_utc, recipient.timezone, recipient.locale)
    return _email("absence_check", program, recipient, links, answer_by=answer_by, choices=choices)


def absence_paused(*, program: Program, recipient: Person, links: Links) -> Email:
    """Tell a member we paused their registration because they did not answer; their page resumes it."""
    return _email("absence_paused", program, recipient, links)


def host_briefing(
    *,
    program: Program,
    recipient: Person,
    links: Links,
    meeting: MeetingDetails,
    condition: str,
    members: Sequence[CohortMember],
    start_url: str,
    captions: bool = False,
) -> Email:
    """Brief a host on their cohort: who is coming (never their addresses) and how to start the meeting;
    ``captions`` when a member asked for them (they are turned on, and the host is told how to show them).

    ``start_url`` is a link to our site that fetches a fresh Zoom start link when followed; Zoom's own
    start URL expires and would let anyone holding this email start the meeting as host.
    """
    return _meeting_email(
        "host_briefing",
        program,
        recipient,
        links,
        meeting,
        condition=condition,
        members=[_member_row(member, meeting, recipient.locale) for member in members],
        start_url=require_absolute_url(start_url),
        captions=captions,
    )


def _email(
    kind: str,
    program: Program,
    recipient: Person,
    links: Links,
    invite: CalendarInvite | None = None,
    **variables: Any,
) -> Email:
    context = {"program": program, "recipient": recipient, "links": links, **variables}
    return Email(kind, program, recipient, links, context, invite)


def host_debrief(
    *, program: Program, recipient: Person, links: Links, meeting: MeetingDetails, debrief_url: str
) -> Email:
    """Ask the host, once their meeting has ended, for a two-minute debrief through ``debrief_url``."""
    debrief_url = require_absolute_url(debrief_url)
    return _meeting_email(
        "host_debrief", program, recipient, links, meeting, method=None, debrief_url=debrief_url
    )


def concern_raised(*, program: Program, recipient: Person, links: Links, queue_url: str) -> Email:
    """Tell a coordinator that a concern came in, with a link to the program's queue. Never its words, nor
    who raised it: the email may be read where the console's sign-in does not protect it."""
    return _email("concern_raised", program, recipient, links, queue_url=require_absolute_url(queue_url))


def meetings_to_open(
    *, program: Program, recipient: Person, links: Links, meetings: Sequence[MeetingToOpen]
) -> Email:
    """Tell a coordinator which newly approved meetings have no host, each with its time in the coordinator's
    zone and the console page they start it from."""
    listed = [
        {
            "group": meeting.group,
            "when": format_meeting_time(
                meeting.starts_at_utc, meeting.ends_at_utc, recipient.timezone, recipient.locale
            ),
            "page_url": meeting.page_url,
        }
        for meeting in meetings
    ]
    return _email("meetings_to_open", program, recipient, links, meetings=listed)


def _meeting_email(
    kind: str,
    program: Program,
    recipient: Person,
    links: Links,
    meeting: MeetingDetails,
    *,
    method: Method | None = Method.REQUEST,
    **variables: Any,
) -> Email:
    """An email about ``meeting``; with a calendar invite unless ``method`` is None."""
    when = _when(meeting, recipient)
    invite = None
    if method is not None:
        invite = build_meeting_invite(meeting, program=program, attendee=recipient, method=method)
    return _email(kind, program, recipient, links, invite, meeting=meeting, when=when, **variables)


def _when(meeting: MeetingDetails, person: Person) -> str:
    return format_meeting_time(meeting.starts_at_utc, meeting.ends_at_utc, person.timezone, person.locale)


def _member_row(member: CohortMember, meeting: MeetingDetails, locale: str) -> dict[str, str]:
    language_names = parse_locale(locale).languages
    return {
        "display_name": member.display_name,
        "stage": member.stage,
        "languages": ", ".join(language_names.get(code, code) for code in member.languages),
        "local_time": format_weekday_time(meeting.starts_at_utc, member.timezone, locale),
    }
