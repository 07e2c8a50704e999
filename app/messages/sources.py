"""The rows one outgoing message is built from, looked up when it is built, and why a message cannot be built.

Messages are built when they are sent, not when they are queued, so a reminder carries the meeting's
current time and link, and an erased person's message is never built at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from app.content import worded
from app.links import answer_links, participant_links, signed_url
from app.models import (
    Answer,
    Cohort,
    Condition,
    Host,
    Meeting,
    OutboundMessage,
    Participant,
    ParticipantStatus,
    Program,
)
from app.services.access_needs import dial_in_for, reads_large_text
from app.services.marked_attendance import was_held
from app.services.meeting_answers import answer_of
from app.services.zoom_operations import member_join_url
from emails import context as mail


class NotDeliverable(Exception):
    """The message can no longer be sent (its recipient was erased, its meeting is gone): cancel it."""


class NotNeeded(NotDeliverable):
    """The message has nothing left to say (a survey reminder to someone who answered): leave it unsent."""


class NotReady(Exception):
    """The message cannot be built yet (its Zoom meeting is still being created): try again shortly."""


MEETING_NOT_CREATED = "the Zoom meeting is not created yet"
REGISTRATION_UNDER_WAY = "their own Zoom registration is not made yet"
WAITING_FOR_ZOOM = (MEETING_NOT_CREATED, REGISTRATION_UNDER_WAY)


def mail_program(program: Program) -> mail.Program:
    """The program as the emails package knows it."""
    return mail.Program(
        name=program.name, organisation=program.organisation, address=program.contact_email,
        neutral_title=program.neutral_title,
    )  # fmt: skip


class Sources:
    """The rows one message is built from, looked up once each."""

    def __init__(self, session: Session, message: OutboundMessage):
        self.session = session
        self.message = message
        self.program_row = session.get(Program, message.program_id)
        self.program = mail_program(self.program_row)

    @property
    def participant(self) -> Participant:
        participant = self.session.get(Participant, self.message.participant_id)
        if participant is None or participant.status == ParticipantStatus.ERASED or not participant.email:
            raise NotDeliverable("the recipient's data was erased")
        return participant

    @property
    def host(self) -> Host | None:
        """The host this message is for; None when it is for a participant."""
        return self.session.get(Host, self.message.host_id) if self.message.host_id is not None else None

    @property
    def person(self) -> mail.Person:
        if (host := self.host) is not None:
            return mail.Person(host.display_name, host.email, host.timezone, self.message.locale)
        participant = self.participant
        return mail.Person(
            participant.display_name,
            participant.email,
            participant.timezone,
            participant.locale,
            large_text=reads_large_text(participant),
        )

    @property
    def links(self) -> mail.Links:
        if self.message.host_id is not None:
            return mail.Links(
                manage_url=signed_url("hosts.page", "host", {"h": self.message.host_id}),
                unsubscribe_url=signed_url("hosts.unsubscribe", "host", {"h": self.message.host_id}),
                to_host=True,
            )
        return mail.Links(**participant_links(self.program_row.slug, self.message.participant_id))

    @property
    def meeting(self) -> Meeting:
        meeting = self.session.get(Meeting, self.message.meeting_id)
        if meeting is None:
            raise NotDeliverable("the meeting no longer exists")
        return meeting

    @property
    def cohort(self) -> Cohort:
        return self.session.get(Cohort, self.meeting.cohort_id)

    @property
    def condition_name(self) -> str:
        """The recipient's condition (a host's: their group's), named in the recipient's language."""
        condition_id = (
            self.participant.condition_id if self.message.participant_id else self.cohort.condition_id
        )
        return self.program_text(self.session.get(Condition, condition_id), "name")

    def program_text(self, row, field: str) -> str:
        """One of the program's own texts (`app.content`) in the recipient's language, or in the program's
        main language where it has none."""
        return worded(row, field, self.message.locale, self.program_row.default_locale).text

    @property
    def envelope(self) -> dict[str, object]:
        """What every message function takes first: the program, the recipient and their links."""
        return {"program": self.program, "recipient": self.person, "links": self.links}

    @property
    def answers(self) -> mail.AnswerLinks:
        """The member's two answers for this message's meeting."""
        links = answer_links(self.program_row.slug, self.message.participant_id, self.message.meeting_id)
        return mail.AnswerLinks(**links)

    @property
    def dial_in(self) -> mail.DialIn | None:
        """How the member joins this message's meeting by phone, if they asked to."""
        return dial_in_for(self.meeting, self.participant, self.program_row)

    def not_coming(self) -> bool:
        """Whether the member told us they cannot come to this message's meeting."""
        answer = answer_of(self.session, self.message.meeting_id, self.message.participant_id)
        return answer == Answer.NOT_COMING

    def require_held(self) -> None:
        """A meeting that never started thanks no one for taking part, nor says it missed them."""
        if not was_held(self.session, self.meeting):
            raise NotNeeded("the meeting never started (Zoom did not say so and no one was marked present)")

    def meeting_details(self, *, starts_at: datetime | None = None, sequence: int | None = None):
        meeting = self.meeting
        join_url = self._join_url(meeting)
        start = starts_at or meeting.starts_at
        return mail.MeetingDetails(
            uid=meeting.calendar_uid,
            sequence=meeting.calendar_sequence if sequence is None else sequence,
            starts_at_utc=start,
            ends_at_utc=start + timedelta(minutes=meeting.duration_minutes),
            join_url=join_url,
        )

    def _join_url(self, meeting: Meeting) -> str:
        if self.message.participant_id is not None:
            join_url = member_join_url(self.session, meeting, self.message.participant_id)
            if join_url:
                return join_url
            if meeting.zoom_join_url:
                raise NotReady(REGISTRATION_UNDER_WAY)
        if not meeting.zoom_join_url:
            raise NotReady(MEETING_NOT_CREATED)
        return meeting.zoom_join_url
