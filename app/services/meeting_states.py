"""A meeting's state, its Zoom calls and its messages, in words a coordinator can act on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, exists, select

from app.models import (
    Meeting,
    MeetingStatus,
    MessageStatus,
    ZoomOperation,
    ZoomOperationKind,
    ZoomOperationStatus,
)
from app.reading_zone import written
from app.services.zoom_operations import WAITING

MESSAGE_STATUSES = {
    MessageStatus.PENDING: "queued",
    MessageStatus.SENDING: "sending",
    MessageStatus.SENT: "sent",
    MessageStatus.FAILED: "failed",
    MessageStatus.CANCELLED: "cancelled",
    MessageStatus.SKIPPED: "skipped",
}
# The states `zoom_state` gives, as the meetings page offers them to filter by.
STATES = {
    "failed": "Needs attention",
    "pending": "Waiting at Zoom",
    "done": "Ready",
    "cancelled": "Cancelled",
}
ZOOM_CALLS = {
    ZoomOperationKind.CREATE: "Create the Zoom meeting",
    ZoomOperationKind.UPDATE: "Bring the Zoom meeting up to date (time, length, host)",
    ZoomOperationKind.DELETE: "Delete the Zoom meeting",
    ZoomOperationKind.REGISTER: "Register",
    ZoomOperationKind.CANCEL_REGISTRATION: "Cancel the Zoom registration of",
}
ZOOM_CALL_STATUSES = {
    ZoomOperationStatus.PENDING: "waiting",
    ZoomOperationStatus.RUNNING: "in progress",
    ZoomOperationStatus.DONE: "done",
    ZoomOperationStatus.FAILED: "failed",
    ZoomOperationStatus.CANCELLED: "cancelled",
}
# Zoom's error codes, in words a coordinator can act on.
ZOOM_FAILURES = {
    "124": "Zoom did not accept our access token; check the Zoom credentials in the settings",
    "300": "Zoom refused the request as invalid",
    "429": "the Zoom account reached its limit of meeting changes for today",
    "1001": "the Zoom user the meetings belong to does not exist",
    "3000": "Zoom would not let us change this meeting",
    "3001": "Zoom no longer has this meeting (it was deleted there)",
    "3161": "this Zoom user is not allowed to host or schedule meetings",
}


def zoom_state(meeting: Meeting, operations: list[ZoomOperation], now: datetime) -> tuple[str, str]:
    """The meeting's state at Zoom as a short key (for styling) and in words."""
    failed = [operation for operation in operations if operation.status == ZoomOperationStatus.FAILED]
    waiting = {operation.kind for operation in operations if operation.status in WAITING}
    if meeting.status == MeetingStatus.CANCELLED:
        if ZoomOperationKind.DELETE in waiting:
            return "cancelled", "Cancelled; being deleted from Zoom"
        return "cancelled", "Cancelled"
    if meeting.zoom_vanished_at:
        gone = f"{meeting.zoom_vanished_at:%-d %b %Y}"
        return "failed", f"Vanished on Zoom's side (deleted there on {gone}): members' links no longer work"
    if failed:
        return "failed", f"Failed: {describe_failure(failed[0])}"
    if not meeting.zoom_meeting_id:
        return _creation(meeting, operations, now)
    if ZoomOperationKind.UPDATE in waiting:
        return "pending", "Update waiting"
    return "done", "Ready"


def state_expression(now: datetime):
    """`zoom_state`'s key, worked out in SQL so the meetings page can filter by it."""

    def calls(*conditions):
        return exists(select(ZoomOperation.id).where(ZoomOperation.meeting_id == Meeting.id, *conditions))

    waiting = ZoomOperation.status.in_(WAITING)
    create_too_late = calls(
        waiting,
        ZoomOperation.kind == ZoomOperationKind.CREATE,
        ZoomOperation.next_attempt_at > now,
        ZoomOperation.next_attempt_at >= Meeting.starts_at,
    )
    return case(
        (Meeting.status == MeetingStatus.CANCELLED, "cancelled"),
        (Meeting.zoom_vanished_at.is_not(None), "failed"),
        (calls(ZoomOperation.status == ZoomOperationStatus.FAILED), "failed"),
        (and_(Meeting.zoom_meeting_id.is_(None), create_too_late), "failed"),
        (Meeting.zoom_meeting_id.is_(None), "pending"),
        (calls(waiting, ZoomOperation.kind == ZoomOperationKind.UPDATE), "pending"),
        else_="done",
    )


def _creation(meeting: Meeting, operations: list[ZoomOperation], now: datetime) -> tuple[str, str]:
    """When a meeting not yet at Zoom will be created: now, or on the day Zoom's daily limit leaves room."""
    create = next(
        (op for op in operations if op.kind == ZoomOperationKind.CREATE and op.status in WAITING), None
    )
    if create is None or create.next_attempt_at <= now:
        return "pending", "Being created"
    when = written(create.next_attempt_at, short=True)
    if create.next_attempt_at >= meeting.starts_at:
        return "failed", (
            f"Cannot be created at Zoom before it starts ({when}, the first the daily limit of "
            f"{meeting.zoom_user} allows): add a Zoom user to the pool, or move the meeting"
        )
    return "pending", f"To be created on {when}, within the daily limit of {meeting.zoom_user}"


def describe_failure(operation: ZoomOperation) -> str:
    """Why a Zoom call failed, in plain words, with Zoom's own message for the details."""
    error = operation.last_error or "no reason was recorded"
    if error.startswith("unexpected error"):
        return f"something went wrong on our side ({error.removeprefix('unexpected error: ')})"
    words = ZOOM_FAILURES.get(operation.last_error_code or "")
    return f"{words} ({error})" if words else error


def describe_call(operation: ZoomOperation, member: str | None) -> str:
    """A Zoom call in words, naming the member it is for ("Register Ana")."""
    words = ZOOM_CALLS[operation.kind]
    return f"{words} {member}" if member else words


def recipient_words(member: str | None, host: str | None) -> str:
    """Whom a message is for, by display name (never the address)."""
    if member:
        return member
    return f"{host} (host)" if host else "someone"


def is_changeable(meeting: Meeting, now: datetime) -> bool:
    """A coordinator may move or cancel a meeting that is scheduled and has not started."""
    return meeting.status == MeetingStatus.SCHEDULED and meeting.starts_at > now
