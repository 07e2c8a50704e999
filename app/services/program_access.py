"""Which programs a coordinator may see: admins every one, other coordinators those they are assigned to."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import Coordinator, CoordinatorProgram, Program


def visible_programs(session: Session, coordinator: Coordinator) -> list[Program]:
    """The programs `coordinator` may see, by name."""
    query = select(Program).order_by(Program.name)
    if not coordinator.is_admin:
        query = query.join(CoordinatorProgram, CoordinatorProgram.program_id == Program.id).where(
            CoordinatorProgram.coordinator_id == coordinator.id
        )
    return list(session.exec(query).all())


def may_see_program(session: Session, coordinator: Coordinator, program_id: int) -> bool:
    if coordinator.is_admin:
        return True
    return session.get(CoordinatorProgram, (coordinator.id, program_id)) is not None
