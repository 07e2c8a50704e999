"""The program's Zoom capacity: how many cohorts may meet at once, and how many meet at each hour.

A licensed Zoom user runs one meeting at a time (two on some plans), so a program whose pool can run
`max_concurrent` meetings at once must never have more cohorts meeting in one hour. A meeting at slot s
occupies `meeting_hours` consecutive slots from s; the week wraps, so a two-hour meeting at 167 also
occupies 0. Everything that picks or checks a cohort's hour counts through this module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .model import HOURS_PER_WEEK, Settings

# What the room at an hour counts as when the program sets no capacity: more than any program needs.
UNLIMITED = 1 << 62


def occupied_slots(slot: int, meeting_hours: int) -> tuple[int, ...]:
    """The slots a meeting starting at `slot` occupies, in order, wrapping round the week."""
    return tuple((slot + hour) % HOURS_PER_WEEK for hour in range(meeting_hours))


def overlapping_starts(slot: int, meeting_hours: int) -> tuple[int, ...]:
    """The slots at which a meeting would start to share an hour with one starting at `slot`: only the
    meetings starting there count in whether that one fits."""
    return tuple(
        dict.fromkeys((slot + hour) % HOURS_PER_WEEK for hour in range(1 - meeting_hours, meeting_hours))
    )


class Load:
    """How many meetings occupy each slot of the week, against the program's `max_concurrent`."""

    def __init__(self, settings: Settings, slots: Iterable[int] = ()) -> None:
        self.limit = settings.max_concurrent
        self.meeting_hours = settings.meeting_hours
        self.meetings = [0] * HOURS_PER_WEEK
        for slot, count in Counter(slots).items():
            self.add(slot, count)

    def copy(self) -> Load:
        """A load counting the same meetings, to which more can be added independently."""
        copied = Load.__new__(Load)
        copied.limit, copied.meeting_hours, copied.meetings = (
            self.limit,
            self.meeting_hours,
            list(self.meetings),
        )
        return copied

    @property
    def limited(self) -> bool:
        """Whether the program sets a capacity at all."""
        return self.limit is not None

    def add(self, slot: int, count: int = 1) -> None:
        """Count `count` more meetings starting at `slot`."""
        for occupied in occupied_slots(slot, self.meeting_hours):
            self.meetings[occupied] += count

    def room(self, slot: int) -> int:
        """How many more meetings could start at `slot` (`UNLIMITED` without a capacity; 0 when full)."""
        if self.limit is None:
            return UNLIMITED
        busiest = max(self.meetings[occupied] for occupied in occupied_slots(slot, self.meeting_hours))
        return max(0, self.limit - busiest)

    def fits(self, slot: int, count: int = 1) -> bool:
        """Whether `count` more meetings could start at `slot` without going over the capacity."""
        return self.room(slot) >= count

    def slots_with_room(self) -> set[int]:
        """The slots at which another meeting could start."""
        if self.limit is None:
            return set(range(HOURS_PER_WEEK))
        full = [slot for slot, meetings in enumerate(self.meetings) if meetings >= self.limit]
        return set(range(HOURS_PER_WEEK)).difference(
            (slot - hour) % HOURS_PER_WEEK for slot in full for hour in range(self.meeting_hours)
        )

    def busiest_slot(self, slot: int) -> int:
        """Of the slots a meeting at `slot` would occupy, the one with most meetings (the first on a tie)."""
        return max(occupied_slots(slot, self.meeting_hours), key=lambda occupied: self.meetings[occupied])

    @property
    def peak(self) -> int:
        """The most meetings at any one slot."""
        return max(self.meetings)
