"""The console's forms for programs, conditions and hosts: HTML fields in, the plain values `app.inputs`
checks out, and rows back into the fields a form starts from. Nothing here decides what is valid.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from werkzeug.datastructures import MultiDict

from app.content import PROGRAM_TEXTS, STAGE_TEXTS, main_first
from app.forms.registration import availability_from_cells, cells_from_availability
from app.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES, language_name
from app.inputs.conditions import stage_field
from app.inputs.translations import translation_field
from app.models import Condition, Host, Program, Stage

PROGRAM_VALUES = (
    "name", "neutral_title", "organisation", "description", "preparation_tips", "contact_email",
    "default_locale", "min_size", "target_size", "max_size", "max_stage_gap", "meeting_minutes", "timezone",
    "first_meeting_on", "last_meeting_on", "tips_days_before", "reminder_hours_before", "survey_hours_after",
    "retention_days", "country",
)  # fmt: skip
PROGRAM_FLAGS = ("separate_roles", "condition_in_title", "host_as_alternative_host", "texts_enabled")
HOST_VALUES = ("display_name", "email", "zoom_user", "timezone", "max_cohorts")
HOST_FLAGS = ("zoom_licensed", "active")
YES = "yes"


def program_data(form: MultiDict, *, with_slug: bool = False) -> dict[str, Any]:
    """A submitted settings form as `validate_program_settings` takes it (the slug only for a new program)."""
    data: dict[str, Any] = {name: form.get(name, "") for name in PROGRAM_VALUES}
    data["languages"] = form.getlist("languages")
    data.update({flag: form.get(flag) == YES for flag in PROGRAM_FLAGS})
    data.update(_translations_sent(form, PROGRAM_TEXTS))
    if with_slug:
        data["slug"] = form.get("slug", "")
    return data


def program_form(program: Program) -> MultiDict:
    """The settings form filled in with a program's current values."""
    values = [(name, _shown(getattr(program, name))) for name in (*PROGRAM_VALUES, "slug")]
    values += [("languages", code) for code in program.languages]
    values += [(flag, YES) for flag in PROGRAM_FLAGS if getattr(program, flag)]
    values += _translation_values(program.translations)
    return MultiDict(values)


def text_languages(program: Program | None) -> dict[str, Any]:
    """The languages the program's own texts are written in, main first, named in English for the console; a
    new program has only its main language's box until it is saved with others."""
    main = program.default_locale if program else DEFAULT_LOCALE
    codes = main_first(program.languages, main) if program else [main]
    return {
        "text_languages": [(code, language_name(code, "en")) for code in codes],
        "main_language": language_name(main, "en"),
    }


def _translations_sent(form: MultiDict, fields: tuple[str, ...]) -> dict[str, str]:
    """The translation fields (`translation_field`) of `fields` that the form sent."""
    names = (translation_field(field, locale) for field in fields for locale in SUPPORTED_LOCALES)
    return {name: form[name] for name in names if name in form}


def _translation_values(
    translations: dict[str, dict[str, str]], field_of: Callable[[str], str] = str
) -> list[tuple[str, str]]:
    """A row's translations as the fields that show them; `field_of` names the main language's field of
    each text (a stage's hint: `stage-12-hint`)."""
    return [
        (translation_field(field_of(field), locale), text)
        for field, by_locale in (translations or {}).items()
        for locale, text in by_locale.items()
    ]


def condition_data(form: MultiDict, stages: list[Stage]) -> dict[str, str]:
    """A submitted condition form: its name, each stage's name and hint (as they were, when not sent), the
    translations sent of each, and an optional new stage."""
    data = {name: form.get(name, "") for name in ("name", "new_stage_name", "new_stage_hint")}
    data.update(_translations_sent(form, ("name",)))
    for stage in stages:
        fields = {stage_field(stage, part): getattr(stage, part) for part in STAGE_TEXTS}
        data.update({field: form.get(field, saved) for field, saved in fields.items()})
        data.update(_translations_sent(form, tuple(fields)))
    return data


def condition_form(condition: Condition, stages: list[Stage]) -> MultiDict:
    """A condition's form filled in with its names and hints in every language."""
    values = [("name", condition.name), *_translation_values(condition.translations)]
    for stage in stages:
        values += [(stage_field(stage, part), getattr(stage, part)) for part in STAGE_TEXTS]
        values += _translation_values(stage.translations, partial(stage_field, stage))
    return MultiDict(values)


def host_data(form: MultiDict, host: Host | None) -> dict[str, Any]:
    """A submitted host form. The weekly grid is coarser than the times a host may already have (say
    10:00–20:00), so an untouched grid keeps those times rather than rounding them to the grid."""
    data: dict[str, Any] = {name: form.get(name, "") for name in HOST_VALUES}
    data["languages"] = form.getlist("languages")
    data["conditions"] = form.getlist("conditions")
    data.update({flag: form.get(flag) == YES for flag in HOST_FLAGS})
    cells = form.getlist("availability")
    if host is not None and set(cells) == set(cells_from_availability(host.availability)):
        data["availability"] = host.availability
    else:
        data["availability"] = availability_from_cells(cells)
    return data


def host_form(host: Host) -> MultiDict:
    values = [(name, _shown(getattr(host, name))) for name in HOST_VALUES]
    values += [("languages", code) for code in host.languages]
    values += [("conditions", code) for code in host.conditions]
    values += [("availability", cell) for cell in cells_from_availability(host.availability)]
    values += [(flag, YES) for flag in HOST_FLAGS if getattr(host, flag)]
    return MultiDict(values)


def _shown(value: Any) -> str:
    return "" if value is None else str(value)
