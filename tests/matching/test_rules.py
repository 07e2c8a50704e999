"""Each feasibility rule of one cohort, as `rules.check_cohort` reports it, and how changes are compared."""

from dataclasses import replace

import pytest

from matching.model import Assignment, Cohort
from matching.rules import UNKNOWN_STAGE, Rule, Violation, check_cohort, is_worse
from matching.validate import check_assignment


def cohort(members, *, host=None, slot=13, role="patient", language="en"):
    return Cohort("c1", "CLL", language, slot, tuple(members), host=host, role=role)


def four(make, **fields):
    return [*make.people("r", 3), make.person("r3", **fields)]


def test_a_feasible_cohort_breaks_no_rule(make):
    people = make.people("r", 4)
    host = make.host("h", max_cohorts=2)
    assert (
        check_cohort(cohort(p.id for p in people), people, make.program(), host=host, host_slots=[40]) == []
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"condition": "MS"},
            Violation(Rule.CONDITION, ("r3",), {"condition": "MS", "cohort_condition": "CLL"}),
        ),
        ({"languages": ("es",)}, Violation(Rule.LANGUAGE, ("r3",), {"language": "en"})),
        ({"hours": (14,)}, Violation(Rule.TIME, ("r3",), {"slot": 13})),
        ({"role": "caregiver"}, Violation(Rule.ROLE, ("r3",), {"role": "patient"})),
        ({"avoid": ("r0", "r3", "elsewhere")}, Violation(Rule.AVOID, ("r3", "r0"))),
        (
            {"stage": "late"},
            Violation(
                Rule.STAGE_GAP, ("r0", "r1", "r2", "r3"),
                {"span": 2, "max_stage_gap": 1, "lowest": "early", "highest": "late"},
            ),
        ),
    ],
)  # fmt: skip
def test_each_member_rule_names_the_member_and_the_facts(make, fields, expected):
    people = four(make, **fields)
    assert check_cohort(cohort(p.id for p in people), people, make.program()) == [expected]


def test_a_stage_one_step_away_is_allowed_and_an_unknown_stage_fits_any(make):
    people = [*four(make, stage="middle"), make.person("unsure", stage=UNKNOWN_STAGE)]
    assert check_cohort(cohort(p.id for p in people), people, make.program()) == []


def test_without_a_cohort_role_most_members_set_it(make):
    people = [*make.people("p", 3), make.person("c", role="caregiver")]
    violations = check_cohort(cohort((p.id for p in people), role=None), people, make.program())
    assert violations == [Violation(Rule.ROLE, ("c",), {"role": "patient"})]


def test_roles_mix_freely_where_the_program_does_not_separate_them(make):
    people = four(make, role="caregiver")
    program = replace(make.program(), separate_roles=False)
    assert check_cohort(cohort(p.id for p in people), people, program) == []


@pytest.mark.parametrize(
    ("size", "may_be_small", "broken"), [(3, False, True), (3, True, False), (9, True, True)]
)
def test_size_must_lie_within_the_program_s_bounds(make, size, may_be_small, broken):
    people = make.people("r", size)
    violations = check_cohort(cohort(p.id for p in people), people, make.program(), may_be_small=may_be_small)
    expected = [Violation(Rule.SIZE, (), {"size": size, "min_size": 4, "max_size": 8})] if broken else []
    assert violations == expected


@pytest.mark.parametrize(
    ("host", "other_slots", "expected"),
    [
        (None, (), Violation(Rule.HOST_UNKNOWN, (), {"host": "h"})),
        ("spanish", (), Violation(Rule.HOST_LANGUAGE, (), {"host": "h", "language": "en"})),
        ("busy", (), Violation(Rule.HOST_TIME, (), {"host": "h", "slot": 13})),
        ("h", (40,), Violation(Rule.HOST_LOAD, (), {"host": "h", "cohorts": 2, "max_cohorts": 1})),
    ],
)
def test_each_host_rule_is_reported(make, host, other_slots, expected):
    hosts = {
        "h": make.host("h"),
        "spanish": make.host("h", languages=("es",)),
        "busy": make.host("h", hours=(14,)),
    }
    people = make.people("r", 4)
    violations = check_cohort(
        cohort((p.id for p in people), host="h"), people, make.program(), host=hosts.get(host),
        host_slots=other_slots,
    )  # fmt: skip
    assert violations == [expected]


def test_a_host_of_another_condition_is_reported(make):
    people = make.people("r", 4, condition="MS")
    ms_cohort = replace(cohort((p.id for p in people), host="h"), condition="MS")
    violations = check_cohort(ms_cohort, people, make.program(), host=make.host("h"))
    assert violations == [Violation(Rule.HOST_CONDITION, (), {"host": "h", "condition": "MS"})]


def test_a_host_at_the_same_hour_twice_is_double_booked(make):
    people = make.people("r", 4)
    violations = check_cohort(
        cohort((p.id for p in people), host="h"), people, make.program(),
        host=make.host("h", max_cohorts=3), host_slots=(13, 40),
    )  # fmt: skip
    assert violations == [Violation(Rule.HOST_DOUBLE_BOOKED, (), {"host": "h", "slot": 13, "cohorts": 2})]


def test_the_matcher_s_check_reports_what_check_cohort_finds(make):
    people = four(make, languages=("es",))
    problem = make.problem(make.program(), people)
    assignment = Assignment((cohort(p.id for p in people),), ())
    assert check_assignment(problem, assignment) == ["cohort c1: member r3 does not speak en"]


def size(value):
    return Violation(Rule.SIZE, (), {"size": value, "min_size": 4, "max_size": 8})


def gap(span):
    return Violation(Rule.STAGE_GAP, ("a", "b"), {"span": span, "max_stage_gap": 1})


@pytest.mark.parametrize(
    ("after", "before", "worse"),
    [
        (Violation(Rule.TIME, ("r1",), {"slot": 13}), [], True),
        (Violation(Rule.TIME, ("r1",), {"slot": 13}), [Violation(Rule.TIME, ("r1",), {"slot": 13})], False),
        (Violation(Rule.TIME, ("r1",), {"slot": 14}), [Violation(Rule.TIME, ("r1",), {"slot": 13})], True),
        (size(3), [], True),
        (size(3), [size(2)], False),
        (size(2), [size(3)], True),
        (size(9), [size(3)], True),
        (size(9), [size(10)], False),
        (gap(2), [gap(2)], False),
        (gap(3), [gap(2)], True),
    ],
)
def test_a_change_is_worse_only_when_it_breaks_a_rule_more(after, before, worse):
    assert is_worse(after, before) is worse
