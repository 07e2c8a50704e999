import gc
from dataclasses import replace

import pytest

from matching.matcher import match
from matching.model import Cohort, WaitReason
from matching.validate import check_assignment


def members_of(assignment) -> list[set[str]]:
    return [set(cohort.members) for cohort in assignment.cohorts]


def reasons_of(assignment) -> dict[str, WaitReason]:
    return {entry.id: entry.reason for entry in assignment.waitlist}


def test_six_compatible_people_form_one_cohort_at_their_shared_hour(make):
    assignment = match(make.problem(make.program(), make.people("r", 6)))
    assert [(cohort.slot, cohort.language, len(cohort.members)) for cohort in assignment.cohorts] == [
        (13, "en", 6)
    ]
    assert assignment.waitlist == ()


def test_large_group_is_split_into_cohorts_near_target_size(make):
    assignment = match(make.problem(make.program(), make.people("r", 13)))
    assert sorted(len(cohort.members) for cohort in assignment.cohorts) == [6, 7]


def test_roles_are_kept_apart_when_the_program_separates_them(make):
    registrants = make.people("p", 4) + make.people("c", 4, role="caregiver")
    assignment = match(make.problem(make.program(), registrants))
    assert sorted(members_of(assignment), key=sorted) == [{"c0", "c1", "c2", "c3"}, {"p0", "p1", "p2", "p3"}]


def test_roles_mix_when_the_program_allows_it(make):
    registrants = make.people("p", 2) + make.people("c", 2, role="caregiver")
    assignment = match(make.problem(replace(make.program(), separate_roles=False), registrants))
    assert members_of(assignment) == [{"p0", "p1", "c0", "c1"}]


def test_people_who_avoid_each_other_are_never_in_the_same_cohort(make):
    registrants = [make.person("a", avoid=("b",)), *make.people("r", 10), make.person("b")]
    assignment = match(make.problem(make.program(), registrants))
    assert assignment.placed == 12
    assert all(not {"a", "b"} <= cohort for cohort in members_of(assignment))


def test_avoid_request_named_by_either_side_is_honoured(make):
    # Only b names a; with exactly four people nobody can be grouped.
    registrants = [make.person("a"), make.person("b", avoid=("a",)), make.person("c"), make.person("d")]
    assignment = match(make.problem(make.program(), registrants))
    assert assignment.placed == 0
    assert set(reasons_of(assignment).values()) == {WaitReason.AVOID_CONFLICT}


def test_someone_who_asked_to_avoid_a_person_is_placed_where_that_person_cannot_be(make):
    # a fits hour 1 with b (whom a avoids) and two others, or hour 2 with three others. Only the second
    # makes a cohort; setting a aside once the clash shows at hour 1 would leave everyone waiting.
    registrants = [
        make.person("a", avoid=("b",), hours=(1, 2)),
        make.person("b", hours=(1,)),
        *make.people("c", 2, hours=(1,)),
        *make.people("d", 3, hours=(2,)),
    ]
    assignment = match(make.problem(make.program(), registrants))
    assert members_of(assignment) == [{"a", "d0", "d1", "d2"}]


def test_stages_further_apart_than_allowed_are_not_grouped(make):
    registrants = make.people("e", 3, stage="early") + make.people("l", 3, stage="late")
    assignment = match(make.problem(make.program(), registrants))
    assert assignment.cohorts == ()
    assert set(reasons_of(assignment).values()) == {WaitReason.STAGE_TOO_FAR}


def test_neighbouring_stages_meet_together(make):
    registrants = make.people("e", 2, stage="early") + make.people("m", 2, stage="middle")
    assert match(make.problem(make.program(), registrants)).placed == 4


def test_someone_unsure_of_their_stage_is_placed_with_any_stage(make):
    registrants = [*make.people("e", 3, stage="early"), make.person("unsure", stage=None)]
    assignment = match(make.problem(make.program(), registrants))
    assert members_of(assignment) == [{"e0", "e1", "e2", "unsure"}]


def test_unsure_people_do_not_count_towards_the_stage_gap(make):
    # Early and late are two steps apart: each side needs one of the unsure to make a cohort.
    registrants = (
        make.people("e", 3, stage="early")
        + make.people("l", 3, stage="late")
        + make.people("u", 2, stage=None)
    )
    problem = make.problem(make.program(), registrants)
    assignment = match(problem)
    assert assignment.placed == 8
    assert check_assignment(problem, assignment) == []


def test_cohort_has_a_host_who_speaks_its_language_at_its_hour(make):
    assignment = match(
        make.problem(
            make.program(), make.people("r", 6), [make.host("h-es", languages=("es",)), make.host("h-en")]
        )
    )
    assert [cohort.host for cohort in assignment.cohorts] == ["h-en"]


def test_host_never_leads_two_cohorts_at_the_same_hour(make):
    assignment = match(make.problem(make.program(), make.people("r", 16), [make.host("h", max_cohorts=3)]))
    assert sorted(cohort.host for cohort in assignment.cohorts if cohort.host) == ["h"]


def test_host_leads_up_to_max_cohorts_at_different_hours(make):
    registrants = (
        make.people("a", 6, hours=(13,)) + make.people("b", 6, hours=(40,)) + make.people("c", 6, hours=(90,))
    )
    assignment = match(
        make.problem(make.program(), registrants, [make.host("h", hours=(13, 40, 90), max_cohorts=2)])
    )
    assert sum(cohort.host == "h" for cohort in assignment.cohorts) == 2


def test_hosts_are_shared_out_so_every_cohort_gets_one_when_possible(make):
    # h1 could lead either cohort; h2 only the one at 40. Both cohorts must end up hosted.
    registrants = make.people("a", 6, hours=(13,)) + make.people("b", 6, hours=(40,))
    hosts = [make.host("h1", hours=(13, 40)), make.host("h2", hours=(40,))]
    assignment = match(make.problem(make.program(), registrants, hosts))
    assert {cohort.slot: cohort.host for cohort in assignment.cohorts} == {13: "h1", 40: "h2"}


def test_people_are_placed_at_the_hour_most_of_them_share(make):
    registrants = (
        make.people("a", 3, hours=(13, 20))
        + make.people("b", 3, hours=(20,))
        + make.people("c", 2, hours=(13,))
    )
    assignment = match(make.problem(make.program(), registrants))
    assert assignment.placed == 8


def test_same_input_gives_the_same_assignment(make):
    registrants = [
        make.person(f"r{index}", hours=(13, 14 + index % 3), stage=("early", "middle")[index % 2])
        for index in range(40)
    ]
    first = match(make.problem(make.program(), registrants, [make.host("h", hours=(13, 14), max_cohorts=2)]))
    again = match(make.problem(make.program(), registrants, [make.host("h", hours=(13, 14), max_cohorts=2)]))
    assert first == again


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (lambda make: make.people("r", 3), WaitReason.TOO_FEW_PEOPLE),
        (
            lambda make: [make.person("es", languages=("es",)), *make.people("en", 4)],
            WaitReason.NO_SHARED_LANGUAGE,
        ),
        (lambda make: make.people("r", 3) + make.people("s", 2, hours=(14,)), WaitReason.NO_COMMON_TIME),
        (
            lambda make: make.people("e", 2, stage="early") + make.people("a", 3, stage="advanced"),
            WaitReason.STAGE_TOO_FAR,
        ),
    ],
    ids=["too_few_people", "no_shared_language", "no_common_time", "stage_too_far"],
)
def test_waitlist_reason_names_what_kept_people_apart(make, build, reason):
    assignment = match(make.problem(make.program(), build(make)))
    assert reason in reasons_of(assignment).values()


def test_no_common_time_says_which_hours_came_closest(make):
    registrants = [*make.people("r", 2, hours=(13, 50)), make.person("s", hours=(50, 60)), make.person("t")]
    waiting = {entry.id: entry for entry in match(make.problem(make.program(), registrants)).waitlist}
    assert waiting["r0"].reason == WaitReason.NO_COMMON_TIME
    assert waiting["r0"].detail == {
        "best_slots": [{"slot": 13, "count": 3}, {"slot": 50, "count": 3}],
        "needed": 4,
    }


def test_someone_who_fits_only_full_cohorts_waits_for_room(make):
    registrants = make.people("r", 9)
    cohorts = (Cohort("c1", "CLL", "en", 13, tuple(f"r{index}" for index in range(8)), locked=True),)
    assignment = match(make.problem(make.program(), registrants, cohorts=cohorts))
    assert reasons_of(assignment) == {"r8": WaitReason.NO_ROOM}


def test_locked_cohort_comes_back_unchanged_even_with_room(make):
    registrants = make.people("r", 8)
    locked = Cohort("old", "CLL", "en", 13, ("r0", "r1", "r2", "r3"), locked=True)
    assignment = match(make.problem(make.program(), registrants, cohorts=(locked,)))
    assert assignment.cohorts[0] == locked
    assert set(assignment.cohorts[1].members) == {"r4", "r5", "r6", "r7"}


def test_open_places_in_an_unlocked_cohort_are_filled_before_new_cohorts_form(make):
    registrants = make.people("r", 9)
    existing = Cohort("old", "CLL", "en", 13, ("r0", "r1", "r2", "r3", "r4"), role="patient")
    assignment = match(make.problem(make.program(), registrants, cohorts=(existing,)))
    assert [cohort.id for cohort in assignment.cohorts] == ["old"]
    assert assignment.cohorts[0].members[:5] == existing.members
    assert len(assignment.cohorts[0].members) == 8
    assert reasons_of(assignment) == {"r8": WaitReason.NO_ROOM}


def test_new_cohort_ids_do_not_clash_with_existing_ones(make):
    registrants = make.people("r", 12)
    existing = Cohort("c1", "CLL", "en", 13, ("r0", "r1", "r2", "r3"), locked=True)
    assignment = match(make.problem(make.program(), registrants, cohorts=(existing,)))
    assert [cohort.id for cohort in assignment.cohorts] == ["c1", "c2"]


def test_rerunning_on_its_own_output_changes_nothing(make):
    registrants = make.people("r", 14, hours=(13, 14))
    first = match(make.problem(make.program(), registrants, [make.host("h")]))
    again = match(make.problem(make.program(), registrants, [make.host("h")], cohorts=first.cohorts))
    assert again == first


def test_matcher_rejects_cohort_members_who_are_not_registrants(make):
    with pytest.raises(ValueError, match=r"cohorts\[0\].members: 'ghost' is not in registrants"):
        match(
            make.problem(
                make.program(), make.people("r", 4), cohorts=(Cohort("c1", "CLL", "en", 13, ("ghost",)),)
            )
        )


def test_every_output_obeys_the_rules_for_a_mixed_program(make):
    registrants = [
        make.person(
            f"r{index}",
            stage=("early", "middle", "late", "advanced")[index % 4],
            role=("patient", "caregiver")[index % 5 == 0],
            languages=(("en",), ("es",), ("en", "es"))[index % 3],
            hours=(13 + index % 4, 20, 40 + index % 2),
            avoid=(f"r{index + 1}",) if index % 7 == 0 else (),
        )
        for index in range(120)
    ]
    subject = make.problem(
        make.program(),
        registrants,
        [make.host("h1", hours=(13, 20), max_cohorts=2), make.host("h2", hours=(20,))],
    )
    assert check_assignment(subject, match(subject)) == []


def test_a_match_runs_with_the_cycle_collector_paused_and_leaves_it_as_it_found_it(make):
    problem = make.problem(make.program(), make.people("r", 6))
    collecting = []
    match(problem, lambda *_: collecting.append(gc.isenabled()))
    assert collecting and not any(collecting) and gc.isenabled()
    gc.disable()
    try:
        match(problem)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ValueError):
        match(replace(problem, registrants=problem.registrants * 2))  # the same ids twice
    assert gc.isenabled()
