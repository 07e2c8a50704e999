"""Whatever the input, the matcher's output is a partition of the registrants into feasible cohorts."""

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.matcher import match
from matching.model import Host, Problem, Registrant, Settings
from matching.validate import check_assignment

STAGES = ("a", "b", "c", "d")
HOURS = st.frozensets(st.integers(0, 5), max_size=4)


@st.composite
def problems(draw) -> Problem:
    min_size = draw(st.integers(2, 5))
    max_size = draw(st.integers(min_size, 9))
    program = Settings(
        min_size=min_size,
        max_size=max_size,
        target_size=draw(st.integers(min_size, max_size)),
        max_stage_gap=draw(st.integers(0, 2)),
        separate_roles=draw(st.booleans()),
        stage_order={"X": STAGES, "Y": STAGES},
        max_concurrent=draw(st.none() | st.integers(1, 3)),
        meeting_hours=draw(st.integers(1, 3)),
    )
    count = draw(st.integers(0, 40))
    ids = [f"r{index}" for index in range(count)]
    registrants = tuple(
        Registrant(
            id=person,
            condition=draw(st.sampled_from(["X", "X", "Y"])),
            stage=draw(st.sampled_from([*STAGES, None])),  # None: not sure of their stage
            role=draw(st.sampled_from(["patient", "patient", "caregiver"])),
            languages=tuple(
                draw(st.lists(st.sampled_from(["en", "es"]), min_size=1, max_size=2, unique=True))
            ),
            availability=draw(HOURS),
            avoid=frozenset(draw(st.lists(st.sampled_from(ids), max_size=1)))
            if draw(st.booleans())
            else frozenset(),
        )
        for person in ids
    )
    hosts = tuple(
        Host(
            f"h{index}",
            frozenset(draw(st.sets(st.sampled_from(["X", "Y"]), min_size=1))),
            ("en",),
            draw(HOURS),
            draw(st.integers(0, 3)),
        )
        for index in range(draw(st.integers(0, 3)))
    )
    return Problem(program, registrants, hosts)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(problems())
def test_every_assignment_is_a_valid_partition_into_feasible_cohorts(problem):
    assignment = match(problem)
    assert check_assignment(problem, assignment) == []


@settings(max_examples=200, derandomize=True, deadline=None)
@given(problems())
def test_no_hour_ever_has_more_cohorts_meeting_than_the_capacity(problem):
    limit, hours = problem.settings.max_concurrent, problem.settings.meeting_hours
    cohorts = match(problem).cohorts
    # Counted here from the documented rule, not with the matcher's own arithmetic.
    busiest = max(sum((hour - cohort.slot) % 168 < hours for cohort in cohorts) for hour in range(168))
    assert limit is None or busiest <= limit


@settings(max_examples=60, derandomize=True, deadline=None)
@given(problems())
def test_matching_twice_gives_the_same_answer(problem):
    assert match(problem) == match(problem)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(problems())
def test_rematching_with_every_cohort_locked_keeps_them_and_stays_valid(problem):
    first = match(problem)
    locked = tuple(replace(cohort, locked=True) for cohort in first.cohorts)
    again_problem = Problem(problem.settings, problem.registrants, problem.hosts, locked)
    again = match(again_problem)
    assert again.cohorts[: len(locked)] == locked
    assert check_assignment(again_problem, again) == []
