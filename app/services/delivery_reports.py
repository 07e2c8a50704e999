"""What Twilio reports of a text we sent: its delivery state moves forward only, and a failure says why.

Reports can arrive late and out of order (Twilio posts each step on its own, and retries), so a "sent"
arriving after "delivered" changes nothing: each update only moves a row to a later step, in one
statement, so two reports at once cannot both win. A text Twilio refuses because its recipient replied
STOP (21610) stops every text to that number, as the STOP itself would.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, select

from app.messages.kinds import Channel
from app.models import OutboundMessage
from app.services.text_opt_outs import stop_texts_to
from integrations.sms import OPTED_OUT, StatusReport

# Where each status Twilio reports stands on a text's way; a report never moves a text back.
STEPS = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 0,
    "sending": 1,
    "sent": 2,
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "canceled": 3,
    "read": 4,
}
FAILED = frozenset({"undelivered", "failed"})
# Twilio's delivery error codes, in words for the coordinator (https://www.twilio.com/docs/api/errors).
DELIVERY_ERRORS = {
    30003: "the phone is switched off or out of reach",
    30004: "the recipient blocks our texts",
    30005: "the number is unknown or no longer in use",
    30006: "the number is a landline, or its carrier cannot take texts",
    30007: "the carrier filtered it as unwanted",
    30008: "an unknown error at the carrier",
    OPTED_OUT: "the recipient replied STOP",
}


def record_delivery_report(session: Session, report: StatusReport, *, now: datetime) -> bool:
    """Move the text Twilio names to the reported status, if that is a step forward; whether the text is
    one of ours (a report of an unknown text is ignored)."""
    recipient = session.exec(
        select(OutboundMessage.recipient).where(
            OutboundMessage.provider_id == report.message_sid, OutboundMessage.channel == Channel.SMS
        )
    ).first()
    if recipient is None:
        return False
    values: dict[str, str] = {"delivery_status": report.status}
    if report.status in FAILED:
        values["last_error"] = describe_delivery_error(report.error_code)
    step = STEPS[report.status]
    earlier = [status for status, at in STEPS.items() if at < step]
    session.exec(
        update(OutboundMessage)
        .where(
            OutboundMessage.provider_id == report.message_sid,
            OutboundMessage.channel == Channel.SMS,
            or_(OutboundMessage.delivery_status.is_(None), OutboundMessage.delivery_status.in_(earlier)),
        )
        .values(**values)
    )
    if report.error_code == OPTED_OUT:
        stop_texts_to(session, recipient, now=now, why="carrier_refused")
    return True


def describe_delivery_error(code: int | None) -> str:
    """Why a text did not arrive, as the coordinator reads it."""
    if code is None:
        return "Not delivered; Twilio gave no reason."
    reason = DELIVERY_ERRORS.get(code, "see Twilio's list of error codes")
    return f"Not delivered (Twilio error {code}: {reason})."
