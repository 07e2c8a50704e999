"""Whether a member will come to one meeting, as they told us, and the places their absence opens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, time_field


class Answer(StrEnum):
    COMING = "coming"
    NOT_COMING = "not_coming"


class MeetingAnswer(SQLModel, table=True):
    """A member's latest answer for one meeting; changed in place until the meeting starts."""

    __table_args__ = (UniqueConstraint("meeting_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True)
    answer: str = Field(max_length=16)
    changes: int = Field(default=0, description="how many times the answer was changed after the first")
    answered_at: datetime = created_at_field()


class SeatOfferStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    TAKEN = "taken"  # someone else accepted first, or the place closed again


class SeatOffer(SQLModel, table=True):
    """A place in a group, offered to someone waiting when a member cannot come; the first to accept joins."""

    __table_args__ = (UniqueConstraint("meeting_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True)
    status: str = Field(default=SeatOfferStatus.OPEN, max_length=16)
    offered_at: datetime = created_at_field()
    answered_at: datetime | None = time_field()
