"""The most registrants any assignment could place, computed exactly with OR-Tools CP-SAT.

Used by tests and the benchmark to measure how far the fast matcher is from the best possible; OR-Tools
is a test and benchmark dependency only, imported when this runs.

The model works on the kinds and options of `grouping` (people interchangeable for every rule but avoid,
and the (language, hour, stage window) terms a cohort meets under): an integer `x[k, o]` says how many
people of kind k meet under option o, and an integer `n[o]` how many cohorts option o forms, with
`min_size * n[o] <= sum_k x[k, o] <= max_size * n[o]` and no kind used beyond its number of people.
Every feasible cohort fits some option and any such group of people splits into feasible cohorts, so
without avoid requests the optimum of this model is the true optimum.

Avoid requests are handled in part: people in one get a kind of their own, and two people who avoid each
other may meet under the same option only if it forms at least two cohorts (so they can be apart). That
is exact unless several avoid requests under one option cannot all be kept apart at once (a cycle of
three, say), so the result is an upper bound on what any assignment can place, and in practice the
optimum. Hosts do not affect how many can be placed and are left out. Given cohorts are not supported.

With `max_concurrent`, buckets share the program's hours, so they are solved as one model: each option
counts its cohorts (`n[o]`), and at every hour the cohorts of the options whose meetings occupy it (see
`capacity`) number at most `max_concurrent`.

`most_hosted` gives, for cohorts already formed, the most of them that the hosts could lead at once
(a maximum flow), to hold the matcher's hosting to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .capacity import occupied_slots
from .grouping import Bucket, build_bucket, split_into_buckets
from .model import Cohort, Host, Problem, Registrant, Settings


@dataclass(frozen=True, slots=True)
class ExactResult:
    """The best number placed that the solver found, and the proven upper bound on it."""

    placed: int
    bound: int

    @property
    def optimal(self) -> bool:
        """Whether the solver proved `placed` to be the optimum."""
        return self.placed == self.bound


def exact_placed(problem: Problem, work_limit: float = 60.0) -> ExactResult:
    """Solve for the most registrants that can be placed (avoid requests relaxed; see the module doc).

    Each bucket stops after `work_limit` units of CP-SAT's deterministic time (about a second each on a
    quiet machine); `bound` is then still a valid upper bound. One search worker and a limit in work, not in
    seconds, give the same answer on a busy machine as on a quiet one, only later.
    """
    if problem.cohorts:
        raise ValueError("exact_placed does not support given cohorts")
    settings = problem.settings
    buckets = [
        build_bucket(key, people, settings, alone=_in_avoid_requests(people))
        for key, people in split_into_buckets(problem.registrants, settings).items()
    ]
    # Buckets share nothing but hours, and CP-SAT closes many small models far sooner than one large one.
    unlimited = replace(settings, max_concurrent=None)
    results = [_solve([bucket], unlimited, work_limit) for bucket in buckets]
    if settings.max_concurrent is None:
        return ExactResult(sum(r.placed for r in results), sum(r.bound for r in results))
    # What each bucket could place without the capacity bounds it with one: the model closes far sooner.
    return _solve(buckets, settings, work_limit, [result.bound for result in results])


def _in_avoid_requests(people: Iterable[Registrant]) -> set[str]:
    ids = {person.id for person in people}
    involved = set()
    for person in people:
        named = person.avoid & ids
        if named:
            involved |= named | {person.id}
    return involved


def _avoid_pairs(bucket: Bucket) -> list[tuple[int, int]]:
    """Pairs of (single-person) kinds whose people must not share a cohort."""
    kind_of = {kind.people[0].id: index for index, kind in enumerate(bucket.kinds) if len(kind.people) == 1}
    pairs = {
        tuple(sorted((kind_of[person.id], kind_of[other])))
        for kind in bucket.kinds
        for person in kind.people
        for other in person.avoid
        if person.id in kind_of and other in kind_of
    }
    return sorted(pairs)


def _solve(
    buckets: list[Bucket], settings: Settings, work_limit: float, most: Sequence[int] = ()
) -> ExactResult:
    """The most people `buckets` can place together; `most` may bound each bucket's share."""
    from ortools.sat.python import cp_model  # a test and benchmark dependency only

    model = cp_model.CpModel()
    placed = []
    at_slot: dict[int, list] = defaultdict(list)  # slot -> the cohort counts of the options starting then
    for index, bucket in enumerate(buckets):
        terms = _add_bucket(model, bucket, settings, at_slot)
        if index < len(most) and terms:
            model.add(sum(terms) <= most[index])
        placed += terms
    if not placed:
        return ExactResult(0, 0)
    meeting_at: dict[int, list] = defaultdict(list)  # slot -> the cohort counts of the meetings occupying it
    for start, cohorts in at_slot.items():
        for occupied in occupied_slots(start, settings.meeting_hours):
            meeting_at[occupied] += cohorts
    for cohorts in meeting_at.values():
        model.add(sum(cohorts) <= settings.max_concurrent)
    model.maximize(sum(placed))
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = work_limit
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"CP-SAT found no solution: {solver.status_name(status)}")
    return ExactResult(placed=round(solver.objective_value), bound=round(solver.best_objective_bound))


def _add_bucket(model, bucket: Bucket, settings: Settings, at_slot: dict[int, list]) -> list:
    """Add one bucket's variables and constraints, its options' cohort counts to `at_slot` when the
    program has a capacity; return the terms counting its people placed."""
    counts = [len(kind.people) for kind in bucket.kinds]
    uses: list[list] = [[] for _ in bucket.kinds]
    placed = []
    pairs = _avoid_pairs(bucket)
    for option, kinds in useful_options(bucket, settings):
        supply = sum(counts[kind] for kind in kinds)
        members = {kind: model.new_int_var(0, counts[kind], f"x_{option}_{kind}") for kind in kinds}
        for kind, variable in members.items():
            uses[kind].append(variable)
        cohorts = _add_size_rule(model, list(members.values()), supply, settings)
        if settings.max_concurrent is not None:
            at_slot[bucket.options[option].slot].append(cohorts)
        for first, second in pairs:
            if first in members and second in members:
                # Both here means at least two cohorts, so at least twice min_size people.
                together = model.new_bool_var(f"together_{option}_{first}_{second}")
                model.add(members[first] + members[second] <= 1 + together)
                model.add(sum(members.values()) >= 2 * settings.min_size * together)
        placed += members.values()
    for kind, variables in enumerate(uses):
        if variables:
            model.add(sum(variables) <= counts[kind])
    return placed


def _add_size_rule(model, members: list, supply: int, settings: Settings):
    """The people under one option must split into cohorts of `min_size..max_size` (or be none); return
    what counts its cohorts (a yes/no where one cohort per option is all that is counted)."""
    if settings.max_size >= 2 * settings.min_size - 1 and settings.max_concurrent is None:
        # Every total from min_size up splits into feasible cohorts: one yes/no is enough, and much
        # easier for the solver than a number of cohorts.
        used = model.new_bool_var("used")
        model.add(sum(members) >= settings.min_size * used)
        model.add(sum(members) <= supply * used)
        return used
    else:
        cohorts = model.new_int_var(0, supply // settings.min_size, "cohorts")
        model.add(sum(members) >= settings.min_size * cohorts)
        model.add(sum(members) <= settings.max_size * cohorts)
    return cohorts


def useful_options(bucket: Bucket, settings: Settings) -> list[tuple[int, list[int]]]:
    """(option, its eligible kinds) for each option worth considering, each list of kinds once.

    An option with too few eligible people can never be used, and one whose eligible kinds are all
    eligible for another option too is never needed (its people could meet under the other), so both
    are dropped without changing the optimum. With a capacity, the other option must be at the same hour
    (an option at another hour may be full).
    """
    counts = [len(kind.people) for kind in bucket.kinds]
    limited = settings.max_concurrent is not None
    candidates = {
        (bucket.options[option].slot if limited else 0, sum(1 << kind for kind in kinds)): option
        for option, kinds in enumerate(bucket.option_kinds)
        if sum(counts[kind] for kind in kinds) >= settings.min_size
    }
    # Larger sets first, so each set is only compared with those that could contain it.
    ordered = sorted(candidates, key=lambda key: (-key[1].bit_count(), key))
    kept: dict[int, list[int]] = defaultdict(list)  # hour (0 for all without a capacity) -> kinds kept
    for hour, kinds in ordered:
        if all(kinds & other != kinds for other in kept[hour]):
            kept[hour].append(kinds)
    return sorted(
        (candidates[hour, kinds], bucket.option_kinds[candidates[hour, kinds]])
        for hour, kept_kinds in kept.items()
        for kinds in kept_kinds
    )


def most_hosted(cohorts: Sequence[Cohort], hosts: Sequence[Host]) -> int:
    """The most of `cohorts` that `hosts` could lead at once: each cohort by a host of its condition and
    language free at its hour, each host in at most `max_cohorts` cohorts and one per hour."""
    from ortools.graph.python import max_flow  # a test and benchmark dependency only

    # Nodes: 0 the source, 1 the sink, then one per cohort, one per host and one per (host, hour) seat.
    flow = max_flow.SimpleMaxFlow()
    hosts_at: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for index, host in enumerate(hosts):
        flow.add_arc_with_capacity(2 + len(cohorts) + index, 1, host.max_cohorts)
        for condition in host.conditions:
            for language in set(host.languages):
                for slot in host.availability:
                    hosts_at[condition, language, slot].append(index)
    seats: dict[tuple[int, int], int] = {}
    for index, cohort in enumerate(cohorts):
        flow.add_arc_with_capacity(0, 2 + index, 1)
        for host in hosts_at.get((cohort.condition, cohort.language, cohort.slot), ()):
            if (host, cohort.slot) not in seats:
                seats[host, cohort.slot] = 2 + len(cohorts) + len(hosts) + len(seats)
                flow.add_arc_with_capacity(seats[host, cohort.slot], 2 + len(cohorts) + host, 1)
            flow.add_arc_with_capacity(2 + index, seats[host, cohort.slot], 1)
    if flow.solve(0, 1) != flow.OPTIMAL:
        raise RuntimeError("the maximum flow of hosts could not be computed")
    return flow.optimal_flow()
