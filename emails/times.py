"""Meeting times written the way each recipient reads a clock.

Every time is stored in UTC and shown in the recipient's own zone and locale, with the zone named
twice: in words (``Central European Time``) and by its IANA name, which is what people's devices show
in settings and what helps when the words are ambiguous.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_interval, format_time, get_timezone_gmt, get_timezone_name

from emails.context import require_utc
from emails.i18n import parse_locale


def format_meeting_time(starts_at_utc: datetime, ends_at_utc: datetime, timezone: str, locale: str) -> str:
    """Write a meeting's date and hours in ``timezone``, for example
    ``Tuesday, March 3, 2026, 2:00 - 3:00 PM (Central European Time, Europe/Madrid)``
    (Babel joins the hours with the locale's own dash).
    """
    start, babel_locale = localise(starts_at_utc, timezone, locale)
    end, _ = localise(ends_at_utc, timezone, locale)
    date = format_date(start, format="full", locale=babel_locale)
    hours = format_interval(start, end, _hour_minute(babel_locale), tzinfo=start.tzinfo, locale=babel_locale)
    return f"{date}, {hours} ({_zone_name(start, babel_locale)}, {timezone})"


def format_moment(moment_utc: datetime, timezone: str, locale: str) -> str:
    """Write one moment with its date in ``timezone``, for example
    ``Tuesday, March 3, 2026, 2:00 PM (Central European Time, Europe/Madrid)``.
    """
    local, babel_locale = localise(moment_utc, timezone, locale)
    date = format_date(local, format="full", locale=babel_locale)
    time = format_time(local, format="short", tzinfo=local.tzinfo, locale=babel_locale)
    return f"{date}, {time} ({_zone_name(local, babel_locale)}, {timezone})"


def format_weekday_time(moment_utc: datetime, timezone: str, locale: str) -> str:
    """Write a moment briefly, as a weekday and a clock time in ``timezone``.

    For example ``Tuesday 8:00 AM (Eastern Time)``.
    """
    local, babel_locale = localise(moment_utc, timezone, locale)
    weekday = format_date(local, format="EEEE", locale=babel_locale)
    time = format_time(local, format="short", tzinfo=local.tzinfo, locale=babel_locale)
    return f"{weekday} {time} ({_zone_name(local, babel_locale)})"


def localise(moment_utc: datetime, timezone: str, locale: str) -> tuple[datetime, Locale]:
    return require_utc(moment_utc).astimezone(ZoneInfo(timezone)), parse_locale(locale)


def _hour_minute(locale: Locale) -> str:
    """The skeleton for hours and minutes on the locale's clock: 12-hour (``hm``) or 24-hour (``Hm``)."""
    return "hm" if "h" in locale.time_formats["short"].pattern else "Hm"


def _zone_name(local: datetime, locale: Locale) -> str:
    # The generic name ("Eastern Time") is the one people know, and the clock time shown already
    # accounts for daylight saving. Zones without daylight saving often have none in CLDR (Nairobi),
    # where Babel falls back to an offset; the specific name ("East Africa Time") reads better there.
    generic = get_timezone_name(local, width="long", zone_variant="generic", locale=locale)
    if generic != get_timezone_gmt(local, width="long", locale=locale):
        return generic
    return get_timezone_name(local, width="long", locale=locale)
