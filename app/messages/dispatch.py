"""Sending due messages from the outbox.

Delivery is at least once: a worker that dies after the mail server took a message but before the row was
marked sent leaves it claimed, and it is sent again when the lease runs out. Batches are small, so that
window holds few messages; everything else is exactly once (a database that goes away while messages are
with the mail server is waited for, so its restart sends nothing twice). Every try of a row carries the
same Message-ID, so a copy that does arrive twice is one message to the recipient's mail program.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.claims import DEFAULT_LEASE, Queue, claim_due, still_claimed_by
from app.database import database_error_reason, utcnow
from app.messages.building import build_email
from app.messages.kinds import Channel
from app.messages.sources import NotReady
from app.messages.unbuilt import unbuilt
from app.models import MessageStatus, OutboundMessage
from app.retry import next_attempt
from emails.messages import compose
from emails.sending import Sender, SendError

MAIL_QUEUE = Queue(
    OutboundMessage, "send_at", MessageStatus.PENDING, MessageStatus.SENDING,
    scope=(OutboundMessage.channel == Channel.EMAIL,),
)  # fmt: skip
WAIT_FOR_MEETING = timedelta(minutes=2)
RECORD_RETRY_PAUSE, MAX_RECORD_RETRY_PAUSE = 0.5, 10.0  # seconds
logger = logging.getLogger(__name__)


def dispatch_due_messages(
    session: Session,
    sender: Sender,
    *,
    mail_from: str,
    now: datetime,
    worker: str,
    most: int | None = None,
    batch_size: int = 25,
) -> Counter[str]:
    """Send the messages due at `now`, or up to about `most` of them (a turn, so other work is not kept
    waiting); returns how many were sent, skipped, cancelled, retried, failed."""
    outcomes: Counter[str] = Counter()
    while (most is None or outcomes.total() < most) and (
        claimed := claim_due(session, MAIL_QUEUE, now=now, worker=worker, limit=batch_size)
    ):
        ready = _prepare(session, claimed, mail_from=mail_from, now=now, worker=worker, outcomes=outcomes)
        session.commit()
        errors = sender.send_many([email for _, email in ready]) if ready else []
        answers = {message.id: error for (message, _), error in zip(ready, errors, strict=True)}
        outcomes += _write_down(session, answers, now=now, worker=worker)
    return outcomes


def _write_down(
    session: Session, answers: dict[int, SendError | None], *, now: datetime, worker: str
) -> Counter[str]:
    """Record the mail server's answer for each message handed over.

    The messages have left, so this record is all that keeps them from going again when their claim runs
    out. A database that does not answer (restarting, failing over) is waited for as long as the claim
    holds, rather than letting the lease send everything twice.
    """
    if not answers:
        return Counter()
    give_up_at, pause = time.monotonic() + DEFAULT_LEASE.total_seconds(), RECORD_RETRY_PAUSE
    while True:
        try:
            outcomes = Counter(
                _record(message, answers[message.id], now)
                for message in still_claimed_by(session, MAIL_QUEUE, list(answers), worker)
            )
            session.commit()
            return outcomes
        except OperationalError as error:
            session.rollback()
            if time.monotonic() + pause > give_up_at:
                raise
            logger.warning(
                "could not record what the mail server answered for %d message(s), the database does not "
                "answer; trying again in %g s (%s)", len(answers), pause, database_error_reason(error),
            )  # fmt: skip
            time.sleep(pause)
            pause = min(pause * 2, MAX_RECORD_RETRY_PAUSE)


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
            email = compose(build_email(session, message), mail_from=mail_from)
            email.replace_header("Message-ID", outbox_message_id(message, mail_from))
            ready.append((message, email))
        except NotReady as reason:
            message.status, message.send_at, message.last_error = (
                MessageStatus.PENDING,
                now + WAIT_FOR_MEETING,
                str(reason),
            )
            message.attempts -= 1
            outcomes["waiting"] += 1
        except Exception as error:
            outcomes[_settle(message, *unbuilt(message, error))] += 1
    return ready


def outbox_message_id(message: OutboundMessage, mail_from: str) -> str:
    """The Message-ID of the row's email: the same on every try, and unique to the row (its creation time
    keeps two databases' row 1 apart)."""
    unique = f"{message.id}:{message.dedupe_key}:{message.created_at.isoformat()}"
    digest = hashlib.sha256(unique.encode()).hexdigest()[:20]
    domain = parseaddr(mail_from)[1].rsplit("@", 1)[1]
    return f"<outbox.{message.id}.{digest}@{domain}>"


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
