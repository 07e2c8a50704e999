"""Requests per second and latency percentiles under wrk, a real HTTP load generator, against gunicorn.

gunicorn serves the app on PostgreSQL, and wrk loads one after the other: `/healthz` (the trivial endpoint,
the scale for the others), the public program page, registrations through the JSON API (a new email address
on every request; the registration rate limit is raised for the run), and, signed in as its coordinator, the
cohorts page of the demo program seeded with 10,000 registrants and matched into cohorts, and one cohort's
page. Each prints requests per second and the 50th, 90th and 99th percentiles of latency; a response with
another status than expected, or a socket error, counts under "failed" and fails the run.

Needs `wrk` (Debian: `apt-get install wrk`; without it the script says so and stops, without failing) and
PostgreSQL at BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/bench_load), which it empties.
Rate limits are counted as in production, in the Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/0,
under a key prefix of the run's, removed afterwards), or in each process's memory when it does not answer.
Each row also shows the machine's load (the 1-minute average as the measurement began): other work on the
machine slows every figure, and requests that wait on other processes (the database, Redis) more than others.

    .venv/bin/python benchmarks/load.py [--seconds 10] [--connections 8] [--threads 2] [--workers 4]
                                        [--registrants 10000] [--only /healthz /registrations]

`--only` measures just the targets whose path contains one of the given parts (`--only /healthz
/registrations --registrants 0` is the quick run for registrations against the scale), and prints the ratio of
each to `/healthz`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from support import (
    analyze_postgres,
    flask,
    gunicorn,
    postgres_url,
    prepare_demo,
    rate_limit_store,
    reset_postgres,
    sign_in,
)

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/bench_load"
WRK_SCRIPTS = Path(__file__).resolve().parent / "wrk"
PROGRAM = "demo"
COORDINATOR_EMAIL = "load-coordinator@example.org"
COORDINATOR_PASSWORD = "load-benchmark-password"  # noqa: S105  (a throwaway account in a throwaway database)


@dataclass(frozen=True)
class Target:
    method: str
    path: str
    expected_status: int = 200
    script: str = "report.lua"
    signed_in: bool = False


TARGETS = (
    Target("GET", "/healthz"),
    Target("GET", f"/p/{PROGRAM}"),
    Target("POST", f"/api/v1/programs/{PROGRAM}/registrations", 201, "registrations.lua"),
    Target("GET", f"/console/programs/{PROGRAM}", signed_in=True),
    # The database is made afresh for every run, so the first group matching proposes is group 1.
    Target("GET", f"/console/programs/{PROGRAM}/cohorts/1", signed_in=True),
)


@dataclass(frozen=True)
class Figures:
    per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    failed: int
    load: float


def main() -> None:
    args = _arguments()
    if shutil.which("wrk") is None:
        print("wrk is not installed, so the load benchmark is skipped: install it (`apt-get install wrk`).")
        return
    url = postgres_url(DEFAULT_POSTGRES_URL)
    if not reset_postgres(url):
        print(f"PostgreSQL does not answer at {url}, so the load benchmark is skipped.")
        return
    print(f"{PROGRAM} program: {_seed(url, args.registrants)}")
    print(
        f"gunicorn with {args.workers} workers on PostgreSQL; wrk with {args.threads} threads and "
        f"{args.connections} connections, {args.seconds} s per measurement; {os.cpu_count()} cores"
    )
    with (
        tempfile.TemporaryDirectory() as folder,
        rate_limit_store() as settings,
        gunicorn(url, folder, args.workers, settings) as port,
    ):
        print(f"rate limits counted in {settings.get('RATELIMIT_STORAGE_URI', 'memory')}")
        cookie = sign_in(port, COORDINATOR_EMAIL, COORDINATOR_PASSWORD)
        measured = {target: measure(port, target, args, cookie) for target in _chosen(args.only)}
    print(f"{'':48} {'requests/s':>10} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'failed':>7} {'load':>5}")
    failed = sum(_report(target, figures) for target, figures in measured.items())
    health = measured.get(TARGETS[0])
    if health is not None:
        for target, figures in list(measured.items())[1:]:
            print(f"{target.path} at {figures.per_second / health.per_second:.0%} of /healthz's rate")
    if failed:
        sys.exit(f"{failed} requests failed")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each measurement")
    parser.add_argument("--connections", type=int, default=8, help="open connections wrk keeps busy")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (at most --connections)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--registrants", type=int, default=10_000, help="registrants matched into cohorts")
    parser.add_argument("--only", nargs="+", metavar="PART", help="measure only paths containing a PART")
    return parser.parse_args()


def _chosen(parts: list[str] | None) -> tuple[Target, ...]:
    return tuple(target for target in TARGETS if parts is None or any(part in target.path for part in parts))


def _seed(url: str, registrants: int) -> str:
    """The demo program with `registrants` matched into cohorts and a coordinator; what matching said."""
    prepare_demo(url, registrants)
    matched = flask(url, "match", "run", PROGRAM)
    flask(url, "coordinator", "create", COORDINATOR_EMAIL, "--program", PROGRAM, stdin=COORDINATOR_PASSWORD)
    analyze_postgres(url)
    return matched.splitlines()[0]


def measure(port: int, target: Target, args: argparse.Namespace, cookie: str) -> Figures:
    """wrk's figures for `target` (`args` gives wrk's threads, connections and seconds)."""
    load = os.getloadavg()[0]
    finished = subprocess.run(_wrk_command(port, target, args, cookie), capture_output=True, text=True)
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed on {target.path}:\n{finished.stdout}{finished.stderr}")
    return _figures(finished.stdout, load)


def _wrk_command(port: int, target: Target, args: argparse.Namespace, cookie: str) -> list[str]:
    command = ["wrk", "--threads", str(args.threads), "--connections", str(args.connections)]
    command += ["--duration", f"{args.seconds}s", "--timeout", "30s"]
    command += ["--script", str(WRK_SCRIPTS / target.script)]
    if target.signed_in:
        command += ["--header", f"Cookie: {cookie}"]
    # After "--" come the script's own arguments; the tag keeps every run's email addresses apart.
    run_tag = str(time.time_ns())
    return [*command, f"http://127.0.0.1:{port}{target.path}", "--", str(target.expected_status), run_tag]


def _figures(output: str, load: float) -> Figures:
    """The figures from the RESULT line that wrk/report.lua prints when wrk is done."""
    line = next((line for line in output.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no RESULT line:\n{output}")
    values = {key: float(value) for key, value in (pair.split("=") for pair in line.split()[1:])}
    return Figures(
        per_second=values["requests"] / values["seconds"],
        p50_ms=values["p50_ms"],
        p90_ms=values["p90_ms"],
        p99_ms=values["p99_ms"],
        failed=int(values["unexpected"] + values["socket_errors"]),
        load=load,
    )


def _report(target: Target, figures: Figures) -> int:
    """Print one row of the table; how many of its requests failed."""
    print(
        f"{target.method + ' ' + target.path:48} {figures.per_second:10.1f} {figures.p50_ms:8.1f} "
        f"{figures.p90_ms:8.1f} {figures.p99_ms:8.1f} {figures.failed:7d} {figures.load:5.1f}"
    )
    return figures.failed


if __name__ == "__main__":
    main()
