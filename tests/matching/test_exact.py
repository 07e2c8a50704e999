"""The fast matcher against the exact optimum computed by CP-SAT."""

from dataclasses import replace

import pytest

pytest.importorskip("ortools", reason="ortools (test extra) is needed for the exact optimum")

from matching.exact import exact_placed, most_hosted
from matching.matcher import match
from matching.synthetic import synthetic_problem


def test_exact_optimum_finds_the_cohorts_a_greedy_choice_would_miss(make):
    # Four people fit only hour 1, four fit hours 1 and 2, three fit only hour 2: all eleven can meet.
    registrants = (
        make.people("a", 4, hours=(1,)) + make.people("b", 4, hours=(1, 2)) + make.people("c", 3, hours=(2,))
    )
    problem = make.problem(make.program(), registrants)
    assert exact_placed(problem).placed == 11
    assert match(problem).placed == 11


def test_exact_optimum_keeps_people_who_avoid_each_other_apart(make):
    registrants = [make.person("a", avoid=("b",)), make.person("b"), *make.people("r", 2)]
    assert exact_placed(make.problem(make.program(), registrants)).placed == 0


# Every seed of small programs, where one person short can already take the ratio below 98% (CP-SAT
# proves each optimum within a second or two), and larger ones on which the matcher once fell short.
REALISTIC_PROGRAMS = [
    *((size, seed) for size in (150, 200, 250, 300) for seed in range(16)),
    (350, 0),
    (350, 6),
    (400, 13),
]


@pytest.mark.parametrize(("size", "seed"), REALISTIC_PROGRAMS)
def test_fast_matcher_places_at_least_98_percent_of_the_optimum_on_realistic_programs(size, seed):
    problem = synthetic_problem(size, seed=seed)
    optimum = exact_placed(problem, time_limit=20)
    placed = match(problem).placed
    assert placed <= optimum.bound
    assert placed >= 0.98 * optimum.bound


@pytest.mark.parametrize(("size", "seed"), [(300, 0), (3_000, 1), (3_000, 2)])
def test_as_many_cohorts_have_a_host_as_a_maximum_flow_allows(size, seed):
    problem = synthetic_problem(size, seed=seed)
    assignment = match(problem)
    hosted = sum(cohort.host is not None for cohort in assignment.cohorts)
    assert hosted == most_hosted([replace(c, host=None) for c in assignment.cohorts], problem.hosts)
