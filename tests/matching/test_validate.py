from dataclasses import replace

import pytest

from matching.model import Assignment, Cohort, Waiting, WaitReason
from matching.validate import check_assignment


def subject(make):
    registrants = [
        *make.people("r", 4),
        make.person("far", stage="late"),
        make.person("es", languages=("es",)),
        make.person("busy", hours=(14,)),
        make.person("care", role="caregiver"),
        make.person("ms", condition="MS"),
        make.person("foe", avoid=("r0",)),
    ]
    hosts = [make.host("h"), make.host("h2", hours=(14,))]
    return make.problem(make.program(), registrants, hosts)


def assign(problem, members, host=None, slot=13):
    placed = set(members)
    waiting = tuple(
        Waiting(person.id, WaitReason.NO_ROOM) for person in problem.registrants if person.id not in placed
    )
    return Assignment((Cohort("c1", "CLL", "en", slot, tuple(members), host=host, role="patient"),), waiting)


def test_a_feasible_cohort_has_no_problems(make):
    problem = subject(make)
    assert check_assignment(problem, assign(problem, ["r0", "r1", "r2", "r3"], host="h")) == []


@pytest.mark.parametrize(
    ("members", "host", "expected"),
    [
        (["r0", "r1", "r2"], None, "has 3 members, outside 4-8"),
        (["r0", "r1", "r2", "far"], None, "stages span 2 steps"),
        (["r0", "r1", "r2", "es"], None, "member es does not speak en"),
        (["r0", "r1", "r2", "busy"], None, "member busy is not available at slot 13"),
        (["r0", "r1", "r2", "care"], None, "mixes roles"),
        (["r0", "r1", "r2", "ms"], None, "member ms has condition MS"),
        (["r0", "r1", "r2", "foe"], None, "member foe asked not to meet ['r0']"),
        (["r0", "r1", "r2", "r3"], "h2", "host h2 is not available at slot 13"),
        (["r0", "r1", "r2", "r3"], "nobody", "host nobody is not a host"),
    ],
)
def test_each_broken_rule_is_reported(make, members, host, expected):
    problem = subject(make)
    problems = check_assignment(problem, assign(problem, members, host=host))
    assert any(expected in message for message in problems), problems


def test_someone_missing_or_placed_twice_is_reported(make):
    problem = subject(make)
    assignment = assign(problem, ["r0", "r1", "r2", "r3"])
    missing = replace(assignment, waitlist=assignment.waitlist[1:])
    twice = replace(assignment, waitlist=(*assignment.waitlist, Waiting("r0", WaitReason.NO_ROOM)))
    assert check_assignment(problem, missing) == ["far: is neither in a cohort nor on the waitlist"]
    assert check_assignment(problem, twice) == ["r0: appears 2 times"]


def test_host_over_capacity_or_double_booked_is_reported(make):
    problem = make.problem(make.program(), make.people("r", 8), [make.host("h")])
    cohorts = (
        Cohort("c1", "CLL", "en", 13, ("r0", "r1", "r2", "r3"), host="h"),
        Cohort("c2", "CLL", "en", 13, ("r4", "r5", "r6", "r7"), host="h"),
    )
    problems = check_assignment(problem, Assignment(cohorts, ()))
    assert problems == ["host h: leads 2 cohorts, more than 1", "host h: leads 2 cohorts at slot 13"]


def test_changed_locked_cohort_is_reported(make):
    locked = Cohort("old", "CLL", "en", 13, ("r0", "r1", "r2", "r3"), locked=True)
    problem = make.problem(make.program(), make.people("r", 5), cohorts=(locked,))
    changed = replace(locked, members=(*locked.members, "r4"))
    assert check_assignment(problem, Assignment((changed,), ())) == ["cohort old: locked but changed"]
