"""Recording the Zoom calls a meeting needs; the worker carries them out (see `app.worker.zoom_work`)."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, select

from app.database import utcnow
from app.models import Meeting, ZoomOperation, ZoomOperationKind, ZoomOperationStatus

OPEN_STATUSES = (ZoomOperationStatus.PENDING, ZoomOperationStatus.RUNNING, ZoomOperationStatus.FAILED)


def queue_zoom_operation(
    session: Session,
    meeting: Meeting,
    kind: ZoomOperationKind,
    *,
    participant_id: int | None = None,
    version: int = 0,
) -> ZoomOperation:
    """Record a Zoom call once.

    The key names the meeting (by its never-changing, globally unique calendar UID), the member and the
    change it is for, so the same call is never recorded twice, and a create whose answer was lost can be
    found at Zoom by it.
    """
    parts = [meeting.calendar_uid.partition("@")[0], kind.value]
    if participant_id is not None:
        parts.append(f"p{participant_id}")
    if version:
        parts.append(f"v{version}")
    key = ":".join(parts)
    existing = session.exec(select(ZoomOperation).where(ZoomOperation.idempotency_key == key)).first()
    if existing is not None:
        return existing
    operation = ZoomOperation(
        meeting_id=meeting.id,
        kind=kind,
        participant_id=participant_id,
        idempotency_key=key,
        next_attempt_at=utcnow(),
    )
    session.add(operation)
    session.flush()
    return operation


def cancel_zoom_operations(session: Session, meeting_id: int, *, participant_id: int | None = None) -> int:
    """Drop Zoom calls not yet made for a meeting (or one member of it), e.g. when it is cancelled."""
    statement = update(ZoomOperation).where(
        ZoomOperation.meeting_id == meeting_id, ZoomOperation.status == ZoomOperationStatus.PENDING
    )
    if participant_id is not None:
        statement = statement.where(ZoomOperation.participant_id == participant_id)
    return session.exec(statement.values(status=ZoomOperationStatus.CANCELLED)).rowcount


def retry_zoom_operation(session: Session, operation: ZoomOperation) -> None:
    """A coordinator's "try again" on a failed call."""
    if operation.status != ZoomOperationStatus.FAILED:
        raise ValueError("only a failed Zoom call can be retried")
    operation.status = ZoomOperationStatus.PENDING
    operation.attempts = 0
    operation.next_attempt_at = utcnow()
    session.add(operation)
