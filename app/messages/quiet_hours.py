"""No text in the recipient's night: between 21:00 and 08:00 in their own time zone, a text waits for 08:00.

Times are worked out on the local clock and then turned into UTC by the zone's rules, so a night that a
change of clocks makes an hour longer or shorter still ends at 08:00 on the clock on the wall (clocks change
in the small hours, never at 08:00).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

NIGHT_STARTS = time(21, 0)
MORNING = time(8, 0)


def is_quiet(moment: datetime, timezone: str) -> bool:
    """Whether `moment` (aware) falls in the night of someone living in `timezone`."""
    local = moment.astimezone(ZoneInfo(timezone)).time()
    return local >= NIGHT_STARTS or local < MORNING


def next_morning(moment: datetime, timezone: str) -> datetime:
    """08:00 in `timezone` after `moment` (aware), in UTC: the end of the night `moment` is in."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    day = local.date() if local.time() < MORNING else local.date() + timedelta(days=1)
    return datetime.combine(day, MORNING, tzinfo=zone).astimezone(UTC)


def first_moment_allowed(moment: datetime, timezone: str) -> datetime:
    """`moment` itself in the day, or the next morning in the night."""
    return next_morning(moment, timezone) if is_quiet(moment, timezone) else moment
