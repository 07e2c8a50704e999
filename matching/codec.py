"""The matcher's JSON (see CONTRACT.md, "Matcher JSON") read into the typed core and written back.

Beyond the contract, the input may hold `"cohorts"`: existing cohorts, shaped like output cohorts plus
`"locked": true|false` (default false). Output cohorts carry `"role"` (null when roles mix) and
`"locked"`, and waitlist entries may carry `"detail"`.

Reading checks types and shapes and raises `InputError` naming the offending field, e.g.
`registrants[3].availability[0]: must be an integer`. Cross-references (unknown stages, repeated ids,
cohort members who are not registrants) are checked by `validate.check_problem`, which
`problem_from_json` runs too, so a problem read from JSON is consistent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .model import Assignment, Cohort, Host, Problem, Registrant, Settings, Waiting, WaitReason
from .validate import check_problem

_REQUIRED = object()
T = TypeVar("T")


class InputError(ValueError):
    """Matcher input that cannot be used; `field` names where the problem is."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def problem_from_json(data: object) -> Problem:
    """A consistent `Problem` from parsed JSON, or InputError naming the first bad field."""
    document = _object(data, "input")
    problem = Problem(
        settings=_settings(_field(document, "settings", "input")),
        registrants=tuple(
            _registrant(item, f"registrants[{index}]")
            for index, item in enumerate(_list(_field(document, "registrants", "input"), "registrants"))
        ),
        hosts=tuple(
            _host(item, f"hosts[{index}]")
            for index, item in enumerate(_list(_field(document, "hosts", "input", []), "hosts"))
        ),
        cohorts=tuple(
            _cohort(item, f"cohorts[{index}]")
            for index, item in enumerate(_list(_field(document, "cohorts", "input", []), "cohorts"))
        ),
    )
    problems = check_problem(problem)
    if problems:
        field, _, message = problems[0].partition(": ")
        raise InputError(field, message)
    return problem


def _settings(data: object) -> Settings:
    where = "settings"
    document = _object(data, where)
    stage_order = _object(_field(document, "stage_order", where), f"{where}.stage_order")
    return Settings(
        min_size=_get(document, where, "min_size", _int, 4),
        max_size=_get(document, where, "max_size", _int, 8),
        target_size=_get(document, where, "target_size", _int, 6),
        max_stage_gap=_get(document, where, "max_stage_gap", _int, 1),
        separate_roles=_get(document, where, "separate_roles", _bool, True),
        stage_order={
            condition: _strings(stages, f"{where}.stage_order.{condition}")
            for condition, stages in stage_order.items()
        },
    )


def _registrant(data: object, where: str) -> Registrant:
    document = _object(data, where)
    return Registrant(
        id=_get(document, where, "id", _string),
        condition=_get(document, where, "condition", _string),
        stage=_get(document, where, "stage", _string),
        role=_get(document, where, "role", _string),
        languages=_get(document, where, "languages", _strings),
        availability=_get(document, where, "availability", _hours),
        timezone=_get(document, where, "timezone", _string, "UTC"),
        avoid=frozenset(_get(document, where, "avoid", _strings, [])),
    )


def _host(data: object, where: str) -> Host:
    document = _object(data, where)
    return Host(
        id=_get(document, where, "id", _string),
        conditions=frozenset(_get(document, where, "conditions", _strings)),
        languages=_get(document, where, "languages", _strings),
        availability=_get(document, where, "availability", _hours),
        max_cohorts=_get(document, where, "max_cohorts", _int, 1),
    )


def _cohort(data: object, where: str) -> Cohort:
    document = _object(data, where)
    host = _field(document, "host", where, None)
    role = _field(document, "role", where, None)
    return Cohort(
        id=_get(document, where, "id", _string),
        condition=_get(document, where, "condition", _string),
        language=_get(document, where, "language", _string),
        slot=_get(document, where, "slot", _int),
        members=_get(document, where, "members", _strings),
        host=None if host is None else _string(host, f"{where}.host"),
        role=None if role is None else _string(role, f"{where}.role"),
        locked=_get(document, where, "locked", _bool, False),
    )


def _get(
    document: Mapping[str, Any],
    where: str,
    key: str,
    parse: Callable[[Any, str], T],
    default: object = _REQUIRED,
) -> T:
    """The field `key` of `document` (or `default`), parsed and checked by `parse`."""
    return parse(_field(document, key, where, default), f"{where}.{key}")


def _field(document: Mapping[str, Any], key: str, where: str, default: object = _REQUIRED) -> Any:
    if key in document:
        return document[key]
    if default is _REQUIRED:
        raise InputError(f"{where}.{key}" if where != "input" else key, "is required")
    return default


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InputError(where, "must be an object")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(where, "must be a list")
    return value


def _string(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(where, "must be a non-empty string")
    return value


def _int(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InputError(where, "must be an integer")
    return value


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(where, "must be true or false")
    return value


def _strings(value: object, where: str) -> tuple[str, ...]:
    return tuple(_string(item, f"{where}[{index}]") for index, item in enumerate(_list(value, where)))


def _hours(value: object, where: str) -> frozenset[int]:
    hours = _list(value, where)
    for index, hour in enumerate(hours):
        if type(hour) is not int or not 0 <= hour < 168:
            raise InputError(f"{where}[{index}]", "must be an integer hour of the week, 0-167")
    return frozenset(hours)


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
    document = _object(data, "output")
    cohorts = _list(_field(document, "cohorts", "output"), "cohorts")
    waitlist = _list(_field(document, "waitlist", "output"), "waitlist")
    return Assignment(
        cohorts=tuple(_cohort(item, f"cohorts[{index}]") for index, item in enumerate(cohorts)),
        waitlist=tuple(
            Waiting(entry["id"], WaitReason(entry["reason"]), entry.get("detail")) for entry in waitlist
        ),
    )


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
    return document
