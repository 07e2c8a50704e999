"""Benchmark of the hours suggested to waiting people: how many they place, against a naive suggestion.

Run: `.venv/bin/python benchmarks/suggestions.py [--quick] [--max-concurrent N] [--alone N]`. For each
synthetic program the matcher runs once; then every waiting person who got a suggestion adds their first one
to their hours, all at once, and the matcher runs again. The baseline asks every waiting person instead for
the most popular hour of their condition (the hour most of its registrants offered) that they lack.

- `suggested`: the share of waiting people given at least one hour;
- `ours`, `popular`: the share of waiting people placed by the second run, after our suggestions or the
  popular hours;
- `ours/s`, `pop/s`: the same, among the waiting people who got a suggestion of ours only;
- `ours 1`, `pop 1`: the share placed when one person alone adds the hour (a sample of `--alone` waiting
  people each, matched again one at a time): what the service promises when it asks one person;
- `match (s)`: the whole matcher, suggestions included; `suggest (ms)` and `share`: the time
  `suggestions.add_suggestions` takes on its answer, and its part of the matcher's time.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.matcher import match
from matching.model import HOURS_PER_WEEK, Assignment, Problem, Settings
from matching.suggestions import add_suggestions
from matching.synthetic import CONDITIONS, STAGES, synthetic_problem

SIZES = (500, 2_000, 20_000)
QUICK_SIZES = (500, 2_000)
# (heading, width, figure, format)
COLUMNS = (
    ("registrants", 11, "size", ","),
    ("waiting", 7, "waiting", ""),
    ("suggested", 9, "suggested", ".0%"),
    ("ours", 6, "ours", ".0%"),
    ("popular", 7, "popular", ".0%"),
    ("ours/s", 6, "ours of suggested", ".0%"),
    ("pop/s", 6, "popular of suggested", ".0%"),
    ("ours 1", 6, "ours alone", ".0%"),
    ("pop 1", 6, "popular alone", ".0%"),
    ("match (s)", 9, "match seconds", ".2f"),
    ("suggest (ms)", 12, "suggest ms", ".1f"),
    ("share", 5, "suggest share", ".1%"),
)


def measure(problem: Problem, alone: int) -> dict[str, float]:
    """Figures for one program; `alone` people are tried one at a time for each way of suggesting."""
    started = time.perf_counter()
    assignment = match(problem)
    match_seconds = time.perf_counter() - started
    started = time.perf_counter()
    add_suggestions(problem, assignment)
    suggest_seconds = time.perf_counter() - started
    waiting = [entry.id for entry in assignment.waitlist]
    ours = {entry.id: entry.suggested_slots[0] for entry in assignment.waitlist if entry.suggested_slots}
    popular = most_popular_missing_hours(problem, assignment)
    placed_by_ours = placed_after_adding(problem, ours)
    placed_by_popular = placed_after_adding(problem, popular)
    return {
        "size": len(problem.registrants),
        "waiting": len(waiting),
        "suggested": _share(ours, waiting),
        "ours": _share(placed_by_ours, waiting),
        "popular": _share(placed_by_popular, waiting),
        "ours of suggested": _share(placed_by_ours, ours),
        "popular of suggested": _share(placed_by_popular, ours),
        "ours alone": _share_placed_alone(problem, ours, alone),
        "popular alone": _share_placed_alone(problem, popular, alone),
        "match seconds": match_seconds,
        "suggest ms": suggest_seconds * 1000,
        "suggest share": suggest_seconds / match_seconds,
    }


def most_popular_missing_hours(problem: Problem, assignment: Assignment) -> dict[str, int]:
    """For each waiting person, the hour most people of their condition offered, of those they lack."""
    popularity: dict[str, Counter[int]] = defaultdict(Counter)
    for person in problem.registrants:
        popularity[person.condition].update(person.availability)
    waiting = {entry.id for entry in assignment.waitlist}
    hours = {}
    for person in problem.registrants:
        if person.id in waiting:
            counts = popularity[person.condition]
            missing = [slot for slot in range(HOURS_PER_WEEK) if slot not in person.availability]
            if missing:
                hours[person.id] = max(missing, key=lambda slot: (counts[slot], -slot))
    return hours


def placed_after_adding(problem: Problem, added: Mapping[str, int]) -> set[str]:
    """Who matching again places, once each person in `added` has added that hour to theirs."""
    registrants = tuple(
        replace(person, availability=person.availability | {added[person.id]})
        if person.id in added
        else person
        for person in problem.registrants
    )
    again = match(replace(problem, registrants=registrants))
    return {member for cohort in again.cohorts for member in cohort.members}


def _share_placed_alone(problem: Problem, added: Mapping[str, int], sample: int) -> float:
    chosen = random.Random(0).sample(sorted(added), min(sample, len(added)))
    return _share(
        [person for person in chosen if person in placed_after_adding(problem, {person: added[person]})],
        chosen,
    )


def _share(part: Collection[str], whole: Collection[str]) -> float:
    """How many of `whole` are in `part`, as a share (0 for nobody)."""
    return sum(person in part for person in whole) / len(whole) if whole else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the small sizes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-concurrent", type=int, help="the programs' Zoom capacity (default: none)")
    parser.add_argument(
        "--alone", type=int, default=10, help="people tried one at a time, per way of suggesting"
    )
    arguments = parser.parse_args()
    settings = Settings(
        stage_order=dict.fromkeys(CONDITIONS, STAGES), max_concurrent=arguments.max_concurrent
    )
    print(" ".join(f"{heading:>{width}}" for heading, width, _, _ in COLUMNS))
    for size in QUICK_SIZES if arguments.quick else SIZES:
        figures = measure(synthetic_problem(size, seed=arguments.seed, settings=settings), arguments.alone)
        print(" ".join(f"{figures[name]:>{width}{form}}" for _, width, name, form in COLUMNS), flush=True)


if __name__ == "__main__":
    main()
