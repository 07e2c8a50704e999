"""Buckets, kinds and meeting options: the shapes that let the matcher work per kind, not per person.

Only people with the same condition (and role, where the program separates roles) can meet: they form a
*bucket*. Inside a bucket, people with the same stage, languages and availability are interchangeable as
far as any feasibility rule goes (avoid requests aside): they form a *kind*. A cohort meets under an
*option*: a language, an hour and a window of `max_stage_gap + 1` consecutive stages (people unsure of
their stage fit every window). Any group of `min_size..max_size` people eligible for one option is a
feasible cohort (avoid requests aside), and every feasible cohort fits some option, so choosing how many
people of each kind go to each option is the whole problem. Work grows with kinds and options, which stay
in the thousands however many people register.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Set
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from .availability import mask_to_slots, slots_to_mask
from .model import HOURS_PER_WEEK, Registrant, Settings

BucketKey = tuple[str, str | None]


class Option(NamedTuple):
    """Meeting in `language` at UTC hour `slot`, for stages `first_stage .. first_stage + max_stage_gap`."""

    language: str
    slot: int
    first_stage: int

    def holds(self, stage: int | None, max_stage_gap: int) -> bool:
        """Whether someone at `stage` (None: unknown, fitting every window) may meet under this option."""
        return stage is None or self.first_stage <= stage <= self.first_stage + max_stage_gap


@dataclass(slots=True)
class Kind:
    """People of one bucket who share stage (None: unknown), languages and availability, ordered by id."""

    stage: int | None
    languages: tuple[str, ...]
    mask: int
    people: list[Registrant]
    options: list[int] = field(default_factory=list)

    @property
    def slots(self) -> tuple[int, ...]:
        """The hours at which these people can meet."""
        return mask_to_slots(self.mask)

    def fits(self, option: Option, max_stage_gap: int) -> bool:
        """Whether these people may join a cohort meeting under `option`."""
        return (
            option.language in self.languages
            and self.mask >> option.slot & 1 == 1
            and option.holds(self.stage, max_stage_gap)
        )


@dataclass(slots=True)
class Bucket:
    """The people of one condition (and role) as kinds, with every option some kind is eligible for.

    `options` are sorted (copies of them that `apart.keep_apart` makes follow) and `option_kinds[o]` lists
    the kinds eligible for option `o`, so iterating in index order is deterministic.
    """

    condition: str
    role: str | None
    kinds: list[Kind]
    options: list[Option]
    option_kinds: list[list[int]]

    @property
    def size(self) -> int:
        """How many people the bucket holds."""
        return sum(len(kind.people) for kind in self.kinds)

    def keeping(self, ids: Set[str]) -> Bucket:
        """The same kinds and options, holding only the people whose id is in `ids`."""
        kinds = [
            replace(kind, people=[person for person in kind.people if person.id in ids])
            for kind in self.kinds
        ]
        return Bucket(self.condition, self.role, kinds, self.options, self.option_kinds)

    def closing(self, slots: Set[int]) -> Bucket:
        """The same kinds and options, but with the options at `slots` open to nobody (the indices stay)."""
        closed = {index for index, option in enumerate(self.options) if option.slot in slots}
        if not closed:
            return self
        kinds = [replace(kind, options=[o for o in kind.options if o not in closed]) for kind in self.kinds]
        option_kinds = [[] if index in closed else kinds for index, kinds in enumerate(self.option_kinds)]
        return Bucket(self.condition, self.role, kinds, self.options, option_kinds)


def bucket_key(registrant: Registrant, settings: Settings) -> BucketKey:
    """The (condition, role) of the people this registrant may meet; role is None when roles mix."""
    return registrant.condition, registrant.role if settings.separate_roles else None


def split_into_buckets(
    registrants: Iterable[Registrant], settings: Settings
) -> dict[BucketKey, list[Registrant]]:
    """Registrants grouped by bucket key, keys in sorted order."""
    buckets: dict[BucketKey, list[Registrant]] = defaultdict(list)
    for registrant in registrants:
        buckets[bucket_key(registrant, settings)].append(registrant)
    return {key: buckets[key] for key in sorted(buckets, key=_sortable_key)}


def _sortable_key(key: BucketKey) -> tuple[str, str]:
    return key[0], key[1] or ""


def build_bucket(
    key: BucketKey, people: Iterable[Registrant], settings: Settings, alone: Set[str] = frozenset()
) -> Bucket:
    """Group one bucket's people into kinds and list the options each kind is eligible for.

    People whose id is in `alone` get a kind of their own (the exact solver needs that for avoid requests).
    """
    kinds = _kinds(key[0], people, settings, alone)
    windows = _StageWindows(len(settings.stage_order[key[0]]), settings.max_stage_gap)
    languages = sorted({language for kind in kinds for language in kind.languages})
    codes_of_kinds = [windows.option_codes(kind, languages) for kind in kinds]
    codes = sorted(set().union(*codes_of_kinds))
    index = {code: position for position, code in enumerate(codes)}
    option_kinds: list[list[int]] = [[] for _ in codes]
    for kind_index, (kind, kind_codes) in enumerate(zip(kinds, codes_of_kinds, strict=True)):
        kind.options = [index[code] for code in kind_codes]
        for option in kind.options:
            option_kinds[option].append(kind_index)
    options = [windows.option(code, languages) for code in codes]
    return Bucket(key[0], key[1], kinds, options, option_kinds)


def _kinds(condition: str, people: Iterable[Registrant], settings: Settings, alone: Set[str]) -> list[Kind]:
    """The people as kinds, ordered by stage (unknown last), languages, hours and, for those alone, id."""
    spoken: dict[tuple[str, ...], tuple[str, ...]] = {}
    by_kind: dict[tuple[int | None, tuple[str, ...], frozenset[int], str], list[Registrant]]
    by_kind = defaultdict(list)
    for person in people:
        languages = spoken.get(person.languages)
        if languages is None:
            languages = spoken[person.languages] = tuple(sorted(set(person.languages)))
        stage = settings.stage_index(condition, person.stage)
        by_kind[stage, languages, person.availability, person.id if person.id in alone else ""].append(person)
    ordered = []
    for (stage, languages, hours, alone_id), members in by_kind.items():
        kind = Kind(stage, languages, slots_to_mask(hours), sorted(members, key=_by_id))
        ordered.append(((stage_order(stage), languages, kind.mask, alone_id), kind))
    ordered.sort(key=lambda pair: pair[0])
    return [kind for _, kind in ordered]


def stage_order(stage: int | None) -> tuple[bool, int]:
    """A sort key for stages: known ones in order, unknown ones last."""
    return stage is None, stage or 0


class _StageWindows:
    """The windows of `max_stage_gap + 1` consecutive stages a cohort may span, and options as numbers.

    An option is numbered so that numeric order is the order of (language, slot, first stage), which lets
    a bucket gather and sort its options as plain integers.
    """

    def __init__(self, stage_count: int, max_stage_gap: int) -> None:
        self.max_stage_gap = max_stage_gap
        self.count = max(1, stage_count - max_stage_gap)

    def holding(self, stage: int | None) -> range:
        """First stages of the windows that hold `stage` (every window for an unknown stage)."""
        if stage is None:
            return range(self.count)
        return range(max(0, stage - self.max_stage_gap), min(stage, self.count - 1) + 1)

    def option_codes(self, kind: Kind, languages: list[str]) -> list[int]:
        """The numbers of every option a kind may meet under, in increasing order."""
        windows = self.holding(kind.stage)
        slots = kind.slots
        return [
            (languages.index(language) * HOURS_PER_WEEK + slot) * self.count + first_stage
            for language in kind.languages
            for slot in slots
            for first_stage in windows
        ]

    def option(self, code: int, languages: list[str]) -> Option:
        """The option numbered `code`."""
        meeting, first_stage = divmod(code, self.count)
        language, slot = divmod(meeting, HOURS_PER_WEEK)
        return Option(languages[language], slot, first_stage)


def _by_id(registrant: Registrant) -> str:
    return registrant.id
