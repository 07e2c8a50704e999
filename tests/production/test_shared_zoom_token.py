"""Processes of the deployment call Zoom through the app's client at once, against a Zoom emulator that
revokes every earlier token on issuing one, as older Zoom accounts do. They share the one token kept in the
database: every call succeeds, and Zoom is asked for a token only when one is needed, not once per process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from integrations.zoom.emulator_control import EmulatorControl

from ..conftest import empty_database, free_port
from .conftest import Processes, process_environment, wait_for

PROCESSES = 4
CALLS = 10  # before Zoom rejects the token, and again after
# One process of the deployment: the app's own Zoom client, as a web or worker process has it.
PROCESS = f"""
import sys
from app import create_app
from app.zoom import zoom_client

with create_app().app_context():
    client = zoom_client()
    for _ in range({CALLS}):
        client.find_meeting_by_key("host@example.org", "no-such-meeting")
    print("halfway", flush=True)
    sys.stdin.readline()
    for _ in range({CALLS}):
        client.find_meeting_by_key("host@example.org", "no-such-meeting")
"""


def checkout_environment(**settings: str) -> dict[str, str]:
    """The environment of a process under test, running this checkout's code whatever is installed."""
    return process_environment(**settings)


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_database(request, tmp_path) -> Iterator[str]:
    """The database every process uses: a migrated SQLite file, or the production tests' PostgreSQL one."""
    if request.param == "sqlite":
        path = tmp_path / "shared.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("production_database")
    yield url
    empty_database(url)


@pytest.fixture
def revoking_zoom(tmp_path) -> Iterator[EmulatorControl]:
    """`flask zoom-emulator --revoke-previous-tokens` in a process of its own."""
    processes = Processes(tmp_path)
    port = free_port()
    command = [sys.executable, "-m", "flask", "--app", "app", "zoom-emulator", "--port", str(port)]
    processes.start("zoom-emulator", [*command, "--revoke-previous-tokens"], checkout_environment())
    control = EmulatorControl(f"http://127.0.0.1:{port}")
    try:
        wait_for(lambda: _answers(control), "the Zoom emulator", 60)
        yield control
    finally:
        processes.end()


def _answers(control: EmulatorControl) -> bool:
    try:
        return control.count("token_requests") == 0
    except requests.RequestException:
        return False


def test_processes_share_one_token_that_zoom_revokes_on_issuing_another(
    shared_database, revoking_zoom, tmp_path
):
    environment = checkout_environment(
        APP_ENV="testing",
        DATABASE_URL=shared_database,
        SECRET_KEY="test-secret-key-that-is-long-enough-for-signing",
        ZOOM_API_BASE_URL=revoking_zoom.api_base_url,
        ZOOM_OAUTH_TOKEN_URL=revoking_zoom.token_url,
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", PROCESS],
            env=environment,
            cwd=tmp_path,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    try:
        halfway = [process.stdout.readline().strip() for process in processes]
        revoking_zoom.expire_tokens()  # as an hour later: Zoom rejects the token every process holds
        outcomes = [process.communicate("go\n", timeout=120) for process in processes]
    finally:
        for process in processes:
            process.kill()

    errors = [stderr for _, stderr in outcomes if stderr]
    assert (halfway, errors) == (["halfway"] * PROCESSES, [])
    assert [process.returncode for process in processes] == [0] * PROCESSES
    statuses = [call["status"] for call in revoking_zoom.recorded_requests()["log"]]
    # Each process tries the rejected token once, then uses the one a single process fetched.
    assert (statuses.count(200), statuses.count(401)) == (2 * CALLS * PROCESSES, PROCESSES)
    assert len(statuses) == (2 * CALLS + 1) * PROCESSES
    assert revoking_zoom.count("token_requests") == 2
