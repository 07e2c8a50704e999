"""A meeting of a cohort (the first meet-up, and any later one), its Zoom registrations and attendance."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, json_list_field, time_field

# What `Attendance.zoom_participant_key` becomes once the person is erased: a random key after this prefix,
# the same for all of one person's stretches in a meeting, so they still count as one attendee. A registrant's
# stretches get the first, anyone else Zoom told us about (when their program's data is erased) the second.
ERASED_REGISTRANT_KEY = "erased-registrant:"
ERASED_GUEST_KEY = "erased-guest:"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    STARTED = "started"
    ENDED = "ended"
    CANCELLED = "cancelled"


# A meeting that took place: Zoom told us it started. `ix_meeting_held` holds those alone, so a program's
# report finds its few held meetings without reading every meeting (`app.services.report.held_meetings`).
HELD = "started_at IS NOT NULL OR status IN ('started', 'ended')"


class Meeting(SQLModel, table=True):
    """`calendar_uid` never changes and `calendar_sequence` rises with every change sent to calendars."""

    __table_args__ = (
        UniqueConstraint("cohort_id", "number"),
        Index("ix_meeting_held", "cohort_id", postgresql_where=text(HELD), sqlite_where=text(HELD)),
    )

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True, ondelete="CASCADE")
    number: int = Field(default=1, description="1 for the first meet-up, 2 for the next, ...")
    starts_at: datetime = time_field(nullable=False, index=True)
    duration_minutes: int = 60
    status: str = Field(default=MeetingStatus.SCHEDULED, max_length=16)
    zoom_user: str | None = Field(
        default=None, max_length=320, description="the Zoom user the meeting is created under (holds it)"
    )
    zoom_meeting_id: str | None = Field(default=None, max_length=32, index=True)
    zoom_join_url: str | None = Field(default=None, max_length=1000)
    zoom_passcode: str | None = Field(default=None, max_length=16)
    zoom_dial_in_numbers: list[dict[str, str]] = json_list_field()  # as Zoom answers them, for phone joiners
    zoom_phone_passcode: str | None = Field(default=None, max_length=16)  # the digits a phone keys in
    zoom_vanished_at: datetime | None = time_field()
    calendar_uid: str = Field(max_length=200, unique=True)
    calendar_sequence: int = 0
    started_at: datetime | None = time_field()
    ended_at: datetime | None = time_field()
    created_at: datetime = created_at_field()
    # The report's figures of this meeting, counted as their rows are written (`app.models.meeting_tally`).
    zoom_registered: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    zoom_attended: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    surveys_sent: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    @property
    def ends_at(self) -> datetime:
        """When the meeting is planned to end (Zoom's word that it ended may come earlier, later or never)."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class MeetingRegistrant(SQLModel, table=True):
    """A participant's Zoom registration: their personal join link, and the id attendance arrives with."""

    __table_args__ = (UniqueConstraint("meeting_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True)
    zoom_registrant_id: str | None = Field(default=None, max_length=64, index=True)
    join_url: str | None = Field(default=None, max_length=1000)
    created_at: datetime = created_at_field()


class Attendance(SQLModel, table=True):
    """One stretch of time someone spent in a meeting, from a join event to its leave event."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    zoom_participant_key: str = Field(max_length=200)
    joined_at: datetime = time_field(nullable=False)
    left_at: datetime | None = time_field()
