"""The matcher: from a problem to an assignment, bucket by bucket.

For each bucket (condition, and role where roles are separated): open places in the existing, unlocked
cohorts are filled first; then the rest are planned into options (`plan`, on the bucket reshaped by
`apart` so that no option is open to two people who avoid each other), split into cohorts (`packing`),
and those still unplaced try every cohort of the bucket with room. Hosts are given last, over all
cohorts at once (`hosting`), and each waiting person gets a reason (`reasons`) and, where a new hour would
place them, hours to suggest (`suggestions`).

With a Zoom capacity (`max_concurrent`, counted by `capacity`), planning skips full hours and an option
forms only as many cohorts as its hour has room for (full ones, then); the people crowded out are planned
again. Forming the fullest cohorts first over all buckets (`fullest`) is tried as well, and the answer
placing more is kept; then a search over all buckets at once (`allotment`) trades the scarce hours
between cohorts where that places more people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from .allotment import allot_hours
from .apart import keep_apart
from .capacity import Load
from .collector import collector_paused
from .fullest import form_fullest_cohorts
from .grouping import Bucket, BucketKey, build_bucket, split_into_buckets
from .hosting import assign_hosts
from .model import HOURS_PER_WEEK, Assignment, Cohort, Host, Problem, Registrant, Settings, Waiting
from .packing import Draft, Packing, fill_open_places, pack_plan
from .plan import plan_bucket
from .reasons import explain_waiting
from .suggestions import add_suggestions
from .validate import check_problem

# Called with (what is being done, how many registrants are done, how many there are in all).
ProgressCallback = Callable[[str, int, int], None]


@collector_paused()
def match(problem: Problem, on_progress: ProgressCallback | None = None, *, check: bool = True) -> Assignment:
    """Group registrants into feasible cohorts, placing as many as possible, and explain who waits.

    Deterministic: the same problem always gives the same assignment. Raises ValueError listing the
    problem's inconsistencies (see `validate.check_problem`) before doing any work; `check=False` skips
    that for a problem known to be consistent (`codec.problem_from_json` checks what it reads).
    """
    problems = check_problem(problem) if check else []
    if problems:
        raise ValueError("; ".join(problems))
    report = on_progress or _ignore_progress
    settings = problem.settings
    stage_of = {r.id: settings.stage_index(r.condition, r.stage) for r in problem.registrants}
    given = _drafts_of_given_cohorts(problem, stage_of)
    in_given = {member.id for draft in given for member in draft.members}
    open_by_bucket: dict[BucketKey, list[Draft]] = defaultdict(list)
    for draft in given:
        if not draft.locked:
            open_by_bucket[draft.condition, draft.role].append(draft)
    host_masks = _host_masks(problem.hosts)
    load = Load(settings, (draft.slot for draft in given))

    planned_load = load.copy()
    wholes: list[Bucket] = []
    free: list[Bucket] = []  # each bucket's people in no given cohort, kept apart (only with a capacity)
    packings: list[Packing] = []
    done, total = 0, len(problem.registrants)
    for key, people in split_into_buckets(problem.registrants, settings).items():
        # Reasons count everyone of the bucket, so the bucket is built with everyone and planned in part.
        whole = build_bucket(key, people, settings)
        pool = [person for person in people if person.id not in in_given]
        rest = fill_open_places(open_by_bucket[key], pool, settings)
        bucket = keep_apart(whole.keeping({person.id for person in rest}))
        packings.append(_plan_bucket(bucket, settings, stage_of, host_masks, planned_load))
        wholes.append(whole)
        if load.limited:
            free.append(bucket)
        done += len(people)
        report("matching", done, total)
    if load.limited:
        fullest_load = load.copy()
        fullest = form_fullest_cohorts(free, settings, stage_of, fullest_load)
        if _placed(fullest) > _placed(packings):
            packings, planned_load = fullest, fullest_load
        allot_hours(free, packings, settings, stage_of, planned_load)

    new_drafts: list[Draft] = []
    waiting: list[Waiting] = []
    for whole, packing in zip(wholes, packings, strict=True):
        open_drafts = open_by_bucket[whole.condition, whole.role]
        unplaced = fill_open_places([*open_drafts, *packing.drafts], packing.left_over, settings)
        new_drafts += packing.drafts
        if unplaced:
            waiting += explain_waiting(whole, unplaced, settings, planned_load)

    all_drafts = [*given, *new_drafts]
    assign_hosts(all_drafts, problem.hosts)
    report("hosts", total, total)
    cohorts = _finish_cohorts(problem, all_drafts)
    return add_suggestions(problem, Assignment(cohorts, _in_input_order(waiting, problem.registrants)))


def _plan_bucket(
    bucket: Bucket,
    settings: Settings,
    stage_of: dict[str, int | None],
    host_masks: dict[tuple[str, str], int],
    load: Load,
) -> Packing:
    """New cohorts for one bucket's free people, counted in `load`, and who is left over.

    When the program's capacity crowds people out of the hour they were planned for, those left are
    planned again without the hours that are full.
    """
    drafts: list[Draft] = []
    while True:
        open_hours = bucket.closing({slot for slot in range(HOURS_PER_WEEK) if not load.fits(slot)})
        plan = plan_bucket(open_hours, settings, _hosted_options(open_hours, host_masks))
        packing = pack_plan(open_hours, plan, settings, stage_of, load)
        drafts += packing.drafts
        if not (packing.crowded_out and packing.drafts):
            return Packing(drafts, packing.left_over)
        bucket = bucket.keeping({person.id for person in packing.left_over})


def _placed(packings: Iterable[Packing]) -> int:
    return sum(len(draft.members) for packing in packings for draft in packing.drafts)


def _drafts_of_given_cohorts(problem: Problem, stage_of: dict[str, int | None]) -> list[Draft]:
    registrants = {registrant.id: registrant for registrant in problem.registrants}
    drafts = []
    for cohort in problem.cohorts:
        members = [registrants[member] for member in cohort.members]
        role = _role_of(cohort, members, problem.settings)
        draft = Draft(cohort.condition, role, cohort.language, cohort.slot, members, stage_of)
        draft.host, draft.id, draft.locked = cohort.host, cohort.id, cohort.locked
        drafts.append(draft)
    return drafts


def _role_of(cohort: Cohort, members: list[Registrant], settings: Settings) -> str | None:
    """The cohort's role where roles are separated: as given, else its members'."""
    if not settings.separate_roles:
        return None
    return cohort.role or (members[0].role if members else None)


def _host_masks(hosts: Iterable[Host]) -> dict[tuple[str, str], int]:
    """For each (condition, language), the hours at which at least one host could lead a cohort."""
    masks: dict[tuple[str, str], int] = defaultdict(int)
    for host in hosts:
        if host.max_cohorts:
            hours = sum(1 << slot for slot in host.availability)
            for condition in host.conditions:
                for language in host.languages:
                    masks[condition, language] |= hours
    return masks


def _hosted_options(bucket: Bucket, host_masks: dict[tuple[str, str], int]) -> frozenset[int]:
    return frozenset(
        index
        for index, option in enumerate(bucket.options)
        if host_masks.get((bucket.condition, option.language), 0) >> option.slot & 1
    )


def _finish_cohorts(problem: Problem, drafts: list[Draft]) -> tuple[Cohort, ...]:
    """Cohorts in output form: given ones keep their id (locked ones come back as given), new ones
    are numbered c1, c2, ... skipping ids already in use."""
    locked = {cohort.id: cohort for cohort in problem.cohorts if cohort.locked}
    used = {cohort.id for cohort in problem.cohorts}
    numbers = (f"c{number}" for number in range(1, len(used) + len(drafts) + 1))
    cohorts = []
    for draft in drafts:
        if draft.id in locked:
            cohorts.append(locked[draft.id])
            continue
        if draft.id is None:
            draft.id = next(name for name in numbers if name not in used)
        members = draft.members if draft.id in used else sorted(draft.members, key=lambda person: person.id)
        cohorts.append(
            Cohort(
                id=draft.id,
                condition=draft.condition,
                language=draft.language,
                slot=draft.slot,
                members=tuple(member.id for member in members),
                host=draft.host,
                role=draft.role,
            )
        )
    return tuple(cohorts)


def _in_input_order(waiting: list[Waiting], registrants: Iterable[Registrant]) -> tuple[Waiting, ...]:
    position = {registrant.id: index for index, registrant in enumerate(registrants)}
    return tuple(sorted(waiting, key=lambda entry: position[entry.id]))


def _ignore_progress(_stage: str, _done: int, _total: int) -> None:
    """The default progress callback: report nothing."""
