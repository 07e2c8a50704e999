"""Who came to a meeting as the host or the coordinator marked it, which outranks what Zoom reported: someone
who dials in by phone, or joins on another member's link, is absent in Zoom's eyes but here in the room."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field


class MarkedAttendance(SQLModel, table=True):
    """One member's mark for one meeting; marking again changes it in place."""

    __table_args__ = (UniqueConstraint("meeting_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True)
    present: bool
    marked_by: str = Field(max_length=340, description="'host' or the coordinator's email")
    marked_at: datetime = created_at_field()
