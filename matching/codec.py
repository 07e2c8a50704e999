"""The matcher's JSON (docs/interfaces.md, "Matcher JSON") read into the typed core and written back.

Beyond the documented shape, the input may hold `"cohorts"`: existing cohorts, shaped like output cohorts plus
`"locked": true|false` (default false); and a registrant's `"stage"` may be null or left out when they are
not sure of it. Output cohorts carry `"role"` (null when roles mix) and `"locked"`, and waitlist entries
may carry `"detail"` and, when there are any, `"suggested_slots"`.

Reading checks types and shapes and raises `InputError` naming the offending field, e.g.
`registrants[3].availability[0]: must be an integer`. Cross-references (unknown stages, repeated ids,
cohort members who are not registrants) are checked by `validate.check_problem`, which
`problem_from_json` runs too, so a problem read from JSON is consistent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .model import (
    HOURS_PER_WEEK,
    Assignment,
    Cohort,
    Host,
    Problem,
    Registrant,
    Settings,
    Waiting,
    WaitReason,
)
from .validate import check_problem

_REQUIRED = object()
HOUR_MESSAGE = f"must be an integer hour of the week, 0-{HOURS_PER_WEEK - 1}"
T = TypeVar("T")


class InputError(ValueError):
    """Matcher input that cannot be used; `field` names where the problem is."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class _Invalid(Exception):
    """A value that cannot be used. `path` says where inside the value being read (`.key`, `[3]`); it is
    built on the way out, so reading valid input never spends time naming fields."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def inside(self, path: str) -> _Invalid:
        """This error, one level further out: `path` names the part that held the value."""
        self.path = path + self.path
        return self


def problem_from_json(data: object) -> Problem:
    """A consistent `Problem` from parsed JSON, or InputError naming the first bad field."""
    problem = _read(_problem, data, "input")
    problems = check_problem(problem)
    if problems:
        field, _, message = problems[0].partition(": ")
        raise InputError(field, message)
    return problem


def _read(parse: Callable[[object], T], data: object, name: str) -> T:
    """`parse(data)`, its errors as InputError naming the field (`name` when it is `data` itself)."""
    try:
        return parse(data)
    except _Invalid as error:
        raise InputError(error.path.removeprefix(".") or name, error.message) from None


def _problem(data: object) -> Problem:
    document = _object(data)
    return Problem(
        settings=_get(document, "settings", _settings),
        registrants=_get(document, "registrants", _list_of(_registrant)),
        hosts=_get(document, "hosts", _list_of(_host), ()),
        cohorts=_get(document, "cohorts", _list_of(_cohort), ()),
    )


def _settings(data: object) -> Settings:
    document = _object(data)
    return Settings(
        min_size=_get(document, "min_size", _int, 4),
        max_size=_get(document, "max_size", _int, 8),
        target_size=_get(document, "target_size", _int, 6),
        max_stage_gap=_get(document, "max_stage_gap", _int, 1),
        separate_roles=_get(document, "separate_roles", _bool, True),
        stage_order=_get(document, "stage_order", _stage_order),
        max_concurrent=_get(document, "max_concurrent", _optional_int, None),
        meeting_hours=_get(document, "meeting_hours", _int, 1),
    )


def _stage_order(data: object) -> dict[str, tuple[str, ...]]:
    order = {}
    for condition, stages in _object(data).items():
        try:
            order[condition] = _strings(stages)
        except _Invalid as error:
            raise error.inside(f".{condition}") from None
    return order


def _registrant(data: object) -> Registrant:
    document = _object(data)
    return Registrant(
        id=_get(document, "id", _string),
        condition=_get(document, "condition", _string),
        stage=_get(document, "stage", _optional_string, None),
        role=_get(document, "role", _string),
        languages=_get(document, "languages", _strings),
        availability=_get(document, "availability", _hours),
        timezone=_get(document, "timezone", _string, "UTC"),
        avoid=frozenset(_get(document, "avoid", _strings, ())),
    )


def _host(data: object) -> Host:
    document = _object(data)
    return Host(
        id=_get(document, "id", _string),
        conditions=frozenset(_get(document, "conditions", _strings)),
        languages=_get(document, "languages", _strings),
        availability=_get(document, "availability", _hours),
        max_cohorts=_get(document, "max_cohorts", _int, 1),
    )


def _cohort(data: object) -> Cohort:
    document = _object(data)
    return Cohort(
        id=_get(document, "id", _string),
        condition=_get(document, "condition", _string),
        language=_get(document, "language", _string),
        slot=_get(document, "slot", _int),
        members=_get(document, "members", _strings),
        host=_get(document, "host", _optional_string, None),
        role=_get(document, "role", _optional_string, None),
        locked=_get(document, "locked", _bool, False),
    )


def _get(document: Mapping[str, Any], key: str, parse: Callable[[Any], T], default: Any = _REQUIRED) -> T:
    """The field `key` of `document` parsed and checked by `parse`, or `default` when it is missing."""
    if key not in document:
        if default is _REQUIRED:
            raise _Invalid("is required", f".{key}")
        return default
    try:
        return parse(document[key])
    except _Invalid as error:
        raise error.inside(f".{key}") from None


def _list_of(parse: Callable[[Any], T]) -> Callable[[Any], tuple[T, ...]]:
    """A parser of a list whose every item `parse` reads."""

    def parse_items(value: object) -> tuple[T, ...]:
        items = []
        for index, item in enumerate(_list(value)):
            try:
                items.append(parse(item))
            except _Invalid as error:
                raise error.inside(f"[{index}]") from None
        return tuple(items)

    return parse_items


def _object(value: object) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid("must be an object")
    return value


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise _Invalid("must be a list")
    return value


def _string(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise _Invalid("must be a non-empty string")
    return value


def _optional_string(value: object) -> str | None:
    return None if value is None else _string(value)


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Invalid("must be an integer")
    return value


def _optional_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("must be true or false")
    return value


_strings = _list_of(_string)


def _hour(value: object) -> int:
    if type(value) is not int or not 0 <= value < HOURS_PER_WEEK:
        raise _Invalid(HOUR_MESSAGE)
    return value


def _hours(value: object) -> frozenset[int]:
    hours = _list(value)
    # Checked all at once, so the usual case of valid hours costs no Python loop.
    if set(map(type, hours)) <= {int} and (not hours or 0 <= min(hours) <= max(hours) < HOURS_PER_WEEK):
        return frozenset(hours)
    index = next(
        index for index, hour in enumerate(hours) if type(hour) is not int or not 0 <= hour < HOURS_PER_WEEK
    )
    raise _Invalid(HOUR_MESSAGE, f"[{index}]")


def problem_to_json(problem: Problem) -> dict[str, Any]:
    """The JSON form of a problem (what `problem_from_json` reads)."""
    settings = problem.settings
    return {
        "settings": {
            "min_size": settings.min_size,
            "max_size": settings.max_size,
            "target_size": settings.target_size,
            "max_stage_gap": settings.max_stage_gap,
            "separate_roles": settings.separate_roles,
            "stage_order": {condition: list(stages) for condition, stages in settings.stage_order.items()},
            "max_concurrent": settings.max_concurrent,
            "meeting_hours": settings.meeting_hours,
        },
        "registrants": [
            {
                "id": person.id,
                "condition": person.condition,
                "stage": person.stage,
                "role": person.role,
                "languages": list(person.languages),
                "timezone": person.timezone,
                "availability": sorted(person.availability),
                "avoid": sorted(person.avoid),
            }
            for person in problem.registrants
        ],
        "hosts": [
            {
                "id": host.id,
                "conditions": sorted(host.conditions),
                "languages": list(host.languages),
                "availability": sorted(host.availability),
                "max_cohorts": host.max_cohorts,
            }
            for host in problem.hosts
        ],
        "cohorts": [_cohort_to_json(cohort) for cohort in problem.cohorts],
    }


def assignment_to_json(assignment: Assignment) -> dict[str, Any]:
    """The JSON form of an assignment: `{"cohorts": [...], "waitlist": [...]}`."""
    return {
        "cohorts": [_cohort_to_json(cohort) for cohort in assignment.cohorts],
        "waitlist": [_waiting_to_json(entry) for entry in assignment.waitlist],
    }


def assignment_from_json(data: object) -> Assignment:
    """An assignment read back from its JSON form (as written by `assignment_to_json`)."""
    return _read(_assignment, data, "output")


def _assignment(data: object) -> Assignment:
    document = _object(data)
    return Assignment(
        cohorts=_get(document, "cohorts", _list_of(_cohort)),
        waitlist=_get(document, "waitlist", _list_of(_waiting)),
    )


def _waiting(data: object) -> Waiting:
    document = _object(data)
    slots = _get(document, "suggested_slots", _list_of(_hour), ())
    return Waiting(document["id"], WaitReason(document["reason"]), document.get("detail"), slots)


def _cohort_to_json(cohort: Cohort) -> dict[str, Any]:
    return {
        "id": cohort.id,
        "condition": cohort.condition,
        "role": cohort.role,
        "language": cohort.language,
        "slot": cohort.slot,
        "host": cohort.host,
        "members": list(cohort.members),
        "locked": cohort.locked,
    }


def _waiting_to_json(entry: Waiting) -> dict[str, Any]:
    document: dict[str, Any] = {"id": entry.id, "reason": str(entry.reason)}
    if entry.detail is not None:
        document["detail"] = dict(entry.detail)
    if entry.suggested_slots:
        document["suggested_slots"] = list(entry.suggested_slots)
    return document
