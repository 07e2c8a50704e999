"""The app wired to a real Zoom emulator over HTTP, and a factory for programs with proposed cohorts."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlmodel import select

from app import create_app, database
from app.demo import seed_demo
from app.models import (
    Cohort,
    CohortMember,
    Condition,
    Host,
    Participant,
    ParticipantStatus,
    Program,
    ZoomUser,
)
from app.services.zoom_pool import pool_users
from emails import catcher
from integrations.zoom import RetryPolicy, ZoomClient
from integrations.zoom.emulator import EmulatorConfig, start_in_thread
from integrations.zoom.emulator_control import EmulatorControl

from ..conftest import free_port

WEBHOOK_SECRET = "lifecycle-webhook-secret"
EMULATOR = EmulatorConfig("emulator", "emulator", "emulator", webhook_secret=WEBHOOK_SECRET)


@pytest.fixture(scope="session")
def running_emulator():
    with start_in_thread(EMULATOR) as running:
        yield running


@pytest.fixture
def zoom(running_emulator) -> EmulatorControl:
    control = EmulatorControl(running_emulator.url)
    control.reset()
    control.configure(daily_limit=100, webhook_url=None)
    return control


@pytest.fixture
def mailbox(tmp_path) -> Iterator[Mailbox]:
    """A real SMTP server on localhost (the development mail catcher), keeping what it receives."""
    port = free_port()
    directory = tmp_path / "caught"
    controller = catcher.start("127.0.0.1", port, directory)
    yield Mailbox(port, directory)
    controller.stop()


@dataclass(frozen=True)
class Mailbox:
    port: int
    directory: Path

    def messages(self) -> list[EmailMessage]:
        if not self.directory.exists():
            return []
        return [
            catcher.read_message(self.directory, caught.id)
            for caught in catcher.list_messages(self.directory)
        ]


@pytest.fixture
def base_url() -> str:
    """The site's public address, for the links in emails; a test module may give its own."""
    return "http://localhost"


@pytest.fixture
def app(database_url, tmp_path, zoom, mailbox, settings_for, base_url):
    settings = settings_for(
        database_url,
        tmp_path / "instance",
        BASE_URL=base_url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(mailbox.port),
        ZOOM_API_BASE_URL=zoom.api_base_url,
        ZOOM_OAUTH_TOKEN_URL=zoom.token_url,
        ZOOM_WEBHOOK_SECRET_TOKEN=WEBHOOK_SECRET,
    )
    flask_app = create_app({"TESTING": True, "SETTINGS": settings})
    # The real client, against the emulator, with short pauses between its own retries.
    flask_app.extensions["zoom_client"] = ZoomClient(
        "emulator", "emulator", "emulator", token_url=zoom.token_url, api_base_url=zoom.api_base_url,
        retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02), timeout=2,
    )  # fmt: skip
    yield flask_app
    flask_app.extensions["engine"].dispose()


@pytest.fixture
def program(app) -> Program:
    with app.app_context():
        session = database.session()
        program = seed_demo(session)
        session.commit()
        return program


@pytest.fixture
def make_cohorts(app, program) -> Callable[..., list[int]]:
    """Proposed cohorts of synthetic members, hosted where asked; returns the cohort ids."""

    def make(count: int, *, size: int = 4, hosted: bool = True, slot: int = 14) -> list[int]:
        with app.app_context():
            session = database.session()
            condition = session.exec(
                select(Condition).where(Condition.program_id == program.id, Condition.code == "cll")
            ).one()
            host = session.exec(
                select(Host).where(Host.program_id == program.id, Host.display_name == "Jonah")
            ).one()
            ids = []
            for number in range(count):
                cohort = Cohort(
                    program_id=program.id, condition_id=condition.id, language="en", slot=slot,
                    host_id=host.id if hosted else None,
                )  # fmt: skip
                session.add(cohort)
                session.flush()
                for seat in range(size):
                    member = Participant(
                        program_id=program.id, email=f"member-{cohort.id}-{seat}@example.org",
                        display_name=f"Member {number}.{seat}", condition_id=condition.id,
                        timezone="America/New_York", languages=["en"], consent_version="1",
                        status=ParticipantStatus.VERIFIED,
                    )  # fmt: skip
                    session.add(member)
                    session.flush()
                    session.add(CohortMember(cohort_id=cohort.id, participant_id=member.id))
                ids.append(cohort.id)
            _pool_for(session, program, count)
            session.commit()
            return ids

    return make


@pytest.fixture
def zoom_pool(app, program) -> Callable[[Mapping[str, int]], None]:
    """Make the program's pool of Zoom users exactly these (user -> meetings it may run at once)."""

    def set_pool(users: Mapping[str, int]) -> None:
        with app.app_context():
            session = database.session()
            session.exec(delete(ZoomUser).where(ZoomUser.program_id == program.id))
            session.add_all(
                ZoomUser(program_id=program.id, user=user, concurrent=concurrent)
                for user, concurrent in users.items()
            )
            session.commit()

    return set_pool


def _pool_for(session, program: Program, meetings: int) -> None:
    """Licensed Zoom users enough for `meetings` meetings at one hour (real Zoom runs one per Pro user)."""
    listed = len(pool_users(session, program))
    session.add_all(
        ZoomUser(program_id=program.id, user=f"meetings-{number}@example.org")
        for number in range(listed + 1, meetings + 1)
    )
