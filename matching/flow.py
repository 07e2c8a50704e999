"""How many people a bucket's cohorts place: a maximum flow from kinds of people to options.

Given how many cohorts each option forms, who meets is a flow: each person of a kind goes to at most one
option the kind is eligible for, and an option forming n cohorts takes between n * `min_size` and
n * `max_size` people. Augmenting paths, found breadth first over kinds and options (never people), move
someone left over into a cohort with room while people already placed shift from option to option to make
way, until no path is left (`fill`); `pull` brings new cohorts up to `min_size` the same way, also taking
people from cohorts that can spare them.

Every change is written to a `Journal`, so that a trial change to several buckets is undone at once. A
path search gives up after `PATH_STEPS` steps: in a large bucket the rare longer path is not worth what
looking for it costs (the flow is then near its maximum, and still valid).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice

from .grouping import Bucket
from .model import Registrant, Settings
from .packing import Draft, Packing, cohort_sizes, form_cohorts

PATH_STEPS = 20_000


class Journal:
    """The changes made since it was last cleared, which `rollback` undoes, and the steps of work still
    allowed (a change or a step of a path search each cost one)."""

    def __init__(self, steps: int) -> None:
        self.entries: list[tuple[Callable[..., None], tuple[int | None, ...]]] = []
        self.steps = steps
        self._undoing = False

    def record(self, undo: Callable[..., None], *arguments: int | None) -> None:
        """Note that calling `undo(*arguments)` undoes a change."""
        if not self._undoing:
            self.entries.append((undo, arguments))
            self.steps -= 1

    def rollback(self) -> None:
        """Undo every change since the journal was cleared."""
        self._undoing = True
        while self.entries:
            undo, arguments = self.entries.pop()
            undo(*arguments)
        self._undoing = False


class CohortFlow:
    """One bucket's cohorts: how many each option forms, and how many people of each kind meet under it."""

    def __init__(self, bucket: Bucket, settings: Settings, journal: Journal) -> None:
        self.bucket = bucket
        self.min_size = settings.min_size
        self.max_size = settings.max_size
        self.journal = journal
        self.free = [len(kind.people) for kind in bucket.kinds]
        self.waiting = {kind: None for kind, count in enumerate(self.free) if count}  # kinds with free people
        self.cohorts: dict[int, int] = {}
        self.held: dict[int, dict[int, int]] = {}  # option -> kind -> people of that kind under it
        self.total: dict[int, int] = {}
        self.holders: dict[int, dict[int, None]] = {}  # kind -> the options holding its people (ordered set)
        self.placed = 0

    def copy(self) -> CohortFlow:
        """The same cohorts and people, to keep while these change."""
        copied = CohortFlow.__new__(CohortFlow)
        copied.bucket, copied.min_size, copied.max_size, copied.journal = (
            self.bucket,
            self.min_size,
            self.max_size,
            self.journal,
        )
        copied.free, copied.waiting = list(self.free), dict(self.waiting)
        copied.cohorts, copied.total = dict(self.cohorts), dict(self.total)
        copied.held = {option: dict(held) for option, held in self.held.items()}
        copied.holders = {kind: dict(holders) for kind, holders in self.holders.items()}
        copied.placed = self.placed
        self.journal.steps -= len(copied.free) + len(copied.holders)
        return copied

    def count_cohorts(self, option: int, step: int) -> None:
        """Let `option` form `step` more cohorts (fewer, when negative); one forming none holds nobody."""
        count = self.cohorts.get(option, 0) + step
        if not count:
            del self.cohorts[option], self.held[option], self.total[option]
        else:
            if option not in self.cohorts:
                self.held[option], self.total[option] = {}, 0
            self.cohorts[option] = count
        self.journal.record(self.count_cohorts, option, -step)

    def drop_cohort(self, option: int) -> list[int]:
        """Let `option` form one cohort fewer; return the kinds of the people that leaves without a place."""
        excess = self.total[option] - self.max_size * (self.cohorts[option] - 1)
        released = []
        for kind, count in list(self.held[option].items()):
            if excess <= 0:
                break
            moved = min(count, excess)
            self.shift(kind, moved, option, None)
            released.append(kind)
            excess -= moved
        self.count_cohorts(option, -1)
        return released

    def shift(self, kind: int, count: int, source: int | None, target: int | None) -> None:
        """Move `count` people of `kind` from `source` to `target` (None: the people left over)."""
        if source is None:
            self.free[kind] -= count
            if not self.free[kind]:
                del self.waiting[kind]
            self.placed += count
        else:
            held = self.held[source]
            held[kind] -= count
            if not held[kind]:
                del held[kind]
                holders = self.holders[kind]
                del holders[source]
                if not holders:
                    del self.holders[kind]
            self.total[source] -= count
        if target is None:
            if not self.free[kind]:
                self.waiting[kind] = None
            self.free[kind] += count
            self.placed -= count
        else:
            held = self.held[target]
            held[kind] = held.get(kind, 0) + count
            self.holders.setdefault(kind, {})[target] = None
            self.total[target] += count
        self.journal.record(self.shift, kind, count, target, source)

    def room(self, option: int) -> int:
        """How many more people `option`'s cohorts could take."""
        return self.max_size * self.cohorts[option] - self.total[option]

    def spare(self, option: int) -> int:
        """How many people `option`'s cohorts could give away and still have `min_size` each."""
        return self.total[option] - self.min_size * self.cohorts[option]

    def pull(self, option: int) -> list[int] | None:
        """Bring `option` up to `min_size` people a cohort, from those left over or from cohorts that can
        spare someone; None once it has them, else the options whose cohorts were in the way."""
        while self.spare(option) < 0:
            blocking = self._augment([option], -self.spare(option), from_spare=True)
            if blocking is not None:
                return blocking
        return None

    def fill(self) -> None:
        """Place people left over while an augmenting path leads them into a cohort with room."""
        while self.waiting:
            targets = [option for option in self.cohorts if self.room(option)]
            self.journal.steps -= len(self.cohorts)
            if not targets or self._augment(targets, self.max_size, from_spare=False) is not None:
                return

    def _augment(self, targets: list[int], most: int, *, from_spare: bool) -> list[int] | None:
        """Move up to `most` people into one of `targets` along a shortest path, searched from the targets
        back: each option on it gives a person to the one before, and the last takes someone left over or,
        `from_spare`, someone a cohort can spare. None if a path was found, else the options reached."""
        gives: dict[int, int | None] = dict.fromkeys(targets)  # option -> the kind of the person it gives
        takes: dict[int, int] = {}  # kind -> the option a person of it goes to
        frontier = targets
        spent = 0
        while frontier and spent < PATH_STEPS:
            reached = []
            for option in frontier:
                kinds = self.bucket.option_kinds[option]
                spent += len(kinds)
                for kind in kinds:
                    if kind in takes:
                        continue
                    takes[kind] = option
                    if self.free[kind]:
                        self.journal.steps -= spent
                        self._apply(gives, takes, kind, None, min(most, self.free[kind]), from_spare)
                        return None
                    for holder in self.holders.get(kind, ()):
                        spent += 1
                        if holder in gives:
                            continue
                        gives[holder] = kind
                        if from_spare and self.spare(holder) > 0:
                            self.journal.steps -= spent
                            self._apply(gives, takes, kind, holder, min(most, self.spare(holder)), from_spare)
                            return None
                        reached.append(holder)
            frontier = reached
        self.journal.steps -= spent
        return [option for option in gives if option not in targets]

    def _apply(
        self,
        gives: dict[int, int | None],
        takes: dict[int, int],
        kind: int,
        source: int | None,
        most: int,
        from_spare: bool,
    ) -> None:
        """Move people along the path found, as many as every step of it allows (at most `most`)."""
        path = []  # (kind, from option or None, to option), from the source on
        while True:
            target = takes[kind]
            path.append((kind, source, target))
            given = gives[target]
            if given is None:
                break
            source, kind = target, given
        count = min([most, *(self.held[source][kind] for kind, source, _ in path if source is not None)])
        if not from_spare:
            count = min(count, self.room(path[-1][2]))
        for kind, source, target in path:
            self.shift(kind, count, source, target)


def flow_of_packing(bucket: Bucket, packing: Packing, settings: Settings, journal: Journal) -> CohortFlow:
    """The flow of a bucket's packing: each cohort under an option all its members are eligible for."""
    flow = CohortFlow(bucket, settings, journal)
    kind_of = {person.id: index for index, kind in enumerate(bucket.kinds) for person in kind.people}
    for draft in packing.drafts:
        kinds = [kind_of[member.id] for member in draft.members]
        eligible = set.intersection(*(set(bucket.kinds[kind].options) for kind in kinds))
        option = min(
            option
            for option in eligible
            if bucket.options[option].language == draft.language and bucket.options[option].slot == draft.slot
        )
        flow.count_cohorts(option, 1)
        for kind in kinds:
            flow.shift(kind, 1, None, option)
    return flow


def packing_of_flow(flow: CohortFlow, settings: Settings, stage_of: dict[str, int | None]) -> Packing:
    """The flow's cohorts as drafts of people, and the bucket's people in none of them."""
    people: list[Iterator[Registrant]] = [iter(kind.people) for kind in flow.bucket.kinds]
    drafts: list[Draft] = []
    for option, count in sorted(flow.cohorts.items()):
        held = sorted(flow.held[option].items())
        members = [person for kind, number in held for person in islice(people[kind], number)]
        drafts += form_cohorts(
            flow.bucket, option, members, cohort_sizes(len(members), settings, count), stage_of
        )
    return Packing(drafts, [person for left in people for person in left])
