"""Buckets reshaped so that no option is open to two people who avoid each other."""

from itertools import combinations

from matching.apart import keep_apart
from matching.grouping import Bucket, build_bucket
from matching.model import Registrant


def bucket_of(make, registrants: list[Registrant]) -> Bucket:
    return build_bucket(("CLL", "patient"), registrants, make.program())


def people_under(bucket: Bucket, option: int) -> set[str]:
    return {person.id for kind in bucket.option_kinds[option] for person in bucket.kinds[kind].people}


def meetings_of(bucket: Bucket) -> list[set[str]]:
    return sorted((people_under(bucket, option) for option in range(len(bucket.options))), key=sorted)


def test_a_bucket_without_avoid_requests_is_left_as_it_is(make):
    bucket = bucket_of(make, make.people("r", 5))
    assert keep_apart(bucket) is bucket


def test_an_option_two_people_who_avoid_each_other_share_is_copied_once_for_each(make):
    registrants = [make.person("a", avoid=("b",)), make.person("b"), *make.people("r", 3)]
    reshaped = keep_apart(bucket_of(make, registrants))
    assert reshaped.options == [reshaped.options[0]] * 2
    assert meetings_of(reshaped) == [{"a", "r0", "r1", "r2"}, {"b", "r0", "r1", "r2"}]


def test_people_who_avoid_one_another_in_a_circle_each_get_a_copy(make):
    registrants = [
        make.person("a", avoid=("b",)),
        make.person("b", avoid=("c",)),
        make.person("c", avoid=("a",)),
        make.person("r"),
    ]
    assert meetings_of(keep_apart(bucket_of(make, registrants))) == [{"a", "r"}, {"b", "r"}, {"c", "r"}]


def test_only_the_options_both_could_meet_under_are_copied(make):
    registrants = [
        make.person("a", avoid=("b",), hours=(1, 2)),
        make.person("b", hours=(1,)),
        make.person("r", hours=(1, 2)),
    ]
    reshaped = keep_apart(bucket_of(make, registrants))
    assert [option.slot for option in reshaped.options] == [1, 2, 1]
    assert meetings_of(reshaped) == [{"a", "r"}, {"a", "r"}, {"b", "r"}]


def test_no_option_is_open_to_two_people_who_avoid_each_other(make):
    registrants = [
        make.person(
            f"r{index}",
            stage=("early", "middle", "late")[index % 3],
            languages=(("en",), ("es",), ("en", "es"))[index % 4 % 3],
            hours=(1 + index % 3, 4),
            avoid=(f"r{index * 7 % 30}", f"r{(index + 1) % 30}") if index % 4 == 0 else (),
        )
        for index in range(30)
    ]
    avoid = {person.id: person.avoid for person in registrants}

    def clashes(bucket: Bucket) -> int:
        return sum(
            any(b in avoid[a] or a in avoid[b] for a, b in combinations(people_under(bucket, option), 2))
            for option in range(len(bucket.options))
        )

    bucket = bucket_of(make, registrants)
    reshaped = keep_apart(bucket)
    assert clashes(bucket) > 0
    assert clashes(reshaped) == 0
    for index, kind in enumerate(reshaped.kinds):  # each kind lists the options that list it, in order
        assert kind.options == [o for o, kinds in enumerate(reshaped.option_kinds) if index in kinds]
    assert bucket == bucket_of(make, registrants)  # the bucket reshaped is left untouched
