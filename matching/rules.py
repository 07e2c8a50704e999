"""The feasibility rules of one cohort, written once.

`validate.check_assignment` holds the matcher's answers to these rules, and the app checks a coordinator's
changes against them, so both always agree on what a feasible cohort is (docs/interfaces.md, "Matcher JSON").
Each broken rule comes back as a `Violation` naming the rule, the members it is about and the facts behind
it, for the caller to put into its own words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .capacity import Load
from .model import Cohort, Host, Registrant, Settings

# The stage of someone who was not sure of it (`Registrant.stage`): they fit any stage.
UNKNOWN_STAGE = None


class Rule(StrEnum):
    SIZE = "size"
    CONDITION = "condition"
    ROLE = "role"
    LANGUAGE = "language"
    TIME = "time"
    STAGE_GAP = "stage_gap"
    AVOID = "avoid"
    HOST_UNKNOWN = "host_unknown"
    HOST_CONDITION = "host_condition"
    HOST_LANGUAGE = "host_language"
    HOST_TIME = "host_time"
    HOST_LOAD = "host_load"
    HOST_DOUBLE_BOOKED = "host_double_booked"
    CAPACITY = "capacity"


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule. `members` are the registrants it is about (for `avoid`, the one who asked first);
    `detail` holds the facts: sizes, the language, the slot, the host's id and so on."""

    rule: Rule
    members: tuple[str, ...] = ()
    detail: Mapping[str, object] = field(default_factory=dict)


def check_cohort(
    cohort: Cohort,
    members: Sequence[Registrant],
    settings: Settings,
    *,
    host: Host | None = None,
    host_slots: Collection[int] = (),
    program_slots: Iterable[int] | None = None,
    may_be_small: bool = False,
) -> list[Violation]:
    """Every rule `cohort` breaks, members' rules first, then its host's, then the program's capacity.

    `members` are the registrants of `cohort.members`; `host` is the host named by `cohort.host` (None when
    that id is unknown); `host_slots` holds the slots of the host's other cohorts, for its load and double
    bookings. `program_slots` holds the slots of the program's other cohorts: when given, and the program
    sets `max_concurrent`, the cohort must fit beside them. `may_be_small` lets a cohort the matcher was
    given stay below `min_size`.
    """
    violations = list(_check_size(cohort, settings, may_be_small))
    violations += _check_members(cohort, members)
    if settings.separate_roles:
        violations += _check_roles(cohort, members)
    violations += _check_stages(cohort, members, settings)
    if cohort.host is not None:
        violations += _check_host(cohort, host, host_slots)
    if program_slots is not None and settings.max_concurrent is not None:
        violations += _check_capacity(cohort, Load(settings, program_slots))
    return violations


def is_worse(violation: Violation, before: Collection[Violation]) -> bool:
    """Whether `violation` is new, or worse than what `before` already broke.

    A cohort still too small but less so, or stages still too far apart but no further, is no worse.
    """
    if violation.rule not in (Rule.SIZE, Rule.STAGE_GAP):
        return violation not in before
    kind, amount = _excess(violation)
    return not any(
        _excess(earlier)[0] == kind and _excess(earlier)[1] >= amount
        for earlier in before
        if earlier.rule == violation.rule
    )


def _excess(violation: Violation) -> tuple[str, int]:
    """How far a size or stage-gap violation goes beyond the rule, and in which direction."""
    detail = violation.detail
    if violation.rule == Rule.STAGE_GAP:
        return "span", detail["span"] - detail["max_stage_gap"]
    if detail["size"] > detail["max_size"]:
        return "large", detail["size"] - detail["max_size"]
    return "small", detail["min_size"] - detail["size"]


def _check_size(cohort: Cohort, settings: Settings, may_be_small: bool) -> Iterator[Violation]:
    size = len(cohort.members)
    if size > settings.max_size or (size < settings.min_size and not may_be_small):
        yield Violation(
            Rule.SIZE, detail={"size": size, "min_size": settings.min_size, "max_size": settings.max_size}
        )


def _check_members(cohort: Cohort, members: Sequence[Registrant]) -> Iterator[Violation]:
    ids = set(cohort.members)
    for member in members:
        if member.condition != cohort.condition:
            detail = {"condition": member.condition, "cohort_condition": cohort.condition}
            yield Violation(Rule.CONDITION, (member.id,), detail)
        if cohort.language not in member.languages:
            yield Violation(Rule.LANGUAGE, (member.id,), {"language": cohort.language})
        if cohort.slot not in member.availability:
            yield Violation(Rule.TIME, (member.id,), {"slot": cohort.slot})
        avoided = sorted((member.avoid - {member.id}) & ids)  # naming oneself means nothing
        if avoided:
            yield Violation(Rule.AVOID, (member.id, *avoided))


def _check_roles(cohort: Cohort, members: Sequence[Registrant]) -> Iterator[Violation]:
    """Members whose role is not the cohort's (or, when it has none, not most members')."""
    if not members:
        return
    role = cohort.role or Counter(member.role for member in members).most_common(1)[0][0]
    others = tuple(member.id for member in members if member.role != role)
    if others:
        yield Violation(Rule.ROLE, others, {"role": role})


def _check_stages(cohort: Cohort, members: Sequence[Registrant], settings: Settings) -> Iterator[Violation]:
    order = settings.stage_order.get(cohort.condition, ())
    staged = [
        (order.index(member.stage), member.id)
        for member in members
        if member.condition == cohort.condition and member.stage is not UNKNOWN_STAGE
    ]
    if not staged:
        return
    lowest, highest = min(staged)[0], max(staged)[0]
    if highest - lowest > settings.max_stage_gap:
        ends = tuple(member for index, member in staged if index in (lowest, highest))
        detail = {
            "span": highest - lowest,
            "max_stage_gap": settings.max_stage_gap,
            "lowest": order[lowest],
            "highest": order[highest],
        }
        yield Violation(Rule.STAGE_GAP, ends, detail)


def _check_host(cohort: Cohort, host: Host | None, other_slots: Collection[int]) -> Iterator[Violation]:
    if host is None:
        yield Violation(Rule.HOST_UNKNOWN, detail={"host": cohort.host})
        return
    if cohort.condition not in host.conditions:
        yield Violation(Rule.HOST_CONDITION, detail={"host": host.id, "condition": cohort.condition})
    if cohort.language not in host.languages:
        yield Violation(Rule.HOST_LANGUAGE, detail={"host": host.id, "language": cohort.language})
    if cohort.slot not in host.availability:
        yield Violation(Rule.HOST_TIME, detail={"host": host.id, "slot": cohort.slot})
    load = len(other_slots) + 1
    if load > host.max_cohorts:
        yield Violation(
            Rule.HOST_LOAD, detail={"host": host.id, "cohorts": load, "max_cohorts": host.max_cohorts}
        )
    same_hour = sum(1 for slot in other_slots if slot == cohort.slot) + 1
    if same_hour > 1:
        yield Violation(
            Rule.HOST_DOUBLE_BOOKED, detail={"host": host.id, "slot": cohort.slot, "cohorts": same_hour}
        )


def _check_capacity(cohort: Cohort, others: Load) -> Iterator[Violation]:
    """The cohort would make more meetings at once than the program's Zoom pool can run.

    `detail["slot"]` is the fullest hour the meeting would occupy (its start, unless it runs on into a
    busier hour) and `meetings` how many would meet then, this one included.
    """
    if not others.fits(cohort.slot):
        slot = others.busiest_slot(cohort.slot)
        detail = {"slot": slot, "meetings": others.meetings[slot] + 1, "max_concurrent": others.limit}
        yield Violation(Rule.CAPACITY, detail=detail)
