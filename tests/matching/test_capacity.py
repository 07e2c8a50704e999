"""The program's Zoom capacity: at most `max_concurrent` cohorts meeting at once, each for `meeting_hours`."""

from dataclasses import replace

import pytest

from matching.capacity import Load, occupied_slots, overlapping_starts
from matching.codec import InputError, problem_from_json, problem_to_json
from matching.matcher import match
from matching.model import Assignment, Cohort, Waiting, WaitReason
from matching.rules import Rule, Violation, check_cohort
from matching.validate import check_assignment


def capped(settings, max_concurrent, meeting_hours=1):
    return replace(settings, max_concurrent=max_concurrent, meeting_hours=meeting_hours)


def meetings_at(cohorts, hour, meeting_hours):
    """How many of `cohorts` are meeting at `hour`, counted without the matcher's arithmetic."""
    return sum(1 for cohort in cohorts if (hour - cohort.slot) % 168 < meeting_hours)


def test_a_long_meeting_late_on_sunday_runs_on_into_monday():
    assert occupied_slots(167, 2) == (167, 0)
    assert occupied_slots(13, 1) == (13,)


def test_only_meetings_starting_near_an_hour_decide_whether_one_fits_then(make):
    assert overlapping_starts(0, 2) == (167, 0, 1)
    assert overlapping_starts(13, 1) == (13,)
    settings = capped(make.program(), 2, meeting_hours=2)
    week = [12, 12, 13, 14, 14, 15, 100]
    for hour in (11, 12, 13, 14, 15, 16):
        near = [slot for slot in week if slot in overlapping_starts(hour, 2)]
        assert Load(settings, near).room(hour) == Load(settings, week).room(hour)


def test_an_hour_is_full_when_an_earlier_long_meeting_still_runs(make):
    load = Load(capped(make.program(), 2, meeting_hours=2), [12, 13])
    assert (load.room(11), load.room(12), load.room(13), load.room(14)) == (1, 0, 0, 1)
    assert not load.fits(13) and load.fits(14)
    assert load.peak == 2


def test_cohorts_that_would_meet_at_the_same_hour_move_to_other_shared_hours(make):
    # Sixteen people free at 13 and 14 form two cohorts; with one meeting at a time they meet an hour apart.
    problem = make.problem(capped(make.program(), 1), make.people("r", 16, hours=(13, 14)))
    assignment = match(problem)
    assert assignment.placed == 16
    assert sorted(cohort.slot for cohort in assignment.cohorts) == [13, 14]


def test_with_one_meeting_at_a_time_one_full_cohort_meets_and_the_rest_wait_for_capacity(make):
    problem = make.problem(capped(make.program(), 1), make.people("r", 12))
    assignment = match(problem)
    assert [len(cohort.members) for cohort in assignment.cohorts] == [8]
    assert {entry.reason for entry in assignment.waitlist} == {WaitReason.NO_MEETING_CAPACITY}
    assert assignment.waitlist[0].detail == {"full_slots": [13], "max_concurrent": 1}


def test_people_free_at_a_second_hour_meet_then_when_one_cohort_fills_the_first(make):
    # Five people free only at 14 and five free at 14 or 17: one full cohort at 14 would leave two waiting.
    registrants = make.people("only", 5, hours=(14,)) + make.people("either", 5, hours=(14, 17))
    assignment = match(make.problem(capped(make.program(), 1), registrants))
    assert assignment.placed == 10
    assert sorted(cohort.slot for cohort in assignment.cohorts) == [14, 17]
    assert {member for cohort in assignment.cohorts if cohort.slot == 14 for member in cohort.members} >= {
        f"only{index}" for index in range(5)
    }


def test_a_condition_meets_at_its_other_hour_so_that_another_can_have_its_only_one(make):
    # One two-hour meeting at a time. CLL meeting at 13 would run on into 14, the only hour four MS
    # people can all meet; CLL's four free at 17 as well meet then instead.
    registrants = [
        *make.people("cll-late", 4, hours=(13, 17)),
        *make.people("cll-early", 3, hours=(13, 14)),
        *make.people("ms-only", 4, condition="MS", hours=(14,)),
        *make.people("ms-either", 3, condition="MS", hours=(14, 15)),
    ]
    assignment = match(make.problem(capped(make.program(), 1, meeting_hours=2), registrants))
    assert assignment.placed == 11
    assert sorted((cohort.condition, cohort.slot, len(cohort.members)) for cohort in assignment.cohorts) == [
        ("CLL", 17, 4),
        ("MS", 14, 7),
    ]


def test_an_hour_has_room_only_when_every_slot_its_meeting_would_occupy_has(make):
    load = Load(capped(make.program(), 1, meeting_hours=2), [166])
    assert load.slots_with_room() == set(range(168)) - {165, 166, 167}
    assert Load(capped(make.program(), 2, meeting_hours=2), [166]).slots_with_room() == set(range(168))


def test_locked_cohorts_take_their_share_of_the_capacity(make):
    registrants = [*make.people("old", 4), *make.people("new", 6, hours=(13, 14))]
    locked = Cohort("c9", "CLL", "en", 13, tuple(f"old{index}" for index in range(4)), locked=True)
    problem = make.problem(capped(make.program(), 1, meeting_hours=2), registrants, cohorts=(locked,))
    assignment = match(problem)
    # The locked meeting runs 13-15, so no new cohort can start at 13 or 14.
    assert assignment.cohorts == (locked,)
    assert {entry.reason for entry in assignment.waitlist} == {WaitReason.NO_MEETING_CAPACITY}


def test_without_a_capacity_any_number_of_cohorts_meet_at_once(make):
    assignment = match(make.problem(make.program(), make.people("r", 24)))
    assert [cohort.slot for cohort in assignment.cohorts] == [13, 13, 13, 13]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"max_concurrent": 0}, "settings.max_concurrent: must be at least 1 (leave it out for no limit)"),
        ({"max_concurrent": -2}, "settings.max_concurrent: must be at least 1 (leave it out for no limit)"),
        ({"max_concurrent": 2.5}, "settings.max_concurrent: must be an integer"),
        ({"max_concurrent": "3"}, "settings.max_concurrent: must be an integer"),
        ({"meeting_hours": 0}, "settings.meeting_hours: must lie in 1-24"),
        ({"meeting_hours": 25}, "settings.meeting_hours: must lie in 1-24"),
        ({"meeting_hours": True}, "settings.meeting_hours: must be an integer"),
        ({"meeting_hours": None}, "settings.meeting_hours: must be an integer"),
    ],
)
def test_a_bad_capacity_setting_is_refused_naming_the_field(make, settings, message):
    document = problem_to_json(make.problem(make.program(), make.people("r", 4)))
    document["settings"].update(settings)
    with pytest.raises(InputError) as error:
        problem_from_json(document)
    assert str(error.value) == message


def test_capacity_settings_survive_the_json_round_trip(make):
    problem = make.problem(capped(make.program(), 3, meeting_hours=2), make.people("r", 4))
    assert problem_from_json(problem_to_json(problem)).settings == problem.settings
    document = problem_to_json(make.problem(make.program(), make.people("r", 4)))
    del document["settings"]["max_concurrent"], document["settings"]["meeting_hours"]
    settings = problem_from_json(document).settings
    assert (settings.max_concurrent, settings.meeting_hours) == (None, 1)


def test_a_cohort_at_a_full_hour_breaks_the_capacity_rule(make):
    people = make.people("r", 4)
    cohort = Cohort("c1", "CLL", "en", 13, tuple(p.id for p in people), role="patient")
    settings = capped(make.program(), 2, meeting_hours=2)
    # Two meetings started at 12 still run at 13.
    assert check_cohort(cohort, people, settings, program_slots=[12, 12]) == [
        Violation(Rule.CAPACITY, detail={"slot": 13, "meetings": 3, "max_concurrent": 2})
    ]
    # One meeting at 12 leaves room at 13 and 14.
    assert check_cohort(cohort, people, settings, program_slots=[12, 40]) == []
    # Without the other cohorts' hours, or without a capacity, the rule is not checked.
    assert check_cohort(cohort, people, settings) == []
    assert check_cohort(cohort, people, make.program(), program_slots=[13, 13, 13]) == []


def test_the_capacity_rule_names_the_busiest_hour_the_meeting_would_occupy(make):
    people = make.people("r", 4, hours=(167,))
    cohort = Cohort("c1", "CLL", "en", 167, tuple(p.id for p in people), role="patient")
    violations = check_cohort(cohort, people, capped(make.program(), 1, 2), program_slots=[0])
    assert violations == [Violation(Rule.CAPACITY, detail={"slot": 0, "meetings": 2, "max_concurrent": 1})]


def test_output_with_more_cohorts_at_once_than_the_capacity_is_reported(make):
    registrants = make.people("r", 8, hours=(13, 14))
    problem = make.problem(capped(make.program(), 1, meeting_hours=2), registrants)
    cohorts = (
        Cohort("c1", "CLL", "en", 13, tuple(f"r{index}" for index in range(4)), role="patient"),
        Cohort("c2", "CLL", "en", 14, tuple(f"r{index}" for index in range(4, 8)), role="patient"),
    )
    assert check_assignment(problem, Assignment(cohorts, ())) == [
        "slot 14: 2 cohorts meet at once, more than the 1 allowed"
    ]


def test_given_cohorts_over_the_capacity_are_the_coordinators_but_nothing_may_join_them(make):
    registrants = make.people("r", 12)
    given = tuple(
        Cohort(f"g{n}", "CLL", "en", 13, tuple(f"r{i}" for i in range(4 * n, 4 * n + 4)), locked=True)
        for n in range(2)
    )
    problem = make.problem(capped(make.program(), 1), registrants, cohorts=given)
    third = Cohort("c1", "CLL", "en", 13, tuple(f"r{i}" for i in range(8, 12)), role="patient")
    assert (
        check_assignment(
            problem, Assignment(given, tuple(Waiting(f"r{i}", WaitReason.NO_ROOM) for i in range(8, 12)))
        )
        == []
    )
    assert check_assignment(problem, Assignment((*given, third), ())) == [
        "slot 13: 3 cohorts meet at once, more than the 2 allowed"
    ]


@pytest.mark.slow
@pytest.mark.parametrize(("max_concurrent", "meeting_hours"), [(1, 1), (2, 2), (3, 1), (5, 3)])
def test_a_synthetic_program_never_has_more_cohorts_meeting_at_once_than_its_capacity(
    max_concurrent, meeting_hours
):
    from matching.synthetic import synthetic_problem

    base = synthetic_problem(400, seed=4)
    problem = replace(base, settings=capped(base.settings, max_concurrent, meeting_hours))
    assignment = match(problem)
    assert check_assignment(problem, assignment) == []
    peak = max(meetings_at(assignment.cohorts, hour, meeting_hours) for hour in range(168))
    assert peak == max_concurrent
    assert assignment.placed > 0
