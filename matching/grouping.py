"""Buckets, kinds and meeting options: the shapes that let the matcher work per kind, not per person.

Only people with the same condition (and role, where the program separates roles) can meet: they form a
*bucket*. Inside a bucket, people with the same stage, languages and availability are interchangeable as
far as any feasibility rule goes (avoid requests aside): they form a *kind*. A cohort meets under an
*option*: a language, an hour and a window of `max_stage_gap + 1` consecutive stages. Any group of
`min_size..max_size` people eligible for one option is a feasible cohort (avoid requests aside), and every
feasible cohort fits some option, so choosing how many people of each kind go to each option is the whole
problem. Work grows with kinds and options, which stay in the thousands however many people register.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from typing import NamedTuple

from .availability import mask_to_slots, slots_to_mask
from .model import Registrant, Settings

BucketKey = tuple[str, str | None]


class Option(NamedTuple):
    """Meeting in `language` at UTC hour `slot`, for stages `first_stage .. first_stage + max_stage_gap`."""

    language: str
    slot: int
    first_stage: int


@dataclass(slots=True)
class Kind:
    """People of one bucket who share stage, languages and availability, ordered by id."""

    stage: int
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
            and option.first_stage <= self.stage <= option.first_stage + max_stage_gap
        )


@dataclass(slots=True)
class Bucket:
    """The people of one condition (and role) as kinds, with every option some kind is eligible for.

    `options` are sorted and `option_kinds[o]` lists the kinds eligible for option `o`, so iterating in
    index order is deterministic.
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
    condition, role = key
    stage_count = len(settings.stage_order[condition])
    by_kind: dict[tuple[int, tuple[str, ...], int, str], list[Registrant]] = defaultdict(list)
    for person in people:
        kind_key = (
            settings.stage_index(condition, person.stage),
            tuple(sorted(set(person.languages))),
            slots_to_mask(person.availability),
            person.id if person.id in alone else "",
        )
        by_kind[kind_key].append(person)
    kinds = [
        Kind(stage, languages, mask, sorted(members, key=_by_id))
        for (stage, languages, mask, _), members in sorted(by_kind.items(), key=lambda item: item[0])
    ]
    kind_options = [list(eligible_options(kind, stage_count, settings.max_stage_gap)) for kind in kinds]
    option_keys = sorted({option for options in kind_options for option in options})
    index = {option: position for position, option in enumerate(option_keys)}
    option_kinds: list[list[int]] = [[] for _ in option_keys]
    for kind_index, (kind, options) in enumerate(zip(kinds, kind_options, strict=True)):
        kind.options = sorted(index[option] for option in options)
        for option in options:
            option_kinds[index[option]].append(kind_index)
    return Bucket(condition, role, kinds, option_keys, option_kinds)


def eligible_options(kind: Kind, stage_count: int, max_stage_gap: int) -> Iterable[Option]:
    """Every option a kind may meet under: its languages x its hours x stage windows holding its stage."""
    last_window = max(0, stage_count - 1 - max_stage_gap)
    windows = range(max(0, kind.stage - max_stage_gap), min(kind.stage, last_window) + 1)
    slots = kind.slots
    for language in kind.languages:
        for slot in slots:
            for first_stage in windows:
                yield Option(language, slot, first_stage)


def _by_id(registrant: Registrant) -> str:
    return registrant.id
