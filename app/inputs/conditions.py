"""A program's conditions and their stages as a coordinator names them, checked: a new condition's name, and
a condition's form (its name, each stage's name and description, each in the program's other languages too,
and a stage to add at the end)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.inputs.fields import FieldReader
from app.inputs.rules import text
from app.inputs.translations import read_translations
from app.models import Stage

MAX_NAME_LENGTH = 200
MAX_HINT_LENGTH = 500
_condition_name = text(MAX_NAME_LENGTH, "Enter the condition's name.")


@dataclass(frozen=True)
class ConditionEdit:
    """A condition's name, each stage's (name, hint) by stage id, and the stage to add ("" for none), in the
    main language; the translations sent, {main language's field: {locale: text}} ("stage-12-hint")."""

    name: str
    stages: dict[int, tuple[str, str]]
    new_stage_name: str
    new_stage_hint: str
    translated: dict[str, dict[str, str]]


def stage_field(stage: Stage, part: str) -> str:
    """The condition form's field of one part ("name" or "hint") of an existing stage."""
    return f"stage-{stage.id}-{part}"


def validate_new_condition(data: Mapping[str, Any], names: Iterable[str]) -> str:
    """A new condition's name, unlike the `names` of the program's other conditions."""
    reader = FieldReader(data)
    name = reader.read("name", _condition_name)
    if name and name.casefold() in {other.casefold() for other in names}:
        reader.fail("name", "This program already has a condition called “%(name)s”.", name=name)
    reader.finish()
    return name


def validate_condition_edit(data: Mapping[str, Any], stages: Sequence[Stage]) -> ConditionEdit:
    """The condition's form, for a condition with these `stages`; two stages may not share a name."""
    reader = FieldReader(data)
    name = reader.read("name", _condition_name)
    stage_name = text(MAX_NAME_LENGTH, "Enter the stage's name, or remove the stage.")
    renames = {
        stage.id: (
            reader.read(stage_field(stage, "name"), stage_name),
            reader.read(stage_field(stage, "hint"), text(MAX_HINT_LENGTH)),
        )
        for stage in stages
    }
    translated = {"name": read_translations(reader, "name", text(MAX_NAME_LENGTH))}
    for stage in stages:
        for part, length in (("name", MAX_NAME_LENGTH), ("hint", MAX_HINT_LENGTH)):
            field = stage_field(stage, part)
            translated[field] = read_translations(reader, field, text(length))
    new_name = reader.read("new_stage_name", text(MAX_NAME_LENGTH))
    new_hint = reader.read("new_stage_hint", text(MAX_HINT_LENGTH))
    if new_hint and not new_name:
        reader.fail("new_stage_name", "Enter a name for the new stage, or clear its description.")
    _check_stage_names_differ(reader, stages, renames, new_name)
    reader.finish()
    return ConditionEdit(name, renames, new_name, new_hint, translated)


def _check_stage_names_differ(
    reader: FieldReader, stages: Sequence[Stage], renames: dict[int, tuple], new_name: str | None
) -> None:
    seen: set[str] = set()
    for stage in stages:
        name = renames[stage.id][0]
        if name and name.casefold() in seen:
            reader.fail(stage_field(stage, "name"), "Two stages have this name; give each its own.")
        seen.add((name or "").casefold())
    if new_name and new_name.casefold() in seen:
        reader.fail("new_stage_name", "This condition already has a stage called “%(name)s”.", name=new_name)
