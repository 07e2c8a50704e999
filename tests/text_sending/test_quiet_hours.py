"""No text in the recipient's night (21:00 to 08:00 on their own clock): one due then waits for 08:00 where
they live, across time zones and the nights the clocks change."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.messages.quiet_hours import first_moment_allowed, is_quiet, next_morning


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


@pytest.mark.parametrize(
    ("moment", "zone", "quiet"),
    [
        (utc(2026, 6, 10, 12, 0), "Europe/Madrid", False),  # 14:00
        (utc(2026, 6, 10, 18, 59), "Europe/Madrid", False),  # 20:59
        (utc(2026, 6, 10, 19, 0), "Europe/Madrid", True),  # 21:00
        (utc(2026, 6, 10, 5, 59), "Europe/Madrid", True),  # 07:59
        (utc(2026, 6, 10, 6, 0), "Europe/Madrid", False),  # 08:00
        # The same moment is evening in Madrid and afternoon in New York, morning in Tokyo.
        (utc(2026, 6, 10, 20, 0), "America/New_York", False),  # 16:00
        (utc(2026, 6, 10, 20, 0), "Asia/Tokyo", True),  # 05:00 the next day
    ],
)
def test_the_night_is_the_recipients_own(moment, zone, quiet):
    assert is_quiet(moment, zone) is quiet


def test_a_text_due_in_the_evening_waits_for_the_next_morning_at_eight_their_time():
    due = utc(2026, 6, 10, 20, 30)  # 22:30 in Madrid
    assert local(first_moment_allowed(due, "Europe/Madrid"), "Europe/Madrid") == "2026-06-11 08:00 CEST"
    assert first_moment_allowed(due, "America/New_York") == due  # 16:30 there: it goes at once


def test_a_text_due_after_midnight_waits_for_the_same_days_morning():
    due = utc(2026, 6, 10, 23, 30)  # 01:30 in Madrid
    assert local(next_morning(due, "Europe/Madrid"), "Europe/Madrid") == "2026-06-11 08:00 CEST"


def test_half_hour_zones_keep_their_own_clock():
    due = utc(2026, 6, 10, 16, 0)  # 21:30 in Kolkata
    assert is_quiet(due, "Asia/Kolkata")
    assert next_morning(due, "Asia/Kolkata") == utc(2026, 6, 11, 2, 30)


def test_the_night_clocks_go_forward_ends_at_eight_on_the_new_clock():
    # Spring forward in New York: 2026-03-08 02:00 EST becomes 03:00 EDT, a night an hour shorter.
    due = utc(2026, 3, 8, 3, 0)  # 22:00 EST on the 7th
    morning = next_morning(due, "America/New_York")
    assert local(morning, "America/New_York") == "2026-03-08 08:00 EDT"
    assert morning == utc(2026, 3, 8, 12, 0)  # ten hours later, not eleven
    assert not is_quiet(morning, "America/New_York")


def test_the_night_clocks_go_back_ends_at_eight_on_the_new_clock():
    # Fall back in Madrid: 2026-10-25 03:00 CEST becomes 02:00 CET, a night an hour longer.
    due = utc(2026, 10, 24, 20, 0)  # 22:00 CEST on the 24th
    morning = next_morning(due, "Europe/Madrid")
    assert local(morning, "Europe/Madrid") == "2026-10-25 08:00 CET"
    assert morning == utc(2026, 10, 25, 7, 0)  # eleven hours later, not ten
    # The hour that happens twice (02:00-03:00) is night both times.
    assert is_quiet(utc(2026, 10, 25, 0, 30), "Europe/Madrid") and is_quiet(
        utc(2026, 10, 25, 1, 30), "Europe/Madrid"
    )


def test_in_the_southern_hemisphere_the_clocks_change_the_other_way():
    # Sydney goes back on 2026-04-05 (03:00 AEDT becomes 02:00 AEST).
    due = utc(2026, 4, 4, 11, 0)  # 22:00 AEDT
    assert local(next_morning(due, "Australia/Sydney"), "Australia/Sydney") == "2026-04-05 08:00 AEST"
