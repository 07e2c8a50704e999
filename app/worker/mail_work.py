"""Sending due messages from the outbox.

Delivery is at least once: a worker that dies after the mail server took a message but before the row was
marked sent leaves it claimed, and it is sent again when the lease runs out. Batches are small, so that
window holds few messages; everything else is exactly once.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlmodel import Session

from app.database import utcnow
from app.models import MessageStatus, OutboundMessage
from app.notifications import NotDeliverable, NotNeeded, NotReady, build_email
from app.worker.claims import Queue, claim_due, still_claimed_by
from app.worker.retry import next_attempt
from emails.messages import compose
from emails.sending import Sender, SendError

MAIL_QUEUE = Queue(OutboundMessage, "send_at", MessageStatus.PENDING, MessageStatus.SENDING)
WAIT_FOR_MEETING = timedelta(minutes=2)
logger = logging.getLogger(__name__)


def dispatch_due_messages(
    session: Session, sender: Sender, *, mail_from: str, now: datetime, worker: str, batch_size: int = 25
) -> Counter[str]:
    """Send every message due at `now`; returns how many were sent, skipped, cancelled, retried, failed."""
    outcomes: Counter[str] = Counter()
    while claimed := claim_due(session, MAIL_QUEUE, now=now, worker=worker, limit=batch_size):
        ready = _prepare(session, claimed, mail_from=mail_from, now=now, worker=worker, outcomes=outcomes)
        session.commit()
        errors = sender.send_many([email for _, email in ready]) if ready else []
        for (message, _), error in zip(ready, errors, strict=True):
            outcomes[_record(message, error, now)] += 1
        session.commit()
    return outcomes


def _prepare(
    session: Session,
    claimed: list[int],
    *,
    mail_from: str,
    now: datetime,
    worker: str,
    outcomes: Counter[str],
) -> list[tuple[OutboundMessage, EmailMessage]]:
    """Build the claimed messages; those that must not or cannot be sent now are settled here."""
    ready = []
    for message in still_claimed_by(session, MAIL_QUEUE, claimed, worker):
        if message.not_after is not None and now > message.not_after:
            outcomes[_settle(message, MessageStatus.SKIPPED, "its moment had passed")] += 1
            continue
        try:
            ready.append((message, compose(build_email(session, message), mail_from=mail_from)))
        except NotNeeded as reason:
            outcomes[_settle(message, MessageStatus.SKIPPED, str(reason))] += 1
        except NotDeliverable as reason:
            outcomes[_settle(message, MessageStatus.CANCELLED, str(reason))] += 1
        except NotReady as reason:
            message.status, message.send_at, message.last_error = (
                MessageStatus.PENDING,
                now + WAIT_FOR_MEETING,
                str(reason),
            )
            message.attempts -= 1
            outcomes["waiting"] += 1
        except Exception as error:
            # A fault in our own code or data must not stop everyone else's mail: the coordinator sees it.
            logger.exception("could not build message %s", message.id)
            outcomes[_settle(message, MessageStatus.FAILED, f"could not be built: {error}")] += 1
    return ready


def _settle(message: OutboundMessage, status: MessageStatus, reason: str) -> str:
    message.status = status
    message.last_error = reason
    return status.value


def _record(message: OutboundMessage, error: SendError | None, now: datetime) -> str:
    if error is None:
        message.status, message.sent_at, message.last_error = MessageStatus.SENT, utcnow(), None
        return "sent"
    message.last_error = str(error)[:2000]
    retry_at = None if error.permanent else next_attempt(now, message.attempts)
    if retry_at is None:
        message.status = MessageStatus.FAILED
        return "failed"
    message.status, message.send_at = MessageStatus.PENDING, retry_at
    return "retrying"
