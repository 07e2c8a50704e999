"""Fixtures shared by the whole suite: `app` (a fresh database per test), `client`, `runner`.

Every test that asks for `app` runs on SQLite and, where it answers at TEST_DATABASE_URL, on PostgreSQL.
With CI=true an unreachable PostgreSQL fails the run instead of skipping it silently.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

import app.models
from app import create_app
from app.cli.db import upgrade_database
from app.database import build_engine
from app.settings import load_settings

from .totp import totp

# The tiers. Fast tests check code on its own or against a database; "integration" tests also talk to a
# server a test starts (the Zoom or SMS emulator, an SMTP server, the app over HTTP); "slow" ones drive a
# browser, start whole processes, search many generated inputs (Hypothesis), hold the matcher to an exact
# solver, or (marked by hand) grow programs to hundreds of people. `make test` runs them all; `make quick`
# runs the fast tier on SQLite alone.
INTEGRATION_FIXTURES = frozenset(
    {
        "running_emulator",
        "running_sms_emulator",
        "sms_emulator_on_a_fake_clock",
        "zoom_emulator_url",
        "smtp_server",
        "smtp",
        "server",
    }
)
SLOW_FIXTURES = frozenset({"browser", "deployment", "procfile_web"})
SLOW_FILES = ("production/", "matching/test_exact.py", "hostile/test_api_fuzz.py")
TESTS = Path(__file__).parent
DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")
# The fixtures whose parameter is the backend a test runs on.
BACKEND_FIXTURES = ("database_url", "empty_database")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        action="append",
        choices=BACKENDS,
        help="run database tests on this one only (repeatable)",
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The slow tier's own files are not even imported when it is left out: their imports (CP-SAT,
    schemathesis) alone take seconds of a quick run."""
    if "not slow" not in (config.getoption("markexpr") or ""):
        return None
    relative = collection_path.relative_to(TESTS).as_posix() if collection_path.is_relative_to(TESTS) else ""
    return True if relative and (relative + "/").startswith(SLOW_FILES) else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(item.fixturenames)
        if _is_slow(item, fixtures):
            item.add_marker(pytest.mark.slow)
        elif fixtures & INTEGRATION_FIXTURES:
            item.add_marker(pytest.mark.integration)
    chosen = config.getoption("backend")
    if chosen:
        elsewhere = [item for item in items if _backend(item) not in (None, *chosen)]
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if item not in elsewhere]


def _is_slow(item: pytest.Item, fixtures: set[str]) -> bool:
    return bool(
        fixtures & SLOW_FIXTURES
        or item.path.relative_to(TESTS).as_posix().startswith(SLOW_FILES)
        or getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
    )


def _backend(item: pytest.Item) -> str | None:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return next((params[name] for name in BACKEND_FIXTURES if name in params), None)


def postgres_test_url() -> str:
    """Where PostgreSQL answers: the server on which each run creates (and drops) databases of its own."""
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)


def named_database(url: str, name: str) -> str:
    """The URL of the database `name` on the server of `url`."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def administer(url: str, *statements: str) -> None:
    """Run `statements` outside a transaction, as CREATE and DROP DATABASE must be."""
    engine = build_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def create_database(server_url: str, name: str) -> str:
    administer(server_url, f'CREATE DATABASE "{name}"')
    return named_database(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    # FORCE ends connections a killed process may have left behind.
    administer(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    """A TCP port on localhost that nothing listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated database of this run's own, dropped at its end: two runs on one server never meet."""
    server = postgres_test_url()
    name = f"{make_url(server).database}_run_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        url = create_database(server, name)
    except OperationalError as error:
        reason = f"PostgreSQL does not answer at {server}: {error.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    try:
        upgrade_database(url)
        yield url
    finally:
        drop_database(server, name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file per run; each test gets a copy, which is much faster than migrating again."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    empty_database(url)


def empty_database(url: str) -> None:
    """Remove every row a test left, keeping the migrated schema."""
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    administer(url, f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def make_settings(database_url: str, instance_path: Path, **overrides: str):
    environ = {
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-signing",
        "BASE_URL": "http://localhost",
        **overrides,
    }
    return load_settings(instance_path, environ)


@pytest.fixture
def settings_for():
    """Build test settings for another database or instance folder than the `app` fixture's."""
    return make_settings


@pytest.fixture
def app(database_url, tmp_path):
    flask_app = create_app({"TESTING": True, "SETTINGS": make_settings(database_url, tmp_path / "instance")})
    yield flask_app
    flask_app.extensions["engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    """The app's own session, inside an application context, for arranging and checking rows."""
    from app import database

    with app.app_context():
        yield database.session()


def enrol_second_factor(session, coordinator) -> str:
    """Set up an authenticator app for the account as its owner does on the set-up page, two minutes ago
    (so the code of now has not been used); returns the app's secret."""
    from datetime import timedelta

    from app.database import utcnow
    from app.services.two_factor import confirm_enrolment, start_enrolment

    then = utcnow() - timedelta(minutes=2)
    secret = start_enrolment(session, coordinator)
    confirm_enrolment(session, coordinator, totp(secret, then.timestamp()), now=then)
    return secret


@pytest.fixture
def console_client(app):
    """Make a test client signed in to the console as a new coordinator of `programs` (slugs), or an admin
    (who, as every admin must, has set up two-factor sign-in)."""
    from flask_login import FlaskLoginClient

    from app import database
    from app.services.accounts import create_coordinator

    app.test_client_class = FlaskLoginClient
    made = 0

    def make(*programs: str, admin: bool = False, email: str | None = None):
        nonlocal made
        made += 1
        with app.app_context():
            session = database.session()
            coordinator = create_coordinator(
                session,
                email or f"coordinator-{made}@example.org",
                "a long enough test password",
                is_admin=admin,
                program_slugs=programs,
            )
            if admin:
                enrol_second_factor(session, coordinator)
            session.commit()
            return app.test_client(user=coordinator)

    return make


CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright; browser tests fail on CI when it is missing."""
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def desktop_page(browser):
    """A page in a fresh browser context of its own, at a desktop size, as coordinators work."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def server(app):
    """The app over real HTTP, as a browser reaches it."""
    import threading

    from werkzeug.serving import make_server

    http = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll, so that shutting down at the end of each test takes milliseconds, not half a second.
    thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join()
