"""A fresh install tests what every other install tests: pinned versions, and a database of each run's own."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.database import build_engine
from app.models import Program

from ..conftest import postgres_test_url

ROOT = Path(__file__).resolve().parents[2]


def locked_versions() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        requirement = line.split("#", 1)[0].split(";", 1)[0].strip()
        if requirement:
            name, version = requirement.split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def declared_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + [
        requirement for extra in project["optional-dependencies"].values() for requirement in extra
    ]
    return [Requirement(requirement) for requirement in declared]


@pytest.mark.parametrize("requirement", declared_requirements(), ids=str)
def test_every_dependency_is_pinned_within_its_declared_range(requirement):
    pinned = locked_versions().get(canonicalize_name(requirement.name))
    assert pinned is not None, f"{requirement.name} is not in constraints.txt: run `make lock`"
    assert requirement.specifier.contains(pinned, prereleases=True), (
        f"constraints.txt pins {requirement.name}=={pinned}, outside {requirement.specifier}: run `make lock`"
    )


def test_every_install_uses_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "--constraint $(LOCK)" in makefile and "LOCK := constraints.txt" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def _databases(server: str) -> set[str]:
    engine = build_engine(server)
    try:
        with engine.connect() as connection:
            return set(connection.execute(text("SELECT datname FROM pg_database")).scalars())
    finally:
        engine.dispose()


@pytest.mark.slow  # a whole second test run
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_runs_on_one_server_never_meet(db_session, database_url):
    """Another run, started while this one holds rows, works in a database of its own and drops it after."""
    run_database = make_url(database_url).database
    assert run_database != make_url(postgres_test_url()).database
    db_session.add(
        Program(slug="kept", name="Kept", organisation="Org", contact_email="c@example.org", languages=["en"])
    )
    db_session.commit()

    other_run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/foundation/test_health.py"],
        cwd=ROOT,
        env={**os.environ, "CI": "true"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output, _ = other_run.communicate(timeout=300)

    assert other_run.returncode == 0, output[-2000:]
    assert db_session.exec(text("SELECT slug FROM program")).scalars().all() == ["kept"]
    others = f"{make_url(postgres_test_url()).database}_run_{other_run.pid}_"
    assert "passed" in output and not [
        name for name in _databases(postgres_test_url()) if name.startswith(others)
    ]
