"""Builders of small problems for the matcher's tests, handed to tests as the `make` fixture."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from matching.model import Cohort, Host, Problem, Registrant, Settings

STAGES = ("early", "middle", "late", "advanced")


def program() -> Settings:
    """Cohorts of 4-8 (target 6), stages one step apart at most, roles separated."""
    return Settings(stage_order={"CLL": STAGES, "MS": STAGES})


def person(
    id: str,
    *,
    condition: str = "CLL",
    stage: str = "early",
    role: str = "patient",
    languages: tuple[str, ...] = ("en",),
    hours: tuple[int, ...] = (13,),
    avoid: tuple[str, ...] = (),
) -> Registrant:
    """A registrant with defaults that let anyone meet anyone at hour 13 in English."""
    return Registrant(id, condition, stage, role, languages, frozenset(hours), avoid=frozenset(avoid))


def people(prefix: str, count: int, **fields: object) -> list[Registrant]:
    """`count` registrants alike but for their ids."""
    return [person(f"{prefix}{index}", **fields) for index in range(count)]


def host(id: str, *, hours: tuple[int, ...] = (13,), max_cohorts: int = 1, languages=("en",)) -> Host:
    """A CLL host."""
    return Host(id, frozenset({"CLL"}), tuple(languages), frozenset(hours), max_cohorts)


def problem(settings: Settings, registrants, hosts=(), cohorts: tuple[Cohort, ...] = ()) -> Problem:
    """A problem from lists."""
    return Problem(settings, tuple(registrants), tuple(hosts), tuple(cohorts))


@pytest.fixture
def make() -> SimpleNamespace:
    """The builders above: `make.program()`, `make.person(...)`, `make.people(...)`, and so on."""
    return SimpleNamespace(program=program, person=person, people=people, host=host, problem=problem)
