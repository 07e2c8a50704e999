"""Forming the fullest cohorts first, for programs whose Zoom capacity is what keeps people waiting.

Planning bucket by bucket (`plan`) spreads people over as many hours as it likes and splits them into
cohorts near `target_size`; when the program's capacity (`max_concurrent`) is short, each of those
cohorts takes a meeting that a fuller one could have used. Here, over every bucket at once, the cohort
formed next is always the largest one that an option at an hour with room could have (up to `max_size`
of its eligible people still unplaced, the least flexible kinds first), until no option at an hour with
room has `min_size` of them. The matcher keeps whichever answer places more.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from .capacity import Load
from .grouping import Bucket
from .model import Registrant, Settings
from .packing import Draft, Packing


class _Unplaced:
    """The people of each bucket's kinds not yet in a cohort."""

    def __init__(self, buckets: Sequence[Bucket]) -> None:
        self.buckets = buckets
        self.people = [[list(kind.people) for kind in bucket.kinds] for bucket in buckets]
        # Within an option, kinds open to the fewest options give their people first.
        self.kinds_of = [
            [
                sorted(kinds, key=lambda k, b=bucket: (len(b.kinds[k].options), k))
                for kinds in bucket.option_kinds
            ]
            for bucket in buckets
        ]

    def supply(self, bucket: int, option: int) -> int:
        """How many unplaced people are eligible for the option."""
        return sum(len(self.people[bucket][kind]) for kind in self.kinds_of[bucket][option])

    def take(self, bucket: int, option: int, count: int) -> list[Registrant]:
        """`count` unplaced people eligible for the option, the least flexible first."""
        taken: list[Registrant] = []
        for kind in self.kinds_of[bucket][option]:
            people = self.people[bucket][kind]
            step = min(count - len(taken), len(people))
            taken += people[:step]
            del people[:step]
        return taken


def form_fullest_cohorts(
    buckets: Sequence[Bucket], settings: Settings, stage_of: dict[str, int | None], load: Load
) -> list[Packing]:
    """For each bucket, the cohorts formed fullest first (counted in `load`) and its people left over.

    No option may be open to two people who avoid each other (`apart.keep_apart` sees to that).
    """
    unplaced = _Unplaced(buckets)
    drafts: list[list[Draft]] = [[] for _ in buckets]
    # (-size, bucket, option): the largest cohort an option could form; sizes only fall, so an entry whose
    # size is out of date is put back with the new size when it comes up.
    heap = [
        (-size, index, option)
        for index, bucket in enumerate(buckets)
        for option in range(len(bucket.options))
        if (size := min(unplaced.supply(index, option), settings.max_size)) >= settings.min_size
    ]
    heapq.heapify(heap)
    while heap:
        negative_size, index, option = heapq.heappop(heap)
        bucket, terms = buckets[index], buckets[index].options[option]
        size = min(unplaced.supply(index, option), settings.max_size)
        if size < settings.min_size or not load.fits(terms.slot):
            continue
        if size < -negative_size:
            heapq.heappush(heap, (-size, index, option))
            continue
        members = unplaced.take(index, option, size)
        drafts[index].append(
            Draft(bucket.condition, bucket.role, terms.language, terms.slot, members, stage_of)
        )
        load.add(terms.slot)
        heapq.heappush(heap, (-size, index, option))
    return [
        Packing(drafts[index], [person for people in unplaced.people[index] for person in people])
        for index in range(len(buckets))
    ]
