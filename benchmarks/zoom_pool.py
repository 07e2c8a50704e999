"""Benchmark of the matcher under a Zoom capacity: what a pool of N concurrent meetings lets a program place.

Run: `.venv/bin/python benchmarks/zoom_pool.py [--size 20000] [--seed 1]`. One synthetic program (as
`benchmarks/matching.py` makes them) is matched with `max_concurrent` of 5, 10, 20, 40, 80 and unlimited,
each with meetings one and two hours long (`meeting_hours`). For each it prints the cohorts formed (each a
meeting), the people placed, the most cohorts meeting at any one hour (counted from the answer, not by the
matcher's own arithmetic), how long `match` took, and, for a pool of that many Pro users (one meeting at a
time each), how many days Zoom's daily limit of 100 creates per user takes to create every meeting, as the
worker plans them (`app.services.zoom_allowance.creation_days`). Every answer is checked
(`validate.check_assignment`).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.services.zoom_allowance import creation_days
from matching.matcher import match
from matching.model import HOURS_PER_WEEK, Problem
from matching.synthetic import synthetic_problem
from matching.validate import check_assignment

CAPACITIES = (5, 10, 20, 40, 80, None)
MEETING_HOURS = (1, 2)
ZOOM_DAILY_LIMIT = 100


def days_to_create(meetings: int, users: int | None) -> str:
    """Days the meetings take to create, spread evenly over `users` Pro users starting with a fresh day."""
    if not users:
        return "-"
    days = creation_days(-(-meetings // users), left_today=ZOOM_DAILY_LIMIT, limit=ZOOM_DAILY_LIMIT)
    return str(days[-1] + 1 if days else 0)


def measure(problem: Problem, max_concurrent: int | None, meeting_hours: int) -> dict[str, object]:
    """Figures for one capacity."""
    settings = replace(problem.settings, max_concurrent=max_concurrent, meeting_hours=meeting_hours)
    problem = replace(problem, settings=settings)
    started = time.perf_counter()
    assignment = match(problem)
    seconds = time.perf_counter() - started
    problems = check_assignment(problem, assignment)
    if problems:
        raise SystemExit(f"invalid answer at max_concurrent={max_concurrent}: {problems[:3]}")
    peak = max(
        sum((hour - cohort.slot) % HOURS_PER_WEEK < meeting_hours for cohort in assignment.cohorts)
        for hour in range(HOURS_PER_WEEK)
    )
    return {"cohorts": len(assignment.cohorts), "placed": assignment.placed, "peak": peak, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    problem = synthetic_problem(arguments.size, seed=arguments.seed)
    print(f"{arguments.size:,} registrants (seed {arguments.seed})")
    print(
        f"{'capacity':>9} {'hours':>5} {'cohorts':>8} {'placed':>8} {'share':>6} {'peak':>5} {'match (s)':>9}"
        f" {'days to create':>14}"
    )
    for meeting_hours in MEETING_HOURS:
        for capacity in CAPACITIES:
            figures = measure(problem, capacity, meeting_hours)
            print(
                f"{capacity or 'unlimited':>9} {meeting_hours:>5} {figures['cohorts']:>8,} "
                f"{figures['placed']:>8,} {figures['placed'] / arguments.size:>6.1%} {figures['peak']:>5} "
                f"{figures['seconds']:>9.2f} {days_to_create(figures['cohorts'], capacity):>14}",
                flush=True,
            )


if __name__ == "__main__":
    main()
