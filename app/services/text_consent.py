"""A registrant's mobile number and their consent to texts: what giving, changing or removing them does.

Consent to texts is separate from the consent to the privacy notice and to emails, and is kept with its time
(`sms_consent_at`). It belongs to one number: a new number needs the box ticked again and gets a consent of
its own, and a STOP replied from the old number (`sms_opted_out_at`) stays with the old number, since the
person who typed a new number and asked for texts at it expects them there. A STOP from the same number
stays until its owner texts START: the carrier blocks texts to it until then, and our records follow it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from app.messages.kinds import Channel
from app.models import MessageStatus, OutboundMessage, Participant, Program

TEXTS_SWITCHED_OFF = "the program's texts were switched off"


def text_columns(
    phone: str | None, wanted: bool, *, now: datetime, current: Participant | None = None
) -> dict[str, Any]:
    """The participant columns for `phone` (E.164 or None) with texts `wanted` or not, for a new registrant
    or, given `current`, one whose number and consent may already be known."""
    same_number = current is not None and phone is not None and current.phone == phone
    consented = current.sms_consent_at if same_number else None
    return {
        "phone": phone,
        "sms_consent_at": (consented or now) if phone is not None and wanted else None,
        "sms_opted_out_at": current.sms_opted_out_at if same_number else None,
    }


def texts_stopped(participant: Participant) -> bool:
    """They replied STOP from this number (or the carrier refused it): no texts until they reply START."""
    return participant.phone is not None and participant.sms_opted_out_at is not None


def may_text(program: Program, participant: Participant) -> bool:
    """Whether their number and choices let texts go to them: a number, consent to texts at it, no STOP
    since, and a program that sends texts (whether a given text is still due is the sender's question)."""
    return (
        program.texts_enabled
        and participant.phone is not None
        and participant.sms_consent_at is not None
        and not texts_stopped(participant)
    )


def follow_pending_texts(session: Session, participant: Participant, *, old_phone: str | None) -> None:
    """Texts still waiting to go to this registrant follow their choice: cancelled when texts are no longer
    wanted, sent to the new number when the number changed."""
    waiting = update(OutboundMessage).where(
        OutboundMessage.participant_id == participant.id,
        OutboundMessage.channel != Channel.EMAIL,
        OutboundMessage.status == MessageStatus.PENDING,
    )
    if participant.sms_consent_at is None or participant.phone is None:
        session.exec(waiting.values(status=MessageStatus.CANCELLED))
    elif participant.phone != old_phone:
        session.exec(waiting.values(recipient=participant.phone))


def stop_program_texts(session: Session, program: Program) -> int:
    """A program whose texts were switched off sends none of those still waiting; how many were stopped."""
    waiting = update(OutboundMessage).where(
        OutboundMessage.program_id == program.id,
        OutboundMessage.channel != Channel.EMAIL,
        OutboundMessage.status == MessageStatus.PENDING,
    )
    stopped = waiting.values(status=MessageStatus.CANCELLED, last_error=TEXTS_SWITCHED_OFF)
    return session.exec(stopped).rowcount
