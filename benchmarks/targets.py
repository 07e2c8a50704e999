"""The scale targets of a large program, each beside its baseline, at 20,000 and 100,000 registrants.

For each size, in a fresh PostgreSQL database: seeds the demo program (`flask demo seed`: about nine in a
hundred of its registrants are free at no hour a meeting starts, and stay on the waitlist), proposes its
cohorts (`flask match run demo`, beside the matcher alone on the same input), approves every cohort (beside
one bulk `INSERT … ON CONFLICT DO NOTHING` of the rows approval queued), runs both again (nothing may change),
holds the meetings (Zoom registrations, attendance and survey emails, as a finished program has), then serves
the app with gunicorn and times each console page and CSV export (one request at a time, beside `/healthz`),
and registrations under wrk (beside `/healthz` under wrk; rate limits counted in the Redis at BENCH_REDIS_URL,
as production shares them between workers). Prints one table: each target, and at each size the figure, its
baseline, their ratio and whether the target is met.

    .venv/bin/python benchmarks/targets.py [--sizes 20000 100000] [--requests 5] [--seconds 10]

BENCH_DATABASE_URL names the database (default postgresql://postgres@127.0.0.1:5432/bench_targets); it is
emptied first. The project's modules are compiled to byte-code first, as an installed package's are, so a
command's time includes no compiling. Without `wrk` (Debian: `apt-get install wrk`) the registrations row
says so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import load
from approval import app_on, approve_again, approve_all, bulk_baseline
from console_pages import open_a_place, page_paths, time_page
from exports import EXPORTS, answer_everyone, download, worker_pid
from held_meetings import hold_meetings
from seed_and_match import matcher_seconds, rows_written_by_rerun, timed
from support import (
    analyze_postgres,
    compile_project,
    environment,
    flask,
    gunicorn,
    license_zoom_pool,
    postgres_url,
    prepare_demo,
    rate_limit_store,
    reset_postgres,
    sign_in,
)

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/bench_targets"
PROGRAM = "demo"
COORDINATOR_EMAIL = "targets-coordinator@example.org"
COORDINATOR_PASSWORD = "targets-benchmark-password"  # noqa: S105  (a throwaway account in a throwaway database)
SEED_GOAL_SIZE = 20_000
EXPORT_RATE = 20_000  # rows a second
FLAT_MEMORY_MB = 5  # what the web worker may grow while an export's second half is sent


@dataclass(frozen=True)
class Figure:
    """One target at one size: what was measured, against what, and whether the target is met (None: the
    target does not speak of this size)."""

    measured: str
    baseline: str
    ratio: str
    met: bool | None


@dataclass(frozen=True)
class Target:
    work: str
    goal: str


Results = dict[Target, dict[int, Figure]]


def main() -> None:
    args = _arguments()
    url = postgres_url(DEFAULT_POSTGRES_URL)
    compile_project()
    results: Results = {}
    for size in args.sizes:
        if not reset_postgres(url):
            print(f"PostgreSQL does not answer at {url}: nothing measured")
            return
        print(f"== {size:,} registrants", flush=True)
        for target, figure in _measure_size(url, size, args).items():
            results.setdefault(target, {})[size] = figure
    _print_table(results, args.sizes)


def _measure_size(url: str, size: int, args: argparse.Namespace) -> dict[Target, Figure]:
    os.environ.update(environment(url))
    prepare_demo(url)
    figures = {_seed_target(): _seed_figure(timed(lambda: _seed(url, size)), size)}
    license_zoom_pool(url, size)
    analyze_postgres(url)
    figures |= _matching(url)
    figures |= _approval(url)
    flask(url, "coordinator", "create", COORDINATOR_EMAIL, "--program", PROGRAM, stdin=COORDINATOR_PASSWORD)
    open_a_place(url)  # so a group's page looks for people waiting who could take the place
    answer_everyone(url)  # a survey answer from every member, for the results export and the report
    hold_meetings(url, PROGRAM)  # the meetings took place: the report counts attendance and surveys sent
    analyze_postgres(url)
    figures |= _pages_and_exports(url, args.requests)
    figures |= _registrations(url, args.seconds)
    return figures


def _seed(url: str, size: int) -> None:
    flask(url, "demo", "seed", "--registrants", str(size))


def _seed_target() -> Target:
    return Target(f"`demo seed --registrants {SEED_GOAL_SIZE:,}`", "under 20 s")


def _seed_figure(seconds: float, size: int) -> Figure:
    met = seconds < 20 if size == SEED_GOAL_SIZE else None
    return Figure(f"{seconds:.1f} s", "—", "—", met)


def _matching(url: str) -> dict[Target, Figure]:
    print("matching", flush=True)
    matcher = matcher_seconds()
    command = timed(lambda: flask(url, "match", "run", PROGRAM))
    rows = rows_written_by_rerun()
    return {
        Target("`flask match run`", "within 2× the matcher alone"): _ratio_figure(command, matcher, "s", 2),
        Target("a re-run of matching", "writes no row"): Figure(f"{rows} rows", "—", "—", rows == 0),
    }


def _approval(url: str) -> dict[Target, Figure]:
    print("approving", flush=True)
    app = app_on(url)
    approved, seconds, rows = approve_all(app, profile=False)
    _, baseline = bulk_baseline(app)
    refused, added = approve_again(app)
    app.extensions["engine"].dispose()
    again = Target("a re-run of approval", "queues nothing twice")
    return {
        Target("approve every cohort", "within 5× a bulk insert of its rows"): _ratio_figure(
            seconds, baseline, "s", 5, note=f" ({approved:,} cohorts, {rows:,} rows)"
        ),
        again: Figure(f"{added} rows ({refused:,} refused)", "—", "—", added == 0),
    }


def _pages_and_exports(url: str, requests: int) -> dict[Target, Figure]:
    print("console pages and exports", flush=True)
    with tempfile.TemporaryDirectory() as folder, gunicorn(url, folder, workers=1) as port:
        cookie = sign_in(port, COORDINATOR_EMAIL, COORDINATOR_PASSWORD)
        times = {
            name: time_page(port, path, cookie, requests)[0]
            for name, path in page_paths(port, cookie).items()
        }
        figures = _exports(port, cookie, Path(folder))
    healthz = times.pop("healthz")
    pages = {
        Target(f"console: {name}", "within 30× `/healthz`"): _ratio_figure(ms, healthz, "ms", 30)
        for name, ms in times.items()
    }
    return pages | figures


def _exports(port: int, cookie: str, folder: Path) -> dict[Target, Figure]:
    """Each export downloaded once to warm up, then once measured: rows a second, and how much the web
    worker's memory grew while the second half arrived (nothing, when it is streamed)."""
    worker, figures = worker_pid(port), {}
    for name, path in EXPORTS.items():
        download(port, path, cookie, worker, folder / name)
        run = download(port, path, cookie, worker, folder / name)
        rate, growth = run.rows / run.seconds, (run.peak_second_half - run.peak_first_half) / 1024
        target = Target(f"export: {name}", f"streamed, {EXPORT_RATE:,} rows/s or more, memory flat")
        figures[target] = Figure(
            f"{run.rows:,} rows, {rate:,.0f} rows/s",
            f"{EXPORT_RATE:,} rows/s",
            f"{rate / EXPORT_RATE:.1f}×, {growth:+.1f} MB",
            rate >= EXPORT_RATE and growth < FLAT_MEMORY_MB,
        )
    return figures


def _registrations(url: str, seconds: int) -> dict[Target, Figure]:
    target = Target("registrations through gunicorn", "at least 40% of `/healthz`")
    if shutil.which("wrk") is None:
        return {target: Figure("wrk is not installed", "—", "—", None)}
    print("registrations", flush=True)
    options = argparse.Namespace(seconds=seconds, connections=8, threads=2)
    healthz, registrations = load.TARGETS[0], next(t for t in load.TARGETS if "registrations" in t.path)
    # Rate limits are counted as production counts them, shared by the workers in Redis.
    with (
        tempfile.TemporaryDirectory() as folder,
        rate_limit_store() as settings,
        gunicorn(url, folder, workers=4, settings=settings) as port,
    ):
        rates = {
            chosen: load.measure(port, chosen, options, "").per_second for chosen in (healthz, registrations)
        }
    share = rates[registrations] / rates[healthz]
    return {
        target: Figure(
            f"{rates[registrations]:.0f}/s", f"{rates[healthz]:.0f}/s", f"{share:.0%}", share >= 0.4
        )
    }


def _ratio_figure(measured: float, baseline: float, unit: str, most: float, note: str = "") -> Figure:
    """`measured` against `baseline`, met when it is at most `most` times as much."""
    digits = 0 if unit == "ms" and measured >= 100 else 1
    return Figure(
        f"{measured:.{digits}f} {unit}{note}",
        f"{baseline:.1f} {unit}",
        f"{measured / baseline:.1f}×",
        measured <= most * baseline,
    )


def _print_table(results: Results, sizes: list[int]) -> None:
    header = ["work", "target"]
    for size in sizes:
        header += [f"{size:,}", "baseline", "ratio", "met"]
    rows = [[target.work, target.goal, *_cells(by_size, sizes)] for target, by_size in results.items()]
    print()
    for row in [header, ["---"] * len(header), *rows]:
        print("| " + " | ".join(row) + " |")


def _cells(by_size: dict[int, Figure], sizes: list[int]) -> list[str]:
    cells = []
    for size in sizes:
        figure = by_size.get(size, Figure("—", "—", "—", None))
        met = {True: "yes", False: "NO", None: "—"}[figure.met]
        cells += [figure.measured, figure.baseline, figure.ratio, met]
    return cells


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000], help="registrants")
    parser.add_argument("--requests", type=int, default=5, help="requests per page (the median is shown)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk measurement")
    return parser.parse_args()


if __name__ == "__main__":
    main()
