"""Approving every cohort of a large program on PostgreSQL, beside a plain bulk insert of the rows it queues.

Seeds the demo program with N registrants (default 20,000) in a fresh database, proposes cohorts
(`flask match run demo`), then times `approve_each_cohort` over every proposed cohort: meetings, Zoom users,
Zoom calls, every member's messages and each host's briefing, and the people left waiting told, in one
transaction. Beside it, the baseline: the same outbox and Zoom-call rows, already in memory, written with one
`INSERT … ON CONFLICT DO NOTHING` run for all of them (the driver's executemany) into scratch copies of those
tables. Then it approves the
same cohorts again and prints how many rows that added (none should be).

    .venv/bin/python benchmarks/approval.py [--registrants 20000] [--profile]

BENCH_DATABASE_URL names the database (default postgresql://postgres@127.0.0.1:5432/bench_approve); it is
emptied first. `--profile` prints the functions approval spends its time in (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path

from sqlalchemy import MetaData, Table, func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlmodel import Session
from support import ROOT, analyze_postgres, flask, postgres_url, prepare_demo, reset_postgres

from app import create_app
from app.database import utcnow
from app.models import Cohort, CohortStatus, OutboundMessage, Program, ZoomOperation
from app.services.approval import approve_each_cohort
from app.settings import load_settings

QUEUED = {OutboundMessage.__table__: "dedupe_key", ZoomOperation.__table__: "idempotency_key"}


def app_on(url: str):
    """The app on the database at `url`, in this process."""
    environ = {"APP_ENV": "development", "DATABASE_URL": url, "SECRET_KEY": "b" * 40}
    return create_app({"SETTINGS": load_settings(Path(ROOT) / "instance", environ)})


def approve_all(app, *, profile: bool) -> tuple[int, float, int]:
    """Approve every proposed cohort of the demo; cohorts approved, seconds, rows queued."""
    with app.app_context(), Session(app.extensions["engine"]) as session:
        program = session.execute(select(Program).where(Program.slug == "demo")).scalar_one()
        cohorts = _proposed(session, program)
        before = queued_rows(session)
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        outcome = approve_each_cohort(session, cohorts, actor="benchmark", now=utcnow())
        session.commit()
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return len(outcome.approved), seconds, queued_rows(session) - before


def approve_again(app) -> tuple[int, int]:
    """Approve every cohort of the demo again; how many were refused, and the rows that added."""
    with app.app_context(), Session(app.extensions["engine"]) as session:
        program = session.execute(select(Program).where(Program.slug == "demo")).scalar_one()
        cohorts = list(session.execute(select(Cohort).where(Cohort.program_id == program.id)).scalars())
        before = queued_rows(session)
        outcome = approve_each_cohort(session, cohorts, actor="benchmark", now=utcnow())
        session.commit()
        return len(outcome.refused), queued_rows(session) - before


def bulk_baseline(app) -> tuple[int, float]:
    """Copy the queued rows into memory, then time writing them into scratch copies of their tables; rows,
    seconds."""
    engine = app.extensions["engine"]
    scratch_tables, batches = [], []
    with engine.begin() as connection:
        for table, key in QUEUED.items():
            scratch = f"scratch_{table.name}"
            connection.execute(text(f"DROP TABLE IF EXISTS {scratch}"))
            connection.execute(text(f"CREATE TABLE {scratch} (LIKE {table.name} INCLUDING ALL)"))
            scratch_tables.append(scratch)
            rows = [dict(row._mapping) for row in connection.execute(select(table))]
            for row in rows:
                del row["id"]
            batches.append((Table(scratch, MetaData(), autoload_with=connection), key, rows))
    started = time.perf_counter()
    with engine.begin() as connection:
        for scratch, key, rows in batches:
            statement = postgresql_insert(scratch).on_conflict_do_nothing(index_elements=[key])
            connection.execute(statement, rows)
    seconds = time.perf_counter() - started
    with engine.begin() as connection:
        for scratch in scratch_tables:
            connection.execute(text(f"DROP TABLE {scratch}"))
    return sum(len(rows) for _, _, rows in batches), seconds


def queued_rows(session: Session) -> int:
    return sum(session.execute(select(func.count()).select_from(table)).scalar_one() for table in QUEUED)


def _proposed(session: Session, program: Program) -> list[Cohort]:
    statement = select(Cohort).where(Cohort.program_id == program.id, Cohort.status == CohortStatus.PROPOSED)
    return list(session.execute(statement.order_by(Cohort.id)).scalars())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrants", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true", help="print where approval spends its time")
    arguments = parser.parse_args()
    url = postgres_url("postgresql://postgres@127.0.0.1:5432/bench_approve")
    if not reset_postgres(url):
        raise SystemExit(f"PostgreSQL does not answer at {url}")
    started = time.perf_counter()
    prepare_demo(url, arguments.registrants)
    print(f"seeded {arguments.registrants} registrants in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    print(flask(url, "match", "run", "demo").splitlines()[0], f"({time.perf_counter() - started:.1f} s)")
    analyze_postgres(url)
    app = app_on(url)
    approved, seconds, rows = approve_all(app, profile=arguments.profile)
    baseline_rows, baseline_seconds = bulk_baseline(app)
    refused, added = approve_again(app)
    print(f"approval:      {approved:>6} cohorts, {rows:>7} rows queued, {seconds:7.2f} s")
    print(f"bulk insert:   {baseline_rows:>14} rows,        {baseline_seconds:7.2f} s")
    print(f"ratio:         {seconds / baseline_seconds:.1f}× the bulk insert")
    print(f"approved again: {refused} cohorts refused as already approved, {added} rows added")


if __name__ == "__main__":
    main()
