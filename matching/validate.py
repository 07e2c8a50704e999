"""Checks that a problem is consistent and that an assignment obeys every rule.

These checks are written from the contract, independently of how the matcher works, so the tests and the
CLI's `--check` can hold the matcher to the rules. Each returns a list of problems in words (empty when
all is well); paths such as `registrants[3].stage` name the offending field.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from .model import HOURS_PER_WEEK, ROLES, Assignment, Cohort, Host, Problem, Registrant, Settings


def check_problem(problem: Problem) -> list[str]:
    """Inconsistencies in a problem: unknown or repeated ids, stages, roles, hours or cohort members."""
    return [
        *_check_settings(problem.settings),
        *_check_registrants(problem.registrants, problem.settings),
        *_check_hosts(problem.hosts),
        *_check_given_cohorts(problem),
    ]


def _check_settings(settings: Settings) -> Iterator[str]:
    if settings.min_size < 1:
        yield "settings.min_size: must be at least 1"
    if settings.max_size < settings.min_size:
        yield "settings.max_size: must be at least min_size"
    if not settings.min_size <= settings.target_size <= settings.max_size:
        yield "settings.target_size: must lie between min_size and max_size"
    if settings.max_stage_gap < 0:
        yield "settings.max_stage_gap: must not be negative"
    for condition, stages in settings.stage_order.items():
        if not stages or len(set(stages)) != len(stages):
            yield f"settings.stage_order.{condition}: must list distinct stages"


def _check_registrants(registrants: Iterable[Registrant], settings: Settings) -> Iterator[str]:
    yield from _duplicates("registrants", (registrant.id for registrant in registrants))
    for index, registrant in enumerate(registrants):
        where = f"registrants[{index}]"
        stages = settings.stage_order.get(registrant.condition)
        if stages is None:
            yield f"{where}.condition: {registrant.condition!r} is not in settings.stage_order"
        elif registrant.stage not in stages:
            yield f"{where}.stage: {registrant.stage!r} is not a stage of {registrant.condition!r}"
        if registrant.role not in ROLES:
            yield f"{where}.role: must be one of {', '.join(ROLES)}"
        if not registrant.languages:
            yield f"{where}.languages: must name at least one language"
        yield from _check_hours(f"{where}.availability", registrant.availability)


def _check_hosts(hosts: Iterable[Host]) -> Iterator[str]:
    yield from _duplicates("hosts", (host.id for host in hosts))
    for index, host in enumerate(hosts):
        if host.max_cohorts < 0:
            yield f"hosts[{index}].max_cohorts: must not be negative"
        yield from _check_hours(f"hosts[{index}].availability", host.availability)


def _check_given_cohorts(problem: Problem) -> Iterator[str]:
    registrant_ids = {registrant.id for registrant in problem.registrants}
    host_ids = {host.id for host in problem.hosts}
    yield from _duplicates("cohorts", (cohort.id for cohort in problem.cohorts))
    seen: set[str] = set()
    for index, cohort in enumerate(problem.cohorts):
        where = f"cohorts[{index}]"
        if cohort.host is not None and cohort.host not in host_ids:
            yield f"{where}.host: {cohort.host!r} is not in hosts"
        if not 0 <= cohort.slot < HOURS_PER_WEEK:
            yield f"{where}.slot: must be an hour of the week, 0-167"
        for member in cohort.members:
            if member not in registrant_ids:
                yield f"{where}.members: {member!r} is not in registrants"
            elif member in seen:
                yield f"{where}.members: {member!r} is already a member of another cohort"
            seen.add(member)


def _check_hours(where: str, hours: Iterable[int]) -> Iterator[str]:
    if any(not 0 <= hour < HOURS_PER_WEEK for hour in hours):
        yield f"{where}: hours must lie in 0-167"


def _duplicates(where: str, ids: Iterable[str]) -> Iterator[str]:
    for repeated, count in Counter(ids).items():
        if count > 1:
            yield f"{where}: id {repeated!r} appears {count} times"


def check_assignment(problem: Problem, assignment: Assignment) -> list[str]:
    """Every way `assignment` breaks the contract for `problem`.

    Everyone must appear exactly once; locked cohorts must come back unchanged; every other cohort must be
    feasible, except that a cohort given in the problem may stay below `min_size` (the matcher never
    breaks up an existing cohort); and no host may be over-committed or in two cohorts at one hour.
    """
    registrants = {registrant.id: registrant for registrant in problem.registrants}
    hosts = {host.id: host for host in problem.hosts}
    given = {cohort.id: cohort for cohort in problem.cohorts}
    problems = list(_check_partition(registrants, assignment))
    problems += _duplicates("cohorts", (cohort.id for cohort in assignment.cohorts))
    for cohort in assignment.cohorts:
        original = given.get(cohort.id)
        if original is not None and original.locked:
            if cohort != original:
                problems.append(f"cohort {cohort.id}: locked but changed")
            continue
        members = [registrants[member] for member in cohort.members if member in registrants]
        problems += _check_cohort(cohort, members, problem.settings, may_be_small=original is not None)
        problems += _check_cohort_host(cohort, hosts)
    problems += _check_host_loads(assignment.cohorts, hosts)
    return problems


def _check_partition(registrants: dict[str, Registrant], assignment: Assignment) -> Iterator[str]:
    appearances = Counter(member for cohort in assignment.cohorts for member in cohort.members)
    appearances.update(waiting.id for waiting in assignment.waitlist)
    for person, count in sorted(appearances.items()):
        if person not in registrants:
            yield f"{person}: is not a registrant"
        elif count > 1:
            yield f"{person}: appears {count} times"
    for person in sorted(registrants.keys() - appearances.keys()):
        yield f"{person}: is neither in a cohort nor on the waitlist"


def _check_cohort(
    cohort: Cohort, members: list[Registrant], settings: Settings, may_be_small: bool
) -> Iterator[str]:
    where = f"cohort {cohort.id}"
    size = len(cohort.members)
    if size > settings.max_size or (size < settings.min_size and not may_be_small):
        yield f"{where}: has {size} members, outside {settings.min_size}-{settings.max_size}"
    for member in members:
        if member.condition != cohort.condition:
            yield f"{where}: member {member.id} has condition {member.condition}, not {cohort.condition}"
        if cohort.language not in member.languages:
            yield f"{where}: member {member.id} does not speak {cohort.language}"
        if cohort.slot not in member.availability:
            yield f"{where}: member {member.id} is not available at slot {cohort.slot}"
        avoided = sorted((member.avoid - {member.id}) & set(cohort.members))  # naming oneself means nothing
        if avoided:
            yield f"{where}: member {member.id} asked not to meet {avoided}"
    if settings.separate_roles and len({member.role for member in members}) > 1:
        yield f"{where}: mixes roles"
    stages = [settings.stage_order[cohort.condition].index(member.stage) for member in members]
    if stages and max(stages) - min(stages) > settings.max_stage_gap:
        yield f"{where}: stages span {max(stages) - min(stages)} steps, more than {settings.max_stage_gap}"


def _check_cohort_host(cohort: Cohort, hosts: dict[str, Host]) -> Iterator[str]:
    if cohort.host is None:
        return
    host = hosts.get(cohort.host)
    where = f"cohort {cohort.id}: host {cohort.host}"
    if host is None:
        yield f"{where} is not a host"
        return
    if cohort.condition not in host.conditions:
        yield f"{where} does not host {cohort.condition}"
    if cohort.language not in host.languages:
        yield f"{where} does not speak {cohort.language}"
    if cohort.slot not in host.availability:
        yield f"{where} is not available at slot {cohort.slot}"


def _check_host_loads(cohorts: Iterable[Cohort], hosts: dict[str, Host]) -> Iterator[str]:
    slots_of: dict[str, list[int]] = defaultdict(list)
    for cohort in cohorts:
        if cohort.host is not None:
            slots_of[cohort.host].append(cohort.slot)
    for host_id, slots in sorted(slots_of.items()):
        host = hosts.get(host_id)
        if host is not None and len(slots) > host.max_cohorts:
            yield f"host {host_id}: leads {len(slots)} cohorts, more than {host.max_cohorts}"
        for slot, count in sorted(Counter(slots).items()):
            if count > 1:
                yield f"host {host_id}: leads {count} cohorts at slot {slot}"
