"""Checks that a problem is consistent and that an assignment obeys every rule.

These checks are written from the documented rules (docs/interfaces.md), independently of how the matcher
works, so the tests and the CLI's `--check` can hold the matcher to the rules. Each returns a list of
problems in words (empty when all is well); paths such as `registrants[3].stage` name the offending field.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator

from .capacity import Load
from .model import (
    HOURS_PER_WEEK,
    MOST_SUGGESTED_SLOTS,
    ROLES,
    Assignment,
    Cohort,
    Host,
    Problem,
    Registrant,
    Settings,
)
from .rules import Rule, Violation, check_cohort

# A meeting longer than a day is no conversation; the limit also keeps the week's wrap-around simple.
MAX_MEETING_HOURS = 24
HOURS_MESSAGE = f"hours must lie in 0-{HOURS_PER_WEEK - 1}"


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
    if settings.max_concurrent is not None and settings.max_concurrent < 1:
        yield "settings.max_concurrent: must be at least 1 (leave it out for no limit)"
    if not 1 <= settings.meeting_hours <= MAX_MEETING_HOURS:
        yield f"settings.meeting_hours: must lie in 1-{MAX_MEETING_HOURS}"
    for condition, stages in settings.stage_order.items():
        if not stages or len(set(stages)) != len(stages):
            yield f"settings.stage_order.{condition}: must list distinct stages"


def _check_registrants(registrants: Iterable[Registrant], settings: Settings) -> Iterator[str]:
    yield from _duplicates("registrants", (registrant.id for registrant in registrants))
    for index, registrant in enumerate(registrants):
        condition, stage = registrant.condition, registrant.stage
        stages = settings.stage_order.get(condition)
        if stages is None:
            yield f"registrants[{index}].condition: {condition!r} is not in settings.stage_order"
        elif stage is not None and stage not in stages:
            yield f"registrants[{index}].stage: {stage!r} is not a stage of {condition!r}"
        if registrant.role not in ROLES:
            yield f"registrants[{index}].role: must be one of {', '.join(ROLES)}"
        if not registrant.languages:
            yield f"registrants[{index}].languages: must name at least one language"
        if _outside_the_week(registrant.availability):
            yield f"registrants[{index}].availability: {HOURS_MESSAGE}"


def _check_hosts(hosts: Iterable[Host]) -> Iterator[str]:
    yield from _duplicates("hosts", (host.id for host in hosts))
    for index, host in enumerate(hosts):
        if host.max_cohorts < 0:
            yield f"hosts[{index}].max_cohorts: must not be negative"
        if _outside_the_week(host.availability):
            yield f"hosts[{index}].availability: {HOURS_MESSAGE}"


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


def _outside_the_week(hours: Collection[int]) -> bool:
    return bool(hours) and (min(hours) < 0 or max(hours) >= HOURS_PER_WEEK)


def _duplicates(where: str, ids: Iterable[str]) -> Iterator[str]:
    for repeated, count in Counter(ids).items():
        if count > 1:
            yield f"{where}: id {repeated!r} appears {count} times"


def check_assignment(problem: Problem, assignment: Assignment) -> list[str]:
    """Every way `assignment` breaks the documented rules for `problem`.

    Everyone must appear exactly once; locked cohorts must come back unchanged; every other cohort must be
    feasible (`rules.check_cohort`), except that a cohort given in the problem may stay below `min_size`
    (the matcher never breaks up an existing cohort); and no host may be over-committed or in two cohorts
    at one hour. Hours suggested to waiting people must be new to them, and at most three.
    """
    registrants = {registrant.id: registrant for registrant in problem.registrants}
    hosts = {host.id: host for host in problem.hosts}
    given = {cohort.id: cohort for cohort in problem.cohorts}
    problems = list(_check_partition(registrants, assignment))
    problems += _duplicates("cohorts", (cohort.id for cohort in assignment.cohorts))
    led: dict[str, list[tuple[int, int]]] = defaultdict(list)  # host -> (cohort index, slot) of its cohorts
    for index, cohort in enumerate(assignment.cohorts):
        if cohort.host is not None:
            led[cohort.host].append((index, cohort.slot))
    for index, cohort in enumerate(assignment.cohorts):
        original = given.get(cohort.id)
        if original is not None and original.locked:
            if cohort != original:
                problems.append(f"cohort {cohort.id}: locked but changed")
            continue
        violations = check_cohort(
            cohort,
            [registrants[member] for member in cohort.members if member in registrants],
            problem.settings,
            host=hosts.get(cohort.host) if cohort.host is not None else None,
            host_slots=[slot for number, slot in led.get(cohort.host, ()) if number != index],
            may_be_small=original is not None,
        )
        problems += (_in_words(cohort, violation) for violation in violations)
    problems += _check_capacity(problem, assignment)
    problems += _check_suggestions(registrants, assignment)
    # A host's load and double bookings are found from each of its cohorts: say each once.
    return list(dict.fromkeys(problems))


def _check_capacity(problem: Problem, assignment: Assignment) -> Iterator[str]:
    """Hours at which more cohorts meet than `max_concurrent` allows, counting `meeting_hours`.

    Cohorts given in the problem may already fill an hour beyond the capacity (the coordinator's
    decision); then no new cohort may add to it.
    """
    settings = problem.settings
    if settings.max_concurrent is None:
        return
    given = Load(settings, (cohort.slot for cohort in problem.cohorts))
    load = Load(settings, (cohort.slot for cohort in assignment.cohorts))
    for slot, meetings in enumerate(load.meetings):
        allowed = max(settings.max_concurrent, given.meetings[slot])
        if meetings > allowed:
            yield f"slot {slot}: {meetings} cohorts meet at once, more than the {allowed} allowed"


def _check_suggestions(registrants: dict[str, Registrant], assignment: Assignment) -> Iterator[str]:
    """Suggested hours must be new to the person, distinct, hours of the week, and few."""
    for entry in assignment.waitlist:
        slots = entry.suggested_slots
        if len(slots) > MOST_SUGGESTED_SLOTS:
            yield f"{entry.id}: {len(slots)} suggested slots, more than {MOST_SUGGESTED_SLOTS}"
        if len(set(slots)) < len(slots):
            yield f"{entry.id}: a suggested slot is repeated"
        if _outside_the_week(slots):
            yield f"{entry.id}: suggested slots: {HOURS_MESSAGE}"
        person = registrants.get(entry.id)
        offered = sorted(set(slots) & person.availability) if person else []
        if offered:
            yield f"{entry.id}: suggested slots {offered} are already in their availability"


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


def _in_words(cohort: Cohort, violation: Violation) -> str:
    where, detail, members = f"cohort {cohort.id}", violation.detail, violation.members
    host = f"host {detail.get('host')}"
    match violation.rule:
        case Rule.SIZE:
            return f"{where}: has {detail['size']} members, outside {detail['min_size']}-{detail['max_size']}"
        case Rule.CONDITION:
            return f"{where}: member {members[0]} has condition {detail['condition']}, not {cohort.condition}"
        case Rule.LANGUAGE:
            return f"{where}: member {members[0]} does not speak {cohort.language}"
        case Rule.TIME:
            return f"{where}: member {members[0]} is not available at slot {cohort.slot}"
        case Rule.AVOID:
            return f"{where}: member {members[0]} asked not to meet {list(members[1:])}"
        case Rule.ROLE:
            return f"{where}: mixes roles ({', '.join(members)} not {detail['role']})"
        case Rule.STAGE_GAP:
            return f"{where}: stages span {detail['span']} steps, more than {detail['max_stage_gap']}"
        case Rule.HOST_UNKNOWN:
            return f"{where}: {host} is not a host"
        case Rule.HOST_CONDITION:
            return f"{where}: {host} does not host {cohort.condition}"
        case Rule.HOST_LANGUAGE:
            return f"{where}: {host} does not speak {cohort.language}"
        case Rule.HOST_TIME:
            return f"{where}: {host} is not available at slot {cohort.slot}"
        case Rule.HOST_LOAD:
            return f"{host}: leads {detail['cohorts']} cohorts, more than {detail['max_cohorts']}"
        case Rule.HOST_DOUBLE_BOOKED:
            return f"{host}: leads {detail['cohorts']} cohorts at slot {cohort.slot}"
