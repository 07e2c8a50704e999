"""The concern tests use the survey's kit (an approved cohort of four, the Zoom emulator and a real SMTP
server, the worker run at chosen moments), a coordinator of the demo program, and what hosts and members
do there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.models import Cohort, CohortMember, Host, Meeting, Participant, Program

from ..survey import conftest as survey_fixtures
from ..survey.conftest import BASE_URL, CSRF, SurveyKit

running_emulator, zoom, mailbox = (
    survey_fixtures.running_emulator,
    survey_fixtures.zoom,
    survey_fixtures.mailbox,
)
app, program, make_cohorts, base_url = (
    survey_fixtures.app, survey_fixtures.program, survey_fixtures.make_cohorts, survey_fixtures.base_url
)  # fmt: skip
__all__ = ["CSRF"]
COORDINATOR = "concerns-coordinator@example.org"


class ConcernKit(SurveyKit):
    """The survey's kit, and the group's host."""

    def host(self) -> Host:
        with self.app.app_context():
            session = database.session()
            return session.get(Host, session.get(Cohort, self.meeting().cohort_id).host_id)

    def links(self, messages, path_start: str) -> list[str]:
        """The links to `path_start` in the plain-text parts of `messages`, as a reader would tap them."""
        return [
            word.removeprefix(BASE_URL)
            for message in messages
            for word in message.get_body(preferencelist=("plain",)).get_content().split()
            if word.startswith(BASE_URL + path_start)
        ]

    def first_link(self, messages, path_start: str) -> str:
        return self.links(messages, path_start)[0]

    def end_meeting(self) -> None:
        """Zoom says the meeting started, and the worker's round comes just after its end; then the meeting
        is moved to have ended an hour ago, so the pages, which read the real clock, see it over too."""
        meeting = self.meeting()
        self.change(Meeting, meeting.id, started_at=meeting.starts_at + timedelta(minutes=2))
        self.run_worker(meeting.starts_at + timedelta(minutes=meeting.duration_minutes, seconds=30))
        self.change(
            Meeting, meeting.id, starts_at=utcnow() - timedelta(minutes=meeting.duration_minutes + 60)
        )

    def emails_to_address(self, address: str):
        return [
            message for message in self.mailbox.messages() if message["To"].addresses[0].addr_spec == address
        ]


@pytest.fixture
def coordinator(console_client):
    return console_client("demo", email=COORDINATOR)


@pytest.fixture
def make_kit(app, program, mailbox, make_cohorts, coordinator):
    """The kit, in a program that writes to its hosts in `locale`, and whose members speak it."""

    def make(locale: str = "en") -> ConcernKit:
        [cohort_id] = make_cohorts(1, size=4)
        with app.app_context():
            session = database.session()
            session.get(Program, program.id).default_locale = locale
            for member in session.exec(select(CohortMember).where(CohortMember.cohort_id == cohort_id)):
                session.get(Participant, member.participant_id).locale = locale
            session.commit()
        return ConcernKit(app, mailbox, cohort_id)

    return make


@pytest.fixture
def kit(make_kit) -> ConcernKit:
    return make_kit()
