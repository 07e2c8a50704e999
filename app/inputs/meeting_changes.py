"""What a coordinator types to change a meeting: a new time in the program's time zone (a datetime-local
field), read back as UTC, and the reason for a cancellation."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# How much a coordinator may write of why a group was cancelled (it goes to the audit log).
REASON_MAX_LENGTH = 500


class InvalidChange(ValueError):
    """What was typed cannot be used; the message says why, and that nothing was changed."""


def parse_local_time(value: str, zone: str) -> datetime:
    """A datetime-local field's value, read in `zone`, as UTC; refuses times the clocks skip."""
    if not value.strip():
        raise InvalidChange("Enter the new date and time.")
    try:
        naive = datetime.fromisoformat(value.strip()).replace(tzinfo=None)
    except ValueError:
        example = "for example 2026-03-02 15:00"
        raise InvalidChange(f"Enter the new time as a date and a time, {example}.") from None
    local = naive.replace(tzinfo=ZoneInfo(zone))
    if local.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) != naive:
        raise InvalidChange(
            f"{naive:%H:%M} on {naive:%-d %b %Y} does not exist in {zone}: the clocks go forward then. "
            "Choose another time."
        )
    return local.astimezone(UTC)


def cancellation_reason(value: str) -> str:
    """Why a group is cancelled, as the coordinator wrote it (optional, of a length the log keeps)."""
    reason = value.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidChange(
            f"Keep the reason under {REASON_MAX_LENGTH} characters; nothing was cancelled yet."
        )
    return reason
