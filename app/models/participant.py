"""A registrant: a patient or caregiver who asked to meet others with the same condition."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, json_dict_field, json_list_field, time_field


class Role(StrEnum):
    PATIENT = "patient"
    CAREGIVER = "caregiver"


class ParticipantStatus(StrEnum):
    PENDING_VERIFICATION = "pending_verification"
    VERIFIED = "verified"
    PAUSED = "paused"
    WITHDRAWN = "withdrawn"
    ERASED = "erased"


class Participant(SQLModel, table=True):
    """Personal data lives here alone, so erasing a person clears one row and keeps anonymous counts."""

    __table_args__ = (
        UniqueConstraint("program_id", "email"),
        # The console's pages of a large program read these in index order, or count from the index alone:
        # the waitlist, longest waiting first; how many wait for each reason (and have each status); the
        # time zones of a condition's registrants; registrations over time.
        Index("ix_participant_waiting", "program_id", "status", "verified_at", "id"),
        Index("ix_participant_reason", "program_id", "status", "waitlist_reason", "verified_at", "id"),
        Index("ix_participant_zones", "program_id", "condition_id", "timezone"),
        Index("ix_participant_registered", "program_id", "created_at"),
        # Who could take a group's open place: those of its condition and role at a stage near its members',
        # picked from the index before anyone's languages, hours and avoid requests are read.
        Index("ix_participant_newcomers", "program_id", "condition_id", "status", "role", "stage_id"),
        # The console's name search ("ana" anywhere in a name, any case) finds its few registrants from the
        # name's trigrams on PostgreSQL instead of reading every name of the program; SQLite, which has no
        # trigram index, gets a plain one on the name and searches as before.
        Index(
            "ix_participant_name_trigrams",
            "display_name",
            postgresql_using="gin",
            postgresql_ops={"display_name": "gin_trgm_ops"},
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True, ondelete="CASCADE")
    email: str | None = Field(default=None, max_length=320)
    display_name: str = Field(max_length=60)
    role: str = Field(default=Role.PATIENT, max_length=16)
    condition_id: int = Field(foreign_key="condition.id", index=True)
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    timezone: str = Field(max_length=64)
    languages: list[str] = json_list_field()
    availability: list[dict[str, Any]] = json_list_field()
    accessibility_needs: list[str] = json_list_field()
    accessibility_note: str = Field(default="", max_length=500)
    avoid: list[int] = json_list_field()
    locale: str = Field(default="en", max_length=8)
    consent_version: str = Field(max_length=32)
    consented_at: datetime = created_at_field()
    status: str = Field(default=ParticipantStatus.PENDING_VERIFICATION, max_length=32, index=True)
    verified_at: datetime | None = time_field()
    waitlist_reason: str | None = Field(default=None, max_length=32)
    waitlist_detail: dict[str, Any] | None = json_dict_field(nullable=True)
    # Hours of the week (UTC) the last match found would place this person, had they been free then.
    suggested_slots: list[int] = json_list_field()
    waiting_told_at: datetime | None = time_field()  # the last "we have no group for you yet" message
    absence_asked_at: datetime | None = time_field()  # asked whether they want to stay after missed meetings
    absence_answered_at: datetime | None = time_field()  # said stay, pause or leave (or paused or resumed)
    # A mobile number in E.164 (+15551234567), texted only with `sms_consent_at` and no `sms_opted_out_at`.
    phone: str | None = Field(default=None, max_length=16, index=True)
    sms_consent_at: datetime | None = time_field()  # when they agreed to texts (separate from email consent)
    sms_opted_out_at: datetime | None = time_field()  # replied STOP, or Twilio refused the number (21610)
    pending_changes: dict[str, Any] | None = json_dict_field(nullable=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    erased_at: datetime | None = time_field()
