"""People's texts to our number, and Twilio's reports on ours: what `POST /webhooks/sms` receives.

A person's text is kept once per `MessageSid` — Twilio may deliver a webhook twice, even twice at once —
and only the request that kept it acts on it: the row is inserted first, and a text already kept is left
to the request that kept it. It is matched to the registrants with the number it came from, read for what
it asks (`classify_reply`, English and Spanish), and acted on:

- STOP and its synonyms: no more texts to that number (`text_opt_outs`). Twilio itself answers its own
  keywords; a synonym it does not know (PARAR, "please stop texting me") gets our confirmation instead,
  as carriers expect one.
- START: texts may go again (Twilio answers it).
- HELP: who we are and how to stop.
- "Can't come" to the latest reminder texted to that number for a meeting still ahead: recorded as the
  email's "I can't come this time" link records it, and confirmed with the link to change their mind.
  With no such meeting (or an answer no longer possible), it is kept as any other text.
- Anything else: kept for the coordinator, never answered by a machine.

A text from a number no registrant has is kept without a program, for the admins.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from app.bulk import conflict_insert
from app.messages.kinds import Channel, MessageKind
from app.messages.text_building import shown_name
from app.models import (
    Answer,
    Meeting,
    MeetingStatus,
    MessageStatus,
    OutboundMessage,
    Participant,
    Program,
    ReplyMeaning,
    TextReply,
)
from app.services.delivery_reports import record_delivery_report
from app.services.meeting_answers import AnswerError, record_answer
from app.services.text_answers import help_answer, not_coming_answer, reply_locale, stopped_answer
from app.services.text_opt_outs import start_texts_to, stop_texts_to
from integrations.sms import InboundMessage, ReplyKind, StatusReport, classify_reply, twilio_keyword

MEANINGS = {
    ReplyKind.OPT_OUT: ReplyMeaning.STOP,
    ReplyKind.OPT_IN: ReplyMeaning.START,
    ReplyKind.HELP: ReplyMeaning.HELP,
    ReplyKind.CANT_COME: ReplyMeaning.NOT_COMING,
    ReplyKind.OTHER: ReplyMeaning.OTHER,
}
# The texts a "can't come" may answer: those that ask for one.
ANSWERABLE_KINDS = (MessageKind.REMINDER,)
NUMBER_LENGTH = 16  # what TextReply.from_number holds: E.164 has at most 16 characters


def receive_webhook(session: Session, payload: InboundMessage | StatusReport, *, now: datetime) -> list[str]:
    """Act on what Twilio posted; the texts to send back to its sender (none for a delivery report)."""
    if isinstance(payload, StatusReport):
        record_delivery_report(session, payload, now=now)
        return []
    return receive_text(session, payload, now=now)


def receive_text(session: Session, text: InboundMessage, *, now: datetime) -> list[str]:
    """Keep a person's text once and act on it; the texts to answer it with."""
    kind = classify_reply(text.body)
    people = session.exec(
        select(Participant).where(Participant.phone == text.from_number).order_by(Participant.id.desc())
    ).all()
    reminded = None
    if kind is ReplyKind.CANT_COME:
        reminded = _latest_reminder(session, text.from_number, people, now)
    meaning = ReplyMeaning.OTHER if kind is ReplyKind.CANT_COME and reminded is None else MEANINGS[kind]
    person, meeting = reminded or (_likeliest(session, people), None)
    reply_id = _keep(session, text, meaning, person, meeting, now)
    if reply_id is None:  # kept already, and acted on by the request that kept it
        return []
    if meaning is ReplyMeaning.STOP:
        stop_texts_to(session, text.from_number, now=now, why="replied_stop")
        answered_by_twilio = twilio_keyword(text.body) is ReplyKind.OPT_OUT
        return [] if answered_by_twilio else [stopped_answer(reply_locale(text.body, person))]
    if meaning is ReplyMeaning.START:
        start_texts_to(session, text.from_number)
        return []
    if meaning is ReplyMeaning.HELP:
        program = session.get(Program, person.program_id) if person else None
        title = shown_name(session, program) if program else None
        return [help_answer(program, title, reply_locale(text.body, person))]
    if meaning is ReplyMeaning.NOT_COMING:
        return _not_coming(session, reply_id, person, meeting, now)
    return []


def _not_coming(
    session: Session, reply_id: int, person: Participant, meeting: Meeting, now: datetime
) -> list[str]:
    """Record "can't come" as the email's link does; a meeting that can no longer be answered (they left
    the group meanwhile) makes the text one for the coordinator to read."""
    try:
        record_answer(session, meeting, person, Answer.NOT_COMING, now=now)
    except AnswerError:
        session.exec(
            update(TextReply)
            .where(TextReply.id == reply_id)
            .values(meaning=ReplyMeaning.OTHER, meeting_id=None)
        )
        return []
    return [not_coming_answer(session.get(Program, person.program_id), person, meeting)]


def _latest_reminder(
    session: Session, number: str, people: list[Participant], now: datetime
) -> tuple[Participant, Meeting] | None:
    """The registrant and meeting of the latest reminder texted to `number` for a meeting still ahead."""
    if not people:
        return None
    found = session.exec(
        select(OutboundMessage.participant_id, Meeting)
        .join(Meeting, Meeting.id == OutboundMessage.meeting_id)
        .where(
            OutboundMessage.participant_id.in_([person.id for person in people]),
            OutboundMessage.recipient == number,
            OutboundMessage.channel == Channel.SMS,
            OutboundMessage.kind.in_(ANSWERABLE_KINDS),
            OutboundMessage.status == MessageStatus.SENT,
            Meeting.starts_at > now,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .order_by(OutboundMessage.sent_at.desc(), OutboundMessage.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return None
    participant_id, meeting = found
    return next(person for person in people if person.id == participant_id), meeting


def _likeliest(session: Session, people: list[Participant]) -> Participant | None:
    """Of the registrants with one number, the one we last texted (else the latest to register): the one
    a text from that number most likely answers."""
    if len(people) <= 1:
        return people[0] if people else None
    last = session.exec(
        select(OutboundMessage.participant_id)
        .where(
            OutboundMessage.participant_id.in_([person.id for person in people]),
            OutboundMessage.channel == Channel.SMS,
            OutboundMessage.status == MessageStatus.SENT,
        )
        .order_by(OutboundMessage.sent_at.desc(), OutboundMessage.id.desc())
        .limit(1)
    ).first()
    return next((person for person in people if person.id == last), people[0])


def _keep(
    session: Session,
    text: InboundMessage,
    meaning: ReplyMeaning,
    person: Participant | None,
    meeting: Meeting | None,
    now: datetime,
) -> int | None:
    """Insert the text unless its MessageSid is kept already; its id, or None when it was. On PostgreSQL a
    second request with the same MessageSid waits here until the first commits, then finds it kept."""
    row = {
        "message_sid": text.message_sid,
        "program_id": person.program_id if person else None,
        "participant_id": person.id if person else None,
        "meeting_id": meeting.id if meeting else None,
        "from_number": text.from_number[:NUMBER_LENGTH],
        "body": text.body,
        "meaning": meaning,
        "received_at": now,
    }
    statement = (
        conflict_insert(session, TextReply)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["message_sid"])
        .returning(TextReply.id)
    )
    return session.execute(statement).scalar()
