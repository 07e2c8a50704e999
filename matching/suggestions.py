"""Hours to suggest to people left waiting: what the service asks them ("could you also make Tuesday 7 pm?").

For each waiting person, up to `MOST_SUGGESTED_SLOTS` UTC hours they did not offer, best first, at each of
which the answer has a place for them in one of two ways:

- joining: a cohort of their bucket (condition, and role where roles are separated), not locked, meets then
  in one of their languages and has room for them by the rule the matcher fills open places with
  (`packing.has_room_for`: fewer than `max_size` members, stages still within `max_stage_gap`, nobody in an
  avoid request with them);
- forming: other waiting people of their bucket are free then who, with them, reach `min_size` under one
  language and one window of stages, none in an avoid request with another or with them, and the program's
  Zoom capacity has room for one more meeting then (`capacity`, counting `meeting_hours`).

Order. Joining comes first: a cohort with room takes a newcomer whatever else is planned, whereas a new
cohort needs every one of its other members to be free still. Among joins, the cohort whose size with the
person comes closest to `target_size`, then the smaller; among new cohorts, the one with the most waiting
people to meet (rarely more than `min_size - 1`: more would have met already); then the earlier hour.
Many people are asked at once, so people are taken least flexible first (fewest hours to suggest), and a
place that the first hours already suggested to others would fill if all of them said yes — a cohort's
last places, the last meeting the Zoom capacity allows at an hour — comes after every place still free:
people spread over the room there is instead of crowding into it.

Who gets one. The rules are applied to everyone waiting, so a person gets a suggestion exactly when a new
hour would give them a place. By waitlist reason:

- `no_common_time`, `stage_too_far`, `avoid_conflict`: the hours they offered gather too few people they may
  meet; another hour may gather others, or hold a cohort with room.
- `no_room`: the people they could meet are in full cohorts at their hours; elsewhere a cohort may have room.
- `no_meeting_capacity`: the hours they share with others are full; another hour may have room.
- `too_few_people`, `no_shared_language`: fewer than `min_size` people of their bucket (speaking a language
  of theirs) exist at all, so no hour can gather a new cohort; only a cohort the coordinator keeps below
  `min_size` could take them, and only then do they get a suggestion. Someone whose language nobody else
  speaks gets none.

A suggestion holds for the answer it is made from: matching again with the hour added re-plans the bucket
around the person and places them nearly always, not certainly (the tests measure how often).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from itertools import chain
from typing import NamedTuple

from .capacity import Load
from .grouping import Bucket, BucketKey, Option, bucket_key, build_bucket, split_into_buckets
from .model import HOURS_PER_WEEK, MOST_SUGGESTED_SLOTS, Assignment, Cohort, Problem, Registrant, Settings
from .packing import Draft, has_room_for

# How good a place is, smaller first: (0 joining | 1 forming, then the order within each way).
Rank = tuple[int, int, int]


class _Claims:
    """What the first hours suggested so far would take if everyone said yes: places in cohorts, and
    meetings of the program's Zoom capacity for new cohorts."""

    def __init__(self, settings: Settings, load: Load) -> None:
        self.max_size = settings.max_size
        self.load = load.copy()
        self.taken: Counter[Hashable] = Counter()


@dataclass(frozen=True, slots=True)
class _Joining:
    """A place in the cohort `cohort`, which has `seats` left, at `slot`."""

    cohort: str
    slot: int
    seats: int
    rank: Rank

    def is_free(self, claims: _Claims) -> bool:
        return claims.taken[self.cohort] < self.seats

    def claim(self, claims: _Claims) -> None:
        claims.taken[self.cohort] += 1


@dataclass(frozen=True, slots=True)
class _Forming:
    """A place in a new cohort under `option` of the bucket `bucket`, with `others` waiting people."""

    bucket: BucketKey
    option: Option
    others: int
    rank: Rank

    @property
    def slot(self) -> int:
        return self.option.slot

    def is_free(self, claims: _Claims) -> bool:
        return not self._opens_meeting(claims) or claims.load.fits(self.slot)

    def claim(self, claims: _Claims) -> None:
        if self._opens_meeting(claims):
            claims.load.add(self.slot)
        claims.taken[self.bucket, self.option] += 1

    def _opens_meeting(self, claims: _Claims) -> bool:
        """Whether one more newcomer here needs one more cohort (the first does; then each time they
        fill the cohorts opened so far)."""
        taken = claims.taken[self.bucket, self.option]
        return taken == 0 or (self.others + taken) % claims.max_size == 0


_Place = _Joining | _Forming


def add_suggestions(problem: Problem, assignment: Assignment) -> Assignment:
    """`assignment` with `suggested_slots` on each waiting person a new hour would place (see above)."""
    if not assignment.waitlist:
        return assignment
    settings = problem.settings
    registrants = {person.id: person for person in problem.registrants}
    waiting = [registrants[entry.id] for entry in assignment.waitlist]
    open_cohorts = _open_cohorts(assignment.cohorts, registrants, waiting, settings)
    load = Load(settings, (cohort.slot for cohort in assignment.cohorts))
    open_hours = {slot for slot in range(HOURS_PER_WEEK) if load.fits(slot)}
    joining: dict[str, _Joins] = {}
    forming: dict[str, list[_Place]] = defaultdict(list)
    for key, people in split_into_buckets(waiting, settings).items():
        _find_joining(people, open_cohorts.get(key, {}), settings, joining)
        _find_forming(key, build_bucket(key, people, settings), settings, open_hours, forming)
    claims = _Claims(settings, load)
    hours = {
        person: _hours(joining.get(person, _NO_JOINS), forming.get(person, ()))
        for person in {*joining, *forming}
    }
    least_flexible_first = sorted(hours, key=lambda person: (hours[person], person))
    suggested = {
        person: _choose(joining.get(person, _NO_JOINS), forming.get(person, ()), claims)
        for person in least_flexible_first
    }
    return replace(
        assignment,
        waitlist=tuple(
            replace(entry, suggested_slots=suggested[entry.id]) if entry.id in suggested else entry
            for entry in assignment.waitlist
        ),
    )


def _open_cohorts(
    cohorts: Iterable[Cohort],
    registrants: Mapping[str, Registrant],
    waiting: Iterable[Registrant],
    settings: Settings,
) -> dict[BucketKey, dict[str, list[Draft]]]:
    """The cohorts that may take one of the waiting people, by bucket and language, as drafts that can check
    a newcomer."""
    wanted = {(bucket_key(person, settings), language) for person in waiting for language in person.languages}
    taking: list[tuple[BucketKey, Cohort]] = []
    for cohort in cohorts:
        key = cohort.condition, cohort.role if settings.separate_roles else None
        if not cohort.locked and len(cohort.members) < settings.max_size and (key, cohort.language) in wanted:
            taking.append((key, cohort))
    involved = [*waiting, *(registrants[member] for _, cohort in taking for member in cohort.members)]
    stage_of = {person.id: settings.stage_index(person.condition, person.stage) for person in involved}
    drafts: dict[BucketKey, dict[str, list[Draft]]] = defaultdict(lambda: defaultdict(list))
    for (condition, role), cohort in taking:
        members = [registrants[member] for member in cohort.members]
        draft = Draft(condition, role, cohort.language, cohort.slot, members, stage_of, id=cohort.id)
        drafts[condition, role][cohort.language].append(draft)
    return drafts


class _Joins(NamedTuple):
    """A person's places in cohorts with room, best first (see `_by_rank`), and the hours of those places."""

    places: tuple[_Joining, ...]
    slots: frozenset[int]


_NO_JOINS = _Joins((), frozenset())


def _find_joining(
    people: Iterable[Registrant],
    drafts: Mapping[str, Sequence[Draft]],
    settings: Settings,
    joining: dict[str, _Joins],
) -> None:
    """The places in cohorts with room of each of a bucket's waiting people who has one. People in no avoid
    request with a member of those cohorts may join the same ones when they share stage, languages and
    hours, so theirs are found once for all such people."""
    avoided = {person for language in drafts.values() for draft in language for person in draft.avoided}
    shared: dict[tuple[str | None, tuple[str, ...], frozenset[int]], _Joins] = {}
    for person in people:
        if person.avoid or person.id in avoided:
            joins = _joins(person, drafts, settings)
        else:
            key = person.stage, person.languages, person.availability
            if key not in shared:
                shared[key] = _joins(person, drafts, settings)
            joins = shared[key]
        if joins.places:
            joining[person.id] = joins


def _joins(person: Registrant, drafts: Mapping[str, Sequence[Draft]], settings: Settings) -> _Joins:
    places = []
    for language in set(person.languages):
        for draft in drafts.get(language, ()):
            if draft.slot not in person.availability and has_room_for(draft, person, settings):
                size = len(draft.members)
                rank = (0, abs(size + 1 - settings.target_size), size)
                places.append(_Joining(draft.id, draft.slot, settings.max_size - size, rank))
    if not places:
        return _NO_JOINS
    return _Joins(tuple(sorted(places, key=_by_rank)), frozenset(place.slot for place in places))


def _find_forming(
    key: BucketKey, bucket: Bucket, settings: Settings, open_hours: Set[int], places: dict[str, list[_Place]]
) -> None:
    """Places in new cohorts of a bucket's waiting people, at hours when a meeting may still start, for those
    of them who lack the hour."""
    needed = settings.min_size - 1
    # language -> (option, the waiting people eligible for it, whether one of them avoids anyone)
    gatherings: dict[str, list[tuple[Option, list[Registrant], bool]]] = defaultdict(list)
    for option, kinds in zip(bucket.options, bucket.option_kinds, strict=True):
        if sum(len(bucket.kinds[kind].people) for kind in kinds) >= needed and option.slot in open_hours:
            others = [person for kind in kinds for person in bucket.kinds[kind].people]
            gatherings[option.language].append((option, others, any(person.avoid for person in others)))
    for kind in bucket.kinds:
        for option, others, avoiding in (g for language in kind.languages for g in gatherings[language]):
            if not kind.mask >> option.slot & 1 and option.holds(kind.stage, settings.max_stage_gap):
                for person in kind.people:
                    companions = _companions(person, others) if avoiding or person.avoid else len(others)
                    if companions >= needed:
                        places[person.id].append(_Forming(key, option, len(others), (1, -companions, 0)))


def _companions(person: Registrant, others: Iterable[Registrant]) -> int:
    """How many of `others` could meet `person` together, none in an avoid request with another (taken
    in order, each when no one taken so far stands in the way: a lower bound, exact when requests are few)."""
    taken = [person]
    for other in others:
        if not any(_apart(other, member) for member in taken):
            taken.append(other)
    return len(taken) - 1


def _apart(first: Registrant, second: Registrant) -> bool:
    return first.id in second.avoid or second.id in first.avoid


def _hours(joins: _Joins, forming: Iterable[_Place]) -> int:
    """How many hours a person has places at."""
    return len(joins.slots.union(place.slot for place in forming))


def _by_rank(place: _Place) -> tuple[Rank, int]:
    return place.rank, place.slot


def _choose(joins: _Joins, forming: Iterable[_Place], claims: _Claims) -> tuple[int, ...]:
    """A person's best hours, those with a place still free first, and the place of the first one claimed.
    Every join ranks before every new cohort, so the places, best first, are the joins, then the others
    sorted."""
    free: dict[int, _Place] = {}  # hour -> its best free place, best first
    filled: dict[int, _Place] = {}  # the same for hours whose places others were asked to fill
    for place in chain(joins.places, sorted(forming, key=_by_rank)):
        if place.slot in free:
            continue
        if place.is_free(claims):
            free[place.slot] = place
            if len(free) == MOST_SUGGESTED_SLOTS:
                break
        else:
            filled.setdefault(place.slot, place)
    best = {**free, **{slot: place for slot, place in filled.items() if slot not in free}}
    first, *_ = best.values()
    first.claim(claims)
    return tuple(best)[:MOST_SUGGESTED_SLOTS]
