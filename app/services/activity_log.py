"""A program's activity page: its audit log, newest first, a page at a time, each event with a name for the
person or thing it was about (or a note that the registrant was erased since)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import AuditEvent, Condition, Coordinator, Host, Participant, Program, Stage

EVENTS_PER_PAGE = 50


@dataclass(frozen=True)
class ActivityPage:
    events: list[tuple[AuditEvent, str]]
    page: int
    pages: int
    total: int


def activity_page(session: Session, program: Program, page: int) -> ActivityPage:
    """One page of the program's audit log, newest first, each event with a name for what it was about."""
    total = session.exec(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.program_id == program.id)
    ).one()
    pages = max(1, -(-total // EVENTS_PER_PAGE))
    page = min(max(page, 1), pages)
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.program_id == program.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * EVENTS_PER_PAGE)
        .limit(EVENTS_PER_PAGE)
    ).all()
    names = _subject_names(session, events)
    return ActivityPage([(event, _subject_label(event, names)) for event in events], page, pages, total)


_NAMED_SUBJECTS = {
    "participant": (Participant, "display_name"),
    "host": (Host, "display_name"),
    "condition": (Condition, "name"),
    "stage": (Stage, "name"),
    "coordinator": (Coordinator, "email"),
    "program": (Program, "name"),
}


def _subject_names(session: Session, events: Sequence[AuditEvent]) -> dict[tuple[str, str], str]:
    """Names of the people and things the events are about, one query per kind."""
    names: dict[tuple[str, str], str] = {}
    for kind, (model, column) in _NAMED_SUBJECTS.items():
        ids = {
            int(event.subject_id)
            for event in events
            if event.subject_type == kind and event.subject_id.isdigit()
        }
        if ids:
            for row_id, name in session.exec(
                select(model.id, getattr(model, column)).where(model.id.in_(ids))
            ):
                names[kind, str(row_id)] = name
    return names


def _subject_label(event: AuditEvent, names: dict[tuple[str, str], str]) -> str:
    kind, key = event.subject_type, event.subject_id
    if not kind:
        return ""
    name = names.get((kind, key)) or event.detail.get("name")
    if kind == "participant":
        return f"registrant {name}" if name else "a registrant since erased"
    if kind == "cohort":
        return f"group {key}"
    return f"{kind} {name}" if name else f"{kind} #{key}"
