"""Pass 4 of planning: a local search for a better set of options to open in one bucket.

When every size from `min_size` up splits into feasible cohorts, a plan is, in effect, a set of opened
options: each needs a *core* of `min_size` people eligible for it (nobody in two cores), and then everyone
eligible for some opened option can join one. So a set of options places exactly the people it *covers*,
as long as its cores exist. The search keeps a set of options with their cores and, again and again, picks
someone not covered and opens one of their options: the new option gathers its core along augmenting
paths (people move from core to core until someone free is found), and where that is impossible the
options in its way close, freeing their people (at most `MAX_EVICTIONS` of them). The people those
closings leave uncovered are then given other options straight away, wherever one can gather its core
without closing anything (those covering the most of them first), so a single move can trade several
options for several others. A move that covers at least as many people is kept; one that covers fewer
is kept only now and then (simulated annealing, ever more rarely), so the search can leave a local
optimum. The best set of options seen is the answer.

A share of the moves (`RESHAPE_SHARE`) opens any option not open instead, even one whose people are all
covered already. It covers nobody new, but deals people out among the cores anew; walking so across sets
of options that cover as many people, the search reaches better sets that no move for someone left out
leads to, because every option of theirs needs people whom the current cores hold.

With other sizes the same sets of options are still a good guide; the planner keeps the search's plan
only if it places more. Random choices come from a generator with a fixed seed, so the same bucket always
gives the same plan, and the number of moves grows with the bucket's options, not with its people.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping

from .grouping import Bucket
from .model import Settings

# Moves tried per option that could be opened. The search ends sooner once everyone is covered, or once
# this share of its moves has gone by without finding anything better.
MOVES_PER_OPTION = 40
PATIENCE = 0.4
# Opening an option is never worth closing more than this many others.
MAX_EVICTIONS = 3
# The share of moves that open any option not open, rather than one of someone left out.
RESHAPE_SHARE = 0.3
# The annealing temperature, in people covered, falls from the first value to the second over the moves.
TEMPERATURES = (2.0, 0.1)
SEED = 0

# option index -> kind index -> how many people of that kind form the option's core
Cores = dict[int, dict[int, int]]


class _Cover:
    """A set of opened options with their cores, how many people it covers, and a journal of changes
    that `rollback` undoes."""

    def __init__(self, bucket: Bucket, counts: list[int], min_size: int) -> None:
        self.option_kinds = bucket.option_kinds
        self.counts = counts
        self.min_size = min_size
        self.openings = openings(bucket, counts, min_size)
        self.cores: Cores = {}
        # kind -> the opened options whose core holds people of that kind (a dict used as an ordered set)
        self.holders: dict[int, dict[int, None]] = {}
        self.used = [0] * len(counts)  # people of each kind in some core
        self.cover = [0] * len(counts)  # opened options each kind is eligible for
        self.covered = 0
        self.journal: list[tuple[Callable[..., None], tuple[int, ...]]] | None = []

    def _record(self, undo: Callable[..., None], *arguments: int) -> None:
        if self.journal is not None:
            self.journal.append((undo, arguments))

    def rollback(self, savepoint: int = 0) -> None:
        """Undo every change since the journal held `savepoint` entries (since it was cleared, by default)."""
        journal, self.journal = self.journal, None
        while len(journal) > savepoint:
            undo, arguments = journal.pop()
            undo(*arguments)
        self.journal = journal

    def open(self, option: int) -> None:
        """Open `option` with an empty core."""
        self._count_cover(option, 1)
        self.cores[option] = {}
        self._record(self.close, option)

    def close(self, option: int) -> None:
        """Close `option`, freeing its core."""
        for kind, count in list(self.cores[option].items()):
            self.add_to_core(option, kind, -count)
            self.use(kind, -count)
        del self.cores[option]
        self._count_cover(option, -1)
        self._record(self.open, option)

    def _count_cover(self, option: int, step: int) -> None:
        for kind in self.option_kinds[option]:
            if not self.cover[kind]:
                self.covered += self.counts[kind]
            self.cover[kind] += step
            if not self.cover[kind]:
                self.covered -= self.counts[kind]

    def use(self, kind: int, count: int) -> None:
        """Count `count` more people of `kind` as in a core."""
        self.used[kind] += count
        self._record(self.use, kind, -count)

    def add_to_core(self, option: int, kind: int, count: int) -> None:
        """Put `count` more people of `kind` in `option`'s core (fewer, when negative)."""
        core = self.cores[option]
        core[kind] = core.get(kind, 0) + count
        if core[kind]:
            self.holders.setdefault(kind, {})[option] = None
        else:
            del core[kind]
            del self.holders[kind][option]
            if not self.holders[kind]:
                del self.holders[kind]
        self._record(self.add_to_core, option, kind, -count)

    def grow_core(self, option: int) -> list[int] | None:
        """Add one person to `option`'s core, moving people between cores along an augmenting path.

        Returns None on success, else the other opened options the search reached (none could help).
        """
        parent: dict[int, tuple[int, int] | None] = {option: None}
        frontier = [option]
        while frontier:
            reached = []
            for current in frontier:
                kinds = self.option_kinds[current]
                free = next((kind for kind in kinds if self.used[kind] < self.counts[kind]), None)
                if free is not None:
                    self._shift(parent, current, free)
                    return None
                for kind in kinds:
                    for holder in self.holders.get(kind, ()):
                        if holder not in parent:
                            parent[holder] = current, kind
                            reached.append(holder)
            frontier = reached
        return [other for other in parent if other != option]

    def _shift(self, parent: Mapping[int, tuple[int, int] | None], last: int, free: int) -> None:
        """`last` takes a free person of kind `free`, and each option on the path hands one person on."""
        self.use(free, 1)
        self.add_to_core(last, free, 1)
        current, step = last, parent[last]
        while step is not None:
            receiver, kind = step
            self.add_to_core(current, kind, -1)
            self.add_to_core(receiver, kind, 1)
            current, step = receiver, parent[receiver]

    def loss_if_closed(self, option: int) -> int:
        """How many people would no longer be covered if `option` closed."""
        return sum(self.counts[kind] for kind in self.option_kinds[option] if self.cover[kind] == 1)

    def move(self, option: int) -> bool:
        """Open `option`, closing options in its way, and give the people they leave uncovered other
        options where those open freely; False if it takes closing too many (the caller rolls back)."""
        closed = self.open_evicting(option)
        if closed is None:
            return False
        self.rehome(closed)
        return True

    def open_evicting(self, option: int) -> list[int] | None:
        """Open `option` with a full core, closing options in its way; return those, or None if that
        takes too many."""
        self.open(option)
        closed: list[int] = []
        for _ in range(self.min_size):
            while (blocking := self.grow_core(option)) is not None:
                if len(closed) == MAX_EVICTIONS or not blocking:
                    return None
                closed.append(min(blocking, key=lambda other: (self.loss_if_closed(other), other)))
                self.close(closed[-1])
        return closed

    def rehome(self, closed: list[int]) -> None:
        """Open options for the people that closing `closed` left uncovered, wherever their cores can be
        found without closing anything; the options covering the most of them are tried first."""
        left = {kind for option in closed for kind in self.option_kinds[option] if not self.cover[kind]}
        candidates = {
            o for kind in left for o in self.openings[kind] if o not in self.cores and o not in closed
        }
        for option in sorted(candidates, key=lambda o: (-self.recovered_by(o, left), o)):
            if self.recovered_by(option, left):
                self.open_if_free(option)

    def recovered_by(self, option: int, left: set[int]) -> int:
        """How many people of the `left` kinds, of those still uncovered, opening `option` would cover."""
        return sum(self.counts[k] for k in self.option_kinds[option] if k in left and not self.cover[k])

    def open_if_free(self, option: int) -> None:
        """Open `option` with a full core if that closes nothing; else change nothing."""
        savepoint = len(self.journal)
        self.open(option)
        for _ in range(self.min_size):
            if self.grow_core(option) is not None:
                self.rollback(savepoint)
                return


def search_cover(bucket: Bucket, settings: Settings, start: Cores) -> Cores:
    """Cores of the set of options covering the most people the search finds, starting from `start`.

    `start` must hold disjoint cores of `min_size` people eligible for their option.
    """
    counts = [len(kind.people) for kind in bucket.kinds]
    state = _Cover(bucket, counts, settings.min_size)
    for option, core in sorted(start.items()):
        state.open(option)
        for kind, count in core.items():
            state.add_to_core(option, kind, count)
            state.use(kind, count)
    state.journal = []
    best = (state.covered, _copy(state.cores))
    rng = random.Random(SEED)  # noqa: S311 - a fixed seed, for repeatable results
    openable = sorted({option for options in state.openings for option in options})
    moves = MOVES_PER_OPTION * len(openable)
    improved = 0
    for move in range(moves):
        left_out = [kind for kind, options in enumerate(state.openings) if options and not state.cover[kind]]
        if not left_out or move - improved > PATIENCE * moves:
            break
        before = state.covered
        moved = state.move(_target(state, left_out, openable, rng))
        if moved and accept(state.covered - before, move / moves, rng):
            state.journal = []
            if state.covered > best[0]:
                best, improved = (state.covered, _copy(state.cores)), move
        else:
            state.rollback()
    return best[1]


def _target(state: _Cover, left_out: list[int], openable: list[int], rng: random.Random) -> int:
    """The option a move opens: one of someone left out, or now and then any option not open."""
    if rng.random() < RESHAPE_SHARE:
        unopened = [option for option in openable if option not in state.cores]
        if unopened:
            return rng.choice(unopened)
    return rng.choice(state.openings[rng.choice(left_out)])


def openings(bucket: Bucket, counts: list[int], min_size: int) -> list[list[int]]:
    """For each kind, the options that could be opened for its people: those with `min_size` eligible."""
    openable = {
        option
        for option, kinds in enumerate(bucket.option_kinds)
        if sum(counts[kind] for kind in kinds) >= min_size
    }
    return [[o for o in kind.options if o in openable] if kind.people else [] for kind in bucket.kinds]


def accept(
    change: int, progress: float, rng: random.Random, temperatures: tuple[float, float] = TEMPERATURES
) -> bool:
    """Simulated annealing: always keep a move that loses nobody, now and then one that loses some, ever
    more rarely as `progress` goes from 0 to 1 and the temperature from the first of `temperatures` to the
    second."""
    hot, cold = temperatures
    return change >= 0 or rng.random() < math.exp(change / (hot * (cold / hot) ** progress))


def _copy(cores: Cores) -> Cores:
    return {option: dict(core) for option, core in cores.items()}
