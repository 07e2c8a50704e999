"""A program: one organisation's series of meet-ups, with its conditions, stages, sizes and timings."""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, json_dict_field, json_list_field
from app.models.survey import DEFAULT_SURVEY_QUESTIONS


class Program(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    organisation: str = Field(max_length=200)
    # The texts people read are in the main language (`default_locale`); `translations` holds the others,
    # {field: {locale: text}} (see `app.content`).
    description: str = Field(default="", max_length=4000)
    preparation_tips: str = Field(
        default="", max_length=2000, description="the program's own, in its tips email"
    )
    translations: dict[str, dict[str, str]] = json_dict_field()
    contact_email: str = Field(max_length=320)
    default_locale: str = Field(default="en", max_length=8)
    languages: list[str] = json_list_field()
    min_size: int = 4
    max_size: int = 8
    target_size: int = 6
    max_stage_gap: int = 1
    separate_roles: bool = True
    meeting_minutes: int = 60
    timezone: str = Field(default="UTC", max_length=64)
    # Where phone numbers written without +country come from (ISO 3166 alpha-2, as `phonenumbers` reads it).
    country: str = Field(default="US", max_length=2)
    texts_enabled: bool = True  # reminders and notices by text to those who agreed to them
    first_meeting_on: date | None = None
    last_meeting_on: date | None = None
    registration_open: bool = True
    tips_days_before: int = 3
    reminder_hours_before: int = 2
    survey_hours_after: int = 2
    condition_in_title: bool = False
    neutral_title: str = Field(
        default="",
        max_length=200,
        description="shown instead of the name where others may see it: calendar titles, the sender's name",
    )
    host_as_alternative_host: bool = True
    survey_questions: list[dict[str, Any]] = Field(
        default_factory=lambda: copy.deepcopy(DEFAULT_SURVEY_QUESTIONS), sa_type=JSON, nullable=False
    )
    survey_anonymous: bool = Field(default=False, description="every answer anonymous, not only by choice")
    survey_reminder_days: int = 3
    retention_days: int = 365
    privacy_notice_version: str = Field(default="1", max_length=32)
    created_at: datetime = created_at_field()
    # Moved by the database on every change of this row or of its conditions' and stages' rows (migration
    # 0022's triggers): a registration is recorded only while it is still the one its terms were read at.
    terms_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class Condition(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("program_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    translations: dict[str, dict[str, str]] = json_dict_field()  # the name in the program's other languages
    position: int = 0


class Stage(SQLModel, table=True):
    """One step of a condition's ordered stages; `position` is the order the matcher's stage gap counts in."""

    __table_args__ = (UniqueConstraint("condition_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    condition_id: int = Field(foreign_key="condition.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    hint: str = Field(default="", max_length=500)
    translations: dict[str, dict[str, str]] = json_dict_field()  # name and hint in the other languages
    position: int = 0
