"""Turning an outbox row into the email it stands for, from what the database holds at sending time.

Messages are built when they are sent, not when they are queued, so a reminder carries the meeting's
current time and link, and an erased person's message is never built at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.links import LIFETIMES, participant_links, signed_url
from app.messages.kinds import MessageKind
from app.models import (
    Cohort,
    CohortMember,
    Condition,
    Host,
    Meeting,
    MeetingRegistrant,
    OutboundMessage,
    Participant,
    ParticipantStatus,
    Program,
    Stage,
    ZoomOperationKind,
)
from app.services.survey.invitations import has_answered, missed_meeting
from app.services.zoom_operations import has_zoom_call
from emails import context as mail
from emails import messages


class NotDeliverable(Exception):
    """The message can no longer be sent (its recipient was erased, its meeting is gone): cancel it."""


class NotNeeded(NotDeliverable):
    """The message has nothing left to say (a survey reminder to someone who answered): leave it unsent."""


class NotReady(Exception):
    """The message cannot be built yet (its Zoom meeting is still being created): try again shortly."""


MEETING_NOT_CREATED = "the Zoom meeting is not created yet"
REGISTRATION_UNDER_WAY = "their own Zoom registration is not made yet"
WAITING_FOR_ZOOM = (MEETING_NOT_CREATED, REGISTRATION_UNDER_WAY)


def build_email(session: Session, message: OutboundMessage) -> messages.Email:
    builder = BUILDERS.get(message.kind)
    if builder is None:
        raise NotDeliverable(f"unknown message kind {message.kind!r}")
    return builder(_Sources(session, message))


class _Sources:
    """The rows one message is built from, looked up once each."""

    def __init__(self, session: Session, message: OutboundMessage):
        self.session = session
        self.message = message
        self.program_row = session.get(Program, message.program_id)
        self.program = mail.Program(
            name=self.program_row.name, organisation=self.program_row.organisation,
            address=self.program_row.contact_email, neutral_title=self.program_row.neutral_title,
        )  # fmt: skip

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
            participant.display_name, participant.email, participant.timezone, participant.locale
        )

    @property
    def links(self) -> mail.Links:
        if self.message.host_id is not None:
            return mail.Links(
                manage_url=signed_url("hosts.page", "host", {"h": self.message.host_id}),
                unsubscribe_url=signed_url("hosts.unsubscribe", "host", {"h": self.message.host_id}),
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
        condition_id = (
            self.participant.condition_id if self.message.participant_id else self.cohort.condition_id
        )
        return self.session.get(Condition, condition_id).name

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
            personal = self.session.exec(
                select(MeetingRegistrant.join_url).where(
                    MeetingRegistrant.meeting_id == meeting.id,
                    MeetingRegistrant.participant_id == self.message.participant_id,
                )
            ).first()
            if personal:
                return personal
            if has_zoom_call(
                self.session,
                meeting.id,
                ZoomOperationKind.REGISTER,
                participant_id=self.message.participant_id,
            ):
                # The meeting's own link leads to Zoom's sign-up page, open to anyone who has it: a member
                # gets their personal link, unless registering them failed for good.
                raise NotReady(REGISTRATION_UNDER_WAY)
        if not meeting.zoom_join_url:
            raise NotReady(MEETING_NOT_CREATED)
        return meeting.zoom_join_url


def _verify_email(sources: _Sources) -> messages.Email:
    return messages.verify_email(
        program=sources.program,
        recipient=sources.person,
        links=sources.links,
        verify_url=sources.message.context["verify_url"],
        expires_at_utc=sources.message.created_at + LIFETIMES["verify"],
        changes=sources.message.context.get("changes", ()),
    )


def _manage_link(sources: _Sources) -> messages.Email:
    return messages.manage_link(program=sources.program, recipient=sources.person, links=sources.links)


def _registration_confirmed(sources: _Sources) -> messages.Email:
    return messages.registration_confirmed(
        program=sources.program,
        recipient=sources.person,
        links=sources.links,
        condition=sources.condition_name,
    )


def _waitlisted(sources: _Sources) -> messages.Email:
    reason = sources.message.context.get("reason") or sources.participant.waitlist_reason or "too_few_people"
    return messages.waitlisted(
        program=sources.program, recipient=sources.person, links=sources.links, reason=reason
    )


def _cohort_invitation(sources: _Sources) -> messages.Email:
    cohort = sources.cohort
    members = sources.session.exec(select(CohortMember).where(CohortMember.cohort_id == cohort.id)).all()
    host = sources.session.get(Host, cohort.host_id) if cohort.host_id else None
    return messages.cohort_invitation(
        program=sources.program,
        recipient=sources.person,
        links=sources.links,
        meeting=sources.meeting_details(),
        condition=sources.condition_name,
        others=len(members) - 1,
        host_name=host.display_name if host else None,
        again=sources.meeting.number > 1,
    )


def _meeting_message(build: Callable[..., messages.Email]) -> Callable[[_Sources], messages.Email]:
    def builder(sources: _Sources) -> messages.Email:
        return build(
            program=sources.program,
            recipient=sources.person,
            links=sources.links,
            meeting=sources.meeting_details(),
        )

    return builder


def _meeting_changed(sources: _Sources) -> messages.Email:
    previous = sources.message.context
    return messages.meeting_changed(
        program=sources.program,
        recipient=sources.person,
        links=sources.links,
        meeting=sources.meeting_details(),
        previous=sources.meeting_details(
            starts_at=datetime.fromisoformat(previous["previous_starts_at"]),
            sequence=previous["previous_sequence"],
        ),
    )


def _survey(sources: _Sources) -> messages.Email:
    """The survey; or, to someone who registered but never joined, "sorry we missed you" instead."""
    if missed_meeting(sources.session, sources.meeting, sources.message.participant_id):
        return _missed_you(sources)
    return messages.survey(
        program=sources.program,
        recipient=sources.person,
        links=sources.links,
        survey_url=_survey_url(sources, "survey.answer"),
    )


def _missed_you(sources: _Sources) -> messages.Email:
    """Sorry we missed you, with a link to ask for a place in another group."""
    return messages.missed_you(
        program=sources.program,
        recipient=sources.person,
        links=sources.links,
        another_group_url=_survey_url(sources, "survey.another_group"),
    )


def _survey_reminder(sources: _Sources) -> messages.Email:
    """Only to someone who joined the meeting and has not answered yet."""
    participant_id = sources.message.participant_id
    if has_answered(sources.session, sources.message.meeting_id, participant_id):
        raise NotNeeded("they have answered the survey")
    if missed_meeting(sources.session, sources.meeting, participant_id):
        raise NotNeeded("they did not join the meeting, and were asked about another group instead")
    return messages.survey_reminder(
        program=sources.program,
        recipient=sources.person,
        links=sources.links,
        survey_url=_survey_url(sources, "survey.answer"),
    )


def _survey_url(sources: _Sources, endpoint: str) -> str:
    payload = {"p": sources.message.participant_id, "m": sources.message.meeting_id}
    return signed_url(endpoint, "survey", payload)


def _host_briefing(sources: _Sources) -> messages.Email:
    host = sources.host
    cohort = sources.cohort
    rows = sources.session.exec(
        select(Participant, Stage)
        .join(CohortMember, CohortMember.participant_id == Participant.id)
        .join(Stage, Stage.id == Participant.stage_id, isouter=True)
        .where(CohortMember.cohort_id == cohort.id)
        .order_by(Participant.display_name)
    ).all()
    members = [
        mail.CohortMember(participant.display_name, stage.name if stage else "", participant.timezone,
                          tuple(participant.languages))
        for participant, stage in rows
    ]  # fmt: skip
    payload = {"h": host.id, "m": sources.message.meeting_id}
    return messages.host_briefing(
        program=sources.program,
        recipient=sources.person,
        links=sources.links,
        meeting=sources.meeting_details(),
        condition=sources.session.get(Condition, cohort.condition_id).name,
        members=members,
        start_url=signed_url("hosts.start", "host", payload),
    )


BUILDERS: dict[MessageKind, Callable[[_Sources], messages.Email]] = {
    MessageKind.VERIFY_EMAIL: _verify_email,
    MessageKind.MANAGE_LINK: _manage_link,
    MessageKind.REGISTRATION_CONFIRMED: _registration_confirmed,
    MessageKind.WAITLISTED: _waitlisted,
    MessageKind.COHORT_INVITATION: _cohort_invitation,
    MessageKind.HOST_BRIEFING: _host_briefing,
    MessageKind.PREPARATION_TIPS: _meeting_message(messages.preparation_tips),
    MessageKind.REMINDER: _meeting_message(messages.reminder),
    MessageKind.MEETING_CHANGED: _meeting_changed,
    MessageKind.MEETING_CANCELLED: _meeting_message(messages.meeting_cancelled),
    MessageKind.SURVEY: _survey,
    MessageKind.MISSED_YOU: _missed_you,
    MessageKind.SURVEY_REMINDER: _survey_reminder,
}
