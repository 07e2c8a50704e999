"""Registrations per second through the real HTTP stack, beside the same server's rate for `/healthz`.

Starts gunicorn on SQLite and on PostgreSQL (skipped when it does not answer), posts synthetic registrations
to the JSON API from concurrent clients, and prints both rates. The registration rate limit is raised for the
run (it is still checked on every request), so the figure is the stack's, not the limit's.

    .venv/bin/python benchmarks/registration.py [--requests 1200] [--clients 16] [--workers 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.cli.db import upgrade_database  # noqa: E402  (the repository root is put on the path just above)
from app.database import build_engine  # noqa: E402

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/bench_registration"
APP_SPEC = "app:create_app({'REGISTRATION_RATE_LIMIT': '1000000 per minute'})"
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
        postgres = os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES_URL)
        if _prepare_postgres(postgres):
            backends["postgresql"] = postgres
        else:
            print(f"PostgreSQL does not answer at {postgres}: measuring SQLite only")
        print(f"{args.requests} requests each, {args.clients} clients, gunicorn with {args.workers} workers")
        for name, url in backends.items():
            _prepare(url)
            with _gunicorn(url, folder, args.workers) as port:
                registrations = _rate(port, args, _registration)
                health = _rate(port, args, lambda _n: ("GET", "/healthz", None))
            print(f"{name:>10}: {registrations:8.1f} registrations/s   {health:8.1f} /healthz/s")


def _prepare_postgres(url: str) -> bool:
    """Create the benchmark database if needed; False when PostgreSQL is not reachable at all."""
    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=3) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return False
    engine = build_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return True


def _prepare(url: str) -> None:
    upgrade_database(url)
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "demo", "seed"],
        env=_environment(url),
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def _environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "benchmark-secret-key-long-enough-for-signing-links",
        "APP_ENV": "development",
    }


class _gunicorn:
    def __init__(self, url: str, folder: str, workers: int):
        self.url, self.folder, self.workers = url, folder, workers

    def __enter__(self) -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        command = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--log-level", "warning"]
        command += ["--bind", f"127.0.0.1:{self.port}", APP_SPEC]
        self.process = subprocess.Popen(command, env=_environment(self.url), cwd=self.folder)
        _wait_until_up(self.port)
        return self.port

    def __exit__(self, *_exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if _request(port, "GET", "/healthz", None) == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port}")


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


def _request(port: int, method: str, path: str, body: dict | None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body) if body is not None else None
        connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _rate(port: int, args: argparse.Namespace, make) -> float:
    def send(number: int) -> int:
        return _request(port, *make(number))

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
