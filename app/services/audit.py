"""Writing to the audit log."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

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
    subject_type, subject_id = subject or ("", "")
    event = AuditEvent(
        action=action,
        actor=actor,
        coordinator_id=coordinator_id,
        program_id=program_id,
        subject_type=subject_type,
        subject_id=str(subject_id),
        detail=detail,
    )
    session.add(event)
    return event
