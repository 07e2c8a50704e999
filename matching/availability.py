"""Turning a person's local weekly availability into the matcher's UTC hours of the week.

Meetings last an hour and start on a whole UTC hour, so a UTC hour counts only when the whole hour lies
inside one of the person's local windows. With a half-hour offset such as India's (+05:30) that means a
local window 10:00-12:00 yields one start, 05:00 UTC (10:30-11:30 local): the hours 04:00 and 06:00 UTC
would begin or end outside the window.

Offsets change with daylight saving, so the conversion is made for the actual dates of one week of the
program (`week_start` and the six days after it), and the result is right for that week.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .model import HOURS_PER_WEEK

ONE_HOUR = timedelta(hours=1)


def utc_slots(windows: Iterable[Mapping[str, object]], timezone: str, week_start: date) -> frozenset[int]:
    """UTC hours of the week (0 = Monday 00:00 UTC ... 167) at which a one-hour meeting fits a window.

    `windows` are `{"weekday": 0-6, "start": "HH:MM", "end": "HH:MM"}` in the person's `timezone`
    (Monday = 0; `end` may be "24:00"). Each weekday is taken on its date within the seven days starting
    at `week_start`. Hours that fall before Monday 00:00 UTC or after Sunday 24:00 UTC wrap around the week.
    """
    zone = ZoneInfo(timezone)
    slots: set[int] = set()
    for window in windows:
        day = _date_of_weekday(week_start, _weekday(window))
        start = _local_instant(day, str(window["start"]), zone)
        end = _local_instant(day, str(window["end"]), zone)
        if end <= start:
            raise ValueError(f"window {window!r}: end must be after start")
        slots.update(_whole_hours_between(start, end))
    return frozenset(slots)


def is_free(windows: Iterable[Mapping[str, object]], timezone: str, start: datetime, end: datetime) -> bool:
    """Whether a meeting from `start` to `end` (aware datetimes, any minute) lies wholly inside the person's
    weekly `windows`, each read in their own `timezone` on the actual dates the meeting falls on (so the
    offsets are those of that day). Windows that meet end to end, such as Monday until 24:00 and Tuesday
    from 00:00, count as one stretch."""
    zone = ZoneInfo(timezone)
    first = start.astimezone(zone).date() - timedelta(days=1)
    days = [first + timedelta(days=n) for n in range((end.astimezone(zone).date() - first).days + 1)]
    stretches = sorted(
        (_local_instant(day, str(window["start"]), zone), _local_instant(day, str(window["end"]), zone))
        for day in days
        for window in windows
        if _weekday(window) == day.weekday()
    )
    covered_from = covered_to = None
    for stretch_start, stretch_end in stretches:
        if covered_to is not None and stretch_start <= covered_to:
            covered_to = max(covered_to, stretch_end)
        else:
            covered_from, covered_to = stretch_start, stretch_end
        if covered_from <= start and end <= covered_to:
            return True
    return False


def _weekday(window: Mapping[str, object]) -> int:
    weekday = window["weekday"]
    if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
        raise ValueError(f"window {window!r}: weekday must be an integer 0-6 (Monday = 0)")
    return weekday


def _date_of_weekday(week_start: date, weekday: int) -> date:
    return week_start + timedelta(days=(weekday - week_start.weekday()) % 7)


def _local_instant(day: date, hh_mm: str, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time; "24:00" is the next midnight.

    A wall time skipped by a spring-forward change is read with the offset before the change, and a
    repeated one (autumn) as its first occurrence, which is what zoneinfo does with fold=0.
    """
    hours, minutes = _parse_hh_mm(hh_mm)
    if hours == 24:
        day, hours = day + timedelta(days=1), 0
    local = datetime.combine(day, time(hours, minutes), tzinfo=zone)
    return local.astimezone(UTC)


def _parse_hh_mm(hh_mm: str) -> tuple[int, int]:
    try:
        hours_text, minutes_text = hh_mm.split(":")
        hours, minutes = int(hours_text), int(minutes_text)
    except ValueError:
        raise ValueError(f"time {hh_mm!r} is not HH:MM") from None
    if not (0 <= hours <= 23 and 0 <= minutes <= 59) and (hours, minutes) != (24, 0):
        raise ValueError(f"time {hh_mm!r} is not between 00:00 and 24:00")
    return hours, minutes


def _whole_hours_between(start: datetime, end: datetime) -> Iterable[int]:
    first = start.replace(minute=0, second=0, microsecond=0)
    if first < start:
        first += ONE_HOUR
    hour = first
    while hour + ONE_HOUR <= end:
        yield (hour.weekday() * 24 + hour.hour) % HOURS_PER_WEEK
        hour += ONE_HOUR


def slots_to_mask(slots: Iterable[int]) -> int:
    """A 168-bit integer with bit h set for every hour h in `slots`."""
    mask = 0
    for slot in slots:
        mask |= 1 << slot
    return mask


def mask_to_slots(mask: int) -> tuple[int, ...]:
    """The hours whose bits are set in `mask`, in increasing order."""
    slots = []
    while mask:
        low = mask & -mask
        slots.append(low.bit_length() - 1)
        mask ^= low
    return tuple(slots)
