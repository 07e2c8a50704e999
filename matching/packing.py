"""Turning a plan into cohorts of people, and filling the open places of cohorts that have room.

Within one option everyone is eligible for the same cohorts, so its people are split into as many cohorts
as brings sizes closest to `target_size`, in stage order so each cohort's stages are as close as they can
be. Nobody under one option avoids another there (`apart` saw to that when the bucket was planned), so
the split needs no check; filling open places, which comes after planning, checks avoid requests itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice

from .capacity import UNLIMITED, Load
from .grouping import Bucket, stage_order
from .model import Registrant, Settings
from .plan import Plan


@dataclass(slots=True)
class Draft:
    """A cohort being built: its fixed meeting terms and the members so far."""

    condition: str
    role: str | None
    language: str
    slot: int
    members: list[Registrant]
    stage_of: dict[str, int | None]
    host: str | None = None
    id: str | None = None
    locked: bool = False
    member_ids: set[str] = field(default_factory=set)
    avoided: set[str] = field(default_factory=set)
    # The members' earliest and latest known stages; None while no member's stage is known.
    stage_range: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        for member in self.members:
            self._remember(member)

    def _remember(self, person: Registrant) -> None:
        self.member_ids.add(person.id)
        self.avoided.update(person.avoid)
        stage = self.stage_of[person.id]
        if stage is not None:
            lowest, highest = self.stage_range or (stage, stage)
            self.stage_range = min(lowest, stage), max(highest, stage)

    def add(self, person: Registrant) -> None:
        """Make `person` a member."""
        self.members.append(person)
        self._remember(person)

    def conflicts_with(self, person: Registrant) -> bool:
        """Whether `person` or a member asked not to meet the other."""
        return person.id in self.avoided or not self.member_ids.isdisjoint(person.avoid)

    def stage_span_with(self, person: Registrant) -> int:
        """How many stage steps the cohort would span with `person` in it (unknown stages do not count)."""
        stage = self.stage_of[person.id]
        if self.stage_range is None:
            return 0
        lowest, highest = self.stage_range
        return highest - lowest if stage is None else max(highest, stage) - min(lowest, stage)


def cohort_sizes(count: int, settings: Settings, most_cohorts: int = UNLIMITED) -> list[int]:
    """Sizes, as even as possible, of the cohorts that `count` people are split into.

    Among the feasible numbers of cohorts, at most `most_cohorts`, the one whose average size is closest to
    `target_size` wins (fewer cohorts on a tie). When even the fewest feasible cohorts are too many, there
    are `most_cohorts` full ones, and the sizes add up to less than `count`.
    """
    fewest = -(-count // settings.max_size)
    if fewest > most_cohorts:
        return [settings.max_size] * most_cohorts
    most = min(count // settings.min_size, most_cohorts)
    cohorts = min(range(fewest, most + 1), key=lambda n: (abs(count / n - settings.target_size), n))
    base, extra = divmod(count, cohorts)
    return [base + 1] * extra + [base] * (cohorts - extra)


@dataclass(slots=True)
class Packing:
    """A plan made into cohorts: the cohorts, and the bucket's people in none of them (`crowded_out` of
    them because the program's capacity was used up at their option's hour)."""

    drafts: list[Draft]
    left_over: list[Registrant]
    crowded_out: int = 0


def pack_plan(
    bucket: Bucket, plan: Plan, settings: Settings, stage_of: dict[str, int | None], load: Load
) -> Packing:
    """Cohorts for every option of the plan, in option order, each counted in `load`.

    Each option must hold a number of people that splits into cohorts of `min_size..max_size`. Where the
    program's capacity leaves room for fewer cohorts than that takes, the option forms as many full cohorts
    as there is room for, of its least flexible people; the others are left over.
    """
    people_of_kind = [iter(kind.people) for kind in bucket.kinds]
    drafts = []
    crowded_out: list[Registrant] = []
    for option_index, held in plan.items():
        people = [next(people_of_kind[kind]) for kind, count in held.items() for _ in range(count)]
        option = bucket.options[option_index]
        sizes = cohort_sizes(len(people), settings, load.room(option.slot))
        if sum(sizes) < len(people):
            people.sort(key=_flexibility)
            crowded_out += people[sum(sizes) :]
            del people[sum(sizes) :]
        drafts += form_cohorts(bucket, option_index, people, sizes, stage_of)
        load.add(option.slot, len(sizes))
    left_over = [person for people in people_of_kind for person in people]
    return Packing(drafts, [*left_over, *crowded_out], len(crowded_out))


def form_cohorts(
    bucket: Bucket,
    option_index: int,
    people: list[Registrant],
    sizes: list[int],
    stage_of: dict[str, int | None],
) -> list[Draft]:
    """Cohorts of `sizes` meeting under the option, of `people` in stage order, so that each cohort's
    stages are as close as they can be."""
    option = bucket.options[option_index]
    in_stage_order = iter(sorted(people, key=lambda person: (stage_order(stage_of[person.id]), person.id)))
    return [
        Draft(
            bucket.condition,
            bucket.role,
            option.language,
            option.slot,
            list(islice(in_stage_order, size)),
            stage_of,
        )
        for size in sizes
    ]


def fill_open_places(
    drafts: Sequence[Draft], people: Iterable[Registrant], settings: Settings
) -> list[Registrant]:
    """Add people to cohorts of their bucket that have room and suit them; return those who found none.

    People are taken least flexible first (fewest language-hour combinations), and each joins the
    smallest suitable cohort, so sizes stay even.
    """
    by_meeting: dict[tuple[str, int], list[Draft]] = defaultdict(list)
    for draft in drafts:
        by_meeting[draft.language, draft.slot].append(draft)
    unplaced = []
    for person in sorted(people, key=_flexibility):
        suitable = [
            draft
            for language in sorted(set(person.languages))
            for slot in sorted(person.availability)
            for draft in by_meeting.get((language, slot), ())
            if has_room_for(draft, person, settings)
        ]
        if suitable:
            min(suitable, key=lambda draft: len(draft.members)).add(person)
        else:
            unplaced.append(person)
    return unplaced


def _flexibility(person: Registrant) -> tuple[int, str]:
    return len(set(person.languages)) * len(person.availability), person.id


def has_room_for(draft: Draft, person: Registrant, settings: Settings) -> bool:
    """Whether `person` may join `draft` as it stands: a place is free, stages stay close enough, and
    nobody in it is in an avoid request with them (language and hour are the caller's to check)."""
    return (
        len(draft.members) < settings.max_size
        and draft.stage_span_with(person) <= settings.max_stage_gap
        and not draft.conflicts_with(person)
    )
