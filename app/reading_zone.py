"""The time zone of whoever reads a sentence with a time in it.

Services word refusals and warnings with times in them ("Group 12 already meets at Tuesday 17:00 CET")
without knowing who reads them. The console names the signed-in coordinator's zone for its request
(`reading_in`); what the worker and commands write is read by no one in particular, in UTC. The zone's
abbreviation always follows the time, so a reader knows which clock it is.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_ZONE: ContextVar[str] = ContextVar("reading_zone", default="UTC")


def reading_in(zone: str) -> Token:
    """Word times in `zone` until `done_reading` is given the token this returns."""
    return _ZONE.set(zone)


def done_reading(token: Token) -> None:
    _ZONE.reset(token)


def written(moment: datetime, zone: str | None = None, *, short: bool = False) -> str:
    """A moment as someone in `zone` (else the reader) reads it: "Tue 3 Mar 2026, 09:00 EST" ("3 Mar, 09:00
    EST" short)."""
    local = moment.astimezone(ZoneInfo(zone or _ZONE.get()))
    day = f"{local:%-d %b}" if short else f"{local:%a %-d %b %Y}"
    return f"{day}, {local:%H:%M} {abbreviation(local)}"


def weekly_hour(slot: int, week_start: date, zone: str | None = None) -> str:
    """An hour of the week (UTC) as someone in `zone` (else the reader) reads it in the week from
    `week_start`, so daylight saving is taken as it is that week: "Monday 15:00 CET"."""
    local = in_week(slot, week_start, zone or _ZONE.get())
    return f"{local:%A %H:%M} {abbreviation(local)}"


def in_week(slot: int, week_start: date, zone: str) -> datetime:
    """An hour of the week (UTC) as the moment in `zone` it is in the week from `week_start`."""
    monday = datetime.combine(week_start, time(), tzinfo=UTC)
    return (monday + timedelta(hours=slot)).astimezone(ZoneInfo(zone))


def abbreviation(local: datetime) -> str:
    """The zone's abbreviation at that moment ("CET", "EDT"); zones without one get their offset
    ("UTC-03")."""
    name = local.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name
