"""Synthetic people, meetings and SMTP servers for the emails tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from emails import messages
from emails.catcher import MailCatcher
from emails.context import Links, MeetingDetails, Person, Program
from emails.samples import ANSWERS, CONDITION, KINDS, LINKS, PROGRAM, meeting, person, sample_email

from ..conftest import free_port

LOCALES = ("en", "es")
__all__ = ["ANSWERS", "KINDS", "LOCALES"]  # what the tests of this folder import from here


@pytest.fixture
def program() -> Program:
    return PROGRAM


@pytest.fixture
def links() -> Links:
    return LINKS


@pytest.fixture
def condition() -> str:
    """A condition's name: it may appear in bodies, never in subjects, previews or calendar titles."""
    return CONDITION


@pytest.fixture
def make_person() -> Callable[..., Person]:
    return person


@pytest.fixture
def make_meeting() -> Callable[..., MeetingDetails]:
    return meeting


@pytest.fixture
def make_email() -> Callable[..., messages.Email]:
    return sample_email


@pytest.fixture
def unused_port() -> int:
    """A localhost port that nothing listens on (until the test starts something there)."""
    return free_port()


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[Callable[..., tuple[str, int]]]:
    """Start an aiosmtpd server on localhost with a given handler; returns (host, port)."""
    controllers: list[Controller] = []

    def start(handler: MailCatcher) -> tuple[str, int]:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), server_hostname="test")
        controller.start()
        controllers.append(controller)
        return controller.hostname, controller.port

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def mailbox(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def catcher(smtp_server: Callable[..., tuple[str, int]], mailbox: Path) -> tuple[str, int]:
    """The development mail catcher on a free port, storing into ``mailbox``."""
    return smtp_server(MailCatcher(mailbox))
