"""Where a cohort's weekly slot lands on the calendar of its program."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from app.models import Program


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
