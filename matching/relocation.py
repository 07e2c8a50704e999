"""Making room at full hours: moving or giving up a cohort so that more people can meet.

With a Zoom capacity, buckets compete for hours: a bucket planned early may take the only hour at which a
later bucket's people could meet, and a small cohort may hold an hour at which a larger one could have
met. So, for the people each bucket leaves over, every full hour at which enough of them could meet is
freed, where that places more people, by one of two moves on a new cohort meeting then (given cohorts
never move):

- moving it to an hour with room that all its members listed (the one with the most room), which costs
  nothing; or
- giving it up: its members and the people left over are planned again at the hours with room, and the
  change is kept only if more people are placed than the cohort held.

Giving up costs two plannings, so at most `MAX_TRIALS` are tried in one match.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce

from .capacity import Load
from .grouping import Bucket
from .model import Settings
from .packing import Draft, Packing

MAX_TRIALS = 50

# Forms new cohorts for a bucket's people at the hours with room in the given load, counted there.
Planner = Callable[[Bucket, Load], Packing]


@dataclass(slots=True)
class _Held:
    """A new cohort, and the index of its bucket."""

    bucket: int
    draft: Draft


class _Rooms:
    """Every bucket's packing, the load they make, and which new cohorts meet at each hour."""

    def __init__(
        self, buckets: Sequence[Bucket], packings: list[Packing], settings: Settings, load: Load
    ) -> None:
        self.buckets = buckets
        self.packings = packings
        self.settings = settings
        self.load = load
        self.at_slot: dict[int, list[_Held]] = defaultdict(list)
        for index, packing in enumerate(packings):
            self._hold(index, packing.drafts)
        self.trials = 0

    def _hold(self, index: int, drafts: Sequence[Draft]) -> None:
        for draft in drafts:
            self.at_slot[draft.slot].append(_Held(index, draft))

    def waiting(self, index: int, also: Sequence[Draft] = ()) -> Bucket:
        """The bucket's people left over, and the members of `also`."""
        ids = {person.id for person in self.packings[index].left_over}
        ids.update(member.id for draft in also for member in draft.members)
        return self.buckets[index].keeping(ids)

    def wanted_full_slots(self, index: int) -> list[int]:
        """Full hours at which enough of the bucket's people left over could meet, most people first."""
        bucket = self.waiting(index)
        people = [len(kind.people) for kind in bucket.kinds]
        wanted: dict[int, int] = {}
        for option, kinds in enumerate(bucket.option_kinds):
            slot = bucket.options[option].slot
            supply = sum(people[kind] for kind in kinds)
            if supply >= self.settings.min_size and not self.load.fits(slot):
                wanted[slot] = max(wanted.get(slot, 0), supply)
        return sorted(wanted, key=lambda slot: (-wanted[slot], slot))

    def move_away(self, held: _Held) -> int | None:
        """Move the cohort to another hour that all its members listed and that has room; return the hour
        it left (None when there was nowhere to go)."""
        draft = held.draft
        self.load.add(draft.slot, -1)
        common = reduce(frozenset.intersection, (member.availability for member in draft.members))
        targets = [slot for slot in sorted(common) if slot != draft.slot and self.load.fits(slot)]
        self.load.add(draft.slot)
        if not targets:
            return None
        left = draft.slot
        self.move(held, max(targets, key=lambda slot: (self.load.room(slot), -slot)))
        return left

    def move(self, held: _Held, slot: int) -> None:
        """Let the cohort meet at `slot` instead."""
        self.at_slot[held.draft.slot].remove(held)
        self.load.add(held.draft.slot, -1)
        held.draft.slot = slot
        self.load.add(slot)
        self.at_slot[slot].append(held)

    def give_up(self, held: _Held, index: int, plan: Planner) -> bool:
        """Give the cohort up if planning its members and bucket `index`'s people left over again places
        more people than it held."""
        self.trials += 1
        load = self.load.copy()
        load.add(held.draft.slot, -1)
        owner = held.bucket
        replans = {index: plan(self.waiting(index, [held.draft] if owner == index else []), load)}
        if owner != index:
            replans[owner] = plan(self.waiting(owner, [held.draft]), load)
        gain = sum(len(d.members) for packing in replans.values() for d in packing.drafts)
        if gain <= len(held.draft.members):
            return False
        self.at_slot[held.draft.slot].remove(held)
        self.packings[owner].drafts.remove(held.draft)
        self.load.meetings = load.meetings
        for changed, packing in replans.items():
            self._add(changed, packing)
        return True

    def replan(self, index: int, plan: Planner) -> bool:
        """Plan the bucket's people left over again, keeping what forms; whether a cohort formed."""
        packing = plan(self.waiting(index), self.load)
        if packing.drafts:
            self._add(index, packing)
        return bool(packing.drafts)

    def _add(self, index: int, packing: Packing) -> None:
        self._hold(index, packing.drafts)
        self.packings[index] = Packing([*self.packings[index].drafts, *packing.drafts], packing.left_over)


def make_room(
    buckets: Sequence[Bucket], packings: list[Packing], settings: Settings, load: Load, plan: Planner
) -> None:
    """Improve `packings` (one per bucket of `buckets`, counted in `load`) by the moves above."""
    rooms = _Rooms(buckets, packings, settings, load)
    improved = True
    while improved:  # a move for one bucket may open a way for another, already passed
        improved = False
        for index in range(len(buckets)):
            while rooms.packings[index].left_over and _improve(rooms, index, plan):
                improved = True


def _improve(rooms: _Rooms, index: int, plan: Planner) -> bool:
    """One move that places more of bucket `index`'s people left over; whether one was found."""
    for slot in rooms.wanted_full_slots(index):
        for held in list(rooms.at_slot[slot]):
            left = rooms.move_away(held)
            if left is not None:
                if rooms.replan(index, plan):
                    return True
                rooms.move(held, left)  # it freed nothing that helps: back where it was
        for held in list(rooms.at_slot[slot]):
            if rooms.trials >= MAX_TRIALS:
                return False
            if rooms.give_up(held, index, plan):
                return True
    return False
