"""Running programs from the console: their settings, conditions and stages, registration, and activity.

Submitted values are first checked into a typed value (`app.inputs`); only then is anything written. Every
change is audited in the caller's transaction, in the name of the coordinator who made it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.inputs.codes import code_for
from app.inputs.conditions import validate_condition_edit, validate_new_condition
from app.inputs.program_settings import validate_new_program, validate_program_settings
from app.models import (
    AuditEvent,
    Cohort,
    CohortStatus,
    Condition,
    Coordinator,
    Host,
    Participant,
    ParticipantStatus,
    Program,
    Stage,
)
from app.services.audit import record_event
from app.services.registration import list_conditions

EVENTS_PER_PAGE = 50


class ProgramError(ValueError):
    """The change cannot be made as asked; the message tells the coordinator why and what to do instead."""


def create_program(session: Session, data: Mapping[str, Any], *, by: Coordinator) -> Program:
    """A new program, closed to registration until it has conditions and a coordinator opens it."""
    slug, settings = validate_new_program(data, slug_taken=lambda slug: _slug_taken(session, slug))
    program = Program(slug=slug, registration_open=False, **settings.as_columns())
    session.add(program)
    session.flush()
    record_change(session, "program.created", program, by, subject=("program", program.id), slug=slug)
    return program


def _slug_taken(session: Session, slug: str) -> bool:
    return session.exec(select(Program.id).where(Program.slug == slug)).first() is not None


def update_program(
    session: Session, program: Program, data: Mapping[str, Any], *, by: Coordinator
) -> list[str]:
    """Apply checked settings; returns the names of the settings that changed (none: nothing is recorded)."""
    conditions = [offer.condition for offer in list_conditions(session, program)]
    columns = validate_program_settings(data, conditions).as_columns()
    changed = [name for name, value in columns.items() if getattr(program, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(program, name, columns[name])
    session.add(program)
    record_change(
        session, "program.settings_changed", program, by, subject=("program", program.id), fields=changed
    )
    return changed


def set_registration(session: Session, program: Program, is_open: bool, *, by: Coordinator) -> None:
    if is_open and not list_conditions(session, program):
        raise ProgramError("Add at least one condition before opening registration: people must choose one.")
    if program.registration_open == is_open:
        return
    program.registration_open = is_open
    session.add(program)
    action = "program.registration_opened" if is_open else "program.registration_closed"
    record_change(session, action, program, by, subject=("program", program.id))


def record_change(
    session: Session, action: str, program: Program, by: Coordinator, *, subject: tuple[str, Any], **detail
) -> None:
    record_event(
        session,
        action,
        actor=by.email,
        coordinator_id=by.id,
        program_id=program.id,
        subject=subject,
        **detail,
    )


# Conditions and their stages ----------------------------------------------------------------------------


def add_condition(
    session: Session, program: Program, data: Mapping[str, Any], *, by: Coordinator
) -> Condition:
    existing = [offer.condition for offer in list_conditions(session, program)]
    name = validate_new_condition(data, (condition.name for condition in existing))
    condition = Condition(
        program_id=program.id,
        code=code_for(name, (condition.code for condition in existing)),
        name=name,
        position=max((condition.position for condition in existing), default=-1) + 1,
    )
    session.add(condition)
    session.flush()
    record_change(session, "condition.added", program, by, subject=("condition", condition.id), name=name)
    return condition


def update_condition(
    session: Session, program: Program, condition: Condition, data: Mapping[str, Any], *, by: Coordinator
) -> bool:
    """Rename the condition and its stages, and add a stage at the end; False when nothing changed."""
    stages = list_stages(session, condition)
    edit = validate_condition_edit(data, stages)
    changed = _rename(session, condition, stages, edit.name, edit.stages)
    if edit.new_stage_name:
        _append_stage(session, condition, stages, edit.new_stage_name, edit.new_stage_hint)
    if changed or edit.new_stage_name:
        record_change(
            session,
            "condition.changed",
            program,
            by,
            subject=("condition", condition.id),
            name=edit.name,
            stages_renamed=changed,
            stage_added=edit.new_stage_name or None,
        )
    return bool(changed or edit.new_stage_name)


def _rename(
    session: Session, condition: Condition, stages: list[Stage], name: str, renames: dict[int, tuple]
) -> int:
    """Apply new names; returns how many of the condition and its stages changed."""
    changed = 0
    if condition.name != name:
        condition.name = name
        session.add(condition)
        changed += 1
    for stage in stages:
        stage_name, hint = renames[stage.id]
        if (stage.name, stage.hint) != (stage_name, hint):
            stage.name, stage.hint = stage_name, hint
            session.add(stage)
            changed += 1
    return changed


def _append_stage(session: Session, condition: Condition, stages: list[Stage], name: str, hint: str) -> None:
    session.add(
        Stage(
            condition_id=condition.id,
            code=code_for(name, (stage.code for stage in stages)),
            name=name,
            hint=hint,
            position=max((stage.position for stage in stages), default=-1) + 1,
        )
    )
    session.flush()


def delete_condition(session: Session, program: Program, condition: Condition, *, by: Coordinator) -> None:
    """Remove a condition nobody registered with; hosts stop listing it."""
    registrants = _count(session, Participant, Participant.condition_id == condition.id)
    if registrants:
        raise ProgramError(
            f"“{condition.name}” cannot be removed: {_people(registrants)} registered with it. "
            "You can rename it instead."
        )
    if _count(session, Cohort, Cohort.condition_id == condition.id):
        raise ProgramError(f"“{condition.name}” cannot be removed: groups were formed for it.")
    for host in session.exec(select(Host).where(Host.program_id == program.id)).all():
        if condition.code in host.conditions:
            host.conditions = [code for code in host.conditions if code != condition.code]
            session.add(host)
    for stage in list_stages(session, condition):
        session.delete(stage)
    session.delete(condition)
    record_change(
        session, "condition.removed", program, by, subject=("condition", condition.id), name=condition.name
    )
    session.flush()


def move_stage(session: Session, program: Program, stage: Stage, step: int, *, by: Coordinator) -> None:
    """Move a stage one place earlier (-1) or later (+1); the order is what the matcher's stage gap counts."""
    stages = list_stages(session, session.get(Condition, stage.condition_id))
    index = next(i for i, candidate in enumerate(stages) if candidate.id == stage.id)
    target = index + step
    if not 0 <= target < len(stages):
        raise ProgramError(f"“{stage.name}” is already the {'first' if step < 0 else 'last'} stage.")
    stages[index], stages[target] = stages[target], stages[index]
    for position, each in enumerate(stages):
        if each.position != position:
            each.position = position
            session.add(each)
    record_change(
        session, "stage.moved", program, by, subject=("stage", stage.id), name=stage.name, position=target + 1
    )
    session.flush()


def delete_stage(session: Session, program: Program, stage: Stage, *, by: Coordinator) -> None:
    registrants = _count(session, Participant, Participant.stage_id == stage.id)
    if registrants:
        raise ProgramError(
            f"The stage “{stage.name}” cannot be removed: {_people(registrants)} chose it. "
            "You can rename it instead."
        )
    session.delete(stage)
    record_change(session, "stage.removed", program, by, subject=("stage", stage.id), name=stage.name)
    session.flush()


def list_stages(session: Session, condition: Condition) -> list[Stage]:
    return list(
        session.exec(
            select(Stage).where(Stage.condition_id == condition.id).order_by(Stage.position, Stage.id)
        ).all()
    )


def _count(session: Session, model: type, where) -> int:
    return session.exec(select(func.count()).select_from(model).where(where)).one()


def _people(count: int) -> str:
    return "1 registrant" if count == 1 else f"{count} registrants"


# Figures and activity -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramSummary:
    registered: int = 0
    verified: int = 0
    proposed: int = 0
    approved: int = 0


def summarise_programs(session: Session, programs: Sequence[Program]) -> dict[int, ProgramSummary]:
    """A few figures for each program, in two queries however many programs there are."""
    ids = [program.id for program in programs]
    people = session.exec(
        select(Participant.program_id, Participant.status, func.count())
        .where(Participant.program_id.in_(ids))
        .group_by(Participant.program_id, Participant.status)
    ).all()
    cohorts = session.exec(
        select(Cohort.program_id, Cohort.status, func.count())
        .where(Cohort.program_id.in_(ids))
        .group_by(Cohort.program_id, Cohort.status)
    ).all()
    registered: Counter[int] = Counter()
    counts: Counter[tuple[int, str]] = Counter()
    for program_id, status, count in people:
        counts[program_id, status] += count
        registered[program_id] += count if status != ParticipantStatus.ERASED else 0
    for program_id, status, count in cohorts:
        counts[program_id, status] += count
    return {
        program_id: ProgramSummary(
            registered=registered[program_id],
            verified=counts[program_id, ParticipantStatus.VERIFIED],
            proposed=counts[program_id, CohortStatus.PROPOSED],
            approved=counts[program_id, CohortStatus.APPROVED],
        )
        for program_id in ids
    }


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
