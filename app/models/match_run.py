"""A request to propose cohorts for a program, carried out by the worker when the program is large."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, json_dict_field, time_field


class MatchRunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class MatchRun(SQLModel, table=True):
    """`stage`, `done` and `total` are the matcher's progress, written as it runs for the console to show."""

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True, ondelete="CASCADE")
    requested_by: str = Field(max_length=320)
    status: str = Field(default=MatchRunStatus.QUEUED, max_length=16, index=True)
    attempts: int = 0
    stage: str = Field(default="", max_length=32)
    done: int = 0
    total: int = 0
    summary: dict[str, Any] = json_dict_field()
    error: str | None = Field(default=None, max_length=2000)
    claimed_at: datetime | None = time_field()
    claimed_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = created_at_field()
    finished_at: datetime | None = time_field()
