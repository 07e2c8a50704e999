"""Writing to the audit log."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.bulk import insert_rows
from app.models import AuditEvent

# What erasure (`app.services.erasure`) takes an erased person out of in the log: the detail keys under which
# an event lists registrants by id (a split's or a merge's members, a backfill's additions), and those whose
# texts may name them (the warnings a coordinator overrode, a reason they typed).
PARTICIPANT_LISTS = ("members", "added")
NAMING_TEXTS = ("overridden", "reason")


def record_event(
    session: Session,
    action: str,
    *,
    actor: str,
    coordinator_id: int | None = None,
    program_id: int | None = None,
    subject: tuple[str, Any] | None = None,
    **detail: Any,
) -> AuditEvent:
    event = AuditEvent(
        **event_row(
            action,
            actor=actor,
            coordinator_id=coordinator_id,
            program_id=program_id,
            subject=subject,
            **detail,
        )
    )
    session.add(event)
    return event


def record_events(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write many events (rows from `event_row`) in one statement."""
    insert_rows(session, AuditEvent, rows)


def event_row(
    action: str,
    *,
    actor: str,
    coordinator_id: int | None = None,
    program_id: int | None = None,
    subject: tuple[str, Any] | None = None,
    **detail: Any,
) -> dict[str, Any]:
    """One event, as `record_events` takes it: `subject` is what it is about, as (type, id)."""
    subject_type, subject_id = subject or ("", "")
    return {
        "action": action,
        "actor": actor,
        "coordinator_id": coordinator_id,
        "program_id": program_id,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "detail": detail,
    }
