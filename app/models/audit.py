"""The audit log: who looked at or changed what, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, json_dict_field


class AuditEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = created_at_field()
    coordinator_id: int | None = Field(default=None, foreign_key="coordinator.id", ondelete="SET NULL")
    actor: str = Field(max_length=320, description="who acted: an account's email, 'system' or 'participant'")
    action: str = Field(max_length=64, index=True)
    program_id: int | None = Field(default=None, foreign_key="program.id", index=True, ondelete="CASCADE")
    subject_type: str = Field(default="", max_length=32)
    subject_id: str = Field(default="", max_length=64)
    detail: dict[str, Any] = json_dict_field()
