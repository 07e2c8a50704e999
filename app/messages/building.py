"""Turning an outbox row into the email it stands for, from what the database holds at sending time (the
rows in `app.messages.sources`): one builder per kind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, select

from app.database import utcnow
from app.links import LIFETIMES, absence_links, absolute_url, add_time_link, signed_url, verify_link
from app.messages.kinds import MessageKind
from app.messages.sources import NotDeliverable, NotNeeded, Sources
from app.models import (
    Answer,
    CohortMember,
    Host,
    OutboundMessage,
    Participant,
    ParticipantStatus,
    SeatOffer,
    SeatOfferStatus,
    Stage,
)
from app.services.absence import answer_by
from app.services.access_needs import group_needs_captions
from app.services.debriefs import DebriefState, debrief_state
from app.services.hostless_meetings import still_to_open
from app.services.meeting_answers import answer_row
from app.services.registration import changed_answers
from app.services.survey.invitations import has_answered, missed_meeting
from app.services.waiting import is_waiting, suggested_starts
from emails import context as mail
from emails import messages


def build_email(session: Session, message: OutboundMessage) -> messages.Email:
    builder = BUILDERS.get(message.kind)
    if builder is None:
        raise NotDeliverable(f"unknown message kind {message.kind!r}")
    return builder(Sources(session, message))


def _verify_email(sources: Sources) -> messages.Email:
    context = sources.message.context
    # Signed now, so the outbox keeps no working link; a message queued before that carries its own.
    verify_url = context.get("verify_url") or verify_link(
        sources.program_row.slug, sources.message.participant_id, context.get("nonce")
    )
    return messages.verify_email(
        **sources.envelope,
        verify_url=verify_url,
        expires_at_utc=sources.message.created_at + LIFETIMES["verify"],
        changes=_changed_answers(sources),
    )


def _changed_answers(sources: Sources) -> list[str]:
    """What the link would change, named when the email is written; an email queued before that was done
    carries its own list."""
    context = sources.message.context
    if "changes" in context:
        return context["changes"]
    return changed_answers(sources.session, sources.program_row, sources.participant, context.get("nonce"))


def _manage_link(sources: Sources) -> messages.Email:
    return messages.manage_link(**sources.envelope)


def _registration_confirmed(sources: Sources) -> messages.Email:
    return messages.registration_confirmed(
        **sources.envelope,
        condition=sources.condition_name,
    )


def _waitlisted(sources: Sources) -> messages.Email:
    """Why they wait and the times that would place them, as the latest match saw it."""
    participant = sources.participant
    if not is_waiting(sources.session, participant):
        raise NotNeeded("they found a group, or are no longer looking for one")
    starts = suggested_starts(sources.program_row, participant, today=sources.message.send_at.date())
    suggestions = [
        mail.SuggestedTime(start, add_time_link(sources.program_row.slug, participant.id, slot))
        for slot, start in starts
    ]
    return messages.waitlisted(
        **sources.envelope,
        reason=participant.waitlist_reason or "not_matched_yet",
        suggestions=suggestions,
    )


def _cohort_invitation(sources: Sources) -> messages.Email:
    cohort = sources.cohort
    members = sources.session.exec(select(CohortMember).where(CohortMember.cohort_id == cohort.id)).all()
    host = sources.session.get(Host, cohort.host_id) if cohort.host_id else None
    again = sources.meeting.number > 1
    return messages.cohort_invitation(
        **sources.envelope,
        meeting=sources.meeting_details(),
        condition=sources.condition_name,
        others=len(members) - 1,
        host_name=host.display_name if host else None,
        answers=sources.answers,
        again=again,
        place_opened=not again and _told_waiting_before_placed(sources, members),
        dial_in=sources.dial_in,
    )


def _told_waiting_before_placed(sources: Sources, members: list[CohortMember]) -> bool:
    """Whether we had told this member they were waiting before they got their place in this group."""
    told = sources.participant.waiting_told_at
    place = next(member for member in members if member.participant_id == sources.message.participant_id)
    return told is not None and told <= place.added_at


def _preparation_tips(sources: Sources) -> messages.Email:
    if sources.not_coming():
        raise NotNeeded("they told us they cannot come")
    return messages.preparation_tips(
        **sources.envelope,
        meeting=sources.meeting_details(),
        hosted=sources.cohort.host_id is not None,
        own_tips=sources.program_text(sources.program_row, "preparation_tips").splitlines(),
    )


def _reminder(sources: Sources) -> messages.Email:
    if sources.not_coming():
        raise NotNeeded("they told us they cannot come")
    return messages.reminder(
        **sources.envelope,
        meeting=sources.meeting_details(),
        answers=sources.answers,
        dial_in=sources.dial_in,
    )


def _meeting_message(build: Callable[..., messages.Email]) -> Callable[[Sources], messages.Email]:
    def builder(sources: Sources) -> messages.Email:
        return build(
            **sources.envelope,
            meeting=sources.meeting_details(),
        )

    return builder


def _meeting_changed(sources: Sources) -> messages.Email:
    previous = sources.message.context
    return messages.meeting_changed(
        **sources.envelope,
        meeting=sources.meeting_details(),
        previous=sources.meeting_details(
            starts_at=datetime.fromisoformat(previous["previous_starts_at"]),
            sequence=previous["previous_sequence"],
        ),
        answers=None if sources.message.host_id else sources.answers,
    )


def _survey(sources: Sources) -> messages.Email:
    """The survey; or, to someone who registered but never joined, "sorry we missed you" instead (nothing
    to someone who told us they could not come; nothing to anyone when the meeting never started)."""
    sources.require_held()
    if missed_meeting(sources.session, sources.meeting, sources.message.participant_id):
        if sources.not_coming():
            raise NotNeeded("they told us they could not come, and did not")
        return _missed_you(sources)
    return messages.survey(
        **sources.envelope,
        survey_url=_survey_url(sources, "survey.answer"),
    )


def _missed_you(sources: Sources) -> messages.Email:
    """Sorry we missed you, with a link to ask for a place in another group."""
    return messages.missed_you(
        **sources.envelope,
        another_group_url=_survey_url(sources, "survey.another_group"),
    )


def _survey_reminder(sources: Sources) -> messages.Email:
    """Only to someone who joined the meeting and has not answered yet."""
    participant_id = sources.message.participant_id
    sources.require_held()
    if has_answered(sources.session, sources.message.meeting_id, participant_id):
        raise NotNeeded("they have answered the survey")
    if missed_meeting(sources.session, sources.meeting, participant_id):
        raise NotNeeded("they did not join the meeting, and were asked about another group instead")
    return messages.survey_reminder(
        **sources.envelope,
        survey_url=_survey_url(sources, "survey.answer"),
    )


def _survey_url(sources: Sources, endpoint: str) -> str:
    payload = {"p": sources.message.participant_id, "m": sources.message.meeting_id}
    return signed_url(endpoint, "survey", payload)


def _host_briefing(sources: Sources) -> messages.Email:
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
        mail.CohortMember(participant.display_name, sources.program_text(stage, "name") if stage else "",
                          participant.timezone, tuple(participant.languages))
        for participant, stage in rows
    ]  # fmt: skip
    payload = {"h": host.id, "m": sources.message.meeting_id}
    return messages.host_briefing(
        **sources.envelope,
        meeting=sources.meeting_details(),
        condition=sources.condition_name,
        members=members,
        start_url=signed_url("hosts.start", "host", payload),
        captions=group_needs_captions(sources.session, cohort.id),
    )


def _member_answer(sources: Sources) -> messages.Email:
    """To the host: a member's answer, unless they changed it again since (a newer message says so)."""
    context = sources.message.context
    row = answer_row(sources.session, sources.message.meeting_id, context["participant"])
    member = sources.session.get(Participant, context["participant"])
    if row is None or row.changes != context["changes"] or member.status == ParticipantStatus.ERASED:
        raise NotNeeded("the member changed their answer again, or left")
    return messages.member_answer(
        **sources.envelope,
        meeting=sources.meeting_details(),
        member=member.display_name,
        coming=row.answer == Answer.COMING,
    )


def _seat_offered(sources: Sources) -> messages.Email:
    offer = sources.session.exec(
        select(SeatOffer).where(
            SeatOffer.meeting_id == sources.message.meeting_id,
            SeatOffer.participant_id == sources.message.participant_id,
        )
    ).one()
    if offer.status != SeatOfferStatus.OPEN:
        raise NotNeeded("the place was taken before the offer went out")
    return messages.seat_offered(
        **sources.envelope,
        starts_at_utc=sources.meeting.starts_at,
        accept_url=signed_url("answers.seat", "seat", {"o": offer.id}, slug=sources.program_row.slug),
    )


def _seat_taken(sources: Sources) -> messages.Email:
    return messages.seat_taken(
        **sources.envelope,
        starts_at_utc=sources.meeting.starts_at,
    )


def _absence_check(sources: Sources) -> messages.Email:
    participant = sources.participant
    if participant.status != ParticipantStatus.VERIFIED:
        raise NotNeeded("they paused or left before the question went out")
    return messages.absence_check(
        **sources.envelope,
        answer_by_utc=answer_by(participant),
        choices=mail.AbsenceChoices(**absence_links(sources.program_row.slug, participant.id)),
    )


def _absence_paused(sources: Sources) -> messages.Email:
    if sources.participant.status != ParticipantStatus.PAUSED:
        raise NotNeeded("they resumed or left before the message went out")
    return messages.absence_paused(**sources.envelope)


def _host_debrief(sources: Sources) -> messages.Email:
    """To the host once the meeting has ended, unless it never started (the meetings page flags that to the
    coordinator instead), they debriefed it already, or they no longer lead it."""
    host, meeting = sources.host, sources.meeting
    sources.require_held()
    if debrief_state(sources.session, host, meeting, now=utcnow()) in (
        DebriefState.ANSWERED,
        DebriefState.NOT_THEIRS,
    ):
        raise NotNeeded("the host debriefed this meeting already, or no longer leads its group")
    return messages.host_debrief(
        **sources.envelope,
        meeting=sources.meeting_details(),
        debrief_url=signed_url("debriefs.debrief", "host", {"h": host.id, "m": meeting.id}),
    )


def _concern_raised(sources: Sources) -> messages.Email:
    """To one coordinator: a concern came in, and where the queue is (never the concern itself)."""
    queue_url = absolute_url("console.concerns", slug=sources.program_row.slug)
    return messages.concern_raised(**_to_coordinator(sources, queue_url), queue_url=queue_url)


def _meetings_to_open(sources: Sources) -> messages.Email:
    """To one coordinator: the meetings just approved with no host that still need someone to open them."""
    program = sources.program_row
    meetings = still_to_open(sources.session, program, sources.message.context["meetings"], now=utcnow())
    if not meetings:
        raise NotNeeded("each of these meetings has a host now, was cancelled or is over")
    listed = [
        mail.MeetingToOpen(
            meeting.cohort_id, meeting.starts_at, meeting.ends_at,
            absolute_url("console.meeting", slug=program.slug, meeting_id=meeting.id),
        )
        for meeting in meetings
    ]  # fmt: skip
    console_url = absolute_url("console.meetings", slug=program.slug)
    return messages.meetings_to_open(**_to_coordinator(sources, console_url), meetings=listed)


def _to_coordinator(sources: Sources, console_url: str) -> dict[str, object]:
    """The envelope of an alert to one coordinator: in the program's time zone, with no unsubscribing."""
    address = sources.message.recipient
    if not address:
        raise NotDeliverable("the coordinator's address is gone")
    recipient = mail.Person(
        address.partition("@")[0], address, sources.program_row.timezone, sources.message.locale
    )
    links = mail.Links(manage_url=console_url, unsubscribe_url=None, to_coordinator=True)
    return {"program": sources.program, "recipient": recipient, "links": links}


BUILDERS: dict[MessageKind, Callable[[Sources], messages.Email]] = {
    MessageKind.VERIFY_EMAIL: _verify_email,
    MessageKind.MANAGE_LINK: _manage_link,
    MessageKind.REGISTRATION_CONFIRMED: _registration_confirmed,
    MessageKind.WAITLISTED: _waitlisted,
    MessageKind.COHORT_INVITATION: _cohort_invitation,
    MessageKind.HOST_BRIEFING: _host_briefing,
    MessageKind.PREPARATION_TIPS: _preparation_tips,
    MessageKind.REMINDER: _reminder,
    MessageKind.MEETING_CHANGED: _meeting_changed,
    MessageKind.MEETING_CANCELLED: _meeting_message(messages.meeting_cancelled),
    MessageKind.SURVEY: _survey,
    MessageKind.MISSED_YOU: _missed_you,
    MessageKind.SURVEY_REMINDER: _survey_reminder,
    MessageKind.MEMBER_ANSWER: _member_answer,
    MessageKind.SEAT_OFFERED: _seat_offered,
    MessageKind.SEAT_TAKEN: _seat_taken,
    MessageKind.ABSENCE_CHECK: _absence_check,
    MessageKind.ABSENCE_PAUSED: _absence_paused,
    MessageKind.HOST_DEBRIEF: _host_debrief,
    MessageKind.CONCERN_RAISED: _concern_raised,
    MessageKind.MEETINGS_TO_OPEN: _meetings_to_open,
}
