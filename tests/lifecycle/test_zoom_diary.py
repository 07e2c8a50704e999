"""The Zoom diary picks, for each meeting, the user the placement rule names, however it searches.

The diary finds the nearest free user by walking outward from the meeting through sorted meetings instead of
looking at every user. Here a plain reading of the rule, written out over every user, checks its choices on
random pools and meetings: the free user whose other meetings come nearest within a day, the least busy
and then the first listed breaking ties; with none near, the least busy with no meeting that day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.zoom_diary import ZoomDiary

BUFFER, NEARBY = timedelta(minutes=15), timedelta(days=1)
MONDAY = datetime(2027, 3, 1, tzinfo=UTC)


def _rule(pool: dict[str, int], held: dict[str, list], busy: dict[str, int], start, end) -> str | None:
    """The user the rule names, by looking at every one."""
    near, apart = [], []
    for order, (user, concurrent) in enumerate(pool.items()):
        clashing = [(s, e) for s, e in held[user] if s < end + BUFFER and e > start - BUFFER]
        if _most_at_once(clashing, start - BUFFER, end + BUFFER) >= concurrent:
            continue
        gaps = [max(s - end, start - e, timedelta(0)) for s, e in held[user]]
        gap = min((gap for gap in gaps if gap < NEARBY), default=None)
        (near if gap is not None else apart).append((gap, busy[user], order, user))
    if near:
        return min(near)[3]
    return min(apart)[3] if apart else None


def _most_at_once(spans, low, high) -> int:
    moments = sorted({max(s, low) for s, _ in spans})
    return max((sum(1 for s, e in spans if s <= moment < e) for moment in moments), default=0)


meetings = st.lists(
    st.tuples(st.integers(0, 4 * 24 * 4), st.sampled_from([30, 60, 90, 120])), min_size=1, max_size=40
)


@settings(max_examples=200, deadline=None)
@given(
    concurrency=st.lists(st.sampled_from([1, 1, 1, 2]), min_size=1, max_size=6),
    earlier=meetings,
    later=meetings,
)
def test_the_diary_gives_each_meeting_to_the_user_the_rule_names(concurrency, earlier, later):
    pool = {f"user-{number}@example.org": concurrent for number, concurrent in enumerate(concurrency)}
    users = list(pool)
    held = {user: [] for user in pool}
    busy = dict.fromkeys(pool, 0)
    for index, (quarter, minutes) in enumerate(earlier):  # meetings the users hold already
        user = users[index % len(users)]
        start = MONDAY + quarter * timedelta(minutes=15)
        if _rule({user: pool[user]}, held, busy, start, start + timedelta(minutes=minutes)) == user:
            held[user].append((start, start + timedelta(minutes=minutes)))
            busy[user] += 1
    diary = ZoomDiary(pool, busy, buffer=BUFFER, nearby=NEARBY)
    for user, spans in held.items():
        for start, end in spans:
            diary.add(user, start, end)

    for quarter, minutes in sorted(later):
        start = MONDAY + quarter * timedelta(minutes=15)
        end = start + timedelta(minutes=minutes)
        expected = _rule(pool, held, busy, start, end)
        assert diary.place(start, end) == expected
        if expected is not None:
            held[expected].append((start, end))
            busy[expected] += 1
