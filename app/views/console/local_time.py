"""A time a coordinator types in the program's time zone (a datetime-local field), read back as UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.services.meeting_changes import MeetingChangeError


def parse_local_time(value: str, zone: str) -> datetime:
    """A datetime-local field's value, read in `zone`, as UTC; refuses times the clocks skip."""
    if not value.strip():
        raise MeetingChangeError("Enter the new date and time.")
    try:
        naive = datetime.fromisoformat(value.strip()).replace(tzinfo=None)
    except ValueError:
        example = "for example 2026-03-02 15:00"
        raise MeetingChangeError(f"Enter the new time as a date and a time, {example}.") from None
    local = naive.replace(tzinfo=ZoneInfo(zone))
    if local.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) != naive:
        raise MeetingChangeError(
            f"{naive:%H:%M} on {naive:%-d %b %Y} does not exist in {zone}: the clocks go forward then. "
            "Choose another time."
        )
    return local.astimezone(UTC)
