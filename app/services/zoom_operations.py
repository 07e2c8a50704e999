"""Recording the Zoom calls a meeting needs; the worker carries them out (see `app.worker.zoom_work`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, select

from app.bulk import insert_new
from app.database import utcnow
from app.models import (
    Meeting,
    MeetingRegistrant,
    MeetingStatus,
    ZoomOperation,
    ZoomOperationKind,
    ZoomOperationStatus,
)

OPEN_STATUSES = (ZoomOperationStatus.PENDING, ZoomOperationStatus.RUNNING, ZoomOperationStatus.FAILED)
WAITING = (ZoomOperationStatus.PENDING, ZoomOperationStatus.RUNNING)
NOT_OVER = (MeetingStatus.SCHEDULED, MeetingStatus.STARTED)


def zoom_operation_row(
    meeting: Meeting, kind: ZoomOperationKind, *, participant_id: int | None = None, version: int = 0
) -> dict[str, Any]:
    """One Zoom call as `queue_zoom_operations` takes it.

    The key names the meeting (by its never-changing, globally unique calendar UID), the member and the
    change it is for, so the same call is never recorded twice, and a create whose answer was lost can be
    found at Zoom by it.
    """
    parts = [meeting.calendar_uid.partition("@")[0], kind.value]
    if participant_id is not None:
        parts.append(f"p{participant_id}")
    if version:
        parts.append(f"v{version}")
    return {
        "meeting_id": meeting.id,
        "kind": kind,
        "participant_id": participant_id,
        "idempotency_key": ":".join(parts),
    }


def queue_zoom_operations(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Record many Zoom calls (rows from `zoom_operation_row`) at once, each once."""
    insert_new(session, ZoomOperation, rows, key="idempotency_key")


def queue_zoom_operation(
    session: Session,
    meeting: Meeting,
    kind: ZoomOperationKind,
    *,
    participant_id: int | None = None,
    version: int = 0,
) -> ZoomOperation:
    """Record a Zoom call once: a second call for the same change returns the one recorded already."""
    row = zoom_operation_row(meeting, kind, participant_id=participant_id, version=version)
    queue_zoom_operations(session, [row])
    key = row["idempotency_key"]
    return session.exec(select(ZoomOperation).where(ZoomOperation.idempotency_key == key)).one()


def queue_zoom_update(session: Session, meeting: Meeting) -> ZoomOperation:
    """Bring the Zoom meeting in line with ours (time, length, alternative host) after any change.

    The update sends the meeting's state as it is when the worker runs, so one call not yet made covers
    every change since; only when none is waiting is a new one recorded.
    """
    waiting = session.exec(
        select(ZoomOperation).where(
            ZoomOperation.meeting_id == meeting.id,
            ZoomOperation.kind == ZoomOperationKind.UPDATE,
            ZoomOperation.status == ZoomOperationStatus.PENDING,
        )
    ).first()
    if waiting is not None:
        return waiting
    earlier = session.exec(
        select(ZoomOperation.id).where(
            ZoomOperation.meeting_id == meeting.id, ZoomOperation.kind == ZoomOperationKind.UPDATE
        )
    ).all()
    return queue_zoom_operation(session, meeting, ZoomOperationKind.UPDATE, version=len(earlier) + 1)


def queue_zoom_registration(
    session: Session, meeting: Meeting, participant_id: int, *, version: int = 0
) -> ZoomOperation:
    """Register a member who joined the meeting's cohort after approval (`version` tells joinings apart).

    A cancellation of their earlier registration not yet made is dropped, so someone who left and came
    back before the worker ran keeps the registration and link they had.
    """
    cancel_zoom_operations(session, meeting.id, participant_id=participant_id)
    return queue_zoom_operation(
        session, meeting, ZoomOperationKind.REGISTER, participant_id=participant_id, version=version
    )


def cancel_zoom_registration(session: Session, meeting: Meeting, participant_id: int) -> ZoomOperation | None:
    """Take a member who left the cohort off the meeting at Zoom, so their personal join link stops working.

    Their calls not yet made are dropped first. A cancellation is recorded only when they hold a
    registration, or one is being made right now (the worker then waits for it); each leaving records its
    own, as someone may leave, come back and leave again.
    """
    cancel_zoom_operations(session, meeting.id, participant_id=participant_id)
    if not _holds_registration(session, meeting, participant_id):
        return None
    earlier = session.exec(
        select(func.count(ZoomOperation.id)).where(
            ZoomOperation.meeting_id == meeting.id,
            ZoomOperation.participant_id == participant_id,
            ZoomOperation.kind == ZoomOperationKind.CANCEL_REGISTRATION,
        )
    ).one()
    return queue_zoom_operation(
        session,
        meeting,
        ZoomOperationKind.CANCEL_REGISTRATION,
        participant_id=participant_id,
        version=earlier,
    )


def leave_zoom_meetings(session: Session, cohort_id: int, participant_id: int, *, now: datetime) -> None:
    """A member left the cohort: drop their Zoom calls not yet made for each of its meetings, and cancel
    their registration to each meeting not over yet (one that is over, or cancelled, needs nothing)."""
    for meeting in session.exec(select(Meeting).where(Meeting.cohort_id == cohort_id)).all():
        if _still_to_come(meeting, now):
            cancel_zoom_registration(session, meeting, participant_id)
        else:
            cancel_zoom_operations(session, meeting.id, participant_id=participant_id)


def has_zoom_call(
    session: Session,
    meeting_id: int,
    kind: ZoomOperationKind,
    *,
    participant_id: int | None = None,
    statuses: tuple[ZoomOperationStatus, ...] = WAITING,
) -> bool:
    """Whether the meeting has a call of this kind (for this member) in one of these states; by default,
    one waiting or being made."""
    statement = select(ZoomOperation.id).where(
        ZoomOperation.meeting_id == meeting_id,
        ZoomOperation.kind == kind,
        ZoomOperation.status.in_(statuses),
    )
    if participant_id is not None:
        statement = statement.where(ZoomOperation.participant_id == participant_id)
    return session.exec(statement).first() is not None


def member_join_url(session: Session, meeting: Meeting, participant_id: int) -> str | None:
    """The link a member joins with: their personal one, or the meeting's own once registering them is no
    longer under way (it failed for good); None while either is still being made.

    The meeting's own link leads to Zoom's sign-up page, open to anyone who has it, so a member is given it
    only when their personal link will not come."""
    personal = session.exec(
        select(MeetingRegistrant.join_url).where(
            MeetingRegistrant.meeting_id == meeting.id, MeetingRegistrant.participant_id == participant_id
        )
    ).first()
    if personal:
        return personal
    if has_zoom_call(session, meeting.id, ZoomOperationKind.REGISTER, participant_id=participant_id):
        return None
    return meeting.zoom_join_url


def _holds_registration(session: Session, meeting: Meeting, participant_id: int) -> bool:
    """Whether the member is registered at Zoom, or their registration is being made right now."""
    registered = select(MeetingRegistrant.id).where(
        MeetingRegistrant.meeting_id == meeting.id, MeetingRegistrant.participant_id == participant_id
    )
    return session.exec(registered).first() is not None or has_zoom_call(
        session,
        meeting.id,
        ZoomOperationKind.REGISTER,
        participant_id=participant_id,
        statuses=(ZoomOperationStatus.RUNNING,),
    )


def _still_to_come(meeting: Meeting, now: datetime) -> bool:
    return meeting.status in NOT_OVER and meeting.ends_at > now


def cancel_zoom_operations(session: Session, meeting_id: int, *, participant_id: int | None = None) -> int:
    """Drop Zoom calls not yet made for a meeting (or one member of it), e.g. when it is cancelled.

    Failed calls are dropped too: they no longer need a coordinator's retry.
    """
    statement = update(ZoomOperation).where(
        ZoomOperation.meeting_id == meeting_id,
        ZoomOperation.status.in_((ZoomOperationStatus.PENDING, ZoomOperationStatus.FAILED)),
    )
    if participant_id is not None:
        statement = statement.where(ZoomOperation.participant_id == participant_id)
    return session.exec(statement.values(status=ZoomOperationStatus.CANCELLED)).rowcount


def retry_zoom_operation(session: Session, operation: ZoomOperation) -> None:
    """A coordinator's "try again" on a failed call."""
    if operation.status != ZoomOperationStatus.FAILED:
        raise ValueError(f"Only a failed Zoom call can be tried again; this one is {operation.status}.")
    operation.status = ZoomOperationStatus.PENDING
    operation.attempts = 0
    operation.next_attempt_at = utcnow()
    session.add(operation)
