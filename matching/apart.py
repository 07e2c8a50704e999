"""Keeping people who avoid each other apart, in the planner's own terms: kinds and options.

The planner (`plan`, with its local search) counts people of each kind under each option, and takes any
group eligible for one option to be a feasible cohort. Avoid requests break that, so `keep_apart` reshapes
a bucket until it holds again, and planning itself weighs every way of keeping two people apart: placing
one of them, the other, or both in different cohorts. (Finding the clash only once cohorts are formed
leaves nothing better than setting someone aside, often the one who could have been placed.)

- Each person in an avoid request with someone of the bucket gets a kind of their own.
- Each option under which two such people could meet is split into copies: those people are coloured so
  that no two who avoid each other share a colour, and each colour gets a copy, open to the people of that
  colour and to everyone else eligible for the option. Copies share the language, hour and stages, so two
  people who avoid each other may still meet at that hour, in two cohorts.

Colours are given greedily in kind order: several requests under one option may be kept further apart
than they need be, never less. With requests as rare as they are, that costs next to nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence, Set
from dataclasses import replace
from itertools import count

from .grouping import Bucket, Kind

# person id -> the ids of the bucket's people they are in an avoid request with, either way round
Foes = Mapping[str, Set[str]]


def keep_apart(bucket: Bucket) -> Bucket:
    """`bucket` reshaped so that no option is open to two people who avoid each other (see above).

    Kinds and options keep their indices; kinds of one person and copies of options come after them.
    """
    foes = _foes(bucket)
    if not foes:
        return bucket
    kinds = [
        replace(kind, people=[p for p in kind.people if p.id not in foes], options=list(kind.options))
        for kind in bucket.kinds
    ]
    reshaped = Bucket(bucket.condition, bucket.role, kinds, list(bucket.options), list(bucket.option_kinds))
    singles_at = _add_singles(bucket, foes, kinds)
    for option, singles in sorted(singles_at.items()):
        free, colours = _colour(singles, kinds, foes)
        _split_option(reshaped, option, free, colours)
    for single in kinds[len(bucket.kinds) :]:
        single.options.sort()
    return reshaped


def _foes(bucket: Bucket) -> dict[str, set[str]]:
    ids = {person.id for kind in bucket.kinds for person in kind.people}
    foes: dict[str, set[str]] = defaultdict(set)
    for kind in bucket.kinds:
        for person in kind.people:
            for other in person.avoid:
                if other in ids and other != person.id:  # naming oneself means nothing
                    foes[person.id].add(other)
                    foes[other].add(person.id)
    return foes


def _add_singles(bucket: Bucket, foes: Foes, kinds: list[Kind]) -> dict[int, list[int]]:
    """Append a kind, eligible for nothing yet, for each person with foes; return, for each option, the
    new kinds that may join it."""
    singles_at: dict[int, list[int]] = defaultdict(list)
    for kind in bucket.kinds:
        for person in kind.people:
            if person.id in foes:
                for option in kind.options:
                    singles_at[option].append(len(kinds))
                kinds.append(Kind(kind.stage, kind.languages, kind.mask, [person]))
    return singles_at


def _colour(singles: Sequence[int], kinds: Sequence[Kind], foes: Foes) -> tuple[list[int], list[list[int]]]:
    """The kinds of one person among `singles` with no foe among them, and the others by colour."""
    here = {kinds[single].people[0].id for single in singles}
    colour_of: dict[str, int] = {}
    free: list[int] = []
    colours: list[list[int]] = []
    for single in singles:
        person = kinds[single].people[0].id
        rivals = foes[person] & here
        if not rivals:
            free.append(single)
            continue
        taken = {colour_of[rival] for rival in rivals if rival in colour_of}
        colour_of[person] = next(colour for colour in count() if colour not in taken)
        if colour_of[person] == len(colours):
            colours.append([])
        colours[colour_of[person]].append(single)
    return free, colours


def _split_option(bucket: Bucket, option: int, free: list[int], colours: list[list[int]]) -> None:
    """Open `option` to the kinds of one person in `free` and in the first colour, and a new copy of it
    to each further colour; the kinds it was open to may join every copy, and so may `free`."""
    shared = [*bucket.option_kinds[option], *free]
    first, *others = colours or [[]]
    _open_to(bucket, option, [*free, *first])
    for joining in others:
        bucket.options.append(bucket.options[option])
        bucket.option_kinds.append([])
        _open_to(bucket, len(bucket.options) - 1, [*shared, *joining])


def _open_to(bucket: Bucket, option: int, kinds: list[int]) -> None:
    """Make `option` open to `kinds` as well."""
    bucket.option_kinds[option] = sorted([*bucket.option_kinds[option], *kinds])
    for kind in kinds:
        bucket.kinds[kind].options.append(option)
