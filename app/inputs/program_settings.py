"""A program's settings as a coordinator submits them, checked: its names, languages, group sizes, timings,
Zoom user, how long its data are kept, its country and whether it sends texts, and for a new program its web
address."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from app.content import PROGRAM_TEXTS
from app.i18n import SUPPORTED_LOCALES
from app.inputs.fields import FieldReader
from app.inputs.neutral_title import named_diagnosis, suggest_neutral_title
from app.inputs.phone import program_country
from app.inputs.rules import choices, email_address, flag, number, optional_date, text, time_zone
from app.inputs.translations import read_translations
from app.models import Condition

MAX_GROUP_SIZE = 50
TEXT_LENGTHS = {"description": 4000, "preparation_tips": 2000}
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
RESERVED_SLUGS = {"new"}  # /console/programs/new is the page for creating one


@dataclass(frozen=True)
class ProgramSettings:
    """Everything a coordinator sets on a program, checked."""

    name: str
    neutral_title: str
    organisation: str
    description: str
    preparation_tips: str
    contact_email: str
    languages: tuple[str, ...]
    default_locale: str
    min_size: int
    target_size: int
    max_size: int
    max_stage_gap: int
    separate_roles: bool
    meeting_minutes: int
    timezone: str
    first_meeting_on: date | None
    last_meeting_on: date | None
    tips_days_before: int
    reminder_hours_before: int
    survey_hours_after: int
    condition_in_title: bool
    host_as_alternative_host: bool
    retention_days: int
    country: str
    texts_enabled: bool
    # The description and tips in the other languages whose fields were sent: {field: {locale: text}}.
    translated: dict[str, dict[str, str]]

    def as_columns(self) -> dict[str, Any]:
        """The columns as they are set, but for `translations`, which merge into the program's own."""
        columns = {**asdict(self), "languages": list(self.languages)}
        del columns["translated"]
        return columns


def validate_program_settings(
    data: Mapping[str, Any], conditions: Sequence[Condition] = ()
) -> ProgramSettings:
    """Check submitted settings; `conditions` are the program's, which its neutral title must not name."""
    reader = FieldReader(data)
    values = _check_settings(reader, conditions)
    reader.finish()
    return ProgramSettings(**values)


def validate_new_program(
    data: Mapping[str, Any], *, slug_taken: Callable[[str], bool]
) -> tuple[str, ProgramSettings]:
    """A new program's web address (its slug: short, simple, and not `slug_taken` by another program) and
    its settings, with the problems of both at once."""
    reader = FieldReader(data)
    slug = reader.read("slug", text(64, "Enter the short name used in the program's web address."))
    if slug and not SLUG_PATTERN.match(slug):
        reader.fail("slug", "Use only lowercase letters, digits and hyphens, like patient-cafe.")
    elif slug in RESERVED_SLUGS:
        reader.fail("slug", "“%(slug)s” is kept for the console’s own pages. Choose another.", slug=slug)
    elif slug and slug_taken(slug):
        reader.fail(
            "slug", "Another program already uses the address /p/%(slug)s. Choose another.", slug=slug
        )
    values = _check_settings(reader, ())
    reader.finish()
    return slug, ProgramSettings(**values)


def _check_settings(reader: FieldReader, conditions: Sequence[Condition]) -> dict[str, Any]:
    languages = choices(SUPPORTED_LOCALES, "Tick at least one language people can meet in.")
    values = {
        "name": reader.read("name", text(200, "Enter the program's name.")),
        "neutral_title": reader.read("neutral_title", text(200)),
        "organisation": reader.read("organisation", text(200, "Enter the organisation that runs it.")),
        "description": reader.read("description", text(TEXT_LENGTHS["description"])),
        "preparation_tips": reader.read("preparation_tips", text(TEXT_LENGTHS["preparation_tips"])),
        "contact_email": reader.read("contact_email", email_address()),
        "languages": reader.read("languages", languages),
        "default_locale": reader.read("default_locale", text(8, "Choose the main language.")),
        "min_size": reader.read("min_size", number(2, MAX_GROUP_SIZE)),
        "target_size": reader.read("target_size", number(2, MAX_GROUP_SIZE)),
        "max_size": reader.read("max_size", number(2, MAX_GROUP_SIZE)),
        "max_stage_gap": reader.read("max_stage_gap", number(0, 10)),
        "separate_roles": reader.read("separate_roles", flag),
        "meeting_minutes": reader.read("meeting_minutes", number(15, 240)),
        "timezone": reader.read("timezone", time_zone),
        "first_meeting_on": reader.read("first_meeting_on", optional_date),
        "last_meeting_on": reader.read("last_meeting_on", optional_date),
        "tips_days_before": reader.read("tips_days_before", number(1, 30)),
        "reminder_hours_before": reader.read("reminder_hours_before", number(1, 72)),
        "survey_hours_after": reader.read("survey_hours_after", number(0, 168)),
        "condition_in_title": reader.read("condition_in_title", flag),
        "host_as_alternative_host": reader.read("host_as_alternative_host", flag),
        "retention_days": reader.read("retention_days", number(30, 3650)),
        "country": reader.read("country", program_country),
        "texts_enabled": reader.read("texts_enabled", flag),
        "translated": {
            field: read_translations(reader, field, text(TEXT_LENGTHS[field])) for field in PROGRAM_TEXTS
        },
    }
    _check_sizes(reader, values)
    _check_neutral_title(reader, values, conditions)
    if values["languages"] and values["default_locale"] not in values["languages"]:
        reader.fail("default_locale", "The main language must be one of the languages ticked.")
    first, last = values["first_meeting_on"], values["last_meeting_on"]
    if first and last and last < first:
        reader.fail("last_meeting_on", "The last meeting date must be on or after the first meeting date.")
    return values


def _check_sizes(reader: FieldReader, values: dict[str, Any]) -> None:
    smallest, target, largest = values["min_size"], values["target_size"], values["max_size"]
    if None in (smallest, target, largest):
        return
    if largest < smallest:
        reader.fail(
            "max_size", "The largest size must be at least the smallest size (%(min)d).", min=smallest
        )
    elif not smallest <= target <= largest:
        reader.fail(
            "target_size", "The usual size must lie between %(min)d and %(max)d.", min=smallest, max=largest
        )


def _check_neutral_title(
    reader: FieldReader, values: dict[str, Any], conditions: Sequence[Condition]
) -> None:
    title = values["neutral_title"]
    diagnosis = named_diagnosis(title, conditions) if title else None
    if diagnosis:
        reader.fail(
            "neutral_title",
            "The neutral title names a diagnosis too (“%(diagnosis)s”). Use words that say nothing about "
            "anyone’s health, such as “%(suggestion)s”, or leave it empty to show the program’s name.",
            diagnosis=diagnosis,
            suggestion=suggest_neutral_title(values["organisation"] or "", conditions),
        )
