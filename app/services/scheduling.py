"""Where a cohort's weekly slot lands on the calendar of its program, and a moment as a datetime-local field
shows it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.models import Program

LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what a datetime-local field holds
ONE_HOUR = timedelta(hours=1)


def program_week_start(program: Program, today: date) -> date:
    """The Monday of the week the program's first meetings fall in; availability is converted for that week,
    so daylight-saving offsets are the ones in force when people actually meet."""
    first = program.first_meeting_on or today + timedelta(days=7)
    return first - timedelta(days=first.weekday())


def slot_start(program: Program, slot: int, today: date) -> datetime:
    """The first meeting time for an hour-of-the-week `slot` (UTC) on or after the program's first day."""
    monday = datetime.combine(program_week_start(program, today), time(), tzinfo=UTC)
    start = monday + timedelta(hours=slot)
    earliest = datetime.combine(program.first_meeting_on or today, time(), tzinfo=UTC)
    return start if start >= earliest else start + timedelta(days=7)


def local_input(moment: datetime, zone: str) -> str:
    """`moment` as a datetime-local field in `zone` holds it."""
    return moment.astimezone(ZoneInfo(zone)).strftime(LOCAL_INPUT)


def local_window(week: date, slot: int, timezone: str) -> dict[str, object]:
    """The hour-long window, in a person's zone, of UTC hour `slot` in the program's `week`, as their
    availability spells windows; it ends at "24:00" when it ends at midnight (and does not fit one window
    when it crosses midnight)."""
    monday = datetime.combine(week, time(), tzinfo=UTC)
    start = (monday + timedelta(hours=slot)).astimezone(ZoneInfo(timezone))
    end = start + ONE_HOUR
    end_text = "24:00" if end.date() != start.date() and end.time() == time() else f"{end:%H:%M}"
    return {"weekday": start.weekday(), "start": f"{start:%H:%M}", "end": end_text}
