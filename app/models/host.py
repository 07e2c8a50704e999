"""A volunteer host: an experienced patient who leads conversations for a program."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, json_list_field


class Host(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("program_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True, ondelete="CASCADE")
    display_name: str = Field(max_length=60)
    email: str = Field(max_length=320)
    zoom_user: str = Field(max_length=320, description="Zoom user id or email the meetings are created under")
    zoom_licensed: bool = Field(
        default=False,
        description="their Zoom user is licensed on the organisation's account: it may hold their meetings",
    )
    timezone: str = Field(max_length=64)
    languages: list[str] = json_list_field()
    conditions: list[str] = json_list_field()
    availability: list[dict[str, Any]] = json_list_field()
    max_cohorts: int = 2
    active: bool = True
    created_at: datetime = created_at_field()
