"""What hosts and members tell the coordinators after a meeting: the host's debrief, and concerns raised
privately by a host or a member, which wait in the program's queue until a coordinator resolves them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, json_list_field, time_field


class Mood(StrEnum):
    """How the host felt the meeting went."""

    WELL = "well"
    MIXED = "mixed"
    HARD = "hard"


class ConcernStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Reporter(StrEnum):
    HOST = "host"
    MEMBER = "member"


class HostDebrief(SQLModel, table=True):
    """The host's two-minute debrief of one meeting, given once."""

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True, ondelete="CASCADE")
    meeting_id: int = Field(foreign_key="meeting.id", unique=True)
    host_id: int = Field(foreign_key="host.id")
    mood: str = Field(max_length=16)  # a Mood
    note: str = Field(default="", max_length=2000)  # anything the coordinator should know
    concern_id: int | None = Field(default=None, foreign_key="concern.id")  # the concern it raised, if any
    submitted_at: datetime = created_at_field()


class Concern(SQLModel, table=True):
    """A concern raised privately. Only the program's coordinators see who raised it: members never do."""

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True, ondelete="CASCADE")
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    reporter: str = Field(max_length=8)  # a Reporter
    host_id: int | None = Field(default=None, foreign_key="host.id")  # who raised it, when a host did
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)  # or a member
    about_id: int | None = Field(default=None, foreign_key="participant.id")  # the member it is about, if any
    body: str = Field(max_length=2000)
    status: str = Field(default=ConcernStatus.NEW, max_length=16, index=True)
    # Each coordinator's change: {"at", "by", "status", "note"}, oldest first.
    history: list[dict[str, Any]] = json_list_field()
    raised_at: datetime = created_at_field()
    changed_at: datetime | None = time_field()
