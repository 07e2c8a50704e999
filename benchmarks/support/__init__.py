"""What the HTTP benchmarks share: a fresh PostgreSQL database, `flask` commands, and gunicorn on a free port.

Not a benchmark itself (`make bench` runs only the scripts directly in `benchmarks/`); the scripts there
import it as `support`.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg
import redis
import requests
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.cli.db import upgrade_database  # noqa: E402  (the repository root is put on the path just above)
from app.database import build_engine  # noqa: E402

# The registration rate limit is raised (it is still checked on every request), so a figure is the stack's,
# not the limit's.
APP_SPEC = "app:create_app({'REGISTRATION_RATE_LIMIT': '1000000 per minute'})"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def postgres_url(default: str) -> str:
    """The PostgreSQL database to measure on: `BENCH_DATABASE_URL`, else `default`."""
    return os.environ.get("BENCH_DATABASE_URL", default)


def reset_postgres(url: str) -> bool:
    """Create the database if needed and empty it; False when PostgreSQL is not reachable at all."""
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


def seeded(url: str, reuse: bool, seed: Callable[[], None]) -> bool:
    """Whether the database at `url` holds a program to measure: seeded afresh by `seed`, or as it is when
    `reuse` says so. False, said on the way, when PostgreSQL does not answer (the benchmark is skipped)."""
    if reuse:
        return True
    if not reset_postgres(url):
        print(f"PostgreSQL does not answer at {url}, so the benchmark is skipped.")
        return False
    seed()
    return True


def analyze_postgres(url: str) -> None:
    """Vacuum the database and refresh the planner's statistics, as autovacuum soon does on a live database:
    straight after a bulk seed the planner still takes the tables for nearly empty and picks its plans for
    that, and no index-only scan can skip the table until a vacuum has marked its pages all-visible."""
    engine = build_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


# Registrants per licensed Zoom user of a large program's pool. The demo shares its meetings over four Pro
# users (one meeting at a time each), which caps it at a few hundred groups; a network of 100,000 licenses
# enough users that its meetings, not its Zoom pool, are what a benchmark measures.
REGISTRANTS_PER_ZOOM_USER = 20


def prepare_demo(url: str, registrants: int = 0) -> str:
    """Migrate the database and seed the demo program with `registrants` and a Zoom pool to match; what
    `flask demo seed` said."""
    upgrade_database(url)
    seeded = flask(url, "demo", "seed", "--registrants", str(registrants))
    license_zoom_pool(url, registrants)
    return seeded


def license_zoom_pool(url: str, registrants: int) -> None:
    """Add Pro users to the demo program's Zoom pool: one per `REGISTRANTS_PER_ZOOM_USER` registrants."""
    count = registrants // REGISTRANTS_PER_ZOOM_USER
    engine = build_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                'INSERT INTO zoomuser (program_id, "user", concurrent, active, created_at) '
                "SELECT program.id, 'bench-' || number || '@example.org', 1, true, now() "
                "FROM program, generate_series(1, :count) AS number WHERE program.slug = 'demo' "
                "ON CONFLICT DO NOTHING"
            ),
            {"count": count},
        )
    engine.dispose()


def compile_project() -> None:
    """Compile the project's modules to byte-code, as installing a package does, so that a timed command
    starts as it would where the app is deployed: with `PYTHONDONTWRITEBYTECODE` set (as in many containers)
    and no byte-code on disk, every `flask` command would compile some 600 modules anew before it starts."""
    packages = [str(ROOT / name) for name in ("app", "matching", "integrations", "emails")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], check=True, capture_output=True)


def flask(url: str, *arguments: str, stdin: str | None = None) -> str:
    """Run `flask --app app ARGUMENTS` against the database at `url`; its standard output."""
    finished = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *arguments],
        env=environment(url),
        cwd=ROOT,
        input=stdin,
        check=True,
        capture_output=True,
        text=True,
    )
    return finished.stdout.strip()


def environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "benchmark-secret-key-long-enough-for-signing-links",
        "APP_ENV": "development",
    }


@contextmanager
def rate_limit_store() -> Iterator[dict[str, str]]:
    """Settings that count rate limits as production does, in the Redis at `BENCH_REDIS_URL` (default
    redis://127.0.0.1:6379/0), under a key prefix of this run's whose counters are removed afterwards; no
    settings (each process counts in its memory) when Redis does not answer, which it says."""
    url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    client = redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError:
        print(f"Redis does not answer at {url}: rate limits are counted in each process's memory")
        client.close()
        yield {}
        return
    prefix = f"bench-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        yield {"RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": prefix}
    finally:
        for key in client.scan_iter(match=f"*{prefix}*"):
            client.delete(key)
        client.close()


@contextmanager
def gunicorn(url: str, folder: str, workers: int, settings: dict[str, str] | None = None) -> Iterator[int]:
    """gunicorn serving the app on the database at `url` from `folder` (with `settings` as environment
    variables), up and answering; yields its port."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--log-level", "warning"]
    command += ["--bind", f"127.0.0.1:{port}", APP_SPEC]
    process = subprocess.Popen(command, env={**environment(url), **(settings or {})}, cwd=folder)
    try:
        _wait_until_up(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        with suppress(OSError):
            if request(port, "GET", "/healthz", None) == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port}")


def request(port: int, method: str, path: str, body: dict | None) -> int:
    """Send one request with a JSON body (or none) on a new connection; the response's status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body) if body is not None else None
        connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the console's form as a browser would; the Cookie header of the signed-in session."""
    login = f"http://127.0.0.1:{port}/console/login"
    with requests.Session() as browser:
        page = browser.get(login, timeout=30)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        if token is None:
            raise RuntimeError("the sign-in page has no csrf_token field")
        form = {"email": email, "password": password, "csrf_token": token.group(1)}
        signed_in = browser.post(login, data=form, allow_redirects=False, timeout=30)
        if signed_in.status_code != 303:
            raise RuntimeError(f"signing in answered HTTP {signed_in.status_code}, not a redirect")
        return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
