"""Answers from emails — a member's "I'll be there" or "I can't come this time", a place offered to people
waiting, a suggested time added — through the lifecycle fixtures: the Zoom emulator over HTTP, a real SMTP
server, and the worker run as `flask worker --once` runs it."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlmodel import select

from app import database
from app.models import Condition, Participant, ParticipantStatus, Program

from ..lifecycle import conftest as lifecycle
from ..survey.conftest import BASE_URL, SurveyKit

running_emulator, zoom, mailbox = lifecycle.running_emulator, lifecycle.zoom, lifecycle.mailbox
app, program, make_cohorts = lifecycle.app, lifecycle.program, lifecycle.make_cohorts
base_url = lifecycle.base_url

# Monday morning in New York: the hour of the week the `make_cohorts` groups meet (slot 14, 14:00 UTC).
FREE_ON_MONDAY = [{"weekday": 0, "start": "06:00", "end": "18:00"}]


class AnswersKit(SurveyKit):
    """One approved group of four, what its members and people waiting see, and what they do."""

    def link(self, message: EmailMessage, ending: str) -> str:
        """The path of the link in the plain-text part that ends with `ending`, as a member would tap it."""
        text = message.get_body(preferencelist=("plain",)).get_content()
        [link] = [word for word in text.split() if word.startswith(BASE_URL) and word.endswith(ending)]
        return link.removeprefix(BASE_URL)

    def links(self, message: EmailMessage, containing: str) -> list[str]:
        text = message.get_body(preferencelist=("plain",)).get_content()
        return [
            word.removeprefix(BASE_URL)
            for word in text.split()
            if word.startswith(BASE_URL) and containing in word
        ]

    def emails_to_address(self, address: str, subject: str | None = None) -> list[EmailMessage]:
        return [
            message
            for message in self.mailbox.messages()
            if message["To"].addresses[0].addr_spec == address and subject in (None, message["Subject"])
        ]

    def add_waiting(
        self, count: int, *, availability=FREE_ON_MONDAY, locale: str = "en", **columns
    ) -> list[int]:
        """Verified registrants in no group, of the groups' condition, free when the groups meet."""
        with self.app.app_context():
            session = database.session()
            program = session.exec(select(Program)).first()
            condition = session.exec(
                select(Condition).where(Condition.program_id == program.id, Condition.code == "cll")
            ).one()
            people = [
                Participant(
                    program_id=program.id,
                    email=f"waiting-{number}-{locale}@example.org",
                    display_name=f"Waiting {number}",
                    condition_id=condition.id,
                    timezone="America/New_York",
                    languages=["en", "es"],
                    consent_version="1",
                    status=ParticipantStatus.VERIFIED,
                    availability=availability,
                    locale=locale,
                    **columns,
                )
                for number in range(count)
            ]
            session.add_all(people)
            session.commit()
            return [person.id for person in people]

    def person(self, participant_id: int) -> Participant:
        return self.rows(Participant, id=participant_id)[0]


@pytest.fixture
def kit(app, mailbox, make_cohorts) -> AnswersKit:
    [cohort_id] = make_cohorts(1, size=4)
    return AnswersKit(app, mailbox, cohort_id)
