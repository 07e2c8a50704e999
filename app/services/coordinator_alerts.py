"""Emails to a program's coordinators (its admins, when it has none): alerts that something needs one of
them, such as a concern that came in or meetings with no host for them to open."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from app.messages.kinds import MessageKind
from app.messages.queue import message_row
from app.models import Coordinator, CoordinatorProgram, Program


def alerted_coordinators(session: Session, program: Program) -> list[Coordinator]:
    """The program's active coordinators; its active admins when it has none, so an alert reaches someone."""
    assigned = session.exec(
        select(Coordinator)
        .join(CoordinatorProgram, CoordinatorProgram.coordinator_id == Coordinator.id)
        .where(CoordinatorProgram.program_id == program.id, Coordinator.active.is_(True))
    ).all()
    admins = select(Coordinator).where(Coordinator.is_admin.is_(True), Coordinator.active.is_(True))
    return list(assigned or session.exec(admins).all())


def coordinator_alert_rows(
    session: Session,
    program: Program,
    kind: MessageKind,
    *,
    about: str,
    context: dict[str, Any],
    now: datetime,
) -> list[dict[str, Any]]:
    """One email of `kind` to each coordinator alerted, at once, in the program's language; `about` names
    what it is about, once, so the same alert is never queued twice."""
    return [
        message_row(
            kind=kind, program_id=program.id, recipient=coordinator.email, send_at=now,
            locale=program.default_locale, context=context,
            dedupe_key=f"{kind}:{about}:coordinator-{coordinator.id}",
        )
        for coordinator in alerted_coordinators(session, program)
    ]  # fmt: skip
