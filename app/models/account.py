"""Coordinator accounts and the programs each may see."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, time_field


class Coordinator(UserMixin, SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    password_hash: str = Field(max_length=200)
    is_admin: bool = False
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = time_field()
    last_login_at: datetime | None = time_field()
    created_at: datetime = created_at_field()

    @property
    def is_active(self) -> bool:
        return self.active


class CoordinatorProgram(SQLModel, table=True):
    coordinator_id: int = Field(foreign_key="coordinator.id", primary_key=True, ondelete="CASCADE")
    program_id: int = Field(foreign_key="program.id", primary_key=True, ondelete="CASCADE")
