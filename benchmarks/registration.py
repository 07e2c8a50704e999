"""Registrations per second through the real HTTP stack, beside the same server's rate for `/healthz`.

Starts gunicorn on SQLite and on PostgreSQL (skipped when it does not answer), posts synthetic registrations
to the JSON API from concurrent clients, and prints both rates. The registration rate limit is raised for the
run (it is still checked on every request), so the figure is the stack's, not the limit's.

    .venv/bin/python benchmarks/registration.py [--requests 1200] [--clients 16] [--workers 4]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from support import gunicorn, postgres_url, prepare_demo, request, reset_postgres

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/bench_registration"
CONDITIONS = {"cll": ["watch-and-wait", "in-treatment", "post-treatment", "relapsed", None]}
ZONES = ("Europe/Madrid", "America/New_York", "America/Mexico_City", "Europe/London")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1200)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        backends = {"sqlite": f"sqlite:///{Path(folder) / 'bench.db'}"}
        postgres = postgres_url(DEFAULT_POSTGRES_URL)
        if reset_postgres(postgres):
            backends["postgresql"] = postgres
        else:
            print(f"PostgreSQL does not answer at {postgres}: measuring SQLite only")
        print(f"{args.requests} requests each, {args.clients} clients, gunicorn with {args.workers} workers")
        for name, url in backends.items():
            prepare_demo(url)
            with gunicorn(url, folder, args.workers) as port:
                registrations = _rate(port, args, _registration)
                health = _rate(port, args, lambda _n: ("GET", "/healthz", None))
            print(f"{name:>10}: {registrations:8.1f} registrations/s   {health:8.1f} /healthz/s")


def _registration(number: int) -> tuple[str, str, dict]:
    rng = random.Random(number)
    condition = rng.choice(list(CONDITIONS))
    start = rng.choice((9, 12, 17))
    body = {
        "email": f"bench-{time.time_ns()}-{number}@example.org",
        "display_name": f"Bench {number}",
        "role": rng.choice(("patient", "caregiver")),
        "condition": condition,
        "stage": rng.choice(CONDITIONS[condition]),
        "timezone": rng.choice(ZONES),
        "languages": rng.sample(["en", "es"], k=rng.randint(1, 2)),
        "availability": [_window(rng.randint(0, 6), start, start + 3)],
        "consent": True,
    }
    return "POST", "/api/v1/programs/demo/registrations", body


def _window(weekday: int, start: int, end: int) -> dict:
    return {"weekday": weekday, "start": f"{start:02d}:00", "end": f"{end:02d}:00"}


def _rate(port: int, args: argparse.Namespace, make) -> float:
    def send(number: int) -> int:
        return request(port, *make(number))

    started = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        statuses = list(pool.map(send, range(args.requests)))
    elapsed = time.perf_counter() - started
    failures = [status for status in statuses if status >= 300]
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(statuses)} requests failed, e.g. HTTP {failures[0]}")
    return len(statuses) / elapsed


if __name__ == "__main__":
    main()
