"""What text messages need beyond the outbox: replies people send us, and the pace of each sending number."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, time_field


class ReplyMeaning(StrEnum):
    """What a reply to one of our texts asks for, read from its words."""

    STOP = "stop"  # no more texts to this number (a carrier rule: Twilio stops them too)
    START = "start"  # texts again after a STOP
    HELP = "help"  # who we are and how to stop
    NOT_COMING = "not_coming"  # "I can't come" to a reminder
    OTHER = "other"  # anything else: shown to the coordinator, never answered by a machine


class TextReply(SQLModel, table=True):
    """A text someone sent to our number. `message_sid` is unique: Twilio may deliver a webhook twice."""

    id: int | None = Field(default=None, primary_key=True)
    message_sid: str = Field(max_length=64, unique=True)
    program_id: int | None = Field(default=None, foreign_key="program.id", index=True, ondelete="CASCADE")
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")  # the meeting it answered
    from_number: str | None = Field(default=None, max_length=16)  # cleared when its sender is erased
    body: str = Field(default="", max_length=1600)
    meaning: str = Field(max_length=16)  # a ReplyMeaning
    received_at: datetime = created_at_field()
    seen_at: datetime | None = time_field()  # when a coordinator marked it read
    seen_by: str | None = Field(default=None, max_length=320)


class TextPace(SQLModel, table=True):
    """When a sending number may send its next text: every worker takes its turn from this one row, so
    several workers together never send faster than the number is allowed."""

    sender: str = Field(primary_key=True, max_length=64)
    next_at: datetime = created_at_field()
