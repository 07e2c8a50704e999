"""Queueing, moving and cancelling outbound email, always inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.models import MessageStatus, OutboundMessage


def queue_message(
    session: Session,
    *,
    kind: str,
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
) -> OutboundMessage:
    """Queue a message once: a second call with the same `dedupe_key` returns the message already queued."""
    existing = _by_key(session, dedupe_key)
    if existing is not None:
        return existing
    message = OutboundMessage(
        kind=kind,
        program_id=program_id,
        recipient=recipient,
        dedupe_key=dedupe_key,
        send_at=send_at,
        locale=locale,
        participant_id=participant_id,
        host_id=host_id,
        meeting_id=meeting_id,
        not_after=not_after,
        context=context or {},
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        # Another process queued the same message between our look-up and insert.
        return _by_key(session, dedupe_key)
    return message


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


def move_messages(session: Session, meeting_id: int, shift: timedelta, *, kinds: tuple[str, ...]) -> int:
    """Shift the pending messages of a meeting whose time moved (reminders, tips, surveys follow it)."""
    pending = session.exec(
        select(OutboundMessage).where(
            OutboundMessage.meeting_id == meeting_id,
            OutboundMessage.status == MessageStatus.PENDING,
            OutboundMessage.kind.in_(kinds),
        )
    ).all()
    for message in pending:
        message.send_at += shift
        if message.not_after is not None:
            message.not_after += shift
        session.add(message)
    return len(pending)


def _by_key(session: Session, dedupe_key: str) -> OutboundMessage | None:
    return session.exec(select(OutboundMessage).where(OutboundMessage.dedupe_key == dedupe_key)).first()
