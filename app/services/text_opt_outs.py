"""A number's texts stopped (STOP replied, or Twilio refusing it with 21610) or started again (START).

An opt-out belongs to the number, as the carrier keeps it: every registrant with that number, in every
program, stops getting texts, and the texts still waiting to go to them are cancelled. START lifts it;
their consent to texts stays as it was (`sms_consent_at`), and what was cancelled stays cancelled.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, select

from app.messages.kinds import Channel
from app.models import MessageStatus, OutboundMessage, Participant
from app.services.audit import record_event

STOPPED = "Not sent: the number replied STOP."


def stop_texts_to(session: Session, number: str, *, now: datetime, why: str) -> None:
    """No more texts to `number`: its registrants are marked opted out and their waiting texts cancelled.
    `why` names the cause in each registrant's activity ("replied_stop", "carrier_refused")."""
    people = session.exec(
        select(Participant.id, Participant.program_id).where(
            Participant.phone == number, Participant.sms_opted_out_at.is_(None)
        )
    ).all()
    session.exec(
        update(Participant)
        .where(Participant.phone == number, Participant.sms_opted_out_at.is_(None))
        .values(sms_opted_out_at=now)
    )
    session.exec(
        update(OutboundMessage)
        .where(
            OutboundMessage.channel == Channel.SMS,
            OutboundMessage.status == MessageStatus.PENDING,
            or_(
                OutboundMessage.recipient == number,
                OutboundMessage.participant_id.in_([person_id for person_id, _ in people]),
            ),
        )
        .values(status=MessageStatus.CANCELLED, last_error=STOPPED)
    )
    for person_id, program_id in people:
        record_event(
            session, "participant_stopped_texts", actor="participant", program_id=program_id,
            subject=("participant", person_id), why=why,
        )  # fmt: skip


def start_texts_to(session: Session, number: str) -> None:
    """Texts may go to `number` again: the opt-out of its registrants is lifted."""
    people = session.exec(
        select(Participant.id, Participant.program_id).where(
            Participant.phone == number, Participant.sms_opted_out_at.is_not(None)
        )
    ).all()
    session.exec(update(Participant).where(Participant.phone == number).values(sms_opted_out_at=None))
    for person_id, program_id in people:
        record_event(
            session, "participant_started_texts", actor="participant", program_id=program_id,
            subject=("participant", person_id),
        )  # fmt: skip
