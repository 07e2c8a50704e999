"""The meetings of some Zoom users around a stretch of time, kept in memory, and which user takes a meeting.

A diary is read once (see `app.services.zoom_placement.open_diary`) and written as meetings are placed, so
approving thousands of groups reads the pool's meetings once instead of once per meeting, and placing one
meeting looks only at the meetings nearest it, not at every user's: the pool's one-at-a-time users' meetings
are kept sorted by when they end and when they start, and the search walks outward from the new meeting.
Times are kept as seconds since the epoch, which sort and subtract cheaply.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta

from sortedcontainers import SortedList

Times = tuple[float, float]  # a meeting's start and end


class ZoomDiary:
    """Which meetings each Zoom user holds (its spans), how many it holds still to come (how busy it is), and
    which users are the pool's: those that take meetings, how many at once, and in which order (by id) they
    are tried when equally good."""

    def __init__(
        self, pool: Mapping[str, int], busy: Mapping[str, int], *, buffer: timedelta, nearby: timedelta
    ) -> None:
        self._buffer, self._nearby = buffer.total_seconds(), nearby.total_seconds()
        self._concurrent = dict(pool)
        self._several = [user for user, concurrent in pool.items() if concurrent > 1]  # at once
        self._order = {user: order for order, user in enumerate(pool)}
        self._busy = {user: busy.get(user, 0) for user in pool}
        self._spans: defaultdict[str, SortedList] = defaultdict(SortedList)
        self._longest = 0.0
        # The pool's users by how busy they are, as (busy, order, user); and the spans of its one-at-a-time
        # users by when they end (latest first: a negative time) and start, as (time, busy, order, user).
        self._ranking = SortedList(self._entry(user) for user in pool)
        self._ending, self._starting = SortedList(), SortedList()

    @property
    def has_pool(self) -> bool:
        return bool(self._concurrent)

    def add(self, user: str, starts_at: datetime, ends_at: datetime) -> None:
        """Write down a meeting `user` already holds."""
        self._write(user, (starts_at.timestamp(), ends_at.timestamp()))

    def place(self, starts_at: datetime, ends_at: datetime, *, own: str | None = None) -> str | None:
        """The user that takes a meeting at these times, written down as holding it; None when none is free.

        A host's own licensed user (`own`) takes it when free. Otherwise, of the pool's free users, the one
        whose other meetings come nearest (without clashing) takes it, so users' days fill up without gaps an
        hour wide that no later meeting could use; the least busy breaks ties, and then the pool's order."""
        times = (starts_at.timestamp(), ends_at.timestamp())
        if own is not None and self._fits(own, 1, times):
            user = own
        else:
            user = self._nearest_free(times) or self._least_busy_apart(times)
        if user is not None:
            self._give(user, times)
        return user

    def fits(self, user: str, concurrent: int, starts_at: datetime, ends_at: datetime) -> bool:
        """Whether `user` runs fewer than `concurrent` meetings all through these times and their buffers."""
        return self._fits(user, concurrent, (starts_at.timestamp(), ends_at.timestamp()))

    def _nearest_free(self, times: Times) -> str | None:
        """Of the pool's free users with other meetings near these times, the one whose come nearest."""
        found = [self._nearest_single(times)]
        for user in self._several:
            if self._fits(user, self._concurrent[user], times):
                gap = self._gap(user, times)
                if gap < self._nearby:
                    found.append((gap, self._busy[user], self._order[user], user))
        best = min(filter(None, found), default=None)
        return best[3] if best else None

    def _nearest_single(self, times: Times) -> tuple[float, int, int, str] | None:
        """The nearest free one-at-a-time user: its spans are walked from the nearest outward (a free one
        keeps a buffer from all of its own, so the walk starts a buffer away), and the first whose user is
        free is the answer; a user met once and not free is not looked at again."""
        seen = set()
        for gap, busy, order, user in self._outward(times):
            if gap >= self._nearby:
                return None
            if user not in seen:
                seen.add(user)
                if self._fits(user, 1, times):
                    return gap, busy, order, user
        return None

    def _outward(self, times: Times) -> Iterator[tuple[float, int, int, str]]:
        """The one-at-a-time users' spans at least a buffer away, nearest first: (gap, busy, order, user)."""
        start, end = times
        before = self._ending.irange(minimum=(self._buffer - start,))
        after = self._starting.irange(minimum=(end + self._buffer,))
        return heapq.merge(
            ((start + minus_end, busy, order, user) for minus_end, busy, order, user in before),
            ((begin - end, busy, order, user) for begin, busy, order, user in after),
        )

    def _least_busy_apart(self, times: Times) -> str | None:
        """The least busy of the pool's users with no meeting near these times (so free for them)."""
        for _, _, user in self._ranking:
            if self._gap(user, times) >= self._nearby:
                return user
        return None

    def _fits(self, user: str, concurrent: int, times: Times) -> bool:
        start, end = times[0] - self._buffer, times[1] + self._buffer
        overlapping = [
            (max(begin, start), min(finish, end)) for begin, finish in self._around(user, start, end)
        ]
        return _most_at_once(overlapping) < concurrent

    def _gap(self, user: str, times: Times) -> float:
        """How near `user`'s other meetings come to these times; `nearby` when none is nearer."""
        start, end = times
        spans = self._around(user, start - self._nearby, end + self._nearby)
        return min((max(begin - end, start - finish, 0.0) for begin, finish in spans), default=self._nearby)

    def _around(self, user: str, start: float, end: float) -> list[Times]:
        """`user`'s spans that overlap `start`..`end`."""
        spans = self._spans.get(user)
        if not spans:
            return []
        near = spans.irange((start - self._longest,), (end,), inclusive=(True, False))
        return [(begin, finish) for begin, finish in near if finish > start]

    def _give(self, user: str, times: Times) -> None:
        """Write down that `user` holds a new meeting, one more still to come."""
        if user in self._busy:
            self._rebusy(user, self._busy[user] + 1)
        self._write(user, times)

    def _write(self, user: str, span: Times) -> None:
        self._spans[user].add(span)
        self._longest = max(self._longest, span[1] - span[0])
        if self._concurrent.get(user) == 1:
            self._index(user, span, self._busy[user])

    def _rebusy(self, user: str, busy: int) -> None:
        """Count `user` as this busy, re-sorting its entries where they are sorted by it."""
        single = self._concurrent[user] == 1
        self._ranking.remove(self._entry(user))
        for span in self._spans[user] if single else ():
            self._unindex(user, span, self._busy[user])
        self._busy[user] = busy
        self._ranking.add(self._entry(user))
        for span in self._spans[user] if single else ():
            self._index(user, span, busy)

    def _entry(self, user: str) -> tuple[int, int, str]:
        return self._busy[user], self._order[user], user

    def _index(self, user: str, span: Times, busy: int) -> None:
        self._ending.add((-span[1], busy, self._order[user], user))
        self._starting.add((span[0], busy, self._order[user], user))

    def _unindex(self, user: str, span: Times, busy: int) -> None:
        self._ending.remove((-span[1], busy, self._order[user], user))
        self._starting.remove((span[0], busy, self._order[user], user))


def _most_at_once(spans: list[Times]) -> int:
    """The largest number of these spans that run at the same moment."""
    edges = sorted([(begin, 1) for begin, _ in spans] + [(finish, -1) for _, finish in spans])
    running = most = 0
    for _, step in edges:  # at equal times an end (-1) sorts before a start: back-to-back is not at once
        running += step
        most = max(most, running)
    return most
