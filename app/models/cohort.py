"""A cohort: a small group of registrants who meet together, proposed by the matcher, approved by a person."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, time_field


class CohortStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    CANCELLED = "cancelled"


class Cohort(SQLModel, table=True):
    __table_args__ = (
        # A group's page finds, from these, the few groups meeting near its hour (whose meetings share the
        # program's Zoom users with its) and the groups of its condition at the hours a member is free.
        Index("ix_cohort_hours", "program_id", "slot"),
        Index("ix_cohort_condition_hours", "program_id", "condition_id", "slot"),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True, ondelete="CASCADE")
    condition_id: int = Field(foreign_key="condition.id")
    role: str | None = Field(default=None, max_length=16)
    language: str = Field(max_length=16)
    slot: int = Field(description="hour of the week in UTC, 0 = Monday 00:00")
    host_id: int | None = Field(default=None, foreign_key="host.id")
    status: str = Field(default=CohortStatus.PROPOSED, max_length=16, index=True)
    locked: bool = False
    version: int = Field(default=1, description="raised on every change, so concurrent edits are detected")
    created_at: datetime = created_at_field()
    approved_at: datetime | None = time_field()
    cancelled_at: datetime | None = time_field()


class CohortMember(SQLModel, table=True):
    """A registrant's place in a cohort; one place per registrant, moved rather than duplicated."""

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", unique=True)
    added_at: datetime = created_at_field()
