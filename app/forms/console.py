"""The console's forms: the sign-in form, and HTML fields in and out for programs, conditions and hosts.

Programs, conditions and hosts are checked by their services (`app.services.programs`, `host_pool`); here
the submitted fields only become the plain values those take, and rows become the fields a form starts from.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import InputRequired, Length

from app.forms.registration import availability_from_cells, cells_from_availability
from app.models import Host, Program, Stage

PROGRAM_VALUES = (
    "name", "neutral_title", "organisation", "description", "contact_email", "default_locale", "min_size",
    "target_size", "max_size", "max_stage_gap", "meeting_minutes", "timezone", "first_meeting_on",
    "last_meeting_on", "tips_days_before", "reminder_hours_before", "survey_hours_after", "zoom_user",
    "retention_days",
)  # fmt: skip
PROGRAM_FLAGS = ("separate_roles", "condition_in_title", "host_as_alternative_host")
HOST_VALUES = ("display_name", "email", "zoom_user", "timezone", "max_cohorts")
YES = "yes"


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address", validators=[InputRequired("Enter your email address."), Length(max=320)]
    )
    password = PasswordField("Password", validators=[InputRequired("Enter your password."), Length(max=1000)])
    next = HiddenField()


def program_data(form: MultiDict, *, with_slug: bool = False) -> dict[str, Any]:
    """A submitted settings form as `validate_program_settings` takes it (the slug only for a new program)."""
    data: dict[str, Any] = {name: form.get(name, "") for name in PROGRAM_VALUES}
    data["languages"] = form.getlist("languages")
    data.update({flag: form.get(flag) == YES for flag in PROGRAM_FLAGS})
    if with_slug:
        data["slug"] = form.get("slug", "")
    return data


def program_form(program: Program) -> MultiDict:
    """The settings form filled in with a program's current values."""
    values = [(name, _shown(getattr(program, name))) for name in (*PROGRAM_VALUES, "slug")]
    values += [("languages", code) for code in program.languages]
    values += [(flag, YES) for flag in PROGRAM_FLAGS if getattr(program, flag)]
    return MultiDict(values)


def condition_data(form: MultiDict, stages: list[Stage]) -> dict[str, str]:
    """A submitted condition form: its name, each stage's name and hint (as they were, when not sent), and
    an optional new stage."""
    data = {name: form.get(name, "") for name in ("name", "new_stage_name", "new_stage_hint")}
    for stage in stages:
        data.update(
            {
                stage_field(stage, part): form.get(stage_field(stage, part), getattr(stage, part))
                for part in ("name", "hint")
            }
        )
    return data


def condition_form(name: str, stages: list[Stage]) -> MultiDict:
    values = [("name", name)]
    values += [
        (stage_field(stage, part), getattr(stage, part)) for stage in stages for part in ("name", "hint")
    ]
    return MultiDict(values)


def stage_field(stage: Stage, part: str) -> str:
    return f"stage-{stage.id}-{part}"


def host_data(form: MultiDict, host: Host | None) -> dict[str, Any]:
    """A submitted host form. The weekly grid is coarser than the times a host may already have (say
    10:00–20:00), so an untouched grid keeps those times rather than rounding them to the grid."""
    data: dict[str, Any] = {name: form.get(name, "") for name in HOST_VALUES}
    data["languages"] = form.getlist("languages")
    data["conditions"] = form.getlist("conditions")
    data["active"] = form.get("active") == YES
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
    if host.active:
        values.append(("active", YES))
    return MultiDict(values)


def _shown(value: Any) -> str:
    return "" if value is None else str(value)
