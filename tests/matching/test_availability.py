from datetime import UTC, date, datetime, timedelta

import pytest

from matching.availability import is_free, mask_to_slots, slots_to_mask, utc_slots

MONDAY = 0
WEEK_BEFORE_US_DST = date(2026, 3, 2)  # New York on EST (UTC-5), Madrid on CET (UTC+1)
WEEK_AFTER_US_DST = date(2026, 3, 9)  # New York on EDT (UTC-4), Madrid still on CET
WEEK_AFTER_EU_DST = date(2026, 3, 30)  # Madrid on CEST (UTC+2)


def window(weekday: int, start: str, end: str) -> dict[str, object]:
    return {"weekday": weekday, "start": start, "end": end}


def test_new_york_evening_moves_one_utc_hour_earlier_after_daylight_saving_starts():
    evening = [window(MONDAY, "18:00", "20:00")]
    assert utc_slots(evening, "America/New_York", WEEK_BEFORE_US_DST) == {23, 24}
    assert utc_slots(evening, "America/New_York", WEEK_AFTER_US_DST) == {22, 23}


def test_madrid_follows_its_own_daylight_saving_date():
    morning = [window(MONDAY, "10:00", "11:00")]
    assert utc_slots(morning, "Europe/Madrid", WEEK_AFTER_US_DST) == {9}
    assert utc_slots(morning, "Europe/Madrid", WEEK_AFTER_EU_DST) == {8}


def test_half_hour_offset_keeps_only_utc_hours_that_fit_inside_the_window():
    # 10:00-12:00 in Kolkata (+05:30) is 04:30-06:30 UTC: only 05:00-06:00 UTC fits whole.
    assert utc_slots([window(MONDAY, "10:00", "12:00")], "Asia/Kolkata", WEEK_BEFORE_US_DST) == {5}


def test_half_hour_offset_window_of_one_hour_gives_no_slot():
    assert utc_slots([window(MONDAY, "10:00", "11:00")], "Asia/Kolkata", WEEK_BEFORE_US_DST) == frozenset()


def test_monday_morning_east_of_utc_wraps_to_sunday_evening():
    # Monday 01:00-02:00 in Tokyo (+09:00) is Sunday 16:00 UTC: hour 6 * 24 + 16.
    assert utc_slots([window(MONDAY, "01:00", "02:00")], "Asia/Tokyo", WEEK_BEFORE_US_DST) == {160}


def test_sunday_night_west_of_utc_wraps_to_monday():
    # Sunday 22:00-24:00 in Los Angeles (PDT, -07:00) is Monday 05:00-07:00 UTC.
    slots = utc_slots([window(6, "22:00", "24:00")], "America/Los_Angeles", WEEK_AFTER_US_DST)
    assert slots == {5, 6}


def test_sunday_of_the_daylight_saving_change_uses_the_new_offset():
    # The week of 2 March 2026 ends on 8 March, when New York moves to EDT at 02:00.
    evening = [window(6, "18:00", "19:00")]
    assert utc_slots(evening, "America/New_York", WEEK_BEFORE_US_DST) == {6 * 24 + 22}


def test_week_start_need_not_be_a_monday():
    wednesday = date(2026, 3, 4)
    assert utc_slots([window(MONDAY, "10:00", "11:00")], "UTC", wednesday) == {10}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (window(MONDAY, "12:00", "10:00"), "end must be after start"),
        (window(7, "10:00", "11:00"), "weekday"),
        (window(MONDAY, "10h", "11:00"), "HH:MM"),
        (window(MONDAY, "10:00", "25:00"), "between 00:00 and 24:00"),
    ],
)
def test_bad_windows_are_rejected_with_a_reason(bad, message):
    with pytest.raises(ValueError, match=message):
        utc_slots([bad], "UTC", WEEK_BEFORE_US_DST)


def test_masks_round_trip_every_hour_of_the_week():
    hours = (0, 1, 100, 167)
    assert mask_to_slots(slots_to_mask(hours)) == hours


EVENINGS_NY = [{"weekday": 1, "start": "18:00", "end": "21:00"}]  # Tuesdays 18:00-21:00, New York time


def _meeting(year, month, day, hour, minute=0, minutes=60):
    start = datetime(year, month, day, hour, minute, tzinfo=UTC)
    return start, start + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("meeting", "free"),
    [
        (_meeting(2026, 1, 13, 23), True),  # Tuesday 18:00-19:00 EST: the window's first hour
        (_meeting(2026, 1, 14, 0, 30, 90), True),  # 19:30-21:00 EST fits exactly
        (_meeting(2026, 1, 14, 0, 45, 90), False),  # 19:45-21:15 EST ends past the window
        (_meeting(2026, 1, 13, 22, 30), False),  # 17:30 EST starts before the window
        (_meeting(2026, 7, 14, 22), True),  # Tuesday 18:00 EDT in summer is 22:00 UTC
        (_meeting(2026, 7, 14, 23, 30, 90), True),  # 19:30-21:00 EDT
        (_meeting(2026, 1, 13, 23, 30, 90), True),  # 18:30-20:00 EST, in winter
        (_meeting(2026, 7, 14, 23, 0, 240), False),  # three hours past the window's end in summer
        (_meeting(2026, 1, 20, 23), True),  # any Tuesday
        (_meeting(2026, 1, 14, 23), False),  # a Wednesday
    ],
)
def test_a_meeting_at_any_minute_is_free_only_inside_a_window_on_its_own_date(meeting, free):
    assert is_free(EVENINGS_NY, "America/New_York", *meeting) is free


def test_windows_that_meet_at_midnight_hold_a_meeting_across_it():
    late_monday = {"weekday": 0, "start": "22:00", "end": "24:00"}
    early_tuesday = {"weekday": 1, "start": "00:00", "end": "01:00"}
    across = _meeting(2026, 1, 12, 23, 30)  # Monday 23:30 to Tuesday 00:30, UTC
    assert is_free([late_monday, early_tuesday], "UTC", *across)
    assert not is_free([late_monday], "UTC", *across)
