"""Queueing, moving and cancelling outbound messages, always inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from app.bulk import insert_new
from app.database import utcnow
from app.messages.kinds import KINDS, Channel, MessageKind, due
from app.models import Meeting, MessageStatus, OutboundMessage, Participant, Program
from app.services.text_consent import may_text

TEXT_KEY_SUFFIX = ":sms"


def message_row(
    *,
    kind: MessageKind,
    program_id: int,
    recipient: str,
    dedupe_key: str,
    send_at: datetime,
    locale: str = "en",
    participant_id: int | None = None,
    host_id: int | None = None,
    meeting_id: int | None = None,
    not_after: datetime | None = None,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One message as `queue_messages` takes it. Raises `ValueError` for a kind that is not registered in
    `app.messages.kinds`."""
    return {
        "kind": MessageKind(kind),
        "channel": Channel.EMAIL,
        "program_id": program_id,
        "recipient": recipient,
        "dedupe_key": dedupe_key,
        "send_at": send_at,
        "locale": locale,
        "participant_id": participant_id,
        "host_id": host_id,
        "meeting_id": meeting_id,
        "not_after": not_after,
        "context": context or {},
    }


def meeting_message_row(
    kind: MessageKind,
    program: Program,
    meeting: Meeting,
    *,
    now: datetime,
    recipient: str,
    dedupe_key: str,
    locale: str,
    participant_id: int | None = None,
    host_id: int | None = None,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A message about `meeting` for one member or host, due when its kind's timing says."""
    send_at, not_after = due(kind, program, meeting, now=now)
    return message_row(
        kind=kind, program_id=program.id, meeting_id=meeting.id, recipient=recipient, dedupe_key=dedupe_key,
        send_at=send_at, not_after=not_after, locale=locale, participant_id=participant_id, host_id=host_id,
        context=context,
    )  # fmt: skip


def with_texts(
    rows: Iterable[dict[str, Any]], program: Program, participant: Participant
) -> list[dict[str, Any]]:
    """The email rows for `participant`, each followed by its text (same kind, moments and meeting) when
    its kind goes by text too and they may be texted now."""
    textable = may_text(program, participant)
    written = []
    for row in rows:
        written.append(row)
        if textable and Channel.SMS in KINDS[row["kind"]].channels:
            written.append(text_row(row, participant.phone))
    return written


def text_row(email_row: dict[str, Any], phone: str) -> dict[str, Any]:
    """The text that goes beside an email (a row from `message_row`) to the number `phone`."""
    dedupe_key = email_row["dedupe_key"] + TEXT_KEY_SUFFIX
    return {**email_row, "channel": Channel.SMS, "recipient": phone, "dedupe_key": dedupe_key}


def queue_messages(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Queue many messages (rows from `message_row`) at once, each once: a message whose `dedupe_key` is
    queued already, by an earlier call or by another process, is left as it is."""
    insert_new(session, OutboundMessage, rows, key="dedupe_key")


def queue_message(session: Session, **fields: Any) -> OutboundMessage:
    """Queue one message (`fields` as for `message_row`) once: a second call with the same `dedupe_key`
    returns the message already queued."""
    return _queue_one(session, message_row(**fields))


def queue_meeting_message(
    session: Session, kind: MessageKind, program: Program, meeting: Meeting, **fields: Any
) -> OutboundMessage:
    """Queue one message about `meeting` (`fields` as for `meeting_message_row`) once."""
    return _queue_one(session, meeting_message_row(kind, program, meeting, **fields))


def _queue_one(session: Session, row: dict[str, Any]) -> OutboundMessage:
    queue_messages(session, [row])
    return _by_key(session, row["dedupe_key"])


def cancel_text_of(session: Session, email: OutboundMessage) -> None:
    """Cancel the text that was queued beside `email`, if it has not gone out."""
    session.exec(
        update(OutboundMessage)
        .where(
            OutboundMessage.dedupe_key == email.dedupe_key + TEXT_KEY_SUFFIX,
            OutboundMessage.status == MessageStatus.PENDING,
        )
        .values(status=MessageStatus.CANCELLED)
    )


def cancel_messages(
    session: Session,
    *,
    meeting_id: int | None = None,
    participant_id: int | None = None,
    host_id: int | None = None,
) -> int:
    """Cancel the pending messages of a meeting, a participant or a host, or of any of them together."""
    recipients = {
        OutboundMessage.meeting_id: meeting_id,
        OutboundMessage.participant_id: participant_id,
        OutboundMessage.host_id: host_id,
    }
    named = [column == value for column, value in recipients.items() if value is not None]
    if not named:
        raise ValueError("name a meeting, a participant or a host")
    statement = update(OutboundMessage).where(OutboundMessage.status == MessageStatus.PENDING, *named)
    return session.exec(statement.values(status=MessageStatus.CANCELLED)).rowcount


def move_messages(
    session: Session,
    meeting_id: int,
    shift: timedelta,
    *,
    kinds: tuple[MessageKind, ...],
    now: datetime | None = None,
) -> int:
    """Shift the pending messages of a meeting whose time moved (reminders, tips, surveys follow it).

    Given `now`, a message whose moment has passed is skipped, and one that falls due in the past is
    sent at once.
    """
    pending = _pending(session, meeting_id, kinds)
    for message in pending:
        message.send_at += shift
        if message.not_after is not None:
            message.not_after += shift
        if now is not None:
            _settle_moved(message, now)
        session.add(message)
    return len(pending)


def move_deadlines(
    session: Session, meeting_id: int, shift: timedelta, *, kinds: tuple[MessageKind, ...]
) -> int:
    """For pending messages that go out at once (an invitation waiting for its Zoom meeting): keep their
    send time, and move only the moment after which they are no use."""
    pending = [message for message in _pending(session, meeting_id, kinds) if message.not_after]
    for message in pending:
        message.not_after += shift
        session.add(message)
    return len(pending)


def send_now(session: Session, meeting_id: int, kind: MessageKind, *, now: datetime) -> int:
    """A meeting's pending messages of `kind` go with the worker's next round rather than at their time (texts
    still wait for the morning where their reader lives)."""
    pending = _pending(session, meeting_id, (kind,))
    for message in pending:
        message.send_at = now
        session.add(message)
    return len(pending)


def retry_message(session: Session, message: OutboundMessage, *, now: datetime | None = None) -> None:
    """A coordinator's "send again" on a failed message: it goes out with the worker's next round."""
    now = now or utcnow()
    if message.status != MessageStatus.FAILED:
        raise ValueError(f"Only a failed message can be sent again; this one is {_status_words(message)}.")
    if message.not_after is not None and message.not_after <= now:
        raise ValueError("This message can no longer be sent: the moment it was for has passed.")
    message.status, message.attempts, message.send_at = MessageStatus.PENDING, 0, now
    session.add(message)


def cancel_message(session: Session, message: OutboundMessage) -> None:
    """Stop one message that has not gone out yet."""
    if message.status != MessageStatus.PENDING:
        raise ValueError(
            f"Only a message waiting to be sent can be cancelled; this one is {_status_words(message)}."
        )
    message.status = MessageStatus.CANCELLED
    session.add(message)


def _pending(session: Session, meeting_id: int, kinds: tuple[MessageKind, ...]) -> list[OutboundMessage]:
    return list(
        session.exec(
            select(OutboundMessage).where(
                OutboundMessage.meeting_id == meeting_id,
                OutboundMessage.status == MessageStatus.PENDING,
                OutboundMessage.kind.in_(kinds),
            )
        ).all()
    )


def _settle_moved(message: OutboundMessage, now: datetime) -> None:
    if message.not_after is not None and message.not_after <= now:
        message.status, message.last_error = MessageStatus.SKIPPED, "its moment passed when the meeting moved"
    elif message.send_at < now:
        message.send_at = now


def _status_words(message: OutboundMessage) -> str:
    return {
        MessageStatus.PENDING: "waiting to be sent",
        MessageStatus.SENDING: "being sent right now",
    }.get(message.status, str(message.status))


def _by_key(session: Session, dedupe_key: str) -> OutboundMessage | None:
    return session.exec(select(OutboundMessage).where(OutboundMessage.dedupe_key == dedupe_key)).first()
