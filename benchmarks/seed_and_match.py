"""Seeding the demo program and proposing its cohorts at scale, on PostgreSQL.

Prints the time of `flask demo seed --registrants 20000` (goal: under 20 s), then, for 20,000 and 100,000
registrants, the time of `flask match run demo` beside the matcher's own time on the same input (the problem
built as the command builds it, `matching.matcher.match` timed alone; goal: at most twice as long), and how
many rows a second run on the unchanged program writes (goal: none).

    .venv/bin/python benchmarks/seed_and_match.py [--sizes 20000 100000]

The database is BENCH_DATABASE_URL (default below); it is emptied first. The project's modules are compiled
to byte-code first, as an installed package's are, so a command's time includes no compiling.
"""

from __future__ import annotations

import argparse
import os
import time

from sqlalchemy import text
from support import (
    analyze_postgres,
    compile_project,
    environment,
    flask,
    postgres_url,
    prepare_demo,
    reset_postgres,
)

from app import create_app, database
from app.cli.cohorts import find_program
from app.database import utcnow
from app.services.proposals import load_match_input, propose_cohorts
from matching.matcher import match

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/bench_seedmatch"
SEED_SIZE = 20_000
# Rows this transaction has inserted, updated or deleted so far, in every table.
ROWS_WRITTEN = text(
    "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    arguments = parser.parse_args()
    url = postgres_url(DEFAULT_POSTGRES_URL)
    compile_project()
    if not reset_postgres(url):
        print(f"PostgreSQL does not answer at {url}: nothing measured")
        return
    os.environ.update(environment(url))
    prepare_demo(url)
    seconds = timed(lambda: flask(url, "demo", "seed", "--registrants", str(SEED_SIZE)))
    print(f"demo seed --registrants {SEED_SIZE}: {seconds:6.1f} s (goal: under 20 s)")
    for size in arguments.sizes:
        reset_postgres(url)
        seeded = timed(lambda size=size: prepare_demo(url, size))
        analyze_postgres(url)
        matcher = matcher_seconds()
        command = timed(lambda: flask(url, "match", "run", "demo"))
        print(
            f"{size:>7} registrants (seeded in {seeded:5.1f} s): match run {command:6.1f} s, "
            f"matcher alone {matcher:6.1f} s, ratio {command / matcher:4.2f} (goal: at most 2); "
            f"rows changed on a re-run: {rows_written_by_rerun()}"
        )


def matcher_seconds() -> float:
    """The matcher's own time on the demo program's input, built as `flask match run` builds it."""
    with create_app().app_context():
        session = database.session()
        found = load_match_input(session, find_program("demo"), today=utcnow().date())
        session.rollback()
        return timed(lambda: match(found.problem))


def rows_written_by_rerun() -> int:
    """Rows a second proposal of the unchanged demo program would write (it is rolled back)."""
    with create_app().app_context():
        session = database.session()
        propose_cohorts(session, find_program("demo"), today=utcnow().date())
        written = session.execute(ROWS_WRITTEN).scalar_one()
        session.rollback()
        return written


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
