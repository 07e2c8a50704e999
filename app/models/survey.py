"""Answers to the follow-up survey."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, json_dict_field


class SurveyResponse(SQLModel, table=True):
    """`participant_id` stays empty when the answer is anonymous; `response_key` makes a link single-use."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    response_key: str = Field(max_length=128, unique=True)
    anonymous: bool = False
    answers: dict[str, Any] = json_dict_field()
    submitted_at: datetime = created_at_field()
