"""Seeded, realistic, entirely made-up problems for tests and benchmarks (no real patient data).

A program with conditions of very different sizes, four stages each, a few caregivers, English and
Spanish speakers living across the Americas, Europe and Asia (India's half-hour offset included) whose
local availability (weekday evenings, lunch breaks, weekend mornings) is turned into UTC hours for a real
week by `availability.utc_slots`, a few avoid requests, and hosts who each lead one to three cohorts.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from functools import cache

from .availability import utc_slots
from .model import Host, Problem, Registrant, Settings

# Condition -> relative number of registrants: a few large communities and a long tail.
CONDITIONS = {
    "breast-cancer": 30,
    "type-1-diabetes": 22,
    "multiple-sclerosis": 16,
    "CLL": 12,
    "lupus": 9,
    "ALS": 6,
    "sarcoidosis": 5,
}
STAGES = ("newly-diagnosed", "in-treatment", "post-treatment", "advanced")
STAGE_WEIGHTS = (35, 30, 25, 10)
CAREGIVER_SHARE = 0.12
AVOID_SHARE = 0.01
PEOPLE_PER_HOST = 25

# Time zone -> (relative number of registrants, whether Spanish is the local language).
TIMEZONES = {
    "America/New_York": (18, False),
    "America/Chicago": (10, False),
    "America/Denver": (4, False),
    "America/Los_Angeles": (10, False),
    "America/Mexico_City": (8, True),
    "America/Bogota": (5, True),
    "America/Argentina/Buenos_Aires": (4, True),
    "Europe/London": (9, False),
    "Europe/Madrid": (9, True),
    "Europe/Berlin": (7, False),
    "Asia/Kolkata": (7, False),
    "Asia/Singapore": (4, False),
    "Asia/Tokyo": (3, False),
    "Australia/Sydney": (2, False),
}
# Language sets with their weights, for people where Spanish is or is not the local language.
LANGUAGES = {
    True: ((("es",), 70), (("es", "en"), 25), (("en",), 5)),
    False: ((("en",), 85), (("en", "es"), 10), (("es",), 5)),
}

Window = tuple[int, str, str]
# Local weekly windows people commonly offer: (weekday, start, end), Monday = 0.
WINDOW_CHOICES: tuple[Window, ...] = (
    *((day, "18:00", "21:00") for day in range(5)),
    *((day, "12:00", "14:00") for day in (1, 3)),
    (5, "09:30", "12:30"),
    (6, "10:00", "13:00"),
    (6, "15:00", "18:00"),
)
DEFAULT_WEEK = date(2026, 3, 2)


def synthetic_problem(
    size: int, seed: int = 0, settings: Settings | None = None, week_start: date = DEFAULT_WEEK
) -> Problem:
    """A realistic problem with `size` registrants and about one host per 25; same seed, same problem."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, seeded for repeatability
    settings = settings or Settings(stage_order=dict.fromkeys(CONDITIONS, STAGES))
    registrants = [_registrant(rng, index, week_start) for index in range(size)]
    registrants = _with_avoid_requests(rng, registrants)
    hosts = tuple(_host(rng, index, week_start) for index in range(max(2, size // PEOPLE_PER_HOST)))
    return Problem(settings, tuple(registrants), hosts)


def _registrant(rng: random.Random, index: int, week_start: date) -> Registrant:
    timezone, spanish = _timezone(rng)
    return Registrant(
        id=f"r{index:06d}",
        condition=rng.choices(list(CONDITIONS), weights=list(CONDITIONS.values()))[0],
        stage=rng.choices(STAGES, weights=STAGE_WEIGHTS)[0],
        role="caregiver" if rng.random() < CAREGIVER_SHARE else "patient",
        languages=_languages(rng, spanish),
        availability=_availability(rng, timezone, week_start),
        timezone=timezone,
    )


def _host(rng: random.Random, index: int, week_start: date) -> Host:
    timezone, spanish = _timezone(rng)
    return Host(
        id=f"h{index:04d}",
        conditions=frozenset(rng.sample(list(CONDITIONS), k=rng.choice((1, 1, 2)))),
        languages=_languages(rng, spanish),
        availability=_availability(rng, timezone, week_start, windows=4),
        max_cohorts=rng.choice((1, 2, 2, 3)),
    )


def _timezone(rng: random.Random) -> tuple[str, bool]:
    timezone = rng.choices(list(TIMEZONES), weights=[weight for weight, _ in TIMEZONES.values()])[0]
    return timezone, TIMEZONES[timezone][1]


def _languages(rng: random.Random, spanish: bool) -> tuple[str, ...]:
    choices = LANGUAGES[spanish]
    return rng.choices([languages for languages, _ in choices], weights=[weight for _, weight in choices])[0]


def _availability(rng: random.Random, timezone: str, week_start: date, windows: int = 0) -> frozenset[int]:
    count = windows or rng.choice((1, 2, 2, 3, 3, 4))
    chosen = tuple(sorted(rng.sample(range(len(WINDOW_CHOICES)), k=count)))
    return _slots_of(chosen, timezone, week_start)


@cache
def _slots_of(choices: tuple[int, ...], timezone: str, week_start: date) -> frozenset[int]:
    windows = [WINDOW_CHOICES[choice] for choice in choices]
    return utc_slots(
        [{"weekday": day, "start": start, "end": end} for day, start, end in windows], timezone, week_start
    )


def _with_avoid_requests(rng: random.Random, registrants: list[Registrant]) -> list[Registrant]:
    """A few people ask not to meet someone of their own condition again."""
    by_condition: dict[str, list[str]] = {}
    for person in registrants:
        by_condition.setdefault(person.condition, []).append(person.id)
    result = []
    for person in registrants:
        if rng.random() < AVOID_SHARE and len(by_condition[person.condition]) > 1:
            other = rng.choice(by_condition[person.condition])
            if other != person.id:
                person = replace(person, avoid=frozenset({other}))
        result.append(person)
    return result
