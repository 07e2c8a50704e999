"""Meeting times in each recipient's own clock, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from emails.times import format_meeting_time

# Europe moves its clocks back on 25 October 2026, the United States on 1 November 2026.
BEFORE_BOTH = datetime(2026, 10, 20, 18, 0, tzinfo=UTC)
BETWEEN = datetime(2026, 10, 27, 18, 0, tzinfo=UTC)
AFTER_BOTH = datetime(2026, 11, 3, 18, 0, tzinfo=UTC)


def meeting_time(start: datetime, timezone: str, locale: str) -> str:
    return format_meeting_time(start, start + timedelta(hours=1), timezone, locale)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (
            BEFORE_BOTH,
            "Tuesday, October 20, 2026, 2:00\u2009–\u20093:00\u202fPM (Eastern Time, America/New_York)",
        ),
        (
            BETWEEN,
            "Tuesday, October 27, 2026, 2:00\u2009–\u20093:00\u202fPM (Eastern Time, America/New_York)",
        ),
        (
            AFTER_BOTH,
            "Tuesday, November 3, 2026, 1:00\u2009–\u20092:00\u202fPM (Eastern Time, America/New_York)",
        ),
    ],
)
def test_new_york_sees_the_hour_move_when_the_us_changes(start, expected):
    assert meeting_time(start, "America/New_York", "en_US") == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (BEFORE_BOTH, "martes, 20 de octubre de 2026, 20:00–21:00 (hora de Europa central, Europe/Madrid)"),
        (BETWEEN, "martes, 27 de octubre de 2026, 19:00–20:00 (hora de Europa central, Europe/Madrid)"),
        (AFTER_BOTH, "martes, 3 de noviembre de 2026, 19:00–20:00 (hora de Europa central, Europe/Madrid)"),
    ],
)
def test_madrid_sees_the_hour_move_when_europe_changes(start, expected):
    assert meeting_time(start, "Europe/Madrid", "es") == expected


def test_a_24_hour_locale_gets_a_24_hour_clock():
    assert meeting_time(BETWEEN, "Europe/London", "en_GB") == (
        "Tuesday, 27 October 2026, 18:00–19:00 (British Time, Europe/London)"
    )


def test_a_zone_without_a_generic_name_gets_its_specific_name_not_an_offset():
    assert meeting_time(BETWEEN, "Africa/Nairobi", "en") == (
        "Tuesday, October 27, 2026, 9:00\u2009–\u200910:00\u202fPM (East Africa Time, Africa/Nairobi)"
    )


def test_a_meeting_past_midnight_is_dated_in_the_recipients_zone():
    assert meeting_time(BETWEEN, "Asia/Tokyo", "en").startswith("Wednesday, October 28, 2026, 3:00")


def test_a_time_without_a_zone_is_refused():
    with pytest.raises(ValueError, match="UTC"):
        meeting_time(datetime(2026, 10, 27, 18, 0), "Europe/Madrid", "en")
