"""Why a registrant is waiting, told as the first rule, in the order below, that leaves too few people.

Counting everyone of the same condition (and role, where roles are separated) — placed or not, this
person included — the matcher asks in turn: are there `min_size` of them at all (`too_few_people`)? who
share a language with this person (`no_shared_language`)? who also share an hour (`no_common_time`, with
the hours that came closest)? whose stages are also close enough (`stage_too_far`)? of whom none is in an
avoid request with this person (`avoid_conflict`)? If all of these are enough, either an hour at which
enough of them could meet has no room left in the program's Zoom capacity (`no_meeting_capacity`, with
those hours), or the compatible people are already in full cohorts (`no_room`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from .capacity import Load
from .grouping import Bucket, Kind
from .model import Registrant, Settings, Waiting, WaitReason

BEST_SLOTS_SHOWN = 3


class _BucketCounts:
    """How many of a bucket's people speak each language, share each hour and fit each option."""

    def __init__(self, bucket: Bucket) -> None:
        self.bucket = bucket
        self.size = bucket.size
        self.by_languages: Counter[tuple[str, ...]] = Counter()
        self.by_meeting: Counter[tuple[str, int]] = Counter()
        for kind in bucket.kinds:
            self.by_languages[kind.languages] += len(kind.people)
            for language in kind.languages:
                for slot in kind.slots:
                    self.by_meeting[language, slot] += len(kind.people)
        self.by_option = [sum(len(bucket.kinds[k].people) for k in kinds) for kinds in bucket.option_kinds]
        self.kind_of = {person.id: kind for kind in bucket.kinds for person in kind.people}
        # Kinds of the two sides of each avoid request within the bucket.
        self.avoid_pairs = [
            (kind, self.kind_of[other])
            for kind in bucket.kinds
            for person in kind.people
            for other in sorted(person.avoid)
            if other in self.kind_of
        ]

    def sharing_language(self, languages: tuple[str, ...]) -> int:
        return sum(
            count for spoken, count in self.by_languages.items() if not set(spoken).isdisjoint(languages)
        )

    def best_slots(self, kind: Kind) -> list[tuple[int, int]]:
        """(slot, people) for this kind's hours, most people first."""
        counts = {
            slot: max(self.by_meeting[language, slot] for language in kind.languages) for slot in kind.slots
        }
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def best_without_conflicts(self, kind: Kind, max_stage_gap: int) -> int:
        """The most people this kind could meet with, if one of every avoiding pair stays away."""
        return max(
            self.by_option[option]
            - sum(
                first.fits(self.bucket.options[option], max_stage_gap)
                and second.fits(self.bucket.options[option], max_stage_gap)
                for first, second in self.avoid_pairs
            )
            for option in kind.options
        )


def explain_waiting(
    bucket: Bucket, waiting: Iterable[Registrant], settings: Settings, load: Load
) -> list[Waiting]:
    """A reason (and helpful detail) for each waiting person; `bucket` must hold everyone of their bucket,
    and `load` every cohort of the answer."""
    counts = _BucketCounts(bucket)
    return [_explain(person, counts, settings, load) for person in waiting]


def _explain(person: Registrant, counts: _BucketCounts, settings: Settings, load: Load) -> Waiting:
    needed = settings.min_size
    kind = counts.kind_of[person.id]
    if counts.size < needed:
        return Waiting(person.id, WaitReason.TOO_FEW_PEOPLE, {"people": counts.size, "needed": needed})
    if counts.sharing_language(kind.languages) < needed:
        return Waiting(person.id, WaitReason.NO_SHARED_LANGUAGE)
    best_slots = counts.best_slots(kind)
    if not best_slots or best_slots[0][1] < needed:
        return Waiting(person.id, WaitReason.NO_COMMON_TIME, _slot_detail(best_slots, needed))
    if max(counts.by_option[option] for option in kind.options) < needed:
        return Waiting(person.id, WaitReason.STAGE_TOO_FAR)
    if counts.best_without_conflicts(kind, settings.max_stage_gap) < needed:
        return Waiting(person.id, WaitReason.AVOID_CONFLICT)
    full = [slot for slot, count in best_slots if count >= needed and not load.fits(slot)]
    if full:
        detail = {"full_slots": full[:BEST_SLOTS_SHOWN], "max_concurrent": load.limit}
        return Waiting(person.id, WaitReason.NO_MEETING_CAPACITY, detail)
    return Waiting(person.id, WaitReason.NO_ROOM)


def _slot_detail(best_slots: list[tuple[int, int]], needed: int) -> Mapping[str, object]:
    shown = [{"slot": slot, "count": count} for slot, count in best_slots[:BEST_SLOTS_SHOWN]]
    return {"best_slots": shown, "needed": needed}
