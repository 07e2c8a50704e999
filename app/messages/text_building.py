"""Turning a text row of the outbox into the words sent, from what the database holds at sending time.

A text is sent only while it is still wanted: the person may still be texted (`may_text`: a number, consent,
no STOP, the program's texts on) and the message still has something to say, for the same reasons the
email of its kind would be skipped. It fits one segment (GSM-7 160, UCS-2 70 characters: see
`integrations.sms.segments`): its fixed words are written for that, the time and the name are written in
GSM-7's letters (á as a, as phones without the accent do), and the program's name is shortened, at a word,
as far as it must be. The name is the one others may see (its neutral title), or a generic title when
even that names a diagnosis.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select

from app.inputs.neutral_title import GENERIC_TITLE, named_diagnosis
from app.messages.kinds import MessageKind
from app.messages.sources import NotDeliverable, NotNeeded, Sources
from app.messages.text_links import text_link
from app.models import CohortMember, MeetingStatus, OutboundMessage, Participant, Program
from app.services.registration import list_conditions
from app.services.survey.invitations import has_answered, missed_meeting
from app.services.text_consent import may_text, texts_stopped
from emails.texts import text_message, text_time
from integrations.sms import fits_one_segment

# What GSM-7 lacks, written with the letter a phone shows in its place.
GSM_LOOKALIKES = str.maketrans(
    {"á": "a", "í": "i", "ó": "o", "ú": "u", "Á": "A", "Í": "I", "Ó": "O", "Ú": "U", "ç": "c", "â": "a",
     "ê": "e", "î": "i", "ô": "o", "û": "u", "ë": "e", "ï": "i", "’": "'", "‘": "'", "“": '"', "”": '"',
     "–": "-", "—": "-", "…": "..."}
)  # fmt: skip


def build_text(session: Session, message: OutboundMessage) -> str:
    """The words of the text in `message`. Raises NotDeliverable (or NotNeeded) as the email builders do."""
    builder = TEXT_BUILDERS.get(message.kind)
    if builder is None:
        raise NotDeliverable(f"a {message.kind} message does not go by text")
    sources = Sources(session, message)
    _check_texts_wanted(sources)
    return builder(sources)


def _check_texts_wanted(sources: Sources) -> None:
    participant = sources.participant
    if not may_text(sources.program_row, participant):
        raise NotDeliverable(_why_not_texted(sources, participant))


def _why_not_texted(sources: Sources, participant: Participant) -> str:
    if not sources.program_row.texts_enabled:
        return "the program's texts are switched off"
    if texts_stopped(participant):
        return "they replied STOP"
    return "they no longer want texts, or removed their number"


def _still_a_member(sources: Sources) -> None:
    """The meeting still takes place and they still have their place in it."""
    meeting = sources.meeting
    if meeting.status == MeetingStatus.CANCELLED:
        raise NotNeeded("the meeting was cancelled")
    member = sources.session.exec(
        select(CohortMember.id).where(
            CohortMember.cohort_id == meeting.cohort_id,
            CohortMember.participant_id == sources.message.participant_id,
        )
    ).first()
    if member is None:
        raise NotNeeded("they left the group")


def _reminder(sources: Sources) -> str:
    _still_a_member(sources)
    if sources.not_coming():
        raise NotNeeded("they told us they cannot come")
    return _meeting_text(sources)


def _meeting_changed(sources: Sources) -> str:
    _still_a_member(sources)
    return _meeting_text(sources)


def _survey(sources: Sources) -> str:
    """Only to someone who came (as far as we know) and has not answered: the email says "sorry we missed
    you" to someone who did not join."""
    participant_id = sources.message.participant_id
    if sources.not_coming():
        raise NotNeeded("they told us they could not come")
    sources.require_held()
    if missed_meeting(sources.session, sources.meeting, participant_id):
        raise NotNeeded("they did not join the meeting; their email says we missed them")
    if has_answered(sources.session, sources.message.meeting_id, participant_id):
        raise NotNeeded("they have answered the survey")
    return _meeting_text(sources)


def _meeting_text(sources: Sources) -> str:
    participant = sources.participant
    when = text_time(sources.meeting.starts_at, participant.timezone, participant.locale)
    return one_segment_text(
        sources.message.kind, program=_shown_name(sources), when=when.translate(GSM_LOOKALIKES),
        link=text_link(sources.message.id), locale=participant.locale,
    )  # fmt: skip


def one_segment_text(kind: str, *, program: str, when: str, link: str, locale: str) -> str:
    """The text with as much of the program's name as one segment leaves room for (none, at worst)."""
    words = program.translate(GSM_LOOKALIKES).split()
    while True:
        text = text_message(kind, program=" ".join(words), when=when, link=link, locale=locale)
        if fits_one_segment(text) or not words:
            return text.removeprefix(": ")
        words.pop()


def _shown_name(sources: Sources) -> str:
    return shown_name(sources.session, sources.program_row)


def shown_name(session: Session, program: Program) -> str:
    """The program's name in a text, which lock screens show: as others may see it (its neutral title), or
    a generic one when even that names a diagnosis."""
    name = program.neutral_title or program.name
    conditions = [offer.condition for offer in list_conditions(session, program)]
    return GENERIC_TITLE if named_diagnosis(name, conditions) else name


TEXT_BUILDERS: dict[MessageKind, Callable[[Sources], str]] = {
    MessageKind.REMINDER: _reminder,
    MessageKind.MEETING_CHANGED: _meeting_changed,
    MessageKind.MEETING_CANCELLED: _meeting_text,
    MessageKind.SURVEY: _survey,
}
