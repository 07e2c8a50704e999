"""The licensed Zoom users a program's meetings are created under, and how much each may still do today."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, time_field


class ZoomUser(SQLModel, table=True):
    """One of the organisation's licensed Zoom users, in a program's pool."""

    __table_args__ = (UniqueConstraint("program_id", "user"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True, ondelete="CASCADE")
    user: str = Field(max_length=320, description="the Zoom user's email or id, as the API names it")
    concurrent: int = Field(
        default=1, description="meetings it may run at once: 1 on Pro, 2 on Business and up"
    )
    active: bool = True
    created_at: datetime = created_at_field()


class ZoomUserDay(SQLModel, table=True):
    """The meeting creates and updates made under one Zoom user on one UTC day (Zoom allows 100), and until
    when Zoom said no more today."""

    user: str = Field(primary_key=True, max_length=320)
    day: date = Field(primary_key=True)
    calls: int = 0
    refused_until: datetime | None = time_field()
