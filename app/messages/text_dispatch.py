"""Sending due texts from the outbox through Twilio, one at a time at the sending number's pace.

Nothing is sent twice. Twilio takes no idempotency key, so before a text is handed over its row records the
attempt (when, and the words) and commits. A row that comes back with that record — its answer was lost
(SmsOutcomeUnknownError), or its worker stopped before writing the answer down and its claim ran out — is
first looked for at Twilio (`find_message`): found, it went and is recorded as sent; not found, it is sent.

Each row is checked again when it is due: whether its person may still be texted and it is still needed
(`text_building`), and whether it is night where they live (`quiet_hours`: it waits for their morning, or is
skipped when the morning comes after its moment has passed).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.claims import Queue, claim_due, still_claimed_by
from app.database import utcnow
from app.messages.kinds import Channel
from app.messages.quiet_hours import first_moment_allowed
from app.messages.text_building import build_text
from app.messages.text_pace import take_turn
from app.messages.unbuilt import unbuilt
from app.models import MessageStatus, OutboundMessage, Participant
from app.retry import next_attempt
from app.services.text_opt_outs import stop_texts_to
from integrations.sms import SentMessage, SmsError, SmsOptedOutError, TwilioClient

TEXT_QUEUE = Queue(
    OutboundMessage, "send_at", MessageStatus.PENDING, MessageStatus.SENDING,
    scope=(OutboundMessage.channel == Channel.SMS,),
)  # fmt: skip
NOT_SET_UP = "texts are not set up: no Twilio keys are configured"


@dataclass(frozen=True)
class TextSender:
    """Twilio as the worker uses it: the client, what the pace is kept for (the sending number or Messaging
    Service), and the URL Twilio posts delivery reports and replies to."""

    client: TwilioClient
    sender: str
    status_callback: str


def dispatch_due_texts(
    session: Session,
    sender: TextSender | None,
    *,
    now: datetime,
    worker: str,
    most: int | None = None,
    batch_size: int = 5,
) -> Counter[str]:
    """Send the texts due at `now` (or about `most` of them: a turn). Without a `sender` (no Twilio keys)
    they are cancelled, saying so. Returns how many were sent, skipped, cancelled, retried, failed, or wait
    for the morning."""
    outcomes: Counter[str] = Counter()
    while (most is None or outcomes.total() < most) and (
        claimed := claim_due(session, TEXT_QUEUE, now=now, worker=worker, limit=batch_size)
    ):
        for message in still_claimed_by(session, TEXT_QUEUE, claimed, worker):
            outcomes[_handle(session, message, sender, now=now)] += 1
            session.commit()
    return outcomes


def _handle(session: Session, message: OutboundMessage, sender: TextSender | None, *, now: datetime) -> str:
    if sender is None:
        return _settle(message, MessageStatus.CANCELLED, NOT_SET_UP)
    if "tried" in message.context:
        try:
            earlier = _earlier_attempt(sender.client, message)
        except SmsError as error:
            return _try_later(message, error, now)
        if earlier is not None:
            return _sent(message, earlier)
        _forget_attempt(message)
    if message.not_after is not None and now > message.not_after:
        return _settle(message, MessageStatus.SKIPPED, "its moment had passed")
    try:
        body = build_text(session, message)
    except Exception as error:
        return _settle(message, *unbuilt(message, error))
    participant = session.get(Participant, message.participant_id)
    allowed = first_moment_allowed(now, participant.timezone)
    if allowed != now:
        return _wait_for_morning(message, allowed)
    message.recipient = participant.phone
    return _send(session, message, sender, body, now=now)


def _wait_for_morning(message: OutboundMessage, morning: datetime) -> str:
    if message.not_after is not None and morning > message.not_after:
        return _settle(message, MessageStatus.SKIPPED, "its moment passed during the recipient's night")
    message.status, message.send_at, message.last_error = MessageStatus.PENDING, morning, None
    message.attempts -= 1  # waiting is no failed attempt
    return "waiting for the morning"


def _send(
    session: Session,
    message: OutboundMessage,
    sender: TextSender,
    body: str,
    *,
    now: datetime,
) -> str:
    turn = take_turn(session, sender.sender)
    message.context = {
        **message.context,
        "tried": {"at": utcnow().isoformat(), "to": message.recipient, "body": body},
    }
    session.commit()
    time.sleep(max((turn - utcnow()).total_seconds(), 0.0))
    try:
        sent = sender.client.send_message(message.recipient, body, status_callback=sender.status_callback)
    except SmsOptedOutError as error:
        # Every text still waiting for this number is stopped with this one, as a STOP we read would.
        stop_texts_to(session, message.recipient, now=utcnow(), why="carrier_refused")
        return _settle(message, MessageStatus.CANCELLED, f"they replied STOP to our texts ({error})")
    except SmsError as error:
        if error.outcome_unknown:
            return _try_later(message, error, now)
        if error.retryable:
            return _try_later(message, error, now, tried=False)
        return _settle(message, MessageStatus.FAILED, str(error)[:2000])
    return _sent(message, sent)


def _earlier_attempt(client: TwilioClient, message: OutboundMessage) -> SentMessage | None:
    """The text an earlier attempt of this row handed to Twilio, if Twilio has it: sent after all."""
    tried = message.context["tried"]
    return client.find_message(tried["to"], tried["body"], since=datetime.fromisoformat(tried["at"]))


def _sent(message: OutboundMessage, sent: SentMessage) -> str:
    message.status, message.sent_at, message.last_error = MessageStatus.SENT, utcnow(), None
    message.provider_id, message.delivery_status = sent.sid, sent.status
    message.segments = sent.num_segments or None
    message.price = str(sent.price) if sent.price is not None else None
    message.price_unit = sent.price_unit
    _forget_attempt(message)
    return "sent"


def _try_later(message: OutboundMessage, error: SmsError, now: datetime, *, tried: bool = True) -> str:
    """Back to pending for a later try, as emails are; failed once the tries are used up. A try whose
    outcome is unknown keeps its record, so the next one looks for it first."""
    if not tried:
        _forget_attempt(message)
    message.last_error = str(error)[:2000]
    retry_at = next_attempt(now, message.attempts)
    if retry_at is None:
        message.status = MessageStatus.FAILED
        return "failed"
    message.status, message.send_at = MessageStatus.PENDING, retry_at
    return "retrying"


def _settle(message: OutboundMessage, status: MessageStatus, reason: str) -> str:
    """Done with, unsent: no attempt of it reached Twilio (or none is left to look for)."""
    _forget_attempt(message)
    message.status, message.last_error = status, reason
    return status.value


def _forget_attempt(message: OutboundMessage) -> None:
    message.context = {name: value for name, value in message.context.items() if name != "tried"}
