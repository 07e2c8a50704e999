""" "My meet-up", on the page behind the manage link in every email: where the person stands before they are
placed, and once placed, their group's next meeting with everything they need to join it.

Times are written in the person's own zone and the page's language. The calendar file offered for download
is the one the invitation attached (same UID, current SEQUENCE), so a calendar that holds it updates its entry
instead of adding a second one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, select

from app.links import add_time_link, answer_links, signed_path
from app.messages.kinds import MessageKind
from app.messages.sources import mail_program
from app.models import (
    Answer,
    Cohort,
    CohortMember,
    CohortStatus,
    Host,
    Meeting,
    MessageStatus,
    OutboundMessage,
    Participant,
    ParticipantStatus,
    Program,
)
from app.services.access_needs import dial_in_for
from app.services.meeting_answers import answer_of
from app.services.meeting_changes.lookups import upcoming_meeting
from app.services.waiting import suggested_starts
from app.services.zoom_operations import member_join_url
from emails import context as mail
from emails.calendar import CalendarInvite, build_meeting_invite
from emails.times import format_meeting_time, format_weekday_time


class Standing(StrEnum):
    """Where a person stands, as the page tells them."""

    UNCONFIRMED = "unconfirmed"  # their address is not confirmed yet
    WAITING = "waiting"  # confirmed and in no group
    PAUSED = "paused"  # paused and in no group
    LEFT = "left"  # withdrawn from the program
    REVIEWED = "reviewed"  # in a group the coordinator has not approved yet
    PLACED = "placed"  # in an approved group


BEFORE_PLACEMENT = {
    ParticipantStatus.PENDING_VERIFICATION: Standing.UNCONFIRMED,
    ParticipantStatus.PAUSED: Standing.PAUSED,
    ParticipantStatus.WITHDRAWN: Standing.LEFT,
}


@dataclass(frozen=True)
class Suggestion:
    """A time that would place a waiting person, and the link that adds it to their times."""

    when: str
    add_url: str


@dataclass(frozen=True)
class NextMeeting:
    """The group's next meeting as this member sees it. `join_url` is None while Zoom is still setting it
    up; `moved_from` is the time they were told before the meeting last moved; `dial_in` is how someone
    who joins by phone calls in."""

    when: str
    join_url: str | None
    answer: Answer | None
    answer_urls: dict[str, str]
    moved_from: str | None
    dial_in: mail.DialIn | None


@dataclass(frozen=True)
class MyMeetup:
    standing: Standing
    reason: str | None = None  # the matcher's code for why a waiting person waits, if the last match gave one
    suggestions: list[Suggestion] = field(default_factory=list)
    host_first_name: str | None = None
    member_names: list[str] = field(default_factory=list)
    next_meeting: NextMeeting | None = None


def describe_my_meetup(
    session: Session, program: Program, participant: Participant, *, now: datetime, locale: str
) -> MyMeetup:
    """What "My meet-up" shows this participant, in `locale`."""
    cohort = current_cohort(session, participant)
    if cohort is not None and cohort.status == CohortStatus.APPROVED:
        meeting = upcoming_meeting(session, cohort, now)
        return MyMeetup(
            Standing.PLACED,
            host_first_name=_host_first_name(session, cohort),
            member_names=list_cohort_names(session, participant),
            next_meeting=_next_meeting(session, program, participant, meeting, locale) if meeting else None,
        )
    if cohort is not None:
        return MyMeetup(Standing.REVIEWED)
    if participant.status in BEFORE_PLACEMENT:
        return MyMeetup(BEFORE_PLACEMENT[participant.status])
    suggestions = [
        Suggestion(
            format_weekday_time(start, participant.timezone, locale),
            add_time_link(program.slug, participant.id, slot, link=signed_path),
        )
        for slot, start in suggested_starts(program, participant, today=now.date())
    ]
    return MyMeetup(Standing.WAITING, reason=participant.waitlist_reason, suggestions=suggestions)


def next_meeting_invite(
    session: Session, program: Program, participant: Participant, *, now: datetime
) -> CalendarInvite | None:
    """The calendar file of the group's next meeting for this member, as their invitation attached it; None
    when they have no meeting to come or its join link is not made yet."""
    cohort = current_cohort(session, participant)
    if cohort is None or cohort.status != CohortStatus.APPROVED or not participant.email:
        return None
    meeting = upcoming_meeting(session, cohort, now)
    join_url = member_join_url(session, meeting, participant.id) if meeting else None
    if join_url is None:
        return None
    details = mail.MeetingDetails(
        uid=meeting.calendar_uid, sequence=meeting.calendar_sequence, starts_at_utc=meeting.starts_at,
        ends_at_utc=meeting.ends_at, join_url=join_url,
    )  # fmt: skip
    attendee = mail.Person(
        participant.display_name, participant.email, participant.timezone, participant.locale
    )
    return build_meeting_invite(details, program=mail_program(program), attendee=attendee, stamp=now)


def current_cohort(session: Session, participant: Participant) -> Cohort | None:
    """The group the participant has a place in (proposed or approved), if any."""
    return session.exec(
        select(Cohort)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.participant_id == participant.id, Cohort.status != CohortStatus.CANCELLED)
    ).first()


def list_cohort_names(session: Session, participant: Participant) -> list[str]:
    """The display names of the others in this participant's group; never their addresses."""
    cohort_id = select(CohortMember.cohort_id).where(CohortMember.participant_id == participant.id)
    return list(
        session.exec(
            select(Participant.display_name)
            .join(CohortMember, CohortMember.participant_id == Participant.id)
            .where(CohortMember.cohort_id.in_(cohort_id), Participant.id != participant.id)
            .order_by(Participant.display_name)
        ).all()
    )


def _next_meeting(
    session: Session, program: Program, participant: Participant, meeting: Meeting, locale: str
) -> NextMeeting:
    def when(starts_at: datetime) -> str:
        ends_at = starts_at + timedelta(minutes=meeting.duration_minutes)
        return format_meeting_time(starts_at, ends_at, participant.timezone, locale)

    moved_from = _told_before_move(session, meeting, participant)
    return NextMeeting(
        when=when(meeting.starts_at),
        join_url=member_join_url(session, meeting, participant.id),
        answer=answer_of(session, meeting.id, participant.id),
        answer_urls=answer_links(program.slug, participant.id, meeting.id, link=signed_path),
        moved_from=when(moved_from) if moved_from else None,
        dial_in=dial_in_for(meeting, participant, program),
    )


def _told_before_move(session: Session, meeting: Meeting, participant: Participant) -> datetime | None:
    """The time this member knew before the meeting last moved, from the change message they were sent
    (or are about to be); None when it never moved since they heard of it."""
    change = session.exec(
        select(OutboundMessage)
        .where(
            OutboundMessage.meeting_id == meeting.id,
            OutboundMessage.participant_id == participant.id,
            OutboundMessage.kind == MessageKind.MEETING_CHANGED,
            OutboundMessage.status != MessageStatus.CANCELLED,
        )
        .order_by(OutboundMessage.id.desc())
    ).first()
    if change is None:
        return None
    previous = datetime.fromisoformat(change.context["previous_starts_at"])
    return previous if previous != meeting.starts_at else None


def _host_first_name(session: Session, cohort: Cohort) -> str | None:
    host = session.get(Host, cohort.host_id) if cohort.host_id else None
    if host is None or not host.active:
        return None
    return next(iter(host.display_name.split()), None)
