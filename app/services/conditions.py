"""A program's conditions and their stages: adding, renaming, reordering and removing them.

A condition or stage that someone registered with (or a group was formed for) is never removed: it can be
renamed instead. The order of a condition's stages is what the matcher's stage gap counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.content import STAGE_TEXTS, with_texts
from app.inputs.codes import code_for
from app.inputs.conditions import ConditionEdit, stage_field, validate_condition_edit, validate_new_condition
from app.models import Cohort, Condition, Coordinator, Host, Participant, Program, Stage
from app.services.programs import ProgramError, record_change
from app.services.registration import list_conditions


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
    """Rename the condition and its stages (in every language), and add a stage at the end; False when nothing
    changed."""
    stages = list_stages(session, condition)
    edit = validate_condition_edit(data, stages)
    changed = _rename(session, condition, stages, edit)
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


def _rename(session: Session, condition: Condition, stages: list[Stage], edit: ConditionEdit) -> int:
    """Apply new names and translations; returns how many of the condition and its stages changed."""
    changed = 0
    translations = with_texts(condition.translations, "name", edit.translated["name"])
    if (condition.name, condition.translations) != (edit.name, translations):
        condition.name, condition.translations = edit.name, translations
        session.add(condition)
        changed += 1
    for stage in stages:
        translations = stage.translations
        for part in STAGE_TEXTS:
            translations = with_texts(translations, part, edit.translated[stage_field(stage, part)])
        renamed = (*edit.stages[stage.id], translations)
        if (stage.name, stage.hint, stage.translations) != renamed:
            stage.name, stage.hint, stage.translations = renamed
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
