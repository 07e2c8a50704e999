"""Deciding how many people of each kind meet under each option, placing as many people as possible.

An option can take any number of people that splits into cohorts of `min_size..max_size`, so the plan
only counts people. It is built in passes over kinds and options (never over people):

1. Open options, in one of two ways (both are tried, and the plan placing more wins). Greedy: open the
   option with the most eligible people still unplaced and give it all of them; repeat while some option
   has enough people for a cohort. Elimination: everyone starts in their most popular option, and the
   option with the fewest people, while short of a cohort, closes and sends its people on.
2. Join: people still unplaced who are eligible for an opened option join it.
3. Borrow: an option a few people short of a cohort borrows eligible people from opened options that can
   spare them without falling below a feasible size. Each success places more people; repeat until none.
4. Search: where people are still left out in a bucket of at most `SEARCH_KINDS_LIMIT` kinds, a local
   search (`search`) looks for a better set of options to open, starting from this plan; its plan,
   completed by passes 2 and 3, is kept if it places more. (Larger buckets are dense enough that the
   first passes place nearly everyone.)

Where two options have as many people, one at an hour when a host of the condition is free is preferred,
then the first in option order, so the plan is deterministic.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Set

from .grouping import Bucket
from .model import Settings
from .search import Cores, search_cover

# Above this many kinds the first passes already place nearly everyone, and pass 4's time is better spent
# elsewhere.
SEARCH_KINDS_LIMIT = 400

# option index -> kind index -> how many people of that kind meet under that option
Plan = dict[int, dict[int, int]]


class _Planner:
    """The mutable state of one bucket's plan: what is still unplaced and what each option holds."""

    def __init__(self, bucket: Bucket, settings: Settings, hosted_options: Set[int]) -> None:
        self.bucket = bucket
        self.settings = settings
        self.hosted_options = hosted_options
        self.unplaced = [len(kind.people) for kind in bucket.kinds]
        self.supply = [sum(self.unplaced[k] for k in kinds) for kinds in bucket.option_kinds]
        self.plan: Plan = defaultdict(dict)
        self.size = [0] * len(bucket.options)
        # Kinds with fewer options are given out first, so flexible people stay free for other options.
        self.by_flexibility = sorted(range(len(bucket.kinds)), key=lambda k: len(bucket.kinds[k].options))

    def move(self, kind: int, count: int, to_option: int, from_option: int | None = None) -> None:
        """Put `count` people of `kind` under `to_option`, taking them from `from_option` or the unplaced."""
        if from_option is None:
            self.unplaced[kind] -= count
            for option in self.bucket.kinds[kind].options:
                self.supply[option] -= count
        else:
            self.plan[from_option][kind] -= count
            self.size[from_option] -= count
        self.plan[to_option][kind] = self.plan[to_option].get(kind, 0) + count
        self.size[to_option] += count

    def eligible_unplaced(self, option: int) -> list[int]:
        """Kinds eligible for `option` that still have unplaced people, least flexible first."""
        kinds = [k for k in self.bucket.option_kinds[option] if self.unplaced[k]]
        return sorted(kinds, key=lambda k: len(self.bucket.kinds[k].options))

    def open_greedily(self) -> None:
        """Pass 1: repeatedly open the option with the most unplaced eligible people."""
        while True:
            candidates = [o for o, supply in enumerate(self.supply) if supply >= self.settings.min_size]
            if not candidates:
                return
            best = max(candidates, key=lambda o: (self.supply[o], o in self.hosted_options, -o))
            self.take_unplaced(best)

    def take_unplaced(self, option: int) -> None:
        """Give `option` as many of its unplaced eligible people as keeps its size feasible."""
        room = (
            _largest_feasible_at_most(self.size[option] + self.supply[option], self.settings)
            - self.size[option]
        )
        for kind in self.eligible_unplaced(option):
            count = min(self.unplaced[kind], room)
            if count:
                self.move(kind, count, option)
                room -= count

    def open_by_elimination(self) -> None:
        """Pass 1, the other way round: see `_Elimination`."""
        by_option: dict[int, list[int]] = defaultdict(list)
        for kind, option in sorted(_Elimination(self).run().items()):
            by_option[option].append(kind)
        for option, members in sorted(by_option.items()):
            room = _largest_feasible_at_most(sum(self.unplaced[kind] for kind in members), self.settings)
            for kind in members:
                count = min(self.unplaced[kind], room)
                if count:
                    self.move(kind, count, option)
                    room -= count

    def join_opened(self) -> None:
        """Pass 2: unplaced people join the smallest opened option they are eligible for."""
        for kind in self.by_flexibility:
            opened = [o for o in self.bucket.kinds[kind].options if self.size[o]]
            while self.unplaced[kind] and opened:
                option = min(opened, key=lambda o: (self.size[o], o))
                count = self.unplaced[kind]
                while count and not self.settings.size_is_feasible(self.size[option] + count):
                    count -= 1
                if count:
                    self.move(kind, count, option)
                opened.remove(option)

    def borrow_until_stable(self) -> None:
        """Pass 3: open options that are short of people by borrowing from options that can spare some."""
        progress = True
        while progress:
            progress = False
            short = [o for o, supply in enumerate(self.supply) if supply and not self.size[o]]
            for option in sorted(short, key=lambda o: (-self.supply[o], o)):
                if self.supply[option] and self.try_borrow(option):
                    progress = True

    @property
    def placed(self) -> int:
        """How many people the plan places."""
        return sum(self.size)

    def cores(self) -> Cores:
        """For each opened option, `min_size` of its people (the first kinds'): where pass 4 starts."""
        cores: Cores = {}
        for option, held in self.plan.items():
            if self.size[option]:
                need, core = self.settings.min_size, cores.setdefault(option, {})
                for kind, count in sorted(held.items()):
                    if need and count:
                        core[kind] = min(count, need)
                        need -= core[kind]
        return cores

    def completed(self, cores: Cores) -> _Planner:
        """A new plan opening the options of `cores` with those people, completed by passes 2 and 3."""
        planner = _Planner(self.bucket, self.settings, self.hosted_options)
        for option, core in sorted(cores.items()):
            for kind, count in sorted(core.items()):
                planner.move(kind, count, option)
        planner.join_opened()
        planner.borrow_until_stable()
        return planner

    def try_borrow(self, option: int) -> bool:
        """Open `option` with all its unplaced eligible people plus borrowed ones, if enough can be found."""
        need = self.settings.min_size - self.supply[option]
        loans = self.find_loans(option, need) if need > 0 else []
        if loans is None:
            return False
        for kind, donor, count in loans:
            self.move(kind, count, option, from_option=donor)
        self.take_unplaced(option)
        return True

    def find_loans(self, option: int, need: int) -> list[tuple[int, int, int]] | None:
        """(kind, donor option, count) moves that bring `need` people to `option`, or None if impossible."""
        spare: dict[int, int] = {}
        loans = []
        for kind in self.bucket.option_kinds[option]:
            for donor in self.bucket.kinds[kind].options:
                if need <= 0:
                    return loans
                held = self.plan.get(donor, {}).get(kind, 0)
                if donor == option or not held:
                    continue
                if donor not in spare:
                    spare[donor] = _spare(self.size[donor], self.settings)
                count = min(held, spare[donor], need)
                if count:
                    loans.append((kind, donor, count))
                    spare[donor] -= count
                    need -= count
        return loans if need <= 0 else None


def plan_bucket(bucket: Bucket, settings: Settings, hosted_options: Set[int] = frozenset()) -> Plan:
    """How many people of each kind meet under each option (options with nobody are left out).

    `hosted_options` are option indices at whose hour a host of this condition and language is free;
    they win ties.
    """
    planners = []
    for open_options in (_Planner.open_greedily, _Planner.open_by_elimination):
        planner = _Planner(bucket, settings, hosted_options)
        open_options(planner)
        planner.join_opened()
        planner.borrow_until_stable()
        planners.append(planner)
    planner = max(planners, key=lambda planner: planner.placed)
    if len(bucket.kinds) <= SEARCH_KINDS_LIMIT and planner.placed < bucket.size:
        searched = planner.completed(search_cover(bucket, settings, planner.cores()))
        planner = max((planner, searched), key=lambda planner: planner.placed)
    return {
        option: {kind: count for kind, count in sorted(held.items()) if count}
        for option, held in sorted(planner.plan.items())
        if planner.size[option]
    }


class _Elimination:
    """Pass 1 by elimination: each kind sits in one open option (at first its most popular one); while
    some open option holds fewer than `min_size` people, the one with the fewest closes and its kinds move
    to their open option with the most people."""

    def __init__(self, planner: _Planner) -> None:
        self.planner = planner
        self.min_size = planner.settings.min_size
        self.is_open = [supply >= self.min_size for supply in planner.supply]
        self.load = [0] * len(planner.supply)
        self.chosen: dict[int, int] = {}
        self.seated: list[set[int]] = [set() for _ in planner.supply]
        self.short: list[tuple[int, int]] = []  # (load, option): a heap, entries checked when taken

    def run(self) -> dict[int, int]:
        """Where each kind with unplaced people ends up: kind -> option."""
        supply = self.planner.supply
        for kind, count in enumerate(self.planner.unplaced):
            if count:
                self._seat(kind, key=lambda o: (supply[o], -o))
        while self.short:
            load, option = heapq.heappop(self.short)
            if self.is_open[option] and load == self.load[option] and load < self.min_size:
                self.is_open[option] = False
                for kind in sorted(self.seated[option]):
                    self._seat(kind, key=lambda o: (self.load[o], supply[o], -o))
        return self.chosen

    def _seat(self, kind: int, key: Callable[[int], tuple[int, ...]]) -> None:
        """Seat `kind` in its best open option by `key`, leaving the option it was in."""
        count = self.planner.unplaced[kind]
        if kind in self.chosen:
            previous = self.chosen.pop(kind)
            self.load[previous] -= count
            self.seated[previous].discard(kind)
        options = [o for o in self.planner.bucket.kinds[kind].options if self.is_open[o]]
        if options:
            option = max(options, key=key)
            self.chosen[kind] = option
            self.seated[option].add(kind)
            self.load[option] += count
            if self.load[option] < self.min_size:
                heapq.heappush(self.short, (self.load[option], option))


def _largest_feasible_at_most(size: int, settings: Settings) -> int:
    while size and not settings.size_is_feasible(size):
        size -= 1
    return size


def _spare(size: int, settings: Settings) -> int:
    """How many people an option of `size` can give away, every smaller size on the way being feasible."""
    spare = 0
    while settings.size_is_feasible(size - spare - 1):
        spare += 1
    return spare
