"""Allotting scarce meeting hours: which cohorts, of every bucket, hold the meetings the capacity allows.

With one or two meetings at once, the question is less how to split each bucket's people than which
cohorts, of all buckets together, get the few meetings each hour allows, and at which hour each meets.
Planning bucket by bucket settles that one bucket at a time; here a local search over all buckets at
once improves on its answer.

The state is, for each bucket, how many cohorts each option forms, with the people they place counted
exactly by a flow (`flow`). A move gives one more cohort to an option of someone left over (or, now and
then, to any option):

1. where its hour has no room, a cohort in the way gives its meeting up;
2. the new cohort gathers `min_size` people along augmenting paths, from the people left over or from
   cohorts that can spare someone; where a cohort of the bucket stands in the way, it is given up;
3. the people given up are offered new cohorts at hours with room, those gathering most of them first;
4. every bucket touched fills its cohorts along augmenting paths.

At most `MAX_EVICTIONS` cohorts are given up in one move, mostly those with the fewest people, sometimes
any in the way (`RANDOM_EVICTIONS`). A move placing no fewer people is kept, one placing fewer only now
and then (simulated annealing, as in `search`); after `ROUNDS` rounds, each starting from the best state
so far, the best state wins if it places more than the answer the search started from. Random choices
come from a generator with a fixed seed, so the answer is deterministic. The work is bounded by a budget
of steps (`STEP_BUDGET`), so a large program, where each move costs more and the bucket-by-bucket answer
is already close, spends at most about a second here.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence

from .capacity import Load
from .flow import CohortFlow, Journal, flow_of_packing, packing_of_flow
from .grouping import Bucket
from .model import HOURS_PER_WEEK, Settings
from .packing import Packing
from .search import accept, openings

# Moves tried per option that could be opened, in each round; a round ends sooner when everyone is
# placed, when STEP_BUDGET steps are spent, or when this share of its moves has gone by without finding
# anything better.
MOVES_PER_OPTION = 30
MAX_MOVES = 20_000
PATIENCE = 0.5
ROUNDS = 3
STEP_BUDGET = 4_000_000
# A new cohort is never worth more than this many others given up; this share of those given up are any
# in the way, rather than the one with the fewest people.
MAX_EVICTIONS = 3
RANDOM_EVICTIONS = 0.5
# The share of moves that give a cohort to any option that could have one, rather than to one of someone
# left over: they let cohorts trade hours even when nobody left over could use the hour freed.
RESHAPE_SHARE = 0.3
# The annealing temperature, in people placed, falls from the first value to the second over a round.
TEMPERATURES = (3.0, 0.2)
# Draws from every kind that could have a cohort before listing those left over (see `_Search._left_out`).
DRAWS = 20
SEED = 0

Meeting = tuple[int, int]  # (bucket index, option index)


class _Search:
    """Every bucket's flow, the load they make, which options' cohorts start at each hour, and the moves."""

    def __init__(
        self, buckets: Sequence[Bucket], packings: Sequence[Packing], settings: Settings, load: Load
    ) -> None:
        self.buckets = buckets
        self.settings = settings
        self.load = load.copy()
        self.journal = Journal(STEP_BUDGET)
        self.flows = [
            flow_of_packing(bucket, packing, settings, self.journal)
            for bucket, packing in zip(buckets, packings, strict=True)
        ]
        for flow in self.flows:
            flow.fill()
        self.starting = self._starting()
        self.journal.entries.clear()
        self.openings = [
            openings(bucket, [len(kind.people) for kind in bucket.kinds], settings.min_size)
            for bucket in buckets
        ]
        self.openable = [
            (index, option)
            for index, kind_openings in enumerate(self.openings)
            for option in sorted({option for options in kind_openings for option in options})
        ]
        self.hopeful = [
            (index, kind)
            for index, kind_openings in enumerate(self.openings)
            for kind, options in enumerate(kind_openings)
            if options
        ]
        self.rng = random.Random(SEED)  # noqa: S311 - a fixed seed, for repeatable results
        self.best = [flow.copy() for flow in self.flows]
        self.best_placed, self.best_load = self.placed, self.load.copy()
        self.changed: set[int] = set()  # buckets whose flow changed since the best state was kept

    @property
    def placed(self) -> int:
        """How many people the state places."""
        return sum(flow.placed for flow in self.flows)

    def run(self) -> list[CohortFlow]:
        """The flows of the best state found."""
        moves = min(MAX_MOVES, MOVES_PER_OPTION * len(self.openable))
        for _ in range(ROUNDS):
            if not self._anneal(moves):
                break
            self._return_to_best()
        return self.best

    def _anneal(self, moves: int) -> bool:
        """One round of annealing from the current state; whether the search may go on after it."""
        improved = 0
        for move in range(moves):
            if move - improved > PATIENCE * moves:
                return True
            left_out = self._left_out()
            if left_out is None or self.journal.steps <= 0:
                return False
            before = self.placed
            touched = self._try(*self._target(left_out))
            if touched is None or not accept(self.placed - before, move / moves, self.rng, TEMPERATURES):
                self.journal.rollback()
                continue
            self.journal.entries.clear()
            self.changed |= touched
            if self.placed > self.best_placed:
                improved = move
                self._keep_as_best()
        return True

    def _keep_as_best(self) -> None:
        """Keep the current state as the best (copying only the flows changed since the last)."""
        for index in self.changed:
            self.best[index] = self.flows[index].copy()
        self.best_placed, self.best_load = self.placed, self.load.copy()
        self.changed.clear()

    def _return_to_best(self) -> None:
        """Go back to the best state, for the next round to start from."""
        for index in self.changed:
            self.flows[index] = self.best[index].copy()
        self.load = self.best_load.copy()
        self.starting = self._starting()
        self.changed.clear()

    def _starting(self) -> dict[int, dict[Meeting, int]]:
        """For each slot, how many cohorts of each (bucket, option) start then."""
        starting: dict[int, dict[Meeting, int]] = defaultdict(dict)
        for index, flow in enumerate(self.flows):
            for option, count in flow.cohorts.items():
                starting[self.buckets[index].options[option].slot][index, option] = count
        return starting

    def _left_out(self) -> tuple[int, int] | None:
        """A kind, and its bucket, with people left over who could have a cohort (None if there is none),
        drawn at random; first from every kind that could have one, which is quick where many are left
        over, then from a list of those left over."""
        for _ in range(DRAWS):
            index, kind = self.rng.choice(self.hopeful)
            if self.flows[index].free[kind]:
                return index, kind
        left_out = [
            (index, kind)
            for index, flow in enumerate(self.flows)
            for kind in flow.waiting
            if self.openings[index][kind]
        ]
        self.journal.steps -= len(left_out)
        return self.rng.choice(sorted(left_out)) if left_out else None

    def _target(self, left_out: tuple[int, int]) -> Meeting:
        """The option a move gives a cohort to: one of the kind left over, or now and then any."""
        if self.rng.random() < RESHAPE_SHARE:
            return self.rng.choice(self.openable)
        index, kind = left_out
        return index, self.rng.choice(self.openings[index][kind])

    def _try(self, index: int, option: int) -> set[int] | None:
        """Give `option` of bucket `index` one more cohort (see the module's doc); the buckets touched, or
        None where that cannot be done (the journal then holds what to undo)."""
        slot = self.buckets[index].options[option].slot
        released: dict[int, set[int]] = {}  # bucket -> kinds of people left out by cohorts given up
        evictions = 0
        while not self.load.fits(slot):
            in_way = self._in_way(self.load.busiest_slot(slot), (index, option))
            if not in_way or evictions == MAX_EVICTIONS:
                return None
            self._give_up(*self._choose(in_way), released)
            evictions += 1
        flow = self.flows[index]
        self._open_cohort(index, option)
        while (blocking := flow.pull(option)) is not None:
            if not blocking or evictions == MAX_EVICTIONS:
                return None
            in_way = [(flow.total[other] / flow.cohorts[other], index, other) for other in blocking]
            self._give_up(*self._choose(in_way), released)
            evictions += 1
        for other, kinds in released.items():
            self._rehome(other, kinds)
        touched = {index, *released}
        for other in touched:
            self.flows[other].fill()
        return touched

    def _in_way(self, slot: int, keep: Meeting) -> list[tuple[float, int, int]]:
        """(people a cohort, bucket, option) of the cohorts meeting at `slot`, but those of `keep`."""
        in_way = []
        for hour in range(self.settings.meeting_hours):
            for index, option in self.starting[(slot - hour) % HOURS_PER_WEEK]:
                if (index, option) != keep:
                    flow = self.flows[index]
                    in_way.append((flow.total[option] / flow.cohorts[option], index, option))
        return in_way

    def _choose(self, in_way: list[tuple[float, int, int]]) -> Meeting:
        """The cohort to give up: mostly the one with fewest people, now and then any."""
        if self.rng.random() < RANDOM_EVICTIONS:
            return self.rng.choice(sorted(in_way))[1:]
        return min(in_way)[1:]

    def _give_up(self, index: int, option: int, released: dict[int, set[int]]) -> None:
        """Give up one cohort of the option, noting the kinds of the people that leaves out."""
        released.setdefault(index, set()).update(self.flows[index].drop_cohort(option))
        self._count_start(index, option, -1)
        self.journal.record(self._count_start, index, option, 1)

    def _open_cohort(self, index: int, option: int) -> None:
        """Let the option form one more cohort (it still has to gather its people)."""
        self.flows[index].count_cohorts(option, 1)
        self._count_start(index, option, 1)
        self.journal.record(self._count_start, index, option, -1)

    def _count_start(self, index: int, option: int, step: int) -> None:
        """Count `step` more cohorts of the option (fewer, when negative) as starting at its hour."""
        slot = self.buckets[index].options[option].slot
        starting = self.starting[slot]
        count = starting.get((index, option), 0) + step
        if count:
            starting[index, option] = count
        else:
            del starting[index, option]
        self.load.add(slot, step)

    def _rehome(self, index: int, kinds: set[int]) -> None:
        """Give new cohorts, at hours with room, to the people of `kinds` left over, while an option at such
        an hour has `min_size` of them; the one gathering most of them first."""
        flow, bucket = self.flows[index], self.buckets[index]
        while True:
            with_room = self.load.slots_with_room()
            reachable = {
                option
                for kind in kinds
                if flow.free[kind]
                for option in bucket.kinds[kind].options
                if bucket.options[option].slot in with_room
            }
            gathering = {
                option: sum(flow.free[kind] for kind in bucket.option_kinds[option]) for option in reachable
            }
            self.journal.steps -= len(gathering)
            best = min(gathering, key=lambda option: (-gathering[option], option), default=None)
            if best is None or gathering[best] < self.settings.min_size:
                return
            self._open_cohort(index, best)
            flow.pull(best)  # it has min_size people left over to take


def allot_hours(
    buckets: Sequence[Bucket],
    packings: list[Packing],
    settings: Settings,
    stage_of: dict[str, int | None],
    load: Load,
) -> None:
    """Improve `packings` (one per bucket of `buckets`, counted in `load`) by the search above, in place."""
    flows = _Search(buckets, packings, settings, load).run()
    if sum(flow.placed for flow in flows) <= sum(len(draft.members) for p in packings for draft in p.drafts):
        return
    for index, flow in enumerate(flows):
        for draft in packings[index].drafts:
            load.add(draft.slot, -1)
        packings[index] = packing_of_flow(flow, settings, stage_of)
        for draft in packings[index].drafts:
            load.add(draft.slot)
